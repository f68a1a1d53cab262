"""The CLI, run in-process through main(argv): every verb and every error path."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib

from ecokg import __version__, resources

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.ttl"
FOUNDATION_QUERIES = FIXTURES / "foundation" / "queries"
RunCli = Callable[..., tuple[int, str, str]]  # the run_cli fixture of conftest.py
PROJECTS_AND_LABELS = (
    "SELECT ?project ?label WHERE { ?project a eco:Project ; rdfs:label ?label "
    'FILTER(LANG(?label) = "zh") } ORDER BY ?project'
)
CONSTRUCT_PROJECTS = "CONSTRUCT { ?project ?p ?o } WHERE { ?project a eco:Project ; ?p ?o }"


def assert_one_line_error(code: int, out: str, err: str) -> str:
    """A usage/input error: exit 2, nothing on stdout, exactly one line on stderr."""
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- info --------------------------------------------------------------------------------


def test_info_table_lists_files_and_classes(run_mini: RunCli) -> None:
    code, out, err = run_mini("info")
    assert code == 0, err
    assert "mini.ttl" in out
    assert "https://w3id.org/ecokg/graph/plan" in out
    assert "eco:Project" in out and "子项目" in out and "project" in out
    assert "Total:" in out


def test_info_json_counts_instances(run_mini: RunCli) -> None:
    code, out, _ = run_mini("info", "--format", "json")
    assert code == 0
    summary = json.loads(out)
    counts = {entry["class"].split("#")[1]: entry["instances"] for entry in summary["classes"]}
    assert counts["Project"] == 3
    assert counts["Township"] == 3
    assert counts["Programme"] == 2
    plan_files = [f for f in summary["files"] if f["graph"].endswith("/graph/plan")]
    assert [Path(f["path"]).name for f in plan_files] == ["mini.ttl"]
    assert summary["triples"] >= sum(f["triples"] for f in plan_files) > 0
    assert summary["namespaces"]["eco"] == "https://w3id.org/ecokg/def#"


def test_global_options_before_the_verb(run_cli: RunCli) -> None:
    code, out, err = run_cli("--no-bundled", "--data", MINI, "info", "--format", "json")
    assert code == 0, err
    assert any(Path(f["path"]).name == "mini.ttl" for f in json.loads(out)["files"])


def test_info_unknown_format(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("info", "--format", "xml"))
    assert "--format" in line


def test_info_on_bundled_plan(run_cli: RunCli) -> None:
    if not resources.plan_file().is_file():
        pytest.skip("data/plan.ttl does not exist yet")
    code, out, err = run_cli("info", "--format", "json")
    assert code == 0, err
    assert any(f["graph"].endswith("/graph/plan/360923") for f in json.loads(out)["files"])


# --- sparql ------------------------------------------------------------------------------


def test_sparql_table_with_chinese_labels(run_mini: RunCli) -> None:
    query = "SELECT ?project ?township WHERE { ?project eco:implementedIn ?township }"
    code, out, err = run_mini("sparql", query, "--lang", "zh")
    assert code == 0, err
    assert "泗溪镇 <tw:sixi>" in out
    assert "4 rows" in out


def test_sparql_table_with_english_labels(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", "SELECT ?t WHERE { ?t a eco:Township }", "--lang", "en")
    assert code == 0
    assert "Sixi Town <tw:sixi>" in out


def test_sparql_table_without_lang_shows_compact_iris(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", "SELECT ?t WHERE { ?t a eco:Township }")
    assert code == 0
    assert "tw:sixi" in out and "泗溪镇" not in out


def test_sparql_json_is_w3c_results_format(run_mini: RunCli) -> None:
    query = (
        "SELECT ?project ?label ?investment ?amount WHERE { ?project rdfs:label ?label ; "
        "eco:investment ?investment . ?investment qudt:numericValue ?amount "
        'FILTER(LANG(?label) = "zh") }'
    )
    code, out, _ = run_mini("sparql", query, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["head"]["vars"] == ["project", "label", "investment", "amount"]
    [row] = document["results"]["bindings"]
    assert row["project"] == {
        "type": "uri",
        "value": "https://w3id.org/ecokg/id/360923/project/historic-abandoned-mine-restoration",
    }
    assert row["label"] == {
        "type": "literal",
        "value": "历史遗留废弃矿山生态修复项目",
        "xml:lang": "zh",
    }
    assert row["investment"]["type"] == "bnode"
    assert row["amount"] == {
        "type": "literal",
        "value": "1078",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }


def test_sparql_ask_json(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", "ASK { ?p a eco:Programme }", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"head": {}, "boolean": True}
    code, out, _ = run_mini("sparql", "ASK { ?p a eco:Village }")
    assert (code, out.strip()) == (0, "false")


def test_sparql_csv_follows_w3c(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", PROJECTS_AND_LABELS, "--format", "csv")
    assert code == 0
    assert out.startswith("project,label\r\n")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 4
    assert [
        "https://w3id.org/ecokg/id/360923/project/green-mine-construction",
        "绿色矿山建设项目",
    ] in rows


def test_sparql_tsv_follows_w3c(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", PROJECTS_AND_LABELS, "--format", "tsv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "?project\t?label"
    assert "<https://w3id.org/ecokg/id/360923/project/green-mine-construction>\t" in out
    assert '"绿色矿山建设项目"@zh' in out
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("output_format", "rdflib_format"),
    [(None, "turtle"), ("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")],
)
def test_construct_parses_back(
    run_mini: RunCli, output_format: str | None, rdflib_format: str
) -> None:
    args = ["sparql", CONSTRUCT_PROJECTS]
    if output_format:
        args += ["--format", output_format]
    code, out, err = run_mini(*args)
    assert code == 0, err
    graph = rdflib.Graph().parse(data=out, format=rdflib_format)
    assert len(graph) == 18
    project = rdflib.URIRef("https://w3id.org/ecokg/id/360923/project/green-mine-construction")
    assert (project, rdflib.RDFS.label, rdflib.Literal("绿色矿山建设项目", lang="zh")) in graph
    if output_format in (None, "turtle"):
        assert "@prefix eco: <https://w3id.org/ecokg/def#>" in out


def test_describe_defaults_to_turtle(run_mini: RunCli) -> None:
    code, out, _ = run_mini("sparql", "DESCRIBE <https://w3id.org/ecokg/id/360923/township/sixi>")
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format="turtle")
    assert len(graph) == 4


def test_sparql_query_from_file_and_output_file(run_mini: RunCli, tmp_path: Path) -> None:
    query_file = tmp_path / "townships.rq"
    query_file.write_text("SELECT ?t WHERE { ?t a eco:Township }", encoding="utf-8")
    result_file = tmp_path / "out.json"
    code, out, _ = run_mini("sparql", f"@{query_file}", "--output", result_file)
    assert (code, out) == (0, "")
    assert len(json.loads(result_file.read_text())["results"]["bindings"]) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.json", "townships.rq"]


def test_malformed_query_is_one_line_with_position(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("sparql", "SELECT * WHERE {\n ?s ?p }"))
    assert line.startswith("ecokg: error: query:2:")
    assert "SPARQL syntax error" in line


def test_malformed_query_file_names_the_file(run_mini: RunCli, tmp_path: Path) -> None:
    query_file = tmp_path / "broken.rq"
    query_file.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    line = assert_one_line_error(*run_mini("sparql", f"@{query_file}"))
    assert f"{query_file}:1:26: SPARQL syntax error" in line


def test_missing_query_file(run_mini: RunCli, tmp_path: Path) -> None:
    line = assert_one_line_error(*run_mini("sparql", f"@{tmp_path / 'nope.rq'}"))
    assert "nope.rq: file not found" in line


def test_debug_shows_the_traceback(run_mini: RunCli) -> None:
    code, _, err = run_mini("--debug", "sparql", "SELECT * WHERE {")
    assert code == 2
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("ecokg: error: query:1:")


def test_format_that_does_not_fit_the_query(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("sparql", CONSTRUCT_PROJECTS, "--format", "csv"))
    assert "CONSTRUCT" in line
    line = assert_one_line_error(*run_mini("sparql", PROJECTS_AND_LABELS, "--format", "nt"))
    assert "SELECT" in line


def test_unknown_lang(run_mini: RunCli) -> None:
    assert "--lang" in assert_one_line_error(*run_mini("sparql", "ASK {}", "--lang", "fr"))


# --- --data and bundled data ---------------------------------------------------------------


def test_malformed_data_names_file_line_and_column(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix eco: <https://w3id.org/ecokg/def#> .\n\neco:a eco:b "x" ;\n  eco:c .\n')
    line = assert_one_line_error(*run_cli("info", "--no-bundled", "--data", bad))
    assert f"{bad}:4:9:" in line


def test_missing_data_file(run_cli: RunCli, tmp_path: Path) -> None:
    line = assert_one_line_error(*run_cli("info", "--no-bundled", "--data", tmp_path / "x.ttl"))
    assert "x.ttl: file not found" in line


def test_unknown_data_file_type(run_cli: RunCli, tmp_path: Path) -> None:
    odd = tmp_path / "plan.docx"
    odd.write_text("not rdf")
    assert "unknown RDF file type" in assert_one_line_error(
        *run_cli("info", "--no-bundled", "--data", odd)
    )


def test_json_ld_data(run_cli: RunCli, tmp_path: Path) -> None:
    document = {
        "@context": {"eco": "https://w3id.org/ecokg/def#", "rdfs": str(rdflib.RDFS)},
        "@id": "https://w3id.org/ecokg/id/360923/township/xinjie",
        "@type": "eco:Township",
        "rdfs:label": {"@value": "新界埠镇", "@language": "zh"},
    }
    data = tmp_path / "extra.jsonld"
    data.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli(
        "sparql", "SELECT ?t WHERE { ?t a eco:Township }", "--lang", "zh",
        "--no-bundled", "--data", MINI, "--data", data,
    )  # fmt: skip
    assert code == 0, err
    assert "新界埠镇 <tw:xinjie>" in out and "4 rows" in out


def test_no_bundled_still_loads_the_ontology(run_cli: RunCli) -> None:
    code, out, _ = run_cli(
        "sparql", "ASK { eco:Project a owl:Class }", "--no-bundled", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["boolean"] is True


# --- query ---------------------------------------------------------------------------------


def test_query_list(run_cli: RunCli) -> None:
    code, out, _ = run_cli("query", "--list")
    assert code == 0
    assert "projects-in-township" in out and "在某乡镇实施的子项目" in out
    assert "township (eco:Township)" in out
    code, out, _ = run_cli("query", "--list", "--lang", "en")
    assert "Projects implemented in a township" in out


def test_query_list_json(run_cli: RunCli) -> None:
    code, out, _ = run_cli("query", "--list", "--format", "json")
    assert code == 0
    names = {entry["name"] for entry in json.loads(out)}
    assert {"projects-by-programme", "projects-in-township"} <= names


@pytest.mark.parametrize("township", ["泗溪镇", "泗溪", "sixi  TOWN", "tw:sixi", "sixi"])
def test_query_by_label_or_iri(run_mini: RunCli, township: str) -> None:
    code, out, err = run_mini(
        "query", "projects-in-township", "--param", f"township={township}", "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(row["labelEn"] for row in rows) == [
        "Green mine construction project",
        "Historic abandoned mine restoration project",
    ]
    assert {row["programme"] for row in rows} == {
        "https://w3id.org/ecokg/id/360923/programme/mine-restoration"
    }


def test_query_by_programme(run_mini: RunCli) -> None:
    code, out, _ = run_mini(
        "query", "projects-by-programme", "-p", "programme=水生态保护修复重大工程", "--lang", "zh"
    )
    assert code == 0
    assert "锦江水环境综合治理项目" in out and "1 row" in out


def test_unknown_named_query(run_cli: RunCli) -> None:
    line = assert_one_line_error(*run_cli("query", "projects-in-townshp"))
    assert "unknown query 'projects-in-townshp'" in line
    assert "did you mean 'projects-in-township'" in line


def test_unknown_label_suggests_close_labels(run_mini: RunCli) -> None:
    line = assert_one_line_error(
        *run_mini("query", "projects-in-township", "--param", "township=泗西镇")
    )
    assert "no eco:Township" in line and "did you mean '泗溪镇'" in line


def test_unknown_parameter(run_mini: RunCli) -> None:
    line = assert_one_line_error(
        *run_mini("query", "projects-in-township", "-p", "township=泗溪镇", "-p", "year=2025")
    )
    assert "unknown parameter 'year'" in line


def test_missing_parameter(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("query", "projects-in-township"))
    assert "missing parameter township" in line


def test_parameter_without_equals(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("query", "projects-in-township", "-p", "泗溪镇"))
    assert "key=value" in line


def test_query_without_name(run_mini: RunCli) -> None:
    assert "--list" in assert_one_line_error(*run_mini("query"))


@pytest.fixture
def foundation_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the query library at test queries with integer and lang parameters."""
    monkeypatch.setattr(resources, "query_dir", lambda: FOUNDATION_QUERIES)


