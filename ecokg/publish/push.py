"""Upload the dataset to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph the dataset loaded (the ontology, and the plan and inferred graphs under
whatever names the dataset gives them, one pair per plan), or everything at once with
``graph=IRI``, is sent as N-Triples in chunks of ``chunk_triples`` triples read from the
store as they are sent (:mod:`ecokg.publish.chunks`): the first chunk in a
``PUT <store>?graph=IRI``, which replaces the graph, the others in ``POST``s, which add to
it. A graph that fits in one chunk is one operation: if it fails (HTTP error, broken
connection, timeout) the server keeps the graph's previous content. A larger graph that
fails after its first chunk is left incomplete on the server, and the error says how much
of it arrived. Parts already sent stay replaced; the error says which. The timeout applies
to each request.

Only the graphs the dataset loaded are sent: a graph left out (``--no-inferred``) keeps what
the server holds, while a loaded graph is sent even when empty (it is what the user has). A
"success" whose body is a web page (a proxy's login page) is an error, and the triples the
server holds afterwards must be those sent (:func:`check_counts`). A push that succeeds
leaves a version record on the server (:mod:`ecokg.stores.version`).
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ecokg.errors import EcokgError, InputError, Interrupted
from ecokg.publish.chunks import (
    DEFAULT_CHUNK_TRIPLES,
    Chunk,
    ContentHash,
    Part,
    chunk_count,
    make_part,
    serialise_chunks,
)
from ecokg.rdf.namespaces import (
    GRAPH_ONTOLOGY,
    graph_code,
    inferred_graph,
    is_inferred_graph,
    is_plan_graph,
    plan_graph,
)
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
from ecokg.stores.version import META_GRAPH, record_triples

__all__ = ["DEFAULT_CHUNK_TRIPLES", "Chunk", "ContentHash", "Part"]

DEFAULT_PUSH_TIMEOUT = 120.0
_BLOCK = 256 * 1024  # bytes per write within one request
_COUNT_BATCH = 50  # graphs per counting query

# progress(graph, triples of it sent so far, triples of the graph)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PushedPart:
    """A part the server accepted, in ``requests`` requests."""

    graph: str
    triples: int
    bytes: int
    seconds: float
    status: int
    requests: int = 1


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
    """The named graphs the dataset loaded a file into (even an empty one), in load order,
    then any other named graph its store holds: the names are the dataset's, not ours."""
    names = dict.fromkeys(file.graph for file in dataset.files)
    held = (graph for graph in dataset.store.named_graphs() if isinstance(graph, ox.NamedNode))
    names.update(dict.fromkeys(sorted(graph.value for graph in held)))
    return tuple(names)


def left_alone(parts: list[Part]) -> list[str]:
    """The ecokg graphs of the plans pushed that no part replaces (the server keeps what
    it holds in them): the ontology, and each plan's stated or inferred graph left out."""
    replaced = [part.graph for part in parts]  # in order: the answer lists plans as pushed
    codes = dict.fromkeys(
        graph_code(name) for name in replaced if is_plan_graph(name) or is_inferred_graph(name)
    ) or {None: None}
    candidates = [GRAPH_ONTOLOGY]
    for code in codes:
        candidates += [plan_graph(code), inferred_graph(code)]
    return [name for name in candidates if name not in replaced]


def plan_parts(dataset: Dataset, graph: str | None = None) -> list[Part]:
    """The uploads: one per named graph the dataset loaded, or one into ``graph``. Nothing
    is serialised yet: each part is read from the store as it is sent."""
    sources = loaded_graphs(dataset)
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as error:
            raise InputError(f"--graph {graph!r}: not an absolute IRI ({error})") from None
        return [make_part(dataset.store, graph, sources)] if sources else []
    return [make_part(dataset.store, name, (name,)) for name in sources]


