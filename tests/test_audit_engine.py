"""The fast engine (SHACL Core by pyshacl, SHACL-SPARQL by pyoxigraph) finds what pyshacl alone
finds: the same (source shape, focus node, path, value, severity) results on every shape fixture
and on the bundled plan, where plain pyshacl runs every shape, SPARQL included, over rdflib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.namespace import RDF

from ecokg import resources
from ecokg.audit import engine, sparql_plan
from ecokg.audit.oxstore import store_from_graph
from ecokg.kb import asserted_files
from ecokg.rdf.parsing import rdflib_graph

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SH = engine.SH
TEST = rdflib.Namespace("https://w3id.org/ecokg/test#")
EX = rdflib.Namespace("https://example.org/")


def node_key(graph: rdflib.Graph, node: Any, depth: int = 0) -> Any:
    """Blank nodes (paths cloned into a report) by their content; literals by value."""
    if isinstance(node, rdflib.BNode) and depth < 8:
        return tuple(
            sorted(
                (str(p), str(node_key(graph, o, depth + 1)))
                for p, o in graph.predicate_objects(node)
            )
        )
    if isinstance(node, rdflib.Literal):
        return ("literal", str(node.datatype), node.language, str(node.toPython()))
    return str(node)


def result_keys(report: rdflib.Graph) -> set[tuple[Any, ...]]:
    keys = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        keys.add(
            tuple(
                node_key(report, report.value(result, predicate))
                for predicate in (
                    SH.sourceShape,
                    SH.focusNode,
                    SH.resultPath,
                    SH.value,
                    SH.resultSeverity,
                )
            )
        )
    return keys


def reference_keys(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, set[tuple[Any, ...]]]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    return bool(conforms), result_keys(report)


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return engine.load_shapes()


@pytest.fixture(scope="module")
def ontology() -> list[tuple[Any, Any, Any]]:
    return list(rdflib_graph(resources.ontology_files()))


def fixture_graph(path: Path, ontology: list[tuple[Any, Any, Any]]) -> rdflib.Graph:
    graph = rdflib_graph([path])
    for node in list(graph.subjects(RDF.type, TEST.ExpectedResult)):
        graph.remove((node, None, None))
    graph.addN((s, p, o, graph) for s, p, o in ontology)
    return graph


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.ttl")))
def test_fast_engine_equals_pyshacl_on_fixture(
    fixture: str, shapes: rdflib.Graph, ontology: list[tuple[Any, Any, Any]]
) -> None:
    graph = fixture_graph(FIXTURES / fixture, ontology)
    fast = engine.run_audit(graph, shapes)
    conforms, expected = reference_keys(graph, shapes)
    assert result_keys(fast.report_graph) == expected
    assert fast.conforms == conforms


def test_fast_engine_equals_pyshacl_on_bundled_plan(shapes: rdflib.Graph) -> None:
    if not resources.plan_file().is_file():
        pytest.skip("data/plan.ttl does not exist yet")
    graph, store = engine.load_plan(asserted_files())
    fast = engine.run_audit(graph, shapes, store=store)
    conforms, expected = reference_keys(graph, shapes)
    assert result_keys(fast.report_graph) == expected
    assert fast.conforms == conforms and len(fast.findings) == len(expected)


def test_every_bundled_sparql_constraint_runs_on_oxigraph(shapes: rdflib.Graph) -> None:
    plan = sparql_plan.plan_constraints(shapes)
    assert len(plan.constraints) == len(set(shapes.subject_objects(SH.sparql))) >= 20
    core = sparql_plan.without_constraints(shapes, plan.removed)
    assert not set(core.subject_objects(SH.sparql))


def test_missing_stated_decimals_come_from_the_lexical_form() -> None:
    """oxigraph stores 21.80 as 21.8: the store gets eco:statedDecimals 2 from the parser's
    lexical form, unless the data states it (which wins)."""
    graph = rdflib.Graph()
    numeric = rdflib.URIRef("http://qudt.org/schema/qudt/numericValue")
    stated = rdflib.URIRef("https://w3id.org/ecokg/def#statedDecimals")
    decimal = rdflib.XSD.decimal
    graph.add((EX.a, numeric, rdflib.Literal("21.80", datatype=decimal)))
    graph.add((EX.b, numeric, rdflib.Literal("3", datatype=rdflib.XSD.integer)))
    graph.add((EX.c, numeric, rdflib.Literal("4.5", datatype=decimal)))
    graph.add((EX.c, stated, rdflib.Literal(3)))
    query = "SELECT ?f ?d WHERE { ?f <https://w3id.org/ecokg/def#statedDecimals> ?d }"
    found = {str(row[0].value): int(row[1].value) for row in store_from_graph(graph).query(query)}  # type: ignore[union-attr, index]
    assert found == {str(EX.a): 2, str(EX.b): 0, str(EX.c): 3}


def test_property_shape_path_current_shape_and_deactivated(tmp_path: Path) -> None:
    """$PATH, $currentShape, sh:deactivated and messages, as pyshacl does them."""
    shapes_file = tmp_path / "shapes.ttl"
    shapes_file.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:shape a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ; sh:severity sh:Warning ;
  sh:sparql [ sh:select '''SELECT $this ?value ?shape WHERE {
                  $this $PATH ?value . BIND($currentShape AS ?shape) FILTER(?value > 2) }''' ;
              sh:message "{?value} too big ({$shape})"@en ] ;
  sh:sparql [ sh:deactivated true ; sh:select "SELECT $this WHERE { }" ] .
""",
        encoding="utf-8",
    )
    data = rdflib.Graph()
    data.add((EX.x, EX.p, rdflib.Literal(1)))
    data.add((EX.y, EX.p, rdflib.Literal(3)))
    shapes = rdflib_graph([shapes_file])
    fast = engine.run_audit(data, shapes, lang="en")
    conforms, expected = reference_keys(data, shapes)
    assert result_keys(fast.report_graph) == expected
    assert fast.conforms and conforms
    (finding,) = fast.findings
    assert finding.focus == str(EX.y) and finding.path == str(EX.p) and finding.value == "3"
    assert finding.severity == "Warning" and finding.message["en"] == f"3 too big ({EX.shape})"