@pytest.mark.usefixtures("foundation_queries")
def test_wrong_kind_of_parameter(run_mini: RunCli) -> None:
    line = assert_one_line_error(*run_mini("query", "projects-by-investment", "-p", "minimum=abc"))
    assert "minimum='abc': expected an integer" in line
    line = assert_one_line_error(
        *run_mini("query", "projects-by-investment", "-p", "minimum=1", "-p", "lang=fr")
    )
    assert "lang='fr': expected zh or en" in line


@pytest.mark.usefixtures("foundation_queries")
def test_typed_parameters_and_defaults(run_mini: RunCli) -> None:
    code, out, _ = run_mini("query", "projects-by-investment", "-p", "minimum=1000", "-f", "csv")
    assert code == 0
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["label"], row["amount"], row["lang"]) == (
        "历史遗留废弃矿山生态修复项目",
        "1078",
        "zh",
    )
    code, out, _ = run_mini(
        "query", "projects-by-investment", "-p", "minimum=1079", "-p", "lang=en", "-f", "csv"
    )
    assert (code, out) == (0, "minimum,lang,project,label,amount\r\n")


# --- usage errors and entry points --------------------------------------------------------


def test_unknown_option_is_a_one_line_usage_error(run_cli: RunCli) -> None:
    assert "--frobnicate" in assert_one_line_error(*run_cli("info", "--frobnicate"))


def test_missing_argument(run_cli: RunCli) -> None:
    assert "missing argument 'query'" in assert_one_line_error(*run_cli("sparql")).lower()


def test_unknown_command(run_cli: RunCli) -> None:
    assert "frobnicate" in assert_one_line_error(*run_cli("frobnicate"))


def test_help_and_version(run_cli: RunCli) -> None:
    code, out, _ = run_cli("--help")
    assert code == 0 and "sparql" in out and "query" in out and "info" in out
    code, out, _ = run_cli("--version")
    assert (code, out.strip()) == (0, f"ecokg {__version__}")


def test_python_dash_m() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ecokg", "--version"], capture_output=True, text=True, check=False
    )
    assert (completed.returncode, completed.stdout.strip()) == (0, f"ecokg {__version__}")
