"""Atomic writes: a file is replaced only once its new content is complete, so readers never
see it half-written and a failure or an interruption leaves the old file as it was.

- A symlink is written through: its target is replaced (the temp file is made in the
  target's directory, so the final rename stays on one file system).
- Only regular files are replaced: a FIFO, socket or device is refused (opening a FIFO
  would block), and so is a read-only file or directory, even for root.
- Temp files are named ``.NAME.ecokg-tmp-PID-RANDOM``: one left behind by a process that
  was killed (SIGKILL leaves no chance to clean up) is removed by the next write into that
  directory once its PID is no longer alive.
- If the run was interrupted (Ctrl-C, SIGTERM: :func:`ecokg.interrupts.interrupted`) the
  target is not replaced, even if a library swallowed the KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ecokg import interrupts
from ecokg.errors import InputError

TEMP_MARK = ".ecokg-tmp-"
_STALE_TEMP = re.compile(r"^\..+" + re.escape(TEMP_MARK) + r"(\d+)-[A-Za-z0-9_]+$")
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_swept: set[Path] = set()  # directories already cleaned of stale temp files in this run


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path`` atomically."""
    with atomic_output(path) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_output(path: Path | str) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` only if the block completes.

    A temp file in the (symlink-resolved) target's directory, then ``os.replace``; for
    writers that stream.
    """
    shown = Path(path)
    target = writable_target(shown)
    directory = target.parent
    remove_stale_temp_files(directory)
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}{TEMP_MARK}{os.getpid()}-", dir=directory
        )
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the name
        reason = getattr(error, "strerror", None) or error
        raise InputError(f"{shown}: cannot write: {reason}") from error
    try:
        with interrupts.temp_path(temp_name):
            with os.fdopen(handle, "wb") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())  # the content is on disk before the name points at it
            # mkstemp creates 0600: keep the mode of the file being replaced, else a plain
            # open()'s default.
            mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_current_umask()
            os.chmod(temp_name, mode)
            interrupts.raise_if_interrupted()  # an interruption swallowed by a library
            os.replace(temp_name, target)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise InputError(f"{shown}: cannot write: {error.strerror or error}") from error
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def writable_target(path: Path) -> Path:
    """The file to replace for ``path`` (symlinks followed), or a one-line InputError."""
    if not str(path) or str(path) == ".":
        raise InputError("--output: an empty file name")
    if "\x00" in str(path):
        raise InputError(f"{path!r}: a file name cannot hold a NUL character")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    directory = target.parent if str(target.parent) else Path(".")
    target = directory / target.name
    try:
        info = os.stat(target)  # stat never opens: a FIFO cannot block us here
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from error
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file ({_kind(info.st_mode)}); refused")
        if not info.st_mode & _WRITE_BITS or not os.access(target, os.W_OK):
            raise InputError(f"{path}: is read-only; refused")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    if not directory.stat().st_mode & _WRITE_BITS or not os.access(directory, os.W_OK):
        raise InputError(f"{path}: directory {directory} is read-only; refused")
    return target


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Remove temp files that ecokg processes no longer alive left in ``directory``
    (once per directory and run); returns those removed."""
    key = directory.resolve()
    if key in _swept:
        return []
    _swept.add(key)
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if is_stale_temp(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def temp_sibling(path: Path) -> Path:
    """A path for a temp entry next to ``path``, named as :func:`is_stale_temp` knows."""
    import secrets

    return path.parent / f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"


def is_stale_temp(name: str) -> bool:
    """Whether ``name`` is a temp name made here by a process no longer alive."""
    match = _STALE_TEMP.match(name)
    return match is not None and not _alive(int(match.group(1)))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
