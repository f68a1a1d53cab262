"""The ``ecokg`` command line: a thin Typer layer over the library.

``main(argv)`` runs in-process and never raises: errors become one line on stderr and an
exit code (0 success, 1 a result to act on, 2 usage or input error, 70 internal error).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from ecokg import __version__
from ecokg.errors import EcokgError, InputError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.dataset import Dataset, QueryResult
    from ecokg.push import Part, Progress
    from ecokg.store import Store

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
        from ecokg.store import open_store

        return open_store(
            endpoint=endpoint,
            timeout=timeout,
            data=self.data,
            bundled=not self.no_bundled,
            inferred=not self.no_inferred,
        )


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
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Run any SPARQL 1.1 query on the loaded dataset (known prefixes need no PREFIX)."""
    text, source = _read_query_argument(query)
    if lang is not None:
        _check_choice("--lang", lang, LANG_CHOICES)
    store = _options(ctx, data, no_bundled, no_inferred).open_store(endpoint, timeout)
    _emit(store.query(text, source=source), store, output_format, lang, output)
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
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
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
    store = _options(ctx, data, no_bundled, no_inferred).open_store(endpoint, timeout)
    _emit(querylib.run_named_query(store, named, values), store, output_format, lang, output)
    return 0


@app.command()
def push(
    ctx: typer.Context,
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            help="The server's SPARQL query endpoint (to check the upload).",
            metavar="URL",
        ),
    ],
    graph: Annotated[
        str | None, typer.Option("--graph", help="Put everything into this one graph.")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store-url",
            help="Graph Store Protocol URL (default: /store next to the endpoint).",
            metavar="URL",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="HTTP basic auth user.")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="HTTP basic auth password.")
    ] = None,
    token_env: Annotated[
        str,
        typer.Option("--token-env", help="Variable holding a bearer token.", metavar="NAME"),
    ] = "ECOKG_TOKEN",
    timeout: TimeoutOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Upload the graphs to a SPARQL server: one Graph Store Protocol PUT per named graph."""
    from ecokg import push as pushing
    from ecokg.remote import Auth

    auth = Auth.from_options(user, password, token_env)
    target = store_url or pushing.default_store_url(endpoint)
    seconds = timeout or pushing.DEFAULT_PUSH_TIMEOUT
    parts = pushing.plan_parts(_options(ctx, data, no_bundled, no_inferred).load(), graph)
    with _upload_progress(parts) as progress:
        pushed = pushing.push_parts(parts, target, auth=auth, timeout=seconds, progress=progress)
    counts = pushing.server_counts(endpoint, [p.graph for p in pushed], auth=auth, timeout=seconds)
    for part in pushed:
        held = counts.get(part.graph)
        note = "" if held == part.triples else f"; the server holds {held}"
        _write_text(f"<{part.graph}>: {part.triples} triples in {part.seconds:.2f} s{note}\n")
    return 0


@contextmanager
def _upload_progress(parts: list[Part]) -> Iterator[Progress | None]:
    """A Rich progress bar on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        tasks = {
            p.graph: bar.add_task(p.graph.rsplit("/", 1)[-1], total=len(p.body)) for p in parts
        }

        def update(graph: str, sent: int, total: int) -> None:
            bar.update(tasks[graph], completed=sent, total=total)

        yield update


@app.command()
def reason(
    ctx: typer.Context,
    engine: Annotated[
        str, typer.Option("--engine", help="auto (HermiT with Java, else owlrl), hermit, owlrl.")
    ] = "auto",
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the bundled inferred graph is out of date.")
    ] = False,
    output: OutputOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    debug: DebugOption = False,
) -> int:
    """Check consistency and materialise the inferred graph (Turtle to stdout or --output)."""
    from ecokg import reason as reasoning
    from ecokg import resources
    from ecokg.results import write_atomic

    options = _options(ctx, data, no_bundled, False)
    files = ([] if options.no_bundled else [resources.plan_file()]) + options.data
    if not files:
        raise UsageError("nothing to reason over: give --data FILE or drop --no-bundled")
    inference = reasoning.materialise(files, engine=engine)
    print(
        f"consistent; {len(inference.triples)} facts inferred by {inference.engine} "
        f"in {inference.seconds:.1f} s",
        file=sys.stderr,
    )
    if check:
        current = resources.inferred_file()
        if not current.is_file() or current.read_text(encoding="utf-8") != inference.turtle():
            print(f"{current}: out of date (ecokg reason --output {current})", file=sys.stderr)
            return 1
        return 0
    if output is not None:
        write_atomic(output, inference.turtle())
    else:
        _write_text(inference.turtle())
    return 0


from ecokg.ask.command import ask_command  # noqa: E402  (the `ask` verb lives in ecokg/ask/)

app.command("ask")(ask_command)


@app.command()
def audit(
    ctx: typer.Context,
    shapes: Annotated[
        list[Path] | None,
        typer.Option("--shapes", help="Also run the shapes in FILE. Repeatable.", metavar="FILE"),
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help="table, markdown, html, json, ttl.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels and messages: zh or en.")] = "zh",
    output: OutputOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    debug: DebugOption = False,
) -> int:
    """Check the plan against its SHACL shapes; exit 1 if there is a Violation."""
    from ecokg.audit.cli_support import emit_audit

    _check_choice("--lang", lang, LANG_CHOICES)
    options = _options(ctx, data, no_bundled, False)
    bundled = not options.no_bundled
    return emit_audit(options.data, bundled, shapes or [], output_format, lang, output, _console)


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
    store: Store,
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
        # render_result only asks the store for labels, which every Store gives.
        render_result(console, result, cast("Dataset", store), lang)
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


# `ecokg export` is defined with the publishing library it drives.
from ecokg.publish.command import export as _export  # noqa: E402

app.command("export")(_export)


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
