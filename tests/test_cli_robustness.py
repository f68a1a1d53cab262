"""Edge cases of the CLI: quiet --output, offline JSON-LD, an unwritable cache, bad options."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINI, RunCli


def test_table_to_output_file_prints_nothing(run_mini: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "answer.txt"
    code, out, _ = run_mini("sparql", "ASK { ?s ?p ?o }", "--format", "table", "--output", target)
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").strip() == "true"


def test_audit_table_to_output_file_prints_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "audit.txt"
    code, out, _ = run_cli("audit", "--output", target, "--format", "table")
    assert code == 1 and out == ""
    assert "S70-project-in-every-register" in target.read_text(encoding="utf-8")


def test_own_json_ld_dump_loads_back_without_network(run_mini: RunCli, tmp_path: Path) -> None:
    """Dumps refer to the published @context by URL; loading them (and reasoning over them)
    uses the shipped copy."""
    dump = tmp_path / "mini.jsonld"
    assert run_mini("export", "--format", "jsonld", "--part", "data", "--output", dump)[0] == 0
    code, out, err = run_mini("info", "--format", "json", "--data", dump)
    assert code == 0, err
    assert str(dump) in out


def test_unwritable_cache_still_reasons(run_cli: RunCli, monkeypatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    code, _, err = run_cli("info", "--no-bundled", "--data", MINI)
    assert code == 0, err


def test_reason_check_is_for_the_bundled_graph_only(run_cli: RunCli) -> None:
    code, _, err = run_cli("reason", "--check", "--no-bundled", "--data", MINI)
    assert code == 2 and "--check" in err


@pytest.mark.parametrize(
    "verb",
    [
        ("push", "--endpoint", "http://127.0.0.1:9/query"),
        ("sparql", "ASK {}", "--endpoint", "http://127.0.0.1:9/query"),
    ],
)
@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_timeout_must_be_positive(run_cli: RunCli, verb: tuple[str, ...], timeout: str) -> None:
    code, _, err = run_cli(*verb, "--timeout", timeout)
    assert code == 2 and "positive number of seconds" in err
    assert err.count("\n") == 1


def test_service_is_refused_locally_unless_allowed(run_mini: RunCli, monkeypatch) -> None:
    """A SERVICE clause would make the embedded engine fetch from any URL."""
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a SERVICE query reached the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    code, out, err = run_mini("sparql", query)
    assert code == 2 and out == ""
    assert "SERVICE is refused" in err and "--allow-service" in err and err.count("\n") == 1
    # the word in a string, an IRI or a comment is no SERVICE clause
    code, out, err = run_mini(
        "sparql", 'SELECT ("SERVICE" AS ?x) WHERE { } # SERVICE <http://x/>', "-f", "csv"
    )
    assert code == 0 and out.splitlines() == ["x", "SERVICE"], err


@pytest.mark.parametrize("fmt", ["ttl", "turtle", "TTL"])
def test_turtle_has_one_name_set_everywhere(run_mini: RunCli, fmt: str) -> None:
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 1"
    assert run_mini("sparql", construct, "-f", fmt)[0] == 0
    assert run_mini("export", "--part", "data", "-f", fmt)[0] == 0
    code, _, err = run_mini("audit", "-f", fmt)
    assert code in (0, 1), err


MINI_ONLY = ("--no-bundled", "--data", str(MINI), "--no-inferred")
INVOCATIONS = {
    "info": ("info", *MINI_ONLY),
    "ask": ("ask", "泗溪镇有哪些项目"),
    "audit": ("audit", *MINI_ONLY),
    "query": ("query", "projects-without-agency", *MINI_ONLY),
    "sparql": ("sparql", "SELECT * WHERE {} LIMIT 0", *MINI_ONLY),
    "export": ("export", "--part", "ontology", *MINI_ONLY),
}


@pytest.mark.parametrize("verb", sorted(INVOCATIONS))
def test_help_lists_only_formats_the_verb_accepts(run_cli: RunCli, verb: str) -> None:
    import re

    code, out, _ = run_cli(verb, "--help")
    assert code == 0
    listed = re.search(r"--format FMT (.*?)\(default", " ".join(out.split()))
    assert listed is not None, out
    names = re.findall(r"[a-z/-]+", re.sub(r"\([^)]*\)", "", listed.group(1)))
    assert names
    for name in names:
        code, _, err = run_cli(*INVOCATIONS[verb], "--format", name)
        assert "--format" not in err, (verb, name, err)


def test_service_on_an_endpoint_is_refused_before_sending(run_cli: RunCli) -> None:
    """Nothing is sent (port 9 would refuse the connection): the SERVICE check comes first."""
    query = "ASK { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    code, _, err = run_cli("sparql", query, "--endpoint", "http://127.0.0.1:9/query")
    assert code == 2 and "SERVICE is refused" in err
    code, _, err = run_cli(
        "sparql", query, "--endpoint", "http://127.0.0.1:9/query", "--allow-service"
    )
    assert code == 2 and "connection refused" in err  # allowed: it went to the server


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX x: <http://e/#ASK> SELECT * { ?s ?p ?o }", "solutions"),
        ("# CONSTRUCT\nASK { ?s ?p 'SELECT' }", "boolean"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "graph"),
        ("DESCRIBE <http://e/x>", "graph"),
    ],
)
def test_query_form_without_parsing(query: str, form: str) -> None:
    from ecokg.stores.binding import query_form

    assert query_form(query) == form
