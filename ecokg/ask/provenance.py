"""Which rows of an answer rest on the user's own ``--data`` files rather than on the plan.

The user's files are in plan graphs as the bundled plan is (``…/graph/plan/{code}``; a file
without a plan of its own goes into the graph of the plan it mentions), so the queries call
their facts "stated" and cite the sections the plan's nodes derive from. Here each row is
checked against the triples of each user file that the bundled plan does not state itself:
a file's triple is a fact of the row when its subject is one of the row's IRIs and its
object is another of the row's IRIs, a value shown in the row, or a node of the file
carrying such a value (a figure's number). Such a row says "stated in your data: FILE" and
cites the file (and the sections the file itself labels) instead of the plan's sections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from ecokg import resources
from ecokg.ask.cell import Cell
from ecokg.kb import user_data_files
from ecokg.rdf.namespaces import RDFS, XSD
from ecokg.rdf.parsing import parse_file
from ecokg.stores.base import Store, Term
from ecokg.stores.local import Dataset

_NUMERIC = frozenset(XSD + name for name in ("decimal", "integer", "double", "float"))
_LABEL = ox.NamedNode(RDFS + "label")
EVIDENCE = "evidence"
SOURCES = "sources"
# How a row that rests on the user's files is described, per evidence value and language.
FROM_DATA = {
    "stated": {"zh": "您的数据明示：{files}", "en": "stated in your data: {files}"},
    "inferred": {"zh": "据您的数据推理：{files}", "en": "inferred from your data: {files}"},
}
SOURCES_FROM_DATA = {"zh": "您的数据：{files}", "en": "your data: {files}"}


def _key(term: object) -> object:
    """Equal for equal values: the store writes 21.8 where a file writes 21.80."""
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            pass
    if isinstance(term, ox.Literal):
        return ("text", term.value, term.language)
    return term


@dataclass(frozen=True)
class UserFile:
    """One ``--data`` file: its name and what it states that the bundled plan does not."""

    name: str
    by_subject: dict[object, list[ox.Triple]]
    labels: frozenset[str]

    @classmethod
    def read(cls, path: Path, plan: set[ox.Triple]) -> UserFile:
        by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
        labels = set()
        for quad in parse_file(path):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if triple in plan:
                continue
            by_subject[quad.subject].append(triple)
            if quad.predicate == _LABEL and isinstance(quad.object, ox.Literal):
                labels.add(quad.object.value)
        return cls(path.name, dict(by_subject), frozenset(labels))

    def states_row_facts(self, terms: Sequence[Term | None]) -> bool:
        iris = {term for term in terms if isinstance(term, ox.NamedNode)}
        values = {_key(term) for term in terms if isinstance(term, ox.Literal)}
        for subject in iris:
            for triple in self.by_subject.get(subject, ()):
                target = triple.object
                if target in iris or _key(target) in values:
                    return True
                if any(_key(t.object) in values for t in self.by_subject.get(target, ())):
                    return True
        return False


def user_files(store: Store) -> list[UserFile]:
    """The user's files loaded into ``store`` (none for a remote store)."""
    if not isinstance(store, Dataset):
        return []
    paths = user_data_files(store)
    if not paths:
        return []
    plan_file = resources.plan_file()
    plan: set[ox.Triple] = set()
    if any(loaded.path == plan_file for loaded in store.files):
        plan = {ox.Triple(q.subject, q.predicate, q.object) for q in parse_file(plan_file)}
    return [UserFile.read(path, plan) for path in paths]


def files_for_row(files: Iterable[UserFile], terms: Sequence[Term | None]) -> list[UserFile]:
    """The user's files that state a fact of the row (see the module's docstring)."""
    return [file for file in files if file.states_row_facts(terms)]


def mark_user_data(
    store: Store,
    columns: Sequence[str],
    terms: Sequence[Sequence[Term | None]],
    rows: list[list[Cell | None]],
) -> None:
    """Mark the evidence and sources cells of the rows that rest on the user's files."""
    shown = [n for n, column in enumerate(columns) if column not in (EVIDENCE, SOURCES)]
    marked = [columns.index(c) if c in columns else None for c in (EVIDENCE, SOURCES)]
    if marked == [None, None]:
        return
    files = user_files(store)
    if not files:
        return
    evidence, sources = marked
    for row_terms, row in zip(terms, rows, strict=True):
        found = files_for_row(files, [row_terms[n] for n in shown])
        if not found:
            continue
        names = tuple(file.name for file in found)
        listed = ", ".join(names)
        cell = row[evidence] if evidence is not None else None
        if evidence is not None and cell is not None and cell.value in FROM_DATA:
            texts = FROM_DATA[cell.value]
            row[evidence] = replace(
                cell,
                label_zh=texts["zh"].format(files=listed),
                label_en=texts["en"].format(files=listed),
                data_files=names,
            )
        if sources is not None:
            row[sources] = _sources_cell(row[sources], found, names)


def _sources_cell(cell: Cell | None, found: Sequence[UserFile], names: tuple[str, ...]) -> Cell:
    """The files, then the sections the files themselves label (not the plan's)."""

    listed = ", ".join(names)
    labels = set().union(*(file.labels for file in found))
    own_zh = [part for part in (cell.value.split("; ") if cell else []) if part in labels]
    english = (cell.label_en or "").split("; ") if cell else []
    zh_parts = cell.value.split("; ") if cell else []
    own_en = [en for zh, en in zip(zh_parts, english, strict=False) if zh in labels]
    return Cell(
        cell.value if cell else "",
        label_zh="; ".join([SOURCES_FROM_DATA["zh"].format(files=listed), *own_zh]),
        label_en="; ".join([SOURCES_FROM_DATA["en"].format(files=listed), *own_en]),
        data_files=names,
    )
