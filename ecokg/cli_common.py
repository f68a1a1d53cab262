"""What the ``ecokg`` verbs share: dataset options, choices, and printing or writing results."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg.errors import InputError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.dataset import Dataset, QueryResult
    from ecokg.querylib import NamedQuery
    from ecokg.store import Store

LANG_CHOICES = ("zh", "en")
# The environment variable holding a bearer token for the SPARQL server (push and --endpoint).
TOKEN_ENV = "ECOKG_TOKEN"
# --output FILE without --format: the format follows the file name.
FORMAT_BY_SUFFIX = {
    ".json": "json",
    ".srj": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "jsonld",
}

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Also load this RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) "
        "into the plan graph. Repeatable.",
        metavar="FILE",
    ),
]
NoBundledOption = Annotated[
    bool, typer.Option("--no-bundled", help="Do not load the bundled plan (ontology still loads).")
]
NoInferredOption = Annotated[
    bool, typer.Option("--no-inferred", help="Do not load the inferred graph.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="table, json, csv, tsv (SELECT/ASK); turtle, nt, jsonld (CONSTRUCT/DESCRIBE).",
    ),
]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Show labels in this language (zh or en) beside IRIs.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to FILE.", metavar="FILE")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Query this SPARQL 1.1 endpoint (loaded with ecokg push) instead of the "
        "embedded graph, e.g. http://localhost:7878/query.",
        metavar="URL",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", help="Seconds to wait for the server (default 30).", metavar="S"),
]


@dataclass
class LoadOptions:
    """Dataset options, given before the verb (global) and/or after it (per command)."""

    data: list[Path] = field(default_factory=list)
    no_bundled: bool = False
    no_inferred: bool = False

    def merged(self, data: list[Path] | None, no_bundled: bool, no_inferred: bool) -> LoadOptions:
        return LoadOptions(
            data=[*self.data, *(data or [])],
            no_bundled=self.no_bundled or no_bundled,
            no_inferred=self.no_inferred or no_inferred,
        )

    def load(self) -> Dataset:
        from ecokg.dataset import load_dataset

        return load_dataset(self.data, bundled=not self.no_bundled, inferred=not self.no_inferred)

    def open_store(self, endpoint: str | None = None, timeout: float | None = None) -> Store:
        """The store to query: the endpoint given with --endpoint, else the loaded dataset."""
        from ecokg.remote import Auth
        from ecokg.store import open_store

        return open_store(
            endpoint=endpoint,
            timeout=check_timeout(timeout),
            auth=Auth.from_options(None, None, TOKEN_ENV) if endpoint else None,
            data=self.data,
            bundled=not self.no_bundled,
            inferred=not self.no_inferred,
        )


def options(
    ctx: typer.Context, data: list[Path] | None, no_bundled: bool, no_inferred: bool
) -> LoadOptions:
    """The dataset options of a command merged with the global ones given before the verb."""
    base = ctx.obj if isinstance(ctx.obj, LoadOptions) else LoadOptions()
    return base.merged(data, no_bundled, no_inferred)


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
    from ecokg.atomic import write_atomic
    from ecokg.results import ALL_FORMATS, TABLE, render_result, serialize_result

    if output_format is None and output is not None:
        output_format = FORMAT_BY_SUFFIX.get(output.suffix.lower())
    if output_format is not None:
        check_choice("--format", output_format, ALL_FORMATS)
    if output_format in (None, TABLE):
        console = make_console(record=output is not None)
        render_result(console, result, store, lang, query)
        if output is not None:
            write_atomic(output, console.export_text())
        return
    payload = serialize_result(result, output_format)
    if output is not None:
        write_atomic(output, payload)
    else:
        text = payload.decode("utf-8")
        write_text(text if text.endswith("\n") else text + "\n")


def read_query_argument(query: str) -> tuple[str, str]:
    """The query text and a name for it in error messages."""
    if query == "-":
        return sys.stdin.read(), "<stdin>"
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except FileNotFoundError:
            raise InputError(f"{path}: file not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot read: {error}") from None
    return query, "query"


def check_timeout(seconds: float | None) -> float | None:
    """--timeout must be a positive number of seconds."""
    if seconds is not None and not seconds > 0:
        raise UsageError(f"--timeout {seconds:g}: give a positive number of seconds")
    return seconds


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(choices)}")


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


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
