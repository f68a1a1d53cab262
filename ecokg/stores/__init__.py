"""Stores: one :class:`Store` protocol, the embedded store and a remote endpoint as siblings."""

from ecokg.stores.base import (
    DEFAULT_TIMEOUT,
    QueryResult,
    SolutionTable,
    Store,
    Term,
    construct,
    result_kind,
    select,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "QueryResult",
    "SolutionTable",
    "Store",
    "Term",
    "construct",
    "result_kind",
    "select",
]
