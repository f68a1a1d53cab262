"""The HTML pages: the site's templates (resource and ontology pages, macros) under the
server's own ``base.html`` (navigation, language switch, search box), and the server's pages
(plan at a glance, ask, queries, audit, editor, search). Every value goes through Jinja's
autoescaping; charts are SVG drawn here, with no script.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecokg.publish.site import environment
from ecokg.query.columns import with_unit

if TYPE_CHECKING:
    from jinja2 import Environment

    from ecokg.serve.portal import Portal

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGS = ("zh", "en")

# The words of the server's own pages (the plan's words come from the graph).
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "国土空间生态修复规划",
        "home": "总览",
        "sparql": "SPARQL 查询",
        "ask": "提问",
        "queries": "查询库",
        "audit": "审计",
        "catalog": "数据目录",
        "ontology": "本体",
        "search": "搜索",
        "search_hint": "名称、英文或拼音",
        "programmes": "重大工程投资",
        "agencies": "牵头部门",
        "projects": "子项目",
        "investment": "投资",
        "zones": "生态修复分区及乡镇",
        "whole": "整体位于",
        "part": "部分位于",
        "indicators": "指标：基期 → 目标",
        "indicator": "指标",
        "baseline": "基期",
        "target": "目标",
        "latest": "最新监测",
        "audit_summary": "审计摘要",
        "findings": "项问题",
        "severity": "严重程度",
        "family": "类别",
        "all": "全部",
        "filter": "筛选",
        "sections": "出处",
        "focus": "对象（规则）",
        "message": "问题说明",
        "question": "问题",
        "ask_button": "提问",
        "ask_hint": "例如：泗溪镇有哪些项目？",
        "answer": "回答",
        "evidence": "依据",
        "sparql_behind": "背后的 SPARQL",
        "open_editor": "在编辑器中打开",
        "run": "运行",
        "no_results": "没有结果",
        "not_found": "未找到",
        "unavailable": "暂不可用",
        "resources": "个资源",
        "triples": "条三元组",
        "parameters": "参数",
        "editor_note": "只读端点；每个查询有时间与结果行数上限。",
    },
    "en": {
        "title": "Territorial ecological restoration plan",
        "home": "Overview",
        "sparql": "SPARQL",
        "ask": "Ask",
        "queries": "Queries",
        "audit": "Audit",
        "catalog": "Catalogue",
        "ontology": "Ontology",
        "search": "Search",
        "search_hint": "name, English or pinyin",
        "programmes": "Investment by programme",
        "agencies": "Lead agencies",
        "projects": "projects",
        "investment": "investment",
        "zones": "Restoration zones and their townships",
        "whole": "wholly in",
        "part": "partly in",
        "indicators": "Indicators: baseline → target",
        "indicator": "indicator",
        "baseline": "baseline",
        "target": "target",
        "latest": "latest observation",
        "audit_summary": "Audit summary",
        "findings": "findings",
        "severity": "severity",
        "family": "family",
        "all": "all",
        "filter": "Filter",
        "sections": "sections",
        "focus": "resource (rule)",
        "message": "finding",
        "question": "Question",
        "ask_button": "Ask",
        "ask_hint": "e.g. which projects are in Sixi town?",
        "answer": "Answer",
        "evidence": "Evidence",
        "sparql_behind": "The SPARQL behind it",
        "open_editor": "open in the editor",
        "run": "Run",
        "no_results": "no results",
        "not_found": "Not found",
        "unavailable": "not available",
        "resources": "resources",
        "triples": "triples",
        "parameters": "parameters",
        "editor_note": "A read-only endpoint; each query has a time and a result-size limit.",
    },
}


def make_environment() -> Environment:
    return environment(TEMPLATES)


def choose_lang(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=``, else the cookie the switch set, else the browser's first zh/en choice."""
    for value in (requested, cookie):
        if value in LANGS:
            return value
    best = ("zh", -1.0)
    for entry in (accept_language or "").split(","):
        tag, *params = entry.strip().split(";")
        q = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > best[1]:
            best = (primary, q)
    return best[0]


CHART_WIDTH = 720.0
LABEL_LINE_MAX = 250.0  # px a label line may take; longer labels wrap (at most 2 lines)
LABEL_LINES = 2
LINE_HEIGHT = 14
ROW = 26  # px per bar with a one-line label
VALUE_ROOM = 190.0  # px right of the longest bar for its value and note
FONT_PX = 12  # svg.chart .label in serve.css


@dataclass(frozen=True)
class Bar:
    label: str
    lines: list[str]  # the label, wrapped
    value: Decimal
    href: str
    width: float  # pixels
    y: float  # top of its row
    note: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    label_width: float  # the bars start right of it
    height: float
    width: float = CHART_WIDTH


