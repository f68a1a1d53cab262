"""The bundled dataset for `ecokg ask`, opened from an on-disk copy instead of parsed.

Parsing the ontology, the plan and the inferred graph takes 150–250 ms, more than the rest
of a question. Without ``--data`` (the dataset is then exactly the bundled files), ask
keeps a persistent store (:mod:`ecokg.store_load`, the one ``ecokg store load`` builds) of
those files under the cache directory, keyed by their content, and opens it read-only in
some 20 ms. The copy is built once, in a temporary directory renamed into place (a run that
loses the race uses the winner's copy); older copies (another version of the files) are
removed, the newest few kept. Anything that goes wrong falls back to loading the files as
every other verb does. Other verbs never use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.errors import EcokgError
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    GRAPH_ONTOLOGY,
    inferred_graph,
    is_inferred_graph,
    plan_graph,
)
from ecokg.stores import ondisk
from ecokg.stores.local import Dataset

STORE_VERSION = "3"  # 2: the plan in …/graph/plan/{code}; 3: written by stores.ondisk
# Copies kept under the cache directory (others are removed when a new one is built).
KEEP_COPIES = 3
_PREFIX = "ask-store-"


def bundled_files(*, inferred: bool) -> list[tuple[Path, str]] | None:
    """The files (and graphs) ``load_dataset`` loads for the bundled plan without
    ``--data`` (as ``ecokg.kb`` decides: the shipped inferred graph), or None when the
    plan file is missing (then ``kb`` says why)."""
    plan = resources.plan_file()
    if not plan.is_file():
        return None
    files = [(path, GRAPH_ONTOLOGY) for path in resources.ontology_files()]
    files.append((plan, plan_graph(BUNDLED_CODE)))  # the bundled plan's code, as kb finds it
    shipped = resources.inferred_file()
    if inferred and shipped.is_file():
        files.append((shipped, inferred_graph(BUNDLED_CODE)))
    return files


def open_bundled_copy(*, inferred: bool, timeout: float | None) -> Dataset | None:
    """The bundled dataset (without ``--data``) from its cached copy, or None when there
    is no copy to be had (the caller then loads the files as other verbs do)."""
    files = bundled_files(inferred=inferred)
    if files is None:
        return None
    try:
        dataset = open_copy(files)
    except (OSError, RuntimeError, ValueError, EcokgError):
        return None
    # Without --timeout the queries run in-process (a guarded query forks, some 10 ms):
    # ask runs only the library's named queries and generated ones of at most a few links
    # on this copy of the bundled plan, none of which can run away; pyoxigraph has no
    # in-process time limit to use instead.
    dataset.timeout = timeout
    return dataset


def open_copy(files: list[tuple[Path, str]]) -> Dataset:
    digest = hashlib.sha256(f"ecokg-ask-store {STORE_VERSION} {ox.__version__}\n".encode())
    for path, graph in files:
        digest.update(f"{graph}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    directory = resources.cache_dir() / f"{_PREFIX}{digest.hexdigest()[:32]}"
    if not (directory / ondisk.MANIFEST).is_file():
        inferred = any(is_inferred_graph(graph) for _, graph in files)
        _write_copy(directory, inferred=inferred)
        prune_copies(directory.parent, keep=directory)
    return ondisk.open_stored(directory)


def _write_copy(directory: Path, *, inferred: bool) -> None:
    from ecokg.store_load import load_store

    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = directory.with_name(f".{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        load_store(scratch, (), bundled=True, inferred=inferred)
        with contextlib.suppress(OSError):  # another run renamed its copy first: use that
            scratch.rename(directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prune_copies(cache: Path, *, keep: Path) -> list[Path]:
    """Remove all but the newest :data:`KEEP_COPIES` copies (never ``keep``); the removed."""
    try:
        copies = [p for p in cache.iterdir() if p.name.startswith(_PREFIX) and p != keep]
        copies.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    except OSError:
        return []
    removed = copies[KEEP_COPIES - 1 :]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
