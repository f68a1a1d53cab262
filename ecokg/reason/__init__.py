"""Reasoning: materialise what the plan leaves implicit (:mod:`ecokg.reason.engine`), and cache
it for a user's own data (:mod:`ecokg.reason.cache`)."""

from ecokg.reason.cache import cached_inferred_file
from ecokg.reason.engine import (
    ENGINES,
    Inference,
    inconsistencies,
    java_available,
    materialise,
    serialise_turtle,
)

__all__ = [
    "ENGINES",
    "Inference",
    "cached_inferred_file",
    "inconsistencies",
    "java_available",
    "materialise",
    "serialise_turtle",
]
