"""Column titles and units of named-query tables, read from the query's header.

A named query titles its columns in ``# columns-zh:`` / ``# columns-en:`` and names the column
holding each value's unit in ``# units:`` (see :mod:`ecokg.query.library`). Tables for people — the
answers of ``ecokg ask`` and ``ecokg query --lang`` — show those titles and print each value
with its unit as the plan writes it (``41800万元``, ``52.54%``); the unit columns themselves are
then left out of the table, never out of JSON or CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecokg.query.library import NamedQuery

LANGUAGE_OF_SUFFIX = {"Zh": "zh", "En": "en"}
# how a label column is told from the IRI column it names, in each language of the table
_LABEL_NOTE = {
    "zh": {"zh": "（中文名）", "en": "（英文名）"},
    "en": {"zh": " (zh)", "en": " (en)"},
}


def title(query: NamedQuery | None, column: str, lang: str) -> str:
    """The header's title of ``column`` in ``lang`` (a label column by its stem's title), else
    the variable name without its language suffix."""
    found = query.column_title(column, lang) if query is not None else None
    if found:
        return found
    return column[:-2] if column[-2:] in LANGUAGE_OF_SUFFIX else column


def full_title(query: NamedQuery | None, column: str, lang: str) -> str:
    """Like :func:`title`, but a label column shown beside others says which language it is."""
    found = title(query, column, lang)
    suffix = column[-2:]
    if suffix in LANGUAGE_OF_SUFFIX and found != column:
        return found + _LABEL_NOTE[lang][LANGUAGE_OF_SUFFIX[suffix]]
    return found


def unit_columns(query: NamedQuery | None, columns: Sequence[str]) -> dict[int, int]:
    """Index of each value column → index of the column holding its unit."""
    if query is None:
        return {}
    found = {}
    for number, column in enumerate(columns):
        unit = query.unit_column(column)
        if unit is not None and unit in columns:
            found[number] = columns.index(unit)
    return found


def with_unit(value: str, unit: str, lang: str) -> str:
    """A value followed by its unit: ``41800万元`` in Chinese, ``41800 ten thousand yuan``."""
    if not value or not unit:
        return value
    return f"{value}{unit}" if lang == "zh" else f"{value} {unit}"


def shown_columns(
    query: NamedQuery | None, columns: Sequence[str], lang: str, hidden: Iterable[str] = ()
) -> list[int]:
    """Indexes of the columns a table for people shows in ``lang``, as ``ecokg ask`` prints
    them: not the ``hidden`` ones (e.g. the bound parameters, the same on every row), not a
    label column of the other language, not a label column beside the IRI column it labels
    (that cell shows the label), not a unit column printed with its values."""
    hidden = set(hidden)
    names = set(columns)
    own = {language: suffix for suffix, language in LANGUAGE_OF_SUFFIX.items()}[lang]
    printed_with_values = {
        unit for value, unit in unit_columns(query, columns).items() if columns[value] not in hidden
    }
    shown = []
    for number, column in enumerate(columns):
        suffix = column[-2:]
        if column in hidden or number in printed_with_values:
            continue
        if suffix in LANGUAGE_OF_SUFFIX and suffix != own and column[:-2]:
            continue
        if suffix == own and column[:-2] in names:
            continue
        shown.append(number)
    return shown
