"""What the plan promises, as the monitoring features need it: indicators (unit, baseline,
target, nature), projects (programme, agencies, zones, schedule, investment), planned outputs,
funding channels and the planning period. Read from the plan graphs (…/graph/plan/{code}),
never from monitoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from ecokg.rdf.namespaces import compact
from ecokg.stores.base import Store

# Mechanics, not questions users ask: one row per indicator / project / output with the
# facts the template and the evaluation use (labels in both languages come separately).
_PERIOD = """
SELECT ?base ?near ?start ?end WHERE {
  ?plan a eco:Plan .
  OPTIONAL { ?plan eco:baseYear ?base }
  OPTIONAL { ?plan eco:nearTermYear ?near }
  OPTIONAL { ?plan eco:planningPeriod ?period .
             ?period time:hasBeginning/time:inXSDgYear ?start ; time:hasEnd/time:inXSDgYear ?end }
} LIMIT 1
"""
_INDICATORS = """
SELECT ?indicator ?order ?unit ?nature ?baselineValue ?baselineYear ?baselineText
       ?targetValue ?targetYear ?targetText ?comparator WHERE {
  { SELECT DISTINCT ?indicator WHERE { GRAPH ?g { ?indicator a eco:Indicator }
                         FILTER(STRSTARTS(STR(?g), "https://w3id.org/ecokg/graph/plan")) } }
  OPTIONAL { ?indicator eco:sequenceNumber ?order }
  OPTIONAL { ?indicator (qudt:hasUnit|qudt:unit) ?unit }
  OPTIONAL { ?indicator eco:nature ?nature }
  OPTIONAL { ?indicator eco:baseline ?baseline .
             OPTIONAL { ?baseline qudt:numericValue ?baselineValue }
             OPTIONAL { ?baseline eco:referenceYear ?baselineYear }
             OPTIONAL { ?baseline eco:statedText ?baselineText } }
  OPTIONAL { ?indicator eco:target ?target .
             OPTIONAL { ?target qudt:numericValue ?targetValue }
             OPTIONAL { ?target eco:referenceYear ?targetYear }
             OPTIONAL { ?target eco:statedText ?targetText }
             OPTIONAL { ?target eco:comparator ?comparator } }
}
"""
_PROJECTS = """
SELECT ?project ?programme ?start ?end ?investment ?unit
       (GROUP_CONCAT(DISTINCT STR(?agency); separator=" ") AS ?agencies)
       (GROUP_CONCAT(DISTINCT STR(?zone); separator=" ") AS ?zones) WHERE {
  { SELECT DISTINCT ?project WHERE { GRAPH ?g { ?project a eco:Project }
                         FILTER(STRSTARTS(STR(?g), "https://w3id.org/ecokg/graph/plan")) } }
  OPTIONAL { ?project eco:partOfProgramme ?programme }
  OPTIONAL { ?project eco:leadAgency ?agency }
  OPTIONAL { ?project eco:prioritisedInZone ?zone }
  OPTIONAL { ?project eco:schedule ?schedule .
             OPTIONAL { ?schedule time:hasBeginning/time:inXSDgYear ?start }
             OPTIONAL { ?schedule time:hasEnd/time:inXSDgYear ?end } }
  OPTIONAL { ?project eco:investment ?figure .
             ?figure qudt:numericValue ?investment ; (qudt:hasUnit|qudt:unit) ?unit }
}
GROUP BY ?project ?programme ?start ?end ?investment ?unit
"""
_OUTPUTS = """
SELECT ?output ?project ?value ?unit ?indicator WHERE {
  { SELECT DISTINCT ?project ?output WHERE { GRAPH ?g { ?project eco:plannedOutput ?output }
                         FILTER(STRSTARTS(STR(?g), "https://w3id.org/ecokg/graph/plan")) } }
  OPTIONAL { ?output qudt:numericValue ?value }
  OPTIONAL { ?output (qudt:hasUnit|qudt:unit) ?unit }
  OPTIONAL { ?output eco:addsToIndicator ?indicator }
}
"""
_CHANNELS = "SELECT ?channel WHERE { ?channel a eco:FundingChannel }"
_LABELS = """
SELECT ?thing ?label WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
  ?thing ?p ?label .
  FILTER(isIRI(?thing))
}
"""
_UNIT_TEXTS = """
SELECT ?unit ?text WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel qudt:symbol }
  ?unit ?p ?text .
  FILTER(STRSTARTS(STR(?unit), "http://qudt.org/vocab/unit/")
         || STRSTARTS(STR(?unit), "https://w3id.org/ecokg/def/unit#"))
}
"""


@dataclass(frozen=True)
class IndicatorFacts:
    iri: str
    order: int
    unit: str | None
    nature: str | None
    baseline: Decimal | None
    baseline_year: int | None
    baseline_text: str | None
    target: Decimal | None
    target_year: int | None
    target_text: str | None
    comparator: str | None

    @property
    def binding(self) -> bool:
        return self.nature is not None and self.nature.endswith("#binding")


@dataclass(frozen=True)
class ProjectFacts:
    iri: str
    programme: str | None
    agencies: tuple[str, ...]
    zones: tuple[str, ...]
    start: int | None
    end: int | None
    investment: Decimal | None
    unit: str | None


@dataclass(frozen=True)
class OutputFacts:
    iri: str
    project: str
    value: Decimal | None
    unit: str | None
    indicator: str | None


@dataclass
class PlanFacts:
    """The plan's promises, with every name (labels in zh and en, alternative names) known."""

    base_year: int
    near_year: int
    first_year: int
    last_year: int
    indicators: dict[str, IndicatorFacts]
    projects: dict[str, ProjectFacts]
    outputs: dict[str, OutputFacts]
    channels: list[str]
    names: dict[str, list[str]] = field(default_factory=dict)  # IRI → labels, any language
    unit_texts: dict[str, list[str]] = field(default_factory=dict)  # unit IRI → texts
    store: Store | None = None

    def label(self, iri: str | None, lang: str) -> str:
        if iri is None:
            return ""
        if self.store is not None:
            found = self.store.label(iri, lang)
            if found:
                return found
        return compact(iri)


