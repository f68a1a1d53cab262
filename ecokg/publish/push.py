"""Upload the dataset to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol.

Each part — the ontology, plan and inferred named graphs, or everything at once with
``graph=IRI`` — is sent as N-Triples in ONE ``PUT <store>?graph=IRI``, which replaces that
graph: a part that fails (HTTP error, broken connection, timeout) leaves the server's previous
content of that graph intact (the Graph Store Protocol PUT is a single operation; Oxigraph
applies it in one transaction). Parts already sent stay replaced; the error says which.

Only the graphs the dataset loaded are sent: a graph left out (``--no-inferred``) keeps what
the server holds, while a loaded graph is sent even when empty (it is what the user has). A
"success" whose body is a web page (a proxy's login page) is an error, and the triples the
server holds afterwards must be those sent (:func:`check_counts`).
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ecokg.errors import EcokgError, InputError, Interrupted
from ecokg.rdf.namespaces import DATASET_GRAPHS
from ecokg.stores.binding import sparql_term
from ecokg.stores.http import (
    USER_AGENT,
    is_html_page,
    media_type,
    open_url,
    page_summary,
    read_bounded,
    redact,
    split_credentials,
)
from ecokg.stores.local import Dataset
from ecokg.stores.remote import Auth, RemoteStore, credentials_from_url

DEFAULT_PUSH_TIMEOUT = 120.0
_CHUNK = 256 * 1024

# progress(graph, bytes sent so far, bytes of this part)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Part:
    """One upload: the target graph, its source graphs and the N-Triples body."""

    graph: str
    sources: tuple[str, ...]
    triples: int
    body: bytes


@dataclass(frozen=True)
class PushedPart:
    """A part the server accepted."""

    graph: str
    triples: int
    bytes: int
    seconds: float
    status: int


def default_store_url(endpoint: str) -> str:
    """The Graph Store endpoint next to a query endpoint: ``…/query`` → ``…/store`` (with
    the endpoint's credentials, if its URL has any)."""
    split_credentials(endpoint)  # a one-line error for an unparsable URL
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--endpoint {redact(endpoint)!r}: expected an http:// or https:// URL")
    path = parts.path.rsplit("/", 1)[0] + "/store"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def graph_url(store_url: str, graph: str) -> str:
    """``store?graph=IRI`` (indirect graph identification)."""
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"


def loaded_graphs(dataset: Dataset) -> tuple[str, ...]:
    """The ecokg graphs the dataset loaded a file into (even an empty one), in order."""
    loaded = {file.graph for file in dataset.files}
    return tuple(name for name in DATASET_GRAPHS if name in loaded)


def left_alone(parts: list[Part]) -> list[str]:
    """The ecokg graphs no part replaces: the server keeps what it holds in them."""
    replaced = {part.graph for part in parts}
    return [name for name in DATASET_GRAPHS if name not in replaced]


def plan_parts(dataset: Dataset, graph: str | None = None) -> list[Part]:
    """The uploads: one per named graph the dataset loaded, or one into ``graph``."""
    sources = loaded_graphs(dataset)
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as error:
            raise InputError(f"--graph {graph!r}: not an absolute IRI ({error})") from None
        groups: list[tuple[str, tuple[str, ...]]] = [(graph, sources)]
    else:
        groups = [(name, (name,)) for name in sources]
    parts = []
    for target, sources in groups:
        triples = {
            quad.triple
            for source in sources
            for quad in dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(source))
        }
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        parts.append(Part(target, sources, len(triples), body))
    return parts


