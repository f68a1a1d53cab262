"""A second county in the same store changes nothing of the first: its townships never
receive the first county's whole-county projects, and the first county's named queries give
the same rows as alone. The second county comes from the province generator
(``bench/province.py``), as in the province benchmark."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from province import INSTANCE_BASE, County, derive_county, write_province

from ecokg import resources
from ecokg.kb import load_dataset
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import ECO, GRAPH_INFERRED
from ecokg.reason.engine import _apply_rules, _load
from ecokg.stores.local import Dataset

QUERY_PARAMS = json.loads((Path(__file__).parent / "query_params.json").read_text())
SECOND = County(1)


@pytest.fixture(scope="module")
def second_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("province") / f"county-{SECOND.code}.nt"
    ox.serialize(derive_county(SECOND), output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


def is_second(value: str) -> bool:
    return value.startswith(SECOND.base)


def test_the_generator_writes_distinct_counties(tmp_path: Path) -> None:
    paths = write_province(tmp_path, 3)
    assert [p.name for p in paths] == [f"county-{County(k).code}.nt" for k in (1, 2, 3)]
    own = [INSTANCE_BASE + f"{County(k).code}/" for k in (1, 2, 3)]
    for path, base in zip(paths, own, strict=True):
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        instances = {
            term.value
            for quad in quads
            for term in (quad.subject, quad.object)
            if isinstance(term, ox.NamedNode) and term.value.startswith(INSTANCE_BASE)
        }
        assert instances and all(iri.startswith(base) for iri in instances), path
        labels = [q.object.value for q in quads if q.predicate.value.endswith("#label")]
        assert not any("上高" in label or "Shanggao" in label for label in labels)


def _investment(quads: Sequence[ox.Quad], subject_suffix: str) -> float:
    """The 万元 figure of the ``eco:investment`` of the node whose IRI ends so."""
    value = next(
        q.object
        for q in quads
        if q.subject.value.endswith(subject_suffix) and q.predicate.value == ECO.investment
    )
    return float(
        next(
            q.object.value
            for q in quads
            if q.subject == value and q.predicate.value.endswith("numericValue")
        )
    )


def test_money_is_scaled_and_one_inconsistency_planted() -> None:
    plan = list(ox.parse(path=str(resources.plan_file()), format=ox.RdfFormat.TURTLE))
    county = County(1)  # multiplier 2
    derived = derive_county(county)
    # a project's figure doubles; the first programme's gets 1 万元 more than double
    assert _investment(derived, "/project/forest-tending") == 2 * _investment(
        plan, "/project/forest-tending"
    )
    assert (
        _investment(derived, "/programme/forest") == 2 * _investment(plan, "/programme/forest") + 1
    )
    clean = derive_county(county, planted=False)
    assert _investment(clean, "/programme/forest") == 2 * _investment(plan, "/programme/forest")


def test_whole_county_projects_stay_in_their_county(second_county: Path) -> None:
    """The rule "全县各乡镇" names the townships of the plan's own county only."""
    files = [*resources.ontology_files(), resources.plan_file()]
    alone = _apply_rules(_load(files))
    together = _apply_rules(_load([*files, second_county]))
    implemented_in = ECO.implementedIn
    pairs = [(s, o) for s, p, o in together if p == implemented_in]
    assert pairs and all(is_second(s) == is_second(o) for s, o in pairs)
    assert {t for t in together if not is_second(t[0])} == alone
    assert len(together) == 2 * len(alone)


@pytest.mark.slow
@pytest.mark.java
def test_a_second_county_changes_no_answer_of_the_first(
    dataset: Dataset, second_county: Path
) -> None:
    """Every named query gives the bundled plan's rows as alone, and the reasoner infers
    nothing across the two counties."""
    together = load_dataset([second_county])
    for query in querylib.list_named_queries():
        values = QUERY_PARAMS.get(query.name, {})
        alone_rows = sorted(map(str, querylib.run_named_query(dataset, query, values)))
        rows = querylib.run_named_query(together, query, values)
        own = sorted(str(row) for row in rows if SECOND.base not in str(row))
        assert own == alone_rows, query.name
    crossing = together.query(
        f"""ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_INFERRED}"))
        FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{INSTANCE_BASE}")
               && STRSTARTS(STR(?s), "{SECOND.base}") != STRSTARTS(STR(?o), "{SECOND.base}")) }}"""
    )
    assert not bool(crossing)
