"""Inferences over a user's own data, reasoned once and cached by the content of the inputs.

Entries are checked on every read and built under a lock (:mod:`ecokg.cache_entries`).
Reasoning takes minutes and gigabytes on large data, so a command that would reason first
stops above :data:`DEFAULT_REASON_LIMIT` asserted triples unless told otherwise
(``--reason-limit N``, ``ECOKG_REASON_LIMIT``) or told not to (``--no-inferred``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ecokg import __version__, resources
from ecokg.atomic import write_atomic
from ecokg.cache_entries import obtain
from ecokg.errors import UsageError
from ecokg.reason.engine import materialise
from ecokg.reason.explain import InconsistentData, report
from ecokg.reason.progress import reasoning_status

# Asserted triples (the bundled plan and --data) above which a command will not reason
# first. Measured on a loaded 2-core machine (copies of the bundled plan with renamed IRIs):
# 34,000 triples 72 s with HermiT (1 GB), 102 s with owlrl; 103,000 triples 743 s with
# HermiT (1.6 GB).
DEFAULT_REASON_LIMIT = 50_000
REASON_LIMIT_ENV = "ECOKG_REASON_LIMIT"
# Bump when the entry format changes, so that old entries are not read as damaged.
_ENTRY_FORMAT = "2"


def reason_limit(given: int | None = None) -> int:
    """The limit in force: ``given`` (--reason-limit), else $ECOKG_REASON_LIMIT, else the
    default; 0 means no limit."""
    if given is not None:
        source, value = "--reason-limit", str(given)
    elif os.environ.get(REASON_LIMIT_ENV):
        source, value = REASON_LIMIT_ENV, os.environ[REASON_LIMIT_ENV]
    else:
        return DEFAULT_REASON_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise UsageError(f"{source} {value!r}: give a number of triples (0: no limit)")
    return limit


def cached_inferred_file(data_files: Sequence[Path], *, limit: int | None = None) -> Path:
    """The inferred graph for ``data_files`` (plus the ontology), computed once and cached
    under the user's cache directory by a hash of every input file's content.

    ``limit`` (see :func:`reason_limit`) bounds the asserted triples reasoned over when the
    graph is not cached yet: above it, a UsageError says what to do.
    """
    inputs = [*resources.ontology_files(), *resources.rule_files(), *data_files]
    digest = hashlib.sha256(f"{__version__} entry {_ENTRY_FORMAT}".encode())
    for path in inputs:
        content = Path(path).read_bytes()
        # length and digest per file, so that no two different file sets hash alike
        digest.update(f"{len(content)}:".encode() + hashlib.sha256(content).digest())
    name = f"inferred-{digest.hexdigest()[:32]}.ttl"
    maximum = reason_limit(limit)

    def build() -> bytes:
        if maximum:
            _check_size(data_files, maximum)
        with reasoning_status("reasoning over the data") as progress:
            try:
                inference = materialise(list(data_files), progress=progress)
            except InconsistentData as error:
                report(error)
                raise
        return inference.turtle().encode("utf-8")

    entry = obtain(resources.cache_dir() / name, build, what="inferred graph")
    if entry.path is not None:
        return entry.path
    # no writable cache: keep the result for this run only
    target = Path(tempfile.mkdtemp(prefix="ecokg-")) / name
    write_atomic(target, entry.body)
    return target


def _check_size(data_files: Sequence[Path], maximum: int) -> None:
    from ecokg.rdf.parsing import parse_file

    count = sum(len(parse_file(path)) for path in data_files)
    if count > maximum:
        raise UsageError(
            f"{count:,} triples of data to reason over, above the limit of {maximum:,} "
            f"(minutes and gigabytes): pass --no-inferred to skip the inferred graph, or "
            f"--reason-limit N (or {REASON_LIMIT_ENV}=N; 0: no limit) to reason anyway"
        )
