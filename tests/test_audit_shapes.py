"""Every audit shape has a conforming and a violating fixture, and does exactly what they say.

tests/fixtures/shapes/<shape-id>.conforms.ttl must give no result for the shape;
<shape-id>.violates.ttl declares its expected results as ``test:ExpectedResult`` nodes
(sh:sourceShape + sh:focusNode), and the shape must give exactly those (no more, no fewer).
All shapes run on each fixture, with the ontology, as the audit runs them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from ecokg import resources
from ecokg.audit import engine
from ecokg.rdf.parsing import rdflib_graph

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
TEST = rdflib.Namespace("https://w3id.org/ecokg/test#")
SH = engine.SH


def shape_ids() -> list[str]:
    shapes = rdflib_graph(resources.shape_files())
    return sorted(
        str(shape).rsplit("#", 1)[1]
        for shape in shapes.subjects(engine.SHP.family, None)
        if isinstance(shape, rdflib.URIRef)
    )


SHAPE_IDS = shape_ids()


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    return engine.load_shapes()


@pytest.fixture(scope="module")
def ontology_triples() -> list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]:
    return list(rdflib_graph(resources.ontology_files()))


def validate_fixture(
    path: Path, shapes: rdflib.Graph, ontology: list
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(results, expected results) as (source shape, focus node) pairs."""
    graph = rdflib_graph([path])
    expected = set()
    for node in list(graph.subjects(RDF.type, TEST.ExpectedResult)):
        expected.add((str(graph.value(node, SH.sourceShape)), str(graph.value(node, SH.focusNode))))
        graph.remove((node, None, None))
    graph.addN((s, p, o, graph) for s, p, o in ontology)
    report = engine.run_audit(graph, shapes)
    results = {(finding.shape, finding.focus) for finding in report.findings}
    return results, expected


def test_every_shape_is_documented() -> None:
    """Stable ID, a family, a severity, messages in zh and en, a comment."""
    shapes = engine.load_shapes()
    assert len(SHAPE_IDS) >= 30
    declared = [f for f in engine.families_of(shapes) if f.label]
    assert [f.key for f in declared][:2] == ["structure", "sums"]
    assert all(f.label.get("zh") and f.label.get("en") for f in declared)
    for shape_id in SHAPE_IDS:
        shape = engine.SHP[shape_id]
        assert shapes.value(shape, engine.SHP.family) is not None
        assert str(shapes.value(shape, engine.SHP.family)) in {f.key for f in declared}, shape_id
        assert shapes.value(shape, SH.severity) is not None, shape_id
        assert shapes.value(shape, rdflib.RDFS.comment) is not None, shape_id
        messages = list(shapes.objects(shape, SH.message))
        for constraint in shapes.objects(shape, SH.sparql):
            messages += list(shapes.objects(constraint, SH.message))
        assert {m.language for m in messages if isinstance(m, rdflib.Literal)} == {"zh", "en"}, (
            shape_id
        )
        assert shape_id[0] == "S" and shape_id[1:3].isdigit(), shape_id


def test_every_shape_has_both_fixtures() -> None:
    missing = [
        f"{shape}.{kind}.ttl"
        for shape in SHAPE_IDS
        for kind in ("conforms", "violates")
        if not (FIXTURES / f"{shape}.{kind}.ttl").is_file()
    ]
    assert not missing, f"shapes without fixtures: {missing}"


def test_every_fixture_names_a_shape() -> None:
    names = {path.name.split(".")[0] for path in FIXTURES.glob("*.ttl")}
    assert names <= set(SHAPE_IDS), f"fixtures for unknown shapes: {names - set(SHAPE_IDS)}"


@pytest.mark.parametrize("shape", SHAPE_IDS)
def test_conforming_fixture(shape: str, shapes_graph: rdflib.Graph, ontology_triples: list) -> None:
    results, expected = validate_fixture(
        FIXTURES / f"{shape}.conforms.ttl", shapes_graph, ontology_triples
    )
    assert not expected
    iri = str(engine.SHP) + shape
    assert {r for r in results if r[0] == iri} == set()


@pytest.mark.parametrize("shape", SHAPE_IDS)
def test_violating_fixture(shape: str, shapes_graph: rdflib.Graph, ontology_triples: list) -> None:
    results, expected = validate_fixture(
        FIXTURES / f"{shape}.violates.ttl", shapes_graph, ontology_triples
    )
    iri = str(engine.SHP) + shape
    assert expected, "the violating fixture declares no test:ExpectedResult"
    assert {e[0] for e in expected} == {iri}
    assert {r for r in results if r[0] == iri} == expected
