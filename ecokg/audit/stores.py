"""The audit of the plans a store holds: one plan's statements fetched at a time.

Each plan (:func:`ecokg.stores.plans.list_plans`) is fetched from its own named graph with
one CONSTRUCT (on an endpoint, the only download: never the whole store in one response),
written to a file of sorted N-Triples (so that an unchanged plan hits the audit cache), and
audited with the ontology exactly as a plan given in files is (:mod:`ecokg.audit.plans`: a
process pool, then the cross-plan shapes over the plans' files, kept in oxigraph). The
monitoring graph goes with the plans whose instances its statements mention. A store pushed
by release 0.1 (one plan, in the bare …/graph/plan) audits as that one plan.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ecokg.audit.findings import AuditReport
from ecokg.errors import InputError
from ecokg.kb import PlanInput
from ecokg.progress import ProgressBar
from ecokg.rdf.namespaces import GRAPH_MONITORING, GRAPH_PLAN
from ecokg.stores.base import Store, construct
from ecokg.stores.local import Dataset
from ecokg.stores.plans import list_plans

_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }"


def audit_store(
    store: Store,
    *,
    shapes: Sequence[Path] = (),
    lang: str = "zh",
    jobs: int | None = None,
    progress: ProgressBar | None = None,
) -> AuditReport:
    """Audit every plan in ``store`` (embedded or remote) on its own, then across plans
    (``progress``: as for :func:`ecokg.audit.plans.audit_plans`)."""
    from ecokg.audit.plans import audit_one, audit_plans

    store = _every_graph(store)
    plans = list_plans(store)
    graphs: list[tuple[str | None, str]] = [(plan.iri, plan.stated_graph) for plan in plans]
    graphs = graphs or [(None, GRAPH_PLAN)]
    alone = len(graphs) == 1
    with tempfile.TemporaryDirectory(prefix="ecokg-audit-") as folder:
        monitoring = _statements(store, GRAPH_MONITORING)
        # one plan read at a time, as the audit asks for it: the first plans are audited
        # while the next ones are read
        inputs = (
            PlanInput(
                (iri,) if iri else (),
                (_write_plan(store, graph, monitoring, alone, Path(folder) / f"{index:05d}.nt"),),
            )
            for index, (iri, graph) in enumerate(graphs)
        )
        if alone:
            return audit_one(next(inputs).files, shapes, lang)
        report = audit_plans(
            inputs, shapes=shapes, lang=lang, jobs=jobs, count=len(graphs), progress=progress
        )
    for part, (_, graph) in zip(report.parts, graphs, strict=False):
        part.files = [graph]  # the plan's named graph, not the temporary file it was read from
    if report.parts and report.parts[-1].plan is None:
        report.parts[-1].files = [graph for _, graph in graphs]
    return report


def _write_plan(
    store: Store, graph: str, monitoring: list[ox.Triple], alone: bool, path: Path
) -> Path:
    """The statements of the plan ``graph``, with the monitoring statements about them, in
    ``path`` as sorted N-Triples, blank nodes labelled stably: an unchanged plan hits the
    audit cache."""
    lines = None if monitoring else _dumped(store, graph)
    if lines is None:
        triples = _statements(store, graph)
        if triples:
            triples += _mentioning(monitoring, triples, alone=alone)
        lines = _ntriples(_stable_blank_nodes(triples))
    if not lines:
        raise InputError(f"{graph}: the store holds no statements in this plan graph")
    path.write_bytes(b"\n".join(sorted(set(lines))) + b"\n")
    return path


def _dumped(store: Store, graph: str) -> list[bytes] | None:
    """A local store's ``graph`` as N-Triples lines, written by oxigraph itself: only the few
    lines with a blank node become Python terms, to be labelled (None from an endpoint)."""
    if not isinstance(store, Dataset):
        return None
    text = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    lines = (text or b"").splitlines()
    # every triple a blank node is in has its label: its lines are all it is labelled by
    blank = [line for line in lines if b"_:" in line]
    if not blank:
        return lines
    triples = list(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_TRIPLES))
    return [line for line in lines if b"_:" not in line] + _ntriples(_stable_blank_nodes(triples))


def _ntriples(triples: list[ox.Triple]) -> list[bytes]:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines()


def _statements(store: Store, graph: str) -> list[ox.Triple]:
    """The triples of ``graph``: read from a local store directly (a query would run in a
    child process and travel back serialised: 0.2 s a plan), else with one CONSTRUCT."""
    if isinstance(store, Dataset):
        quads = store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        return [quad.triple for quad in quads]
    return construct(store, _GRAPH % graph)


def _every_graph(store: Store) -> Store:
    """An endpoint's store with every named graph visible (GRAPH <…/plan/{code}>), rather
    than only the graphs its default graph is made of."""
    from ecokg.stores.remote import RemoteStore

    if isinstance(store, RemoteStore) and store.graphs:
        store = copy.copy(store)
        store.graphs = ()
    return store


def _mentioning(
    monitoring: list[ox.Triple], plan: list[ox.Triple], *, alone: bool
) -> list[ox.Triple]:
    """The monitoring statements about the plan: those of every subject whose statements
    mention one of the plan's subjects (all of them when the store holds one plan)."""
    if alone or not monitoring:
        return list(monitoring)
    subjects = {triple.subject for triple in plan}
    about = {t.subject for t in monitoring if t.object in subjects or t.subject in subjects}
    return [triple for triple in monitoring if triple.subject in about]


def _stable_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with each blank node labelled by a hash of the triples around it (what
    points to it, what it states); blank nodes alike in both keep apart by a counter."""
    around: dict[ox.BlankNode, list[str]] = {}
    for triple in triples:
        subject, predicate, value = triple.subject, triple.predicate, triple.object
        if isinstance(subject, ox.BlankNode):
            shown = "_" if isinstance(value, ox.BlankNode) else str(value)
            around.setdefault(subject, []).append(f"> {predicate} {shown}")
        if isinstance(value, ox.BlankNode):
            shown = "_" if isinstance(subject, ox.BlankNode) else str(subject)
            around.setdefault(value, []).append(f"< {shown} {predicate}")
    labels: dict[ox.BlankNode, ox.BlankNode] = {}
    seen: dict[str, int] = {}
    for node, lines in sorted(around.items(), key=lambda item: sorted(item[1])):
        digest = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:24]
        seen[digest] = seen.get(digest, 0) + 1
        labels[node] = ox.BlankNode(f"b{digest}n{seen[digest]}")

    def label(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return labels.get(term, term) if isinstance(term, ox.BlankNode) else term

    return [
        ox.Triple(label(t.subject), t.predicate, label(t.object))  # type: ignore[arg-type]
        if t.subject in labels or t.object in labels
        else t  # most triples have no blank node: kept as they are
        for t in triples
    ]
