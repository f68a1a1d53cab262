"""The consistency audit: SHACL shapes (shapes/*.ttl) run over the asserted plan graph.

``audit(...)`` is the library entry point; ``ecokg audit`` is a thin CLI over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ecokg.audit.engine import AuditReport, Finding, load_plan, load_shapes, run_audit
from ecokg.kb import asserted_files

__all__ = ["AuditReport", "Finding", "audit"]


def audit(
    data: Sequence[Path] = (),
    *,
    bundled: bool = True,
    shapes: Sequence[Path] = (),
    lang: str = "zh",
) -> AuditReport:
    """Audit the ontology + the bundled plan (unless ``bundled`` is False) + ``data`` against
    the bundled shapes and the extra ``shapes`` files; plan sections cited in ``lang``."""
    graph, store = load_plan(asserted_files(data, bundled=bundled))
    return run_audit(graph, load_shapes(shapes), lang, store)
