"""The SHACL-SPARQL constraints of a shapes graph, read for the fast engine.

Which sh:sparql constraints :mod:`ecokg.audit.sparql` runs, with their query text ready for
oxigraph (``$PATH``, ``$currentShape``, ``$shapesGraph`` written in), prefixes, messages and
severity; and the shapes graph left for pyshacl. Constraints of shapes nested in other shapes
(sh:node, sh:property, sh:or, ...) or whose ``$PATH`` or ``$currentShape`` cannot be written
in the query stay with pyshacl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib.namespace import RDF

from ecokg.errors import InputError

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
OWL_ONTOLOGY = rdflib.URIRef("http://www.w3.org/2002/07/owl#Ontology")
SHAPES_GRAPH = "urn:ecokg:audit:shapes-graph"

# pyshacl's patterns for the pre-bound variables.
_THIS = re.compile(r"([\s{}()])[\$\?]this", re.M)
_PATH = re.compile(r"([\s{}()])[\$\?]PATH", re.M)
_CURRENT_SHAPE = re.compile(r"([\s{}()])[\$\?]currentShape", re.M)
_SHAPES_GRAPH = re.compile(r"([\s{}()])[\$\?]shapesGraph", re.M)
_NESTING = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_NESTING_LISTS = (SH["or"], SH["and"], SH.xone)
_PATH_OPERATORS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}
# SHACL predicates of a shape that constrain nothing by themselves.
_NOT_CONSTRAINTS = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.path,
}


@dataclass(frozen=True)
class SparqlConstraint:
    """One sh:sparql constraint of a shape, ready to run."""

    shape: rdflib.term.Node
    node: rdflib.term.Node
    query: str
    prefixes: dict[str, str]
    messages: tuple[rdflib.Literal, ...]
    severity: rdflib.term.Node
    path: rdflib.term.Node | None
    binds_this: bool
    uses_shapes_graph: bool


@dataclass
class Plan:
    """The constraints to run here, and the (shape, sh:sparql, node) links pyshacl must not."""

    constraints: list[SparqlConstraint] = field(default_factory=list)
    removed: list[tuple[rdflib.term.Node, rdflib.term.Node]] = field(default_factory=list)


def plan_constraints(shapes: rdflib.Graph) -> Plan:
    """Which SPARQL constraints of ``shapes`` the fast engine runs (and deactivated ones)."""
    nested = _nested_shapes(shapes)
    plan = Plan()
    for shape, node in sorted(shapes.subject_objects(SH.sparql), key=str):
        if shape in nested:
            continue
        if _deactivated(shapes, shape) or _deactivated(shapes, node):
            plan.removed.append((shape, node))
            continue
        constraint = _constraint(shapes, shape, node)
        if constraint is not None:
            plan.constraints.append(constraint)
            plan.removed.append((shape, node))
    return plan


def without_constraints(shapes: rdflib.Graph, removed: Iterable[tuple[Any, Any]]) -> rdflib.Graph:
    """A copy of ``shapes`` without the given sh:sparql links (what pyshacl still runs).

    A shape left with no constraint at all is left out, so that pyshacl does not compute its
    focus nodes for nothing; it is kept if any of its predicates could be a constraint
    parameter (SHACL's or a declared sh:parameter's path).
    """
    dropped = {(shape, SH.sparql, node) for shape, node in removed}
    parameters = {
        path for p in shapes.objects(None, SH.parameter) for path in shapes.objects(p, SH.path)
    }
    idle = set()
    for shape in {shape for shape, _ in removed}:
        predicates = {p for p, o in shapes.predicate_objects(shape) if (shape, p, o) not in dropped}
        if not any(_may_constrain(p, parameters) for p in predicates):
            idle.add(shape)
    core = rdflib.Graph()
    core.namespace_manager = shapes.namespace_manager
    core.addN((s, p, o, core) for s, p, o in shapes if s not in idle and (s, p, o) not in dropped)
    return core


def _may_constrain(predicate: rdflib.term.Node, parameters: set[rdflib.term.Node]) -> bool:
    if predicate in parameters:
        return True
    return str(predicate).startswith(str(SH)) and predicate not in _NOT_CONSTRAINTS


def _constraint(
    shapes: rdflib.Graph, shape: rdflib.term.Node, node: rdflib.term.Node
) -> SparqlConstraint | None:
    selects = list(shapes.objects(node, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], rdflib.Literal):
        raise InputError(f"shapes: {shape}: a sh:sparql constraint needs exactly one sh:select")
    query = str(selects[0])
    path = shapes.value(shape, SH.path)
    if _PATH.search(query):
        if path is None:
            return None
        written = _sparql_path(shapes, path, 0)
        if written is None:
            return None
        query = _PATH.sub(lambda match: match.group(1) + written, query)
    if _CURRENT_SHAPE.search(query):
        if not isinstance(shape, rdflib.URIRef):
            return None
        query = _CURRENT_SHAPE.sub(lambda match: f"{match.group(1)}<{shape}>", query)
    uses_shapes_graph = bool(_SHAPES_GRAPH.search(query))
    if uses_shapes_graph:
        query = _SHAPES_GRAPH.sub(lambda match: f"{match.group(1)}<{SHAPES_GRAPH}>", query)
    messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, rdflib.Literal)]
    messages += [
        m
        for m in shapes.objects(node, SH.message)
        if isinstance(m, rdflib.Literal) and m not in messages
    ]
    return SparqlConstraint(
        shape=shape,
        node=node,
        query=query,
        prefixes=_prefixes(shapes, node),
        messages=tuple(messages),
        severity=shapes.value(shape, SH.severity) or SH.Violation,
        path=path,
        binds_this=bool(_THIS.search(query)),
        uses_shapes_graph=uses_shapes_graph,
    )


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    """sh:prefixes of a constraint, as pyshacl reads them (with owl:Ontology declarations)."""
    ontologies = set(shapes.subjects(RDF.type, OWL_ONTOLOGY))
    everywhere = {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    prefixes: dict[str, str] = {}
    for holder in shapes.objects(node, SH.prefixes):
        declares = set(shapes.objects(holder, SH.declare))
        if not (declares and holder in ontologies):
            declares |= everywhere
        for declare in sorted(declares, key=str):
            prefix = shapes.value(declare, SH.prefix)
            namespace = shapes.value(declare, SH.namespace)
            if prefix is None or namespace is None:
                raise InputError(f"shapes: {declare}: sh:declare needs sh:prefix and sh:namespace")
            prefixes[str(prefix)] = str(namespace)
    return prefixes


def _sparql_path(shapes: rdflib.Graph, path: rdflib.term.Node, depth: int) -> str | None:
    """A SHACL property path in SPARQL syntax (None where it is not a well-formed path)."""
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if not isinstance(path, rdflib.BNode) or depth > 12:
        return None
    if (path, RDF.first, None) in shapes:
        parts = [_sparql_path(shapes, item, depth + 1) for item in shapes.items(path)]
        return None if None in parts or len(parts) < 2 else "(" + " / ".join(parts) + ")"  # type: ignore[arg-type]
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        written = _sparql_path(shapes, inverse, depth + 1)
        return None if written is None else f"^({written})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_sparql_path(shapes, item, depth + 1) for item in shapes.items(alternatives)]
        return None if None in parts or len(parts) < 2 else "(" + " | ".join(parts) + ")"  # type: ignore[arg-type]
    for operator, symbol in _PATH_OPERATORS.items():
        inner = shapes.value(path, operator)
        if inner is not None:
            written = _sparql_path(shapes, inner, depth + 1)
            return None if written is None else f"({written}){symbol}"
    return None


def _nested_shapes(shapes: rdflib.Graph) -> set[rdflib.term.Node]:
    nested: set[rdflib.term.Node] = set()
    for parameter in _NESTING:
        nested.update(shapes.objects(None, parameter))
    for parameter in _NESTING_LISTS:
        for members in shapes.objects(None, parameter):
            nested.update(shapes.items(members))
    return nested


def _deactivated(shapes: rdflib.Graph, node: rdflib.term.Node) -> bool:
    value = shapes.value(node, SH.deactivated)
    return isinstance(value, rdflib.Literal) and value.toPython() is True
