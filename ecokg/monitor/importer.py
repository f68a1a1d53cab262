"""``ecokg monitor import``: read filled-in workbooks or CSV files, check every row against the
plan, and turn them into monitoring RDF (W3C Data Cube observations with QUDT values).

Every problem is reported with its file, sheet, row and column; if there is any, nothing is
written (the caller gets a :class:`ImportProblems`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from ecokg.errors import InputError
from ecokg.monitor.plan import PlanFacts
from ecokg.monitor.sheets import INDICATORS, OUTPUTS, PROJECTS, SHEETS, YES, Sheet
from ecokg.monitor.tables import cell, columns, letter, slug, tables
from ecokg.rdf.namespaces import ECO, GRAPH_MONITORING, PREFIXES, RDF, RDFS, XSD, compact

QB = "http://purl.org/linked-data/cube#"
QUDT = "http://qudt.org/schema/qudt/"
PROV = "http://www.w3.org/ns/prov#"
PSTATUS = PREFIXES["pstatus"]
WAN_YUAN = PREFIXES["ecounit"] + "WanYuan"
PERCENT = "http://qudt.org/vocab/unit/PERCENT"
MON = PREFIXES["mon"]


class ImportProblems(InputError):
    """The rows that did not pass, one line each (``problems``); nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} in the monitoring data; nothing written")


@dataclass
class Row:
    """One data row of a sheet: its cells by column key, and where it is."""

    file: Path
    sheet: str
    number: int
    cells: dict[str, str]
    letters: dict[str, str]
    kind: Sheet

    def where(self, key: str) -> str:
        column = self.kind.column(key)
        letter = self.letters.get(key, "?")
        place = f"{self.file.name}: sheet {self.sheet}, row {self.number}"
        return f"{place}, column {letter} ({column.zh})"