def push_parts(
    parts: list[Part],
    store_url: str,
    *,
    auth: Auth | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
    progress: Progress | None = None,
    held: Callable[[str], int] | None = None,
    chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
    content: ContentHash | None = None,
    changing: Callable[[], None] | None = None,
) -> list[PushedPart]:
    """Send each part in chunks (PUT, then POSTs); on the first failure raise an EcokgError
    naming what was replaced and what arrived of the failing graph.

    Credentials in ``store_url`` are sent as basic auth unless ``auth`` names a user. A reply
    that is a web page is success only if ``held(graph)`` (the triples the server holds in
    it, read through its query endpoint) equals what was sent so far: some stores (Virtuoso)
    answer with an HTML page, and so does a login page or a web app at a wrong URL.
    ``content`` collects a hash of every body sent; ``changing()`` is called once, when the
    server has accepted the first chunk (its data has begun to change)."""
    if not store_url.startswith(("http://", "https://")):
        raise InputError(f"--store {redact(store_url)!r}: expected an http:// or https:// URL")
    done: list[PushedPart] = []
    for part in parts:
        started = time.perf_counter()
        requests = sent = size = status = 0
        if progress:
            progress(part.graph, 0, part.triples)
        try:
            for chunk in serialise_chunks(part, chunk_triples):
                method = "POST" if requests else "PUT"
                status, page = send_chunk(
                    part.graph, chunk, store_url, method=method, auth=auth, timeout=timeout
                )
                requests, sent, size = requests + 1, sent + chunk.triples, size + len(chunk.body)
                if page is not None and not _holds(held, part.graph, sent):
                    raise InputError(
                        f"{redact(graph_url(store_url, part.graph))}: HTTP {status} but the "
                        f"answer is a web page ({page}) and the server does not hold the graph "
                        "sent: a login page or a wrong --store URL?"
                    )
                if changing is not None:
                    announce, changing = changing, None
                    announce()
                if content is not None:
                    content.add(part.graph, chunk.body)
                if progress:
                    progress(part.graph, sent, part.triples)
        except Interrupted as error:
            raise Interrupted(
                f"push interrupted during graph <{part.graph}>, which the server may or may "
                f"not have replaced{_arrived(part, requests, sent, chunk_triples)} "
                f"(graphs replaced before it: {_replaced(done)}): {error.message}"
            ) from error
        except EcokgError as error:
            if requests == 0:
                state = "it keeps its previous content"
            else:
                state = (
                    "it is incomplete on the server"
                    f"{_arrived(part, requests, sent, chunk_triples)}; push again"
                )
            raise InputError(
                f"push of graph <{part.graph}> failed, {state} "
                f"(graphs replaced: {_replaced(done)}): {error.message}"
            ) from error
        seconds = time.perf_counter() - started
        done.append(PushedPart(part.graph, part.triples, size, seconds, status, requests))
    return done


def _replaced(done: list[PushedPart]) -> str:
    return ", ".join(pushed.graph for pushed in done) or "none"


def _arrived(part: Part, requests: int, sent: int, chunk_triples: int) -> str:
    if requests == 0:
        return ""
    total = chunk_count(part, chunk_triples)
    return f": {requests} of {total} chunks ({sent} of {part.triples} triples) arrived"


def _holds(held: Callable[[str], int] | None, graph: str, sent: int) -> bool:
    """Whether the server holds what was sent in the graph (False if it cannot say)."""
    if held is None:
        return False
    try:
        return held(graph) == sent
    except Interrupted:
        raise
    except EcokgError:
        return False


def send_chunk(
    graph: str,
    chunk: Chunk,
    store_url: str,
    *,
    method: str = "PUT",
    auth: Auth | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
) -> tuple[int, str | None]:
    """One Graph Store Protocol request: PUT replaces ``graph``, POST adds to it. Returns
    the HTTP status and, when the reply is a web page, its title (or "no title")."""
    store_url, auth = credentials_from_url(store_url, auth)
    url = graph_url(store_url, graph)
    headers = {
        "Content-Type": "application/n-triples",
        "Content-Length": str(len(chunk.body)),
        "User-Agent": USER_AGENT,
    }
    header = auth.header() if auth else None
    if header:
        headers["Authorization"] = header
    request = urllib.request.Request(url, data=_blocks(chunk.body), headers=headers, method=method)
    response = open_url(request, timeout)
    content_type = media_type(response)
    body = read_bounded(response, url, max_bytes=1024 * 1024, timeout=timeout)
    if response.status not in (200, 201, 204):
        raise InputError(f"{url}: unexpected HTTP {response.status} {response.reason}")
    page = (page_summary(body) or "no title") if is_html_page(content_type, body) else None
    return response.status, page


def _blocks(body: bytes) -> Iterator[bytes]:
    """The request body in blocks (a generator, so a test can break the connection)."""
    for start in range(0, len(body), _BLOCK):
        yield body[start : start + _BLOCK]


# --- the version record (ecokg.stores.version) ---------------------------------------------


def write_record(
    store_url: str,
    checksum: str | None,
    *,
    triples: int | None = None,
    auth: Auth | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
) -> None:
    """Replace the server's version record (one small PUT)."""
    triples_of_record = record_triples(checksum, triples)
    body = ox.serialize(triples_of_record, format=ox.RdfFormat.N_TRIPLES) or b""
    try:
        send_chunk(
            META_GRAPH, Chunk(len(triples_of_record), body), store_url, auth=auth, timeout=timeout
        )
    except Interrupted:
        raise
    except EcokgError as error:
        raise InputError(
            f"the version record <{META_GRAPH}> could not be written (caches of this "
            f"server may be stale): {error.message}"
        ) from error


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
    """Triples per graph on the server, read back through the query endpoint (one query per
    batch of graphs, so that a province's hundreds of graphs take a few requests)."""
    counts: dict[str, int] = {}
    for start in range(0, len(graphs), _COUNT_BATCH):
        batch = graphs[start : start + _COUNT_BATCH]
        store = RemoteStore(endpoint, timeout=timeout, auth=auth, graphs=batch)
        names = " ".join(sparql_term(ox.NamedNode(graph)) for graph in batch)
        result = store.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            source="count",
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            graph, value = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and isinstance(value, ox.Literal):
                counts[graph.value] = int(value.value)
    return {graph: counts.get(graph, 0) for graph in graphs}
