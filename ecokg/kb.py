"""The one place that decides what the dataset is: which files go into which named graph,
where the inferred graph comes from, and which store a command queries.

- the ontology (``ontology/*.ttl`` and its vocabularies) → ``…/graph/ontology``;
- the bundled plan (``data/plan.ttl``), unless left out, and the user's ``--data`` files →
  ``…/graph/plan``;
- the inferred graph → ``…/graph/inferred``: the shipped ``data/inferred.ttl`` for the bundled
  plan alone, else one reasoned over once and cached by content hash (:mod:`ecokg.reason`);
- monitoring data (a ``--data`` file that declares an ``eco:MonitoringReport``, as
  ``ecokg monitor import`` writes) → ``…/graph/monitoring``: what happened since the plan, never
  mixed into what the plan states, and not reasoned over.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.rdf.namespaces import (
    ECO,
    GRAPH_INFERRED,
    GRAPH_MONITORING,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    RDF,
)
from ecokg.rdf.parsing import parse_file
from ecokg.stores.base import DEFAULT_TIMEOUT, Store
from ecokg.stores.local import Dataset
from ecokg.stores.remote import Auth, RemoteStore


def load_dataset(
    data_files: Sequence[Path | str] = (), *, bundled: bool = True, inferred: bool = True
) -> Dataset:
    """Load the ontology, the bundled plan (unless ``bundled`` is False), the inferred graph
    (unless ``inferred`` is False or it was never built) and the user's ``data_files``."""
    dataset = Dataset()
    for path in resources.ontology_files():
        dataset.load_file(path, GRAPH_ONTOLOGY)
    if bundled:
        dataset.load_file(bundled_plan(), GRAPH_PLAN)
    plan_files = []
    for data_file in data_files:
        if is_monitoring_file(data_file):
            dataset.load_file(data_file, GRAPH_MONITORING)
        else:
            dataset.load_file(data_file, GRAPH_PLAN)
            plan_files.append(data_file)
    if inferred:
        inferred_graph = inferred_file(plan_files, bundled)
        if inferred_graph is not None:
            dataset.load_file(inferred_graph, GRAPH_INFERRED)
    return dataset


def is_monitoring_file(path: Path | str) -> bool:
    """True for a file of monitoring data: it declares an ``eco:MonitoringReport``."""
    if Path(path).suffix.lower() not in (".ttl", ".trig", ".nt", ".nq", ".jsonld"):
        return False  # RDF/XML and the rest: user plans, checked by their own parse later
    try:
        if b"MonitoringReport" not in Path(path).read_bytes():
            return False  # the common case, without parsing the file twice
    except OSError:
        return False  # load_file reports the missing or unreadable file
    kind, report = RDF + "type", ECO.MonitoringReport
    return any(
        quad.predicate.value == kind
        and isinstance(quad.object, ox.NamedNode)
        and quad.object.value == report
        for quad in parse_file(path)
    )


def bundled_plan() -> Path:
    """``data/plan.ttl``, or an InputError saying how to do without it."""
    plan = resources.plan_file()
    if not plan.is_file():
        raise InputError(
            f"{plan}: bundled plan not found (use --no-bundled --data FILE to load your own)"
        )
    return plan


def stated_files(data_files: Sequence[Path | str] = (), *, bundled: bool = True) -> list[Path]:
    """What the plan states: the bundled plan unless left out, then the user's files."""
    return ([bundled_plan()] if bundled else []) + [Path(path) for path in data_files]


def asserted_files(data_files: Sequence[Path | str] = (), *, bundled: bool = True) -> list[Path]:
    """The ontology and what the plan states (the audit's input: no inferences)."""
    return [*resources.ontology_files(), *stated_files(data_files, bundled=bundled)]


def inferred_file(data_files: Sequence[Path | str], bundled: bool) -> Path | None:
    """The bundled inferred graph, or (for a user's own data) one reasoned once and cached."""
    if bundled and not data_files:
        shipped = resources.inferred_file()
        return shipped if shipped.is_file() else None
    from ecokg.reason import cached_inferred_file

    return cached_inferred_file(stated_files(data_files, bundled=bundled))


def open_store(
    *,
    endpoint: str | None = None,
    timeout: float | None = None,
    data: Sequence[Path | str] = (),
    bundled: bool = True,
    inferred: bool = True,
    auth: Auth | None = None,
) -> Store:
    """The store the common CLI options name: a remote endpoint, else the embedded dataset.

    With ``endpoint``, ``data`` and ``bundled=False`` make no sense (the server holds what
    was pushed) and are a UsageError; ``inferred=False`` leaves the inferred graph out of
    the default graph, as it does locally. ``timeout`` (seconds, default 30) bounds every
    request to the endpoint; ``auth`` gives credentials.
    """
    if endpoint is None:
        return load_dataset(data, bundled=bundled, inferred=inferred)
    if data or not bundled:
        raise UsageError(
            "--data and --no-bundled apply to the embedded graph, not to --endpoint "
            "(push your data with: ecokg push --data FILE --endpoint URL)"
        )
    graphs = (GRAPH_ONTOLOGY, GRAPH_PLAN, *((GRAPH_INFERRED,) if inferred else ()))
    seconds = DEFAULT_TIMEOUT if timeout is None else timeout
    return RemoteStore(endpoint, timeout=seconds, auth=auth, graphs=graphs)
