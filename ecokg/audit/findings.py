"""Findings: validation results of the sh:ValidationReport, ready for people.

Labels and plan sections come from the data graph; messages keep their zh / en language
tags (pyshacl drops them from the messages it substitutes, so they are matched back to the
shapes' sh:message templates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import rdflib
import rdflib.collection
from rdflib.namespace import RDF, RDFS, SKOS

from ecokg.rdf.labels import best_label
from ecokg.rdf.namespaces import ECO, compact

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHP = rdflib.Namespace("https://w3id.org/ecokg/shapes#")
PROV_DERIVED = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
ECO_STATED_IN = rdflib.URIRef(ECO.statedIn)
ECO_ORDER = rdflib.URIRef(ECO.order)
ECO_PLAN_SECTION = rdflib.URIRef(ECO.PlanSection)

SEVERITIES = ("Violation", "Warning", "Info")
LANGS = ("zh", "en")
_TEMPLATE_VARIABLE = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


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
    plan: str | None = None  # the plan audited (several plans in the input), else None

    def sort_key(self, family_rank: int = 0) -> tuple[Any, ...]:
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


@dataclass(frozen=True)
class Family:
    """A group of shapes shown together in reports (declared in shapes/families.ttl)."""

    key: str
    order: int
    label: dict[str, str]

    def name(self, lang: str) -> str:
        return self.label.get(lang) or self.key


def families_of(shapes: rdflib.Graph) -> list[Family]:
    """The declared families, in their order, then any family a shape names undeclared."""
    declared = []
    for node in shapes.subjects(RDF.type, SHP.Family):
        key = shapes.value(node, SHP.key)
        if key is None:
            continue
        order = shapes.value(node, SH.order)
        labels = {
            label.language: str(label)
            for label in shapes.objects(node, RDFS.label)
            if isinstance(label, rdflib.Literal) and label.language
        }
        rank = int(order) if isinstance(order, rdflib.Literal) else 1_000_000
        declared.append(Family(str(key), rank, labels))
    declared.sort(key=lambda family: (family.order, family.key))
    known = {family.key for family in declared}
    named = {str(value) for value in shapes.objects(None, SHP.family)} - known
    rank = len(declared) + 1_000_000
    return declared + [Family(key, rank, {}) for key in sorted(named)]


@dataclass
class AuditReport:
    """The findings of one audit, the families they fall in, and pyshacl's report graph."""

    conforms: bool
    findings: list[Finding]
    report_graph: rdflib.Graph = field(repr=False)
    families: list[Family] = field(default_factory=list)
    # With several plans in the input: each plan's own report, then the cross-plan shapes'
    # (plan None); the findings above are theirs, in that order.
    parts: list[PlanPart] = field(default_factory=list)

    def family(self, key: str) -> Family:
        found = next((family for family in self.families if family.key == key), None)
        return found or Family(key, 1_000_000, {})

    def count_by(self, attribute: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            key = getattr(finding, attribute)
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def has_violation(self) -> bool:
        return any(finding.severity == "Violation" for finding in self.findings)

    def summary(self) -> dict[str, Any]:
        return {
            "total": len(self.findings),
            "by_severity": dict(self._ordered("severity", SEVERITIES)),
            "by_family": dict(self._ordered("family", [f.key for f in self.families])),
        }

    def to_json(self) -> dict[str, Any]:
        if not self.parts:
            return {
                "conforms": self.conforms,
                "summary": self.summary(),
                "findings": [finding.to_json() for finding in self.findings],
            }
        return {
            "conforms": self.conforms,
            "summary": self.summary(),
            "findings": [{**f.to_json(), "plan": f.plan} for f in self.findings],
            "plans": [part.to_json() for part in self.parts],
        }

    def _ordered(self, attribute: str, order: Sequence[str]) -> list[tuple[str, int]]:
        counts = self.count_by(attribute)
        known = [(key, counts[key]) for key in order if key in counts]
        return known + sorted((k, n) for k, n in counts.items() if k not in order)


@dataclass
class PlanPart:
    """One plan's share of an audit of several plans (``plan`` None: the cross-plan shapes
    run over the union of the plans)."""

    plan: str | None
    label: dict[str, str]
    files: list[str]
    report: AuditReport

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "label": dict(self.label),
            "files": list(self.files),
            "conforms": self.report.conforms,
            "summary": self.report.summary(),
        }


def findings_from_report(
    report_graph: rdflib.Graph,
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    lang: str,
    families: Sequence[Family] = (),
) -> list[Finding]:
    """One finding per sh:ValidationResult, sorted (by severity, then family in ``families``'
    order); result messages get their language back."""
    templates = _message_templates(shapes)
    findings = []
    for result in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        finding = _finding(result, report_graph, data, shapes, templates, lang)
        findings.append(finding)
        report_graph.remove((result, SH.resultMessage, None))
        for language, text in finding.message.items():
            report_graph.add((result, SH.resultMessage, rdflib.Literal(text, lang=language)))
    ranks = {family.key: rank for rank, family in enumerate(families)}
    findings.sort(key=lambda finding: finding.sort_key(ranks.get(finding.family, len(ranks))))
    return findings


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
    # in a fixed order: pyshacl adds a shape's messages in the order of a set
    messages = {language: messages[language] for language in (*LANGS, *sorted(messages))}
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        family=str(family) if family is not None else "other",
        shape=str(shape) if isinstance(shape, rdflib.URIRef) else compact_node(shape),
        focus=compact_node(focus),
        focus_label={language: node_label(data, focus, language) for language in LANGS},
        path=None if path is None else path_text(report, path),
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


def path_text(report: rdflib.Graph, path: rdflib.term.Node, depth: int = 0) -> str:
    """A result path: an IRI in full; an alternative or inverse path (a blank node in the
    report) in SPARQL property-path form, ``http://…/hasUnit|http://…/unit``, ``^http://…``."""
    if isinstance(path, rdflib.BNode) and depth < 8:
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            items = rdflib.collection.Collection(report, alternatives)
            return "|".join(path_text(report, item, depth + 1) for item in items)
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + path_text(report, inverse, depth + 1)
    return compact_node(path)


def compact_node(node: rdflib.term.Node | None) -> str:
    """An IRI in full, a literal as its text, a blank node as _:id."""
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def node_label(graph: rdflib.Graph, node: rdflib.term.Node | None, language: str) -> str:
    """The best label (:func:`ecokg.rdf.labels.best_label`), else the compact IRI."""
    if node is None:
        return ""
    if isinstance(node, rdflib.Literal):
        return str(node)
    candidates = [
        (str(predicate), str(label), label.language)
        for predicate in (RDFS.label, SKOS.prefLabel)
        for label in graph.objects(node, predicate)
        if isinstance(label, rdflib.Literal)
    ]
    found = best_label(candidates, language)
    if found is not None:
        return found
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
