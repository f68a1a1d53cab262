"""SHACL-SPARQL constraints (sh:sparql / sh:select) evaluated by pyoxigraph.

rdflib parses a SHACL-SPARQL query slowly and evaluates it slowly once per focus node; the
audit therefore leaves SHACL Core to pyshacl and runs the SPARQL-based constraints here, on an
oxigraph store holding the same graph (:mod:`ecokg.audit.oxstore`), with results built as
pyshacl builds them (https://www.w3.org/TR/shacl/#sparql-constraints-validation):

- focus nodes from sh:targetNode, sh:targetClass (and implicit class targets) with the
  rdfs:subClassOf* closure in the data graph, sh:targetSubjectsOf and sh:targetObjectsOf;
- ``$this`` pre-bound per focus node (oxigraph substitution), ``$PATH`` replaced by the
  property shape's path, ``$currentShape`` by the shape's IRI, ``$shapesGraph`` by a named
  graph holding the shapes; sh:prefixes / sh:declare as query prefixes; sh:deactivated;
- one result per distinct solution: sh:focusNode ?this, sh:resultPath ?path or the shape's
  sh:path, sh:value ?value (else the focus node of a node shape), the shape's severity, and
  each sh:message with {?var} / {$var} replaced by the solution's values (language kept).

Constraints this module cannot run as the SHACL engine would (on shapes nested in other
shapes, a query that does not project ``$this``, a path it cannot write in SPARQL) are left
in the shapes graph given to pyshacl, which runs them itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS

from ecokg.audit.sparql_batch import batchable, screenable
from ecokg.audit.sparql_plan import SH, SHAPES_GRAPH, SparqlConstraint
from ecokg.errors import InputError
from ecokg.rdf.terms import OxTerm, to_oxigraph, to_rdflib

_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_RESERVED = ("this", "path", "value")


@dataclass(frozen=True)
class SparqlResult:
    """One validation result of a SPARQL constraint (rdflib terms)."""

    constraint: SparqlConstraint
    focus: rdflib.term.Node
    path: rdflib.term.Node | None
    value: rdflib.term.Node | None
    messages: tuple[rdflib.Literal, ...]


def evaluate(
    store: ox.Store,
    shapes: rdflib.Graph,
    constraints: list[SparqlConstraint],
    *,
    batch: bool = True,
) -> tuple[list[SparqlResult], list[SparqlConstraint]]:
    """Run the constraints over ``store``: the results, and the constraints left to pyshacl
    (a query that does not project ``$this`` cannot be pre-bound by oxigraph). With ``batch``,
    a query that allows it runs once for all focus nodes, and one that concatenates runs once to
    find the focus nodes worth a run of their own (:mod:`ecokg.audit.sparql_batch`)."""
    if any(constraint.uses_shapes_graph for constraint in constraints):
        graph = ox.NamedNode(SHAPES_GRAPH)
        cache: dict[rdflib.term.Node, OxTerm] = {}
        store.extend(
            ox.Quad(to_oxigraph(s, cache), to_oxigraph(p, cache), to_oxigraph(o, cache), graph)  # type: ignore[arg-type]
            for s, p, o in shapes
        )
    results: list[SparqlResult] = []
    left: list[SparqlConstraint] = []
    focus_cache: dict[Targets, list[OxTerm]] = {}  # many shapes target the same class
    terms: dict[Any, rdflib.term.Node] = {}
    for constraint in constraints:
        targets = targets_of(shapes, constraint.shape)
        if targets not in focus_cache:
            focus_cache[targets] = focus_nodes(store, targets)
        focus_list = focus_cache[targets]
        try:
            once = batch and constraint.binds_this and len(focus_list) > 1
            if once and batchable(constraint.query):
                results.extend(_run_once(store, constraint, focus_list, terms))
                continue
            if once and screenable(constraint.query):
                focus_list = _with_solutions(store, constraint, focus_list)
            for focus in focus_list:
                results.extend(_run(store, constraint, focus, terms))
        except _NotProjected:
            left.append(constraint)
    return results, left


Targets = tuple[tuple[str, rdflib.term.Node], ...]


def targets_of(shapes: rdflib.Graph, shape: rdflib.term.Node) -> Targets:
    """A shape's targets: (kind, node) for its sh:targetNode, sh:targetClass (and itself as
    an implicit class target), sh:targetSubjectsOf and sh:targetObjectsOf; shapes with the
    same targets have the same focus nodes."""
    classes = list(shapes.objects(shape, SH.targetClass))
    if _is_class(shapes, shape):
        classes.append(shape)
    return (
        *(("node", node) for node in shapes.objects(shape, SH.targetNode)),
        *(("class", node) for node in classes),
        *(("subjects", node) for node in shapes.objects(shape, SH.targetSubjectsOf)),
        *(("objects", node) for node in shapes.objects(shape, SH.targetObjectsOf)),
    )


_TARGET_QUERIES = {
    "class": "SELECT DISTINCT ?t ?f WHERE { ?f a/rdfs:subClassOf* ?t }",
    "subjects": "SELECT DISTINCT ?t ?f WHERE { ?f ?t ?o }",
    "objects": "SELECT DISTINCT ?t ?f WHERE { ?s ?t ?f }",
}


def focus_nodes(store: ox.Store, targets: Targets) -> list[OxTerm]:
    """The focus nodes of a shape's targets (:func:`targets_of`) in the data graph (the
    default graph)."""
    cache: dict[rdflib.term.Node, OxTerm] = {}
    found: dict[OxTerm, None] = {}
    for kind, target in targets:
        if kind == "node":
            found[to_oxigraph(target, cache)] = None
            continue
        if isinstance(target, rdflib.Literal):
            continue
        solutions = store.query(
            _TARGET_QUERIES[kind],
            prefixes={"rdfs": str(RDFS)},
            substitutions={ox.Variable("t"): to_oxigraph(target, cache)},
        )
        assert isinstance(solutions, ox.QuerySolutions)
        for solution in solutions:
            found[solution["f"]] = None
    return list(found)


class _NotProjected(Exception):
    pass


def _run(
    store: ox.Store, constraint: SparqlConstraint, focus: OxTerm, terms: dict[Any, rdflib.term.Node]
) -> Iterator[SparqlResult]:
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
    if constraint.binds_this:
        substitutions[ox.Variable("this")] = focus
    solutions = _query(store, constraint, substitutions or None)
    names = [variable.value for variable in solutions.variables]
    return _results(constraint, focus, solutions, names, terms)


def _run_once(
    store: ox.Store,
    constraint: SparqlConstraint,
    focus_list: list[OxTerm],
    terms: dict[Any, rdflib.term.Node],
) -> Iterator[SparqlResult]:
    """The results of a batchable query run once with ``$this`` free, per focus node."""
    solutions = _query(store, constraint, None)
    names = [variable.value for variable in solutions.variables]
    by_focus: dict[Any, list[ox.QuerySolution]] = {focus: [] for focus in focus_list}
    for solution in solutions:
        found = by_focus.get(solution["this"])
        if found is not None:
            found.append(solution)
    for focus, focus_solutions in by_focus.items():
        yield from _results(constraint, focus, focus_solutions, names, terms)


def _with_solutions(
    store: ox.Store, constraint: SparqlConstraint, focus_list: list[OxTerm]
) -> list[OxTerm]:
    """The focus nodes of ``focus_list`` that a screenable query, run once with ``$this`` free,
    has solutions for (in ``focus_list`` order): only they can have results."""
    found = {solution["this"] for solution in _query(store, constraint, None)}
    return [focus for focus in focus_list if focus in found]


def _query(
    store: ox.Store, constraint: SparqlConstraint, substitutions: dict[ox.Variable, Any] | None
) -> ox.QuerySolutions:
    try:
        solutions = store.query(
            constraint.query, prefixes=constraint.prefixes, substitutions=substitutions
        )
    except SyntaxError as error:
        raise InputError(f"shapes: bad sh:select query: {' '.join(str(error).split())}") from None
    except RuntimeError as error:
        if "projection" in str(error):
            raise _NotProjected from None
        raise InputError(f"shapes: sh:select query failed: {error}") from None
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _results(
    constraint: SparqlConstraint,
    focus: OxTerm,
    solutions: Iterable[ox.QuerySolution],
    names: list[str],
    terms: dict[Any, rdflib.term.Node],
) -> Iterator[SparqlResult]:
    focus_node = to_rdflib(focus, terms)
    default_value = None if constraint.path is not None else focus_node
    seen: set[tuple[Any, ...]] = set()
    for solution in solutions:
        bound = {
            name: to_rdflib(solution[name], terms) for name in names if solution[name] is not None
        }
        if "failure" in bound:
            bound = {"value": default_value} if default_value is not None else {}
            key: tuple[Any, ...] = ("failure",)
        else:
            if not any(name in bound for name in _RESERVED):
                continue  # pyshacl ignores a solution that binds none of them
            key = tuple(sorted((name, str(value)) for name, value in bound.items()))
        if key in seen:
            continue
        seen.add(key)
        bound.setdefault("this", focus_node)
        if default_value is not None:
            bound.setdefault("value", default_value)
        yield SparqlResult(
            constraint=constraint,
            focus=bound["this"],
            path=bound.get("path", constraint.path),
            value=bound.get("value"),
            messages=tuple(_format(message, bound) for message in constraint.messages),
        )


def _format(message: rdflib.Literal, bound: dict[str, rdflib.term.Node]) -> rdflib.Literal:
    def replace(match: re.Match[str]) -> str:
        value = bound.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return rdflib.Literal(_TEMPLATE.sub(replace, str(message)), lang=message.language)


def _is_class(shapes: rdflib.Graph, shape: rdflib.term.Node) -> bool:
    """pyshacl's implicit class target: a shape typed rdfs:Class (or a declared subclass)."""
    classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    return any(kind in classes for kind in shapes.objects(shape, RDF.type))


