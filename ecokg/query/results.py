"""Query results: W3C serialisations, readable tables, and safe writing to files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.errors import UsageError
from ecokg.rdf import formats
from ecokg.rdf.namespaces import PREFIXES, XSD, compact
from ecokg.stores.base import SolutionTable

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.query.library import NamedQuery
    from ecokg.stores.base import QueryResult, Store

SOLUTION_FORMATS = formats.Registry("SELECT/ASK", *formats.RESULTS)
GRAPH_RESULT_FORMATS = formats.Registry("CONSTRUCT/DESCRIBE", *formats.RDF_GRAPH)
_PLAIN_DATATYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


def serialize_result(result: QueryResult, output_format: str) -> bytes:
    """SELECT/ASK as W3C SPARQL 1.1 results (JSON, CSV, TSV, XML); CONSTRUCT/DESCRIBE as RDF
    (Turtle, N-Triples, JSON-LD, RDF/XML). ``xml`` is the one that fits the result."""
    if isinstance(result, ox.QueryTriples):
        found = GRAPH_RESULT_FORMATS.get(output_format)
        if found is None or found.rdf is None:
            raise UsageError(
                f"format {output_format!r} does not apply to CONSTRUCT/DESCRIBE results "
                f"(use one of: {GRAPH_RESULT_FORMATS.help()})"
            )
        return serialize_triples(result, found.rdf)
    chosen = SOLUTION_FORMATS.get(output_format)
    if chosen is None or chosen.results is None:
        raise UsageError(
            f"format {output_format!r} does not apply to SELECT/ASK results "
            f"(use one of: table, {SOLUTION_FORMATS.help()})"
        )
    return _bytes(result.serialize(format=chosen.results))


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
    language, columns get the query's titles and values their units (ecokg.query.columns)."""
    from rich.table import Table

    from ecokg.query import columns

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