def read_plan(store: Store) -> PlanFacts:
    """The plan facts of ``store`` (its plan graph)."""
    period = next(iter(_rows(store, _PERIOD)), {})
    base = _year(period.get("base")) or 2020
    indicators = {}
    for row in _rows(store, _INDICATORS):
        iri = _iri(row["indicator"])
        assert iri is not None
        indicators[iri] = IndicatorFacts(
            iri=iri,
            order=int(_number(row.get("order")) or 0),
            unit=_iri(row.get("unit")),
            nature=_iri(row.get("nature")),
            baseline=_number(row.get("baselineValue")),
            baseline_year=_year(row.get("baselineYear")) or base,
            baseline_text=_text(row.get("baselineText")),
            target=_number(row.get("targetValue")),
            target_year=_year(row.get("targetYear")),
            target_text=_text(row.get("targetText")),
            comparator=_iri(row.get("comparator")),
        )
    projects = {}
    for row in _rows(store, _PROJECTS):
        iri = _iri(row["project"])
        assert iri is not None
        projects[iri] = ProjectFacts(
            iri=iri,
            programme=_iri(row.get("programme")),
            agencies=tuple(sorted((_text(row.get("agencies")) or "").split())),
            zones=tuple(sorted((_text(row.get("zones")) or "").split())),
            start=_year(row.get("start")),
            end=_year(row.get("end")),
            investment=_number(row.get("investment")),
            unit=_iri(row.get("unit")),
        )
    outputs = {}
    for row in _rows(store, _OUTPUTS):
        iri, project = _iri(row["output"]), _iri(row["project"])
        assert iri is not None and project is not None
        outputs[iri] = OutputFacts(
            iri,
            project,
            _number(row.get("value")),
            _iri(row.get("unit")),
            _iri(row.get("indicator")),
        )
    channels = sorted(i for row in _rows(store, _CHANNELS) if (i := _iri(row["channel"])))
    names: dict[str, list[str]] = {}
    for row in _rows(store, _LABELS):
        iri, text = _iri(row["thing"]), _text(row["label"])
        if iri and text and text not in names.setdefault(iri, []):
            names[iri].append(text)
    unit_texts: dict[str, list[str]] = {}
    for row in _rows(store, _UNIT_TEXTS):
        iri, text = _iri(row["unit"]), _text(row["text"])
        if iri and text:
            unit_texts.setdefault(iri, []).append(text)
    return PlanFacts(
        base_year=base,
        near_year=_year(period.get("near")) or base + 5,
        first_year=_year(period.get("start")) or base + 1,
        last_year=_year(period.get("end")) or base + 15,
        indicators=dict(sorted(indicators.items(), key=lambda item: item[1].order)),
        projects=projects,
        outputs=outputs,
        channels=channels,
        names=names,
        unit_texts=unit_texts,
        store=store,
    )


def _rows(store: Store, sparql: str) -> list[dict[str, object]]:
    result = store.query(sparql, source="monitor")
    assert isinstance(result, ox.QuerySolutions)
    variables = [variable.value for variable in result.variables]
    return [
        {name: solution[name] for name in variables if solution[name] is not None}
        for solution in result
    ]


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def _number(term: object) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except ArithmeticError:
        return None


def _year(term: object) -> int | None:
    if not isinstance(term, ox.Literal):
        return None
    digits = term.value[:4]
    return int(digits) if digits.isdigit() else None
