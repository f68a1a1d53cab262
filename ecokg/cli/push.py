"""``ecokg push``: upload the graphs to a SPARQL server (Graph Store Protocol)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg.cli.options import DATASET, REMOTE, Shared, check_timeout, shared
from ecokg.cli.output import write_text
from ecokg.errors import UsageError

if TYPE_CHECKING:
    from ecokg.publish.push import Part, Progress


@shared(*DATASET, *REMOTE)
def push(
    graph: Annotated[
        str | None, typer.Option("--graph", help="Put everything into this one graph.")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store",
            "--store-url",
            help="Graph Store Protocol URL (default: /store next to the --endpoint). "
            "--store-url is the old name.",
            metavar="URL",
        ),
    ] = None,
    *,
    shared: Shared,
) -> int:
    """Upload the graphs to a SPARQL server: one Graph Store Protocol PUT per named graph
    loaded (with --no-inferred the server's inferred graph is left as it is); --endpoint
    (the server's query endpoint) checks the upload. Credentials may be in the URLs
    (http://user:password@host/…); --user wins."""
    from ecokg.publish import push as pushing

    if shared.endpoint is None:
        raise UsageError("push needs --endpoint URL (the server's SPARQL query endpoint)")
    endpoint, auth = shared.endpoint, shared.auth()
    target = store_url or pushing.default_store_url(endpoint)
    seconds = check_timeout(shared.timeout) or pushing.DEFAULT_PUSH_TIMEOUT
    parts = pushing.plan_parts(shared.load(), graph)

    def held(name: str) -> int:
        return pushing.server_counts(endpoint, [name], auth=auth, timeout=seconds)[name]

    with _upload_progress(parts) as progress:
        pushed = pushing.push_parts(
            parts, target, auth=auth, timeout=seconds, progress=progress, held=held
        )
    counts = pushing.server_counts(endpoint, [p.graph for p in pushed], auth=auth, timeout=seconds)
    for part in pushed:
        count = counts.get(part.graph)
        note = "" if count == part.triples else f"; the server holds {count}"
        write_text(f"<{part.graph}>: {part.triples} triples in {part.seconds:.2f} s{note}\n")
    if graph is None:
        for name in pushing.left_alone(parts):
            write_text(f"<{name}>: not loaded, left as it is on the server\n")
    pushing.check_counts(pushed, counts, endpoint)
    return 0


@contextmanager
def _upload_progress(parts: list[Part]) -> Iterator[Progress | None]:
    """A Rich progress bar on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        tasks = {
            p.graph: bar.add_task(p.graph.rsplit("/", 1)[-1], total=len(p.body)) for p in parts
        }

        def update(graph: str, sent: int, total: int) -> None:
            bar.update(tasks[graph], completed=sent, total=total)

        yield update
