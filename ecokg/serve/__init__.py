"""``ecokg serve``: the plan as a live linked-data portal on the embedded store (or in front
of a SPARQL endpoint): dereferenceable IRIs with content negotiation, a read-only SPARQL 1.1
endpoint with an editor, the question box, the named queries, the audit, the catalogue.

:func:`ecokg.serve.portal.open_portal` loads what is served; :func:`ecokg.serve.app.create_app`
makes the ASGI application; :func:`serve` runs it on uvicorn.
"""

from __future__ import annotations

import logging

from ecokg.serve.portal import Limits, Portal, open_portal

__all__ = ["Limits", "Portal", "open_portal", "serve"]


def serve(portal: Portal, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``portal`` until interrupted (uvicorn; errors are logged, never sent)."""
    import uvicorn

    from ecokg.serve.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        uvicorn.run(create_app(portal), host=host, port=port, log_level="info", server_header=False)
    finally:
        portal.close()