def add_results(
    report: rdflib.Graph,
    report_node: rdflib.term.Node,
    shapes: rdflib.Graph,
    results: list[SparqlResult],
) -> None:
    """Add the results to pyshacl's sh:ValidationReport, cloning blank nodes of the shapes
    graph (shape, constraint, path) into the report as pyshacl does."""
    for result in results:
        node = rdflib.BNode()
        constraint = result.constraint
        report.add((report_node, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.resultSeverity, constraint.severity))
        report.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        report.add((node, SH.sourceShape, _clone(shapes, constraint.shape, report)))
        report.add((node, SH.sourceConstraint, _clone(shapes, constraint.node, report)))
        if result.path is not None:
            report.add((node, SH.resultPath, _clone(shapes, result.path, report)))
        if result.value is not None:
            report.add((node, SH.value, result.value))
        for message in result.messages:
            report.add((node, SH.resultMessage, message))


def _clone(
    shapes: rdflib.Graph, node: rdflib.term.Node, target: rdflib.Graph, depth: int = 0
) -> rdflib.term.Node:
    if not isinstance(node, rdflib.BNode) or depth > 32:
        return node
    copy = rdflib.BNode()
    for predicate, value in shapes.predicate_objects(node):
        target.add((copy, predicate, _clone(shapes, value, target, depth + 1)))
    return copy
