"""``ecokg audit``: run the SHACL shapes, print or write the report, exit 1 on a Violation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg.cli.options import (
    DATASET,
    REMOTE,
    OutputOption,
    Shared,
    check_lang,
    shared,
)
from ecokg.cli.output import deliver, make_console, to_file
from ecokg.progress import progress_bar
from ecokg.rdf import formats

if TYPE_CHECKING:
    from ecokg.audit import AuditReport

AUDIT_FORMATS = formats.Choices(
    "audit", formats.TABLE, formats.MARKDOWN, formats.HTML, formats.REPORT_JSON, formats.TURTLE
)
EXIT_VIOLATION = 1


@shared(*DATASET, *REMOTE, formats=AUDIT_FORMATS, format_note="default: table")
def audit(
    shapes: Annotated[
        list[Path] | None,
        typer.Option("--shapes", help="Also run the shapes in FILE. Repeatable.", metavar="FILE"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels and messages: zh or en.")] = "zh",
    output: OutputOption = None,
    *,
    shared: Shared,
) -> int:
    """Check the plan against its SHACL shapes; exit 1 if there is a Violation. The audit
    reads what the plan states, never the inferred graph (--no-inferred changes nothing)."""
    from ecokg.audit import audit as run_audit

    language = check_lang(lang) or "zh"
    target = to_file(output)
    chosen = AUDIT_FORMATS.choose(shared.output_format, target, formats.TABLE)
    bar = progress_bar("Auditing plans")
    if shared.store is None and shared.endpoint is None:
        report = run_audit(
            shared.data, bundled=shared.bundled, shapes=shapes or [], lang=language, progress=bar
        )
    else:
        from ecokg.audit.stores import audit_store

        # one plan graph at a time (a CONSTRUCT each), never the whole store at once
        store = replace(shared, no_inferred=True).open_store()
        report = audit_store(store, shapes=shapes or [], lang=language, progress=bar)
    _emit_report(report, chosen, language, target)
    return EXIT_VIOLATION if report.has_violation else 0


def _emit_report(
    report: AuditReport, chosen: formats.Format, lang: str, target: Path | None
) -> None:
    from ecokg.audit import report as render

    if chosen is formats.TABLE:
        console = make_console(record=target is not None)
        render.print_report(console, report, lang)
        if target is not None:
            deliver(console.export_text(), target)
        return
    renderers = {
        formats.REPORT_JSON: lambda: render.render_json(report),
        formats.MARKDOWN: lambda: render.render_markdown(report, lang),
        formats.HTML: lambda: render.render_html(report, lang),
        formats.TURTLE: lambda: render.render_ttl(report),
    }
    deliver(renderers[chosen](), target)
