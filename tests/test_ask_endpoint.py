"""A question of every kind answers against a real Oxigraph server as on the embedded graph
(`ecokg ask --endpoint`): the generated SPARQL runs on the server, not only on pyoxigraph."""

from __future__ import annotations

import json

import pytest
from conftest import OxigraphServer, push_bundled

pytestmark = pytest.mark.server

# One question of each kind of the contract (the answers are checked in test_ask_compositional).
QUESTIONS = [
    "低产低效林改造的投资估算是多少？",  # lookup
    "Which projects does the Water Resources Bureau lead?",  # filter
    "水利局管的项目一共花多少钱",  # total
    "投资最多的三个项目",  # superlative
    "Which townships are in the north-east zone?",  # membership
    "森林覆盖率2025年的目标值是多少？",  # indicator
    "低产低效林改造的投资比森林抚育多吗？",  # yes/no (a comparison)
    "哪些项目没有牵头单位？",  # negation
    "田心镇的项目由哪些部门牵头？",  # multi-hop
    "who runs the forest tending project",  # colloquial
]


@pytest.fixture(scope="module")
def endpoint(oxigraph_server: OxigraphServer) -> str:
    push_bundled(oxigraph_server)
    return oxigraph_server.query_url


def _comparable(answer: dict) -> dict:
    structured = answer["answer"]
    items = [item["iri"] for item in structured["items"]]
    ordered = structured["kind"] in {"top", "comparison", "yesno", "max", "min"}
    return {
        "kind": structured["kind"],
        "value": structured["value"],
        "unit": structured["unit"],
        "items": items if ordered else sorted(items),
        "sentence": answer["sentence"] if ordered else None,
    }


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_kind_answers_on_the_server(endpoint: str, run_cli, question: str) -> None:
    code, local, err = run_cli("ask", question, "--format", "json")
    assert code == 0, err
    code, remote, err = run_cli("ask", question, "--format", "json", "--endpoint", endpoint)
    assert code == 0, err
    assert _comparable(json.loads(remote)) == _comparable(json.loads(local))


def test_a_refusal_is_a_refusal_on_the_server(endpoint: str, run_cli) -> None:
    code, out, err = run_cli("ask", "森林覆盖率2035年的目标值是多少？", "--endpoint", endpoint)
    assert code == 2 and out == "" and err.startswith("ecokg: error: ")
