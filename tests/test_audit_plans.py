"""The audit of several plans in one input (issue 12): each plan gets exactly the findings it
gets alone, the other county's planted inconsistency is found in that county, and the
cross-plan shapes find two counties authored with the same slugs. Counties come from the
province generator (``bench/province.py``), written once per session."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from province import BUNDLED_BASE, County, write_province

from ecokg.audit import AuditReport, audit
from ecokg.audit.report import render_markdown
from ecokg.errors import InputError
from ecokg.kb import plans_in_input

SHANGGAO_PLAN = BUNDLED_BASE + "plan/shanggao-2021-2035"
SHP = "https://w3id.org/ecokg/shapes#"


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_province(tmp_path_factory.mktemp("province"), 3)


def keys(report: AuditReport, plan: str | None = "", rename: str = "") -> list[tuple[Any, ...]]:
    """The findings of one plan (all with ``plan`` ""), IRIs of ``rename`` as Shanggao's."""

    def shanggao(text: str | None) -> str | None:
        return text.replace(rename, BUNDLED_BASE) if rename and text else text

    return sorted(
        (f.severity, f.shape, shanggao(f.focus), f.path, shanggao(f.value))
        for f in report.findings
        if plan == "" or f.plan == plan
    )


def as_json_without_plan(report: AuditReport, plan: str | None) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in finding.items() if k != "plan"}
        for finding in report.to_json()["findings"]
        if finding["plan"] == plan
    ]


def test_input_files_are_grouped_into_plans(province: list[Path], tmp_path: Path) -> None:
    county = County(1)
    links = tmp_path / "links.ttl"
    links.write_text(
        f"<{county.base}project/x> <https://w3id.org/ecokg/def#locatedIn> "
        f"<{county.base}township/sixi> .\n",
        encoding="utf-8",
    )
    plans = plans_in_input([province[0], links])
    assert [plan.iri for plan in plans] == [SHANGGAO_PLAN, county.base + "plan/shanggao-2021-2035"]
    assert [file.name for file in plans[1].files] == [province[0].name, "links.ttl"]
    assert len(plans_in_input([links])) == 1  # with one plan, everything is that plan's


def test_files_read_in_parallel_group_as_read_in_turn(province: list[Path], tmp_path: Path) -> None:
    links = tmp_path / "links.ttl"
    links.write_text(
        f"<{County(2).base}project/x> <https://w3id.org/ecokg/def#locatedIn> "
        f"<{County(2).base}township/sixi> .\n",
        encoding="utf-8",
    )
    files = [*province, links]
    assert plans_in_input(files, jobs=2) == plans_in_input(files, jobs=1)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl"):
        plans_in_input([*files, broken], jobs=2)


def test_a_file_of_no_plan_is_audited_with_every_plan_and_said_so(
    province: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = tmp_path / "loose.ttl"
    loose.write_text(
        "<https://example.org/x> <https://w3id.org/ecokg/def#order> 1 .\n", encoding="utf-8"
    )
    plans = plans_in_input([province[0], loose])
    assert all(plans_file.name == "loose.ttl" for plan in plans for plans_file in plan.files[-1:])
    assert "loose.ttl: mentions no instance of any input plan" in capsys.readouterr().err


def test_a_county_added_changes_none_of_shanggaos_findings_and_has_its_own(
    province: list[Path],
) -> None:
    shanggao_alone = audit()
    with_county = audit([province[0]])
    county = County(1)
    plan = county.base + "plan/shanggao-2021-2035"
    assert [part.plan for part in with_county.parts] == [SHANGGAO_PLAN, plan, None]
    # Shanggao: exactly its 38 findings of an audit alone
    assert len(shanggao_alone.findings) == 38
    assert as_json_without_plan(with_county, SHANGGAO_PLAN) == shanggao_alone.to_json()["findings"]
    # the county: a copy of Shanggao's findings, renamed, and its planted inconsistency
    extra = keys(with_county, plan, rename=county.base)
    for key in keys(shanggao_alone):
        extra.remove(key)  # fails if one of Shanggao's findings has no copy in the county
    assert sorted(key[1] for key in extra) == [
        SHP + "S20-programme-investment-is-sum-of-projects",
        SHP + "S21-plan-total-is-sum-of-programmes",
    ]
    # ... exactly the findings of the county audited alone
    alone = audit([province[0]], bundled=False)
    assert as_json_without_plan(with_county, plan) == alone.to_json()["findings"]
    assert [f for f in with_county.findings if f.plan is None] == []
    headings = [
        line for line in render_markdown(with_county, "en").splitlines() if line[:3] == "## "
    ]
    assert headings[0].startswith("## Shanggao County") and headings[1].startswith("## Sample1")
    assert headings[-1] == "## across plans"


def test_three_counties_each_with_their_own_findings(province: list[Path]) -> None:
    started = time.perf_counter()
    parallel = audit(province, bundled=False)
    seconds = time.perf_counter() - started
    print(f"audit of 3 synthetic counties: {seconds:.1f} s")
    assert seconds < 60
    assert [len(part.report.findings) for part in parallel.parts] == [40, 40, 40, 0]


def test_progress_is_told_of_each_plan_then_of_the_union(province: list[Path]) -> None:
    told: list[object] = []

    @contextmanager
    def progress(total: int) -> Iterator[Callable[[str], None]]:
        told.append(total)
        yield told.append

    report = audit(province, bundled=False, progress=progress)
    plans = [part.label["zh"] for part in report.parts[:-1]]
    assert told[0] == len(plans) + 1 == 4
    assert sorted(told[1:4]) == sorted(plans)  # as each plan's audit ends, in any order
    assert told[4:] == ["规划之间"]


def test_two_counties_with_the_same_township_slugs_are_found(
    province: list[Path], tmp_path: Path
) -> None:
    county = County(1)
    # A county authored with Shanggao's township IRIs (…/id/township/sixi) but its own plan,
    # sections and everything else: the townships merge silently in one graph.
    same_slugs = tmp_path / "same-slugs.nt"
    text = province[0].read_text(encoding="utf-8")
    same_slugs.write_text(
        text.replace(county.base + "township/", BUNDLED_BASE + "township/"), encoding="utf-8"
    )
    report = audit([same_slugs])
    crossing = {f.focus for f in report.findings if f.shape == SHP + "S90-entity-in-one-plan"}
    assert BUNDLED_BASE + "township/sixi" in crossing
    assert all(f.plan is None for f in report.findings if f.family == "cross-plan")
    assert report.has_violation


def test_the_cli_reports_per_plan(run_cli: RunCli, province: list[Path]) -> None:
    code, out, _ = run_cli("audit", "--data", province[0], "-f", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["total"] == len(report["findings"]) == 78
    assert [part["summary"]["total"] for part in report["plans"]] == [38, 40, 0]
    assert {finding["plan"] for finding in report["findings"]} == {
        SHANGGAO_PLAN,
        County(1).base + "plan/shanggao-2021-2035",
    }
