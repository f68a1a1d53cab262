"""Audit messages tell a planner what was found about this object, with the figures compared,
not the rule it breaks (the rule is the shape's rdfs:comment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


def findings(run_cli: RunCli, *args: str | Path) -> list[dict]:
    code, out, err = run_cli("audit", *args, "-f", "json")
    assert code == 1, err
    return json.loads(out)["findings"]


def test_count_finding_names_the_tables_that_list_the_projects(run_cli: RunCli) -> None:
    (count,) = [
        f
        for f in findings(run_cli)
        if f["shape"].endswith("S55-count-matches-things-listed")
        and f["focus"].endswith("count-projects-ch5")
    ]
    # 第五章 says 16 projects; the tables list 17 (a planner reads 图 as a map)
    assert "图" not in count["message"]["zh"]
    assert "第五章第一节" in count["message"]["zh"] and "16个" in count["message"]["zh"]
    assert "表4-1" in count["message"]["zh"] and "列出17个" in count["message"]["zh"]
    assert "graph" not in count["message"]["en"]
    assert "Table 4-1" in count["message"]["en"] and "lists 17" in count["message"]["en"]


# One violating fixture per shape family, and what its English message must state: the values
# found in the fixture, not the rule.
FOUND_VALUES = [
    ("structure", "S01-project-has-one-programme", ["belongs to 2 programmes"]),
    ("structure", "S03-project-has-investment", ["has 0 investment figures"]),
    ("sums", "S20-programme-investment-is-sum-of-projects", ["1087 ten thousand yuan", "1078"]),
    ("shares-units", "S30-share-agrees-with-part-and-whole", ["4.7", "6441.15", "4.781"]),
    ("space", "S42-zone-areas-sum-to-county-area", ["135746", "134722.78"]),
    ("cross-section", "S55-count-matches-things-listed", ["states 2", "lists 3"]),
    ("targets", "S61-at-least-target-not-below-baseline", ["39", "40.05"]),
    ("completeness", "S70-project-in-every-register", ["example.org/p", "Table 5-1"]),
    ("monitoring", "S80-binding-indicator-on-path", ["391 in 2024", "391.26", "392.8 (2025)"]),
    (
        "cross-plan",
        "S90-entity-in-one-plan",
        ["example.org/a/plan and https://example.org/b/plan", "the same IRI"],
    ),
]


@pytest.mark.parametrize(("family", "shape", "found"), FOUND_VALUES, ids=lambda v: str(v))
def test_english_message_states_the_values_found(
    run_cli: RunCli, family: str, shape: str, found: list[str]
) -> None:
    results = findings(
        run_cli, "--no-bundled", "--data", FIXTURES / f"{shape}.violates.ttl", "--lang", "en"
    )
    messages = [f["message"]["en"] for f in results if f["shape"].endswith(shape)]
    assert {f["family"] for f in results if f["shape"].endswith(shape)} == {family}
    assert any(all(value in message for value in found) for message in messages), messages
    assert not any("{?" in message for message in messages), messages


def test_families_are_all_covered() -> None:
    from ecokg.audit.engine import families_of, load_shapes

    declared = {family.key for family in families_of(load_shapes())}
    assert {family for family, _, _ in FOUND_VALUES} == declared


def test_investment_sums_carry_their_unit(run_cli: RunCli) -> None:
    results = findings(
        run_cli,
        "--no-bundled",
        "--data",
        FIXTURES / "S20-programme-investment-is-sum-of-projects.violates.ttl",
    )
    (subtotal,) = [
        f for f in results if f["shape"].endswith("S20-programme-investment-is-sum-of-projects")
    ]
    assert subtotal["message"]["zh"] == "重大工程投资小计 1087万元 与其子项目投资之和 1078万元 不符"


def test_a_finding_on_an_alternative_path_names_both_properties(run_cli: RunCli) -> None:
    results = findings(
        run_cli, "--no-bundled", "--data", FIXTURES / "S12-figure-has-unit.violates.ttl"
    )
    paths = {f["path"] for f in results if f["shape"].endswith("S12-figure-has-unit")}
    assert paths == {"http://qudt.org/schema/qudt/hasUnit|http://qudt.org/schema/qudt/unit"}
