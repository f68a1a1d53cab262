"""``ecokg push`` of graphs larger than a request: chunks (PUT, then POSTs) that arrive whole,
blank nodes included; a chunk that fails; several plans' graphs under their own names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import MINI, RunCli, SparqlServer
from oxigraph_server import OxigraphServer, running_oxigraph

from ecokg.kb import load_dataset
from ecokg.publish import push as pushing
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    inferred_graph,
    plan_graph,
)
from ecokg.stores.local import Dataset
from ecokg.stores.remote import RemoteStore
from ecokg.stores.version import META_GRAPH, read_record

pytestmark = pytest.mark.server

# Triples joined through a blank node: they must arrive joined, not as two strangers.
BLANK_JOINS = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?b . ?b ?q ?o FILTER(isBlank(?b)) } }"
)
GROUND = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } }"


@pytest.fixture
def fresh_oxigraph(oxigraph_binary: str, tmp_path: Path) -> Iterator[OxigraphServer]:
    with running_oxigraph(tmp_path / "db", oxigraph_binary) as srv:
        yield srv


@pytest.fixture(params=["oxigraph", "virtuoso"])
def either_server(request: pytest.FixtureRequest) -> SparqlServer:
    """A fresh Oxigraph, or the session's Virtuoso (a push replaces its graphs with the
    bundled ones it already holds)."""
    return request.getfixturevalue("fresh_oxigraph" if request.param == "oxigraph" else "virtuoso")


@pytest.fixture
def requests_sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(method, graph) of every Graph Store request push sends."""
    seen: list[tuple[str, str]] = []
    send = pushing.send_chunk

    def spy(graph: str, chunk: pushing.Chunk, store_url: str, **options: object):
        seen.append((str(options.get("method", "PUT")), graph))
        return send(graph, chunk, store_url, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pushing, "send_chunk", spy)
    return seen


def _rows(store: Dataset | RemoteStore, sparql: str, graph: str) -> Counter[tuple[str, ...]]:
    result = store.query(sparql.replace("?g", f"<{graph}>"))
    assert isinstance(result, ox.QuerySolutions)
    return Counter(tuple(str(row[v]) for v in result.variables) for row in result)


