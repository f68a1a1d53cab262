"""The ``ecokg`` command line: a thin Typer layer over the library.

``main(argv)`` runs in-process and never raises: errors become one line on stderr and an
exit code (0 success, 1 a result to act on, 2 usage or input error, 70 internal error).
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Annotated

import typer

from ecokg import __version__
from ecokg.cli_common import (
    LANG_CHOICES,
    DataOption,
    DebugOption,
    EndpointOption,
    FormatOption,
    LangOption,
    LoadOptions,
    NoBundledOption,
    NoInferredOption,
    OutputOption,
    TimeoutOption,
    check_choice,
    display_path,
    emit,
    make_console,
    options,
    read_query_argument,
    write_text,
)
from ecokg.errors import EcokgError, UsageError

EXIT_INTERNAL_ERROR = 70
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="ecokg",
    help="Knowledge graph of a territorial ecological restoration plan (国土空间生态修复规划): "
    "question it (ask, query, sparql), audit it, reason over it and publish it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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

    summary = dataset_info(options(ctx, data, no_bundled, no_inferred).load())
    if output_format == "json":
        write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
        return 0
    check_choice("--format", output_format or "table", ("table", "json"))
    from rich.table import Table

    from ecokg.namespaces import compact

    console = make_console()
    files = Table(title="Files", header_style="bold")
    for column in ("file", "graph", "triples"):
        files.add_column(column, justify="right" if column == "triples" else "left")
    for loaded in summary.files:
        files.add_row(display_path(loaded.path), loaded.graph, str(loaded.triples))
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
    text, source = read_query_argument(query)
    if lang is not None:
        check_choice("--lang", lang, LANG_CHOICES)
    store = options(ctx, data, no_bundled, no_inferred).open_store(endpoint, timeout)
    emit(store.query(text, source=source), store, output_format, lang, output)
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
        check_choice("--lang", lang, LANG_CHOICES)
    if list_queries:
        _print_query_list(querylib.list_named_queries(), output_format, lang or "zh")
        return 0
    if name is None:
        raise UsageError("give a query NAME, or --list to see them")
    named = querylib.get_named_query(name)
    values = querylib.parse_assignments(params or [])
    store = options(ctx, data, no_bundled, no_inferred).open_store(endpoint, timeout)
    emit(querylib.run_named_query(store, named, values), store, output_format, lang, output)
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
        write_text(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
        return
    check_choice("--format", output_format or "table", ("table", "json"))
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("name", "title", "params"):
        table.add_column(column, overflow="fold")
    for query in queries:
        signature = ", ".join(param.signature() for param in query.params) or "-"
        table.add_row(query.name, query.title(lang), signature)
    make_console().print(table)


def _register_verbs() -> None:
    """Add the verbs defined next to the libraries they drive."""
    from ecokg import cli_verbs
    from ecokg.ask.command import ask_command
    from ecokg.publish.command import export

    app.command("ask")(ask_command)
    app.command("audit")(cli_verbs.audit)
    app.command("export")(export)
    app.command("push")(cli_verbs.push)
    app.command("reason")(cli_verbs.reason)


_register_verbs()


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
        return EXIT_INTERRUPTED
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
    if result == EXIT_INTERRUPTED:
        # Typer turns Ctrl-C inside a command into a silent exit code 130: say why.
        _report("interrupted", KeyboardInterrupt(), debug=False)
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
