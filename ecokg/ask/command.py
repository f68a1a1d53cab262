"""``ecokg ask QUESTION``: the thin CLI layer over :mod:`ecokg.ask`.

Only typer is imported here; the engine (and the dataset) load when the command runs,
so registering the command costs the other verbs nothing.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ecokg.cli_common import (
    DataOption,
    DebugOption,
    EndpointOption,
    NoBundledOption,
    NoInferredOption,
    TimeoutOption,
)


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
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Ask a question in Chinese or English: ecokg ask "哪些项目治理泗溪镇的土壤污染？"."""
    from ecokg.ask.answer import render
    from ecokg.ask.engine import Asker, NoIntentError, UnknownNameError
    from ecokg.cli_common import check_choice, make_console, options, write_text

    check_choice("--format", output_format, ("table", "json"))
    dataset = options(ctx, data, no_bundled, no_inferred).open_store(endpoint, timeout)
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
        write_text(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        render(make_console(), answer, explain=explain)
    return 0