def test_graphs_larger_than_a_chunk_arrive_whole(
    either_server: SparqlServer,
    dataset: Dataset,
    run_cli: RunCli,
    requests_sent: list[tuple[str, str]],
) -> None:
    srv = either_server
    code, out, err = run_cli(
        "push", "--endpoint", srv.query_url, "--store", srv.store_url, "--chunk-size", "1000"
    )
    assert code == 0, err
    for graph in (GRAPH_ONTOLOGY, plan_graph(BUNDLED_CODE), inferred_graph(BUNDLED_CODE)):
        size = _rows(dataset, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", graph)
        (count,) = (int(key[0].split('"')[1]) for key in size)
        methods = [method for method, name in requests_sent if name == graph]
        assert methods[0] == "PUT" and set(methods[1:]) <= {"POST"}
        assert len(methods) >= count // 1000, (graph, methods)
        if count > 1000:
            assert f"<{graph}>: {count} triples in " in out and f"{len(methods)} requests" in out
        remote = RemoteStore(srv.query_url, graphs=[graph])
        if isinstance(srv, OxigraphServer):  # Virtuoso normalises literals (docs/stores.md)
            assert _rows(remote, GROUND, graph) == _rows(dataset, GROUND, graph)
        assert _rows(remote, BLANK_JOINS, graph) == _rows(dataset, BLANK_JOINS, graph)
    assert len([g for _, g in requests_sent if g == GRAPH_ONTOLOGY]) > 1  # it has blank nodes
    record = read_record(srv.query_url)
    assert record is not None and record.version is not None


def _numbered(directory: Path, count: int) -> Path:
    path = directory / "numbered.ttl"
    lines = [
        f'<urn:x:thing{i}> <http://www.w3.org/2000/01/rdf-schema#label> "{i}" .'
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_failed_chunk_is_one_line_and_says_what_arrived(
    fresh_oxigraph: OxigraphServer,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    srv = fresh_oxigraph
    args = ["push", "--endpoint", srv.query_url, "--no-bundled", "--no-inferred"]
    code, _, err = run_cli(*args, "--data", MINI)
    assert code == 0 and read_record(srv.query_url) is not None, err
    plan_requests = 0
    blocks = pushing._blocks

    def third_plan_request_breaks(body: bytes) -> Iterator[bytes]:
        nonlocal plan_requests
        if b"urn:x:thing" in body:
            plan_requests += 1
            if plan_requests == 3:
                yield body[:10]
                raise ConnectionResetError("connection reset (test)")
        yield from blocks(body)

    monkeypatch.setattr(pushing, "_blocks", third_plan_request_breaks)
    data = _numbered(tmp_path, 35)
    code, out, err = run_cli(*args, "--data", data, "--chunk-size", "10")
    assert code == 2 and out == "", (code, out, err)
    error = err.splitlines()[-1]
    assert error.startswith(f"ecokg: error: push of graph <{GRAPH_PLAN}> failed, it is incomplete")
    assert "incomplete on the server: 2 of 4 chunks (20 of 35 triples) arrived; push again" in error
    assert f"graphs replaced: {GRAPH_ONTOLOGY})" in error and "connection broken" in error
    remote = RemoteStore(srv.query_url, graphs=[GRAPH_PLAN])
    assert _rows(remote, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", GRAPH_PLAN) == (
        Counter({('"20"^^<http://www.w3.org/2001/XMLSchema#integer>',): 1})
    )
    record = read_record(srv.query_url)  # the data changed: no version a cache could trust
    assert record is not None and record.version is None


def test_a_bad_chunk_size_is_a_usage_error(run_cli: RunCli) -> None:
    code, out, err = run_cli("push", "--endpoint", "http://127.0.0.1:9/q", "--chunk-size", "0")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--chunk-size 0" in err


def test_two_plans_are_pushed_under_their_own_graphs(
    fresh_oxigraph: OxigraphServer, tmp_path: Path
) -> None:
    """The graph names come from the dataset (…/graph/plan/{code} per plan), none is merged."""
    stated = load_dataset([MINI], bundled=False, inferred=False)
    dataset = Dataset()
    for file in stated.files:
        if file.graph == GRAPH_ONTOLOGY:
            dataset.load_file(file.path, GRAPH_ONTOLOGY)
    sizes = {}
    for code, count in (("361001", 7), ("361002", 12)):
        (tmp_path / code).mkdir()
        sizes[plan_graph(code)] = dataset.load_file(
            _numbered(tmp_path / code, count), plan_graph(code)
        ).triples
    parts = pushing.plan_parts(dataset)
    assert [part.graph for part in parts] == [GRAPH_ONTOLOGY, *sizes]
    pushed = pushing.push_parts(parts, fresh_oxigraph.store_url, timeout=30, chunk_triples=5)
    counts = pushing.server_counts(
        fresh_oxigraph.query_url, [*sizes, GRAPH_PLAN, META_GRAPH], timeout=30
    )
    assert counts == {**sizes, GRAPH_PLAN: 0, META_GRAPH: 0}
    assert [part.requests for part in pushed[1:]] == [2, 3]
    assert pushing.left_alone(parts) == [inferred_graph("361001"), inferred_graph("361002")]


@pytest.mark.parametrize("chunk", [1, 7])
def test_chunks_keep_blank_node_groups_together(dataset: Dataset, chunk: int) -> None:
    """Every chunk parses on its own into what the graph holds (no blank node split)."""
    (part,) = pushing.plan_parts(_ontology_only(dataset), GRAPH_ONTOLOGY)
    joins = 0
    total = 0
    for piece in pushing.serialise_chunks(part, chunk):
        scratch = ox.Store()
        scratch.load(
            piece.body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_ONTOLOGY)
        )
        total += piece.triples
        joins += sum(
            int(key[0].split('"')[1]) * n
            for key, n in _rows(scratch, BLANK_JOINS, GRAPH_ONTOLOGY).items()
        )
    expected = _rows(dataset, BLANK_JOINS, GRAPH_ONTOLOGY)
    assert total == part.triples
    assert joins == sum(int(key[0].split('"')[1]) for key in expected)


def _ontology_only(dataset: Dataset) -> Dataset:
    only = Dataset()
    for file in dataset.files:
        if file.graph == GRAPH_ONTOLOGY:
            only.load_file(file.path, GRAPH_ONTOLOGY)
    return only
