"""What ``ecokg audit`` does once its options are parsed: run, render, write, exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ecokg.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

# --output FILE without --format: the format follows the file name.
FORMAT_BY_SUFFIX = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".ttl": "ttl",
}
EXIT_VIOLATION = 1


def emit_audit(
    data: Sequence[Path],
    bundled: bool,
    shapes: Sequence[Path],
    output_format: str | None,
    lang: str,
    output: Path | None,
    make_console: Callable[..., Console],
) -> int:
    """Audit, print or write the report, and return the exit code (1 on a Violation)."""
    from ecokg.atomic import write_atomic
    from ecokg.audit import audit
    from ecokg.audit import report as render

    if output_format is None and output is not None:
        output_format = FORMAT_BY_SUFFIX.get(output.suffix.lower())
    output_format = output_format or "table"
    if output_format not in render.FORMATS:
        raise UsageError(f"--format {output_format!r}: choose one of {', '.join(render.FORMATS)}")
    result = audit(data, bundled=bundled, shapes=shapes, lang=lang)
    if output_format == "table":
        console = make_console(record=output is not None)
        render.print_report(console, result, lang)
        text = console.export_text() if output is not None else None
    elif output_format == "json":
        text = render.render_json(result)
    elif output_format == "markdown":
        text = render.render_markdown(result, lang)
    elif output_format == "html":
        text = render.render_html(result, lang)
    else:
        text = render.render_ttl(result)
    if output is not None and text is not None:
        write_atomic(output, text)
    elif output_format != "table" and text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_VIOLATION if result.has_violation else 0
