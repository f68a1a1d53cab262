"""The remote store and ``ecokg push`` against real Oxigraph and Virtuoso servers, and their
error paths.

Tests marked ``server`` run once per store: ``oxigraph serve`` (tests/oxigraph_server.py) and
Virtuoso 7 (tests/virtuoso_server.py), both on 127.0.0.1; without a store's binary its tests
are skipped — except under CI=true, where that is a failure. docs/stores.md lists what differs.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunCli, SparqlServer, push_bundled
from fake_http import answer
from oxigraph_server import free_port, running_oxigraph
from virtuoso_server import VirtuosoServer, running_virtuoso

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.kb import load_dataset, open_store
from ecokg.publish import push as pushing
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    inferred_graph,
    plan_graph,
)
from ecokg.stores.base import Store
from ecokg.stores.binding import bind_with_values
from ecokg.stores.local import Dataset
from ecokg.stores.remote import Auth, RemoteStore

PARAMS_FILE = Path(__file__).parent / "query_params.json"
EXAMPLES = re.compile(r"\(e\.g\.\s*([^)]*)\)")
ORDER_BY = re.compile(r"\bORDER\s+BY\b(?P<keys>[^{}]*)$", re.IGNORECASE | re.DOTALL)
GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?P<args>[^()]*)\)[^?]*?\bAS\s*\?(?P<name>\w+)", re.IGNORECASE
)
SEPARATOR = re.compile(r"separator\s*=\s*(?P<q>[\"'])(?P<sep>.*?)(?P=q)", re.IGNORECASE)
SIMPLE_KEY = re.compile(r"^(?:(?:ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))$", re.IGNORECASE)


@pytest.fixture(scope="module")
def pushed(server: SparqlServer, dataset: Dataset) -> RemoteStore:
    """The bundled dataset pushed (``ecokg push``) to the module's server; its RemoteStore."""
    push_bundled(server)
    return RemoteStore(server.query_url, timeout=60)


# --- the same rows remotely as embedded ----------------------------------------------------


def _param_sets(query: querylib.NamedQuery) -> list[dict[str, str]]:
    """Values from tests/query_params.json (else the header's default or first example),
    then each further example of the header's ``(e.g. A, B)``, one parameter at a time."""
    table = json.loads(PARAMS_FILE.read_text(encoding="utf-8")).get(query.name, {})
    base: dict[str, str] = {}
    extra: list[dict[str, str]] = []
    for param in query.params:
        match = EXAMPLES.search(param.description)
        examples = [v.strip() for v in match.group(1).split(",")] if match else []
        given = table.get(param.name, param.default or (examples[0] if examples else None))
        if given is None:
            pytest.fail(f"{query.name}: give a value for {param.name} in {PARAMS_FILE.name}")
        base[param.name] = given
        extra += [{param.name: example} for example in examples if example and example != given]
    return [base, *({**base, **change} for change in extra)]


BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
CANONICAL_BOOLEANS = {"1": "true", "0": "false"}  # Virtuoso answers a stored true as "1"


