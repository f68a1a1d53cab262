"""Reading the monitoring workbook: the sheets of an .xlsx file or CSV files, each with its
kind (recognised by its column titles), header and numbered rows."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from pathlib import Path

from ecokg.errors import InputError
from ecokg.monitor.sheets import INDICATORS, OUTPUTS, PROJECTS, Sheet

Table = tuple[str, Sheet | None, list[str], list[tuple[int, list[str]]]]


def tables(
    path: Path,
) -> Iterator[tuple[str, Sheet | None, list[str], list[tuple[int, list[str]]]]]:
    """(sheet name, kind, header, numbered rows) of every sheet of a workbook or CSV file."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(f"{path}: not UTF-8 text ({error.reason})") from None
        table = list(csv.reader(text.splitlines()))
        yield from _table(path.stem, table)
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # zipfile, XML and openpyxl errors alike
            raise InputError(f"{path}: not a readable .xlsx workbook ({error})") from None
        try:
            for page in book.worksheets:
                table = [[_text(v) for v in values] for values in page.iter_rows(values_only=True)]
                yield from _table(page.title, table)
        finally:
            book.close()
    else:
        raise InputError(
            f"{path}: unknown monitoring file type {path.suffix!r} (known: .xlsx, .csv)"
        )


def _table(
    name: str, table: list[list[str]]
) -> Iterator[tuple[str, Sheet | None, list[str], list[tuple[int, list[str]]]]]:
    if not table:
        yield name, None, [], []
        return
    header = [str(cell) for cell in table[0]]
    body = [(number, values) for number, values in enumerate(table[1:], start=2)]
    yield name, _kind(header), header, body


def _kind(header: list[str]) -> Sheet | None:
    def has(sheet: Sheet, key: str) -> bool:
        return any(sheet.column(key).matches(cell) for cell in header)

    if has(OUTPUTS, "output") and has(OUTPUTS, "delivered"):
        return OUTPUTS
    if has(PROJECTS, "project") and has(PROJECTS, "status"):
        return PROJECTS
    if has(INDICATORS, "indicator") and has(INDICATORS, "value"):
        return INDICATORS
    return None


def columns(kind: Sheet, header: list[str]) -> tuple[dict[str, int], list[str]]:
    letters = {}
    for column in kind.columns:
        index = next((i for i, cell in enumerate(header) if column.matches(cell)), None)
        if index is not None:
            letters[column.key] = index
    needed = {"indicators": ("indicator", "year", "value"), "projects": ("project", "year"),
              "outputs": ("project", "output", "year", "delivered")}[kind.key]  # fmt: skip
    return letters, [key for key in needed if key not in letters]


def cell(values: list[str], index: int) -> str:
    return " ".join(values[index].split()) if index < len(values) else ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def slug(path: Path) -> str:
    """The report's IRI slug, from the file name (``NAME-indicators.csv`` → ``NAME``)."""
    stem = re.sub(r"-(indicators|projects|outputs)$", "", path.stem)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()
    return slug or "report"
