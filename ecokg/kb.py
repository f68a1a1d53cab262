"""The one place that decides what the dataset is: which files go into which named graph,
where the inferred graphs come from, and which store a command queries.

- the ontology (``ontology/*.ttl`` and its vocabularies) → ``…/graph/ontology``;
- each plan (the bundled ``data/plan.ttl`` unless left out, and the user's ``--data`` files,
  grouped by :func:`plans_in_input`) → its own ``…/graph/plan/{code}``, {code} being its
  county's administrative division code (:func:`plan_code`); a plan without a code, or input
  declaring no plan at all, → the bare ``…/graph/plan`` of release 0.1;
- each plan's inferences → ``…/graph/inferred/{code}``: the shipped ``data/inferred.ttl`` for
  the bundled plan alone, else reasoned over the ontology and that plan's files only (never
  the union of the plans) once and cached by content hash (:mod:`ecokg.reason`);
- monitoring data (a ``--data`` file that declares an ``eco:MonitoringReport``, as
  ``ecokg monitor import`` writes) → ``…/graph/monitoring``: what happened since the plan, never
  mixed into what the plan states, and not reasoned over.

The user's files are checked as they are taken in (:func:`data_problems`), once per
command: a file using no ``eco:`` class or property (a mistyped namespace) or ``eco:`` terms
the ontology does not define would otherwise give empty answers and a clean audit. Each
problem is one ``ecokg: warning:`` line on stderr; the exit code does not change.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.interrupts import worker_pool
from ecokg.rdf.iris import code_of
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    ECO,
    ECO_NS,
    GRAPH_INFERRED,
    GRAPH_MONITORING,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    RDF,
    compact,
    inferred_graph,
    is_plan_graph,
    plan_graph,
)
from ecokg.rdf.parsing import parse_file
from ecokg.stores.base import DEFAULT_TIMEOUT, Store
from ecokg.stores.local import Dataset
from ecokg.stores.remote import Auth, RemoteStore


def load_dataset(
    data_files: Sequence[Path | str] = (),
    *,
    bundled: bool = True,
    inferred: bool = True,
    reason_limit: int | None = None,
) -> Dataset:
    """Load the ontology, the bundled plan (unless ``bundled`` is False) and the user's
    ``data_files``, each plan into its own graph, and each plan's inferred graph (unless
    ``inferred`` is False); ``reason_limit`` bounds the triples reasoned over for a plan not
    reasoned over yet (see :mod:`ecokg.reason`)."""
    dataset = Dataset()
    for path in resources.ontology_files():
        dataset.load_file(path, GRAPH_ONTOLOGY)
    stated: list[tuple[Path, Sequence[ox.Quad]]] = []
    if bundled:
        plan = bundled_plan()
        stated.append((plan, parse_file(plan)))
    monitoring: list[tuple[Path, Sequence[ox.Quad]]] = []
    for data_file in data_files:
        quads = parse_file(data_file)
        warn(data_problems(data_file, quads))
        (monitoring if declares_monitoring(quads) else stated).append((Path(data_file), quads))
    parsed = dict(stated)
    facts = [_facts(path, quads) for path, quads in stated]
    graphs = plan_graphs(_group_plans(facts, "loaded")) if stated else {}
    for code, files in graphs.items():
        for path in files:
            dataset.load_file(path, plan_graph(code), parsed[path])
    for path, report in monitoring:
        dataset.load_file(path, GRAPH_MONITORING, report)
    if inferred:
        for code, files in graphs.items():
            inferences = plan_inferred_file(files, reason_limit=reason_limit)
            if inferences is not None:
                dataset.load_file(inferences, inferred_graph(code))
    return dataset


def plan_graphs(plans: Iterable[PlanInput]) -> dict[str | None, list[Path]]:
    """The files of each plan graph, by county code (None: the bare …/graph/plan); plans
    with the same code (two plan IRIs of one county) share their graph."""
    graphs: dict[str | None, list[Path]] = {}
    for plan in plans:
        files = graphs.setdefault(plan.code, [])
        files.extend(path for path in plan.files if path not in files)
    return graphs


def is_monitoring_file(path: Path | str) -> bool:
    """True for a file of monitoring data: it declares an ``eco:MonitoringReport``."""
    try:
        if b"MonitoringReport" not in Path(path).read_bytes():
            return False  # the common case, without parsing the file
    except OSError:
        return False  # loading it reports the missing or unreadable file
    return declares_monitoring(parse_file(path))


def declares_monitoring(quads: Iterable[ox.Quad]) -> bool:
    """True when the quads declare an ``eco:MonitoringReport`` (monitoring data)."""
    report = ox.NamedNode(ECO.MonitoringReport)
    return any(quad.predicate == _RDF_TYPE and quad.object == report for quad in quads)


def bundled_plan() -> Path:
    """``data/plan.ttl``, or an InputError saying how to do without it."""
    plan = resources.plan_file()
    if not plan.is_file():
        raise InputError(
            f"{plan}: bundled plan not found (use --no-bundled --data FILE to load your own)"
        )
    return plan


def user_data_files(dataset: Dataset) -> list[Path]:
    """The user's ``--data`` files in a loaded dataset: the plan graphs' files but the
    bundled plan (each once, though a file of links may be in several plans' graphs)."""
    plan = resources.plan_file()
    files = [f.path for f in dataset.files if is_plan_graph(f.graph) and f.path != plan]
    return list(dict.fromkeys(files))


def stated_files(data_files: Sequence[Path | str] = (), *, bundled: bool = True) -> list[Path]:
    """What the plan states: the bundled plan unless left out, then the user's files but
    monitoring data (checked: :func:`check_data`)."""
    check_data(data_files)
    plans = [path for path in data_files if not is_monitoring_file(path)]
    return _stated_files(plans, bundled)


def _stated_files(data_files: Sequence[Path | str], bundled: bool) -> list[Path]:
    return ([bundled_plan()] if bundled else []) + [Path(path) for path in data_files]


# Classes and properties of the ontology; a class name starts with a capital letter.
_ECO_CLASSES = frozenset(term for term in ECO.terms() if term[len(ECO_NS) :][:1].isupper())
_RDF_TYPE = ox.NamedNode(RDF + "type")
_MAX_LISTED = 5


def data_problems(path: Path | str, quads: Iterable[ox.Quad]) -> list[str]:
    """What would make a user's file silently mean nothing: no node typed with any
    ``eco:`` class and no ``eco:`` property either (a file of links between the plan's
    nodes has no types of its own), and ``eco:`` terms the ontology does not define."""
    in_vocabulary = False
    unknown: set[str] = set()
    for quad in quads:
        used = [quad.predicate.value]
        if quad.predicate == _RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            used.append(quad.object.value)
            in_vocabulary = in_vocabulary or quad.object.value in _ECO_CLASSES
        else:
            in_vocabulary = in_vocabulary or quad.predicate.value in ECO
        unknown.update(
            term for term in used if term.startswith(ECO_NS) and term != ECO_NS and term not in ECO
        )
    problems = []
    if not in_vocabulary:
        problems.append(
            f"{path}: no node of any eco: class and no eco: property — is the namespace right? "
            f"({ECO_NS})"
        )
    if unknown:
        names = [compact(term) for term in sorted(unknown)]
        shown = ", ".join(names[:_MAX_LISTED]) + (", …" if len(names) > _MAX_LISTED else "")
        count = f"{len(names)} term{'s' if len(names) != 1 else ''}"
        problems.append(f"{path}: {count} not in the ontology: {shown}")
    return problems


def check_data(data_files: Sequence[Path | str]) -> None:
    """Warn (stderr) about each problem of the user's files (:func:`data_problems`)."""
    for data_file in data_files:
        warn(data_problems(data_file, parse_file(data_file)))


def warn(problems: Iterable[str]) -> None:
    for problem in problems:
        print(f"ecokg: warning: {problem}", file=sys.stderr)


def asserted_files(data_files: Sequence[Path | str] = (), *, bundled: bool = True) -> list[Path]:
    """The audit's input: the ontology, what the plan states and any monitoring data (its
    progress rules are shapes too); never inferences (checked: :func:`check_data`)."""
    check_data(data_files)
    return [*resources.ontology_files(), *_stated_files(data_files, bundled)]


def plan_inferred_file(
    plan_files: Sequence[Path | str], *, reason_limit: int | None = None
) -> Path | None:
    """The inferred graph of one plan (``plan_files``, without the ontology): the shipped one
    when the plan is exactly the bundled plan, else one reasoned once and cached."""
    if [Path(path) for path in plan_files] == [resources.plan_file()]:
        shipped = resources.inferred_file()
        return shipped if shipped.is_file() else None
    from ecokg.reason import cached_inferred_file

    return cached_inferred_file([Path(path) for path in plan_files], limit=reason_limit)


def open_store(
    *,
    endpoint: str | None = None,
    timeout: float | None = None,
    data: Sequence[Path | str] = (),
    bundled: bool = True,
    inferred: bool = True,
    auth: Auth | None = None,
    allow_service: bool = False,
    reason_limit: int | None = None,
    store: Path | str | None = None,
) -> Store:
    """The store the common CLI options name: a remote endpoint, a persistent store
    (``store``: a directory ``ecokg store load`` built, opened read-only, nothing parsed;
    :mod:`ecokg.stores.ondisk`), else the embedded dataset.

    With ``endpoint``, ``data`` and ``bundled=False`` make no sense (the server holds what
    was pushed) and are a UsageError; ``inferred=False`` leaves the inferred graph out of
    the default graph, as it does locally. ``timeout`` (seconds, default 30) bounds every
    query, on the endpoint or locally (each local query then runs in a child process that
    can be stopped); ``auth`` gives credentials. ``allow_service`` lets a query's SERVICE
    clauses run (refused by default: they fetch from other servers).
    """
    if store is not None:
        from ecokg.stores.ondisk import check_store_options, open_stored

        check_store_options(store, data=data, bundled=bundled, endpoint=endpoint)
        stored = open_stored(store)
        stored.allow_service = allow_service
        stored.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        return stored
    if endpoint is None:
        dataset = load_dataset(data, bundled=bundled, inferred=inferred, reason_limit=reason_limit)
        dataset.allow_service = allow_service
        dataset.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        return dataset
    if data or not bundled:
        raise UsageError(
            "--data and --no-bundled apply to the embedded graph, not to --endpoint "
            "(push your data with: ecokg push --data FILE --endpoint URL)"
        )
    # the bare graphs of a store pushed by release 0.1, and every plan's graphs found there
    graphs = (GRAPH_ONTOLOGY, GRAPH_PLAN, *((GRAPH_INFERRED,) if inferred else ()))
    seconds = DEFAULT_TIMEOUT if timeout is None else timeout
    return RemoteStore(
        endpoint,
        timeout=seconds,
        auth=auth,
        graphs=graphs,
        allow_service=allow_service,
        find_plan_graphs=True,
    )


# --- plans in the input -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    """One plan of the input: its ``eco:Plan`` IRIs (empty when no file declares one), the
    files that state it (without the ontology) and its county code (:func:`plan_code`)."""

    plans: tuple[str, ...]
    files: tuple[Path, ...]
    code: str | None = None

    @property
    def iri(self) -> str | None:
        """The plan's IRI (the first, when one file declares several plans)."""
        return self.plans[0] if self.plans else None


def plans_in_input(
    data_files: Sequence[Path | str] = (), *, bundled: bool = True, jobs: int | None = None
) -> list[PlanInput]:
    """Group the audit's input into plans (in the order first given).

    A file that declares an ``eco:Plan`` is (part of) that plan; files declaring the same plan
    are one plan; the bundled plan is one plan. A file declaring none (links, a fixture,
    monitoring data) goes with every plan whose instances (subjects) it mentions, else with the
    only plan, else with every plan, and a one-line warning says so. With no plan declared at
    all, every file is one input, as before. The files are read in up to ``jobs`` processes
    (default: one per CPU from 16 files on)."""
    files = _stated_files(data_files, bundled)
    tasks = [(path, index > 0 or not bundled) for index, path in enumerate(files)]
    many = len(files) >= _READ_IN_PARALLEL_FROM
    workers = min(jobs or ((os.cpu_count() or 1) if many else 1), len(files))
    if workers > 1:
        with worker_pool(workers) as pool:
            read = pool.map(_read_facts, tasks, chunksize=max(1, len(tasks) // (4 * workers)))
    else:
        read = [_read_facts(task) for task in tasks]
    for _, problems in read:
        warn(problems)
    return _group_plans([facts for facts, _ in read], "audited")


# From this many input files on, they are read in parallel (a fork costs more for a few).
_READ_IN_PARALLEL_FROM = 16


def _read_facts(task: tuple[Path, bool]) -> tuple[_FileFacts, list[str]]:
    """A file's facts, and its data problems when ``checked`` (not the bundled plan)."""
    path, checked = task
    quads = parse_file(path)  # not kept: a province's files are never all in memory at once
    return _facts(path, quads), data_problems(path, quads) if checked else []


@dataclass(frozen=True)
class _FileFacts:
    """What grouping the input into plans reads of a file, instead of its quads."""

    path: Path
    declared: tuple[str, ...]  # the eco:Plan IRIs it types, sorted
    subjects: frozenset[ox.NamedNode]  # what it states things of (a file declaring a plan)
    mentioned: frozenset[ox.NamedNode]  # every IRI it names (a file declaring none)
    spatial: tuple[tuple[object, object], ...]  # (plan, county) of its dcterms:spatial
    codes: tuple[tuple[object, str], ...]  # (county, code) of its eco:divisionCode literals


def _facts(path: Path, quads: Sequence[ox.Quad]) -> _FileFacts:
    plan_type = ox.NamedNode(ECO.Plan)
    declared = sorted(
        {
            q.subject.value
            for q in quads
            if q.predicate == _RDF_TYPE
            and q.object == plan_type
            and isinstance(q.subject, ox.NamedNode)
        }
    )
    subjects: frozenset[ox.NamedNode] = frozenset()
    mentioned: frozenset[ox.NamedNode] = frozenset()
    if declared:
        subjects = frozenset(q.subject for q in quads if isinstance(q.subject, ox.NamedNode))
    else:
        mentioned = frozenset(
            term for q in quads for term in (q.subject, q.object) if isinstance(term, ox.NamedNode)
        )
    spatial = tuple((q.subject, q.object) for q in quads if q.predicate == _DCTERMS_SPATIAL)
    codes = tuple(
        (q.subject, q.object.value)
        for q in quads
        if q.predicate == _DIVISION_CODE and isinstance(q.object, ox.Literal)
    )
    return _FileFacts(path, tuple(declared), subjects, mentioned, spatial, codes)


def _group_plans(facts: Sequence[_FileFacts], use: str) -> list[PlanInput]:
    """:func:`plans_in_input` of files already read (:func:`_facts`); ``use`` says in the
    warning what is done with a file that mentions no plan's instances ("audited",
    "loaded")."""
    files = [fact.path for fact in facts]
    groups: list[tuple[list[str], list[_FileFacts], set[ox.NamedNode]]] = []
    loose: list[_FileFacts] = []
    for fact in facts:
        if not fact.declared:
            loose.append(fact)
            continue
        joined = [group for group in groups if set(group[0]) & set(fact.declared)]
        if not joined:
            groups.append((list(fact.declared), [fact], set(fact.subjects)))
            continue
        first = joined[0]  # a file declaring plans of several groups joins them
        for other in joined[1:]:
            first[0].extend(other[0])
            first[1].extend(other[1])
            first[2].update(other[2])
            groups.remove(other)
        first[0].extend(iri for iri in fact.declared if iri not in first[0])
        first[1].append(fact)
        first[2].update(fact.subjects)
    if not groups:
        return [PlanInput((), tuple(files))]
    for fact in loose:
        owners = [group for group in groups if group[2] & fact.mentioned]
        if not owners:
            owners = groups
            if len(groups) > 1:
                warn(
                    [f"{fact.path}: mentions no instance of any input plan; {use} with every plan"]
                )
        for group in owners:
            group[1].append(fact)
    order = {path: index for index, path in enumerate(files)}
    plans = []
    for iris, members, _ in groups:
        ordered = sorted(members, key=lambda fact: order[fact.path])
        code = plan_code(iris, ordered)
        plans.append(PlanInput(tuple(iris), tuple(fact.path for fact in ordered), code))
    return plans


_DCTERMS_SPATIAL = ox.NamedNode("http://purl.org/dc/terms/spatial")
_DIVISION_CODE = ox.NamedNode(ECO.divisionCode)


def plan_code(plans: Sequence[str], facts: Sequence[_FileFacts]) -> str | None:
    """The county code of the plan declared as ``plans`` in its files (``facts``): the
    ``eco:divisionCode`` of its county (``dcterms:spatial``), else the code its IRI is
    minted under, else the bundled plan's for ``data/plan.ttl``, else None."""
    subjects = {ox.NamedNode(iri) for iri in plans}
    counties = {county for fact in facts for plan, county in fact.spatial if plan in subjects}
    codes = sorted(code for fact in facts for county, code in fact.codes if county in counties)
    if codes:
        return codes[0]
    for iri in plans:
        code = code_of(iri)
        if code:
            return code
    if any(fact.path == resources.plan_file() for fact in facts):
        return BUNDLED_CODE
    return None
