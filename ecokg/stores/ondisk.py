"""The persistent store: an on-disk pyoxigraph store of plans, with a manifest saying what
it holds (docs/many-plans.md, "A persistent store").

A store directory holds:

- ``oxigraph/``: the pyoxigraph (RocksDB) store, every graph the plans were loaded into;
- ``ecokg-store.json``: the manifest (:class:`Manifest`): per plan its code, IRI, label,
  input files with their sha256, graphs, triple counts and content hash, and
  ``dataset_version`` (a hash over all plans' hashes: the key for caches of answers);
- ``ecokg-store.lock``: locked (``fcntl.flock``) while a load writes, so two loads cannot
  interleave and no command opens a store half-written.

The manifest is written atomically and last: a load records what it is about to change
(``pending``) before touching the store, and the plan as loaded only once its quads are in.
An interrupted load therefore leaves a store that opens (its finished plans intact) and tells
the next load which graphs to clear and which plans to redo. Readers open the store
read-only (:func:`open_stored`) and parse nothing. This module knows no plan layout: which
quads go into which graph is decided by :mod:`ecokg.kb`, whose datasets the loader copies.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ecokg import __version__
from ecokg.atomic import write_atomic
from ecokg.errors import InputError, UsageError
from ecokg.stores.local import Dataset, LoadedFile

MANIFEST = "ecokg-store.json"
LOCK = "ecokg-store.lock"
OXIGRAPH = "oxigraph"
FORMAT_VERSION = 1
STORE_ENV = "ECOKG_STORE"


@dataclass
class PlanRecord:
    """One plan in the store, as loaded."""

    key: str  # the plan IRI, or (a plan declaring none) its files
    code: str | None
    iri: str | None
    label_zh: str | None
    label_en: str | None
    digest: str  # content hash of its files, the ontology, the rules and ecokg's version
    files: list[dict[str, str]]  # {"path", "sha256"}: the input files of the plan
    graphs: dict[str, int]  # graph IRI → triples the plan wrote there
    loaded: list[dict[str, Any]]  # {"path", "graph", "triples"}: what load_dataset loaded
    loaded_at: str
    bundled: bool = False  # one of its files is the bundled plan

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "triples": self.triples}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanRecord:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**fields)


@dataclass
class Manifest:
    """What a store holds (``ecokg-store.json``)."""

    plans: list[PlanRecord] = field(default_factory=list)
    ontology: dict[str, Any] = field(default_factory=dict)  # digest, graphs, loaded
    # A load in progress: the plans it is (re)loading and every graph it may have touched.
    pending: dict[str, list[str]] | None = None
    ecokg_version: str = __version__

    def plan(self, key: str) -> PlanRecord | None:
        return next((plan for plan in self.plans if plan.key == key), None)

    def put(self, record: PlanRecord) -> None:
        self.plans = [plan for plan in self.plans if plan.key != record.key] + [record]

    def drop(self, key: str) -> None:
        self.plans = [plan for plan in self.plans if plan.key != key]

    @property
    def graphs(self) -> dict[str, int]:
        """Every graph of the store and its triples (a graph several plans share: summed)."""
        totals: dict[str, int] = dict(self.ontology.get("graphs", {}))
        for plan in self.plans:
            for graph, triples in plan.graphs.items():
                totals[graph] = totals.get(graph, 0) + triples
        return totals

    @property
    def dataset_version(self) -> str:
        """A hash over the ontology's and every plan's content hash (order-free)."""
        digest = hashlib.sha256(f"ecokg-store {FORMAT_VERSION}\n".encode())
        digest.update(f"ontology {self.ontology.get('digest', '')}\n".encode())
        for key, plan_digest in sorted((plan.key, plan.digest) for plan in self.plans):
            digest.update(f"{key} {plan_digest}\n".encode())
        return digest.hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "ecokg_version": self.ecokg_version,
            "dataset_version": self.dataset_version,
            "ontology": self.ontology,
            "plans": [plan.to_json() for plan in self.plans],
            "pending": self.pending,
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or not isinstance(data.get("plans"), list):
            raise ValueError("not a manifest of an ecokg store")
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {data.get('format')!r}; this ecokg reads {FORMAT_VERSION}")
        return cls(
            plans=[PlanRecord.from_json(plan) for plan in data["plans"]],
            ontology=dict(data.get("ontology") or {}),
            pending=data.get("pending"),
            ecokg_version=str(data.get("ecokg_version", "")),
        )


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- reading ---------------------------------------------------------------------------------


def read_manifest(directory: Path) -> Manifest:
    """The manifest of the store in ``directory``, or a one-line InputError saying why
    there is none (no such directory, not an ecokg store, a damaged manifest)."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no store there (build one with: ecokg store load DIR)")
    path = directory / MANIFEST
    if not path.is_file():
        raise InputError(f"{directory}: not an ecokg store (no {MANIFEST})")
    try:
        return Manifest.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        raise InputError(f"{path}: not a readable ecokg store manifest ({error})") from None


