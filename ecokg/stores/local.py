"""The embedded store: ontology, plans and inferences as named graphs in one pyoxigraph store.

Queries see the union of all graphs as their default graph, so plain triple patterns match
everything while ``GRAPH ?g { ... }`` with ``?g`` a plan graph (``…/graph/plan/{code}``, see
:mod:`ecokg.kb`) tells stated statements from inferred ones.
"""

from __future__ import annotations

import builtins
import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pyoxigraph as ox

from ecokg import interrupts
from ecokg.errors import InputError, QueryTimeout, UsageError
from ecokg.rdf.labels import LABEL_PREDICATES, best_label
from ecokg.rdf.namespaces import PREFIXES
from ecokg.rdf.parsing import parse_file
from ecokg.stores.base import QueryResult, Term
from ecokg.stores.binding import calls_service, check_text, names_default_graph
from ecokg.stores.pool import WorkerDied, WorkerPool

T = TypeVar("T")

_LABEL_NODES = tuple(ox.NamedNode(predicate) for predicate in LABEL_PREDICATES)
_MAX_DETAIL = 160
_QUERY_ERROR_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
# Quads added per call while loading: Ctrl-C is only seen between native calls.
_LOAD_BATCH = 20_000
# How a guarded query's child reports back: a tag byte, then the payload.
_SOLUTIONS, _BOOLEAN, _GRAPH, _ERROR = b"S", b"B", b"G", b"E"
_RESULTS_JSON = ox.QueryResultsFormat.JSON


class LoadedFile(NamedTuple):
    """One file loaded into the dataset: where from, into which graph, how many triples."""

    path: Path
    graph: str
    triples: int


