"""``ecokg ask QUESTION``: the thin CLI layer over :mod:`ecokg.ask`.

Only typer is imported here; the engine (and the dataset) load when the command runs,
so registering the command costs the other verbs nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer


def register_ask(app: typer.Typer) -> None:
    """Add the ``ask`` verb to the ecokg application."""
    app.command("ask")(ask_command)


def ask_command(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="table (default) or json.")
    ] = "table",
    explain: Annotated[bool, typer.Option("--explain", help="Also print the SPARQL.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Rebuild the entity index instead of reading it.")
    ] = False,
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Also load this RDF file. Repeatable.", metavar="FILE"),
    ] = None,
    no_bundled: Annotated[
        bool, typer.Option("--no-bundled", help="Do not load the bundled plan.")
    ] = False,
    no_inferred: Annotated[
        bool, typer.Option("--no-inferred", help="Do not load the inferred graph.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> int:
    """Ask a question in Chinese or English: ecokg ask "哪些项目治理泗溪镇的土壤污染？"."""
    from ecokg import cli
    from ecokg.ask.answer import render
    from ecokg.ask.engine import Asker, NoIntentError, UnknownNameError

    cli._check_choice("--format", output_format, ("table", "json"))
    dataset = cli._options(ctx, data, no_bundled, no_inferred).load()
    asker = Asker.create(dataset, use_cache=not no_cache)
    try:
        answer = asker.ask(question)
    except (UnknownNameError, NoIntentError) as error:
        first, *rest = error.message.splitlines()
        print(f"ecokg: error: {first}", file=sys.stderr)
        for line in rest:
            print(line, file=sys.stderr)
        return error.exit_code
    if output_format == "json":
        cli._write_text(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        render(cli._console(), answer, explain=explain)
    return 0
