"""JSON-LD with the published context (``ecokg/rdf/context.jsonld``).

By default a document carries the context inline, so it reads offline with any JSON-LD
processor. A publisher who hosts the context (``ecokg export --context-url URL``, or the
static site, which hosts ``context.jsonld`` at its root) gets documents that reference it by
URL instead. With ``--base`` the instance prefixes are overridden (inline: in the context
itself; by reference: in a small inline context after the URL), so the shipped file never
changes.

Compaction is done here rather than by a general JSON-LD processor so that the output is
deterministic (nodes sorted by subject, values by their N-Triples form) and fast enough for
one document per resource of the static site. It only uses the context's simple features:
prefixes (compact IRIs), ``"@type": "@id"`` terms for object properties, ``"@container":
"@language"`` terms for labels, and plain terms; any value a term cannot carry exactly is
written under the property's compact IRI in expanded form, so every document expands to
exactly the triples it was made from. Named graphs are kept when asked for: the top-level
``@graph`` then holds one ``{"@id": graph, "@graph": [...]}`` object per named graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, BinaryIO

import pyoxigraph as ox

from ecokg.rdf.jsonld_context import published_context
from ecokg.rdf.namespaces import ID, RDF, XSD

_RDF_TYPE = RDF + "type"
_XSD_STRING = XSD + "string"

JsonObject = dict[str, Any]


def base_overrides(base: str = ID) -> dict[str, str]:
    """The instance prefixes of the published context, moved under ``base``."""
    if base == ID:
        return {}
    return {
        key: base + value[len(ID) :]
        for key, value in published_context().items()
        if isinstance(value, str) and value.startswith(ID)
    }


def context_reference(base: str = ID, context_url: str | None = None) -> Any:
    """The ``@context`` value of exported documents: the context itself (instance prefixes
    moved under ``base``), or, given where it is hosted, ``context_url`` plus an inline
    override of the instance prefixes when they moved."""
    overrides = base_overrides(base)
    if context_url is None:
        return {**published_context(), **overrides}
    return [context_url, overrides] if overrides else context_url


class Compactor:
    """Turns sorted triples into a compacted JSON-LD document for one context."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = sorted(
            (
                (value, key)
                for key, value in context.items()
                if isinstance(value, str) and value.endswith(("/", "#")) and ":" not in key
            ),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self.terms: dict[str, tuple[str, str]] = {}  # predicate IRI -> (term, kind)
        for key, value in context.items():
            if not isinstance(value, dict) or key.startswith("@"):
                continue
            iri = self.expand(value["@id"])
            if value.get("@container") == "@language":
                kind = "language"
            elif value.get("@type") == "@id":
                kind = "id"
            elif "@type" in value or "@container" in value:
                continue  # not used by this compactor
            else:
                kind = "plain"
            self.terms.setdefault(iri, (key, kind))
        self._compacted: dict[str, str] = {}

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        for namespace, key in self.prefixes:
            if key == prefix:
                return namespace + local
        return curie

    def iri(self, iri: str) -> str:
        """A compact IRI where a prefix applies, else the absolute IRI."""
        found = self._compacted.get(iri)
        if found is None:
            found = iri
            for namespace, prefix in self.prefixes:
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and local and not local.startswith("//"):
                    found = f"{prefix}:{local}"
                    break
            self._compacted[iri] = found
        return found

    def reference(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term: object) -> Any:
        """A value in expanded-compatible form, correct under a plain (uncoerced) key."""
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return {"@id": self.reference(term)}
        assert isinstance(term, ox.Literal)
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}

    def node(self, subject: ox.NamedNode | ox.BlankNode, triples: list[ox.Triple]) -> JsonObject:
        node: JsonObject = {"@id": self.reference(subject)}
        types: list[str] = []
        entries: dict[str, list[Any]] = {}
        languages: dict[str, dict[str, list[str]]] = {}
        for triple in triples:
            predicate, value = triple.predicate.value, triple.object
            if predicate == _RDF_TYPE and isinstance(value, ox.NamedNode | ox.BlankNode):
                types.append(self.reference(value))
                continue
            term, kind = self.terms.get(predicate, ("", ""))
            if kind == "language" and isinstance(value, ox.Literal) and value.language:
                languages.setdefault(term, {}).setdefault(value.language, []).append(value.value)
            elif kind == "id" and isinstance(value, ox.NamedNode | ox.BlankNode):
                entries.setdefault(term, []).append(self.reference(value))
            elif kind == "plain":
                entries.setdefault(term, []).append(self.value(value))
            else:
                entries.setdefault(self.iri(predicate), []).append(self.value(value))
        if types:
            node["@type"] = _single(types)
        for term, by_language in languages.items():
            entries[term] = [{lang: _single(vals) for lang, vals in sorted(by_language.items())}]
        for key in sorted(entries):
            node[key] = _single(entries[key])
        return node

    def document(self, triples: Iterable[ox.Triple], reference: Any) -> JsonObject:
        """``{"@context": reference, "@graph": [...]}``, one node per subject, in order."""
        by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
        for triple in triples:
            by_subject.setdefault(triple.subject, []).append(triple)  # type: ignore[arg-type]
        graph = [self.node(subject, items) for subject, items in by_subject.items()]
        return {"@context": reference, "@graph": graph}


def _single(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def dumps(document: JsonObject) -> bytes:
    """Deterministic JSON text (UTF-8, indented, final newline)."""
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def compactor_for(base: str = ID) -> Compactor:
    return _compactor(base)


@cache
def _compactor(base: str) -> Compactor:
    return Compactor({**published_context(), **base_overrides(base)})


def write_document(
    quads: Sequence[ox.Quad],
    output: BinaryIO,
    base: str = ID,
    *,
    context_url: str | None = None,
    named_graphs: bool = False,
) -> None:
    """Write sorted quads as one JSON-LD document: their union as the default graph, or
    with ``named_graphs`` one ``@graph`` per named graph (``@id`` = the graph's IRI)."""
    compactor = compactor_for(base)
    reference = context_reference(base, context_url)
    if not named_graphs:
        document = compactor.document(_union(quads), reference)
    else:
        default: list[ox.Triple] = []
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if isinstance(quad.graph_name, ox.NamedNode):
                by_graph.setdefault(quad.graph_name.value, []).append(triple)
            else:
                default.append(triple)
        nodes = compactor.document(default, None)["@graph"]
        for graph, triples in sorted(by_graph.items()):
            nodes.append({"@id": graph, "@graph": compactor.document(triples, None)["@graph"]})
        document = {"@context": reference, "@graph": nodes}
    output.write(dumps(document))


def _union(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    triples = {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads}
    return sorted(triples, key=str)
