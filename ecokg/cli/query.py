"""``ecokg info``, ``ecokg sparql`` and ``ecokg query``: what is loaded, and questions in SPARQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ecokg.cli.options import (
    DATASET,
    REMOTE,
    SCOPE,
    LangOption,
    OutputOption,
    Shared,
    check_lang,
    shared,
)
from ecokg.cli.output import QUERY_FORMATS, deliver, display_path, emit, make_console
from ecokg.errors import InputError, UsageError
from ecokg.rdf import formats

INFO_FORMATS = formats.Choices("info", formats.TABLE, formats.REPORT_JSON)
LIST_FORMATS = formats.Choices("query --list", formats.TABLE, formats.REPORT_JSON)


@shared(*DATASET, *SCOPE, formats=INFO_FORMATS, format_note="default: table")
def info(
    *,
    shared: Shared,
) -> int:
    """Show what is loaded: files, triples, instances per class, namespaces."""
    from ecokg.info import dataset_info
    from ecokg.stores.local import Dataset
    from ecokg.stores.scope import open_scoped, plan_code

    chosen = INFO_FORMATS.choose(shared.output_format, None, formats.TABLE)
    dataset, plan = open_scoped(shared.load(), shared.plan)
    assert isinstance(dataset, Dataset)
    summary = dataset_info(dataset)
    if chosen is formats.REPORT_JSON:
        report = summary.to_json()
        if plan is not None:  # additive: which plan the figures are of
            report["plan"] = {"iri": plan.iri, "county": plan.county, "code": plan_code(plan)}
        deliver(json.dumps(report, ensure_ascii=False, indent=2) + "\n", None)
        return 0
    from rich.table import Table

    from ecokg.rdf.namespaces import compact

    console = make_console()
    if plan is not None:
        console.print(f"Plan: {plan.label_zh or plan.label_en or ''} <{compact(plan.iri)}>")
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


@shared(*DATASET, *REMOTE, *SCOPE, formats=QUERY_FORMATS, format_note="default: table")
def sparql(
    query: Annotated[
        str, typer.Argument(help="The SPARQL query, @FILE.rq to read it, - for stdin.")
    ],
    lang: LangOption = None,
    output: OutputOption = None,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service",
            help="Let SERVICE clauses fetch from other servers (refused by default).",
        ),
    ] = False,
    *,
    shared: Shared,
) -> int:
    """Run any SPARQL 1.1 query on the loaded dataset (known prefixes need no PREFIX)."""
    text, source = read_query_argument(query)
    lang = check_lang(lang)
    from ecokg.stores.scope import open_scoped

    store, _ = open_scoped(shared.open_store(allow_service=allow_service), shared.plan)
    emit(store.query(text, source=source), store, shared.output_format, lang, output)
    return 0


@shared(*DATASET, *REMOTE, *SCOPE, formats=QUERY_FORMATS, format_note="default: table")
def query(
    name: Annotated[str | None, typer.Argument(help="Name of the query (see --list).")] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their parameters.")
    ] = False,
    params: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as key=value. Repeatable.", metavar="K=V"),
    ] = None,
    lang: LangOption = None,
    output: OutputOption = None,
    *,
    shared: Shared,
) -> int:
    """Run a named query from the library: ecokg query NAME --param key=value."""
    from ecokg.query import library as querylib
    from ecokg.query.scoped import run_scoped_query

    lang = check_lang(lang)
    if list_queries:
        _print_query_list(querylib.list_named_queries(), shared.output_format, lang or "zh")
        return 0
    if name is None:
        raise UsageError("give a query NAME, or --list to see them")
    named = querylib.get_named_query(name)
    values = querylib.parse_assignments(params or [])
    store = shared.open_store()
    # with --plan: that plan alone; without, on several plans: once per plan (leading
    # plan and county columns), each run seeing one plan's graphs
    result, titled = run_scoped_query(store, named, values, shared.plan)
    emit(result, store, shared.output_format, lang, output, titled)
    return 0


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


def _print_query_list(queries: list, output_format: str | None, lang: str) -> None:
    if LIST_FORMATS.choose(output_format, None, formats.TABLE) is formats.REPORT_JSON:
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
        deliver(json.dumps(listing, ensure_ascii=False, indent=2) + "\n", None)
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("name", "title", "params"):
        table.add_column(column, overflow="fold")
    for query in queries:
        signature = ", ".join(param.signature() for param in query.params) or "-"
        table.add_row(query.name, query.title(lang), signature)
    make_console().print(table)
