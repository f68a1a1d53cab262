"""How long work tells of its steps: a library function takes a ``ProgressBar`` (the CLI
gives a Rich bar on stderr, :func:`ecokg.cli.output.progress_bar`), enters it with the number
of steps, and calls what it gives with what each step did, as the step ends."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

Advance = Callable[[str], None]
ProgressBar = Callable[[int], AbstractContextManager[Advance]]


def steps(progress: ProgressBar | None, total: int) -> AbstractContextManager[Advance]:
    """``progress(total)``, or, without a bar, a context whose steps go nowhere."""
    return progress(total) if progress is not None else nullcontext(_nowhere)


def _nowhere(_what: str) -> None:
    pass
