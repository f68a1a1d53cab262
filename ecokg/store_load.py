"""``ecokg store load``: build or extend a persistent store, one plan at a time.

The input is grouped into plans as the audit groups it (:func:`ecokg.kb.plans_in_input`).
Each plan has a content hash (its files, the ontology, the rules, ecokg's version): a plan
already in the store with the same hash is skipped; a new plan is added; a changed plan has
its graphs replaced. Each plan is loaded by :func:`ecokg.kb.load_dataset` (so the graph
layout, reasoning and its cache are exactly those of ``--data``) and its quads copied into
the store with the bulk loader; the ontology graph is written once.

A graph that several plans share (e.g. the monitoring graph, or the single plan graph of an
older layout) cannot lose one plan's quads alone: replacing a plan that shares a graph
reloads every plan in it, from the files the manifest records. See :mod:`ecokg.stores.ondisk`
for the manifest, the lock and what an interrupted load leaves.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ecokg import __version__, kb, resources
from ecokg.errors import InputError, UsageError
from ecokg.interrupts import worker_pool
from ecokg.progress import ProgressBar, steps
from ecokg.rdf.namespaces import GRAPH_ONTOLOGY
from ecokg.stores import ondisk
from ecokg.stores.local import Dataset
from ecokg.stores.ondisk import Manifest, PlanRecord, StoreWriter
from ecokg.stores.plans import list_plans

# The most quads written at once (one plan more): an interrupted load redoes the last batch.
_BATCH_QUADS = 200_000


@dataclass(frozen=True)
class PlanSource:
    """One plan to load: its key in the manifest, files and content hash."""

    key: str
    iri: str | None
    files: tuple[Path, ...]  # the bundled plan included when it is one of them
    digest: str

    @property
    def bundled(self) -> bool:
        return resources.plan_file() in self.files

    @property
    def data_files(self) -> list[Path]:
        return [path for path in self.files if path != resources.plan_file()]


@dataclass(frozen=True)
class LoadResult:
    loaded: list[str]  # keys of the plans (re)loaded, in order
    skipped: list[str]  # keys of the plans already in the store with the same hash
    manifest: Manifest


def _content_digest(label: str, files: Sequence[Path]) -> str:
    digest = hashlib.sha256(label.encode())
    for path in files:
        content = Path(path).read_bytes()
        digest.update(f"{len(content)}:".encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()


def ontology_digest() -> str:
    return _content_digest(f"ontology {__version__}", resources.ontology_files())


def plan_digest(files: Sequence[Path], *, inferred: bool) -> str:
    inputs = [*resources.ontology_files(), *resources.rule_files(), *files]
    return _content_digest(f"plan {__version__} inferred={inferred}", inputs)


def plan_sources(
    data: Sequence[Path | str], *, bundled: bool, inferred: bool = True, jobs: int | None = None
) -> list[PlanSource]:
    """The plans of the input, each with its key and content hash (the files read in up to
    ``jobs`` processes)."""
    if not data and not bundled:
        raise UsageError("nothing to load: give --data FILE (or leave out --no-bundled)")
    sources = []
    for plan in kb.plans_in_input(data, bundled=bundled, jobs=jobs):
        files = tuple(Path(path) for path in plan.files)
        key = plan.iri or "files:" + ",".join(str(path.resolve()) for path in files)
        sources.append(PlanSource(key, plan.iri, files, plan_digest(files, inferred=inferred)))
    return sources


def recorded_source(record: PlanRecord, *, inferred: bool) -> PlanSource:
    """A plan of the store to reload from the files its record names (they must exist)."""
    files = tuple(Path(entry["path"]) for entry in record.files)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise InputError(
            f"plan {record.code or record.key} must be reloaded (it shares a graph with a "
            f"plan being replaced) but {', '.join(missing)} is gone: give its files with "
            "--data, or remove it first (ecokg store remove DIR --plan CODE)"
        )
    return PlanSource(record.key, record.iri, files, plan_digest(files, inferred=inferred))


def load_store(
    directory: Path | str,
    data: Sequence[Path | str] = (),
    *,
    bundled: bool = True,
    inferred: bool = True,
    reason_limit: int | None = None,
    progress: ProgressBar | None = None,
    jobs: int | None = None,
) -> LoadResult:
    """Load the plans of the input into the store in ``directory`` (created if need be).

    Plans are parsed and reasoned over in up to ``jobs`` worker processes (default: one per
    CPU; 1: in this process) while this process writes the finished ones into the store, in
    the order given."""
    sources = plan_sources(data, bundled=bundled, inferred=inferred, jobs=jobs)
    with ondisk.writing(directory) as writer:
        manifest = writer.manifest
        pending = manifest.pending or {"plans": [], "graphs": []}
        unfinished = set(pending["plans"])
        ontology_stale = manifest.ontology.get("digest") != ontology_digest()
        todo = {
            source.key: source
            for source in sources
            if source.key in unfinished
            or ontology_stale
            or (record := manifest.plan(source.key)) is None
            or record.digest != source.digest
        }
        reload, cleared = _closure(manifest, set(todo) | unfinished, set(pending["graphs"]))
        if ontology_stale:  # every plan's inferences depend on it
            reload |= {plan.key for plan in manifest.plans}
            cleared |= {GRAPH_ONTOLOGY, *(g for plan in manifest.plans for g in plan.graphs)}
        for key in sorted(reload - set(todo)):
            record = manifest.plan(key)
            if record is not None:  # else an unfinished new plan: its graphs are cleared
                todo[key] = recorded_source(record, inferred=inferred)
        old_graphs = {key: set(r.graphs) for key in todo if (r := manifest.plan(key))}
        manifest.pending = {"plans": sorted(todo), "graphs": sorted(cleared)}
        writer.save()  # first say what is about to change
        writer.clear(cleared)
        first_brings_ontology = _needs_ontology(writer)
        tasks = [
            _Task(source, inferred, reason_limit, with_ontology=first_brings_ontology and i == 0)
            for i, source in enumerate(todo.values())
        ]
        with steps(progress, len(todo)) as advance:
            batch: list[tuple[str, _Prepared]] = []
            saved, save_cost = time.monotonic(), 0.0
            prepared_plans = zip(todo, _prepared(tasks, jobs), strict=True)
            for count, (key, prepared) in enumerate(prepared_plans, 1):
                advance(f"loaded {todo[key].iri or key}")
                batch.append((key, prepared))
                # Plans are written a batch at a time, one bulk load and one manifest each:
                # the manifest is rewritten whole (a megabyte for a province), so at most a
                # tenth of the time goes to it; a batch stays under _BATCH_QUADS quads.
                quads = sum(plan.record.triples for _, plan in batch)
                soon = time.monotonic() - saved < 10 * save_cost
                if count < len(todo) and soon and quads < _BATCH_QUADS:
                    continue
                _write_plans(writer, [plan for _, plan in batch])
                still = set(manifest.pending["plans"]) - {written for written, _ in batch}
                manifest.pending = {
                    "plans": sorted(still),
                    "graphs": sorted(
                        g for g in cleared if any(g in old_graphs.get(k, ()) for k in still)
                    ),
                }
                started = time.monotonic()
                writer.save()
                saved, batch = time.monotonic(), []
                save_cost = 2 * (saved - started)  # this write and the journal's
        manifest.pending = None
        writer.save()
    skipped = [source.key for source in sources if source.key not in todo]
    return LoadResult(list(todo), skipped, manifest)


def _closure(manifest: Manifest, keys: set[str], graphs: set[str]) -> tuple[set[str], set[str]]:
    """The plans to reload and graphs to clear: the graphs of ``keys`` (and ``graphs``), and
    every plan holding a quad in one of them, until nothing is added."""
    keys, graphs = set(keys), set(graphs)
    while True:
        for key in keys:
            record = manifest.plan(key)
            graphs |= set(record.graphs) if record else set()
        sharing = {plan.key for plan in manifest.plans if graphs & set(plan.graphs)} - keys
        if not sharing:
            return keys, graphs
        keys |= sharing


@dataclass(frozen=True)
class _Task:
    source: PlanSource
    inferred: bool
    reason_limit: int | None
    with_ontology: bool  # the store has no ontology graph yet: this plan brings it


@dataclass(frozen=True)
class _Prepared:
    """One plan ready to write, as a worker hands it back: N-Quads and the manifest's record."""

    nquads: bytes  # the plan's graphs (the ontology graph left out)
    record: PlanRecord
    ontology: tuple[bytes, dict[str, int], list] | None  # N-Quads, counts, loaded


