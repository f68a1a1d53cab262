"""``ecokg ask QUESTION``: the thin CLI layer over :mod:`ecokg.ask`.

Only typer is imported here; the engine (and the dataset) load when the command runs,
so registering the command costs the other verbs nothing.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ecokg.stores.base import Store

from ecokg.cli.options import DATASET, REMOTE, SCOPE, Shared, check_timeout, shared
from ecokg.cli.output import deliver, make_console
from ecokg.rdf import formats

ASK_FORMATS = formats.Choices("ask", formats.TABLE, formats.REPORT_JSON)


@shared(*DATASET, *REMOTE, *SCOPE, formats=ASK_FORMATS, format_note="default: table")
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    explain: Annotated[
        bool, typer.Option("--explain", help="Also print the analysis and the SPARQL.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Rebuild the entity index and lexicon and load the dataset afresh "
            "instead of reading the cached copies.",
        ),
    ] = False,
    *,
    shared: Shared,
) -> int:
    """Ask a question in Chinese or English: ecokg ask "哪些项目治理泗溪镇的土壤污染？"."""
    from ecokg.ask.answer import render
    from ecokg.ask.engine import Asker
    from ecokg.ask.plans import ask_in_scope
    from ecokg.errors import UsageError

    chosen = ASK_FORMATS.choose(shared.output_format, None, formats.TABLE)
    store = _open_store(shared, cached=not no_cache)
    try:
        # one plan: as ever; several: the county the question names, or a comparison
        answer = ask_in_scope(
            store, question, shared.plan, lambda store: Asker.create(store, use_cache=not no_cache)
        )
    except UsageError as error:  # a refusal: one line, then what can be asked
        first, *rest = error.message.splitlines()
        print(f"ecokg: error: {first}", file=sys.stderr)
        for line in rest:
            print(line, file=sys.stderr)
        return error.exit_code
    if chosen is formats.REPORT_JSON:
        deliver(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n", None)
    else:
        render(make_console(), answer, explain=explain)
    return 0


def _open_store(shared: Shared, *, cached: bool) -> Store:
    """The bundled plan alone comes from ask's cached copy of the dataset (opened in some
    20 ms instead of parsed in 200); --data, --no-bundled, --store and --endpoint load as usual."""
    plain = shared.endpoint is None and shared.store is None and not shared.data
    if cached and plain and shared.bundled:
        from ecokg.ask.stores import open_bundled_copy

        copy = open_bundled_copy(inferred=shared.inferred, timeout=check_timeout(shared.timeout))
        if copy is not None:
            return copy
    return shared.open_store()
