"""The remote store and ``ecokg push`` when the other side misbehaves or the user's URL holds
secrets: redirects elsewhere, credentials in URLs, partial pushes, web pages answering 200,
and Ctrl-C. Every server here is started by the test on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import signal
import socket
import threading
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunCli
from fake_http import Handler, Seen, answer
from oxigraph_server import OxigraphServer, free_port

from ecokg.rdf.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PLAN
from ecokg.stores.remote import RemoteStore

SECRET = "s3cret-pw"
LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in - Corporate Proxy</title></head>"
    b"<body><form>password</form></body></html>\n"
)


def count_answer(n: int) -> Handler:
    """A query endpoint whose every graph holds ``n`` triples; a Graph Store accepting PUTs."""
    rows = {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": _integer(n)}]}}

    def handle(request: BaseHTTPRequestHandler, seen: Seen) -> None:
        if request.command == "PUT":
            answer(204)(request, seen)
        else:
            answer(200, json.dumps(rows).encode(), "application/sparql-results+json")(request, seen)

    return handle


def _integer(n: int) -> dict[str, str]:
    return {
        "type": "literal",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
        "value": str(n),
    }


def one_error_line(result: tuple[int, str, str], code: int = 2) -> str:
    got, out, err = result
    assert got == code and out == "", result
    assert err.startswith("ecokg: error: ") and err.count("\n") == 1, err
    return err


PUSH = ("push", "--no-bundled", "--no-inferred")


# --- redirects: nothing is resent elsewhere --------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("verb", ["sparql", "push"])
def test_credentials_never_follow_a_redirect_to_another_origin(
    status: int, verb: str, http_server, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    other, elsewhere = http_server(answer(200, b"{}", "application/sparql-results+json"))
    url, seen = http_server(answer(status, b"moved", Location=f"{other}/collect"))
    monkeypatch.setenv("ECOKG_TOKEN", "t0ken")
    for auth in ([], ["--user", "ada", "--password", SECRET]):
        args = ["sparql", "ASK {}"] if verb == "sparql" else list(PUSH)
        err = one_error_line(run_cli(*args, "--endpoint", f"{url}/query", *auth))
        assert f"redirected (HTTP {status}) to {other}/collect" in err
        assert "not followed" in err and SECRET not in err
    assert len(seen.requests) == 2 and "Authorization" in seen.headers[-1]
    assert elsewhere.requests == []  # neither the token nor the password went there


def test_a_redirect_names_its_target_without_its_credentials(http_server, run_cli: RunCli) -> None:
    url, _ = http_server(answer(308, Location=f"https://ada:{SECRET}@example.org/sparql"))
    err = one_error_line(run_cli("sparql", "ASK {}", "--endpoint", url))
    assert "to https://ada:***@example.org/sparql" in err and SECRET not in err


# --- credentials inside the URL: used, never shown -------------------------------------------


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _with_credentials(url: str, userinfo: str = f"ada:{SECRET}") -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{userinfo}@{rest}"


def test_credentials_in_the_endpoint_are_sent_as_basic_auth(
    http_server, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOKG_TOKEN", "t0ken")
    url, seen = http_server(answer(200, b'{"head": {}, "boolean": true}', "application/json"))
    code, out, err = run_cli("sparql", "ASK {}", "--endpoint", _with_credentials(url) + "/q")
    assert code == 0 and "true" in out.lower() and err == "", (code, out, err)
    assert seen.headers[-1]["Authorization"] == _basic("ada", SECRET)
    assert seen.requests[-1][1].startswith("/q")  # the host is right: no user@ in it
    # percent-escapes are decoded; --user wins over the URL's
    run_cli("sparql", "ASK {}", "--endpoint", _with_credentials(url, "b%40b:p%3Aw%40"))
    assert seen.headers[-1]["Authorization"] == _basic("b@b", "p:w@")
    run_cli(
        "sparql", "ASK {}", "--endpoint", _with_credentials(url), "--user", "u", "--password", "p"
    )
    assert seen.headers[-1]["Authorization"] == _basic("u", "p")
    store = RemoteStore(_with_credentials(url) + "/q")
    assert SECRET not in repr(store) and store.endpoint == url + "/q"


def _silent_server(stack: ExitStack) -> str:
    """A server that accepts connections (backlog) and never answers."""
    silent = stack.enter_context(socket.socket())
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    return f"http://127.0.0.1:{silent.getsockname()[1]}"


FAILURES = ["http-500", "web-page", "malformed", "refused", "timeout", "redirect"]


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("verb", ["query", "push", "push-store"])
def test_no_message_shows_the_password(
    failure: str, verb: str, http_server, run_cli: RunCli
) -> None:
    handlers = {
        "http-500": answer(500, b"database on fire\n"),
        "web-page": answer(200, LOGIN_PAGE, "text/html"),
        "malformed": answer(200, b'{"head": ', "application/sparql-results+json"),
        "redirect": answer(302, Location="/elsewhere"),
    }
    stack = ExitStack()
    if failure == "refused":
        base = f"http://127.0.0.1:{free_port()}"
    elif failure == "timeout":
        base = _silent_server(stack)
    else:
        base, _ = http_server(handlers[failure])
    secret_url = _with_credentials(base)
    if verb == "query":
        args = ["query", "investment-by-programme", "--endpoint", secret_url + "/query"]
    elif verb == "push":
        args = [*PUSH, "--endpoint", secret_url + "/query"]
    else:
        args = [*PUSH, "--endpoint", base + "/query", "--store", secret_url + "/store"]
    with stack:
        err = one_error_line(run_cli(*args, "--timeout", "1"))
    assert SECRET not in err and "127.0.0.1" in err, err


def test_a_bad_scheme_does_not_show_the_password(run_cli: RunCli) -> None:
    for args in (
        ["sparql", "ASK {}", "--endpoint", f"ftp://ada:{SECRET}@h/q"],
        [*PUSH, "--endpoint", "http://127.0.0.1:9/q", "--store", f"ftp://ada:{SECRET}@h/s"],
    ):
        err = one_error_line(run_cli(*args))
        assert "ftp://ada:***@h/" in err and SECRET not in err


@pytest.mark.server
def test_push_uses_the_stores_url_credentials(
    oxigraph_server: OxigraphServer, run_cli: RunCli
) -> None:
    """Oxigraph ignores the header: the push works with the URL's credentials taken out."""
    store = _with_credentials(oxigraph_server.store_url)
    code, out, err = run_cli(*PUSH, "--endpoint", oxigraph_server.query_url, "--store", store)
    assert code == 0 and f"<{GRAPH_ONTOLOGY}>:" in out and SECRET not in out + err