def push_parts(
    parts: list[Part],
    store_url: str,
    *,
    auth: Auth | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
    progress: Progress | None = None,
    held: Callable[[str], int] | None = None,
) -> list[PushedPart]:
    """PUT each part; on the first failure raise an EcokgError naming what was replaced.

    Credentials in ``store_url`` are sent as basic auth unless ``auth`` names a user. A reply
    that is a web page is success only if ``held(graph)`` (the triples the server holds in
    it, read through its query endpoint) equals what was sent: some stores (Virtuoso) answer a
    PUT with an HTML page, and so does a login page or a web app at a wrong URL."""
    if not store_url.startswith(("http://", "https://")):
        raise InputError(f"--store {redact(store_url)!r}: expected an http:// or https:// URL")
    done: list[PushedPart] = []
    for part in parts:
        started = time.perf_counter()
        try:
            status, page = put_graph(part, store_url, auth=auth, timeout=timeout, progress=progress)
            if page is not None and not _holds(held, part):
                raise InputError(
                    f"{redact(graph_url(store_url, part.graph))}: HTTP {status} but the answer "
                    f"is a web page ({page}) and the server does not hold the graph sent: "
                    "a login page or a wrong --store URL?"
                )
        except Interrupted as error:
            replaced = ", ".join(pushed.graph for pushed in done) or "none"
            raise Interrupted(
                f"push interrupted during graph <{part.graph}>, which the server may or may "
                f"not have replaced (graphs replaced before it: {replaced}): {error.message}"
            ) from error
        except EcokgError as error:
            replaced = ", ".join(pushed.graph for pushed in done) or "none"
            raise InputError(
                f"push of graph <{part.graph}> failed, it keeps its previous content "
                f"(graphs replaced: {replaced}): {error.message}"
            ) from error
        seconds = time.perf_counter() - started
        done.append(PushedPart(part.graph, part.triples, len(part.body), seconds, status))
    return done


def _holds(held: Callable[[str], int] | None, part: Part) -> bool:
    """Whether the server holds what was sent in the part's graph (False if it cannot say)."""
    if held is None:
        return False
    try:
        return held(part.graph) == part.triples
    except Interrupted:
        raise
    except EcokgError:
        return False


def put_graph(
    part: Part,
    store_url: str,
    *,
    auth: Auth | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
    progress: Progress | None = None,
) -> tuple[int, str | None]:
    """One Graph Store Protocol PUT replacing ``part.graph``; returns the HTTP status and,
    when the reply is a web page, its title (or "no title")."""
    store_url, auth = credentials_from_url(store_url, auth)
    url = graph_url(store_url, part.graph)
    headers = {
        "Content-Type": "application/n-triples",
        "Content-Length": str(len(part.body)),
        "User-Agent": USER_AGENT,
    }
    header = auth.header() if auth else None
    if header:
        headers["Authorization"] = header
    request = urllib.request.Request(
        url, data=_chunks(part, progress), headers=headers, method="PUT"
    )
    response = open_url(request, timeout)
    content_type = media_type(response)
    body = read_bounded(response, url, max_bytes=1024 * 1024, timeout=timeout)
    if response.status not in (200, 201, 204):
        raise InputError(f"{url}: unexpected HTTP {response.status} {response.reason}")
    page = (page_summary(body) or "no title") if is_html_page(content_type, body) else None
    return response.status, page


def _chunks(part: Part, progress: Progress | None) -> Iterator[bytes]:
    total = len(part.body)
    if progress:
        progress(part.graph, 0, total)
    for start in range(0, total, _CHUNK):
        chunk = part.body[start : start + _CHUNK]
        yield chunk
        if progress:
            progress(part.graph, start + len(chunk), total)


def check_counts(pushed: list[PushedPart], counts: dict[str, int], endpoint: str) -> None:
    """The server must hold, per graph, the triples sent: else an InputError naming each."""
    wrong = [
        f"<{part.graph}> sent {part.triples}, holds {counts.get(part.graph, 0)}"
        for part in pushed
        if counts.get(part.graph, 0) != part.triples
    ]
    if wrong:
        raise InputError(
            f"{redact(endpoint)} does not hold what was sent: {'; '.join(wrong)} "
            "(do --store and --endpoint name the same server and dataset?)"
        )


def server_counts(
    endpoint: str, graphs: list[str], *, auth: Auth | None = None, timeout: float
) -> dict[str, int]:
    """Triples per graph on the server, read back through the query endpoint."""
    store = RemoteStore(endpoint, timeout=timeout, auth=auth, graphs=graphs)
    counts: dict[str, int] = {}
    for graph in graphs:
        name = sparql_term(ox.NamedNode(graph))
        result = store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}", source="count"
        )
        assert isinstance(result, ox.QuerySolutions)
        row = next(iter(result), None)
        value = row["n"] if row is not None else None
        counts[graph] = int(value.value) if isinstance(value, ox.Literal) else 0
    return counts
