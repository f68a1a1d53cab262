"""The evaluation as a terminal table, Markdown, JSON or Turtle (HTML: :mod:`.html`).

All formats are built from the same rows (:func:`indicator_rows`, :func:`project_rows`,
:func:`rollup_rows`), so they agree.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.monitor.evaluate import LAGGING, NO_DATA, Evaluation
from ecokg.rdf.namespaces import ECO, GRAPH_MONITORING, PREFIXES, RDF, RDFS, XSD, compact

if TYPE_CHECKING:
    from rich.console import Console

WORDS = {
    "zh": {
        "title": "规划实施评估",
        "year": "评估年份",
        "indicators": "指标完成情况（约束性指标在前）",
        "projects": "子项目进展与资金",
        "by-programme": "按重大工程汇总",
        "by-agency": "按牵头单位汇总",
        "by-zone": "按修复分区汇总（子项目计入其优先实施的每个分区）",
        "indicator": "指标", "nature": "属性", "unit": "单位", "baseline": "基期值",
        "latest": "最新值", "latest-year": "年份", "target": "目标值", "expected": "应有值",
        "status": "评价", "project": "子项目", "programme": "重大工程", "agency": "牵头单位",
        "zone": "修复分区", "schedule": "建设时序", "state": "实施状态", "estimate": "投资估算",
        "allocated": "累计下达", "spent": "累计支出", "spent-share": "支出/估算",
        "outputs": "产出完成", "overspent": "超支", "projects-count": "子项目数",
        "lagging": "滞后数", "none": "（未列明）",
        "no-data": "没有监测数据：用 --data 加载 ecokg monitor import 写出的文件",
        "summary": "约束性指标滞后 {lagging} 项；子项目滞后 {late} 个、超支 {over} 个",
        "sources": "数据来源",
    },
    "en": {
        "title": "Plan implementation evaluation",
        "year": "evaluation year",
        "indicators": "Indicators (binding first)",
        "projects": "Projects: progress and funds",
        "by-programme": "By programme",
        "by-agency": "By lead agency",
        "by-zone": "By restoration zone (a project counts in each zone it is prioritised in)",
        "indicator": "indicator", "nature": "nature", "unit": "unit", "baseline": "baseline",
        "latest": "latest", "latest-year": "year", "target": "target", "expected": "expected",
        "status": "status", "project": "project", "programme": "programme", "agency": "lead agency",
        "zone": "zone", "schedule": "schedule", "state": "state", "estimate": "estimate",
        "allocated": "allocated", "spent": "spent", "spent-share": "spent/estimate",
        "outputs": "outputs delivered", "overspent": "overspent", "projects-count": "projects",
        "lagging": "lagging", "none": "(none given)",
        "no-data": "no monitoring data: load the file ecokg monitor import wrote with --data",
        "summary": "lagging binding indicators: {lagging}; late projects: {late}; "
                   "overspent projects: {over}",
        "sources": "sources",
    },
}  # fmt: skip
INDICATOR_COLUMNS = ("indicator", "nature", "unit", "baseline", "latest", "latest-year", "target",
                     "expected", "status")  # fmt: skip
PROJECT_COLUMNS = ("project", "programme", "agency", "schedule", "state", "status", "estimate",
                   "allocated", "spent", "spent-share", "outputs")  # fmt: skip
ROLLUP_COLUMNS = ("projects-count", "estimate", "allocated", "spent", "lagging", "overspent")


def number(value: Decimal | None, places: int = 2) -> str:
    """A value as people read it: at most ``places`` decimals, no trailing zeros."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text


def summary(evaluation: Evaluation, lang: str) -> str:
    lagging = sum(1 for r in evaluation.indicators if r.facts.binding and r.status == LAGGING)
    late = sum(1 for r in evaluation.projects if r.status == LAGGING)
    over = sum(1 for r in evaluation.projects if r.overspent)
    return WORDS[lang]["summary"].format(lagging=lagging, late=late, over=over)


