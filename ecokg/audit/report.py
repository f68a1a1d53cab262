"""Render an audit report: terminal (Rich), Markdown, HTML, JSON or the SHACL report in Turtle."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ecokg.audit.findings import SEVERITIES, SHP, AuditReport, Finding, PlanPart
from ecokg.rdf.namespaces import compact

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "markdown", "html", "json", "ttl")
SHAPES_NAMESPACE = str(SHP)

_TITLES = {
    "zh": {
        "title": "规划一致性审核",
        "summary": "共 {total} 项发现：{counts}",
        "none": "未发现问题：规划与全部规则相符。",
        "focus": "对象",
        "message": "说明",
        "sources": "出处",
        "shape": "规则",
    },
    "en": {
        "title": "Plan consistency audit",
        "summary": "{total} findings: {counts}",
        "none": "No findings: the plan satisfies every shape.",
        "focus": "entity",
        "message": "finding",
        "sources": "sections",
        "shape": "shape",
    },
}
_SEVERITY_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_ttl(report: AuditReport) -> str:
    """The standard sh:ValidationReport graph (messages keep their language tags)."""
    report.report_graph.bind("sh", "http://www.w3.org/ns/shacl#")
    report.report_graph.bind("shp", "https://w3id.org/ecokg/shapes#")
    return str(report.report_graph.serialize(format="turtle"))


def render_markdown(report: AuditReport, lang: str) -> str:
    words = _TITLES[lang]
    lines = [f"# {words['title']}", "", _summary_line(report, lang), ""]
    if not report.parts:
        return "\n".join(lines + _markdown_groups(report, lang, "##"))
    for part in report.parts:
        lines += [f"## {_part_heading(part, lang)}", "", _summary_line(part.report, lang), ""]
        lines += _markdown_groups(part.report, lang, "###")
    return "\n".join(lines)


def _markdown_groups(report: AuditReport, lang: str, level: str) -> list[str]:
    words = _TITLES[lang]
    lines = []
    if not report.findings:
        lines += [words["none"], ""]
    for severity, family, findings in _groups(report):
        heading = f"{_severity_name(severity, lang)} · {report.family(family).name(lang)}"
        lines += [f"{level} {heading}", ""]
        header = (words["focus"], words["message"], words["sources"], words["shape"])
        lines += ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
        for finding in findings:
            cells = (
                _focus_text(finding, lang),
                finding.message[lang],
                _join_sources(finding.sources, lang),
                "`" + _shape_id(finding) + "`",
            )
            lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
        lines.append("")
    return lines


def render_html(report: AuditReport, lang: str) -> str:
    words = _TITLES[lang]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(words['title'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
        ".Violation{color:#a00}.Warning{color:#a60}</style></head><body>",
        f"<h1>{html.escape(words['title'])}</h1>",
        f"<p>{html.escape(_summary_line(report, lang))}</p>",
    ]
    if not report.parts:
        parts += _html_groups(report, lang, "h2")
    for part in report.parts:
        parts.append(f"<h2>{html.escape(_part_heading(part, lang))}</h2>")
        parts.append(f"<p>{html.escape(_summary_line(part.report, lang))}</p>")
        parts += _html_groups(part.report, lang, "h3")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_groups(report: AuditReport, lang: str, tag: str) -> list[str]:
    words = _TITLES[lang]
    parts = []
    if not report.findings:
        parts.append(f"<p>{html.escape(words['none'])}</p>")
    for severity, family, findings in _groups(report):
        heading = f"{_severity_name(severity, lang)} · {report.family(family).name(lang)}"
        parts.append(f'<{tag} class="{html.escape(severity)}">{html.escape(heading)}</{tag}>')
        header = "".join(
            f"<th>{html.escape(words[key])}</th>"
            for key in ("focus", "message", "sources", "shape")
        )
        parts.append(f"<table><tr>{header}</tr>")
        for finding in findings:
            cells = (
                _focus_text(finding, lang),
                finding.message[lang],
                _join_sources(finding.sources, lang),
                _shape_id(finding),
            )
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    return parts


def print_report(console: Console, report: AuditReport, lang: str) -> None:
    """The terminal rendering: one Rich table per severity and family (per plan, when the
    input holds several)."""
    words = _TITLES[lang]
    console.print(words["title"], style="bold")
    console.print(_summary_line(report, lang))
    if not report.parts:
        _print_groups(console, report, lang)
    for part in report.parts:
        console.print()
        console.rule(_part_heading(part, lang), style="bold")
        console.print(_summary_line(part.report, lang))
        _print_groups(console, part.report, lang)


def _print_groups(console: Console, report: AuditReport, lang: str) -> None:
    from rich.table import Table

    words = _TITLES[lang]
    if not report.findings:
        console.print(words["none"], style="green")
        return
    for severity, family, findings in _groups(report):
        style = {"Violation": "red", "Warning": "yellow"}.get(severity, "cyan")
        table = Table(
            title=f"{_severity_name(severity, lang)} · {report.family(family).name(lang)}",
            title_style=f"bold {style}",
            header_style="bold",
            show_lines=True,
        )
        for key in ("focus", "message", "sources", "shape"):
            table.add_column(words[key], overflow="fold")
        for finding in findings:
            table.add_row(
                _focus_text(finding, lang),
                finding.message[lang],
                "\n".join(finding.sources),
                _shape_id(finding),
            )
        console.print(table)


def _part_heading(part: PlanPart, lang: str) -> str:
    """The heading of one plan's part: its label and IRI (the cross-plan part: its label)."""
    label = part.label.get(lang) or ""
    if part.plan is None:
        return label
    short = compact(part.plan)
    return f"{label} ({short})" if label and label != short else short


def _groups(report: AuditReport) -> Iterator[tuple[str, str, list[Finding]]]:
    """Findings grouped by severity, then family, in the report's (sorted) order."""
    keys: list[tuple[str, str]] = []
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        key = (finding.severity, finding.family)
        if key not in grouped:
            keys.append(key)
            grouped[key] = []
        grouped[key].append(finding)
    for key in keys:
        yield key[0], key[1], grouped[key]


def _join_sources(sources: Sequence[str], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(sources)


def _summary_line(report: AuditReport, lang: str) -> str:
    counts = report.count_by("severity")
    ordered = [s for s in SEVERITIES if s in counts]
    joined = ", ".join(f"{_severity_name(s, lang)} {counts[s]}" for s in ordered) or "-"
    counts = report.count_by("family")
    order = [f.key for f in report.families if f.key in counts]
    order += sorted(set(counts) - set(order))
    by_family = ", ".join(f"{report.family(f).name(lang)} {counts[f]}" for f in order)
    text = _TITLES[lang]["summary"].format(total=len(report.findings), counts=joined)
    return f"{text} ({by_family})" if by_family else text


def _severity_name(severity: str, lang: str) -> str:
    return _SEVERITY_ZH.get(severity, severity) if lang == "zh" else severity


def _focus_text(finding: Finding, lang: str) -> str:
    short = compact(finding.focus) if "://" in finding.focus else finding.focus
    label = finding.focus_label.get(lang) or short
    return label if label == short else f"{label} ({short})"


def _shape_id(finding: Finding) -> str:
    if finding.shape.startswith(SHAPES_NAMESPACE):
        return "shp:" + finding.shape[len(SHAPES_NAMESPACE) :]
    return compact(finding.shape) if "://" in finding.shape else finding.shape


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
