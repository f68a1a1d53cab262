"""Question analysis: what is asked for, of what, joined how, in which form.

From the linked entities (:mod:`ecokg.ask.linking`) and the lexicon words
(:mod:`ecokg.ask.lexicon`) of a question:

- the *answer class* (项目, townships, who …): the class word the question word points at
  (哪些部门, which agencies), else the one just before it (项目有哪些), else the first;
- the *attribute* asked (投资, schedule, 目标值 …), a property whose values are figures,
  periods or texts;
- the *form*: list, attribute, count, sum, average, max/min/top-k, yes/no, comparison,
  with negation (没有, without) and years as modifiers;
- the *constraints*: each entity not asked about, joined to the answer class by the
  cheapest path in the schema (:func:`ecokg.ask.schema.find_path`).

What cannot be analysed raises :class:`NotUnderstood` (a usage error); the engine then
tries the named queries before refusing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecokg.ask.analysed import Analysis, Constraint
from ecokg.ask.context import (
    CannotRelate,
    NotUnderstood,
    Resolver,
    attribute_kind,
    choose_entities,
    classes,
    main_class,
    unrelated,
)
from ecokg.ask.entities import Entity
from ecokg.ask.lexicon import ASK_NS, Hit
from ecokg.ask.linking import Mention
from ecokg.ask.numbers import (
    NUMBER,
    YEAR,
    check_same_kind,
    read_threshold,
    refuse_unexplained_numbers,
    top_rank,
)
from ecokg.ask.relating import (
    answer_class_hit,
    asks_how_much,
    attribute_owner_class,
    comparison,
    constrain,
    either_choice,
    nearest_carrier,
    negated_link,
    yesno,
)
from ecokg.ask.schema import Schema, find_path

__all__ = ["Analysis", "CannotRelate", "Constraint", "NotUnderstood", "analyse"]

F = ASK_NS  # answer-form concepts: F + "count" …


def analyse(
    question: str,
    lang: str,
    mentions: Sequence[Mention],
    hits: Sequence[Hit],
    schema: Schema,
    resolve: Resolver | None = None,
) -> Analysis:
    forms = {t: h for h in hits if h.role == "form" for t in h.terms}
    if (
        F + "yes-no" in forms
        and lang == "en"
        and question.strip()[: forms[F + "yes-no"].end].strip() != forms[F + "yes-no"].text
    ):
        del forms[F + "yes-no"]  # "is"/"does" ask yes or no only at the start
    unstated = forms.get(F + "unstated")
    if unstated is not None:  # 中央资金: a fact the plan does not state; not the total
        raise CannotRelate(
            f"规划没有载明“{unstated.text}”"
            if lang == "zh"
            else f"the plan does not state {unstated.text!r}",
            final=True,
        )
    planned = forms.get(F + "planned")
    if planned is not None:  # 治理长度: a planned output's quantity, not a thing's own figure
        raise CannotRelate(
            f"还不能回答计划产出的数量（“{planned.text}”）"
            if lang == "zh"
            else f"quantities of planned outputs ({planned.text!r}) cannot be asked yet"
        )  # not final: a named query that reads like the question (各河道综合治理长度) answers
    threshold = read_threshold(question, lang, forms, schema)
    if threshold is not None:  # 超过1亿元: a comparison with the number, not "the largest"
        for form in ("more", "less", "max", "min"):
            forms.pop(F + form, None)
    refuse_unexplained_numbers(question, lang, mentions, threshold)
    class_hits = [h for h in hits if h.role == "class"]
    attribute_hits = [
        h for h in hits if h.role in {"property", "metric"} and h.terms[0] in schema.attributes
    ]
    mentioned = {t for h in hits if h.role == "property" for t in h.terms}
    attribute = attribute_hits[0].terms[0] if attribute_hits else None
    fixed: set[int] = set()  # mentions whose entity the context decided
    entities, class_hits = choose_entities(
        question, mentions, class_hits, attribute, schema, resolve, fixed
    )
    negation = forms.get(F + "not")
    either = either_choice(lang, forms, entities, schema, mentioned)
    if either is not None:
        return either

    answer_hit = answer_class_hit(class_hits, forms.get(F + "which") or forms.get(F + "count"))
    answer_class = answer_hit.terms[0] if answer_hit else None
    analysis = Analysis(lang, "list", answer_class, words=list(hits), threshold=threshold)
    if threshold is not None:
        analysis.inclusive = F + "orEqual" in forms
        analysis.threshold_unit = NUMBER.sub("", threshold[3], count=1).strip().casefold()
    analysis.years = tuple(sorted({int(y) for y in YEAR.findall(question)}))
    if negation is not None and attribute_hits and attribute_hits[0].start > negation.start:
        negated_attribute, attribute = attribute, None
    else:
        negated_attribute = None

    # yes/no and comparison: two named things
    if threshold is not None:
        analysis.asks_yes = F + "yes-no" in forms
    elif len(entities) >= 2 and (
        F + "yes-no" in forms
        or F + "more" in forms
        or F + "less" in forms
        or F + "max" in forms
        or F + "min" in forms
    ):
        first, second = entities[0][1], entities[1][1]
        same = classes(first, schema) & classes(second, schema)
        if attribute is None and same and F + "yes-no" not in forms:
            attribute = _only_measure(schema, first)  # which is larger: the zones' area
        if attribute and same:
            analysis.asks_yes = F + "yes-no" in forms
            return comparison(analysis, [first, second], attribute, forms, schema)
        if F + "yes-no" in forms:
            return yesno(analysis, first, second, mentioned, schema, negation is not None)

    # an attribute of one named thing
    if attribute and len(entities) >= 1:
        owner = next((e for _, e in entities if attribute_kind(schema, attribute, e)), None)
        if owner is not None and (answer_class is None or answer_class in classes(owner, schema)):
            kind = attribute_kind(schema, attribute, owner)
            analysis.form, analysis.attribute, analysis.attribute_kind = (
                "attribute",
                attribute,
                kind,
            )
            analysis.subjects = [owner]
            analysis.answer_class = main_class(owner, schema)
            rest = [(m, e) for m, e in entities if e is not owner]
            constrain(analysis, rest, mentioned, class_hits, negation, schema, None, fixed)
            return _answers_yes_or_no(analysis, forms)

    if attribute is None and answer_class is None and len(entities) == 1 and analysis.years:
        # "水土保持率2020年是多少": the figure of that year, whichever attribute holds it
        owner = entities[0][1]
        dated = [
            prop
            for prop in sorted(schema.attributes)
            if attribute_kind(schema, prop, owner) == "figure"
        ]
        if dated and (F + "which" in forms):
            analysis.form, analysis.attribute_kind = "attribute", "figure"
            analysis.attribute, analysis.choices = dated[0], tuple(dated)
            analysis.subjects = [owner]
            analysis.answer_class = main_class(owner, schema)
            return analysis
    if attribute and answer_class is None:
        answer_class = attribute_owner_class(schema, attribute, entities, mentioned)
        analysis.answer_class = answer_class
    elif negated_attribute and answer_class is None:  # 哪些约束性指标没有目标值: its carriers
        answer_class = attribute_owner_class(schema, negated_attribute, entities, mentioned)
        analysis.answer_class = answer_class
    if answer_class is None:
        raise NotUnderstood("no class or attribute asked for")
    ranks = any(F + name in forms for name in ("max", "min", "more", "less"))
    check_same_kind(analysis, attribute, schema)
    if attribute:
        kind = schema.attribute_kind(attribute, answer_class)
        members = [
            h
            for h in class_hits
            if h is not answer_hit
            and h.terms[0] != answer_class
            and schema.attribute_kind(attribute, h.terms[0]) == "figure"
        ]
        member = members[0].terms[0] if members else None
        if kind is None and ranks and member is None:  # 投资最多的部门: by the nearest carrier
            member = nearest_carrier(schema, answer_class, attribute, mentioned)
        if kind is None and ranks and member is not None:
            # 哪个部门的项目投资合计最多: agencies ranked by their projects' total
            analysis.summed, attribute = attribute, None
            analysis.count_class = member
            class_hits = [h for h in class_hits if h.terms[0] != member]
        elif kind is None:
            raise CannotRelate(unrelated(schema.name(attribute, lang), answer_class, lang, schema))
        else:
            analysis.attribute, analysis.attribute_kind = attribute, kind
    elif analysis.years:
        analysis.schedule = next(
            (
                p
                for p in sorted(schema.attributes)
                if schema.attribute_kind(p, answer_class) == "period"
            ),
            None,
        )

    numeric = analysis.attribute_kind in {"figure", "metric"}
    if analysis.summed is not None:
        pass  # ranked by a total: the max/min branch below
    elif F + "count" in forms or (F + "sum" in forms and not numeric):
        analysis.form = "count"
    elif F + "average" in forms and numeric:
        analysis.form = "average"
    elif F + "sum" in forms and numeric:
        analysis.form = "sum"
    if analysis.form != "list":
        pass
    elif F + "max" in forms or F + "min" in forms or F + "more" in forms or F + "less" in forms:
        analysis.descending = F + "max" in forms or (F + "more" in forms and F + "min" not in forms)
        if not numeric:
            others = [h for h in class_hits if h is not answer_hit and h.terms[0] != answer_class]
            if analysis.count_class is None:
                if not others:
                    raise NotUnderstood("largest by what?")
                analysis.count_class = others[0].terms[0]
                class_hits = [h for h in class_hits if h is not others[0]]
            path = find_path(schema, answer_class, {analysis.count_class}, mentioned)
            if path is None:
                raise CannotRelate("cannot count those")
            analysis.count_path = tuple(path)
        analysis.top = top_rank(question)
        analysis.form = (
            "top"
            if analysis.top and analysis.top > 1
            else ("max" if analysis.descending else "min")
        )
    elif (
        numeric
        and F + "each" not in forms
        and forms.get(F + "which") is not None
        and asks_how_much(forms[F + "which"])
    ):
        analysis.form = "sum"
    constrain(analysis, entities, mentioned, class_hits, negation, schema, answer_hit, fixed)
    if negated_attribute:
        analysis.constraints.append(
            Constraint(
                (),
                None,
                None,
                negated=True,
                attribute=negated_attribute,
                value_kind=schema.attribute_kind(negated_attribute, answer_class),
            )
        )
        analysis.years = ()
    if negation is not None and not any(c.negated for c in analysis.constraints):
        link = negated_link(analysis, hits, negation, schema)
        if link is None:
            raise CannotRelate(
                "不清楚“没有”什么" if lang == "zh" else "cannot tell what is negated",
                final=True,
            )
        analysis.constraints.append(link)
    return _answers_yes_or_no(analysis, forms)


def _answers_yes_or_no(analysis: Analysis, forms: dict[str, Hit]) -> Analysis:
    """吗 / "Is …" asks yes or no: a list or a figure is another question's answer."""
    asks_yes = F + "yes-no" in forms and not analysis.asks_yes
    if asks_yes and analysis.form not in {"yesno", "comparison"}:
        raise CannotRelate(
            "无法用“是”或“否”回答这个问题"
            if analysis.lang == "zh"
            else "cannot answer this question with yes or no",
            final=True,
        )
    return analysis


def _only_measure(schema: Schema, thing: Entity) -> str | None:
    """The one measure of its own (面积, length) a thing has, if it has exactly one: what
    "larger" compares when the question names no attribute."""
    measures = [
        p for p in sorted(schema.attributes) if attribute_kind(schema, p, thing) == "metric"
    ]
    return measures[0] if len(measures) == 1 else None
