"""Query results: W3C serialisations, readable tables, and safe writing to files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.errors import UsageError
from ecokg.namespaces import PREFIXES, XSD, compact

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.dataset import QueryResult
    from ecokg.querylib import NamedQuery
    from ecokg.store import Store

# SELECT/ASK: "table" or a W3C SPARQL 1.1 results format.
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
# CONSTRUCT/DESCRIBE: an RDF syntax.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
TABLE = "table"
ALL_FORMATS: tuple[str, ...] = (TABLE, *SOLUTION_FORMATS, *GRAPH_FORMATS)

_PLAIN_DATATYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


@dataclass(frozen=True)
class SolutionTable:
    """SELECT results read into memory: variable names and rows of terms (None = unbound)."""

    variables: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]]

    @classmethod
    def from_solutions(cls, solutions: ox.QuerySolutions) -> SolutionTable:
        variables = [variable.value for variable in solutions.variables]
        rows = [[solution[index] for index in range(len(variables))] for solution in solutions]
        return cls(variables, rows)

    def iris(self) -> set[str]:
        """Every IRI in the table (to look up labels for)."""
        return {term.value for row in self.rows for term in row if isinstance(term, ox.NamedNode)}

    def column(self, variable: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal | None]:
        index = self.variables.index(variable)
        return [row[index] for row in self.rows]  # type: ignore[misc]


def format_kind(result: QueryResult) -> str:
    """'solutions', 'boolean' or 'graph' — which output formats apply."""
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "graph"


def serialize_result(result: QueryResult, output_format: str) -> bytes:
    """SELECT/ASK as W3C SPARQL 1.1 JSON/CSV/TSV; CONSTRUCT/DESCRIBE as Turtle/N-Triples/JSON-LD."""
    if isinstance(result, ox.QueryTriples):
        rdf_format = GRAPH_FORMATS.get(output_format)
        if rdf_format is None:
            raise UsageError(
                f"format {output_format!r} does not apply to CONSTRUCT/DESCRIBE results "
                f"(use one of: {', '.join(GRAPH_FORMATS)})"
            )
        return serialize_triples(result, rdf_format)
    results_format = SOLUTION_FORMATS.get(output_format)
    if results_format is None:
        raise UsageError(
            f"format {output_format!r} does not apply to SELECT/ASK results "
            f"(use one of: {', '.join((TABLE, *SOLUTION_FORMATS))})"
        )
    return _bytes(result.serialize(format=results_format))


def serialize_triples(triples: Iterable[ox.Triple], rdf_format: ox.RdfFormat) -> bytes:
    """Serialise triples, with the known prefixes where the syntax has them."""
    if rdf_format == ox.RdfFormat.N_TRIPLES:
        return _bytes(ox.serialize(triples, format=rdf_format))
    used = list(triples)
    return _bytes(ox.serialize(used, format=rdf_format, prefixes=_prefixes_used(used)))


def _bytes(serialized: bytes | None) -> bytes:
    # pyoxigraph returns None only when given an output file, which ecokg never does.
    assert serialized is not None
    return serialized


def _prefixes_used(triples: list[ox.Triple]) -> dict[str, str]:
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {
        triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)
    }
    return {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def term_text(term: object, labels: Mapping[str, str] | None = None) -> str:
    """A term as a person reads it: compact IRIs (with a label if known), plain literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = compact(term.value)
        label = (labels or {}).get(term.value)
        if label is None:
            return short
        return f"{label} {short if short.startswith('<') else f'<{short}>'}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language or term.datatype.value in _PLAIN_DATATYPES:
            return term.value
        if term.datatype.value.startswith(XSD):
            return term.value
        return f"{term.value}^^{compact(term.datatype.value)}"
    return str(term)


def print_table(
    console: Console,
    table: SolutionTable,
    labels: Mapping[str, str] | None = None,
    query: NamedQuery | None = None,
    lang: str | None = None,
) -> None:
    """Render SELECT results as a Rich table (with a row count). With a named query and a
    language, columns get the query's titles and values their units (ecokg.columns)."""
    from rich.table import Table

    from ecokg import columns

    units = columns.unit_columns(query, table.variables) if lang else {}
    shown = [n for n in range(len(table.variables)) if n not in units.values()]
    rich_table = Table(show_lines=False, header_style="bold")
    for number in shown:
        variable = table.variables[number]
        header = columns.full_title(query, variable, lang) if lang else variable
        rich_table.add_column(header, overflow="fold")
    for row in table.rows:
        cells = []
        for number in shown:
            text = term_text(row[number], labels)
            unit = row[units[number]] if number in units else None
            if lang and isinstance(unit, ox.NamedNode):
                unit_text = (labels or {}).get(unit.value) or compact(unit.value)
                text = columns.with_unit(text, unit_text, lang)
            cells.append(text)
        rich_table.add_row(*cells)
    console.print(rich_table)
    count = len(table.rows)
    console.print(f"{count} row{'s' if count != 1 else ''}", style="dim")


def render_result(
    console: Console,
    result: QueryResult,
    dataset: Store,
    lang: str | None = None,
    query: NamedQuery | None = None,
) -> None:
    """The default terminal rendering of any query result."""
    if isinstance(result, ox.QuerySolutions):
        table = SolutionTable.from_solutions(result)
        labels = dataset.labels(table.iris(), lang) if lang else None
        print_table(console, table, labels, query, lang)
    elif isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
    else:
        text = serialize_triples(result, ox.RdfFormat.TURTLE).decode()
        console.out(text if text.endswith("\n") or not text else text + "\n", end="")
