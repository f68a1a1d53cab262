"""The verbs that act on the whole graph: ``push``, ``reason`` and ``audit`` (registered in
:mod:`ecokg.cli`; ``ask`` and ``export`` live with their libraries)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecokg.cli_common import (
    LANG_CHOICES,
    TOKEN_ENV,
    DataOption,
    DebugOption,
    EndpointOption,
    NoBundledOption,
    NoInferredOption,
    OutputOption,
    TimeoutOption,
    check_choice,
    check_timeout,
    make_console,
    options,
    write_text,
)
from ecokg.errors import UsageError

if TYPE_CHECKING:
    from ecokg.push import Part, Progress
    from ecokg.store import Store


def push(
    ctx: typer.Context,
    endpoint: Annotated[
        str,
        typer.Option(
            "--endpoint",
            help="The server's SPARQL query endpoint (to check the upload).",
            metavar="URL",
        ),
    ],
    graph: Annotated[
        str | None, typer.Option("--graph", help="Put everything into this one graph.")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store-url",
            help="Graph Store Protocol URL (default: /store next to the endpoint).",
            metavar="URL",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="HTTP basic auth user.")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="HTTP basic auth password.")
    ] = None,
    token_env: Annotated[
        str,
        typer.Option("--token-env", help="Variable holding a bearer token.", metavar="NAME"),
    ] = TOKEN_ENV,
    timeout: TimeoutOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Upload the graphs to a SPARQL server: one Graph Store Protocol PUT per named graph."""
    from ecokg import push as pushing
    from ecokg.remote import Auth

    auth = Auth.from_options(user, password, token_env)
    target = store_url or pushing.default_store_url(endpoint)
    seconds = check_timeout(timeout) or pushing.DEFAULT_PUSH_TIMEOUT
    parts = pushing.plan_parts(options(ctx, data, no_bundled, no_inferred).load(), graph)
    with _upload_progress(parts) as progress:
        pushed = pushing.push_parts(parts, target, auth=auth, timeout=seconds, progress=progress)
    counts = pushing.server_counts(endpoint, [p.graph for p in pushed], auth=auth, timeout=seconds)
    for part in pushed:
        held = counts.get(part.graph)
        note = "" if held == part.triples else f"; the server holds {held}"
        write_text(f"<{part.graph}>: {part.triples} triples in {part.seconds:.2f} s{note}\n")
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


def reason(
    ctx: typer.Context,
    engine: Annotated[
        str, typer.Option("--engine", help="auto (HermiT with Java, else owlrl), hermit, owlrl.")
    ] = "auto",
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if the bundled inferred graph is out of date.")
    ] = False,
    output: OutputOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    debug: DebugOption = False,
) -> int:
    """Check consistency and materialise the inferred graph (Turtle to stdout or --output)."""
    from ecokg import reason as reasoning
    from ecokg import resources
    from ecokg.atomic import write_atomic

    loaded = options(ctx, data, no_bundled, False)
    files = ([] if loaded.no_bundled else [resources.plan_file()]) + loaded.data
    if not files:
        raise UsageError("nothing to reason over: give --data FILE or drop --no-bundled")
    inference = reasoning.materialise(files, engine=engine)
    print(
        f"consistent; {len(inference.triples)} facts inferred by {inference.engine} "
        f"in {inference.seconds:.1f} s",
        file=sys.stderr,
    )
    if check:
        if loaded.data or loaded.no_bundled:
            raise UsageError("--check compares with the bundled inferred graph: drop --data")
        current = resources.inferred_file()
        if not current.is_file() or current.read_text(encoding="utf-8") != inference.turtle():
            print(f"{current}: out of date (ecokg reason --output {current})", file=sys.stderr)
            return 1
        return 0
    if output is not None:
        write_atomic(output, inference.turtle())
    else:
        write_text(inference.turtle())
    return 0


def audit(
    ctx: typer.Context,
    shapes: Annotated[
        list[Path] | None,
        typer.Option("--shapes", help="Also run the shapes in FILE. Repeatable.", metavar="FILE"),
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help="table, markdown, html, json, ttl.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels and messages: zh or en.")] = "zh",
    output: OutputOption = None,
    endpoint: EndpointOption = None,
    timeout: TimeoutOption = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    debug: DebugOption = False,
) -> int:
    """Check the plan against its SHACL shapes; exit 1 if there is a Violation."""
    from ecokg.audit.cli_support import emit_audit

    check_choice("--lang", lang, LANG_CHOICES)
    loaded = options(ctx, data, no_bundled, False)
    report = (shapes or [], output_format, lang, output, make_console)
    if endpoint is None:
        return emit_audit(loaded.data, not loaded.no_bundled, *report)
    # SHACL needs the whole graph: audit a snapshot of what the server states (no inferences).
    with tempfile.TemporaryDirectory(prefix="ecokg-audit-") as folder:
        snapshot = Path(folder) / "endpoint.nt"
        _snapshot(options(ctx, data, no_bundled, True).open_store(endpoint, timeout), snapshot)
        return emit_audit([snapshot], False, *report)


def _snapshot(store: Store, path: Path) -> None:
    """Write every triple of the store's default graph to ``path`` as N-Triples."""
    import pyoxigraph as ox

    from ecokg.store import construct

    triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    ox.serialize(triples, path, format=ox.RdfFormat.N_TRIPLES)
