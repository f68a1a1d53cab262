"""Run the SHACL shapes over a plan graph and turn the validation report into findings.

The audit runs on the ASSERTED graph: the ontology and the plan (or the user's data), never
the inferred graph, so a finding is about what the plan states. Files are parsed by
pyoxigraph (about 2.5 times faster than rdflib's Turtle parser here, with the same error
messages as the rest of ecokg) and copied into ONE rdflib graph.

Two engines share the work:

- pyshacl validates SHACL Core on that graph in place (``inference="none"``), with a shapes
  graph from which the SPARQL-based constraints are removed;
- :mod:`ecokg.audit.sparql` runs those SPARQL-based constraints (sh:sparql / sh:select) with
  pyoxigraph, 30-180 times faster than rdflib's SPARQL engine, over an oxigraph store holding
  the same graph (:mod:`ecokg.audit.oxstore`), and adds their results to pyshacl's report.

The ontology is merged into the data graph rather than passed as ``ont_graph`` because pyshacl
would then clone the data graph into a plain rdflib graph. A SPARQL constraint the fast engine
cannot run as SHACL prescribes stays with pyshacl, which parses its query once
(:class:`_PreparedQueryGraph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from ecokg import resources
from ecokg.audit import sparql, sparql_plan
from ecokg.audit.findings import (
    LANGS,
    SEVERITIES,
    SH,
    SHP,
    AuditReport,
    Family,
    Finding,
    compact_node,
    families_of,
    findings_from_report,
    node_label,
    sources,
)
from ecokg.audit.oxstore import store_from_graph, store_from_quads
from ecokg.errors import EcokgError, InputError
from ecokg.patches import (
    copy_of_memory_graph,
    prepare_with_this_bound,
    pyshacl_without_discarded_results,
    pyshacl_without_result_texts,
)
from ecokg.rdf.parsing import add_to_rdflib, file_stamp, parse_files, rdflib_graph

__all__ = [
    "LANGS",
    "SEVERITIES",
    "SH",
    "SHP",
    "AuditReport",
    "Family",
    "Finding",
    "compact_node",
    "families_of",
    "load_plan",
    "load_shapes",
    "node_label",
    "run_audit",
    "sources",
]


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once (for the constraints pyshacl runs).

    pyshacl runs a SHACL-SPARQL constraint once per focus node with the same text and a
    different ``$this`` binding; rdflib would parse the text every time (about 100 ms each).
    """

    _prepared: ClassVar[dict[str, Any]] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                try:
                    prepared = prepare_with_this_bound(query_object)
                except Exception as error:  # pyparsing and rdflib raise many types
                    message = " ".join(str(error).split())
                    raise InputError(f"shapes: bad sh:select query: {message}") from None
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


# --- loading --------------------------------------------------------------------------------


def load_plan(
    paths: Iterable[Path | str], *, store: bool = True
) -> tuple[rdflib.Graph, ox.Store | None]:
    """Parse RDF files once into an rdflib graph and (unless ``store`` is False) an oxigraph
    store for the SPARQL constraints, filled from the parsed terms (lexical forms kept). When
    the files start with the ontology's, the graph starts as a copy of the ontology's graph,
    built once per process."""
    paths = [Path(path) for path in paths]
    ontology = resources.ontology_files()
    graph = None
    if paths[: len(ontology)] == ontology:  # most audits: the ontology, then a plan
        graph = copy_of_memory_graph(_ontology_graph(tuple(map(file_stamp, ontology))))
    if graph is None:
        graph = _PreparedQueryGraph()
        add_to_rdflib(graph, parse_files(paths))
    else:
        add_to_rdflib(graph, parse_files(paths[len(ontology) :]))
    return graph, store_from_quads(parse_files(paths)) if store else None


@lru_cache(maxsize=1)
def _ontology_graph(stamps: tuple[tuple[str, int, int, int], ...]) -> _PreparedQueryGraph:
    """The ontology's graph, kept to be copied (one per version of its files)."""
    graph = _PreparedQueryGraph()
    add_to_rdflib(graph, parse_files(Path(stamp[0]) for stamp in stamps))
    return graph


def load_shapes(extra: Sequence[Path] = (), *, bundled: bool = True) -> rdflib.Graph:
    """The bundled shapes (shapes/*.ttl) and the user's shapes files, as one graph."""
    files = (resources.shape_files() if bundled else []) + [Path(path) for path in extra]
    # A query that does not parse is reported when it first runs (InputError, exit 2): parsing
    # it here as well would double the cost of rdflib's slow SPARQL parser.
    try:
        stamps = tuple(map(file_stamp, files))
    except OSError:
        return rdflib_graph(files)  # which says what is wrong with the file
    return copy_of_memory_graph(_shapes_graph(stamps)) or rdflib_graph(files)


@lru_cache(maxsize=4)
def _shapes_graph(stamps: tuple[tuple[str, int, int, int], ...]) -> rdflib.Graph:
    """The shapes files' graph, kept to be copied (every plan's audit reads the same)."""
    return rdflib_graph(Path(stamp[0]) for stamp in stamps)


# --- running --------------------------------------------------------------------------------


def run_audit(
    data: rdflib.Graph, shapes: rdflib.Graph, lang: str = "zh", store: ox.Store | None = None
) -> AuditReport:
    """Validate ``data`` (ontology + plan, asserted) against ``shapes``; sections in ``lang``.

    SHACL Core by pyshacl, SHACL-SPARQL constraints by pyoxigraph (see the module notes) on
    ``store``, which must hold the same triples as ``data`` (:func:`load_plan`); without it,
    one is built from ``data``.
    """
    plan = sparql_plan.plan_constraints(shapes)
    results: list[sparql.SparqlResult] = []
    if plan.constraints:
        results, left = sparql.evaluate(
            store if store is not None else store_from_graph(data), shapes, plan.constraints
        )
        kept = {(constraint.shape, constraint.node) for constraint in left}
        removed = [link for link in plan.removed if link not in kept]
    else:
        removed = plan.removed
    core_shapes = sparql_plan.without_constraints(shapes, removed) if removed else shapes
    report_graph, conforms = _validate_core(data, core_shapes)
    if results:
        report_node = report_graph.value(None, RDF.type, SH.ValidationReport, any=True)
        if report_node is None:
            raise InputError("shapes: pyshacl gave no sh:ValidationReport")
        sparql.add_results(report_graph, report_node, shapes, results)
        if any(result.constraint.severity not in (SH.Warning, SH.Info) for result in results):
            conforms = False
            report_graph.set((report_node, SH.conforms, rdflib.Literal(False)))
    families = families_of(shapes)
    findings = findings_from_report(report_graph, data, shapes, lang, families)
    return AuditReport(conforms, findings, report_graph, families)


def _validate_core(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[rdflib.Graph, bool]:
    import pyshacl

    try:
        with pyshacl_without_result_texts(), pyshacl_without_discarded_results():
            conforms, report_graph, _ = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference="none",
                advanced=False,
                allow_warnings=True,
            )
    except EcokgError:
        raise
    except Exception as error:  # pyshacl reports malformed shapes with its own exceptions
        raise InputError(f"shapes: {' '.join(str(error).split())}") from None
    return report_graph, bool(conforms)
