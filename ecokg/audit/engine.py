"""Run the SHACL shapes over a plan graph and turn the validation report into findings.

The audit runs on the ASSERTED graph: the ontology and the plan (or the user's data), never
the inferred graph, so a finding is about what the plan states. Files are parsed by
pyoxigraph (about 2.5 times faster than rdflib's Turtle parser here, with the same error
messages as the rest of ecokg) and copied into ONE rdflib graph, which pyshacl validates in
place with ``inference="none"``. The ontology is merged into that graph rather than passed as
``ont_graph`` because pyshacl would then clone the data graph into a plain rdflib graph,
losing the prepared-query cache below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.plugins.sparql import algebra as sparql_algebra
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Variable

from ecokg import resources
from ecokg.dataset import _parse_rdf_file
from ecokg.errors import EcokgError, InputError
from ecokg.namespaces import ECO, compact

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHP = rdflib.Namespace("https://w3id.org/ecokg/shapes#")
PROV_DERIVED = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
ECO_STATED_IN = rdflib.URIRef(ECO + "statedIn")
ECO_ORDER = rdflib.URIRef(ECO + "order")
ECO_PLAN_SECTION = rdflib.URIRef(ECO + "PlanSection")

SEVERITIES = ("Violation", "Warning", "Info")
FAMILIES = (
    "structure",
    "sums",
    "shares-units",
    "space",
    "cross-section",
    "targets",
    "completeness",
)
LANGS = ("zh", "en")
_TEMPLATE_VARIABLE = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


_THIS = Variable("this")
_THIS_PLACEHOLDER = rdflib.URIRef("urn:ecokg:audit:this")


def _reorder_with_this_bound(triples: Iterable[Any]) -> Any:
    """rdflib's triple-pattern ordering, told that ``$this`` is bound.

    pyshacl binds ``$this`` at evaluation time (initBindings), after rdflib has ordered the
    patterns of each basic graph pattern as if ``$this`` were free; it then may start with
    a pattern that scans the whole graph. Ordering them as if ``$this`` were a constant made
    the audit about ten times faster.
    """
    swapped: Any = [
        tuple(_THIS_PLACEHOLDER if term == _THIS else term for term in triple) for triple in triples
    ]
    ordered = _ORIGINAL_REORDER(swapped)
    return [
        tuple(_THIS if term == _THIS_PLACEHOLDER else term for term in triple) for triple in ordered
    ]


_ORIGINAL_REORDER = sparql_algebra.reorderTriples


def prepare_shape_query(text: str) -> Query:
    """Parse a SHACL-SPARQL query once, with its patterns ordered for a bound ``$this``."""
    sparql_algebra.reorderTriples = _reorder_with_this_bound  # type: ignore[assignment]
    try:
        return prepareQuery(text)
    finally:
        sparql_algebra.reorderTriples = _ORIGINAL_REORDER


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once.

    pyshacl runs a SHACL-SPARQL constraint once per focus node with the same text and a
    different ``$this`` binding; rdflib would parse the text every time (about 100 ms each),
    which dominated the audit's run time.
    """

    _prepared: ClassVar[dict[str, Query]] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                try:
                    prepared = prepare_shape_query(query_object)
                except Exception as error:  # pyparsing and rdflib raise many types
                    message = " ".join(str(error).split())
                    raise InputError(f"shapes: bad sh:select query: {message}") from None
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


