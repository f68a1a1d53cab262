"""The changes ecokg makes to third-party code (ecokg/patches.py) change nothing but speed:
pyshacl's report is the same with the lean results, and a copied graph is the graph."""

from __future__ import annotations

import pyshacl
import rdflib
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.shape import Shape
from rdflib.compare import isomorphic

from ecokg.patches import copy_of_memory_graph, pyshacl_without_discarded_results

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .

ex:Either a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:or ( [ sh:path ex:area ; sh:minCount 1 ] [ sh:path ex:place ; sh:minCount 1 ] ) .
ex:Both a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:and ( [ sh:path ex:label ; sh:qualifiedValueShape [ sh:languageIn ( "zh" ) ] ;
               sh:qualifiedMinCount 1 ]
             [ sh:path ex:label ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
               sh:qualifiedMinCount 1 ] ) .
ex:Number a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:value ;
    sh:or ( [ sh:datatype xsd:decimal ] [ sh:datatype xsd:integer ] ) .
ex:NotBinding a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:not [ sh:path ex:nature ; sh:hasValue ex:binding ] .
ex:OneOf a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:xone ( [ sh:path ex:area ; sh:minCount 1 ] [ sh:path ex:size ; sh:minCount 1 ] ) .
ex:Nested a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:part ;
    sh:node [ sh:property [ sh:path ex:label ; sh:minCount 1 ] ] .
"""

DATA = """
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:good a ex:Thing ; ex:area 1 ; ex:label "甲"@zh , "A"@en ; ex:value 1.5 ;
    ex:part [ ex:label "p" ] .
ex:bad a ex:Thing ; ex:label "乙"@zh ; ex:value "x" ; ex:nature ex:binding ;
    ex:area 2 ; ex:size 3 ; ex:part [ ex:note "no label" ] .
ex:none a ex:Thing ; ex:value "1"^^xsd:integer .
"""


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    return bool(conforms), report


def test_the_lean_results_give_the_same_report() -> None:
    data = rdflib.Graph().parse(data=DATA, format="turtle")
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    conforms, report = validate(data, shapes)
    with pyshacl_without_discarded_results():
        lean_conforms, lean_report = validate(data, shapes)
    assert not conforms
    # every kind of shape that checks members has failed at least once
    sources = set(report.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#sourceShape")))
    example = rdflib.Namespace("https://example.org/")
    names = ("Either", "Both", "Number", "NotBinding", "OneOf", "Nested")
    assert {example[name] for name in names} <= sources
    assert lean_conforms == conforms
    assert isomorphic(lean_report, report)


def test_the_lean_results_are_undone() -> None:
    validate_before, make_before = Shape.validate, ConstraintComponent.make_v_result
    with pyshacl_without_discarded_results():
        assert Shape.validate is not validate_before
    assert Shape.validate is validate_before
    assert ConstraintComponent.make_v_result is make_before


def test_a_copied_graph_is_the_graph_and_apart_from_it() -> None:
    graph = rdflib.Graph().parse(data=DATA, format="turtle")
    copy = copy_of_memory_graph(graph)
    assert copy is not None
    assert copy.identifier == graph.identifier
    assert set(copy) == set(graph)
    added = (rdflib.URIRef("https://example.org/new"), rdflib.RDF.type, rdflib.OWL.Thing)
    copy.add(added)
    assert added in copy and added not in graph
    copy.remove((rdflib.URIRef("https://example.org/good"), None, None))
    assert (rdflib.URIRef("https://example.org/good"), None, None) in graph
    # the contexts the copy's store knows are the copy, never the original graph
    assert all(context is copy for context in copy.store.contexts())


def test_a_graph_on_another_store_is_not_copied() -> None:
    graph = rdflib.Graph(store="SimpleMemory").parse(data=DATA, format="turtle")
    assert copy_of_memory_graph(graph) is None
