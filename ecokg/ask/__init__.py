"""Questions in Chinese or English, answered from the named-query library.

``ecokg ask "哪些项目治理泗溪镇的土壤污染？"``: entity linking (:mod:`ecokg.ask.linking` over
the cached :mod:`ecokg.ask.entities` index), intent matching against the queries'
``# ask-zh:``/``# ask-en:`` wordings (:mod:`ecokg.ask.intents`), then the query runs and
the rows come back with labels (:mod:`ecokg.ask.answer`).

The names below load lazily so that importing :mod:`ecokg.cli.ask` (which the CLI
does for every verb) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecokg.ask.answer import Answer
    from ecokg.ask.cell import Cell
    from ecokg.ask.engine import Asker, NoIntentError, UnknownNameError, ask

__all__ = ["Answer", "Asker", "Cell", "NoIntentError", "UnknownNameError", "ask"]
_HOMES = {
    "Answer": "ecokg.ask.answer",
    "Cell": "ecokg.ask.cell",
    "Asker": "ecokg.ask.engine",
    "NoIntentError": "ecokg.ask.engine",
    "UnknownNameError": "ecokg.ask.engine",
    "ask": "ecokg.ask.engine",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'ecokg.ask' has no attribute {name!r}")
