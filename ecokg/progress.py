"""How long work tells of its steps: a library function takes a ``ProgressBar`` (the CLI
gives :func:`progress_bar`, a Rich bar on stderr), enters it with the number of steps, and
calls what it gives with what each step did, as the step ends."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Advance = Callable[[str], None]
ProgressBar = Callable[[int], AbstractContextManager[Advance]]


def steps(progress: ProgressBar | None, total: int) -> AbstractContextManager[Advance]:
    """``progress(total)``, or, without a bar, a context whose steps go nowhere."""
    return progress(total) if progress is not None else nullcontext(_nowhere)


def _nowhere(_what: str) -> None:
    pass


def progress_bar(title: str) -> ProgressBar:
    """A Rich progress bar on stderr for ``total`` steps, when stderr is a terminal: entered,
    it gives the function to call as each step ends, with what the step did."""

    @contextmanager
    def bar(total: int) -> Iterator[Advance]:
        if not sys.stderr.isatty() or total == 0:
            yield _nowhere
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[what]}"),  # last: cut short first, never the bar
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task(title, total=total, what="")

            def advance(what: str) -> None:
                progress.update(task, advance=1, what=what)

            yield advance

    return bar
