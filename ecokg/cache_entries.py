"""Cache entries that prove they are complete, built once even when runs start together.

An entry is one file: a header line ``# ecokg cache entry sha256=<hex> bytes=<n>`` (a comment
in Turtle, so the file still loads as RDF) and the body it describes. Every read checks the
header against the body: an empty, truncated or altered entry is reported on stderr as
damaged and rebuilt, never used. Entries are written atomically (:mod:`ecokg.atomic`).

The first run to miss an entry builds it under an exclusive lock (``fcntl.flock`` on a
``.lock`` file beside it); runs that miss it meanwhile wait (bounded, with a message) and
then read what it wrote. A cache directory that cannot be written is no error: the body is
built for this run only.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ecokg.atomic import write_atomic
from ecokg.errors import EcokgError

# How long a run waits for another one building the same entry before building it itself.
LOCK_WAIT_SECONDS = 1800.0
_POLL_SECONDS = 0.2
_HEADER = re.compile(rb"# ecokg cache entry sha256=([0-9a-f]{64}) bytes=([0-9]+)\n")


@dataclass(frozen=True)
class Entry:
    """A cache entry's body, and the file holding it (None when it could not be stored)."""

    body: bytes
    path: Path | None


def header(body: bytes) -> bytes:
    """The line that proves ``body`` complete."""
    return b"# ecokg cache entry sha256=%s bytes=%d\n" % (
        hashlib.sha256(body).hexdigest().encode(),
        len(body),
    )


def read_entry(path: Path) -> bytes | None:
    """The body of the entry at ``path``; None when there is none; ValueError when the file
    is not a complete entry (empty, truncated, altered)."""
    try:
        content = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # none yet, or no cache directory to hold it
        return None
    line_end = content.find(b"\n") + 1
    match = _HEADER.fullmatch(content[:line_end]) if line_end else None
    if match is None:
        raise ValueError("no complete header line")
    body = content[line_end:]
    if len(body) != int(match.group(2)) or hashlib.sha256(body).hexdigest() != match[1].decode():
        raise ValueError("body does not match its checksum")
    return body


def write_entry(path: Path, body: bytes) -> None:
    """Store ``body`` at ``path`` with its header, atomically."""
    write_atomic(path, header(body) + body)


def obtain(path: Path, build: Callable[[], bytes], *, what: str = "cache entry") -> Entry:
    """The entry at ``path``, built with ``build()`` (once across concurrent runs) when it is
    missing or damaged. ``what`` names the entry in the waiting message."""
    body = _read_or_warn(path)
    if body is not None:
        return Entry(body, path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:  # no writable cache: build for this run only
        return Entry(build(), None)
    try:
        with _locked(lock, path, what):
            body = _read_or_warn(path, warn=False)  # built by the run we waited for?
            if body is not None:
                return Entry(body, path)
            body = build()
            try:
                write_entry(path, body)
            except (OSError, EcokgError):
                return Entry(body, None)
            return Entry(body, path)
    finally:
        os.close(lock)


def _read_or_warn(path: Path, *, warn: bool = True) -> bytes | None:
    try:
        return read_entry(path)
    except (OSError, ValueError):
        if warn:
            print(f"ecokg: warning: {path}: damaged cache entry, rebuilding", file=sys.stderr)
        return None


def _lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


@contextmanager
def _locked(descriptor: int, path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive flock on ``descriptor``; wait at most LOCK_WAIT_SECONDS for it."""
    import fcntl

    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    told = False
    held = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
            break
        except BlockingIOError:
            pass
        except OSError:  # a file system without locks: go ahead unlocked
            break
        if not told:
            print(
                f"ecokg: waiting for another ecokg run building the same {what} ({path.name})",
                file=sys.stderr,
            )
            told = True
        if time.monotonic() >= deadline:
            print(
                f"ecokg: warning: gave up waiting after {LOCK_WAIT_SECONDS:.0f} s; "
                f"building the {what} here too",
                file=sys.stderr,
            )
            break
        time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        if held:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
