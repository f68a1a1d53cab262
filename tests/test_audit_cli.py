"""``ecokg audit``: exit codes, formats, atomic --output, --lang."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ecokg import resources

FIXTURES = Path(__file__).parent / "fixtures"
CONFORMING = FIXTURES / "shapes" / "S30-share-agrees-with-part-and-whole.conforms.ttl"
VIOLATING = FIXTURES / "shapes" / "S30-share-agrees-with-part-and-whole.violates.ttl"
RunCli = Callable[..., tuple[int, str, str]]


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def bundled_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not resources.plan_file().is_file():
        pytest.skip("data/plan.ttl does not exist yet")
    from ecokg.cli import main

    target = tmp_path_factory.mktemp("audit") / "report.json"
    assert main(["audit", "--output", str(target)]) == 1
    return json.loads(target.read_text(encoding="utf-8"))


def test_bundled_plan_exits_1_with_json_report(bundled_json: dict) -> None:
    assert bundled_json["conforms"] is False
    summary = bundled_json["summary"]
    assert summary["total"] == len(bundled_json["findings"])
    assert summary["by_severity"]["Violation"] >= 1
    assert sum(summary["by_family"].values()) == summary["total"]
    first = bundled_json["findings"][0]
    assert set(first) == {
        "severity",
        "family",
        "shape",
        "focus",
        "focus_label",
        "path",
        "value",
        "message",
        "sources",
    }
    assert first["severity"] in ("Violation", "Warning", "Info")
    assert set(first["focus_label"]) == {"zh", "en"} and set(first["message"]) == {"zh", "en"}


def test_conforming_fixture_exits_0(run_cli: RunCli) -> None:
    code, out, err = run_cli("audit", "--no-bundled", "--data", CONFORMING, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["findings"] == [] and report["conforms"] is True


def test_violating_fixture_exits_1_with_english_labels(run_cli: RunCli) -> None:
    code, out, err = run_cli("audit", "--no-bundled", "--data", VIOLATING, "--lang", "en")
    assert code == 1, err
    assert out.startswith("Plan consistency audit") and "shares-units" in out
    code, short, _ = run_cli(
        "audit", "--no-bundled", "--data", VIOLATING, "--lang", "en", "-f", "md"
    )
    code, out, _ = run_cli(
        "audit", "--no-bundled", "--data", VIOLATING, "--lang", "en", "-f", "markdown"
    )
    assert short == out  # md is markdown's short name, as the .md suffix is
    code, _, err = run_cli("audit", "--no-bundled", "--data", VIOLATING, "-f", "docx")
    assert code == 2 and "--format 'docx'" in err
    assert "Share disagrees" in out and "Section A" in out and "甲节" not in out
    code, out, _ = run_cli(
        "audit", "--no-bundled", "--data", VIOLATING, "--lang", "zh", "-f", "markdown"
    )
    assert "占比不符" in out and "甲节" in out and "Section A" not in out


def test_markdown_html_ttl(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli("audit", "--no-bundled", "--data", VIOLATING, "-f", "markdown")
    assert code == 1 and out.startswith("# 规划一致性审核") and "shp:S30" in out
    target = tmp_path / "report.html"
    code, out, _ = run_cli("audit", "--no-bundled", "--data", VIOLATING, "-o", target)
    assert code == 1 and out == ""
    assert "<table>" in target.read_text(encoding="utf-8")
    code, out, _ = run_cli("audit", "--no-bundled", "--data", VIOLATING, "-f", "ttl")
    assert "sh:ValidationReport" in out and "Share disagrees" in out
    assert "占比不符" in out and '"@zh' in out and '"@en' in out


def test_output_is_written_atomically(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    code, out, _ = run_cli("audit", "--no-bundled", "--data", CONFORMING, "--output", target)
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp file left


def test_user_shapes_are_added(run_cli: RunCli, tmp_path: Path) -> None:
    shapes = tmp_path / "mine.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix eco: <https://w3id.org/ecokg/def#> .\n"
        "<https://example.org/shape> a sh:NodeShape ; sh:targetClass eco:Share ;\n"
        "  sh:property [ sh:path eco:quote ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli(
        "audit", "--no-bundled", "--data", CONFORMING, "--shapes", shapes, "-f", "json"
    )
    assert code == 1
    assert {f["family"] for f in json.loads(out)["findings"]} == {"other"}


def test_bad_shapes_file_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    line = one_line_error(
        *run_cli("audit", "--no-bundled", "--data", CONFORMING, "--shapes", broken)
    )
    assert "broken.ttl" in line


def test_bad_sparql_in_shapes_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "bad-sparql.ttl"
    broken.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/s> a sh:NodeShape ; sh:targetNode <https://example.org/x> ;\n"
        '  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .\n',
        encoding="utf-8",
    )
    line = one_line_error(
        *run_cli("audit", "--no-bundled", "--data", CONFORMING, "--shapes", broken)
    )
    assert "sh:select" in line


def test_bad_data_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    line = one_line_error(*run_cli("audit", "--no-bundled", "--data", broken))
    assert "broken.ttl" in line


def test_bad_format_and_lang_exit_2(run_cli: RunCli) -> None:
    one_line_error(*run_cli("audit", "--no-bundled", "--data", CONFORMING, "-f", "xml"))
    one_line_error(*run_cli("audit", "--no-bundled", "--data", CONFORMING, "--lang", "fr"))
