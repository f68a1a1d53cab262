"""What the graph links: a summary of the dataset's links between classes, and paths in it.

The summary is read from the data (stated and inferred alike, both being in the union
graph), restricted to the properties the lexicon names: ``(subject class, property,
object class, count)`` for links between things, and for attributes (a property whose
values are figures, periods or texts) the classes that carry them. A SKOS concept stands
for its scheme (``pt:soil-pollution`` → the problem-type scheme).

:func:`find_path` joins the class a question asks for to a linked entity's classes by the
cheapest chain of links, read in either direction: each link costs one, a link whose
property the question names (牵头, led by) costs less, a rarely used one a little more.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ecokg.rdf.namespaces import ECO_NS, GRAPH_INFERRED

MAX_HOPS = 3
MENTIONED_DISCOUNT = 0.5
INFERRED_ONLY_COST = 0.3  # less than a hop: an inferred shortcut still beats two stated links


@dataclass(frozen=True)
class Step:
    """One link of a path: ``property`` read forwards (subject → object) or backwards."""

    prop: str
    forward: bool
    to_class: str
    alternatives: tuple[str, ...] = ()  # parallel properties the question also names


@dataclass
class Schema:
    """Links between classes, attribute kinds and concept schemes, from the data."""

    links: list[tuple[str, str, str, int]]  # (subject class, property, object class, count)
    attributes: dict[str, dict[str, str]]  # property → {class: "figure"|"period"|"text"}
    schemes: dict[str, str]  # concept → its scheme
    # a unit's IRI and each of its labels → its conversion multiplier (to the SI unit)
    units: dict[str, str] = field(default_factory=dict)
    # a property → the parallel ones also followed when the question names none of them
    also: dict[str, list[str]] = field(default_factory=dict)
    # a unit's IRI and labels → the metrics of the figures given in it (亿元: investment)
    unit_metrics: dict[str, list[str]] = field(default_factory=dict)
    # an attribute (eco:investment) → the metrics of its figures
    attribute_metrics: dict[str, list[str]] = field(default_factory=dict)
    # links no graph but the inferred one holds: followed only when no stated link serves
    # as well (a zone's projects are those the plan prioritises there, not every project
    # with a township in it)
    inferred_only: list[str] = field(default_factory=list)
    # a term → its ontology labels by language, for messages ({"zh": "投资", "en": …})
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    adjacency: dict[str, list[tuple[Step, int]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.adjacency = {}
        for subject, prop, obj, count in self.links:
            self.adjacency.setdefault(subject, []).append((Step(prop, True, obj), count))
            self.adjacency.setdefault(obj, []).append((Step(prop, False, subject), count))

    def classes_of(self, iri: str, types: Iterable[str]) -> set[str]:
        """The summary's classes an entity counts as (its scheme for a concept)."""
        found = {t for t in types if t in self.adjacency or _has_attributes(self, t)}
        if iri in self.schemes:
            found.add(self.schemes[iri])
        return found

    def name(self, term: str, lang: str) -> str:
        """The ontology's label of a term in ``lang`` (投资, investment), else its local name."""
        found = self.names.get(term, {})
        return found.get(lang) or found.get("zh") or term.rstrip("/#").rsplit("#", 1)[-1]

    def attribute_kind(self, prop: str, cls: str) -> str | None:
        return self.attributes.get(prop, {}).get(cls)

    def attribute_classes(self, prop: str) -> list[str]:
        return sorted(self.attributes.get(prop, {}))

    def to_json(self) -> dict[str, Any]:
        return {
            "links": [list(link) for link in self.links],
            "attributes": self.attributes,
            "schemes": self.schemes,
            "units": self.units,
            "also": self.also,
            "unitMetrics": self.unit_metrics,
            "attributeMetrics": self.attribute_metrics,
            "inferredOnly": self.inferred_only,
            "names": self.names,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        return cls(
            [tuple(link) for link in data["links"]],
            data["attributes"],
            data["schemes"],
            data.get("units", {}),
            data.get("also", {}),
            data.get("unitMetrics", {}),
            data.get("attributeMetrics", {}),
            data.get("inferredOnly", []),
            data.get("names", {}),
        )


def _has_attributes(schema: Schema, cls: str) -> bool:
    return any(cls in classes for classes in schema.attributes.values())


_LINKS = """
SELECT ?c1 ?p ?c2 (COUNT(*) AS ?n) WHERE {
  VALUES ?p { %s }
  ?s ?p ?o . ?s a ?c1 .
  { ?o a ?c2 } UNION { ?o skos:inScheme ?c2 }
  FILTER(STRSTARTS(STR(?c1), "%s"))
  FILTER(STRSTARTS(STR(?c2), "%s") || EXISTS { ?c2 a skos:ConceptScheme })
} GROUP BY ?c1 ?p ?c2
"""
_ATTRIBUTES = """
SELECT DISTINCT ?c ?p ?kind WHERE {
  VALUES ?p { %s }
  ?s ?p ?o . ?s a ?c . FILTER(STRSTARTS(STR(?c), "%s"))
  BIND(IF(isLITERAL(?o), "text",
       IF(EXISTS { ?o qudt:numericValue ?v }, "figure",
       IF(EXISTS { ?o time:hasBeginning ?b }, "period", "thing"))) AS ?kind)
  FILTER(?kind != "thing")
}
"""
_MEASURES = """
SELECT DISTINCT ?c ?m WHERE {
  VALUES ?m { %s }
  ?f eco:refersTo ?s ; eco:metric ?m ; qudt:numericValue ?v . ?s a ?c .
  FILTER(STRSTARTS(STR(?c), "%s"))
  FILTER NOT EXISTS { ?f eco:category ?category }
  FILTER NOT EXISTS { ?f a eco:Output }
}
"""
_UNITS = """
SELECT ?unit ?label ?multiplier WHERE {
  ?unit qudt:conversionMultiplier ?multiplier . OPTIONAL { ?unit rdfs:label ?label }
}
"""
_UNIT_METRICS = """
SELECT DISTINCT ?unit ?label ?metric WHERE {
  ?figure qudt:hasUnit ?unit ; eco:metric ?metric . OPTIONAL { ?unit rdfs:label ?label }
}
"""
_ATTRIBUTE_METRICS = """
SELECT DISTINCT ?p ?metric WHERE { VALUES ?p { %s } ?s ?p ?figure . ?figure eco:metric ?metric }
"""
_INFERRED_ONLY = """
SELECT ?p WHERE { VALUES ?p { %s }
  FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), "%s")) } }
"""
_SCHEMES = "SELECT ?c ?scheme WHERE { ?c skos:inScheme ?scheme . FILTER(isIRI(?c)) }"


def build_schema(
    dataset: Any, properties: Collection[str], metrics: Collection[str] = ()
) -> Schema:
    """Summarise the dataset's links for the lexicon's ``properties`` and the classes
    whose things have their own figure of each of ``metrics`` (kind "metric")."""
    values = " ".join(f"<{p}>" for p in sorted(properties))
    links: list[tuple[str, str, str, int]] = []
    attributes: dict[str, dict[str, str]] = {}
    for row in _select(dataset, _ATTRIBUTES % (values, ECO_NS)):
        attributes.setdefault(row["p"].value, {})[row["c"].value] = row["kind"].value
    for row in _select(dataset, _LINKS % (values, ECO_NS, ECO_NS)):
        prop = row["p"].value
        if prop in attributes:
            continue
        links.append((row["c1"].value, prop, row["c2"].value, int(row["n"].value)))
    if metrics:
        measures = " ".join(f"<{m}>" for m in sorted(metrics))
        for row in _select(dataset, _MEASURES % (measures, ECO_NS)):
            attributes.setdefault(row["m"].value, {})[row["c"].value] = "metric"
    schemes = {row["c"].value: row["scheme"].value for row in _select(dataset, _SCHEMES)}
    units: dict[str, str] = {}
    for row in _select(dataset, _UNITS):
        units[row["unit"].value] = row["multiplier"].value
        if row["label"] is not None:
            units.setdefault(row["label"].value.casefold(), row["multiplier"].value)
    unit_metrics: dict[str, list[str]] = {}
    for row in _select(dataset, _UNIT_METRICS):
        keys = [row["unit"].value] + ([row["label"].value.casefold()] if row["label"] else [])
        for key in keys:
            found = unit_metrics.setdefault(key, [])
            if row["metric"].value not in found:
                found.append(row["metric"].value)
    attribute_metrics: dict[str, list[str]] = {}
    for row in _select(dataset, _ATTRIBUTE_METRICS % values):
        attribute_metrics.setdefault(row["p"].value, []).append(row["metric"].value)
    for metric in metrics:  # a thing's own measure is its metric
        attribute_metrics.setdefault(metric, [metric])
    inferred_only = sorted(
        row["p"].value for row in _select(dataset, _INFERRED_ONLY % (values, GRAPH_INFERRED))
    )
    return Schema(
        sorted(links),
        attributes,
        schemes,
        units,
        {},
        unit_metrics,
        attribute_metrics,
        inferred_only,
    )


def _select(dataset: Any, sparql: str) -> list[Any]:
    result = dataset.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def find_path(
    schema: Schema,
    start: str,
    goals: Collection[str],
    mentioned: Collection[str] = (),
    via: Collection[str] = (),
) -> list[Step] | None:
    """The cheapest chain of links from class ``start`` to any class of ``goals``.

    ``mentioned`` properties cost less; ``via`` classes (named in the question, neither the
    answer nor the goal) should be passed through: a path through them is preferred.
    """
    wanted = frozenset(via) - {start} - set(goals)
    if start in goals and not wanted:
        return []
    path = _search(schema, start, goals, mentioned, wanted)
    if path is None and wanted:
        path = _search(schema, start, goals, mentioned, frozenset())
    return None if path is None else with_alternatives(schema, start, path, mentioned)


def with_alternatives(
    schema: Schema, start: str, path: list[Step], mentioned: Collection[str]
) -> list[Step]:
    """Each step with the parallel properties (same classes, same direction) that the
    question names too: 属于 is both 位于分区 and 部分位于分区."""
    widened = []
    here = start
    for step in path:
        # the other properties between the same classes in the same direction
        alike = [
            other.prop
            for other, _count in schema.adjacency.get(here, ())
            if other.to_class == step.to_class and other.forward == step.forward
        ]
        if step.prop in mentioned:  # named parallels, as the question names this one
            chosen = [prop for prop in alike if prop != step.prop and prop in mentioned]
        else:  # the step's ask:alsoFollow partners the question does not name
            partners = schema.also.get(step.prop, ())
            chosen = [prop for prop in alike if prop in partners and prop not in mentioned]
        parallel = tuple(sorted(chosen))
        widened.append(Step(step.prop, step.forward, step.to_class, parallel))
        here = step.to_class
    return widened


def _search(
    schema: Schema,
    start: str,
    goals: Collection[str],
    mentioned: Collection[str],
    wanted: frozenset[str],
) -> list[Step] | None:
    inferred = set(schema.inferred_only)
    counter = 0
    queue: list[tuple[float, int, str, frozenset[str], list[Step]]] = [
        (0.0, counter, start, frozenset(), [])
    ]
    best: dict[tuple[str, frozenset[str]], float] = {}
    while queue:
        cost, _, node, seen, path = heapq.heappop(queue)
        if node in goals and seen >= wanted and path:
            return path
        if len(path) >= MAX_HOPS:
            continue
        for step, count in schema.adjacency.get(node, ()):
            back_home = step.to_class == start and start not in goals
            if back_home or any(previous.to_class == step.to_class for previous in path):
                continue
            edge = 1.0 - (MENTIONED_DISCOUNT if step.prop in mentioned else 0.0)
            edge += 0.1 / math.log(2 + count)
            if step.prop in inferred and step.prop not in mentioned:
                edge += INFERRED_ONLY_COST
            now = seen | ({step.to_class} & wanted)
            total = cost + edge
            if best.get((step.to_class, now), math.inf) <= total:
                continue
            best[(step.to_class, now)] = total
            counter += 1
            heapq.heappush(queue, (total, counter, step.to_class, now, [*path, step]))
    return None
