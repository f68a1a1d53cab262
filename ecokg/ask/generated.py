"""Run the query generated from an analysis and build the answer (sentence, value, rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg.ask.analysis import Analysis, CannotRelate
from ecokg.ask.answer import Answer, has_user_data
from ecokg.ask.cell import Cell
from ecokg.ask.compile import PAIR, compile_query, iri
from ecokg.ask.entities import Entity, EntityIndex
from ecokg.ask.forms import Item, Structured, _plural, merge, sentence, structure
from ecokg.ask.lexicon import Lexicon
from ecokg.ask.linking import Mention
from ecokg.ask.planned import (
    PlannedRow,
    check_one_kind,
    compile_planned,
    narrow,
    planned_sentence,
    refuse_several,
)
from ecokg.rdf.namespaces import XSD

if TYPE_CHECKING:
    from ecokg.stores.base import Store, Term

GENERATED_COLUMNS = ["item", "value", "unit", "evidence", "sources"]
# Forms whose answer is a number or a fact about named things: no rows means the graph
# lacks the fact (a refusal), not "none".
NEEDS_ROWS = frozenset({"attribute", "sum", "average", "max", "min", "top", "comparison"})


def run_generated(
    dataset: Store,
    index: EntityIndex,
    lexicon: Lexicon,
    question: str,
    mentions: Sequence[Mention],
    analysis: Analysis,
    schemes: set[str],
) -> Answer:
    if analysis.threshold is not None and analysis.attribute_kind not in {"figure", "metric"}:
        raise CannotRelate(  # 超过1亿元 with nothing asked that has a figure
            f"不清楚把什么与{analysis.threshold[3]}比较"
            if analysis.lang == "zh"
            else f"cannot tell what to compare with {analysis.threshold[3]}"
        )
    planned = analysis.attribute_kind == "planned"
    sparql = (compile_planned if planned else compile_query)(analysis, schemes)
    result = dataset.query(sparql, source="generated query")
    assert isinstance(result, ox.QuerySolutions)
    items: list[Item] = []
    outputs: list[PlannedRow] = []
    for row in result:
        thing = row["x"]
        if thing is None:
            continue
        entity = index.entities.get(thing.value)
        zh = entity.label_zh if entity else dataset.label(thing.value, "zh")
        en = entity.label_en if entity else dataset.label(thing.value, "en")
        item = Item(
            thing.value,
            zh,
            en,
            _text(row["value"]),
            _text(row["unitZh"]),
            _text(row["unitEn"]),
            _text(row["multiplier"]),
            _text(row["evidence"]) or "stated",
            _text(row["sources"]) or "",
        )
        items.append(item)
        if planned:
            output_zh, output_en = _text(row["outputZh"]) or "", _text(row["outputEn"]) or ""
            if thing == row["output"]:
                item.label_zh, item.label_en = output_zh or zh, output_en or en
            output = _text(row["output"]) or ""
            outputs.append(PlannedRow(item, output, output_zh, output_en, _text(row["metric"])))
    lang = analysis.lang
    if planned:
        outputs = narrow(question, mentions, outputs, analysis)
        items = [row.item for row in outputs]
        if analysis.form in {"sum", "average", "max", "min", "top"}:
            check_one_kind(outputs, lang)
        if analysis.form == "attribute" and len({row.output for row in outputs}) > 1:
            refuse_several(outputs, lang)
    items = merge(items)
    if not items and analysis.form in NEEDS_ROWS:
        what = lexicon.name(analysis.attribute or analysis.answer_class or "", lang)
        raise CannotRelate(
            f"规划没有给出所问的{what}" if lang == "zh" else f"the plan states no {what} for that"
        )
    cycles = {
        c.entity.iri
        for c in analysis.constraints
        if c.entity is not None and not c.negated and analysis.answer_class in c.entity.types
    }
    if cycles and {item.iri for item in items} <= cycles:
        # "the agencies of 水利局's projects": only the thing named comes back, so the
        # question asked for something else that the graph does not hold
        raise CannotRelate(
            "规划没有所问的对象" if lang == "zh" else "the plan does not hold what is asked"
        )
    if planned:
        answer = structure(replace(analysis, attribute_kind="figure"), items)
        if answer.kind == "list":  # with each output's quantity
            answer.items = items
        value = answer.value if isinstance(answer.value, Decimal) else None
        text = planned_sentence(analysis, value, answer.items)
    else:
        answer = structure(analysis, items)
        text = sentence(analysis, answer, lambda term: lexicon.name(term, lang))
    rows = _rows(answer, items)
    if has_user_data(dataset):
        _mark_user_data(dataset, analysis, rows)
        note = _data_note(rows, lang)
        text = text[:-1] + note + text[-1] if text.endswith(("。", ".")) else text + note
    headers = _headers(analysis, lexicon)
    built = Answer(question, lang, None, list(mentions), list(GENERATED_COLUMNS), rows)
    built.analysis, built.generated, built.structured, built.sentence = (
        analysis,
        sparql,
        answer,
        text,
    )
    built.generated_headers = headers
    return built


def stated_total(dataset: Store, index: EntityIndex, analysis: Analysis) -> Analysis | None:
    """上高县总投资 / the programme's total investment: where the one thing named states the
    total itself (or is the area of a plan that does: ``dcterms:spatial``), the answer is
    that stated figure, not a sum over the things linked to it (which may be a subset)."""
    named = [c for c in analysis.constraints if c.entity is not None and not c.negated]
    if (
        analysis.form != "sum"
        or analysis.attribute_kind != "figure"
        or analysis.attribute is None
        or len(named) != 1
        or len(analysis.constraints) != 1
        or analysis.years
        or analysis.subjects
    ):
        return None
    entity = named[0].entity
    assert entity is not None
    thing, prop = iri(entity.iri), iri(analysis.attribute)
    found = dataset.query(
        f"SELECT ?owner ?type WHERE {{ {{ BIND({thing} AS ?owner) ?owner {prop} ?figure }} UNION "
        f"{{ ?owner <http://purl.org/dc/terms/spatial> {thing} ; {prop} ?figure }} "
        "?figure qudt:numericValue ?number . ?owner a ?type } LIMIT 1",
        source="generated query",
    )
    assert isinstance(found, ox.QuerySolutions)
    owners = [(row["owner"].value, row["type"].value) for row in found if row["owner"]]
    if not owners:
        return None
    owner_iri, owner_type = owners[0]
    owner = index.entities.get(owner_iri) or Entity(
        owner_iri,
        "thing",
        (owner_type,),
        dataset.label(owner_iri, "zh"),
        dataset.label(owner_iri, "en"),
    )
    return replace(
        analysis, form="attribute", subjects=[owner], constraints=[], answer_class=owner_type
    )


def plan_area_constraints_dropped(dataset: Store, analysis: Analysis) -> Analysis | None:
    """上高县有多少个项目: the plan's area (``dcterms:spatial`` of a plan) reached by a chain
    of links (projects → problems → county) names the things of the whole plan, not the
    subset the chain happens to reach; such a constraint is dropped. A direct link
    (乡镇 within the county) is kept."""
    kept = []
    for constraint in analysis.constraints:
        entity = constraint.entity
        if entity is not None and not constraint.negated and len(constraint.path) > 1:
            found = dataset.query(
                f"ASK {{ ?plan <http://purl.org/dc/terms/spatial> {iri(entity.iri)} }}",
                source="generated query",
            )
            if found:
                continue
        kept.append(constraint)
    return replace(analysis, constraints=kept) if len(kept) < len(analysis.constraints) else None


def _mark_user_data(dataset: Store, analysis: Analysis, rows: list[list[Cell | None]]) -> None:
    """Rows resting on the user's ``--data`` files say so, as the named queries' rows do:
    a row's facts are its thing, its value, and the things its constraints name."""
    from ecokg.ask.provenance import mark_user_data  # imports the loaders: only then

    named = [c.entity.iri for c in analysis.constraints if c.entity is not None]
    named += [subject.iri for subject in analysis.subjects]
    columns = [*GENERATED_COLUMNS, *(f"named{n}" for n in range(len(named)))]
    terms: list[list[Term | None]] = []
    for row in rows:
        item, value = row[0], row[1]
        terms.append(
            [
                ox.NamedNode(item.value) if item is not None else None,
                _literal(value.value) if value is not None else None,
                None,
                None,
                None,
                *(ox.NamedNode(iri) for iri in named),
            ]
        )
    mark_user_data(dataset, columns, terms, rows)