def _term_key(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value == BOOLEAN:
        value = CANONICAL_BOOLEANS.get(term.value, term.value)
        return str(ox.Literal(value, datatype=term.datatype))
    return "_:b" if isinstance(term, ox.BlankNode) else str(term)  # N-Triples form


def _rows(result: object) -> tuple[list[str], list[tuple[str, ...]]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    return names, [tuple(_term_key(s[i]) for i in range(len(names))) for s in result]


def _concat_normalised(query_text: str, names: list[str], rows: list[tuple[str, ...]]) -> list:
    """GROUP_CONCAT joins values in no specified order (engines differ): sort the items.
    Over no values, Oxigraph leaves it unbound and Virtuoso gives "": both count as ""."""
    separators = {
        match["name"]: (sep["sep"] if (sep := SEPARATOR.search(match["args"])) else " ")
        for match in GROUP_CONCAT.finditer(query_text)
    }
    columns = {names.index(name): sep for name, sep in separators.items() if name in names}

    def normal(index: int, cell: str) -> str:
        separator = columns.get(index)
        if separator is not None and cell == "":
            return '""'
        if separator is None or not cell.startswith('"'):
            return cell
        body, tail = cell[1:].rsplit('"', 1)
        return '"' + separator.join(sorted(body.split(separator))) + '"' + tail

    return [tuple(normal(i, cell) for i, cell in enumerate(row)) for row in rows]


def _order_keys(query_text: str, names: list[str]) -> list[int] | None:
    """Columns of a top-level ORDER BY made of plain variables, else None."""
    match = ORDER_BY.search(querylib.strip_comment_lines(query_text))
    if not match:
        return None
    keys = re.split(r"\s+(?=(?:ASC|DESC)\s*\(|\?)", match.group("keys").split("LIMIT")[0].strip())
    columns = []
    for key in keys:
        simple = SIMPLE_KEY.match(key.strip())
        name = simple and (simple.group(1) or simple.group(2))
        if not name or name not in names:
            return None
        columns.append(names.index(name))
    return columns


QUERIES = [path.stem for path in resources.query_files()]


@pytest.mark.server
@pytest.mark.parametrize("name", QUERIES)
def test_named_query_gives_the_same_rows_remotely(
    name: str, dataset: Dataset, pushed: RemoteStore
) -> None:
    query = querylib.get_named_query(name)
    for values in _param_sets(query):
        try:
            embedded = _rows(querylib.run_named_query(dataset, query, values))
        except UsageError as error:  # e.g. an ambiguous example label: the same error remotely
            with pytest.raises(UsageError) as remote_error:
                querylib.run_named_query(pushed, query, values)
            assert remote_error.value.message == error.message
            continue
        remote = _rows(querylib.run_named_query(pushed, query, values))
        assert remote[0] == embedded[0], f"{name} {values}: other variables"
        assert Counter(_concat_normalised(query.text, *remote)) == Counter(
            _concat_normalised(query.text, *embedded)
        ), f"{name} {values}: other rows"
        columns = _order_keys(query.text, embedded[0])
        if columns is not None:  # ORDER BY: the same sequence of sort keys
            sequence = [[row[i] for i in columns] for row in embedded[1]]
            assert [[row[i] for i in columns] for row in remote[1]] == sequence, name


@pytest.mark.server
def test_default_graph_is_the_union_and_graph_names_work(
    dataset: Dataset, pushed: RemoteStore, server: SparqlServer
) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    for pattern in (
        "?s ?p ?o",
        f"GRAPH <{inferred_graph(BUNDLED_CODE)}> {{ ?s ?p ?o }}",
        f"GRAPH <{plan_graph(BUNDLED_CODE)}> {{ ?s ?p ?o }}",
    ):
        assert _rows(pushed.query(count % pattern)) == _rows(dataset.query(count % pattern))
    without = open_store(endpoint=server.query_url, inferred=False)
    local = load_dataset(inferred=False)
    assert _rows(without.query(count % "?s ?p ?o")) == _rows(local.query(count % "?s ?p ?o"))


@pytest.mark.server
def test_ask_construct_and_labels_agree(dataset: Dataset, pushed: RemoteStore) -> None:
    ask = "ASK { ?p a eco:Project ; eco:implementedIn ?t }"
    assert bool(pushed.query(ask)) is bool(dataset.query(ask)) is True
    construct = "CONSTRUCT { ?t rdfs:label ?l } WHERE { ?t a eco:Township ; rdfs:label ?l }"
    remote, local = pushed.query(construct), dataset.query(construct)
    assert isinstance(remote, ox.QueryTriples)
    assert {str(t) for t in remote} == {str(t) for t in local}
    iris = {row[0][1:-1] for row in _rows(dataset.query("SELECT ?t { ?t a eco:Township }"))[1]}
    for lang in ("zh", "en"):
        assert pushed.labels(iris, lang) == dataset.labels(iris, lang)


@pytest.mark.server
def test_blank_nodes_come_back(dataset: Dataset, pushed: RemoteStore) -> None:
    sparql = f"SELECT ?s ?p {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o FILTER(isBlank(?s)) }} }}"
    remote, local = _rows(pushed.query(sparql))[1], _rows(dataset.query(sparql))[1]
    assert Counter(remote) == Counter(local) and len(local) > 10


@pytest.mark.server
def test_bound_values_are_escaped_not_spliced(pushed: RemoteStore) -> None:
    hostile = ox.Literal('x"} } ; DROP ALL # \n \\ \' """ <a>')
    for term in (
        hostile,
        ox.Literal("泗溪", language="zh"),
        ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ):
        result = pushed.query("SELECT ?x WHERE { }", {"x": term})
        assert _rows(result)[1] == [(str(term),)]
    with pytest.raises(UsageError, match="backslash"):
        pushed.query("SELECT ?x WHERE { }", {"x": ox.Literal("\\u0022")})


@pytest.mark.server
def test_cli_query_and_sparql_with_endpoint(
    run_cli: RunCli, server: SparqlServer, pushed: RemoteStore
) -> None:
    args = ("query", "projects-in-township", "--param", "township=泗溪镇", "--format", "csv")
    local = run_cli(*args)
    remote = run_cli(*args, "--endpoint", server.query_url, "--timeout", "20")
    assert remote == local and local[0] == 0 and local[1].count("\n") > 1
    table = run_cli(
        "sparql",
        "SELECT ?t WHERE { ?t a eco:Township } ORDER BY ?t LIMIT 2",
        "--lang",
        "zh",
        "--endpoint",
        server.query_url,
    )
    assert table == run_cli(
        "sparql", "SELECT ?t WHERE { ?t a eco:Township } ORDER BY ?t LIMIT 2", "--lang", "zh"
    )
    code, _, err = run_cli("sparql", "SELECT * WHERE { ?s ?p }", "--endpoint", server.query_url)
    assert code == 2 and err.startswith("ecokg: error: query:1:") and err.count("\n") == 1


# --- push ----------------------------------------------------------------------------------


def _version_file(directory: Path, version: str) -> Path:
    path = directory / f"plan-{version}.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/ecokg/id/test/marker> rdfs:label "version {version}" .\n',
        encoding="utf-8",
    )
    return path


def _marker(store: Store) -> list[str]:
    query = (
        f"SELECT ?l WHERE {{ GRAPH <{GRAPH_PLAN}> "
        "{ <https://w3id.org/ecokg/id/test/marker> rdfs:label ?l } }"
    )
    return [row[0] for row in _rows(store.query(query))[1]]


@pytest.fixture(scope="module")
def scratch_virtuoso(
    virtuoso_binaries: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoServer]:
    """A Virtuoso for the push tests, apart from the session's (which holds the dataset)."""
    with running_virtuoso(tmp_path_factory.mktemp("scratch-virtuoso"), virtuoso_binaries) as srv:
        yield srv


@pytest.fixture(params=["oxigraph", "virtuoso"])
def fresh_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SparqlServer]:
    """An Oxigraph server of its own, or the module's scratch Virtuoso (slower to start; each
    test pushes its own first version of the graphs)."""
    if request.param == "virtuoso":
        yield request.getfixturevalue("scratch_virtuoso")
        return
    with running_oxigraph(tmp_path / "db", request.getfixturevalue("oxigraph_binary")) as srv:
        yield srv


