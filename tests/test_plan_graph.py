"""The bundled plan graph: counts, names and totals come from the plan's text, every fact is
traceable to its section, and every term is declared, labelled and defined."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ecokg import resources
from ecokg.kb import load_dataset
from ecokg.stores.local import Dataset

ECO = rdflib.Namespace("https://w3id.org/ecokg/def#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
QUDT = rdflib.Namespace("http://qudt.org/schema/qudt/")


@cache
def plan() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.plan_file())


@cache
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in resources.ontology_files():
        graph.parse(path)
    return graph


@cache
def source() -> str:
    """The plan's text with Word bookmarks and all whitespace removed (the dump breaks lines
    inside sentences and table cells)."""
    text = resources.source_text().read_text(encoding="utf-8")
    return re.sub(r"\s+", "", re.sub(r"\[bookmark: [^\]]*\]", "", text))


def instances(cls: rdflib.URIRef) -> set[rdflib.term.Node]:
    return set(plan().subjects(RDF.type, cls))


def count(dataset: Dataset, sparql: str) -> int:
    return int(next(iter(dataset.query(sparql)))[0].value)


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (ECO.RestorationZone, 3),
        (ECO.Programme, 5),
        (ECO.Project, 17),
        (ECO.Indicator, 16),
        (ECO.Township, 18),
        (ECO.Agency, 5),
    ],
)
def test_counts_from_the_text(cls, expected) -> None:
    assert len(instances(cls)) == expected


def test_five_key_tasks_with_sub_tasks() -> None:
    tasks = instances(ECO.KeyTask)
    top = {t for t in tasks if (t, ECO.subTaskOf, None) not in plan()}
    assert len(top) == 5
    assert all(any(plan().subjects(ECO.subTaskOf, t)) for t in top)


def test_project_investments_sum_to_the_total(dataset: Dataset) -> None:
    total = count(
        dataset,
        "SELECT (SUM(?v) AS ?t) WHERE { ?p a eco:Project ; eco:investment/qudt:numericValue ?v }",
    )
    stated = count(
        dataset, "SELECT ?v WHERE { ?plan a eco:Plan ; eco:investment/qudt:numericValue ?v }"
    )
    assert total == stated == 193578


@pytest.mark.parametrize(
    "prop", [ECO.partOfProgramme, ECO.implementsTask, ECO.prioritisedInZone, PROV.wasDerivedFrom]
)
def test_every_project_has(prop) -> None:
    missing = [p for p in instances(ECO.Project) if (p, prop, None) not in plan()]
    assert missing == []


def test_township_units_include_those_the_issue_names() -> None:
    labels = {str(o) for t in instances(ECO.Township) for o in plan().objects(t, RDFS.label)}
    assert {"锦阳街道", "锦江镇", "上甘山林场", "高新园区"} <= labels
    park = rdflib.URIRef("https://w3id.org/ecokg/id/360923/township/hi-tech-park")
    assert rdflib.Literal("工业园区", lang="zh") in set(plan().objects(park, SKOS.altLabel))


def test_every_quote_is_in_the_plan_text() -> None:
    quotes = {str(q) for q in plan().objects(None, ECO.quote)}
    assert len(quotes) > 200
    missing = [q for q in quotes if re.sub(r"\s+", "", q) not in source()]
    assert missing == []


def test_every_number_is_written_as_the_plan_writes_it() -> None:
    numbers = {
        str(v)
        for p in (QUDT.numericValue, ECO.upperValue, ECO.statedCount)
        for v in plan().objects(None, p)
    }
    missing = [n for n in numbers if n not in source()]
    assert missing == []


def test_names_of_named_things_are_verbatim() -> None:
    named = (
        ECO.Township,
        ECO.Village,
        ECO.RestorationZone,
        ECO.Project,
        ECO.Programme,
        ECO.Indicator,
        ECO.Agency,
        ECO.River,
        ECO.KeyTask,
        ECO.ProtectedArea,
        ECO.EcologicalCorridor,
        ECO.EcologicalPattern,
    )
    missing = []
    for cls in named:
        for thing in instances(cls):
            for label in plan().objects(thing, RDFS.label):
                if label.language == "zh" and re.sub(r"\s+", "", str(label)) not in source():
                    missing.append(f"{thing} {label}")
    assert missing == []


def test_every_named_thing_has_zh_and_en_labels() -> None:
    lacking = []
    for thing in set(plan().subjects(RDF.type, None)):
        if (thing, RDFS.label, None) not in plan():
            continue  # statement nodes without a name
        languages = {label.language for label in plan().objects(thing, RDFS.label)}
        if not {"zh", "en"} <= languages:
            lacking.append(thing)
    assert lacking == []


def test_every_statement_bearing_node_has_provenance() -> None:
    bearing = (
        ECO.Figure,
        ECO.Output,
        ECO.Target,
        ECO.Share,
        ECO.AreaStatement,
        ECO.NameStatement,
        ECO.CountStatement,
        ECO.EcologicalProblem,
        ECO.Indicator,
    )
    missing = [
        n for cls in bearing for n in instances(cls) if (n, PROV.wasDerivedFrom, None) not in plan()
    ]
    assert missing == []


def test_sections_cite_line_ranges_of_the_source() -> None:
    lines = resources.source_text().read_text(encoding="utf-8").count("\n") + 1
    for section in instances(ECO.PlanSection):
        first, _, last = str(plan().value(section, ECO.sourceLines)).partition("-")
        assert 1 <= int(first) <= int(last or first) <= lines, section


def test_inconsistent_statements_are_kept_with_their_sections() -> None:
    """Where sections disagree, both values stay, each with its own section."""
    counts = {
        (
            int(plan().value(s, ECO.statedCount)),
            str(plan().value(s, ECO.statedIn)).rsplit("/", 1)[-1],
        )
        for s in instances(ECO.CountStatement)
        if plan().value(s, ECO.countOf) == ECO.Project
        and (None, ECO.hasCountStatement, s) in plan()
        and str(next(plan().subjects(ECO.hasCountStatement, s))).endswith("2021-2035")
    }
    assert counts == {(17, "ch4-s2"), (16, "ch5-s1-estimate")}
    forest = {
        Decimal(str(v))
        for f in ("land-forest", "forest-land-2020")
        for v in plan().objects(
            rdflib.URIRef(f"https://w3id.org/ecokg/id/360923/figure/{f}"), QUDT.numericValue
        )
    }
    assert forest == {Decimal("71781.97"), Decimal("73632.7")}


def test_no_undeclared_terms(dataset: Dataset) -> None:
    from ecokg.query import library as querylib

    result = querylib.run_named_query(dataset, querylib.get_named_query("undeclared-terms"), {})
    assert list(result) == []


def test_undeclared_term_query_catches_a_stray_term(tmp_path) -> None:
    from ecokg.query import library as querylib

    stray = tmp_path / "stray.ttl"
    stray.write_text("<https://w3id.org/ecokg/id/x> <https://w3id.org/ecokg/def#bogus> 1 .\n")
    dataset = load_dataset([stray], bundled=False, inferred=False)
    rows = list(querylib.run_named_query(dataset, querylib.get_named_query("undeclared-terms"), {}))
    assert [row[0].value for row in rows] == ["https://w3id.org/ecokg/def#bogus"]


def _terms() -> list[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme)
    return sorted(
        {
            s
            for k in kinds
            for s in ontology().subjects(RDF.type, k)
            if isinstance(s, rdflib.URIRef) and str(s).startswith("https://w3id.org/ecokg/def")
        }
    )


@pytest.mark.parametrize("term", _terms(), ids=str)
def test_every_term_is_labelled_defined_and_attributed(term) -> None:
    graph = ontology()
    for prop in (RDFS.label, SKOS.prefLabel, SKOS.definition):
        assert {o.language for o in graph.objects(term, prop)} >= {"zh", "en"}, prop
    assert (term, RDFS.isDefinedBy, None) in graph


def test_ontology_header_is_versioned() -> None:
    header = rdflib.URIRef("https://w3id.org/ecokg/def#")
    graph = ontology()
    for prop in (
        OWL.versionIRI,
        OWL.versionInfo,
        rdflib.URIRef("http://purl.org/dc/terms/license"),
        rdflib.URIRef("http://purl.org/dc/terms/creator"),
        rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"),
    ):
        assert (header, prop, None) in graph, prop