class StoredDataset(Dataset):
    """A :class:`Dataset` opened read-only from a store directory: nothing is parsed; its
    ``files`` stay empty (the files it was loaded from may have changed or gone), and
    :meth:`loaded_files` lists them as the manifest records them."""

    def __init__(self, directory: Path, manifest: Manifest, store: ox.Store) -> None:
        super().__init__()
        self.store = store
        self.directory = directory
        self.manifest = manifest

    def graphs(self) -> tuple[str, ...]:
        """The named graphs the manifest records: the ontology's, then each plan's."""
        return tuple(self.manifest.graphs)

    def loaded_files(self) -> list[LoadedFile]:
        entries = [*self.manifest.ontology.get("loaded", [])]
        for plan in self.manifest.plans:
            entries.extend(plan.loaded)
        return [LoadedFile(Path(e["path"]), e["graph"], int(e["triples"])) for e in entries]


def open_stored(directory: Path | str) -> StoredDataset:
    """The store in ``directory``, opened read-only. A missing, foreign or damaged store, or
    one being loaded right now, is a one-line InputError."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    with _locked(directory, exclusive=False, wait=False):
        try:
            store = ox.Store.read_only(str(directory / OXIGRAPH))
        except (OSError, RuntimeError, ValueError) as error:
            detail = " ".join(str(error).split())[:200]
            raise InputError(f"{directory}: cannot open the store ({detail})") from None
    if manifest.pending:
        plans = ", ".join(manifest.pending.get("plans", [])) or "none"
        print(
            f"ecokg: warning: {directory}: a load was interrupted (unfinished: {plans}); "
            f"run ecokg store load {directory} again",
            file=sys.stderr,
        )
    return StoredDataset(directory, manifest, store)


def check_store_options(
    store: Path | str | None, *, data: Iterable[object], bundled: bool, endpoint: str | None
) -> None:
    """``--store`` names the whole dataset: ``--data``, ``--no-bundled`` and ``--endpoint``
    cannot be added to it."""
    if store is None:
        return
    clashing = [
        name
        for name, given in (("--data", bool(list(data))), ("--no-bundled", not bundled))
        if given
    ]
    clashing += ["--endpoint"] if endpoint is not None else []
    if clashing:
        raise UsageError(
            f"--store cannot be combined with {', '.join(clashing)} "
            "(load your files into the store with: ecokg store load DIR --data FILE)"
        )


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(directory: Path, *, exclusive: bool, wait: bool) -> Iterator[None]:
    """Hold the store's lock: exclusive to write, shared to open (released on exit)."""
    path = directory / LOCK
    try:
        handle = (
            os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            if exclusive
            else os.open(path, os.O_RDONLY)
        )
    except FileNotFoundError:
        yield  # a store without a lock file was never loaded by a newer ecokg: nothing runs
        return
    except OSError as error:
        raise InputError(f"{path}: cannot open the lock file ({error.strerror})") from None
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(handle, mode | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            what = "is being loaded by another ecokg" if not exclusive else "is in use"
            raise InputError(
                f"{directory}: the store {what} (lock {LOCK}); try again when it is done"
            ) from None
        yield
    finally:
        os.close(handle)


class StoreWriter:
    """The store opened for writing (:func:`writing`): clear graphs, add quads with the
    bulk loader, and save the manifest."""

    def __init__(self, directory: Path, manifest: Manifest, store: ox.Store) -> None:
        self.directory = directory
        self.manifest = manifest
        self.store = store
        self.changed = False

    def clear(self, graphs: Iterable[str]) -> None:
        for graph in sorted(set(graphs)):
            self.changed = True
            self.store.remove_graph(ox.NamedNode(graph))

    def load(self, nquads: bytes) -> None:
        """Add N-Quads with the bulk loader."""
        self.changed = True
        self.store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        self.store.flush()

    def save(self) -> None:
        """Write the manifest atomically (after the store's own files are on disk)."""
        self.store.flush()
        text = json.dumps(self.manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
        write_atomic(self.directory / MANIFEST, text)


@contextlib.contextmanager
def writing(directory: Path | str) -> Iterator[StoreWriter]:
    """The store in ``directory`` (created if need be) opened for writing, under its lock.
    A directory that holds something else than an ecokg store is refused."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    if directory.is_dir() and not (directory / MANIFEST).is_file():
        foreign = [p.name for p in directory.iterdir() if p.name not in (LOCK, OXIGRAPH)]
        if foreign:
            raise InputError(
                f"{directory}: not empty and not an ecokg store (no {MANIFEST}); "
                "give a new or empty directory"
            )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{directory}: cannot create ({error.strerror})") from None
    manifest = read_manifest(directory) if (directory / MANIFEST).is_file() else Manifest()
    with _locked(directory, exclusive=True, wait=False):
        try:
            store = ox.Store(str(directory / OXIGRAPH))
        except (OSError, RuntimeError, ValueError) as error:
            detail = " ".join(str(error).split())[:200]
            raise InputError(f"{directory}: cannot open the store ({detail})") from None
        writer = StoreWriter(directory, manifest, store)
        try:
            yield writer
            store.flush()
            if writer.changed:
                store.optimize()
        finally:
            del writer.store, store  # closes the RocksDB files before the lock is released


def quads_by_graph(
    dataset: Dataset, *, only: str | None = None, skip: str | None = None
) -> dict[str, int]:
    """Triples per named graph of ``dataset``: only the graph ``only``, or all but ``skip``."""
    counts: dict[str, int] = {}
    for graph in dataset.store.named_graphs():
        name = graph.value if isinstance(graph, ox.NamedNode) else None
        if name is None or (only is not None and name != only) or name == skip:
            continue
        counts[name] = sum(1 for _ in dataset.store.quads_for_pattern(None, None, None, graph))
    return counts
