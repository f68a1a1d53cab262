"""What the static site shows about each resource: the view models its templates render.

Built from the exported quads (instance IRIs under ``--base``, stable blank node labels),
so a page shows exactly what the dumps contain. A triple stated only in the inferred graph
is marked as inferred.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from ecokg.publish.export import prefixes_for
from ecokg.rdf.labels import labels_by_language
from ecokg.rdf.namespaces import ECO, ECO_NS, OWL, RDF, RDFS, SKOS, compact, is_inferred_graph

PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SOURCE_LINES = ECO.sourceLines
QUOTE = ECO.quote
DEFINITION = SKOS + "definition"
CLASS_TYPES = frozenset({OWL + "Class", RDFS + "Class"})
PROPERTY_TYPES = frozenset(
    {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}
)
_FIRST_PREDICATES = (RDF + "type", RDFS + "label", SKOS + "prefLabel")

Subject = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Value:
    """One value as shown: a link (href relative to the page, or absolute), or text."""

    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    inferred: bool = False
    nested: list[PropertyRow] | None = None  # a blank node's own properties


@dataclass(frozen=True)
class PropertyRow:
    predicate: Value
    values: list[Value]


@dataclass
class Section:
    """A plan section a resource is derived from (its provenance)."""

    link: Value
    label_zh: str | None
    label_en: str | None
    lines: str | None


@dataclass
class ResourceView:
    iri: str
    path: str  # relative path without suffix, e.g. id/project/forest-tending
    curie: str
    label_zh: str | None
    label_en: str | None
    types: list[Value] = field(default_factory=list)
    properties: list[PropertyRow] = field(default_factory=list)
    inverse: list[PropertyRow] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


class SiteGraph:
    """Indexes over the exported quads, and the links between pages."""

    def __init__(self, quads: Iterable[ox.Quad], base: str, path_of: Callable[[str], str | None]):
        self.base = base
        self.path_of = path_of
        self.prefixes = sorted(prefixes_for(base).items(), key=lambda kv: len(kv[1]), reverse=True)
        graphs: dict[tuple[Subject, str, object], set[str]] = defaultdict(set)
        for quad in quads:
            subject, graph = quad.subject, quad.graph_name
            assert isinstance(subject, ox.NamedNode | ox.BlankNode)
            name = graph.value if isinstance(graph, ox.NamedNode) else ""
            graphs[(subject, quad.predicate.value, quad.object)].add(name)
        self.outgoing: dict[Subject, list[tuple[str, object, bool]]] = defaultdict(list)
        self.incoming: dict[str, list[tuple[str, Subject, bool]]] = defaultdict(list)
        for (subject, predicate, obj), names in sorted(graphs.items(), key=lambda kv: str(kv[0])):
            # inferred: in inferred graphs only (…/graph/inferred/{code}), stated by no plan
            inferred = all(is_inferred_graph(name) for name in names)
            self.outgoing[subject].append((predicate, obj, inferred))
            if isinstance(obj, ox.NamedNode) and isinstance(subject, ox.NamedNode):
                self.incoming[obj.value].append((predicate, subject, inferred))
        self.fragments: dict[str, list[Subject]] = defaultdict(list)
        for subject in self.outgoing:
            if isinstance(subject, ox.NamedNode) and "#" in subject.value:
                document, _, fragment = subject.value.partition("#")
                if fragment:
                    self.fragments[document].append(subject)
        self._labels: dict[str, dict[str, str]] = {}
        for subject, edges in self.outgoing.items():
            if isinstance(subject, ox.NamedNode):
                self._labels[subject.value] = _labels(edges)

    def label(self, iri: str, lang: str) -> str | None:
        return self._labels.get(iri, {}).get(lang)

    def curie(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return compact(iri)

    def types_of(self, iri: str) -> set[str]:
        return {
            str(o.value)
            for p, o, _ in self.outgoing.get(ox.NamedNode(iri), [])
            if p == RDF + "type" and isinstance(o, ox.NamedNode)
        }

    def link(self, iri: str, page: str, inferred: bool = False) -> Value:
        """A link to ``iri`` from the page at ``page`` (relative if the site has it)."""
        target = self.path_of(iri)
        text = self.label(iri, "zh") or self.label(iri, "en") or self.curie(iri)
        href = iri if target is None else relative_href(page, target + ".html")
        return Value(text, href=href, iri=iri, inferred=inferred)

    def value(self, term: object, page: str, inferred: bool = False, depth: int = 0) -> Value:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value, page, inferred)
        if isinstance(term, ox.BlankNode):
            nested = self.rows(term, page, depth + 1) if depth < 3 else None
            return Value(f"_:{term.value}", inferred=inferred, nested=nested)
        assert isinstance(term, ox.Literal)
        datatype = None
        if not term.language and not term.datatype.value.endswith("#string"):
            datatype = self.curie(term.datatype.value)
        return Value(term.value, lang=term.language, datatype=datatype, inferred=inferred)

    def rows(self, subject: Subject, page: str, depth: int = 0) -> list[PropertyRow]:
        """The subject's properties, grouped by predicate (type and labels first)."""
        grouped: dict[str, list[Value]] = defaultdict(list)
        for predicate, obj, inferred in self.outgoing.get(subject, []):
            grouped[predicate].append(self.value(obj, page, inferred, depth))
        order = sorted(grouped, key=lambda p: (_rank(p), self.curie(p)))
        return [PropertyRow(self.link(p, page), grouped[p]) for p in order]

    def view(self, iri: str) -> ResourceView:
        page = self.path_of(iri)
        assert page is not None
        node = ox.NamedNode(iri)
        view = ResourceView(
            iri, page, self.curie(iri), self.label(iri, "zh"), self.label(iri, "en")
        )
        view.properties = self.rows(node, page)
        for predicate, obj, _ in self.outgoing.get(node, []):
            if predicate == RDF + "type" and isinstance(obj, ox.NamedNode):
                view.types.append(self.link(obj.value, page))
            elif predicate == QUOTE and isinstance(obj, ox.Literal):
                view.quotes.append(obj.value)
            elif predicate == PROV_DERIVED and isinstance(obj, ox.NamedNode):
                view.sections.append(self.section(obj.value, page))
        inverse: dict[str, list[Value]] = defaultdict(list)
        for predicate, subject, inferred in self.incoming.get(iri, []):
            inverse[predicate].append(self.link(subject.value, page, inferred))
        view.inverse = [
            PropertyRow(self.link(p, page), inverse[p]) for p in sorted(inverse, key=self.curie)
        ]
        return view

    def section(self, iri: str, page: str) -> Section:
        lines = None
        for predicate, obj, _ in self.outgoing.get(ox.NamedNode(iri), []):
            if predicate == SOURCE_LINES and isinstance(obj, ox.Literal):
                lines = obj.value
        return Section(self.link(iri, page), self.label(iri, "zh"), self.label(iri, "en"), lines)

    def document_subjects(self, iri: str) -> list[Subject]:
        """The resources a document IRI describes: itself and, for a document without a
        fragment (or with an empty one, like ``eco:``), its hash IRIs ``{document}#name``."""
        document, _, fragment = iri.partition("#")
        if fragment:
            return [ox.NamedNode(iri)]
        return [ox.NamedNode(iri), *self.fragments.get(document, [])]

    def description(self, *subjects: Subject) -> list[ox.Triple]:
        """The subjects' triples and, recursively, those of their blank nodes (CBDs)."""
        found: list[ox.Triple] = []
        seen: set[Subject] = set()
        todo: list[Subject] = list(subjects)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for predicate, obj, _ in self.outgoing.get(node, []):
                found.append(ox.Triple(node, ox.NamedNode(predicate), obj))  # type: ignore[arg-type]
                if isinstance(obj, ox.BlankNode):
                    todo.append(obj)
        return sorted(set(found), key=str)

    def term_doc(self, iri: str, page: str) -> dict[str, object]:
        """A class or property of the ontology, for the documentation page."""
        node = ox.NamedNode(iri)
        definitions: dict[str, str] = {}
        domains: list[Value] = []
        ranges: list[Value] = []
        for predicate, obj, _ in self.outgoing.get(node, []):
            if predicate == DEFINITION and isinstance(obj, ox.Literal) and obj.language:
                definitions.setdefault(obj.language, obj.value)
            elif predicate == RDFS + "domain":
                domains.append(self.value(obj, page))
            elif predicate == RDFS + "range":
                ranges.append(self.value(obj, page))
        return {
            "iri": iri,
            "anchor": iri[len(ECO_NS) :],
            "curie": self.curie(iri),
            "link": self.link(iri, page),
            "label_zh": self.label(iri, "zh"),
            "label_en": self.label(iri, "en"),
            "definition_zh": definitions.get("zh"),
            "definition_en": definitions.get("en"),
            "domains": domains,
            "ranges": ranges,
        }


def _labels(edges: list[tuple[str, object, bool]]) -> dict[str, str]:
    return labels_by_language(
        (predicate, obj.value, obj.language)
        for predicate, obj, _ in edges
        if isinstance(obj, ox.Literal)
    )


def _rank(predicate: str) -> int:
    return _FIRST_PREDICATES.index(predicate) if predicate in _FIRST_PREDICATES else 9


def relative_href(page: str, target: str) -> str:
    """A URL-encoded link from the page at ``page`` (a path without suffix) to ``target``."""
    return _relative(posixpath.dirname(page) or ".", target)


@lru_cache(maxsize=65536)
def _relative(start: str, target: str) -> str:
    return quote(posixpath.relpath(target, start), safe="/#")
