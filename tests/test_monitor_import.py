"""ecokg monitor template / import: the workbook a bureau fills in, read back and checked row by
row against the plan; monitoring data stays in its own named graph."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from ecokg.kb import load_dataset
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    GRAPH_MONITORING,
    GRAPH_PLAN,
    inferred_graph,
    plan_graph,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("monitoring-example-*.csv"))
IND = "https://w3id.org/ecokg/id/360923/indicator/"
ECO = "https://w3id.org/ecokg/def#"


def test_the_example_is_marked_as_invented() -> None:
    assert [p.name for p in EXAMPLES] == [
        "monitoring-example-indicators.csv",
        "monitoring-example-outputs.csv",
        "monitoring-example-projects.csv",
    ]
    for path in EXAMPLES:
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert rows and all("invented example" in row["数据来源 source document"] for row in rows)


def test_template_csv_restates_the_plan(run_cli, tmp_path: Path) -> None:
    code, _, err = run_cli("monitor", "template", "-o", tmp_path / "t.csv", "--year", "2023")
    assert code == 0, err
    indicators = list(csv.DictReader((tmp_path / "t-indicators.csv").open(encoding="utf-8")))
    projects = list(csv.DictReader((tmp_path / "t-projects.csv").open(encoding="utf-8")))
    assert len(indicators) == 16 and len(projects) == 17
    forest = indicators[0]
    assert (forest["指标 indicator"], forest["单位 unit"], forest["基期值 baseline"]) == (
        "森林覆盖率",
        "%",
        "46.97",
    )
    assert forest["目标值 target"] == "≥47" and forest["年份 year"] == "2023"
    assert forest["监测值 value"] == ""
    mine = next(p for p in projects if p["子项目 project"] == "历史遗留废弃矿山生态修复")
    assert (
        mine["建设时序 schedule"] == "2021-2025"
        and mine["投资估算（万元） estimate (10k yuan)"] == "1078"
    )
    assert mine["牵头单位 lead agency"] == "自然资源局"


def test_round_trip_template_filled_import_evaluate(run_cli, tmp_path: Path) -> None:
    """template (xlsx) → filled in with openpyxl → import → evaluate, checked by hand."""
    from openpyxl import load_workbook

    book_path = tmp_path / "monitoring.xlsx"
    assert run_cli("monitor", "template", "-o", book_path, "--year", "2024")[0] == 0
    book = load_workbook(book_path)
    sheet = book["指标监测 indicators"]
    header = [cell.value for cell in sheet[1]]
    value_col = header.index("监测值 value") + 1
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "森林蓄积量（活立木总蓄积）":
            sheet.cell(row=row[0].row, column=value_col, value=391.5)
    projects = book["项目进展 projects"]
    header = [cell.value for cell in projects[1]]
    for row in projects.iter_rows(min_row=2):
        if row[0].value == "湿地恢复与治理":
            for title, value in (
                ("状态 status", "在建"),
                ("资金渠道 funding channel", "地方财政自筹"),
                ("已支出（万元） spent (10k yuan)", 41000),
            ):
                projects.cell(row=row[0].row, column=header.index(title) + 1, value=value)
    book.save(book_path)
    code, turtle, err = run_cli("monitor", "import", book_path)
    assert code == 0, err
    data = tmp_path / "monitoring.ttl"
    data.write_text(turtle, encoding="utf-8")
    code, out, err = run_cli("evaluate", "--data", data, "-f", "json")
    assert code == 0, err
    import json

    report = json.loads(out)
    stock = next(i for i in report["indicators"] if i["id"] == "ind:forest-stock")
    # 385.1 + (392.8 − 385.1) × (2024 − 2020) / (2025 − 2020) = 391.26; 391.5 ≥ 391.26
    assert stock["expected"] == "391.26" and stock["latest"] == "391.5"
    assert stock["status-key"] == "on-track"
    wetland = next(p for p in report["projects"] if p["id"] == "proj:wetland-restoration")
    assert wetland["overspent"] == "true" and wetland["spent"] == "41000"  # estimate 40000


def test_import_writes_the_monitoring_graph_only(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "m.trig"
    code, _, err = run_cli("monitor", "import", *EXAMPLES, "-o", out)
    assert code == 0, err
    quads = list(ox.parse(path=out))
    assert quads and {q.graph_name.value for q in quads} == {GRAPH_MONITORING}
    ttl = tmp_path / "m.ttl"
    assert run_cli("monitor", "import", *EXAMPLES, "-o", ttl)[0] == 0
    dataset = load_dataset([ttl], inferred=False)
    obs = ox.NamedNode(ECO + "IndicatorObservation")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    in_graph = {
        quad.graph_name.value for quad in dataset.store.quads_for_pattern(None, rdf_type, obs, None)
    }
    assert in_graph == {GRAPH_MONITORING}
    assert not list(
        dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_PLAN + "-none"))
    )
    # the plan graph holds what the plan states, nothing from the monitoring file
    plan_only = load_dataset([], inferred=False)
    bundled = ox.NamedNode(plan_graph(BUNDLED_CODE))
    assert sum(1 for _ in dataset.store.quads_for_pattern(None, None, None, bundled)) == sum(
        1 for _ in plan_only.store.quads_for_pattern(None, None, None, bundled)
    )
    assert dataset.graphs() == (*plan_only.graphs(), GRAPH_MONITORING)


INDICATOR_HEADER = "指标 indicator,单位 unit,年份 year,监测值 value,监测日期 date,修订 revision\n"
PROJECT_HEADER = (
    "子项目 project,年份 year,状态 status,开工日期 start date,完工日期 completion date,"
    "资金渠道 funding channel,下达资金（万元） allocated (10k yuan),"
    "已支出（万元） spent (10k yuan)\n"
)
OUTPUT_HEADER = (
    "子项目 project,规划产出 planned output,单位 unit,年份 year,累计完成 delivered so far\n"
)

# (header, data rows, the one problem expected: row, column letter, words of the message)
BAD_ROWS = {
    "unknown indicator": (INDICATOR_HEADER, "森林覆盖律,%,2024,47,,\n", 2, "A", "or '森林覆盖率'"),
    "unit differs": (
        INDICATOR_HEADER,
        "高标准农田面积,亩,2024,35,,\n",
        2,
        "B",
        "not the plan's unit '万亩'",
    ),
    "year outside plan": (
        INDICATOR_HEADER,
        "森林覆盖率,%,2019,47,,\n",
        2,
        "C",
        "outside the plan period 2021–2035",
    ),
    "not a year": (INDICATOR_HEADER, "森林覆盖率,%,二〇二四,47,,\n", 2, "C", "not a year"),
    "percentage over 100": (
        INDICATOR_HEADER,
        "森林覆盖率,%,2024,147,,\n",
        2,
        "D",
        "not a percentage",
    ),
    "not a number": (INDICATOR_HEADER, "森林覆盖率,%,2024,约47,,\n", 2, "D", "not a number"),
    "negative": (INDICATOR_HEADER, "森林覆盖率,%,2024,-1,,\n", 2, "D", "not a non-negative number"),
    "bad date": (INDICATOR_HEADER, "森林覆盖率,%,2024,47,2024-13-01,\n", 2, "E", "not a date"),
    "duplicate year": (
        INDICATOR_HEADER,
        "森林覆盖率,%,2024,47,,\n森林覆盖率,%,2024,47.1,,\n",
        3,
        "C",
        "mark it as a revision",
    ),
    "unknown project": (PROJECT_HEADER, "湿地修复,2024,在建,,,,,\n", 2, "A", "did you mean"),
    "unknown status": (
        PROJECT_HEADER,
        "湿地恢复与治理,2024,快完了,,,,,\n",
        2,
        "C",
        "unknown status",
    ),
    "not started with a date": (
        PROJECT_HEADER,
        "湿地恢复与治理,2024,未开工,2024-03-01,,,,\n",
        2,
        "C",
        "not started",
    ),
    "completed date, not completed": (
        PROJECT_HEADER,
        "湿地恢复与治理,2024,在建,,2024-05-01,,,\n",
        2,
        "C",
        "not 完工",
    ),
    "funds without channel": (
        PROJECT_HEADER,
        "湿地恢复与治理,2024,在建,,,,100,50\n",
        2,
        "F",
        "no funding channel",
    ),
    "unknown channel": (
        PROJECT_HEADER,
        "湿地恢复与治理,2024,在建,,,省级资金,100,50\n",
        2,
        "F",
        "the plan has no funding channel",
    ),
    "unknown output": (
        OUTPUT_HEADER,
        "历史遗留废弃矿山生态修复,修复矿山,个,2024,3\n",
        2,
        "B",
        "did you mean",
    ),
    "output unit differs": (
        OUTPUT_HEADER,
        "历史遗留废弃矿山生态修复,恢复治理面积,亩,2024,3\n",
        2,
        "C",
        "not the plan's unit '公顷'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_invalid_row_is_reported_and_nothing_written(
    run_cli, tmp_path: Path, case: str
) -> None:
    header, rows, row, column, words = BAD_ROWS[case]
    source = tmp_path / "filled.csv"
    source.write_text(header + rows, encoding="utf-8")
    out = tmp_path / "out.ttl"
    code, stdout, err = run_cli("monitor", "import", source, "-o", out)
    assert code == 2 and not out.exists() and stdout == ""
    lines = [line for line in err.splitlines() if not line.startswith("ecokg: error:")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"filled.csv: sheet filled, row {row}, column {column} ("), lines[0]
    assert words in lines[0]
    assert "nothing written" in err


def test_every_problem_gets_its_own_line(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "filled.csv"
    source.write_text(
        INDICATOR_HEADER
        + "森林覆盖律,%,2024,47,,\n森林覆盖率,%,2040,47,,\n高标准农田面积,亩,2024,35,,\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("monitor", "import", source)
    assert code == 2
    assert [line.split(",")[1] for line in err.splitlines()[:3]] == [" row 2", " row 3", " row 4"]


def test_a_revision_replaces_the_earlier_figure(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "filled.csv"
    source.write_text(
        INDICATOR_HEADER + "森林覆盖率,%,2024,46.9,,\n森林覆盖率,%,2024,47.1,,是\n",
        encoding="utf-8",
    )
    code, turtle, err = run_cli("monitor", "import", source)
    assert code == 0, err
    data = tmp_path / "m.ttl"
    data.write_text(turtle, encoding="utf-8")
    code, out, _ = run_cli("evaluate", "--data", data, "-f", "json")
    import json

    forest = next(i for i in json.loads(out)["indicators"] if i["id"] == "ind:forest-cover")
    assert forest["latest"] == "47.1" and forest["status-key"] == "achieved"


def test_files_that_are_not_the_template(run_cli, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run_cli("monitor", "import", other)
    assert code == 2 and "no monitoring sheet found" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    code, _, err = run_cli("monitor", "import", broken)
    assert code == 2 and "not a readable .xlsx workbook" in err
    assert run_cli("monitor", "import", tmp_path / "missing.csv")[0] == 2


def test_template_csv_to_stdout_reads_back(run_cli) -> None:
    code, out, _ = run_cli("monitor", "template", "-f", "csv")
    assert code == 0
    first = next(csv.reader(io.StringIO(out)))
    assert first[0] == "指标 indicator"


def test_monitoring_data_is_not_reasoned_over(run_cli, tmp_path: Path) -> None:
    """The bundled plan's shipped inferences serve: monitoring data adds nothing to reason on."""
    from ecokg import resources

    ttl = tmp_path / "m.ttl"
    assert run_cli("monitor", "import", *EXAMPLES, "-o", ttl)[0] == 0
    loaded = {(f.path, f.graph) for f in load_dataset([ttl]).files}
    assert (ttl, GRAPH_MONITORING) in loaded
    assert (resources.inferred_file(), inferred_graph(BUNDLED_CODE)) in loaded
