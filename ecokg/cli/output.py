"""Where the verbs' results go: the terminal (Rich tables), stdout, or a file written
atomically (``--output FILE``; ``-`` is stdout)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ecokg.rdf import formats

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.query.library import NamedQuery
    from ecokg.stores.base import QueryResult, Store

# ecokg sparql / ecokg query: a table, W3C results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.
QUERY_FORMATS = formats.Choices("query", formats.TABLE, *formats.RESULTS, *formats.RDF_GRAPH)


def to_file(output: Path | None) -> Path | None:
    """The file ``--output`` names, or None for stdout (no option, or ``-``)."""
    return None if output is None or str(output) == "-" else output


def make_console(record: bool = False) -> Console:
    """A console on stdout; with ``record`` one that only records (for --output FILE)."""
    import io

    from rich.console import Console

    if record:
        return Console(file=io.StringIO(), width=160, record=True, highlight=False)
    # Not a terminal (pipe, file, test capture): wide enough that tables do not fold.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, width=width, highlight=False)


def write_text(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def write_bytes(payload: bytes) -> None:
    sys.stdout.flush()  # anything already written as text goes first
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


def deliver(payload: bytes | str, output: Path | None) -> None:
    """Write ``payload`` to ``--output`` atomically, or to stdout."""
    target = to_file(output)
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if target is None:
        write_bytes(data)
        return
    from ecokg.atomic import write_atomic

    write_atomic(target, data)


def emit(
    result: QueryResult,
    store: Store,
    output_format: str | None,
    lang: str | None,
    output: Path | None,
    query: NamedQuery | None = None,
) -> None:
    """Print or write a query result in the requested format (a named query's table with its
    column titles and units when a language is given)."""
    from ecokg.query.results import render_result, serialize_result

    target = to_file(output)
    chosen = QUERY_FORMATS.choose(output_format, target, formats.TABLE)
    if chosen is formats.TABLE:
        console = make_console(record=target is not None)
        render_result(console, result, store, lang, query)
        if target is not None:
            deliver(console.export_text(), target)
        return
    payload = serialize_result(result, chosen.name)
    if target is None and not payload.endswith(b"\n"):
        payload += b"\n"
    deliver(payload, target)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