def indicator_rows(evaluation: Evaluation, lang: str) -> list[dict[str, str]]:
    plan = evaluation.plan
    rows = []
    for result in evaluation.indicators:
        facts = result.facts
        latest = result.latest
        rows.append({
            "iri": facts.iri,
            "indicator": plan.label(facts.iri, lang),
            "nature": plan.label(facts.nature, lang),
            "unit": plan.label(facts.unit, lang),
            "baseline": number(facts.baseline, 4) if facts.baseline is not None
                        else facts.baseline_text or "",
            "latest": number(latest.value, 4) if latest else "",
            "latest-year": str(latest.year) if latest else "",
            "target": facts.target_text or number(facts.target, 4),
            "expected": number(result.expected),
            "status": plan.label(result.status, lang),
            "status-key": result.status.rsplit("#", 1)[-1],
            "binding": "true" if facts.binding else "false",
        })  # fmt: skip
    return rows


def project_rows(evaluation: Evaluation, lang: str) -> list[dict[str, str]]:
    plan = evaluation.plan
    rows = []
    for result in evaluation.projects:
        facts = result.facts
        estimate = facts.investment
        share = f"{number(result.spent / estimate * 100, 1)}%" if estimate else ""
        status = plan.label(result.status, lang)
        if result.overspent:
            status += " · " + plan.label(PREFIXES["progress"] + "overspent", lang)
        outputs = "; ".join(
            f"{plan.label(output, lang)} {number(done, 4)}/{number(planned, 4)}"
            for output, planned, done, _ in result.outputs
        )
        rows.append({
            "iri": facts.iri,
            "project": plan.label(facts.iri, lang),
            "programme": plan.label(facts.programme, lang),
            "agency": ", ".join(plan.label(a, lang) for a in facts.agencies),
            "schedule": f"{facts.start}–{facts.end}" if facts.start and facts.end else "",
            "state": plan.label(result.latest.status, lang) if result.latest else "",
            "status": status,
            "status-key": result.status.rsplit("#", 1)[-1],
            "overspent": "true" if result.overspent else "false",
            "estimate": number(estimate),
            "allocated": number(result.allocated),
            "spent": number(result.spent),
            "spent-share": share,
            "outputs": outputs,
        })  # fmt: skip
    return rows


def rollup_rows(evaluation: Evaluation, kind: str, lang: str) -> list[dict[str, str]]:
    plan = evaluation.plan
    none = WORDS[lang]["none"]
    return [
        {
            "iri": group.key,
            kind: plan.label(group.key, lang) if group.key else none,
            "projects-count": str(group.projects),
            "estimate": number(group.estimate),
            "allocated": number(group.allocated),
            "spent": number(group.spent),
            "lagging": str(group.lagging),
            "overspent": str(group.overspent),
        }
        for group in evaluation.rollups[kind]
    ]


def sections(
    evaluation: Evaluation, lang: str
) -> list[tuple[str, tuple[str, ...], list[dict[str, str]]]]:
    """(title, columns, rows) of every table of the report, in order."""
    words = WORDS[lang]
    found = [
        (words["indicators"], INDICATOR_COLUMNS, indicator_rows(evaluation, lang)),
        (words["projects"], PROJECT_COLUMNS, project_rows(evaluation, lang)),
    ]
    for kind in ("programme", "agency", "zone"):
        rows = rollup_rows(evaluation, kind, lang)
        found.append((words[f"by-{kind}"], (kind, *ROLLUP_COLUMNS), rows))
    return found


def heading(evaluation: Evaluation, lang: str) -> tuple[str, str]:
    words = WORDS[lang]
    title = f"{words['title']} · {words['year']} {evaluation.year}"
    note = summary(evaluation, lang) if evaluation.has_data else words["no-data"]
    return title, note


def print_table(console: Console, evaluation: Evaluation, lang: str) -> None:
    from rich.table import Table

    title, note = heading(evaluation, lang)
    console.print(title)
    console.print(note)
    words = WORDS[lang]
    for caption, columns, rows in sections(evaluation, lang):
        table = Table(title=caption, show_lines=False)
        for column in columns:
            table.add_column(words[column], overflow="fold")
        for row in rows:
            style = (
                "bold red"
                if row.get("status-key") == "lagging" or row.get("overspent") == "true"
                else None
            )
            table.add_row(*(row.get(column, "") for column in columns), style=style)
        console.print(table)


