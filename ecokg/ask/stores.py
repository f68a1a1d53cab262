"""The bundled dataset for `ecokg ask`, opened from an on-disk copy instead of parsed.

Parsing the ontology, the plan and the inferred graph takes 150–250 ms, more than the rest
of a question. Without ``--data`` (the dataset is then exactly the bundled files), ask
keeps a read-only Oxigraph store of those files under the cache directory, keyed by their
content, and opens it in some 20 ms. The copy is written once, to a temporary directory
renamed into place (a run that loses the race uses the winner's copy); anything that goes
wrong falls back to loading the files as every other verb does. Other verbs never use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.rdf.namespaces import BUNDLED_CODE, GRAPH_ONTOLOGY, inferred_graph, plan_graph
from ecokg.stores.local import Dataset, LoadedFile

STORE_VERSION = "2"  # 2: the plan in …/graph/plan/{code}
_COUNTS = "ecokg-files.json"


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
    except (OSError, RuntimeError, ValueError):
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
    directory = resources.cache_dir() / f"ask-store-{digest.hexdigest()[:32]}"
    if not (directory / _COUNTS).is_file():
        _write_copy(directory, files)
    counts = json.loads((directory / _COUNTS).read_text("utf-8"))
    dataset = Dataset()
    dataset.store = ox.Store.read_only(str(directory))
    dataset.files = [
        LoadedFile(path, graph, int(count))
        for (path, graph), count in zip(files, counts, strict=True)
    ]
    return dataset


def _write_copy(directory: Path, files: list[tuple[Path, str]]) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = directory.with_name(f".{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        loaded = Dataset()
        counts = [loaded.load_file(path, graph).triples for path, graph in files]
        store = ox.Store(str(scratch))
        store.bulk_extend(loaded.store)
        store.flush()
        store.optimize()
        del store
        (scratch / _COUNTS).write_text(json.dumps(counts), "utf-8")
        with contextlib.suppress(OSError):  # another run renamed its copy first: use that
            scratch.rename(directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
