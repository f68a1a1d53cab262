"""Planned outputs: what a project plans to deliver (治理长度 per river, 新建滨江公园全长,
更新造林 1.5万亩), modelled as ``?project eco:plannedOutput ?output`` with a metric, a
number and a unit on the output.

A question reads as one when it uses an ``ask:planned`` word, or asks a measure (长度,
面积, how long) of a project, which has none of its own. The outputs are narrowed by the
named things (a project: its outputs; a thing an output refers to, such as a river: the
outputs about it; anything else: the outputs of the projects linked to it), by the metric
asked, and by the words of the outputs' own labels that the question uses (更新造林, new
riverside park). The answer is one output's quantity, a list with quantities, a sum, or
the largest/smallest, always of one kind of measure; several outputs where one was asked
is a refusal that names them, not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from ecokg.ask.analysis import Analysis, Constraint
from ecokg.ask.compile import PAIR, _Builder, iri
from ecokg.ask.context import CannotRelate, classes
from ecokg.ask.entities import Entity
from ecokg.ask.forms import Item, amount
from ecokg.ask.lexicon import ASK_NS, Hit
from ecokg.ask.linking import Mention
from ecokg.ask.numbers import top_rank, unit_after
from ecokg.ask.schema import Schema, find_path
from ecokg.rdf.namespaces import ECO

F = ASK_NS
_METRIC_NS = "https://w3id.org/ecokg/def/metric#"
_WORD = re.compile(r"[a-z]{3,}")
_STOP_EN = frozenset(
    [
        "the",
        "and",
        "for",
        "how",
        "what",
        "which",
        "much",
        "many",
        "does",
        "are",
        "its",
        "plan",
        "plans",
        "planned",
        "project",
        "projects",
        "total",
        "sum",
        "all",
        "each",
    ]
)


def read_planned(
    question: str,
    lang: str,
    mentions: Sequence[Mention],
    hits: Sequence[Hit],
    schema: Schema,
    *,
    first: bool = False,
) -> Analysis | None:
    """The analysis of a question about planned outputs, or None if it is not one.
    ``first``: before the general analysis, which would read a project's length as the
    length of something linked to it; only a measure of a named project, nothing else
    asked, is read so then."""
    forms = {t: h for h in hits if h.role == "form" for t in h.terms}
    metrics = [h.terms[0] for h in hits if h.role == "metric"]
    entities = [(m, _entity(m)) for m in mentions]
    projects = [e for _, e in entities if ECO.Project in e.types]
    project_words = {
        h.start for h in hits if h.role == "class" and ECO.Project in h.terms
    }  # 项目 / project: the owner, not what is asked
    in_unit = _asks_in_unit(question, hits, schema)  # 多少万亩, how many hectares
    measured = bool(metrics) or in_unit
    if F + "planned" not in forms and not (measured and (projects or project_words)):
        return None
    if first and not (F + "planned" not in forms and projects and not _asked(hits)):
        return None
    asked = _asked(hits)
    analysis = Analysis(lang, "attribute", asked[0] if asked else ECO.Output, words=list(hits))
    analysis.attribute = metrics[0] if metrics else None
    analysis.in_unit = in_unit and not metrics
    analysis.attribute_kind = "planned"
    if F + "sum" in forms:
        analysis.form = "sum"
    elif F + "average" in forms:
        analysis.form = "average"
    elif F + "count" in forms and not in_unit:  # how many hectares: a quantity, no count
        analysis.form = "count"
    elif F + "max" in forms or F + "min" in forms or F + "more" in forms or F + "less" in forms:
        analysis.descending = F + "max" in forms or F + "more" in forms
        analysis.top = top_rank(question)
        many = analysis.top is not None and analysis.top > 1
        analysis.form = "top" if many else ("max" if analysis.descending else "min")
    elif asked or F + "each" in forms:
        analysis.form = "list"
    mentioned = {t for h in hits if h.role == "property" for t in h.terms}
    for _mention, entity in entities:
        if ECO.Project in entity.types:
            analysis.constraints.append(Constraint((), entity))
            continue
        path = find_path(schema, ECO.Project, classes(entity, schema), mentioned)
        analysis.constraints.append(Constraint(tuple(path or ()), entity))
    return analysis


_COUNTS = frozenset({"个", "number"})  # the count unit's own labels: 多少个 is a count
_HOW_MANY = re.compile(r"(多少|几|how many|how much)\s*", re.I)


def _asks_in_unit(question: str, hits: Sequence[Hit], schema: Schema) -> bool:
    """多少万亩 / how many km: a quantity asked in a unit the data uses (not 多少个), and
    not the unit of an attribute the question names (资金需求是多少万元: the investment)."""
    named = {t for h in hits if h.role == "property" for t in h.terms if t in schema.attributes}
    measures = {m for t in named for m in schema.attribute_metrics.get(t, ())}
    for found in _HOW_MANY.finditer(question):
        _multiplier, end = unit_after(question, found.end(), schema)
        unit = question[found.end() : end].strip().casefold()
        if end > found.end() and unit not in _COUNTS:
            return not measures & set(schema.unit_metrics.get(unit, ()))
    return False


def _asked(hits: Sequence[Hit]) -> list[str]:
    """The classes asked for besides the project owning the outputs (哪条*河*, which *river*)."""
    return [
        h.terms[0]
        for h in hits
        if h.role == "class" and ECO.Project not in h.terms and h.terms[0] != ECO.Output
    ]


def _entity(mention: Mention) -> Entity:
    """A project where the name may be one (the outputs are its), else the best reading."""
    found = [c.entity for c in mention.candidates if ECO.Project in c.entity.types]
    return found[0] if found else mention.best.entity


def compile_planned(analysis: Analysis, schemes: set[str]) -> str:
    """One row per planned output (``?output``) with the answer thing ``?x``."""
    build = _Builder()
    where = [
        f"?project a {iri(ECO.Project)} ; {iri(ECO.plannedOutput)} ?output .",
        "?output qudt:numericValue ?value .",
        "OPTIONAL { ?output eco:metric ?metric }",
        'OPTIONAL { ?output rdfs:label ?outputZh . FILTER(LANG(?outputZh) = "zh") }',
        'OPTIONAL { ?output rdfs:label ?outputEn . FILTER(LANG(?outputEn) = "en") }',
        "OPTIONAL { ?output qudt:hasUnit ?unit .",
        '  OPTIONAL { ?unit rdfs:label ?unitZh . FILTER(LANG(?unitZh) = "zh") }',
        '  OPTIONAL { ?unit rdfs:label ?unitEn . FILTER(LANG(?unitEn) = "en") }',
        "  OPTIONAL { ?unit qudt:conversionMultiplier ?multiplier } }",
    ]
    if analysis.attribute:
        where.append(f"?output eco:metric {iri(analysis.attribute)} .")
    elif analysis.in_unit:  # a quantity asked in a unit: not a count of things
        where.append(f"FILTER NOT EXISTS {{ ?output eco:metric <{_METRIC_NS}count> }}")
    if analysis.answer_class and analysis.answer_class != ECO.Output:
        goal = analysis.answer_class
        kind = "skos:inScheme" if goal in schemes else "a"
        where.append(f"?output eco:refersTo ?x . ?x {kind} {iri(goal)} .")
    else:
        where.append("BIND(?output AS ?x)")
    for constraint in analysis.constraints:
        assert constraint.entity is not None
        thing = iri(constraint.entity.iri)
        if not constraint.path:  # the project itself
            where.append(f"FILTER(?project = {thing})")
            continue
        linked = " ".join(build.path("?project", constraint.path, thing))
        where.append(
            f"{{ ?output eco:refersTo {thing} }} UNION {{ FILTER NOT EXISTS {{ "
            f"?other eco:refersTo {thing} . ?owner {iri(ECO.plannedOutput)} ?other }} "
            f"{linked} }}"
        )
    where += [
        'BIND("stated" AS ?evidence)',
        "OPTIONAL { ?output prov:wasDerivedFrom ?section .",
        '  ?section rdfs:label ?sectionZh . FILTER(LANG(?sectionZh) = "zh")',
        '  OPTIONAL { ?section rdfs:label ?sectionEn . FILTER(LANG(?sectionEn) = "en") }',
        f'  BIND(CONCAT(?sectionZh, "{PAIR}", COALESCE(?sectionEn, ?sectionZh))'
        " AS ?sectionLabel) }",
    ]
    keys = (
        "?x ?output ?outputZh ?outputEn ?metric ?value ?unit ?unitZh ?unitEn ?multiplier ?evidence"
    )
    body = "\n  ".join(where)
    return (
        f"SELECT {keys}\n"
        '  (STR(GROUP_CONCAT(DISTINCT ?sectionLabel; separator="; ")) AS ?sources)\n'
        f"WHERE {{\n  {body}\n}}\nGROUP BY {keys}\n"
    )


class PlannedRow:
    """One planned output found: the answer thing's item, the output's labels and metric."""

    def __init__(self, item: Item, output: str, zh: str, en: str, metric: str | None):
        self.item, self.output, self.zh, self.en, self.metric = item, output, zh, en, metric


def narrow(
    question: str,
    mentions: Sequence[Mention],
    rows: list[PlannedRow],
    analysis: Analysis,
) -> list[PlannedRow]:
    """The outputs whose labels share most words with the question (names taken out);
    all of them when no label shares any. A sum or count over outputs the question names
    only in part (工程长度和巡视检查道) is refused: summing the best match alone would be
    wrong."""
    form, lang = analysis.form, analysis.lang
    # names and the question's own words (面积, 最长) say nothing of which output is meant
    spans = [(m.start, m.end) for m in mentions] + [
        (h.start, h.end)
        for h in analysis.words
        if h.role == "metric" or (h.role == "form" and F + "planned" not in h.terms)
    ]
    text = question.casefold()
    for start, end in sorted(spans, key=lambda span: -span[0]):
        text = text[:start] + " " * (end - start) + text[end:]
    pairs = {text[i : i + 2] for i in range(len(text) - 1)}
    words = set(_WORD.findall(text)) - _STOP_EN

    def score(row: PlannedRow) -> int:
        zh = row.zh.casefold()
        shared_zh = {zh[i : i + 2] for i in range(len(zh) - 1)} & pairs
        shared_en = set(_WORD.findall(row.en.casefold())) & words
        return len({p for p in shared_zh if not p.isspace()}) + len(shared_en)

    scores = [score(row) for row in rows]
    best = max(scores, default=0)
    if best == 0:
        return rows
    if form in {"sum", "average", "count"} and any(0 < found < best for found in scores):
        partial = [row for row, found in zip(rows, scores, strict=True) if found > 0]
        refuse_several(partial, lang)
    return [row for row, found in zip(rows, scores, strict=True) if found == best]


def check_one_kind(rows: Sequence[PlannedRow], lang: str) -> None:
    """Sums and rankings compare outputs of one measure only (km with km, not 亩)."""
    metrics = {row.metric for row in rows}
    if len(metrics) > 1:
        names = "、".join(sorted({row.zh for row in rows}))
        raise CannotRelate(
            f"这些计划产出不是同一种量（{names}），请指明哪一类"
            if lang == "zh"
            else f"these planned outputs measure different things ({names}); say which kind"
        )


def refuse_several(rows: Sequence[PlannedRow], lang: str) -> None:
    """One quantity was asked and several outputs fit: name them instead of guessing."""
    shown = "；".join(
        f"{row.zh if lang == 'zh' else row.en} "
        f"{amount(row.item.number() or Decimal(0), row.item.unit_zh, lang)}"
        for row in rows[:8]
    )
    raise CannotRelate(
        f"有{len(rows)}项计划产出符合，请指明哪一项：{shown}"
        if lang == "zh"
        else f"{len(rows)} planned outputs fit; say which one: {shown}"
    )


def planned_sentence(analysis: Analysis, value: Decimal | None, items: Sequence[Item]) -> str:
    """The answer's sentence: the quantities with the outputs' own names."""
    zh = analysis.lang == "zh"
    unit = items[0].unit_zh if items else None
    owners = list(
        dict.fromkeys(c.entity.label(analysis.lang) for c in analysis.constraints if c.entity)
    )
    scope = ("、".join(owners) if zh else ", ".join(owners)) if owners else ""
    lang = analysis.lang
    listed = ("；" if zh else "; ").join(
        f"{item.label(lang)} {amount(item.number() or Decimal(0), item.unit_zh, lang)}"
        for item in items[:12]
    )
    form = analysis.form
    if form in {"sum", "average"} and value is not None:
        shown = amount(value, unit, analysis.lang)
        if zh:
            verb = "合计" if form == "sum" else "平均"
            return f"{scope}{len(items)}项计划产出{verb}{shown}：{listed}。"
        verb = "total" if form == "sum" else "average"
        where = f" of {scope}" if scope else ""
        return f"The {len(items)} planned outputs{where}: {verb} {shown} ({listed})."
    if form in {"max", "min", "top"}:
        if zh:
            word = "最大" if analysis.descending else "最小"
            return f"{scope}计划产出中{word}的是：{listed}。"
        word = "largest" if analysis.descending else "smallest"
        where = f" of {scope}" if scope else ""
        return f"The {word} planned output{where}: {listed}."
    if form == "count":
        return (
            f"{scope}共{len(items)}项计划产出：{listed}。"
            if zh
            else f"{len(items)} planned outputs{' of ' + scope if scope else ''}: {listed}."
        )
    if zh:
        return f"{scope}计划：{listed}。"
    return f"{scope or 'Planned'}: {listed}." if scope else f"Planned: {listed}."


__all__ = [
    "PlannedRow",
    "check_one_kind",
    "compile_planned",
    "narrow",
    "planned_sentence",
    "read_planned",
    "refuse_several",
]
