"""The consistency audit: SHACL shapes (shapes/*.ttl) run over the asserted plan graph.

``audit(...)`` is the library entry point; ``ecokg audit`` is a thin CLI over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ecokg.audit.engine import AuditReport, Finding
from ecokg.kb import plans_in_input
from ecokg.progress import ProgressBar

__all__ = ["AuditReport", "Finding", "audit"]


def audit(
    data: Sequence[Path] = (),
    *,
    bundled: bool = True,
    shapes: Sequence[Path] = (),
    lang: str = "zh",
    jobs: int | None = None,
    progress: ProgressBar | None = None,
) -> AuditReport:
    """Audit the ontology + the bundled plan (unless ``bundled`` is False) + ``data`` against
    the bundled shapes and the extra ``shapes`` files; plan sections cited in ``lang``.

    With several plans in the input (:func:`ecokg.kb.plans_in_input`), each is audited on
    its own, in up to ``jobs`` processes, and the cross-plan shapes over their union
    (:mod:`ecokg.audit.plans`; ``progress`` as there); the report then has one part per
    plan."""
    from ecokg.audit.plans import audit_one, audit_plans

    plans = plans_in_input(data, bundled=bundled)
    if len(plans) > 1:
        return audit_plans(plans, shapes=shapes, lang=lang, jobs=jobs, progress=progress)
    return audit_one([file for plan in plans for file in plan.files], shapes, lang)
