"""The evaluation as one self-contained HTML page: the tables of :mod:`.report` and inline SVG
charts (each indicator's path baseline → observations → target; spending by programme).
No script, no external file: the page opens anywhere and prints as it shows."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from ecokg.monitor.evaluate import Evaluation, IndicatorResult
from ecokg.monitor.report import WORDS, heading, number, sections

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.lagging td,tr.overspent td{background:#fde8e8}
tr.achieved td:last-child,tr.completed td:last-child{color:#176c2f}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #ddd;padding:.5em}
figcaption{font-size:.8em;max-width:300px}svg text{font-size:10px;fill:#333}
"""
_WIDTH, _HEIGHT, _PAD = 300, 160, 34
_CHART_WORDS = {
    "zh": {
        "paths": "指标路径：基期值 → 监测值 → 目标值（虚线：直线路径）",
        "spending": "按重大工程的投资估算与累计支出（万元）",
    },
    "en": {
        "paths": "Indicator paths: baseline → observations → target (dashed: the straight path)",
        "spending": "Estimate and spending by programme (10k yuan)",
    },
}  # fmt: skip


def render_html(evaluation: Evaluation, lang: str) -> str:
    title, note = heading(evaluation, lang)
    words = WORDS[lang]
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
        f"<h1>{escape(title)}</h1>\n<p>{escape(note)}</p>\n",
        f'<h2>{escape(_CHART_WORDS[lang]["paths"])}</h2>\n<div class="charts">\n',
    ]
    for result in evaluation.indicators:
        if result.path_start is not None or result.observations:
            parts.append(_path_chart(evaluation, result, lang))
    parts.append("</div>\n")
    parts.append(f"<h2>{escape(_CHART_WORDS[lang]['spending'])}</h2>\n")
    parts.append(_spending_chart(evaluation, lang))
    for caption, columns, rows in sections(evaluation, lang):
        parts.append(f"<h2>{escape(caption)}</h2>\n<table>\n<thead><tr>")
        parts.extend(f"<th>{escape(words[c])}</th>" for c in columns)
        parts.append("</tr></thead>\n<tbody>\n")
        for row in rows:
            classes = [row.get("status-key", "")]
            if row.get("overspent") == "true":
                classes.append("overspent")
            parts.append(f'<tr class="{" ".join(c for c in classes if c)}">')
            parts.extend(f"<td>{escape(row.get(c, ''))}</td>" for c in columns)
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _path_chart(evaluation: Evaluation, result: IndicatorResult, lang: str) -> str:
    plan = evaluation.plan
    points = [(o.year, o.value) for o in result.observations if o.value is not None]
    path = [p for p in (result.path_start, result.path_end) if p is not None]
    every = points + path
    years = [y for y, _ in every] + [evaluation.year]
    values = [v for _, v in every]
    if not values:
        return ""
    y0, y1 = min(years), max(years)
    v0, v1 = min(values), max(values)
    if v0 == v1:
        v0, v1 = v0 - 1, v1 + 1

    def x(year: int) -> float:
        return _PAD + (year - y0) / max(y1 - y0, 1) * (_WIDTH - 2 * _PAD)

    def y(value: Decimal) -> float:
        return _HEIGHT - _PAD + float((value - v0) / (v1 - v0)) * -(_HEIGHT - 2 * _PAD)

    label = plan.label(result.facts.iri, lang)
    status = plan.label(result.status, lang)
    unit = plan.label(result.facts.unit, lang)
    key = result.status.rsplit("#", 1)[-1]
    svg = [f'<figure class="{key}"><svg xmlns="http://www.w3.org/2000/svg" '
           f'width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
           f'aria-label="{escape(label)}">']  # fmt: skip
    svg.append(
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - _PAD}" '
        f'y2="{_HEIGHT - _PAD}" stroke="#999"/>'
    )
    for year in sorted({y0, y1, evaluation.year}):
        svg.append(
            f'<text x="{x(year):.1f}" y="{_HEIGHT - _PAD + 14}" text-anchor="middle">{year}</text>'
        )
    svg.append(
        f'<text x="2" y="{y(v1):.1f}">{number(v1)}</text>'
        f'<text x="2" y="{y(v0):.1f}">{number(v0)}</text>'
    )
    if len(path) == 2:
        (a, va), (b, vb) = path
        svg.append(f'<line x1="{x(a):.1f}" y1="{y(va):.1f}" x2="{x(b):.1f}" y2="{y(vb):.1f}" '
                   'stroke="#888" stroke-dasharray="4 3"/>')  # fmt: skip
        svg.append(f'<circle cx="{x(b):.1f}" cy="{y(vb):.1f}" r="4" fill="none" stroke="#176c2f"/>')
    if result.path_start is not None:
        a, va = result.path_start
        svg.append(f'<circle cx="{x(a):.1f}" cy="{y(va):.1f}" r="3" fill="#888"/>')
    if points:
        line = " ".join(f"{x(a):.1f},{y(v):.1f}" for a, v in points)
        colour = "#c0392b" if result.status.endswith("lagging") else "#1f5fa8"
        svg.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        svg.extend(
            f'<circle cx="{x(a):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for a, v in points
        )
    svg.append("</svg>")
    svg.append(
        f"<figcaption>{escape(label)} ({escape(unit)}): {escape(status)}</figcaption></figure>\n"
    )
    return "".join(svg)


def _spending_chart(evaluation: Evaluation, lang: str) -> str:
    groups = [g for g in evaluation.rollups["programme"] if g.key]
    if not groups:
        return ""
    words = WORDS[lang]
    top = max(max(g.estimate, g.spent) for g in groups) or Decimal(1)
    row, label_width, width = 26, 260, 720
    height = row * len(groups) + 30
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(words["by-programme"])}">']  # fmt: skip
    span = width - label_width - 80
    for index, group in enumerate(groups):
        top_y = 10 + index * row
        name = evaluation.plan.label(group.key, lang)
        svg.append(f'<text x="0" y="{top_y + 12}">{escape(name[:40])}</text>')
        estimate_w = float(group.estimate / top) * span
        spent_w = float(group.spent / top) * span
        svg.append(
            f'<rect x="{label_width}" y="{top_y}" width="{estimate_w:.1f}" '
            'height="9" fill="#c8d6e5"/>'
        )
        colour = "#c0392b" if group.overspent else "#1f5fa8"
        svg.append(
            f'<rect x="{label_width}" y="{top_y + 10}" width="{spent_w:.1f}" '
            f'height="9" fill="{colour}"/>'
        )
        svg.append(f'<text x="{label_width + max(estimate_w, spent_w) + 4:.1f}" y="{top_y + 14}">'
                   f"{number(group.spent)} / {number(group.estimate)}</text>")  # fmt: skip
    legend_y = height - 6
    svg.append(f'<rect x="{label_width}" y="{legend_y - 8}" width="10" height="8" fill="#c8d6e5"/>'
               f'<text x="{label_width + 14}" y="{legend_y}">{escape(words["estimate"])}</text>'
               f'<rect x="{label_width + 90}" y="{legend_y - 8}" width="10" height="8" '
               'fill="#1f5fa8"/>'
               f'<text x="{label_width + 104}" y="{legend_y}">'
               f'{escape(words["spent"])}</text>')  # fmt: skip
    svg.append("</svg>\n")
    return "".join(svg)