def _prepared(tasks: Sequence[_Task], jobs: int | None) -> Iterator[_Prepared]:
    """The tasks' plans, prepared in worker processes when there are several, in order."""
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        yield from (_prepare(task) for task in tasks)
        return
    with worker_pool(workers) as pool:  # leaving it (an error, Ctrl-C) ends the workers
        # a worker's error is raised here, when its plan's turn comes
        yield from pool.imap(_prepare, tasks, chunksize=1)


def _prepare(task: _Task) -> _Prepared:
    """Parse and reason over one plan (:func:`ecokg.kb.load_dataset`, so the graph layout,
    reasoning and its cache are exactly those of ``--data``)."""
    source = task.source
    dataset = kb.load_dataset(
        source.data_files,
        bundled=source.bundled,
        inferred=task.inferred,
        reason_limit=task.reason_limit,
    )
    ontology = None
    if task.with_ontology:
        ontology = (
            _nquads(dataset, only=GRAPH_ONTOLOGY),
            ondisk.quads_by_graph(dataset, only=GRAPH_ONTOLOGY),
            _loaded(dataset, only=GRAPH_ONTOLOGY),
        )
    counts = ondisk.quads_by_graph(dataset, skip=GRAPH_ONTOLOGY)
    record = _record(source, dataset, counts)
    return _Prepared(_nquads(dataset, skip=GRAPH_ONTOLOGY), record, ontology)


