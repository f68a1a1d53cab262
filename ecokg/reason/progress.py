"""A live display of the reasoning stages on stderr, when stderr is a terminal (else silent):
reasoning over large data takes minutes and must not look hung."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def reasoning_status(title: str) -> Iterator[Callable[[str], None]]:
    """A function to report each stage with; shown with a spinner and the time elapsed."""
    if not sys.stderr.isatty():
        yield lambda _stage: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with display:
        task = display.add_task(title, total=None)

        def report(stage: str) -> None:
            display.update(task, description=f"{title}: {stage}")

        yield report
