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
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            help="Triples per request: a larger graph is sent in several (the first "
            "replaces the graph, the others add to it). Default: 50000.",
            metavar="TRIPLES",
        ),
    ] = None,
    *,
    shared: Shared,
) -> int:
    """Upload the graphs to a SPARQL server: each named graph loaded, under its own name, with
    the Graph Store Protocol (a PUT per graph, plus a POST per further --chunk-size triples;
    with --no-inferred the server's inferred graphs are left as they are); --endpoint (the
    server's query endpoint) checks the upload, and a version record is left for caches.
    Credentials may be in the URLs (http://user:password@host/…); --user wins."""
    from ecokg.publish import push as pushing

    if shared.endpoint is None:
        raise UsageError("push needs --endpoint URL (the server's SPARQL query endpoint)")
    endpoint, auth = shared.endpoint, shared.auth()
    target = store_url or pushing.default_store_url(endpoint)
    seconds = check_timeout(shared.timeout) or pushing.DEFAULT_PUSH_TIMEOUT
    chunk_triples = pushing.DEFAULT_CHUNK_TRIPLES if chunk_size is None else chunk_size
    if chunk_triples < 1:
        raise UsageError(f"--chunk-size {chunk_triples}: must be at least 1 triple")
    parts = pushing.plan_parts(shared.load(), graph)

    def held(name: str) -> int:
        return pushing.server_counts(endpoint, [name], auth=auth, timeout=seconds)[name]

    content = pushing.ContentHash()

    def changing() -> None:  # a record without checksum: no cache trusts a half-pushed store
        pushing.write_record(target, None, auth=auth, timeout=seconds)

    with _upload_progress(parts) as progress:
        pushed = pushing.push_parts(
            parts,
            target,
            auth=auth,
            timeout=seconds,
            progress=progress,
            held=held,
            chunk_triples=chunk_triples,
            content=content,
            changing=changing,
        )
    counts = pushing.server_counts(endpoint, [p.graph for p in pushed], auth=auth, timeout=seconds)
    for part in pushed:
        count = counts.get(part.graph)
        note = "" if count == part.triples else f"; the server holds {count}"
        requests = f", {part.requests} requests" if part.requests > 1 else ""
        write_text(
            f"<{part.graph}>: {part.triples} triples in {part.seconds:.2f} s{requests}{note}\n"
        )
    if graph is None:
        for name in pushing.left_alone(parts):
            write_text(f"<{name}>: not loaded, left as it is on the server\n")
    pushing.check_counts(pushed, counts, endpoint)
    sent = sum(part.triples for part in pushed)
    pushing.write_record(target, content.hexdigest(), triples=sent, auth=auth, timeout=seconds)
    return 0


@contextmanager
def _upload_progress(parts: list[Part]) -> Iterator[Progress | None]:
    """One Rich progress bar (triples of all graphs) on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    before: dict[str, int] = {}
    total = 0
    for part in parts:
        before[part.graph], total = total, total + part.triples
    with Progress(console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("push", total=total)

        def update(graph: str, sent: int, _triples: int) -> None:
            name = graph.rsplit("/graph/", 1)[-1]
            bar.update(task, completed=before[graph] + sent, description=name)

        yield update