def text_width(text: str, size: float = FONT_PX) -> float:
    """A generous estimate of the rendered width: wide (CJK) characters take an em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.62 for c in text)


def wrap(text: str, width: float = LABEL_LINE_MAX, lines: int = LABEL_LINES) -> list[str]:
    """``text`` in lines of at most ``width`` px (latin words kept whole where they fit), the
    last one cut with … when it does not all fit."""
    tokens = re.findall(r"[A-Za-z0-9.,'’()\-]+\s*|\s+|.", text)
    found: list[str] = []
    line = ""
    for token in tokens:
        if line and text_width(line + token.rstrip()) > width:
            found.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while text_width(line.rstrip()) > width:  # one token wider than a line
            cut = len(line)
            while cut > 1 and text_width(line[:cut]) > width:
                cut -= 1
            found.append(line[:cut])
            line = line[cut:]
    if line.strip():
        found.append(line.rstrip())
    if len(found) > lines:
        last = found[lines - 1]
        while last and text_width(last + "…") > width:
            last = last[:-1]
        found = [*found[: lines - 1], last.rstrip() + "…"]
    return found or [""]


def bars(items: list[tuple[str, Decimal, str, str]]) -> Chart:
    """(label, value, link, note) as a horizontal bar chart: labels wrapped into a column as
    wide as the widest, bars scaled to the largest value in the room left."""
    wrapped = [wrap(label) for label, _, _, _ in items]
    widest = max((text_width(line) for lines in wrapped for line in lines), default=0.0)
    label_width = min(widest, LABEL_LINE_MAX) + 8
    room = CHART_WIDTH - label_width - 8 - VALUE_ROOM
    top = max((value for _, value, _, _ in items), default=Decimal(0))
    found, y = [], 4.0
    for (label, value, href, note), lines in zip(items, wrapped, strict=True):
        width = float(value / top) * room if top else 0.0
        found.append(Bar(label, lines, value, href, width, y, note))
        y += ROW + LINE_HEIGHT * (len(lines) - 1)
    return Chart(found, label_width, y + 4)


def number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def amount(text: str | None, value: Decimal | None, unit: str, lang: str) -> str:
    """A baseline, target or observation as the plan states it (``≥47``) with its unit when
    it is a number; the plan's words (完成省市下达目标) as they are; — when it states none."""
    if value is None:
        return text or "—"
    return with_unit(text or number(value), unit, lang)


def dashboard(portal: Portal, lang: str) -> dict[str, Any]:
    """What the plan-at-a-glance page shows."""
    context: dict[str, Any] = {
        "resources": len(portal.pages),
        "triples": len(portal.dataset),
        "programmes": [],
        "agencies": [],
        "indicators": [],
        "unit": "",
        "zones": [],
        "plans": [(portal.label(iri, lang), portal.href(iri)) for iri in portal.plans()],
    }
    evaluation = portal.evaluation
    if evaluation is not None:
        units = {p.unit for p in evaluation.plan.projects.values() if p.unit}
        context["unit"] = portal.label(units.pop(), lang) if len(units) == 1 else ""
        for key, title in (("programme", "programmes"), ("agency", "agencies")):
            rollups = [r for r in evaluation.rollups.get(key, []) if r.key]
            rollups.sort(key=lambda r: -r.estimate)
            context[title] = bars(
                [
                    (
                        portal.label(r.key, lang),
                        r.estimate,
                        portal.href(r.key),
                        f"{r.projects} {TEXT[lang]['projects']}",
                    )
                    for r in rollups
                ]
            )
        for result in evaluation.indicators:
            facts = result.facts
            latest = result.latest
            unit = portal.label(facts.unit, lang) if facts.unit else ""
            context["indicators"].append(
                {
                    "label": portal.label(facts.iri, lang),
                    "href": portal.href(facts.iri),
                    "baseline": amount(facts.baseline_text, facts.baseline, unit, lang),
                    "baseline_year": facts.baseline_year,
                    "target": amount(facts.target_text, facts.target, unit, lang),
                    "target_year": facts.target_year,
                    "latest": None
                    if latest is None
                    else {"value": amount(None, latest.value, unit, lang), "year": latest.year},
                }
            )
    for zone in portal.zones():
        context["zones"].append(
            {
                "label": portal.label(zone["iri"], lang),
                "href": portal.href(zone["iri"]),
                "whole": [(portal.label(t, lang), portal.href(t)) for t in zone["whole"]],
                "part": [(portal.label(t, lang), portal.href(t)) for t in zone["part"]],
            }
        )
    context["audit"] = audit_summary(portal, lang)
    return context


def audit_summary(portal: Portal, lang: str) -> dict[str, Any] | None:
    report = portal.audit
    if report is None:
        return None
    summary = report.to_json()["summary"]
    return {
        "total": summary["total"],
        "severities": list(summary["by_severity"].items()),
        "families": [
            (key, report.family(key).name(lang), count)
            for key, count in summary["by_family"].items()
        ],
    }


def audit_page(
    portal: Portal, lang: str, severity: str | None, family: str | None
) -> dict[str, Any]:
    report = portal.audit
    if report is None:
        return {"summary": None, "findings": [], "severity": severity, "family": family}
    findings = [
        finding
        for finding in report.findings
        if (not severity or finding.severity == severity)
        and (not family or finding.family == family)
    ]
    rows = []
    for finding in findings:
        rows.append(
            {
                "severity": finding.severity,
                "family": report.family(finding.family).name(lang),
                "shape": finding.shape.rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                "focus": finding.focus_label.get(lang) or finding.focus,
                "focus_href": portal.href(finding.focus) if finding.focus in portal.pages else "",
                "message": finding.message.get(lang) or finding.message.get("en", ""),
                "value": finding.value,
                "sections": [
                    (portal.label(section, lang), portal.href(section))
                    for section in portal.sections_of(finding.focus, finding.value)
                ],
            }
        )
    return {
        "summary": audit_summary(portal, lang),
        "findings": rows,
        "severity": severity or "",
        "family": family or "",
    }
