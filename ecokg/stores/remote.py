"""A remote SPARQL 1.1 endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso...) as an ecokg store.

:class:`RemoteStore` sends queries with the SPARQL 1.1 Protocol (POST, URL-encoded, requests
built by SPARQLWrapper) and returns the same pyoxigraph result types as the embedded dataset.
The query's default graph is the union of the ecokg graphs (``default-graph-uri``) and the
same graphs are its named graphs (``named-graph-uri``), so ``GRAPH <…/inferred>`` works. With
``find_plan_graphs``, those are the given graphs and every plan's graphs on the endpoint
(``…/graph/plan/{code}``, and ``…/graph/inferred/{code}`` if the bare ``…/graph/inferred`` is
given), found with one query the first time they are needed.
Every request has a client-side timeout and responses larger than ``max_bytes`` are refused,
so a query against a public endpoint stays bounded. Errors are one-line EcokgErrors.

Credentials in the endpoint URL (``http://user:pass@host/query``) are taken out of it and sent
as basic auth (``--user`` wins); the URL the store keeps, sends and shows has none.
"""

from __future__ import annotations

import base64
import copy
import os
import re
import urllib.request
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ecokg.errors import InputError, UsageError
from ecokg.rdf import formats
from ecokg.rdf.labels import LABEL_PREDICATES, best_label
from ecokg.rdf.namespaces import (
    DATASET_GRAPHS,
    ECO,
    GRAPH_INFERRED,
    graph_code,
    inferred_graph,
    is_plan_graph,
    sparql_prologue,
)
from ecokg.stores.base import DEFAULT_TIMEOUT, QueryResult, Term, result_kind
from ecokg.stores.binding import (
    bind_with_values,
    calls_service,
    check_text,
    query_form,
    sparql_term,
)
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

MAX_RESPONSE_BYTES = 50 * 1024 * 1024

_SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_TRIPLES_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
# What a server may answer with, by media type (the format registry knows their aliases).
_RESULT_FORMATS = formats.Registry("SPARQL results", *formats.RESULTS)
_RDF_FORMATS = formats.Registry("RDF", *formats.RDF_GRAPH)
_LABEL_BATCH = 200
_MAX_ERROR_LINE = 200