def _push_args(srv: SparqlServer, data: Path) -> list[str | Path]:
    return [
        "push", "--endpoint", srv.query_url, "--store-url", srv.store_url,
        "--no-bundled", "--no-inferred", "--data", data,
    ]  # fmt: skip


@pytest.mark.server
@pytest.mark.parametrize("failure", ["rejected", "connection-broken"])
def test_failed_push_keeps_the_previous_graph(
    failure: str,
    fresh_server: SparqlServer,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run_cli(*_push_args(fresh_server, _version_file(tmp_path, "A")))
    assert code == 0 and f"<{GRAPH_PLAN}>: 1 triples" in out
    store = RemoteStore(fresh_server.query_url, timeout=20)
    assert _marker(store) == ['"version A"']
    ontology = f"SELECT * {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}"
    ontology_triples = Counter(_rows(store.query(ontology))[1])

    if failure == "rejected":  # the server refuses a malformed body with 400
        serialise = pushing.serialise_chunks

        def corrupt(part: pushing.Part, size: int) -> Iterator[pushing.Chunk]:
            for chunk in serialise(part, size):
                if part.graph == GRAPH_PLAN:
                    chunk = pushing.Chunk(chunk.triples, chunk.body + b"<broken> .\n")
                yield chunk

        monkeypatch.setattr(pushing, "serialise_chunks", corrupt)
    else:  # the connection dies halfway through the plan's body
        blocks = pushing._blocks

        def broken(body: bytes) -> Iterator[bytes]:
            if b"test/marker" not in body:
                yield from blocks(body)
                return
            yield body[: len(body) // 2]
            raise ConnectionResetError("connection reset (test)")

        monkeypatch.setattr(pushing, "_blocks", broken)
    code, out, err = run_cli(*_push_args(fresh_server, _version_file(tmp_path, "B")))
    assert code == 2 and out == ""
    # The marker file uses no eco: term: one data-check warning, then the one-line error.
    *warnings, error = err.splitlines()
    assert all(line.startswith("ecokg: warning: ") for line in warnings)
    assert error.startswith("ecokg: error: push of graph <")
    assert f"<{GRAPH_PLAN}> failed, it keeps its previous content" in err
    assert f"graphs replaced: {GRAPH_ONTOLOGY}" in err
    time.sleep(0.2)  # let the server notice the broken upload
    assert _marker(store) == ['"version A"']
    assert Counter(_rows(store.query(ontology))[1]) == ontology_triples  # replaced, same


@pytest.mark.server
def test_push_into_one_graph(fresh_server: SparqlServer, run_cli: RunCli, tmp_path: Path) -> None:
    target = "https://example.org/graph/all"
    code, out, _ = run_cli(
        *_push_args(fresh_server, _version_file(tmp_path, "A")), "--graph", target
    )
    assert code == 0 and out.startswith(f"<{target}>:") and out.count("\n") == 1
    store = RemoteStore(fresh_server.query_url, graphs=[target])
    assert bool(store.query('ASK { ?m rdfs:label "version A" . ?c a owl:Class }'))


# --- error paths against small local servers -----------------------------------------------


def _one_error_line(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 2 and out == "", result
    assert err.startswith("ecokg: error: ") and err.count("\n") == 1, err
    return err


def test_unreachable_endpoint_is_one_line(run_cli: RunCli) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    started = time.monotonic()
    err = _one_error_line(run_cli("sparql", "ASK {}", "--endpoint", url, "--timeout", "5"))
    assert "connection refused" in err and time.monotonic() - started < 5


def test_silent_server_times_out(run_cli: RunCli) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        started = time.monotonic()
        err = _one_error_line(
            run_cli("query", "investment-by-programme", "--endpoint", url, "--timeout", "1")
        )
    assert "no answer within 1 s" in err and time.monotonic() - started < 10


def test_http_500_shows_the_servers_first_line(run_cli: RunCli, http_server) -> None:
    url, _ = http_server(answer(500, b"database on fire\nstack trace line\n"))
    err = _one_error_line(run_cli("sparql", "ASK {}", "--endpoint", url + "/query"))
    assert "HTTP 500" in err and "database on fire" in err and "stack trace" not in err


def test_malformed_and_oversized_responses(run_cli: RunCli, http_server) -> None:
    url, _ = http_server(answer(200, b'{"head": {"vars": [', "application/sparql-results+json"))
    err = _one_error_line(run_cli("sparql", "SELECT * { ?s ?p ?o }", "--endpoint", url))
    assert "malformed response" in err
    url, _ = http_server(answer(200, b"<a> <b> <c> .\n", "text/html"))
    err = _one_error_line(run_cli("sparql", "CONSTRUCT WHERE { ?s ?p ?o }", "--endpoint", url))
    assert "unexpected content type 'text/html'" in err
    big = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{}] * 500}}).encode()
    url, _ = http_server(answer(200, big, "application/sparql-results+json"))
    assert len(_rows(RemoteStore(url).query("SELECT ?x { }"))[1]) == 500
    with pytest.raises(InputError, match="exceeds 1000 bytes"):
        RemoteStore(url, max_bytes=1000).query("SELECT ?x { }")