# --- push leaves alone what it did not load ---------------------------------------------------


def _turtle(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _graph_size(store: RemoteStore, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


@pytest.mark.server
def test_push_no_inferred_keeps_the_servers_inferred_graph(
    server: OxigraphServer, run_cli: RunCli, tmp_path: Path
) -> None:
    marker = _turtle(tmp_path, "m.ttl", "<urn:x:a> <urn:x:inferred> <urn:x:b> .\n")
    plan = _turtle(tmp_path, "p.ttl", "<urn:x:a> <urn:x:stated> <urn:x:c> .\n")
    endpoint = ["--endpoint", server.query_url, "--store", server.store_url]
    # the server's inferred graph holds something (put there with --graph)
    code, _, err = run_cli(*PUSH, *endpoint, "--data", marker, "--graph", GRAPH_INFERRED)
    assert code == 0, err
    store = RemoteStore(server.query_url, graphs=[GRAPH_INFERRED, GRAPH_PLAN])
    held = _graph_size(store, GRAPH_INFERRED)
    assert held > 1
    code, out, err = run_cli(*PUSH, *endpoint, "--data", plan)
    assert code == 0, err
    assert f"<{GRAPH_INFERRED}>: not loaded, left as it is on the server" in out
    assert f"<{GRAPH_PLAN}>: 1 triples" in out
    assert _graph_size(store, GRAPH_INFERRED) == held
    # a loaded but empty plan is pushed: the user asked for an empty plan graph
    empty = _turtle(tmp_path, "empty.ttl", "# nothing\n")
    code, out, err = run_cli(*PUSH, *endpoint, "--data", empty)
    assert code == 0 and f"<{GRAPH_PLAN}>: 0 triples" in out, (out, err)
    assert _graph_size(store, GRAPH_PLAN) == 0 and _graph_size(store, GRAPH_INFERRED) == held
    # without --data the plan graph is not loaded either: left as it is
    code, out, _ = run_cli(*PUSH, *endpoint)
    assert code == 0 and f"<{GRAPH_PLAN}>: not loaded" in out


# --- a 200 that is not what it claims -----------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/html", "application/octet-stream"])
def test_a_web_page_answering_a_put_is_not_success(
    content_type: str, http_server, run_cli: RunCli
) -> None:
    url, seen = http_server(answer(200, LOGIN_PAGE, content_type))
    err = one_error_line(run_cli(*PUSH, "--endpoint", f"{url}/query"))
    assert f"{url}/store?graph=" in err and "Sign in - Corporate Proxy" in err
    assert "web page" in err and "does not hold the graph sent" in err
    # stopped at the first: one PUT, then only the query that checks what the server holds
    assert [method for method, _, _ in seen.requests].count("PUT") == 1


def test_counts_read_back_must_match_what_was_sent(
    http_server, run_cli: RunCli, tmp_path: Path
) -> None:
    url, _ = http_server(count_answer(0))  # accepts every PUT, then holds nothing
    code, out, err = run_cli(*PUSH, "--endpoint", f"{url}/query")
    assert code == 2 and err.count("\n") == 1, (code, out, err)
    assert f"does not hold what was sent: <{GRAPH_ONTOLOGY}> sent " in err and "holds 0" in err


@pytest.mark.parametrize(
    "query", ["ASK {}", "SELECT * { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"]
)
@pytest.mark.parametrize("content_type", ["text/html", "application/sparql-results+json"])
def test_a_web_page_answering_a_query_is_refused(
    query: str, content_type: str, http_server, run_cli: RunCli
) -> None:
    url, _ = http_server(answer(200, LOGIN_PAGE, content_type))
    err = one_error_line(run_cli("sparql", query, "--endpoint", url))
    assert url in err and "malformed response" in err
    if content_type == "text/html":
        assert "a web page (Sign in - Corporate Proxy)" in err


# --- Ctrl-C is an interruption, not a timeout ---------------------------------------------------


def _hold(release: threading.Event, arrived: threading.Event) -> Handler:
    """Read the request, then answer nothing until released (a slow server)."""

    def handle(request: BaseHTTPRequestHandler, seen: Seen) -> None:
        arrived.set()
        release.wait(30)

    return handle


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
@pytest.mark.parametrize("verb", ["sparql", "push"])
def test_ctrl_c_during_a_request_is_interrupted(verb: str, http_server, run_cli: RunCli) -> None:
    release, arrived = threading.Event(), threading.Event()
    url, _ = http_server(_hold(release, arrived))
    main_thread = threading.main_thread().ident
    assert main_thread is not None and threading.current_thread() is threading.main_thread()

    def press_ctrl_c() -> None:
        if arrived.wait(20):
            signal.pthread_kill(main_thread, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # even if ignored
    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    try:
        args = ["sparql", "ASK {}"] if verb == "sparql" else list(PUSH)
        result = run_cli(*args, "--endpoint", f"{url}/query", "--timeout", "20")
    finally:
        release.set()
        presser.join()
        signal.signal(signal.SIGINT, previous)
    err = one_error_line(result, code=130)
    assert "interrupted" in err and "within" not in err
    if verb == "push":
        assert f"during graph <{GRAPH_ONTOLOGY}>" in err
