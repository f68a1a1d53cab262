"""The VoID description of the dataset, with statistics computed from the loaded graph.

Counts are over the union of the named graphs as exported (distinct triples):

- ``void:triples`` — distinct triples;
- ``void:entities`` — distinct IRI subjects in the instance namespace (``void:uriSpace``);
- ``void:classes`` — distinct IRIs used as objects of ``rdf:type``;
- ``void:properties`` — distinct predicates;
- a ``void:classPartition`` per class, with ``void:entities`` = distinct IRI subjects typed
  with it, and a ``void:propertyPartition`` per property, with its ``void:triples``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.publish import export as exporting
from ecokg.rdf.iris import plan_namespace
from ecokg.rdf.namespaces import BUNDLED_CODE, ID, PREFIXES, RDF, XSD, compact

if TYPE_CHECKING:
    from ecokg.publish.settings import CatalogSettings
    from ecokg.stores.local import Dataset

VOID = "http://rdfs.org/ns/void#"
EXAMPLES = ("plan/shanggao-2021-2035", "county/shanggao", "programme/forest")
_TYPE = RDF + "type"
_INTEGER = ox.NamedNode(XSD + "integer")


@dataclass(frozen=True)
class VoidStatistics:
    triples: int
    entities: int
    classes: dict[str, int]  # class IRI -> distinct IRI instances
    properties: dict[str, int]  # property IRI -> triples


def void_statistics(dataset: Dataset, base: str = ID) -> VoidStatistics:
    """VoID counts of the dataset published with its instances under ``base``."""
    triples = exporting.as_triples(exporting.prepare(dataset, "all", base))
    members: dict[str, set[str]] = defaultdict(set)
    properties: Counter[str] = Counter()
    entities: set[str] = set()
    for triple in triples:
        subject, predicate = triple.subject, triple.predicate.value
        properties[predicate] += 1
        iri = subject.value if isinstance(subject, ox.NamedNode) else None
        if iri is not None and iri.startswith(base):
            entities.add(iri)
        if predicate == _TYPE and isinstance(triple.object, ox.NamedNode):
            instances = members[triple.object.value]
            if iri is not None:
                instances.add(iri)
    return VoidStatistics(
        triples=len(triples),
        entities=len(entities),
        classes={iri: len(found) for iri, found in sorted(members.items())},
        properties=dict(sorted(properties.items())),
    )


def void_triples(
    dataset: Dataset, base: str, settings: CatalogSettings, node: ox.NamedNode
) -> list[ox.Triple]:
    """The VoID description of ``node`` (the dataset), partitions included."""
    stats = void_statistics(dataset, base)
    triples: list[ox.Triple] = []

    def add(subject: ox.NamedNode, predicate: str, value: str | int | ox.Literal) -> None:
        if isinstance(value, int):
            term: ox.NamedNode | ox.Literal = ox.Literal(str(value), datatype=_INTEGER)
        elif isinstance(value, str):
            term = ox.NamedNode(value)
        else:
            term = value
        triples.append(ox.Triple(subject, ox.NamedNode(VOID + predicate), term))

    add(node, "triples", stats.triples)
    add(node, "entities", stats.entities)
    add(node, "classes", len(stats.classes))
    add(node, "properties", len(stats.properties))
    add(node, "sparqlEndpoint", settings.endpoint_url)
    add(node, "uriSpace", ox.Literal(base))
    add(
        node, "rootResource", exporting.rebase_iri(plan_namespace(BUNDLED_CODE) + EXAMPLES[0], base)
    )
    for example in EXAMPLES:
        add(
            node,
            "exampleResource",
            exporting.rebase_iri(plan_namespace(BUNDLED_CODE) + example, base),
        )
    used = (*stats.classes, *stats.properties)
    for namespace in sorted(set(PREFIXES.values())):
        if not namespace.startswith(ID) and any(iri.startswith(namespace) for iri in used):
            add(node, "vocabulary", namespace)
    slugs: set[str] = set()
    for kind, counts, count_property in (
        ("class", stats.classes, "entities"),
        ("property", stats.properties, "triples"),
    ):
        for iri, count in counts.items():
            partition = settings.node(f"{kind}-{_slug(iri, slugs)}")
            add(node, f"{kind}Partition", partition.value)
            add(partition, kind, iri)
            add(partition, count_property, count)
            triples.append(
                ox.Triple(partition, ox.NamedNode(_TYPE), ox.NamedNode(VOID + "Dataset"))
            )
    return triples


def _slug(iri: str, used: set[str]) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", compact(iri).strip("<>")).strip("-")
    candidate, counter = slug, 1
    while candidate in used:
        counter += 1
        candidate = f"{slug}-{counter}"
    used.add(candidate)
    return candidate
