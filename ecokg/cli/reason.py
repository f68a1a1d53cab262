"""``ecokg reason``: check consistency and materialise the inferred graph."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ecokg.cli.options import OutputOption, Shared, shared
from ecokg.cli.output import deliver, to_file
from ecokg.errors import UsageError


@shared("data", "no_bundled")
def reason(
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="auto (compiled when the axioms allow, else HermiT with Java, else owlrl), "
            "compiled, hermit, owlrl.",
        ),
    ] = "auto",
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the bundled inferred graph is out of date.")
    ] = False,
    output: OutputOption = None,
    *,
    shared: Shared,
) -> int:
    """Check consistency and materialise the inferred graph (Turtle to stdout or --output)."""
    from ecokg import kb, resources
    from ecokg import reason as reasoning

    files = kb.stated_files(shared.data, bundled=shared.bundled)
    if not files:
        raise UsageError("nothing to reason over: give --data FILE or drop --no-bundled")
    if check and (shared.data or shared.no_bundled):
        raise UsageError("--check compares with the bundled inferred graph: drop --data")
    from ecokg.reason.explain import InconsistentData, report
    from ecokg.reason.progress import reasoning_status

    with reasoning_status("reasoning") as progress:
        try:
            inference = reasoning.materialise(files, engine=engine, progress=progress)
        except InconsistentData as error:
            report(error)
            raise
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
    deliver(inference.turtle(), to_file(output))
    return 0