def test_virtuoso_blank_node_labels_are_read(http_server) -> None:
    """Virtuoso labels blank nodes nodeID://b1 in its results; a literal stays as it is."""
    json_body = (
        b'{"head": {"vars": ["s"]}, "results": {"bindings": ['
        b'{"s": {"type": "bnode", "value": "nodeID://b10195"}},'
        b'{"s": {"type": "literal", "value": "nodeID://b1"}}]}}'
    )
    xml_body = (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="s"/></head><results>'
        b'<result><binding name="s"><bnode>nodeID://b10195</bnode></binding></result>'
        b'<result><binding name="s"><literal>nodeID://b1</literal></binding></result>'
        b"</results></sparql>"
    )
    for body, content_type in (
        (json_body, "application/sparql-results+json"),
        (xml_body, "application/sparql-results+xml"),
    ):
        url, _ = http_server(answer(200, body, content_type))
        rows = [solution["s"] for solution in RemoteStore(url).query("SELECT ?s { }")]
        assert isinstance(rows[0], ox.BlankNode) and rows[1] == ox.Literal("nodeID://b1")


def test_push_sends_credentials(
    run_cli: RunCli, http_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = http_server(answer(403, b"forbidden: read-only endpoint\n"))
    push = ["push", "--endpoint", f"{url}/query", "--no-bundled", "--no-inferred"]
    err = _one_error_line(run_cli(*push, "--user", "ada", "--password", "s3cret:x"))
    assert "HTTP 403" in err and "forbidden: read-only endpoint" in err
    assert (
        seen.headers[-1]["Authorization"] == "Basic " + base64.b64encode(b"ada:s3cret:x").decode()
    )
    assert seen.headers[-1]["Content-Type"] == "application/n-triples"
    monkeypatch.setenv("MY_TOKEN", "t0ken")
    _one_error_line(run_cli(*push, "--token-env", "MY_TOKEN", "--store-url", f"{url}/gsp"))
    assert seen.headers[-1]["Authorization"] == "Bearer t0ken"
    monkeypatch.delenv("ECOKG_TOKEN", raising=False)
    _one_error_line(run_cli(*push))
    assert "Authorization" not in seen.headers[-1]
    with pytest.raises(InputError):
        RemoteStore(url, auth=Auth(token="q")).query("ASK {}")
    assert seen.headers[-1]["Authorization"] == "Bearer q"


def test_usage_errors(run_cli: RunCli) -> None:
    err = _one_error_line(run_cli("sparql", "ASK {}", "--endpoint", "ftp://x/q"))
    assert "http://" in err
    err = _one_error_line(
        run_cli("sparql", "ASK {}", "--endpoint", "http://127.0.0.1:9/q", "--data", "x.ttl")
    )
    assert "--data" in err
    err = _one_error_line(run_cli("push", "--endpoint", "http://127.0.0.1:9/q", "--user", "u"))
    assert "--user needs --password" in err
    assert pushing.default_store_url("http://h:7878/query") == "http://h:7878/store"
    assert pushing.default_store_url("https://h/ds/sparql?x=1") == "https://h/ds/store"
    assert pushing.graph_url("http://h/store", "https://g/a#b") == (
        "http://h/store?graph=https%3A%2F%2Fg%2Fa%23b"
    )


# --- VALUES binding gives what substitution gives (embedded, no server) ---------------------

BINDING_CASES = [
    "SELECT ?t ?l ?lang WHERE { ?t rdfs:label ?l FILTER(LANG(?l) = ?lang) }",
    "SELECT ?t ?l ?lang WHERE { ?t a eco:Township "
    "OPTIONAL { ?t rdfs:label ?l FILTER(LANG(?l) = ?lang) } }",
    "SELECT ?lang ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l } } }",
    '# a comment with { braces }\nSELECT ?t ?lang WHERE { ?t a eco:Township ; rdfs:label "{" }',
    "SELECT ?lang (STRLEN('}') AS ?x) WHERE { ?t a eco:Township } LIMIT 1",
    "CONSTRUCT { ?t rdfs:comment ?lang } WHERE { ?t a eco:Township }",
    "CONSTRUCT WHERE { ?t rdfs:label ?lang }",
    "DESCRIBE ?lang",
]


@pytest.fixture(scope="module")
def mini_stated() -> Dataset:
    return load_dataset(
        [Path(__file__).parent / "fixtures" / "mini.ttl"], bundled=False, inferred=False
    )


@pytest.mark.parametrize("sparql", BINDING_CASES)
def test_values_binding_matches_substitution(sparql: str, mini_stated: Dataset) -> None:
    bindings: dict[str, ox.NamedNode | ox.Literal] = {"lang": ox.Literal("en")}
    rewritten = bind_with_values(sparql, bindings)
    assert 'VALUES (?lang) { ("en") }' in rewritten
    substituted = mini_stated.query(sparql, bindings)
    joined = mini_stated.query(rewritten)
    if isinstance(substituted, ox.QuerySolutions):
        assert Counter(_rows(joined)[1]) == Counter(_rows(substituted)[1])
    elif isinstance(substituted, ox.QueryTriples):
        assert {str(t) for t in joined} == {str(t) for t in substituted}
    else:
        assert bool(joined) == bool(substituted)
