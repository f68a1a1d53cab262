"""`ecokg ask --endpoint` keeps its name index and schema summary cached per endpoint and
dataset version: a second question downloads neither, a new push rebuilds them, and a server
without a version record is trusted only for a short time."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import RunCli
from oxigraph_server import OxigraphServer, running_oxigraph

from ecokg.ask import cache, entities, schema
from ecokg.stores.remote import RemoteStore
from ecokg.stores.version import META_GRAPH

pytestmark = pytest.mark.server

QUESTION = "水利局管的项目一共花多少钱"
# What building the index and the schema summary sends (one query of each is enough).
INDEX_QUERY = entities._LABELS
SCHEMA_QUERY = schema._SCHEMES


@pytest.fixture
def fresh_oxigraph(oxigraph_binary: str, tmp_path: Path) -> Iterator[OxigraphServer]:
    with running_oxigraph(tmp_path / "db", oxigraph_binary) as srv:
        yield srv


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every query a RemoteStore sends."""
    texts: list[str] = []
    post = RemoteStore._post

    def spy(
        self: RemoteStore, text: str, accept: str, graphs: Sequence[str] | None = None
    ) -> tuple[bytes, str]:
        texts.append(text)
        return post(self, text, accept, graphs)

    monkeypatch.setattr(RemoteStore, "_post", spy)
    return texts


def _push(run_cli: RunCli, srv: OxigraphServer) -> None:
    code, _, err = run_cli("push", "--endpoint", srv.query_url, "--store", srv.store_url)
    assert code == 0, err


def _ask(run_cli: RunCli, srv: OxigraphServer, sent: list[str]) -> tuple[dict, list[str]]:
    sent.clear()
    code, out, err = run_cli("ask", QUESTION, "--format", "json", "--endpoint", srv.query_url)
    assert code == 0, err
    return json.loads(out), list(sent)


def _downloads(texts: list[str]) -> tuple[bool, bool]:
    """Whether the index and the schema summary were read from the server."""
    return any(INDEX_QUERY in t for t in texts), any(SCHEMA_QUERY in t for t in texts)


def test_the_index_is_downloaded_once_per_version(
    fresh_oxigraph: OxigraphServer, run_cli: RunCli, sent: list[str]
) -> None:
    _push(run_cli, fresh_oxigraph)
    first, texts = _ask(run_cli, fresh_oxigraph, sent)
    assert _downloads(texts) == (True, True)
    second, texts = _ask(run_cli, fresh_oxigraph, sent)
    assert _downloads(texts) == (False, False) and second == first
    assert sum(META_GRAPH in t for t in texts) == 1  # one small query for the version
    _push(run_cli, fresh_oxigraph)  # a new version: read again, once
    third, texts = _ask(run_cli, fresh_oxigraph, sent)
    assert _downloads(texts) == (True, True) and third == first
    assert _downloads(_ask(run_cli, fresh_oxigraph, sent)[1]) == (False, False)


def test_without_a_version_record_the_index_lives_briefly(
    fresh_oxigraph: OxigraphServer,
    run_cli: RunCli,
    sent: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _push(run_cli, fresh_oxigraph)
    graph = urllib.parse.urlencode({"graph": META_GRAPH})
    request = urllib.request.Request(f"{fresh_oxigraph.store_url}?{graph}", method="DELETE")
    with urllib.request.urlopen(request, timeout=10):  # a server loaded by other means
        pass
    assert _downloads(_ask(run_cli, fresh_oxigraph, sent)[1]) == (True, True)
    assert _downloads(_ask(run_cli, fresh_oxigraph, sent)[1]) == (False, False)
    monkeypatch.setattr(cache, "REMOTE_TTL_SECONDS", -1.0)  # its time is up
    assert _downloads(_ask(run_cli, fresh_oxigraph, sent)[1]) == (True, True)