def render_markdown(evaluation: Evaluation, lang: str) -> str:
    title, note = heading(evaluation, lang)
    words = WORDS[lang]
    lines = [f"# {title}", "", note, ""]
    for caption, columns, rows in sections(evaluation, lang):
        lines += [f"## {caption}", "", "| " + " | ".join(words[c] for c in columns) + " |"]
        lines.append("|" + " --- |" * len(columns))
        for row in rows:
            cells = (row.get(c, "").replace("|", "\\|") for c in columns)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def render_json(evaluation: Evaluation) -> str:
    """Every figure with IRIs (compacted) and labels in both languages."""
    zh, en = (sections(evaluation, lang) for lang in ("zh", "en"))
    document: dict[str, object] = {"year": evaluation.year, "hasData": evaluation.has_data}
    keys = ["indicators", "projects", "byProgramme", "byAgency", "byZone"]
    for key, (_, columns, rows_zh), (_, _, rows_en) in zip(keys, zh, en, strict=True):
        entries = []
        for row_zh, row_en in zip(rows_zh, rows_en, strict=True):
            entry: dict[str, object] = {"id": compact(row_zh["iri"]) if row_zh["iri"] else None}
            for column in columns:
                if row_zh.get(column) != row_en.get(column):
                    entry[column] = {"zh": row_zh.get(column, ""), "en": row_en.get(column, "")}
                else:
                    entry[column] = row_zh.get(column, "")
            for extra in ("status-key", "binding", "overspent"):
                if extra in row_zh:
                    entry[extra] = row_zh[extra]
            entries.append(entry)
        document[key] = entries
    document["indicatorPaths"] = [
        {
            "id": compact(r.facts.iri),
            "rule": r.rule,
            "start": _point(r.path_start),
            "end": _point(r.path_end),
            "expected": None if r.expected is None else str(r.expected),
            "observations": [
                {"year": o.year, "value": str(o.value), "id": compact(o.iri)}
                for o in r.observations
            ],
        }
        for r in evaluation.indicators
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _point(point: tuple[int, Decimal] | None) -> dict[str, object] | None:
    return None if point is None else {"year": point[0], "value": str(point[1])}


def render_ttl(evaluation: Evaluation) -> str:
    """The assessments as RDF (in the monitoring graph's vocabulary)."""
    base = f"{PREFIXES['mon']}evaluation/{evaluation.year}/"
    triples: list[ox.Triple] = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        triples.append(
            ox.Triple(
                ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o) if isinstance(o, str) else o
            )
        )

    year = ox.Literal(str(evaluation.year), datatype=ox.NamedNode(XSD + "gYear"))
    decimal = ox.NamedNode(XSD + "decimal")
    for result in evaluation.indicators:
        node = base + "indicator/" + result.facts.iri.rsplit("/", 1)[-1]
        add(node, RDF + "type", ECO.IndicatorAssessment)
        add(node, ECO.assesses, result.facts.iri)
        add(node, ECO.observationYear, year)
        add(node, ECO.progressStatus, result.status)
        if result.expected is not None:
            add(node, ECO.expectedValue, ox.Literal(number(result.expected, 6), datatype=decimal))
        if result.latest is not None:
            add(node, ECO.latestObservation, result.latest.iri)
    for project in evaluation.projects:
        node = base + "project/" + project.facts.iri.rsplit("/", 1)[-1]
        add(node, RDF + "type", ECO.ProjectAssessment)
        add(node, ECO.assesses, project.facts.iri)
        add(node, ECO.observationYear, year)
        add(node, ECO.progressStatus, project.status)
        if project.overspent:
            add(node, ECO.progressStatus, PREFIXES["progress"] + "overspent")
        add(node, ECO.totalAllocated, ox.Literal(number(project.allocated, 6), datatype=decimal))
        add(node, ECO.totalSpent, ox.Literal(number(project.spent, 6), datatype=decimal))
    add(
        base.rstrip("/"),
        RDFS + "comment",
        ox.Literal(f"evaluation of the monitoring graph <{GRAPH_MONITORING}>", language="en"),
    )
    wanted = ("eco", "mon", "ind", "proj", "progress", "xsd", "rdfs")
    prefixes = {k: PREFIXES[k] for k in wanted}
    payload = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return (payload or b"").decode("utf-8")


__all__ = [
    "NO_DATA",
    "WORDS",
    "print_table",
    "render_json",
    "render_markdown",
    "render_ttl",
    "sections",
]
