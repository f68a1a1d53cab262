"""The SPARQL 1.1 Protocol, query operation only: a read-only endpoint.

Requests (https://www.w3.org/TR/sparql11-protocol/#query-operation): ``GET ?query=``,
``POST`` with ``application/x-www-form-urlencoded`` (``query=``) or
``application/sparql-query`` (the query as the body, UTF-8). ``default-graph-uri`` and
``named-graph-uri`` set the dataset as ``FROM``/``FROM NAMED`` would (the query's own
``FROM`` clauses then give way, as the Protocol says). An update (``update=``,
``application/sparql-update``, or an update in ``query=``) is refused with 403: this endpoint
never changes the data. ``SERVICE`` is refused, as everywhere in ecokg.

Each query runs off the event loop with the store's time limit (the embedded store runs it,
and serialises the result, in a pre-forked worker process that is killed at the limit); a
result with more rows (or triples) than the cap is refused rather than cut short, so a client
never takes a partial answer for a whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from ecokg.errors import EcokgError, QueryTimeout
from ecokg.query.results import serialize_triples
from ecokg.rdf import formats
from ecokg.rdf.formats import Format, Registry
from ecokg.stores.base import Store
from ecokg.stores.binding import calls_service, query_form, with_dataset
from ecokg.stores.local import Dataset

SOLUTION_FORMATS = Registry("sparql", *formats.RESULTS)
GRAPH_FORMATS = Registry("sparql", *formats.RDF_GRAPH)
_JSON = ox.QueryResultsFormat.JSON
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
# An update in a query= parameter: its first keyword (after the prologue) is an update verb.
_UPDATE_WORDS = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


# What a query gives: solutions (as SPARQL JSON), a boolean, or triples (read, to count them).
Answer = bytes | ox.QueryBoolean | list[ox.Triple]


class ProtocolError(Exception):
    """A request the endpoint answers with an HTTP error status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type[ProtocolError], tuple[int, str]]:
        return (ProtocolError, (self.status, self.message))  # it comes back from pool workers


@dataclass(frozen=True)
class QueryRequest:
    """A query request, read and checked: the text to run, as the store will run it."""

    text: str
    form: str  # solutions, boolean, graph
    params: dict[str, list[str]]


def read_request(
    method: str, content_type: str | None, query_string: str, body: bytes
) -> QueryRequest:
    """The query a Protocol request carries; ProtocolError for anything else."""
    params = _multi(parse_qsl(query_string, keep_blank_values=True))
    media = (content_type or "").split(";")[0].strip().lower()
    if method == "GET":
        if "update" in params:
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        queries = params.get("query", [])
    elif method == "POST":
        if media == FORM:
            form = _multi(parse_qsl(_utf8(body), keep_blank_values=True))
            if "update" in form:
                raise ProtocolError(403, "updates are refused: this endpoint is read-only")
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
            queries = params.get("query", [])
        elif media == DIRECT:
            if "query" in params:
                raise ProtocolError(400, "a direct POST carries the query in its body only")
            queries = [_utf8(body)]
        elif media == UPDATE:
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        else:
            raise ProtocolError(
                415, f"POST the query as {FORM} (query=…) or as {DIRECT}, not {media or 'no type'}"
            )
    else:
        raise ProtocolError(405, "the query operation takes GET or POST")
    if len(queries) != 1:
        raise ProtocolError(400, "give exactly one query" if queries else "no query given")
    text = queries[0]
    if _UPDATE_WORDS.match(text):
        raise ProtocolError(403, "updates are refused: this endpoint is read-only")
    if calls_service(text):
        raise ProtocolError(400, "SERVICE is refused: it would send requests to other servers")
    try:
        form_name = query_form(text)
        text = with_dataset(
            text, params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        )
    except EcokgError as error:
        raise ProtocolError(400, str(error)) from None
    return QueryRequest(text, form_name, params)


def run(store: Store, request: QueryRequest, max_rows: int) -> Answer:
    """Run the query (blocking: call it off the event loop); errors as ProtocolError."""
    try:
        result = store.query(request.text, source="query")
        if isinstance(result, ox.QueryTriples):
            triples = []
            for triple in result:
                triples.append(triple)
                if len(triples) > max_rows:
                    raise _too_large(max_rows, "triples")
            return triples
        if isinstance(result, ox.QuerySolutions):
            return _capped(result, max_rows)
        assert isinstance(result, ox.QueryBoolean)
        return result
    except QueryTimeout as error:
        raise ProtocolError(503, str(error)) from None
    except EcokgError as error:
        raise ProtocolError(400, str(error)) from None


def _capped(solutions: ox.QuerySolutions, max_rows: int) -> bytes:
    """The solutions as SPARQL JSON results, refused when more than ``max_rows``."""
    document = solutions.serialize(format=_JSON) or b""
    if len(json.loads(document)["results"]["bindings"]) > max_rows:
        raise _too_large(max_rows, "rows")
    return document


def execute(store: Store, request: QueryRequest, chosen: Format, max_rows: int) -> bytes:
    """Run and serialise in one call, on one thread: pyoxigraph's results must not cross
    threads (the process aborts), so call it as a whole off the event loop. With a pool of
    query workers (the embedded store of a server), a worker does both and sends the bytes."""
    if isinstance(store, Dataset) and store.pool is not None:
        try:
            return store.run_pooled(_execute_in_worker, request, chosen.key, max_rows)
        except QueryTimeout as error:
            raise ProtocolError(503, str(error)) from None
        except EcokgError as error:
            raise ProtocolError(400, str(error)) from None
    return serialize(run(store, request, max_rows), chosen)


def _execute_in_worker(
    dataset: Dataset, request: QueryRequest, format_key: str, max_rows: int
) -> bytes:
    chosen = offered(request.form).get(format_key)
    assert chosen is not None
    return serialize(run(dataset, request, max_rows), chosen)


def serialize(result: Answer, chosen: Format) -> bytes:
    if isinstance(result, list):
        assert chosen.rdf is not None
        return serialize_triples(result, chosen.rdf)
    assert chosen.results is not None
    if isinstance(result, bytes):  # SPARQL JSON results, read from the store
        if chosen.results == _JSON:
            return result
        solutions = ox.parse_query_results(result, format=_JSON)
        return solutions.serialize(format=chosen.results) or b""
    return result.serialize(format=chosen.results) or b""


def offered(form: str) -> Registry:
    return GRAPH_FORMATS if form == "graph" else SOLUTION_FORMATS


def _too_large(limit: int, what: str) -> ProtocolError:
    return ProtocolError(
        400, f"the result has more than {limit} {what} (--max-rows): add a LIMIT to the query"
    )


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not UTF-8") from None


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    return found