class Dataset:
    """A pyoxigraph store holding the ontology, plan and inferred named graphs.

    With a ``timeout`` (seconds), each query runs in a forked child that is killed when
    the time is up or on Ctrl-C (pyoxigraph cannot cancel a query); the result comes back
    serialised (SPARQL JSON results, N-Triples), as from a server. This costs a fork per
    query (some 10 ms), so it is for queries users write or choose; without a timeout,
    queries run in-process. A server starts a pool of workers forked once
    (:meth:`start_pool`): bounded queries then run in them, with the same time limit.
    """

    def __init__(self, *, allow_service: bool = False, timeout: float | None = None) -> None:
        self.store = ox.Store()
        self.files: list[LoadedFile] = []
        # SERVICE makes the query engine fetch from any URL: refused unless asked for.
        self.allow_service = allow_service
        self.timeout = timeout
        self.pool: WorkerPool[Dataset] | None = None  # start_pool()
        # The graphs queries see (default and named), e.g. one plan's (ecokg.stores.scope);
        # None: the union of all graphs.
        self.query_graphs: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.store)

    def graphs(self) -> tuple[str, ...]:
        """The named graphs files were loaded into (even an empty one), in load order:
        ontology, each plan's graph, monitoring, each plan's inferred graph."""
        return tuple(dict.fromkeys(loaded.graph for loaded in self.files))

    def scoped(self, graphs: Sequence[str]) -> Dataset:
        """This dataset (the same store and workers) with queries over ``graphs`` only: they
        are the default graph and the only named graphs."""
        view = copy.copy(self)
        view.query_graphs = tuple(graphs)
        # what it holds (info, the caches keyed by the files' content): those graphs' files
        view.files = [loaded for loaded in self.files if loaded.graph in view.query_graphs]
        return view

    def load_file(
        self, path: Path | str, graph: str, parsed: Sequence[ox.Quad] | None = None
    ) -> LoadedFile:
        """Parse an RDF file (format from its suffix) and add its triples to ``graph``
        (``parsed``: its quads, when the caller has already parsed it).

        Quads of TriG/N-Quads files are moved into ``graph`` too: the three named graphs
        are the public contract of the dataset.
        """
        path = Path(path)
        target = ox.NamedNode(graph)
        quads = [
            ox.Quad(quad.subject, quad.predicate, quad.object, target)
            for quad in (parse_file(path) if parsed is None else parsed)
        ]
        for start in range(0, len(quads), _LOAD_BATCH):
            self.store.extend(quads[start : start + _LOAD_BATCH])
        loaded = LoadedFile(path, graph, len(quads))
        self.files.append(loaded)
        return loaded

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of the graphs.

        ``bindings`` (variable name → term) pre-bind variables safely (SEP-0007
        substitution, never string formatting). ``source`` names the query in error
        messages (e.g. a file name).
        """
        substitutions = self._checked(sparql, bindings, source)
        with _query_errors(source):
            if self.pool is not None or (self.timeout is not None and interrupts.can_fork()):
                return self._guarded_query(sparql, substitutions, source, self.timeout)
            return self._evaluate(sparql, substitutions, self.query_graphs)

    def query_each(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None,
        scopes: Sequence[Sequence[str]],
        *,
        source: str = "query",
    ) -> list[QueryResult]:
        """The query over each scope in turn (graphs, as :meth:`scoped` takes them), as
        :meth:`query` on each scoped view runs it, but in one child process for all: a fork
        costs 10 to 30 ms, a plan's query often less. The time limit is :meth:`query`'s
        once per scope, for all of them together."""
        if self.pool is not None or self.timeout is None or not interrupts.can_fork():
            return [self.scoped(graphs).query(sparql, bindings, source=source) for graphs in scopes]
        substitutions = self._checked(sparql, bindings, source)
        graphs = [tuple(scope) for scope in scopes]

        def each() -> bytes:
            answers = [_evaluate_and_serialise(self, sparql, substitutions, g) for g in graphs]
            return b"".join(len(answer).to_bytes(8, "big") + answer for answer in answers)

        with _query_errors(source):
            try:
                packed = self._in_child(each, source, self.timeout * max(len(graphs), 1))
            except OSError:  # no fork or pipe (e.g. out of memory): as query() does
                return [self.scoped(g).query(sparql, bindings, source=source) for g in scopes]
            answers, start = [], 0
            while start < len(packed):
                end = start + 8 + int.from_bytes(packed[start : start + 8], "big")
                answers.append(_parse_answer(packed[start + 8 : end]))
                start = end
            return answers

    def _checked(
        self, sparql: str, bindings: Mapping[str, Term] | None, source: str
    ) -> dict[ox.Variable, Term]:
        """The substitutions for ``bindings``, once ``sparql`` is checked (text, SERVICE)."""
        check_text(sparql, source)
        if not self.allow_service and calls_service(sparql):
            raise UsageError(
                f"{source}: SERVICE is refused: it would send requests to other servers "
                "(allow it with --allow-service)"
            )
        return {ox.Variable(name): term for name, term in (bindings or {}).items()}

    def _evaluate(
        self,
        sparql: str,
        substitutions: dict[ox.Variable, Term],
        graphs: tuple[str, ...] | None = None,
    ) -> QueryResult:
        if graphs is not None:
            # a scope wins over the query's FROM, as default-graph-uri does on a server
            nodes = [ox.NamedNode(graph) for graph in graphs]
            return self.store.query(
                sparql,
                prefixes=PREFIXES,
                default_graph=list(nodes),
                named_graphs=list(nodes),
                substitutions=substitutions or None,
            )
        return self.store.query(
            sparql,
            prefixes=PREFIXES,
            # the union of the graphs, unless the query names its own with FROM
            use_default_graph_as_union=not names_default_graph(sparql),
            substitutions=substitutions or None,
        )

    def _guarded_query(
        self,
        sparql: str,
        substitutions: dict[ox.Variable, Term],
        source: str,
        timeout: float | None,
    ) -> QueryResult:
        if self.pool is not None:
            answer = self.run_pooled(
                _evaluate_and_serialise, sparql, substitutions, self.query_graphs, source=source
            )
            return _parse_answer(answer)
        try:
            answer = self._in_child(
                lambda: _evaluate_and_serialise(self, sparql, substitutions, self.query_graphs),
                source,
                timeout,
            )
        except OSError:  # no fork or pipe (e.g. out of memory): run unguarded
            return self._evaluate(sparql, substitutions, self.query_graphs)
        return _parse_answer(answer)

    @staticmethod
    def _in_child(work: Callable[[], bytes], source: str, timeout: float | None) -> bytes:
        """``work()`` in a forked child killed when ``timeout`` is up (QueryTimeout)."""
        try:
            return interrupts.run_in_child(work, timeout)
        except interrupts.TimeLimitExceeded:
            raise _timed_out(source, timeout) from None
        except interrupts.ChildFailed as error:
            raise InputError(f"{source}: the query process failed ({error})") from None

    def start_pool(self, size: int) -> WorkerPool[Dataset]:
        """Fork ``size`` query workers sharing this store (load everything first): bounded
        queries then run in them instead of in a child forked per query."""
        self.close_pool()
        self.pool = WorkerPool(self, size, prepare=_evaluate_in_process)
        return self.pool

    def close_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def run_pooled(self, work: Callable[..., T], *args: Any, source: str = "query") -> T:
        """``work(dataset, *args)`` in a pool worker (where queries run in-process), within
        the time limit: QueryTimeout when it is up, InputError if the worker dies."""
        assert self.pool is not None
        try:
            return self.pool.run(work, *args, timeout=self.timeout)
        except interrupts.TimeLimitExceeded:
            raise _timed_out(source, self.timeout) from None
        except WorkerDied as error:
            raise InputError(f"{source}: the query process failed ({error})") from None

    def label(self, iri: str, lang: str = "zh") -> str | None:
        """Best human label (:func:`ecokg.rdf.labels.best_label`)."""
        return best_label(self.label_candidates(iri), lang)

    def label_candidates(self, iri: str) -> list[tuple[str, str, str | None]]:
        """(predicate, text, language) of every label of ``iri``."""
        subject = ox.NamedNode(iri)
        return [
            (predicate.value, quad.object.value, quad.object.language)
            for predicate in _LABEL_NODES
            for quad in self.store.quads_for_pattern(subject, predicate, None, None)
            if isinstance(quad.object, ox.Literal)
        ]

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels of several IRIs (those without a label are left out)."""
        found = {iri: self.label(iri, lang) for iri in set(iris)}
        return {iri: label for iri, label in found.items() if label is not None}


