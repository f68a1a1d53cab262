"""An audit on an oxigraph store alone, for shapes that are all SHACL-SPARQL constraints.

The cross-plan shapes (``shapes/cross-plan.ttl``) look at the union of every plan; copying a
province's two million triples into rdflib for pyshacl would take longer than the audit of
all its plans. When every constraint of the shapes runs in the fast engine
(:mod:`ecokg.audit.sparql`) and pyshacl would have no shape with a target left, the union
stays in oxigraph (bulk-loaded from the plans' files), and only what the findings show is
copied out of it: the labels and provenance of their focus and value nodes and the labels
and order of those nodes' sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from ecokg.audit import sparql, sparql_plan
from ecokg.audit.findings import SH, AuditReport, families_of, findings_from_report
from ecokg.rdf import formats
from ecokg.rdf.parsing import parse_file
from ecokg.rdf.terms import to_rdflib

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# What findings read from the data graph (ecokg.audit.findings: node_label, sources).
_SHOWN = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX eco: <https://w3id.org/ecokg/def#>
CONSTRUCT { ?node ?p ?o . ?section ?sp ?so } WHERE {
  {
    ?node ?p ?o
    FILTER(?p IN (rdfs:label, skos:prefLabel, prov:wasDerivedFrom, eco:statedIn, rdf:type))
  } UNION {
    ?node prov:wasDerivedFrom|eco:statedIn ?section .
    ?section ?sp ?so FILTER(?sp IN (rdfs:label, skos:prefLabel, eco:order))
  }
}
"""


def union_store(files: Sequence[Path]) -> ox.Store:
    """The files' triples in the default graph of a new in-memory store (bulk loader)."""
    store = ox.Store()
    for path in files:
        chosen = formats.RDF.from_path(path)
        if chosen.rdf is not None and chosen is not formats.RDF_XML:
            store.bulk_load(path=str(path), format=chosen.rdf, to_graph=ox.DefaultGraph())
        else:  # JSON-LD and RDF/XML go through ecokg's checked parser
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in parse_file(path)
            )
    return store


def sparql_only_audit(store: ox.Store, shapes: rdflib.Graph, lang: str) -> AuditReport | None:
    """The audit of ``store`` (default graph) against ``shapes`` without pyshacl; None when
    some constraint needs pyshacl (then audit an rdflib copy as usual)."""
    plan = sparql_plan.plan_constraints(shapes)
    results, left = sparql.evaluate(store, shapes, plan.constraints)
    if left:
        return None
    core = sparql_plan.without_constraints(shapes, plan.removed)
    if any(True for target in _TARGETS for _ in core.subject_objects(target)):
        return None
    report_graph = rdflib.Graph()
    report_node = rdflib.BNode()
    report_graph.add((report_node, RDF.type, SH.ValidationReport))
    sparql.add_results(report_graph, report_node, shapes, results)
    conforms = all(result.constraint.severity in (SH.Warning, SH.Info) for result in results)
    report_graph.add((report_node, SH.conforms, rdflib.Literal(conforms)))
    shown = _shown(store, results)
    families = families_of(shapes)
    findings = findings_from_report(report_graph, shown, shapes, lang, families)
    return AuditReport(conforms, findings, report_graph, families)


def _shown(store: ox.Store, results: list[sparql.SparqlResult]) -> rdflib.Graph:
    """The labels and provenance of the results' nodes (and their sections), from ``store``."""
    graph = rdflib.Graph()
    nodes = {
        node
        for result in results
        for node in (result.focus, result.value)
        if isinstance(node, rdflib.URIRef | rdflib.BNode)
    }
    cache: dict[object, rdflib.term.Node] = {}
    for node in nodes:
        term = ox.NamedNode(str(node)) if isinstance(node, rdflib.URIRef) else None
        if term is None:
            continue  # a blank node of the report cannot be looked up again
        triples = store.query(_SHOWN, substitutions={ox.Variable("node"): term})
        for triple in triples:  # type: ignore[union-attr]
            graph.add(
                (
                    to_rdflib(triple.subject, cache),
                    to_rdflib(triple.predicate, cache),
                    to_rdflib(triple.object, cache),
                )
            )
    return graph
