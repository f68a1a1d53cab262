"""Reasoning: materialise what the plan leaves implicit (:mod:`ecokg.reason.engine`), and cache
it for a user's own data (:mod:`ecokg.reason.cache`), explain an inconsistency
(:mod:`ecokg.reason.explain`); many plans each on its own (:mod:`ecokg.reason.many`)."""

from ecokg.reason.cache import DEFAULT_REASON_LIMIT, REASON_LIMIT_ENV, cached_inferred_file
from ecokg.reason.engine import (
    ENGINES,
    Inference,
    inconsistencies,
    java_available,
    materialise,
    serialise_turtle,
)
from ecokg.reason.explain import InconsistentData
from ecokg.reason.many import materialise_many

__all__ = [
    "DEFAULT_REASON_LIMIT",
    "ENGINES",
    "REASON_LIMIT_ENV",
    "InconsistentData",
    "Inference",
    "cached_inferred_file",
    "inconsistencies",
    "java_available",
    "materialise",
    "materialise_many",
    "serialise_turtle",
]
