"""``ecokg serve``: the plan as a live linked-data portal and SPARQL endpoint (thin layer
over :mod:`ecokg.serve`; the web stack is imported only when the command runs)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ecokg.cli.options import DATASET, REMOTE, Shared, shared
from ecokg.errors import UsageError
from ecokg.stores.base import SERVE_TIMEOUT

DEFAULT_HOST = "127.0.0.1"


@shared(*DATASET, *REMOTE, timeout_default=SERVE_TIMEOUT)
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Query worker processes for the embedded store (forked once; each query "
            "runs in one, killed at --timeout) [default: the number of CPUs; 0: fork one "
            "per query].",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    *,
    shared: Shared,
) -> int:
    """Serve the plan: pages in zh/en, IRIs with content negotiation, /sparql (read-only,
    with an editor), /ask, /queries, /audit, /catalog, /void. --timeout bounds each query."""
    from ecokg.serve import Limits, open_portal
    from ecokg.serve import serve as run_server

    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: give a port between 1 and 65535")
    if max_rows < 1 or max_body < 1:
        raise UsageError("--max-rows and --max-body must be positive")
    if workers is not None and workers < 0:
        raise UsageError(f"--workers {workers}: give 0 or more")
    limits = Limits(
        timeout=shared.timeout if shared.timeout is not None else SERVE_TIMEOUT,
        max_rows=max_rows,
        max_body=max_body,
    )
    store = replace(shared, timeout=limits.timeout).open_store()
    audited, bundled = list(shared.data), shared.bundled
    if shared.store is not None:  # the audit reads each plan's statements from the store
        audited, bundled = _store_snapshot(store), False
    portal = open_portal(store, data=audited, bundled=bundled, limits=limits, workers=workers)
    run_server(portal, host=host, port=port)
    return 0


def _store_snapshot(store: object) -> list[Path]:
    """Each plan's statements as a file, kept until the server stops."""
    import atexit
    import shutil
    import tempfile

    from ecokg.store_load import stated_snapshot
    from ecokg.stores.ondisk import StoredDataset

    assert isinstance(store, StoredDataset)
    folder = Path(tempfile.mkdtemp(prefix="ecokg-serve-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return stated_snapshot(store, folder)