@dataclass(frozen=True)
class Finding:
    """One validation result, ready for people: labels, messages in zh and en, sections."""

    severity: str
    family: str
    shape: str
    focus: str
    focus_label: dict[str, str]
    path: str | None
    value: str | None
    message: dict[str, str]
    sources: list[str]

    def sort_key(self) -> tuple[Any, ...]:
        family_rank = FAMILIES.index(self.family) if self.family in FAMILIES else len(FAMILIES)
        return (
            SEVERITIES.index(self.severity) if self.severity in SEVERITIES else len(SEVERITIES),
            family_rank,
            self.family,
            self.shape,
            self.focus,
            self.value or "",
            self.message.get("en", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "family": self.family,
            "shape": self.shape,
            "focus": self.focus,
            "focus_label": dict(self.focus_label),
            "path": self.path,
            "value": self.value,
            "message": dict(self.message),
            "sources": list(self.sources),
        }


@dataclass
class AuditReport:
    """The findings of one audit, and pyshacl's sh:ValidationReport graph."""

    conforms: bool
    findings: list[Finding]
    report_graph: rdflib.Graph = field(repr=False)

    def count_by(self, attribute: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            key = getattr(finding, attribute)
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def has_violation(self) -> bool:
        return any(finding.severity == "Violation" for finding in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "summary": {
                "total": len(self.findings),
                "by_severity": {s: n for s, n in self._ordered("severity", SEVERITIES)},
                "by_family": {f: n for f, n in self._ordered("family", FAMILIES)},
            },
            "findings": [finding.to_json() for finding in self.findings],
        }

    def _ordered(self, attribute: str, order: Sequence[str]) -> list[tuple[str, int]]:
        counts = self.count_by(attribute)
        known = [(key, counts[key]) for key in order if key in counts]
        return known + sorted((k, n) for k, n in counts.items() if k not in order)


# --- loading --------------------------------------------------------------------------------


def load_graph(paths: Iterable[Path | str]) -> rdflib.Graph:
    """Parse RDF files (any format ecokg reads) into one rdflib graph, quickly."""
    graph = _PreparedQueryGraph()
    cache: dict[Any, rdflib.term.Node] = {}
    triples = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        for quad in _parse_rdf_file(path):
            triples.append(
                (
                    _term(quad.subject, cache),
                    _term(quad.predicate, cache),
                    _term(quad.object, cache),
                )
            )
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def _term(term: Any, cache: dict[Any, rdflib.term.Node]) -> rdflib.term.Node:
    converted = cache.get(term)
    if converted is None:
        if isinstance(term, ox.NamedNode):
            converted = rdflib.URIRef(term.value)
        elif isinstance(term, ox.BlankNode):
            converted = rdflib.BNode(term.value)
        elif isinstance(term, ox.Literal):
            if term.language:
                converted = rdflib.Literal(term.value, lang=term.language)
            else:
                converted = rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
        else:
            raise InputError(f"unsupported RDF term (RDF-star?): {term}")
        cache[term] = converted
    return converted


def plan_files(data: Sequence[Path] = (), *, bundled: bool = True) -> list[Path]:
    """The files the audit reads: the ontology, the bundled plan unless left out, the data."""
    files = list(resources.ontology_files())
    if bundled:
        plan = resources.plan_file()
        if not plan.is_file():
            raise InputError(
                f"{plan}: bundled plan not found (use --no-bundled --data FILE to load your own)"
            )
        files.append(plan)
    return files + [Path(path) for path in data]


def load_shapes(extra: Sequence[Path] = (), *, bundled: bool = True) -> rdflib.Graph:
    """The bundled shapes (shapes/*.ttl) and the user's shapes files, as one graph."""
    files = (resources.shape_files() if bundled else []) + [Path(path) for path in extra]
    # A query that does not parse is reported when it first runs (InputError, exit 2): parsing
    # it here as well would double the cost of rdflib's slow SPARQL parser.
    return load_graph(files)


# --- running --------------------------------------------------------------------------------


def run_audit(data: rdflib.Graph, shapes: rdflib.Graph, lang: str = "zh") -> AuditReport:
    """Validate ``data`` (ontology + plan, asserted) against ``shapes``; sections in ``lang``."""
    import pyshacl

    try:
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
    templates = _message_templates(shapes)
    findings = []
    for result in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        finding = _finding(result, report_graph, data, shapes, templates, lang)
        findings.append(finding)
        # Give the report graph's messages back their language tags.
        report_graph.remove((result, SH.resultMessage, None))
        for language, text in finding.message.items():
            report_graph.add((result, SH.resultMessage, rdflib.Literal(text, lang=language)))
    findings.sort(key=Finding.sort_key)
    return AuditReport(bool(conforms), findings, report_graph)


def _message_templates(shapes: rdflib.Graph) -> list[tuple[re.Pattern[str], str]]:
    """Each sh:message as a regular expression, to give substituted messages their language.

    pyshacl substitutes {?var} but returns the message without its language tag.
    """
    templates = []
    for message in shapes.objects(None, SH.message):
        if isinstance(message, rdflib.Literal) and message.language:
            parts = _TEMPLATE_VARIABLE.split(str(message))
            pattern = "(?:.*?)".join(re.escape(part) for part in parts)
            templates.append((re.compile(f"^{pattern}$", re.DOTALL), message.language))
    return templates


def _finding(
    result: rdflib.term.Node,
    report: rdflib.Graph,
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    templates: list[tuple[re.Pattern[str], str]],
    lang: str,
) -> Finding:
    shape = report.value(result, SH.sourceShape)
    focus = report.value(result, SH.focusNode)
    value = report.value(result, SH.value)
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    family = shapes.value(shape, SHP.family) if shape is not None else None
    messages: dict[str, str] = {}
    for message in report.objects(result, SH.resultMessage):
        language = _message_language(message, templates)
        if language in LANGS and language not in messages:
            messages[language] = str(message)
        elif language is None:
            messages.setdefault("en", str(message))
    for language in LANGS:
        messages.setdefault(language, messages.get("en") or messages.get("zh") or "")
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        family=str(family) if family is not None else "other",
        shape=str(shape) if isinstance(shape, rdflib.URIRef) else compact_node(shape),
        focus=compact_node(focus),
        focus_label={language: node_label(data, focus, language) for language in LANGS},
        path=None if path is None else compact_node(path),
        value=None if value is None else compact_node(value),
        message=messages,
        sources=sources(data, (focus, value), lang),
    )


def _message_language(
    message: rdflib.term.Node, templates: list[tuple[re.Pattern[str], str]]
) -> str | None:
    if isinstance(message, rdflib.Literal) and message.language:
        return message.language
    text = str(message)
    for pattern, language in templates:
        if pattern.match(text):
            return language
    return None


def compact_node(node: rdflib.term.Node | None) -> str:
    """An IRI in full, a literal as its text, a blank node as _:id."""
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def node_label(graph: rdflib.Graph, node: rdflib.term.Node | None, language: str) -> str:
    """rdfs:label or skos:prefLabel in ``language``, then any label, then the compact IRI."""
    if node is None:
        return ""
    if isinstance(node, rdflib.Literal):
        return str(node)
    fallback = None
    for predicate in (RDFS.label, SKOS.prefLabel):
        for label in graph.objects(node, predicate):
            if isinstance(label, rdflib.Literal):
                if label.language == language:
                    return str(label)
                fallback = fallback or str(label)
    if fallback is not None:
        return fallback
    return compact(str(node)) if isinstance(node, rdflib.URIRef) else f"_:{node}"


def sources(
    graph: rdflib.Graph, nodes: Iterable[rdflib.term.Node | None], language: str
) -> list[str]:
    """Labels of the plan sections the nodes come from, in the plan's order."""
    sections: set[rdflib.term.Node] = set()
    for node in nodes:
        if node is None or isinstance(node, rdflib.Literal):
            continue
        for predicate in (PROV_DERIVED, ECO_STATED_IN):
            sections.update(graph.objects(node, predicate))
        if (node, RDF.type, ECO_PLAN_SECTION) in graph:
            sections.add(node)

    def order(section: rdflib.term.Node) -> tuple[int, str]:
        position = graph.value(section, ECO_ORDER)
        rank = int(position) if isinstance(position, rdflib.Literal) else 1_000_000
        return (rank, str(section))

    return [node_label(graph, section, language) for section in sorted(sections, key=order)]
