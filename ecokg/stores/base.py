"""What every store is: the :class:`Store` protocol and the result types it returns.

The embedded store (:mod:`ecokg.stores.local`) and a remote SPARQL 1.1 endpoint
(:mod:`ecokg.stores.remote`) both satisfy :class:`Store` and return pyoxigraph result types,
so everything above this layer works on either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from ecokg.errors import UsageError

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

# Seconds a query may take, locally or on an endpoint, unless told otherwise (--timeout).
DEFAULT_TIMEOUT = 30.0
# ... and on a server (ecokg serve), which answers many users.
SERVE_TIMEOUT = 10.0


@runtime_checkable
class Store(Protocol):
    """What callers need from a graph: queries (with pre-bound variables) and labels."""

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of the ecokg graphs.

        SELECT → ``ox.QuerySolutions``, ASK → ``ox.QueryBoolean``, CONSTRUCT/DESCRIBE →
        ``ox.QueryTriples``. ``bindings`` pre-bind variables; errors are EcokgErrors.
        """
        ...

    def label(self, iri: str, lang: str = "zh") -> str | None:
        """Best human label of ``iri`` (:func:`ecokg.rdf.labels.best_label`)."""
        ...

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels of several IRIs (those without a label are left out)."""
        ...


@dataclass(frozen=True)
class SolutionTable:
    """SELECT results read into memory: variable names and rows of terms (None = unbound)."""

    variables: list[str]
    rows: list[list[Term | None]]

    @classmethod
    def from_solutions(cls, solutions: ox.QuerySolutions) -> SolutionTable:
        variables = [variable.value for variable in solutions.variables]
        rows = [[solution[index] for index in range(len(variables))] for solution in solutions]
        return cls(variables, rows)

    def iris(self) -> set[str]:
        """Every IRI in the table (to look up labels for)."""
        return {term.value for row in self.rows for term in row if isinstance(term, ox.NamedNode)}

    def column(self, variable: str) -> list[Term | None]:
        index = self.variables.index(variable)
        return [row[index] for row in self.rows]


def result_kind(result: QueryResult) -> str:
    """'solutions', 'boolean' or 'graph' — which output formats apply."""
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "graph"


def select(store: Store, sparql: str, bindings: Mapping[str, Term] | None = None) -> SolutionTable:
    """Run a SELECT query on any store and read its rows into a SolutionTable."""
    result = store.query(sparql, bindings)
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("expected a SELECT query")
    return SolutionTable.from_solutions(result)


def construct(
    store: Store, sparql: str, bindings: Mapping[str, Term] | None = None
) -> list[ox.Triple]:
    """Run a CONSTRUCT or DESCRIBE query on any store and return its triples."""
    result = store.query(sparql, bindings)
    if not isinstance(result, ox.QueryTriples):
        raise UsageError("expected a CONSTRUCT or DESCRIBE query")
    return list(result)