def _data_note(rows: list[list[Cell | None]], lang: str) -> str:
    """The sentence says how many of its rows rest on the user's files, and which."""
    files = sorted({name for row in rows if row[3] is not None for name in row[3].data_files})
    count = sum(1 for row in rows if row[3] is not None and row[3].data_files)
    if not count:
        return ""
    listed = ", ".join(files)
    if lang == "zh":
        return f"（其中{count}行出自您的数据：{listed}）"
    return f" ({count} of the rows rest on your data: {listed})"


def _literal(value: object) -> ox.Literal:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return ox.Literal(str(value))
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))


def _text(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def _rows(answer: Structured, items: list[Item]) -> list[list[Cell | None]]:
    shown = answer.items if answer.kind in {"max", "min", "top", "comparison"} else items
    if answer.kind == "comparison":
        shown = answer.items
    rows: list[list[Cell | None]] = []
    for item in shown:
        numeric = item.number() is not None  # a figure stated in words has no unit
        unit = (
            Cell(item.unit_zh, None, item.unit_zh, item.unit_zh)
            if item.unit_zh and numeric
            else None
        )
        rows.append(
            [
                Cell(item.iri, item.iri, item.label_zh, item.label_en),
                Cell(item.value) if item.value is not None else None,
                unit,
                Cell(item.evidence),
                _sources(item.sources) if item.sources else None,
            ]
        )
    return rows


def _sources(pairs: str) -> Cell:
    """The sources cell: section labels in zh (its value) and en, in the same order."""
    split = [pair.partition(PAIR) for pair in pairs.split("; ")]
    zh = "; ".join(part[0] for part in split)
    en = "; ".join(part[2] or part[0] for part in split)
    return Cell(zh, None, zh, en)


def _headers(analysis: Analysis, lexicon: Lexicon) -> dict[str, list[str]]:
    headers = {}
    for lang in ("zh", "en"):
        thing = lexicon.name(analysis.answer_class, lang) if analysis.answer_class else "item"
        if analysis.count_class and analysis.summed:
            counted, summed = (
                lexicon.name(analysis.count_class, lang),
                lexicon.name(analysis.summed, lang),
            )
            value = (
                f"{counted}{summed}合计"
                if lang == "zh"
                else f"total {summed} of {_plural(counted)}"
            )
        elif analysis.count_class:
            value = ("数量：" if lang == "zh" else "number of ") + lexicon.name(
                analysis.count_class, lang
            )
        else:
            value = lexicon.name(analysis.attribute, lang) if analysis.attribute else ""
        evidence, sources, unit = (
            ("依据", "出处", "单位") if lang == "zh" else ("evidence", "sources", "unit")
        )
        headers[lang] = [thing, value, unit, evidence, sources]
    return headers
