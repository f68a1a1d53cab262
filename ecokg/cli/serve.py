"""``ecokg serve``: the plan as a live linked-data portal and SPARQL endpoint (thin layer
over :mod:`ecokg.serve`; the web stack is imported only when the command runs)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from ecokg.cli.options import DATASET, REMOTE, Shared, shared
from ecokg.errors import UsageError

DEFAULT_HOST = "127.0.0.1"


@shared(*DATASET, *REMOTE)
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (only this machine by default).")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    max_rows: Annotated[
        int,
        typer.Option(
            "--max-rows", help="Most rows (or triples) a SPARQL result may have.", metavar="N"
        ),
    ] = 10_000,
    max_body: Annotated[
        int,
        typer.Option("--max-body", help="Largest request body in bytes.", metavar="BYTES"),
    ] = 256 * 1024,
    *,
    shared: Shared,
) -> int:
    """Serve the plan: pages in zh/en, IRIs with content negotiation, /sparql (read-only,
    with an editor), /ask, /queries, /audit, /catalog, /void. --timeout bounds each query
    (default 10 s here)."""
    from ecokg.serve import Limits, open_portal
    from ecokg.serve import serve as run_server

    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: give a port between 1 and 65535")
    if max_rows < 1 or max_body < 1:
        raise UsageError("--max-rows and --max-body must be positive")
    limits = Limits(
        timeout=shared.timeout if shared.timeout is not None else Limits().timeout,
        max_rows=max_rows,
        max_body=max_body,
    )
    store = replace(shared, timeout=limits.timeout).open_store()
    portal = open_portal(store, data=shared.data, bundled=shared.bundled, limits=limits)
    run_server(portal, host=host, port=port)
    return 0