def _write_plans(writer: StoreWriter, batch: Sequence[_Prepared]) -> None:
    """Write prepared plans into the store, their graphs journaled first (pending)."""
    manifest = writer.manifest
    for prepared in batch:
        if prepared.ontology is not None:
            nquads, counts, loaded = prepared.ontology
            writer.load(nquads)
            manifest.ontology = {"digest": ontology_digest(), "graphs": counts, "loaded": loaded}
    assert manifest.pending is not None
    journal = set(manifest.pending["graphs"])
    wanted = journal.union(*(prepared.record.graphs for prepared in batch))
    if wanted != journal:  # say where the quads go before they go
        manifest.pending["graphs"] = sorted(wanted)
        writer.save()
    writer.load(b"".join(prepared.nquads for prepared in batch))  # one bulk load per batch
    for prepared in batch:
        manifest.put(prepared.record)


def _needs_ontology(writer: StoreWriter) -> bool:
    return "digest" not in writer.manifest.ontology or not _has_graph(writer, GRAPH_ONTOLOGY)


def _has_graph(writer: StoreWriter, graph: str) -> bool:
    import pyoxigraph as ox

    node = ox.NamedNode(graph)
    return next(iter(writer.store.quads_for_pattern(None, None, None, node)), None) is not None


def _nquads(dataset: Dataset, *, only: str | None = None, skip: str | None = None) -> bytes:
    quads = (
        quad
        for quad in dataset.store
        if (only is None or getattr(quad.graph_name, "value", None) == only)
        and (skip is None or getattr(quad.graph_name, "value", None) != skip)
    )
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _loaded(dataset: Dataset, *, only: str | None = None, skip: str | None = None) -> list:
    return [
        {"path": str(f.path.resolve()), "graph": f.graph, "triples": f.triples}
        for f in dataset.files
        if (only is None or f.graph == only) and (skip is None or f.graph != skip)
    ]


def _record(source: PlanSource, dataset: Dataset, counts: dict[str, int]) -> PlanRecord:
    plans = list_plans(dataset)
    info = next((p for p in plans if p.iri == source.iri), plans[0] if plans else None)
    return PlanRecord(
        key=source.key,
        code=info.code if info else None,
        iri=source.iri,
        label_zh=info.label_zh if info else None,
        label_en=info.label_en if info else None,
        digest=source.digest,
        files=[
            {"path": str(path.resolve()), "sha256": ondisk.file_sha256(path)}
            for path in source.files
        ],
        graphs=counts,
        loaded=_loaded(dataset, skip=GRAPH_ONTOLOGY),
        loaded_at=ondisk.now(),
        bundled=source.bundled,
    )


def remove_plan(directory: Path | str, plan: str) -> PlanRecord:
    """Remove the plan named ``plan`` (code, IRI or key) and its graphs from the store; the
    plans sharing a graph with it are reloaded from their recorded files."""
    directory = Path(directory)
    manifest = ondisk.read_manifest(directory)
    matches = [p for p in manifest.plans if plan in (p.code, p.iri, p.key)]
    if not matches:
        known = ", ".join(p.code or p.key for p in manifest.plans) or "none"
        raise UsageError(f"--plan {plan!r}: no such plan in {directory} (plans: {known})")
    removed = matches[0]
    with ondisk.writing(directory) as writer:
        manifest = writer.manifest
        others, cleared = _closure(manifest, {removed.key}, set())
        others.discard(removed.key)
        sources = [recorded_source(manifest.plan(k), inferred=True) for k in sorted(others)]  # type: ignore[arg-type]
        manifest.pending = {"plans": sorted(others | {removed.key}), "graphs": sorted(cleared)}
        writer.save()
        writer.clear(cleared)
        manifest.drop(removed.key)
        tasks = [_Task(source, True, None, False) for source in sources]
        _write_plans(writer, list(_prepared(tasks, None)))
        manifest.pending = None
        writer.save()
    return removed


def stated_snapshot(dataset: ondisk.StoredDataset, folder: Path) -> list[Path]:
    """What each plan of a store states (its graphs but the inferred ones), one N-Triples
    file per plan in ``folder``: the audit's input until it reads plan graphs from a store
    itself. Plans sharing a graph (an older layout) each get all of it."""
    import pyoxigraph as ox

    from ecokg.rdf.namespaces import is_inferred_graph

    files = []
    for index, plan in enumerate(dataset.manifest.plans):
        path = folder / f"plan-{index}.nt"
        triples = {
            quad.triple
            for graph in sorted(plan.graphs)
            if not is_inferred_graph(graph)
            for quad in dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)
        files.append(path)
    return files