@dataclass(frozen=True)
class Auth:
    """HTTP credentials: basic (user and password) or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def header(self) -> str | None:
        """The value of the Authorization header, if any."""
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if self.token:
            return f"Bearer {self.token}"
        return None

    @classmethod
    def from_options(
        cls, user: str | None, password: str | None, token_env: str | None
    ) -> Auth | None:
        """``--user/--password`` win; else a token from the environment variable, if set."""
        if password is not None and user is None:
            raise UsageError("--password needs --user")
        if user is not None:
            if password is None:
                raise UsageError("--user needs --password")
            return cls(user=user, password=password)
        token = os.environ.get(token_env) if token_env else None
        return cls(token=token) if token else None


def credentials_from_url(url: str, auth: Auth | None) -> tuple[str, Auth | None]:
    """The URL without its ``user:password@`` and the credentials to send with it:
    ``auth`` when it names a user (--user), else the URL's user and password as basic
    auth, else ``auth`` (a bearer token, or None)."""
    clean, user, password = split_credentials(url)
    if user is not None and (auth is None or auth.user is None):
        return clean, Auth(user=user, password=password or "")
    return clean, auth


# --- the store ---------------------------------------------------------------------------


class RemoteStore:
    """A SPARQL 1.1 query endpoint holding the ecokg graphs (see ``ecokg push``)."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
        auth: Auth | None = None,
        graphs: Sequence[str] | None = None,
        allow_service: bool = False,
        find_plan_graphs: bool | None = None,
    ) -> None:
        """``graphs``: the graphs to query (default: those of release 0.1, and every plan's
        found on the endpoint); ``find_plan_graphs``: add the plans' graphs found (default:
        only when ``graphs`` is not given)."""
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(
                f"--endpoint {redact(endpoint)!r}: expected an http:// or https:// URL"
            )
        if timeout <= 0:
            raise UsageError(f"--timeout {timeout:g}: must be positive")
        self.endpoint, self.auth = credentials_from_url(endpoint, auth)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._given_graphs = DATASET_GRAPHS if graphs is None else tuple(graphs)
        finding = graphs is None if find_plan_graphs is None else find_plan_graphs
        self._found_graphs: tuple[str, ...] | None = None if finding else ()
        # SERVICE makes the server fetch from other servers: refused unless asked for.
        self.allow_service = allow_service
        self._prologue = sparql_prologue()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    @property
    def graphs(self) -> tuple[str, ...]:
        """The graphs queries run over: those given, then the plans' graphs found."""
        if self._found_graphs is None:
            self._found_graphs = self._plan_graphs()
        return tuple(dict.fromkeys([*self._given_graphs, *self._found_graphs]))

    @graphs.setter
    def graphs(self, graphs: Sequence[str]) -> None:
        """Query exactly ``graphs`` from now on (no plan graphs added)."""
        self._given_graphs, self._found_graphs = tuple(graphs), ()

    def _plan_graphs(self) -> tuple[str, ...]:
        """Every plan graph on the endpoint (one holding an ``eco:Plan``), each followed by
        its inferred graph when inferences are wanted (the bare …/graph/inferred given)."""
        sparql = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?plan a <{ECO.Plan}> }} }}"
        body, content_type = self._post(self._prologue + sparql, _SOLUTIONS_ACCEPT, graphs=())
        try:
            result = _parse_solutions(self.endpoint, body, content_type, "solutions")
        except InputError:  # not rows: the query itself will say what the server answers
            return ()
        assert isinstance(result, ox.QuerySolutions)
        names = sorted(
            {
                graph.value
                for solution in result
                if isinstance(graph := solution["g"], ox.NamedNode) and is_plan_graph(graph.value)
            }
        )
        found: list[str] = []
        for name in names:
            found.append(name)
            if GRAPH_INFERRED in self._given_graphs:
                found.append(inferred_graph(graph_code(name)))
        return tuple(found)

    def scoped(self, graphs: Sequence[str]) -> RemoteStore:
        """This endpoint with queries over ``graphs`` only (ecokg.stores.scope): they are sent
        as its default-graph-uri and named-graph-uri."""
        view = copy.copy(self)
        view.graphs = tuple(graphs)
        return view

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> QueryResult:
        """Run a query on the endpoint; same result types and errors as Dataset.query."""
        check_text(sparql, source)
        kind = _check_locally(sparql, bindings, source, self.allow_service)
        text = bind_with_values(sparql, bindings) if bindings else sparql
        accept = _TRIPLES_ACCEPT if kind == "graph" else _SOLUTIONS_ACCEPT
        body, content_type = self._post(self._prologue + text, accept)
        if kind == "graph":
            return _parse_triples(self.endpoint, body, content_type)
        return _parse_solutions(self.endpoint, body, content_type, kind)

    def label(self, iri: str, lang: str = "zh") -> str | None:
        return self.labels([iri], lang).get(iri)

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels as Dataset.labels chooses them: rdfs:label in ``lang``, then
        skos:prefLabel in ``lang``, then either in another language."""
        wanted = sorted(set(iris))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _LABEL_BATCH):
            found.update(self._label_batch(wanted[start : start + _LABEL_BATCH], lang))
        return found

    def _label_batch(self, iris: list[str], lang: str) -> dict[str, str]:
        nodes = []
        for iri in iris:
            try:
                nodes.append(sparql_term(ox.NamedNode(iri)))
            except ValueError:
                continue
        if not nodes:
            return {}
        predicates = " ".join(f"<{predicate}>" for predicate in LABEL_PREDICATES)
        sparql = (
            "SELECT ?iri ?property ?label WHERE { "
            f"VALUES ?iri {{ {' '.join(nodes)} }} VALUES ?property {{ {predicates} }} "
            "?iri ?property ?label . FILTER(isLiteral(?label)) }"
        )
        result = self.query(sparql, source="labels")
        assert isinstance(result, ox.QuerySolutions)
        candidates: dict[str, list[tuple[str, str, str | None]]] = {}
        for solution in result:
            iri, prop, label = solution["iri"], solution["property"], solution["label"]
            if isinstance(iri, ox.NamedNode) and isinstance(label, ox.Literal):
                assert isinstance(prop, ox.NamedNode)
                candidates.setdefault(iri.value, []).append(
                    (prop.value, label.value, label.language)
                )
        found = {iri: best_label(listed, lang) for iri, listed in candidates.items()}
        return {iri: label for iri, label in found.items() if label is not None}

    def _post(
        self, text: str, accept: str, graphs: Sequence[str] | None = None
    ) -> tuple[bytes, str]:
        """POST a query over ``graphs`` (default: :attr:`graphs`; none: the server's own
        default dataset)."""
        chosen = self.graphs if graphs is None else graphs
        response = open_url(self._request(text, accept, chosen), self.timeout)
        content_type = media_type(response)
        body = read_bounded(response, self.endpoint, max_bytes=self.max_bytes, timeout=self.timeout)
        return body, content_type

    def _request(self, text: str, accept: str, graphs: Sequence[str]) -> urllib.request.Request:
        from SPARQLWrapper import CONSTRUCT, POST, SELECT, URLENCODED, SPARQLWrapper

        wrapper = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        with warnings.catch_warnings():  # its query-type sniffing may warn; we know the type
            warnings.simplefilter("ignore")
            wrapper.setQuery(text)
        # SPARQLWrapper guesses the query type with regular expressions, which comments can
        # fool ("# which projects move…" reads as a MOVE update): the local parse knows it.
        wrapper.queryType = CONSTRUCT if accept == _TRIPLES_ACCEPT else SELECT
        for graph in graphs:
            wrapper.addParameter("default-graph-uri", graph)
            wrapper.addParameter("named-graph-uri", graph)
        wrapper.addCustomHttpHeader("Accept", accept)
        header = self.auth.header() if self.auth else None
        if header:
            wrapper.addCustomHttpHeader("Authorization", header)
        # The request only: SPARQLWrapper's own query() reads unbounded bodies and truncates
        # the timeout to whole seconds; open_url/read_bounded do both properly.
        request = wrapper._createRequest()
        assert isinstance(request, urllib.request.Request)
        return request


def _check_locally(
    sparql: str, bindings: Mapping[str, Term] | None, source: str, allow_service: bool
) -> str:
    """Parse the query with the embedded engine (same syntax errors as locally) and tell its
    kind: 'solutions' (SELECT), 'boolean' (ASK) or 'graph' (CONSTRUCT/DESCRIBE).

    Nothing is evaluated against data: the store is empty and results are never read. A query
    with SERVICE is not run here at all (an ASK is evaluated at once, and its SERVICE would be
    called from this machine): the server tells its syntax errors.
    """
    from ecokg.stores.local import Dataset

    if allow_service and calls_service(sparql):
        return query_form(sparql)
    return result_kind(Dataset().query(sparql, bindings, source=source))


def _malformed(endpoint: str, detail: object) -> InputError:
    text = " ".join(str(detail).split())[:_MAX_ERROR_LINE]
    return InputError(f"{endpoint}: malformed response: {text}")


# Virtuoso labels blank nodes "nodeID://b123", which is not a blank node label: keep "b123".
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')


def _unexpected(endpoint: str, content_type: str, body: bytes) -> InputError:
    detail = f"unexpected content type {content_type or 'none'!r}"
    if is_html_page(content_type, body):  # a login page, or a web app at a wrong URL
        detail += f": a web page ({page_summary(body) or 'no title'})"
    return _malformed(endpoint, detail)


def _parse_solutions(endpoint: str, body: bytes, content_type: str, kind: str) -> QueryResult:
    found = _RESULT_FORMATS.for_media_type(content_type)
    results_format = found.results if found is not None else None
    if results_format is None or is_html_page(content_type, body):
        raise _unexpected(endpoint, content_type, body)
    if b"nodeID://" in body:
        body = _VIRTUOSO_BNODE.sub(rb"\1", body)
    try:
        result = ox.parse_query_results(body, format=results_format)
        if isinstance(result, ox.QuerySolutions):
            for _ in result:  # parse every row now: errors must not surface while printing
                pass
            result = ox.parse_query_results(body, format=results_format)
    except (SyntaxError, ValueError, OSError) as error:
        raise _malformed(endpoint, error) from None
    expected = ox.QueryBoolean if kind == "boolean" else ox.QuerySolutions
    if not isinstance(result, expected):
        raise _malformed(endpoint, f"expected {'a boolean' if kind == 'boolean' else 'rows'}")
    return result


def _parse_triples(endpoint: str, body: bytes, content_type: str) -> ox.QueryTriples:
    found = _RDF_FORMATS.for_media_type(content_type)
    rdf_format = found.rdf if found is not None else None
    if rdf_format is None or is_html_page(content_type, body):
        raise _unexpected(endpoint, content_type, body)
    try:
        triples = list(ox.parse(body, format=rdf_format))
    except (SyntaxError, ValueError) as error:
        raise _malformed(endpoint, error) from None
    # QueryTriples cannot be built directly: answer a CONSTRUCT from a scratch store.
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result
