"""The ``ecokg`` command line: a thin Typer layer over the library.

``main(argv)`` runs in-process and never raises: errors become one line on stderr and an
exit code (0 success, 1 a result to act on, 2 usage or input error, 70 internal error).
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg import __version__
from ecokg.errors import EcokgError, InputError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.dataset import Dataset, QueryResult

EXIT_INTERNAL_ERROR = 70
LANG_CHOICES = ("zh", "en")
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

app = typer.Typer(
    name="ecokg",
    help="Knowledge graph of a territorial ecological restoration plan (国土空间生态修复规划): "
    "load it, ask it with SPARQL, list and run named queries.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

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


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ecokg {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global_options(
    ctx: typer.Context,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    # --debug is read from argv by main() so that it also covers errors raised before here.
    ctx.obj = LoadOptions(list(data or []), no_bundled, no_inferred)


def _options(ctx: typer.Context, data: list[Path] | None, no_bundled: bool, no_inferred: bool):
    base = ctx.obj if isinstance(ctx.obj, LoadOptions) else LoadOptions()
    return base.merged(data, no_bundled, no_inferred)


@app.command()
def info(
    ctx: typer.Context,
    output_format: FormatOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Show what is loaded: files, triples, instances per class, namespaces."""
    from ecokg.info import dataset_info

    summary = dataset_info(_options(ctx, data, no_bundled, no_inferred).load())
    if output_format == "json":
        _write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
        return 0
    _check_choice("--format", output_format or "table", ("table", "json"))
    from rich.table import Table

    from ecokg.namespaces import compact

    console = _console()
    files = Table(title="Files", header_style="bold")
    for column in ("file", "graph", "triples"):
        files.add_column(column, justify="right" if column == "triples" else "left")
    for loaded in summary.files:
        files.add_row(_display_path(loaded.path), loaded.graph, str(loaded.triples))
    console.print(files)
    console.print(f"Total: {summary.triples} triples")
    classes = Table(title="Instances per class", header_style="bold")
    for column in ("class", "zh", "en", "instances"):
        classes.add_column(column, justify="right" if column == "instances" else "left")
    for entry in summary.classes:
        classes.add_row(
            compact(entry.iri), entry.label_zh or "", entry.label_en or "", str(entry.instances)
        )
    console.print(classes)
    namespaces = Table(title="Namespaces", header_style="bold")
    namespaces.add_column("prefix")
    namespaces.add_column("namespace")
    for prefix, iri in summary.namespaces.items():
        namespaces.add_row(f"{prefix}:", iri)
    console.print(namespaces)
    return 0


@app.command()
def sparql(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="The SPARQL query, @FILE.rq to read it, - for stdin.")
    ],
    output_format: FormatOption = None,
    lang: LangOption = None,
    output: OutputOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Run any SPARQL 1.1 query on the loaded dataset (known prefixes need no PREFIX)."""
    text, source = _read_query_argument(query)
    if lang is not None:
        _check_choice("--lang", lang, LANG_CHOICES)
    dataset = _options(ctx, data, no_bundled, no_inferred).load()
    _emit(dataset.query(text, source=source), dataset, output_format, lang, output)
    return 0


@app.command("query")
def query_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Name of the query (see --list).")] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their parameters.")
    ] = False,
    params: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as key=value. Repeatable.", metavar="K=V"),
    ] = None,
    output_format: FormatOption = None,
    lang: LangOption = None,
    output: OutputOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Run a named query from the library: ecokg query NAME --param key=value."""
    from ecokg import querylib

    if lang is not None:
        _check_choice("--lang", lang, LANG_CHOICES)
    if list_queries:
        _print_query_list(querylib.list_named_queries(), output_format, lang or "zh")
        return 0
    if name is None:
        raise UsageError("give a query NAME, or --list to see them")
    named = querylib.get_named_query(name)
    values = querylib.parse_assignments(params or [])
    dataset = _options(ctx, data, no_bundled, no_inferred).load()
    _emit(querylib.run_named_query(dataset, named, values), dataset, output_format, lang, output)
    return 0


def _print_query_list(queries: list, output_format: str | None, lang: str) -> None:
    if output_format == "json":
        listing = [
            {
                "name": query.name,
                "title_zh": query.title_zh,
                "title_en": query.title_en,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "description": p.description,
                        "default": p.default,
                    }
                    for p in query.params
                ],
                "returns": query.returns,
            }
            for query in queries
        ]
        _write_text(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
        return
    _check_choice("--format", output_format or "table", ("table", "json"))
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("name", "title", "params"):
        table.add_column(column, overflow="fold")
    for query in queries:
        signature = ", ".join(param.signature() for param in query.params) or "-"
        table.add_row(query.name, query.title(lang), signature)
    _console().print(table)


def _emit(
    result: QueryResult,
    dataset: Dataset,
    output_format: str | None,
    lang: str | None,
    output: Path | None,
) -> None:
    """Print or write a query result in the requested format."""
    from ecokg.results import ALL_FORMATS, TABLE, render_result, serialize_result, write_atomic

    if output_format is None and output is not None:
        output_format = FORMAT_BY_SUFFIX.get(output.suffix.lower())
    if output_format is not None:
        _check_choice("--format", output_format, ALL_FORMATS)
    if output_format in (None, TABLE):
        console = _console(record=output is not None)
        render_result(console, result, dataset, lang)
        if output is not None:
            write_atomic(output, console.export_text())
        return
    payload = serialize_result(result, output_format)
    if output is not None:
        write_atomic(output, payload)
    else:
        text = payload.decode("utf-8")
        _write_text(text if text.endswith("\n") else text + "\n")


def _read_query_argument(query: str) -> tuple[str, str]:
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


def _check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(choices)}")


def _console(record: bool = False) -> Console:
    from rich.console import Console

    # Not a terminal (pipe, file, test capture): wide enough that tables do not fold.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, width=width, record=record, highlight=False)


def _write_text(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _click_error_message(error: BaseException) -> str | None:
    """The message of a Click/Typer usage error (Typer may vendor its own Click)."""
    format_message = getattr(error, "format_message", None)
    if callable(format_message) and hasattr(error, "exit_code"):
        return " ".join(str(format_message()).split())
    return None


def _report(message: str, error: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    # One line, always: some parser messages span lines (e.g. lists of expected tokens).
    print(f"ecokg: error: {' '.join(message.split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return the exit code; never raises."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args or ["--help"], prog_name="ecokg", standalone_mode=False)
    except EcokgError as error:
        _report(error.message, error, debug)
        return error.exit_code
    except KeyboardInterrupt as error:
        _report("interrupted", error, debug)
        return 130
    except Exception as error:
        message = _click_error_message(error)
        if message is not None:
            _report(message, error, debug)
            return 2
        if type(error).__name__ == "Abort":
            _report("aborted", error, debug)
            return 130
        _report(
            f"internal error: {type(error).__name__}: {error} (rerun with --debug)", error, debug
        )
        return EXIT_INTERNAL_ERROR
    finally:
        sys.stdout.flush()
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
