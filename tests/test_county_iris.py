"""Two counties authored with the same slugs stay apart once their IRIs carry the county's
division code (…/id/360923/township/sixi, …/id/361001/township/sixi): each county's 泗溪
has its own projects, and the cross-plan shapes find nothing. A county that writes another
plan's IRIs is found by S93. The second county comes from bench/province.py (code 361001)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from province import BUNDLED_BASE, County, derive_county

from ecokg.audit import audit
from ecokg.kb import load_dataset
from ecokg.query import library as querylib
from ecokg.rdf.iris import code_of, plan_namespace
from ecokg.stores.local import Dataset

NEIGHBOUR = County(0)
SHP = "https://w3id.org/ecokg/shapes#"
CROSS_PLAN = ("S90-entity-in-one-plan", "S91-section-in-one-plan")
CROSS_PLAN += ("S92-plan-covers-one-county", "S93-iri-in-its-own-plan")


@pytest.fixture(scope="module")
def neighbour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("county") / f"county-{NEIGHBOUR.code}.nt"
    ox.serialize(derive_county(NEIGHBOUR), output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def both(neighbour: Path) -> Dataset:
    return load_dataset([neighbour])


def test_the_generated_county_has_its_own_code_and_iri_space(both: Dataset) -> None:
    rows = both.query(
        "SELECT ?code ?space WHERE { ?plan a eco:Plan ; void:uriSpace ?space ;"
        " dcterms:spatial/eco:divisionCode ?code } ORDER BY ?code"
    )
    assert [(row[0].value, row[1].value) for row in rows] == [
        ("360923", BUNDLED_BASE),
        (str(NEIGHBOUR.code), plan_namespace(str(NEIGHBOUR.code))),
    ]


@pytest.mark.parametrize("code", ["360923", str(NEIGHBOUR.code)])
def test_each_countys_sixi_has_only_its_own_projects(both: Dataset, code: str) -> None:
    query = querylib.get_named_query("projects-in-township")
    township = plan_namespace(code) + "township/sixi"
    rows = querylib.run_named_query(both, query, {"township": township})
    projects = [row["project"].value for row in rows]
    assert projects
    assert {code_of(project) for project in projects} == {code}


def test_the_cross_plan_shapes_find_nothing(neighbour: Path) -> None:
    report = audit([neighbour])
    found = [f for f in report.findings if f.shape.removeprefix(SHP) in CROSS_PLAN]
    assert found == []


def test_a_county_writing_anothers_iris_is_found(neighbour: Path, tmp_path: Path) -> None:
    """The neighbour authored with Shanggao's township IRIs: S93 names each such township
    with the plan whose IRI space it lies in."""
    copied = tmp_path / "copied.nt"
    text = neighbour.read_text(encoding="utf-8")
    copied.write_text(
        text.replace(NEIGHBOUR.base + "township/", BUNDLED_BASE + "township/"), encoding="utf-8"
    )
    report = audit([copied])
    s93 = [f for f in report.findings if f.shape == SHP + "S93-iri-in-its-own-plan"]
    assert BUNDLED_BASE + "township/sixi" in {f.focus for f in s93}
    assert {f.value for f in s93} == {BUNDLED_BASE + "plan/shanggao-2021-2035"}