@contextmanager
def _query_errors(source: str) -> Iterator[None]:
    """A query's errors as ecokg's: bad syntax (InputError, with the position), a failure
    of the evaluation (UsageError, e.g. a substituted variable the SELECT does not project)."""
    try:
        yield
    except SyntaxError as error:
        raise InputError(_query_error_message(source, str(error))) from error
    except RuntimeError as error:
        raise UsageError(f"{source}: {error}") from error


def _timed_out(source: str, timeout: float | None) -> QueryTimeout:
    return QueryTimeout(f"{source}: no answer within {timeout or 0:g} s (--timeout)")


def _evaluate_in_process(dataset: Dataset) -> None:
    """In a pool worker: the worker itself is what the time limit kills."""
    dataset.timeout = None
    dataset.pool = None


def _evaluate_and_serialise(
    dataset: Dataset,
    sparql: str,
    substitutions: dict[ox.Variable, Term],
    graphs: tuple[str, ...] | None = None,
) -> bytes:
    """Run in a child or worker: the result serialised, as :func:`_parse_answer` reads it
    (``graphs``: the caller's scope, as a pool worker's dataset has none)."""
    try:
        result = dataset._evaluate(sparql, substitutions, graphs)
        if isinstance(result, ox.QuerySolutions):
            tag, body = _SOLUTIONS, result.serialize(format=_RESULTS_JSON)
        elif isinstance(result, ox.QueryBoolean):
            tag, body = _BOOLEAN, result.serialize(format=_RESULTS_JSON)
        else:
            tag, body = _GRAPH, result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return tag + (body or b"")  # serialize() without output returns the bytes
    except Exception as error:
        return _ERROR + json.dumps([type(error).__name__, str(error)]).encode()


def _parse_answer(answer: bytes) -> QueryResult:
    """The result a guarded query's child sent (see :meth:`Dataset._guarded_query`)."""
    tag, body = answer[:1], answer[1:]
    if tag in (_SOLUTIONS, _BOOLEAN):
        return ox.parse_query_results(body, format=_RESULTS_JSON)
    if tag == _GRAPH:
        # QueryTriples cannot be built directly: answer a CONSTRUCT from a scratch store.
        scratch = ox.Store()
        scratch.load(body, format=ox.RdfFormat.N_TRIPLES)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    if tag == _ERROR:
        name, message = json.loads(body)
        kind = getattr(builtins, name, None)
        if not (isinstance(kind, type) and issubclass(kind, Exception)):
            kind = RuntimeError
        try:
            error = kind(message)
        except TypeError:  # e.g. UnicodeEncodeError wants five arguments
            error = RuntimeError(message)
        raise error
    raise InputError("the query process sent no answer")


def _query_error_message(source: str, message: str) -> str:
    match = _QUERY_ERROR_POSITION.match(message)
    if match:
        line, column, detail = match.groups()
        detail = " ".join(detail.split())
        if len(detail) > _MAX_DETAIL:  # oxigraph may list every character it could accept
            detail = detail[:_MAX_DETAIL] + "…"
        return f"{source}:{line}:{column}: SPARQL syntax error: {detail}"
    return f"{source}: SPARQL syntax error: {message}"
