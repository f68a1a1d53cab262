"""Reasoning: materialise what the plan leaves implicit (:mod:`ecokg.reason.engine`), and cache
it for a user's own data (:mod:`ecokg.reason.cache`), explain an inconsistency
(:mod:`ecokg.reason.explain`)."""

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
    "serialise_turtle",
]
