"""`ecokg ask` and `ecokg audit` with --endpoint give what they give on the embedded graph."""

from __future__ import annotations

import json

import pytest
from conftest import SparqlServer, push_bundled

pytestmark = pytest.mark.server

QUESTION = "哪些项目治理泗溪镇的土壤污染？"


@pytest.fixture(scope="module")
def endpoint(server: SparqlServer) -> str:
    push_bundled(server)
    return server.query_url


def test_ask_remote_answers_as_embedded(endpoint: str, run_cli) -> None:
    code, local, _ = run_cli("ask", QUESTION, "--format", "json")
    assert code == 0
    code, remote, err = run_cli("ask", QUESTION, "--format", "json", "--endpoint", endpoint)
    assert code == 0, err
    local_answer, remote_answer = json.loads(local), json.loads(remote)
    assert remote_answer["rows"] == local_answer["rows"]
    assert remote_answer["intent"] == local_answer["intent"]


def test_audit_remote_finds_what_embedded_finds(endpoint: str, run_cli) -> None:
    code, local, _ = run_cli("audit", "--format", "json")
    assert code == 1
    code, remote, err = run_cli("audit", "--format", "json", "--endpoint", endpoint)
    assert code == 1, err

    # Messages list candidates with GROUP_CONCAT, whose order SPARQL leaves open.
    def key(finding: dict) -> tuple:
        return tuple(json.dumps(v, sort_keys=True) for k, v in finding.items() if k != "message")

    assert sorted(map(key, json.loads(remote)["findings"])) == sorted(
        map(key, json.loads(local)["findings"])
    )


def test_ask_unreachable_endpoint_is_one_line(run_cli) -> None:
    from oxigraph_server import free_port

    code, _, err = run_cli("ask", QUESTION, "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert code == 2
    assert err.count("\n") == 1 and "ecokg: error:" in err
