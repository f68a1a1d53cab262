"""``ecokg monitor template``: a workbook (or CSV files) pre-filled with the plan's indicators,
projects and planned outputs, with empty columns for the year's figures."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from ecokg.monitor.plan import PlanFacts
from ecokg.monitor.sheets import INDICATORS, PROJECTS, SHEETS, Sheet


def rows(plan: PlanFacts, sheet: Sheet, year: int) -> list[dict[str, str]]:
    """The pre-filled rows of ``sheet`` (column key → text), in the plan's order."""
    if sheet is INDICATORS:
        return [
            {
                "indicator": plan.label(ind.iri, "zh"),
                "nature": plan.label(ind.nature, "zh"),
                "unit": plan.label(ind.unit, "zh"),
                "baseline": ind.baseline_text or _number(ind.baseline),
                "target": ind.target_text or _number(ind.target),
                "year": str(year),
            }
            for ind in plan.indicators.values()
        ]
    if sheet is PROJECTS:
        found = []
        for project in sorted(plan.projects.values(), key=lambda p: (p.programme or "", p.iri)):
            schedule = f"{project.start}-{project.end}" if project.start and project.end else ""
            found.append(
                {
                    "project": plan.label(project.iri, "zh"),
                    "programme": plan.label(project.programme, "zh"),
                    "agency": "、".join(plan.label(a, "zh") for a in project.agencies),
                    "schedule": schedule,
                    "estimate": _number(project.investment),
                    "year": str(year),
                }
            )
        return found
    outputs = sorted(plan.outputs.values(), key=lambda o: (o.project, o.iri))
    return [
        {
            "project": plan.label(output.project, "zh"),
            "output": plan.label(output.iri, "zh"),
            "unit": plan.label(output.unit, "zh") if output.unit else "",
            "planned": _number(output.value),
            "year": str(year),
        }
        for output in outputs
        if output.value is not None  # a wording ("达到上级下达的任务要求") has nothing to count
    ]


def workbook_bytes(plan: PlanFacts, year: int) -> bytes:
    """The template as an .xlsx workbook: one sheet per kind, filled columns highlighted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    for sheet in SHEETS:
        page = book.create_sheet(sheet.title)
        page.append([column.title for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            cell = page.cell(row=1, column=index)
            cell.font = Font(bold=True)
            if column.filled:
                cell.fill = to_fill
            page.column_dimensions[get_column_letter(index)].width = column.width
        for row in rows(plan, sheet, year):
            page.append([row.get(column.key, "") for column in sheet.columns])
        page.freeze_panes = "B2"
    notes = book.create_sheet("说明 notes")
    for line in _NOTES:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_texts(plan: PlanFacts, year: int) -> dict[str, str]:
    """The template as CSV texts, one per sheet (sheet key → text)."""
    texts = {}
    for sheet in SHEETS:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column.title for column in sheet.columns])
        for row in rows(plan, sheet, year):
            writer.writerow([row.get(column.key, "") for column in sheet.columns])
        texts[sheet.key] = out.getvalue()
    return texts


def csv_paths(output: Path) -> dict[str, Path]:
    """Where the CSV files of a template named ``output`` go: ``NAME-indicators.csv`` …"""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return {sheet.key: output.with_name(f"{stem}-{sheet.key}.csv") for sheet in SHEETS}


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


_NOTES = (
    "规划实施监测填报表 / Plan implementation monitoring workbook",
    "黄色表头的列由填报单位填写，其余列为规划内容，仅供参考。",
    "Fill in the columns with yellow headers; the others restate the plan for reference.",
    "指标监测：每个指标每年一行；同一年份再次填报时在“修订”列填“是”。",
    "Indicators: one row per indicator and year; mark a second figure for a year as a revision.",
    "项目进展：状态填 未开工 / 在建 / 完工；资金按资金渠道分行填写（万元）。",
    "Projects: status 未开工 / 在建 / 完工; funds one row per funding channel (10k yuan).",
    "产出完成：填写截至该年份累计完成的数量，单位与规划值相同。",
    "Outputs: the quantity delivered so far (cumulative), in the planned value's unit.",
    "日期格式 YYYY-MM-DD。Dates as YYYY-MM-DD.",
)
