"""``ecokg monitor template|import`` and ``ecokg evaluate``: the plan's implementation
monitoring (规划实施监测评估), over :mod:`ecokg.monitor`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg.cli.options import OutputOption, Shared, check_lang, shared
from ecokg.cli.output import deliver, make_console, to_file
from ecokg.errors import UsageError
from ecokg.rdf import formats

if TYPE_CHECKING:
    from ecokg.stores.local import Dataset

TEMPLATE_FORMATS = formats.Choices("monitor template", formats.XLSX, formats.SHEET_CSV)
IMPORT_FORMATS = formats.Choices(
    "monitor import", formats.TURTLE, formats.TRIG, formats.N_QUADS, formats.N_TRIPLES,
    formats.JSON_LD,
)  # fmt: skip
EVALUATE_FORMATS = formats.Choices(
    "evaluate", formats.TABLE, formats.MARKDOWN, formats.HTML, formats.REPORT_JSON, formats.TURTLE
)
EXIT_LAGGING = 0  # lagging indicators are a finding for people, not a failure of the command

app = typer.Typer(
    name="monitor",
    help="Monitoring of the plan's implementation: a template to fill in, and its import.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

# The plan and the monitoring data; never the inferred graph (--no-inferred would change nothing).
PLAN_AND_DATA = ("data", "no_bundled")
FillYearOption = Annotated[
    int | None,
    typer.Option(
        "--year", help="The year to fill in (default: the plan's near-term year).", metavar="Y"
    ),
]
EvaluateYearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="The year to evaluate (default: the latest year with monitoring data).",
        metavar="Y",
    ),
]


@app.command("template")
@shared(*PLAN_AND_DATA, formats=TEMPLATE_FORMATS, format_note="default: from --output, else xlsx")
def template(
    output: OutputOption = None,
    year: FillYearOption = None,
    *,
    shared: Shared,
) -> None:
    """Write a workbook (or CSV files NAME-indicators.csv, NAME-projects.csv,
    NAME-outputs.csv) pre-filled with the plan's indicators, projects and planned outputs,
    with empty columns for the year's figures (default year: the plan's near-term year)."""
    from ecokg.monitor.plan import read_plan
    from ecokg.monitor.template import csv_paths, csv_texts, workbook_bytes

    target = to_file(output)
    chosen = TEMPLATE_FORMATS.choose(shared.output_format, target, formats.XLSX)
    plan = read_plan(_plan_and_data(shared))
    fill_year = year if year is not None else plan.near_year
    if chosen is formats.XLSX:
        if target is None and sys.stdout.isatty():
            raise UsageError("a workbook is binary: give --output FILE.xlsx (or - to pipe it)")
        deliver(workbook_bytes(plan, fill_year), target)
        return
    texts = csv_texts(plan, fill_year)
    if target is None:
        deliver("".join(texts.values()), None)
        return
    for key, path in csv_paths(target).items():
        deliver(texts[key], path)
        print(f"wrote {path}", file=sys.stderr)


@app.command("import")
@shared(*PLAN_AND_DATA, formats=IMPORT_FORMATS, format_note="default: from --output, else ttl")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Filled-in workbooks (.xlsx) or CSV files.", metavar="FILE..."),
    ],
    output: OutputOption = None,
    *,
    shared: Shared,
) -> None:
    """Check every row of the filled-in template against the plan and write it as RDF (the
    monitoring graph; load it for the other verbs with --data). Any invalid row: one line per
    problem on stderr, exit 2, nothing written."""
    from ecokg.monitor.importer import ImportProblems, read_files, serialize
    from ecokg.monitor.plan import read_plan

    target = to_file(output)
    chosen = IMPORT_FORMATS.choose(shared.output_format, target, formats.TURTLE)
    plan = read_plan(_plan_and_data(shared))
    try:
        quads = read_files(plan, files)
    except ImportProblems as problems:
        for line in problems.problems:
            print(line, file=sys.stderr)
        raise
    assert chosen.rdf is not None
    deliver(serialize(quads, chosen.rdf), target)


@shared(*PLAN_AND_DATA, formats=EVALUATE_FORMATS, format_note="default: table")
def evaluate(
    year: EvaluateYearOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels and titles: zh or en.")] = "zh",
    output: OutputOption = None,
    *,
    shared: Shared,
) -> int:
    """Evaluate the plan's implementation from the monitoring data given with --data: each
    indicator's latest value against the straight path from baseline to target (binding
    indicators first), each project's progress and spending, roll-ups by programme, agency and
    zone (default year: the latest year with monitoring data)."""
    from ecokg.monitor import report as render
    from ecokg.monitor.evaluate import evaluate as run
    from ecokg.monitor.html import render_html

    language = check_lang(lang) or "zh"
    target = to_file(output)
    chosen = EVALUATE_FORMATS.choose(shared.output_format, target, formats.TABLE)
    # the evaluation reads the plan and the monitoring graph, never the inferred graph
    result = run(_plan_and_data(shared), year)
    if not result.has_data:
        print(f"ecokg: {render.WORDS[language]['no-data']}", file=sys.stderr)
    if chosen is formats.TABLE:
        console = make_console(record=target is not None)
        render.print_table(console, result, language)
        if target is not None:
            deliver(console.export_text(), target)
        return EXIT_LAGGING
    renderers = {
        formats.REPORT_JSON: lambda: render.render_json(result),
        formats.MARKDOWN: lambda: render.render_markdown(result, language),
        formats.HTML: lambda: render_html(result, language),
        formats.TURTLE: lambda: render.render_ttl(result),
    }
    deliver(renderers[chosen](), target)
    return EXIT_LAGGING


def _plan_and_data(shared: Shared) -> Dataset:
    from ecokg.kb import load_dataset

    return load_dataset(shared.data, bundled=shared.bundled, inferred=False)
