"""Hostile inputs a stranger tried on a fresh install (issue 13 review): each one once gave
exit 70, a traceback or a crash; each must be a one-line error (exit 2) or a right answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import RunCli


def test_malformed_endpoint_url_is_an_input_error_not_a_bug(run_cli: RunCli) -> None:
    code, _, err = run_cli("sparql", "ASK {}", "--endpoint", "http://[::1")
    assert code == 2, err
    assert "internal error" not in err


def test_deeply_nested_json_ld_is_an_input_error(run_cli: RunCli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonld"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = run_cli("--no-bundled", "--no-inferred", "--data", deep, "info")
    assert code == 2, err
    assert "internal error" not in err


def test_an_invalid_decimal_literal_prints_no_traceback(tmp_path: Path) -> None:
    # rdflib logs the traceback; pytest's logging capture would hide it in-process.
    data = tmp_path / "bad-decimal.ttl"
    data.write_text(
        "@prefix qudt: <http://qudt.org/schema/qudt/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/ecokg/id/360923/figure/inv-historic-abandoned-mine-restoration>"
        ' qudt:numericValue "abc"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "ecokg", "--no-inferred", "--data", str(data), "audit", "-fjson"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr[:300]


def test_deeply_nested_sparql_does_not_crash_the_process(tmp_path: Path) -> None:
    # A segfault cannot be caught in-process: run the CLI in a child.
    query = tmp_path / "deep.rq"
    query.write_text("SELECT * { " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000 + " }", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ecokg", "--no-inferred", "sparql", f"@{query}", "-f", "csv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 2), (done.returncode, done.stderr[-300:])


def test_audit_refuses_a_non_positive_timeout_like_the_other_verbs(run_mini: RunCli) -> None:
    code, _, err = run_mini("audit", "--timeout", "0")
    assert code == 2, err
    assert "--timeout" in err


def test_bad_endpoint_urls_on_push_are_input_errors(run_cli: RunCli) -> None:
    for url in ("http://[::1", "http://127.0.0.1:99999/query"):
        code, _, err = run_cli("push", "--endpoint", url)
        assert code == 2 and "not a valid URL" in err, err


def test_from_chooses_the_default_graph(run_mini: RunCli) -> None:
    """FROM names the query's default graph; without FROM it is the union of the graphs."""

    def count(query: str) -> int:
        code, out, err = run_mini("sparql", query, "-f", "csv")
        assert code == 0, err
        return int(out.splitlines()[1])

    union = count("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    ontology = count(
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/ecokg/graph/ontology> { ?s ?p ?o }"
    )
    assert 0 < ontology < union
    assert count("SELECT (COUNT(*) AS ?n) FROM <http://example.org/none> { ?s ?p ?o }") == 0
    named = "SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/ecokg/graph/ontology> "
    assert count(named + "{ GRAPH ?g { ?s ?p ?o } }") == ontology


def test_timeouts_that_are_not_a_number_of_seconds_are_refused(run_mini: RunCli) -> None:
    for value in ("inf", "nan", "-1"):
        code, _, err = run_mini("sparql", "ASK {}", f"--timeout={value}")
        assert code == 2 and "positive number of seconds" in err, (value, err)


def test_an_empty_output_name_is_refused(run_mini: RunCli) -> None:
    code, _, err = run_mini("export", "--part", "ontology", "-o", "")
    assert code == 2 and "empty file name" in err


def test_an_english_question_with_a_chinese_name_is_answered_in_english(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "  Which projects are implemented in 泗溪镇?")
    assert code == 0, err
    assert "Projects implemented in a township" in out and "Sixi" in out
    code, out, err = run_cli("ask", "泗溪镇有哪些project")
    assert code == 0 and "在某乡镇实施的子项目" in out, err


def test_a_directory_given_as_data_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli("--no-inferred", "--data", tmp_path, "info")
    assert code == 2 and "is a directory" in err


def test_dataset_options_may_all_come_before_the_verb(run_mini: RunCli) -> None:
    code, _, err = run_mini("--reason-limit", "0", "info")
    assert code == 0, err