@dataclass
class Reader:
    """Reads rows, records problems and collects quads."""

    plan: PlanFacts
    report: str
    problems: list[str] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    seen: dict[tuple[str, ...], str] = field(default_factory=dict)

    def problem(self, row: Row, key: str, message: str) -> None:
        self.problems.append(f"{row.where(key)}: {message}")

    def add(self, subject: str, predicate: str, value: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(value) if isinstance(value, str) else value
        self.quads.append(
            ox.Quad(
                ox.NamedNode(subject), ox.NamedNode(predicate), obj, ox.NamedNode(GRAPH_MONITORING)
            )
        )


def read_files(plan: PlanFacts, files: list[Path]) -> list[ox.Quad]:
    """The monitoring quads of ``files`` (xlsx or CSV), or ImportProblems listing every bad row."""
    if not files:
        raise InputError("give at least one workbook (.xlsx) or CSV file to import")
    reader = Reader(plan, slug(files[0]))
    report = MON + reader.report
    reader.add(report, RDF + "type", ECO.MonitoringReport)
    reader.add(report, RDFS + "label", ox.Literal(f"监测填报 {reader.report}", language="zh"))
    reader.add(
        report, RDFS + "label", ox.Literal(f"monitoring report {reader.report}", language="en")
    )
    kinds_found = 0
    for path in files:
        for sheet_name, kind, header, body in tables(path):
            if kind is None:
                continue
            kinds_found += 1
            letters, missing = columns(kind, header)
            if missing:
                titles = ", ".join(kind.column(key).title for key in missing)
                reader.problems.append(f"{path.name}: sheet {sheet_name}: missing columns {titles}")
                continue
            for number, values in body:
                cells = {key: cell(values, index) for key, index in letters.items()}
                if not any(cells.get(c.key) for c in kind.columns if c.filled and c.key != "year"):
                    continue  # a template row nobody filled in
                letter_of = {key: letter(index) for key, index in letters.items()}
                row = Row(path, sheet_name, number, cells, letter_of, kind)
                {INDICATORS: _indicator, PROJECTS: _project, OUTPUTS: _output}[kind](reader, row)
    if kinds_found == 0:
        raise InputError(
            f"{', '.join(p.name for p in files)}: no monitoring sheet found (the first row must "
            "hold the template's column titles; write one with: ecokg monitor template)"
        )
    if reader.problems:
        raise ImportProblems(reader.problems)
    return reader.quads


def serialize(quads: list[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    """Quads in the monitoring graph, in ``rdf_format`` (triples for a triple format)."""
    items: list[ox.Quad] | list[ox.Triple] = quads
    if not rdf_format.supports_datasets:
        items = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    prefixes = {k: v for k, v in PREFIXES.items() if k in _USED_PREFIXES}
    return ox.serialize(items, format=rdf_format, prefixes=prefixes) or b""


_USED_PREFIXES = {"prov", "eco", "mon", "ind", "proj", "fig", "fund", "pstatus", "qudt", "unit",
                  "ecounit", "xsd", "rdfs", "qb", "dcterms"}  # fmt: skip


# --- checking cells -------------------------------------------------------------------------


def _year(reader: Reader, row: Row) -> int | None:
    text = row.cells.get("year", "")
    plan = reader.plan
    if not re.fullmatch(r"\d{4}", text):
        reader.problem(row, "year", f"not a year: {text!r}" if text else "no year")
        return None
    year = int(text)
    if not plan.first_year <= year <= plan.last_year:
        reader.problem(
            row, "year", f"{year} is outside the plan period {plan.first_year}–{plan.last_year}"
        )
        return None
    return year


def _decimal(reader: Reader, row: Row, key: str, *, required: bool = False) -> Decimal | None:
    text = row.cells.get(key, "").replace(",", "")
    if not text:
        if required:
            reader.problem(row, key, "no value")
        return None
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        reader.problem(row, key, f"not a number: {text!r}")
        return None
    if not value.is_finite() or value < 0:
        reader.problem(row, key, f"not a non-negative number: {text!r}")
        return None
    return value


def _date(reader: Reader, row: Row, key: str) -> str | None:
    text = row.cells.get(key, "")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        reader.problem(row, key, f"not a date (YYYY-MM-DD): {text!r}")
        return None


def _resolve(reader: Reader, row: Row, key: str, candidates: list[str], kind: str) -> str | None:
    """The IRI among ``candidates`` that the cell names (label, alternative name, CURIE)."""
    text = row.cells.get(key, "")
    if not text:
        reader.problem(row, key, f"no {kind}")
        return None
    wanted = text.casefold()
    names = reader.plan.names
    found = sorted(
        iri
        for iri in candidates
        if wanted in {n.casefold() for n in names.get(iri, [])}
        or wanted in {compact(iri).casefold(), iri.casefold()}
    )
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(compact(iri) for iri in found)
        reader.problem(row, key, f"{text!r} names several {kind}s: {listed}")
        return None
    choices = list(dict.fromkeys(n for iri in candidates for n in names.get(iri, [])))
    reader.problem(row, key, f"the plan has no {kind} {text!r}{_did_you_mean(text, choices)}")
    return None


def _did_you_mean(text: str, choices: list[str]) -> str:
    from rapidfuzz import fuzz, process

    best = process.extract(text, choices, scorer=fuzz.WRatio, limit=3)
    names = [choice for choice, score, _ in best if score >= 50]
    return f"; did you mean {' or '.join(repr(n) for n in names)}?" if names else ""


def _unit_matches(reader: Reader, row: Row, unit: str | None) -> bool:
    text = row.cells.get("unit", "")
    if not text or unit is None:
        return True
    known = {t.casefold() for t in reader.plan.unit_texts.get(unit, [])} | {
        compact(unit).casefold()
    }
    if text.casefold() in known:
        return True
    expected = reader.plan.label(unit, "zh")
    reader.problem(row, "unit", f"unit {text!r} is not the plan's unit {expected!r} for this row")
    return False


def _revision(reader: Reader, row: Row, key: tuple[str, ...], subject: str) -> str | None:
    """The record's IRI; a second record for the same key must be marked as a revision."""
    revised = row.cells.get("revision", "").casefold() in YES
    if key in reader.seen and not revised:
        reader.problem(
            row,
            "year",
            f"a second figure for {key[-1]} ({reader.seen[key]}); mark it as a revision",
        )
        return None
    count = sum(1 for seen in reader.seen if seen[: len(key)] == key and len(seen) > len(key))
    reader.seen.setdefault(key, f"row {row.number}")
    if revised:
        reader.seen[(*key, str(count))] = f"row {row.number}"
        return f"{subject}/revision-{count + 1}"
    return subject


_RECORD_WORDS = {
    ECO.IndicatorObservation: ("{}年监测值", "{} observation"),
    ECO.ProjectProgress: ("{}年进展", "{} progress"),
    ECO.FundingRecord: ("{}年资金", "{} funds"),
    ECO.OutputProgress: ("截至{}年累计完成", "delivered by {}"),
}


def _common(
    reader: Reader, row: Row, subject: str, kind: str, year: int, about: str, detail: str = ""
) -> None:
    reader.add(subject, RDF + "type", kind)
    zh, en = (word.format(year) for word in _RECORD_WORDS[kind])
    for lang, words in (("zh", f"{reader.plan.label(about, 'zh')}{detail} {zh}"),
                        ("en", f"{reader.plan.label(about, 'en')}{detail}: {en}")):  # fmt: skip
        reader.add(subject, RDFS + "label", ox.Literal(words, language=lang))
    reader.add(subject, RDF + "type", QB + "Observation")
    reader.add(subject, QB + "dataSet", MON + reader.report)
    reader.add(
        subject, ECO.observationYear, ox.Literal(str(year), datatype=ox.NamedNode(XSD + "gYear"))
    )
    for key, predicate in (("source", ECO.sourceDocument), ("reporter", ECO.reportedBy),
                           ("note", RDFS + "comment")):  # fmt: skip
        if row.cells.get(key):
            reader.add(subject, predicate, ox.Literal(row.cells[key]))
    # the row it comes from, as a citation (the audit cites prov:wasDerivedFrom)
    origin = f"{MON}{reader.report}/source/{slug(row.file)}/{row.kind.key}/row-{row.number}"
    reader.add(subject, PROV + "wasDerivedFrom", origin)
    # a CSV file is one sheet, named after the file
    place = row.file.name if row.file.suffix.lower() == ".csv" else f"{row.file.name} {row.sheet}"
    zh, en = f"{place} 第{row.number}行", f"{place} row {row.number}"
    reader.add(origin, RDFS + "label", ox.Literal(zh, language="zh"))
    reader.add(origin, RDFS + "label", ox.Literal(en, language="en"))
    if row.cells.get("revision", "").casefold() in YES:
        reader.add(
            subject, ECO.isRevision, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
        )


def _quantity(reader: Reader, subject: str, value: Decimal, unit: str | None) -> None:
    decimal = ox.NamedNode(XSD + "decimal")
    reader.add(subject, QUDT + "numericValue", ox.Literal(format(value, "f"), datatype=decimal))
    if unit is not None:
        reader.add(subject, QUDT + "hasUnit", unit)


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# --- the three kinds of row -----------------------------------------------------------------


def _indicator(reader: Reader, row: Row) -> None:
    plan = reader.plan
    iri = _resolve(reader, row, "indicator", list(plan.indicators), "indicator")
    year = _year(reader, row)
    value = _decimal(reader, row, "value", required=True)
    date = _date(reader, row, "date")
    if iri is None:
        return
    facts = plan.indicators[iri]
    ok_unit = _unit_matches(reader, row, facts.unit)
    if value is not None and facts.unit == PERCENT and value > 100:
        reader.problem(row, "value", f"{value} is not a percentage (0–100)")
        return
    if year is None or value is None or not ok_unit or (row.cells.get("date") and date is None):
        return
    subject = _revision(
        reader,
        row,
        ("indicator", iri, str(year)),
        f"{MON}{reader.report}/indicator/{_local(iri)}/{year}",
    )
    if subject is None:
        return
    _common(reader, row, subject, ECO.IndicatorObservation, year, iri)
    reader.add(subject, ECO.observedIndicator, iri)
    _quantity(reader, subject, value, facts.unit)
    if date:
        reader.add(
            subject, ECO.observationDate, ox.Literal(date, datatype=ox.NamedNode(XSD + "date"))
        )


_STATUS_WORDS = {
    "not-started": ("未开工", "未开始", "not started", "not-started"),
    "under-construction": (
        "在建",
        "在建中",
        "施工中",
        "under construction",
        "ongoing",
        "in progress",
    ),
    "completed": ("完工", "已完工", "竣工", "completed", "done", "finished"),
}


def _project(reader: Reader, row: Row) -> None:
    plan = reader.plan
    iri = _resolve(reader, row, "project", list(plan.projects), "project")
    year = _year(reader, row)
    status = _status(reader, row)
    start, completion = _date(reader, row, "start"), _date(reader, row, "completion")
    allocated = _decimal(reader, row, "allocated")
    spent = _decimal(reader, row, "spent")
    channel = None
    if allocated is not None or spent is not None or row.cells.get("channel"):
        channel = _resolve(reader, row, "channel", plan.channels, "funding channel")
    if status == "not-started" and (start or completion):
        reader.problem(
            row, "status", "未开工 (not started) but a start or completion date is given"
        )
        return
    if completion and status not in (None, "completed"):
        reader.problem(row, "status", "a completion date is given but the status is not 完工")
        return
    if start and completion and completion < start:
        reader.problem(row, "completion", f"completed ({completion}) before it started ({start})")
        return
    if iri is None or year is None or _row_has_problem(reader, row):
        return
    base = f"{MON}{reader.report}/project/{_local(iri)}/{year}"
    if status or start or completion:
        subject = _revision(reader, row, ("project", iri, str(year)), base)
        if subject is None:
            return
        _common(reader, row, subject, ECO.ProjectProgress, year, iri)
        reader.add(subject, ECO.progressOf, iri)
        if status:
            reader.add(subject, ECO.projectStatus, PSTATUS + status)
        date_type = ox.NamedNode(XSD + "date")
        if start:
            reader.add(subject, ECO.startDate, ox.Literal(start, datatype=date_type))
        if completion:
            reader.add(subject, ECO.completionDate, ox.Literal(completion, datatype=date_type))
    if channel is not None:
        key = ("funds", iri, _local(channel), str(year))
        subject = _revision(reader, row, key, f"{base}/funds/{_local(channel)}")
        if subject is None:
            return
        _common(reader, row, subject, ECO.FundingRecord, year, iri)
        reader.add(subject, ECO.progressOf, iri)
        reader.add(subject, ECO.fundingChannel, channel)
        for amount, predicate, name in ((allocated, ECO.fundsAllocated, "allocated"),
                                        (spent, ECO.fundsSpent, "spent")):  # fmt: skip
            if amount is not None:
                _quantity(reader, f"{subject}/{name}", amount, WAN_YUAN)
                reader.add(f"{subject}/{name}", RDF + "type", QUDT + "QuantityValue")
                reader.add(subject, predicate, f"{subject}/{name}")


def _row_has_problem(reader: Reader, row: Row) -> bool:
    prefix = f"{row.file.name}: sheet {row.sheet}, row {row.number},"
    return any(problem.startswith(prefix) for problem in reader.problems)


def _status(reader: Reader, row: Row) -> str | None:
    text = row.cells.get("status", "")
    if not text:
        return None
    for status, words in _STATUS_WORDS.items():
        if text.casefold() in words:
            return status
    reader.problem(row, "status", f"unknown status {text!r}: write 未开工, 在建 or 完工")
    return None


def _output(reader: Reader, row: Row) -> None:
    plan = reader.plan
    project = _resolve(reader, row, "project", list(plan.projects), "project")
    year = _year(reader, row)
    delivered = _decimal(reader, row, "delivered", required=True)
    if project is None:
        return
    candidates = [iri for iri, output in plan.outputs.items() if output.project == project]
    output = _resolve(reader, row, "output", candidates, "planned output of this project")
    if output is None or year is None or delivered is None:
        return
    facts = plan.outputs[output]
    if not _unit_matches(reader, row, facts.unit):
        return
    subject = _revision(
        reader,
        row,
        ("output", output, str(year)),
        f"{MON}{reader.report}/output/{_local(output)}/{year}",
    )
    if subject is None:
        return
    _common(reader, row, subject, ECO.OutputProgress, year, output)
    reader.add(subject, ECO.progressOf, project)
    reader.add(subject, ECO.forOutput, output)
    _quantity(reader, subject, delivered, facts.unit)


__all__ = ["SHEETS", "ImportProblems", "read_files", "serialize"]
