"""SHACL-SPARQL constraints run once for all focus nodes (ecokg/audit/sparql_batch.py) give
exactly the results of one run per focus node: on the bundled plan and on every shape
fixture; and queries whose meaning depends on ``$this`` being bound first are not batched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecokg import resources
from ecokg.audit import engine, sparql, sparql_plan
from ecokg.audit.sparql_batch import batchable, screenable

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ttl"))


def result_keys(results: list[sparql.SparqlResult]) -> list[tuple[Any, ...]]:
    return [
        (r.constraint.shape, r.constraint.node, r.focus, r.path, r.value, r.messages)
        for r in results
    ]


@pytest.mark.parametrize(
    "data", [resources.plan_file(), *FIXTURES], ids=lambda path: Path(path).stem
)
def test_batched_runs_give_the_per_node_results(data: Path) -> None:
    shapes = engine.load_shapes()
    constraints = sparql_plan.plan_constraints(shapes).constraints
    _, store = engine.load_plan([*resources.ontology_files(), data])
    assert store is not None
    per_node, _ = sparql.evaluate(store, shapes, constraints, batch=False)
    batched, _ = sparql.evaluate(store, shapes, constraints, batch=True)
    assert result_keys(batched) == result_keys(per_node)


def test_the_bundled_shapes_are_mostly_batched() -> None:
    constraints = sparql_plan.plan_constraints(engine.load_shapes()).constraints
    batched = {str(c.shape).rsplit("#", 1)[1][:3] for c in constraints if batchable(c.query)}
    assert {"S20", "S21", "S31", "S70", "S90", "S91"} <= batched
    # $this only in an OPTIONAL, a NOT EXISTS, or a UNION branch; or a GROUP_CONCAT
    assert not batched & {"S40", "S71", "S55"}
    screened = {str(c.shape).rsplit("#", 1)[1][:3] for c in constraints if screenable(c.query)}
    # their messages list the fullest tables (S55), the part ÷ whole computed (S30)
    assert screened == {"S30", "S55"}


CONCAT = "(GROUP_CONCAT(?v) AS ?all)"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"SELECT $this {CONCAT} WHERE {{ $this <p> ?v }} GROUP BY $this", True),
        # a concatenation projected further, under another name, is still only projected
        (
            f"SELECT $this (COALESCE(?all, '') AS ?shown) WHERE {{ $this <q> ?w OPTIONAL {{ "
            f"SELECT $this {CONCAT} WHERE {{ $this <p> ?v }} GROUP BY $this }} }}",
            True,
        ),
        # what is kept depends on the concatenation's order: not screened
        (
            f"SELECT $this WHERE {{ {{ SELECT $this {CONCAT} WHERE {{ $this <p> ?v }} "
            f"GROUP BY $this }} FILTER(STRSTARTS(?all, 'a')) }}",
            False,
        ),
        (
            f"SELECT $this ?first WHERE {{ {{ SELECT $this {CONCAT} WHERE {{ $this <p> ?v }} "
            f"GROUP BY $this }} BIND(SUBSTR(?all, 1, 1) AS ?first) }}",
            False,
        ),
        (
            f"SELECT $this (COALESCE(?all, '') AS ?shown) WHERE {{ {{ SELECT $this {CONCAT} "
            f"WHERE {{ $this <p> ?v }} GROUP BY $this }} }} HAVING(?shown != '')",
            False,
        ),
        # no concatenation: batched, not screened; $this unbound first: neither
        ("SELECT $this ?v WHERE { $this <p> ?v }", False),
        (f"SELECT $this {CONCAT} WHERE {{ OPTIONAL {{ $this <p> ?v }} }} GROUP BY $this", False),
    ],
)
def test_which_queries_are_screened(query: str, expected: bool) -> None:
    assert screenable(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT $this ?v WHERE { $this <p> ?v }", True),
        ("SELECT $this WHERE { $this <p> ?v FILTER NOT EXISTS { $this <q> ?v } }", True),
        ("SELECT $this WHERE { FILTER NOT EXISTS { $this <q> ?v } $this <p> ?v }", True),
        ("SELECT $this WHERE { $this <p> ?v OPTIONAL { $this <q> ?w } }", True),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this <p> ?v } GROUP BY $this", True),
        (
            "SELECT $this WHERE { { SELECT $this (SUM(?v) AS ?s) WHERE { $this <p> ?v } "
            "GROUP BY $this } }",
            True,
        ),
        # $this unbound where it is used: pre-binding differs from a join
        ("SELECT $this WHERE { OPTIONAL { $this <q> ?w } $this <p> ?v }", False),
        ("SELECT $this WHERE { FILTER NOT EXISTS { $this <q> ?v } }", False),
        ("SELECT $this WHERE { BIND(STR($this) AS ?s) $this <p> ?v }", False),
        ("SELECT $this WHERE { { $this <p> ?v } UNION { $this <q> ?v } }", False),
        ("SELECT $this WHERE { $this <p> ?v MINUS { $this <q> ?v } }", False),
        ("SELECT $this WHERE { $this <p> ?v GRAPH ?g { $this <q> ?v } }", False),
        ("SELECT $this WHERE { ?x <p> ?v }", False),
        ("SELECT ?v WHERE { $this <p> ?v }", False),
        ("SELECT $this WHERE { $this <p> ?v } LIMIT 1", False),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this <p> ?v }", False),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this <p> ?v } GROUP BY ?v", False),
        (
            "SELECT $this WHERE { $this <p> ?v { SELECT (COUNT(?w) AS ?n) "
            "WHERE { $this <q> ?w } } }",
            False,
        ),
        ("SELECT * WHERE { $this <p> ?v }", False),
        ("SELECT $this (GROUP_CONCAT(?v) AS ?all) WHERE { $this <p> ?v } GROUP BY $this", False),
        ('SELECT $this WHERE { $this <p> "{ } $this" # { \n }', True),
    ],
)
def test_which_queries_are_batched(query: str, expected: bool) -> None:
    assert batchable(query) is expected
