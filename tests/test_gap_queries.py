"""Gap queries find their gaps: each runs on a small fixture where the gap exists.

On the bundled plan several gap queries (problems-without-projects, undeclared-terms …)
rightly return nothing, so queries/expected/ alone cannot tell a working query from one
that never returns anything. tests/fixtures/queries/NAME.ttl is loaded with the ontology
(without the bundled plan, reasoned over like any user's data; monitoring data on top of the
bundled plan) and NAME.expected.csv holds the exact rows, rendered as in test_queries
(compact IRIs, sorted).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecokg.kb import load_dataset
from tests.test_queries import EXPECTED_DIR, QUERY_FILES, query_params, result_csv

GAP_FIXTURES = Path(__file__).parent / "fixtures" / "queries"
FIXTURE_FILES = sorted(GAP_FIXTURES.glob("*.ttl"))
# Monitoring data is about a plan: such a fixture is loaded on top of the bundled plan.
MONITORING_FIXTURES = {
    "indicator-observation",
    "lagging-binding-indicators",
    "lagging-indicators-by-county",
    "overspent-projects",
}
# Named queries that look for what is missing: their name says so.
GAP_WORDS = ("without", "-no-", "undeclared")


def _header_only(csv_file: Path) -> bool:
    return len(csv_file.read_text(encoding="utf-8").splitlines()) <= 1


def test_every_gap_query_has_a_fixture() -> None:
    names = {path.stem for path in QUERY_FILES}
    gap_queries = {name for name in names if any(word in name for word in GAP_WORDS)}
    empty_on_plan = {name for name in names if _header_only(EXPECTED_DIR / f"{name}.csv")}
    missing = sorted((gap_queries | empty_on_plan) - {path.stem for path in FIXTURE_FILES})
    assert not missing, f"add tests/fixtures/queries/NAME.ttl where the gap exists: {missing}"
    assert len(FIXTURE_FILES) >= 8


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.stem)
def test_gap_query_finds_the_gaps_of_its_fixture(fixture: Path) -> None:
    name = fixture.stem
    assert name in {path.stem for path in QUERY_FILES}, f"{fixture.name}: no queries/{name}.rq"
    expected_file = fixture.with_name(f"{name}.expected.csv")
    assert expected_file.is_file(), f"no {expected_file.name} beside {fixture.name}"
    expected = expected_file.read_text(encoding="utf-8")
    assert not _header_only(expected_file), f"{expected_file.name}: a gap fixture finds rows"
    dataset = load_dataset([fixture], bundled=name in MONITORING_FIXTURES)
    assert result_csv(dataset, name, query_params().get(name, {})) == expected
