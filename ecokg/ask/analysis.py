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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ecokg.ask.context import (
    CannotRelate,
    NotUnderstood,
    Resolver,
    attribute_kind,
    choose_entities,
    classes,
    closest_candidate,
    main_class,
    unrelated,
)
from ecokg.ask.entities import Entity
from ecokg.ask.lexicon import ASK_NS, Hit
from ecokg.ask.linking import Mention
from ecokg.ask.schema import Schema, Step, find_path
from ecokg.rdf.namespaces import compact

F = ASK_NS  # answer-form concepts: F + "count" …
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_TOP_ZH = re.compile(r"前\s*([0-9一二两三四五六七八九十]+)")
_TOP_NUMBER_ZH = re.compile(r"([0-9一二两三四五六七八九十]+)\s*[个项家条座]")
_TOP_EN = re.compile(
    r"\b(?:top|first|largest|biggest|smallest|highest|lowest)\s+(\d+|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)
_TOP_BEFORE_EN = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:largest|biggest|smallest|highest|lowest|most|least)\b",
    re.I,
)
_NUMERALS = {
    **{char: number for number, char in enumerate("一二三四五六七八九十", start=1)},
    "两": 2,
    **{
        word: number
        for number, word in enumerate(
            ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], start=2
        )
    },
}


@dataclass(frozen=True)
class Constraint:
    """The answer joined to ``entity`` (or to any thing of ``goal_class``) along ``path``."""

    path: tuple[Step, ...]
    entity: Entity | None = None
    goal_class: str | None = None
    negated: bool = False
    attribute: str | None = None  # negated attribute: "without an investment"
    value_kind: str | None = None  # the negated attribute's kind: figure, period, text


@dataclass
class Analysis:
    """How a question was understood."""

    lang: str
    form: str  # list|attribute|count|sum|average|max|min|top|yesno|comparison
    answer_class: str | None
    attribute: str | None = None
    attribute_kind: str | None = None  # figure|period|text
    subjects: list[Entity] = field(default_factory=list)  # things asked about (VALUES)
    constraints: list[Constraint] = field(default_factory=list)
    count_class: str | None = None  # max/min by the number of linked things of this class
    count_path: tuple[Step, ...] = ()
    years: tuple[int, ...] = ()
    schedule: str | None = None  # the period property the years constrain
    choices: tuple[str, ...] = ()  # several attributes, the years choosing among them
    top: int | None = None
    descending: bool = True
    asks_yes: bool = False  # a comparison asked as yes or no ("A比B多吗？")
    # a number the question compares with (超过1亿元): (more?, number, unit multiplier, text)
    threshold: tuple[bool, float, float, str] | None = None
    summed: str | None = None  # ranked by the total of this attribute of the counted things
    in_unit: bool = False  # a quantity asked in a unit (多少万亩): not a count
    inclusive: bool = False  # the threshold's number passes too (至少, at least: ≥)
    threshold_unit: str | None = None  # the threshold's unit as written (casefolded)
    words: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "form": self.form,
            "answerClass": self.answer_class,
            "attribute": self.attribute,
            "about": [subject.iri for subject in self.subjects],
            "constraints": [
                {
                    "path": [{"property": step.prop, "forward": step.forward} for step in c.path],
                    "entity": c.entity.iri if c.entity else None,
                    "class": c.goal_class,
                    "attribute": c.attribute,
                    "negated": c.negated,
                }
                for c in self.constraints
            ],
            "rankedBy": self.count_class,
            "rankedBySumOf": self.summed,
            "years": list(self.years),
            "top": self.top,
            "threshold": self.threshold[3] if self.threshold else None,
        }

    def describe(self) -> list[tuple[str, str]]:
        """(what, value) lines for ``--explain``."""
        from ecokg.rdf.namespaces import compact

        lines = [("form", self.form)]
        if self.answer_class:
            lines.append(("answer class", compact(self.answer_class)))
        if self.attribute:
            lines.append(("attribute", f"{compact(self.attribute)} ({self.attribute_kind})"))
        for subject in self.subjects:
            lines.append(("about", f"{subject.label(self.lang)} <{compact(subject.iri)}>"))
        for constraint in self.constraints:
            target = (
                f"{constraint.entity.label(self.lang)} <{compact(constraint.entity.iri)}>"
                if constraint.entity
                else compact(constraint.attribute or constraint.goal_class or "")
            )
            path = " / ".join(
                ("" if step.forward else "^") + compact(step.prop) for step in constraint.path
            )
            label = ("not " if constraint.negated else "") + "constraint"
            lines.append((label, f"{path} → {target}"))
        if self.count_class and self.summed:
            lines.append(
                ("ranked by the total", f"{compact(self.summed)} of {compact(self.count_class)}")
            )
        elif self.count_class:
            lines.append(("ranked by the number of", compact(self.count_class)))
        if self.years:
            lines.append(("years", "–".join(str(y) for y in self.years)))
        if self.top:
            lines.append(("top", str(self.top)))
        if self.threshold:
            sign = (">" if self.threshold[0] else "<") + ("=" if self.inclusive else "")
            lines.append(("compared with", f"{sign} {self.threshold[3]}"))
        return lines


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _NUMERALS:
        return _NUMERALS[text]
    if text.startswith("十") and text[1:] in _NUMERALS:
        return 10 + _NUMERALS[text[1:]]
    return None


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
    threshold = _threshold(question, lang, forms, schema)
    if threshold is not None:  # 超过1亿元: a comparison with the number, not "the largest"
        for form in ("more", "less", "max", "min"):
            forms.pop(F + form, None)
    _refuse_unexplained_numbers(question, lang, mentions, threshold)
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
    either = _either(lang, forms, entities, schema, mentioned)
    if either is not None:
        return either

    answer_hit = _answer_class_hit(class_hits, forms.get(F + "which") or forms.get(F + "count"))
    answer_class = answer_hit.terms[0] if answer_hit else None
    analysis = Analysis(lang, "list", answer_class, words=list(hits), threshold=threshold)
    if threshold is not None:
        analysis.inclusive = F + "orEqual" in forms
        analysis.threshold_unit = _NUMBER.sub("", threshold[3], count=1).strip().casefold()
    analysis.years = tuple(sorted({int(y) for y in _YEAR.findall(question)}))
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
        if attribute and same:
            analysis.asks_yes = F + "yes-no" in forms
            return _comparison(analysis, [first, second], attribute, forms, schema)
        if F + "yes-no" in forms:
            return _yesno(analysis, first, second, mentioned, schema, negation is not None)

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
            _constrain(analysis, rest, mentioned, class_hits, negation, schema, None, fixed)
            return analysis

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
        answer_class = _attribute_owner_class(schema, attribute, entities, mentioned)
        analysis.answer_class = answer_class
    elif negated_attribute and answer_class is None:  # 哪些约束性指标没有目标值: its carriers
        answer_class = _attribute_owner_class(schema, negated_attribute, entities, mentioned)
        analysis.answer_class = answer_class
    if answer_class is None:
        raise NotUnderstood("no class or attribute asked for")
    ranks = any(F + name in forms for name in ("max", "min", "more", "less"))
    _same_kind(analysis, attribute, schema)
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
            member = _nearest_carrier(schema, answer_class, attribute, mentioned)
        if kind is None and ranks and member is not None:
            # 哪个部门的项目投资合计最多: agencies ranked by their projects' total
            analysis.summed, attribute = attribute, None
            analysis.count_class = member
            class_hits = [h for h in class_hits if h.terms[0] != member]
        elif kind is None:
            raise CannotRelate(unrelated(compact(attribute), answer_class, lang))
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
        analysis.top = _top(question)
        analysis.form = (
            "top"
            if analysis.top and analysis.top > 1
            else ("max" if analysis.descending else "min")
        )
    elif (
        numeric
        and F + "each" not in forms
        and forms.get(F + "which") is not None
        and _asks_how_much(forms[F + "which"])
    ):
        analysis.form = "sum"
    _constrain(analysis, entities, mentioned, class_hits, negation, schema, answer_hit, fixed)
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
        negated_link = _negated_link(analysis, hits, negation, schema)
        if negated_link is None:
            raise CannotRelate(
                "不清楚“没有”什么" if lang == "zh" else "cannot tell what is negated",
                final=True,
            )
        analysis.constraints.append(negated_link)
    return analysis


_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])(\d+(?:\.\d+)?)(?![\d.])")


def _threshold(
    question: str, lang: str, forms: dict[str, Hit], schema: Schema
) -> tuple[bool, float, float, str] | None:
    """超过1亿元, at least 100 ha, 5000万元以上: a more/less word next to a number and unit."""
    words = [(forms[F + name], name == "more") for name in ("more", "less") if F + name in forms]
    for found in _NUMBER.finditer(question):
        if _YEAR.fullmatch(found.group(1)):
            continue
        unit, unit_end = _unit_after(question, found.end(), schema)
        for hit, more in words:
            before = 0 <= found.start() - hit.end <= 2
            after = 0 <= hit.start - unit_end <= 1
            if before or after:
                if unit is None:  # final: no named query should answer without it
                    raise CannotRelate(
                        f"不清楚“{found.group(1)}”后面的单位"
                        if lang == "zh"
                        else f"cannot read the unit after {found.group(1)!r}",
                        final=True,
                    )
                text = question[found.start() : unit_end].strip()
                return more, float(found.group(1)), unit, text
    return None


def _unit_after(question: str, position: int, schema: Schema) -> tuple[float | None, int]:
    """The unit written right after a number (亿元, 公顷, km) and where it ends."""
    rest = question[position:]
    stripped = rest.lstrip()
    offset = position + len(rest) - len(stripped)
    for length in range(min(8, len(stripped)), 0, -1):
        piece = stripped[:length].casefold()
        if piece in schema.units and (
            length == len(stripped) or not (piece[-1].isascii() and stripped[length].isalnum())
        ):
            return float(schema.units[piece]), offset + length
    return None, position


def _same_kind(analysis: Analysis, attribute: str | None, schema: Schema) -> None:
    """超过10公顷 asked of an investment: a number in a unit of another kind of measure
    compares with nothing the question asks; refused rather than converted."""
    if analysis.threshold_unit is None or attribute is None:
        return
    unit_kinds = set(schema.unit_metrics.get(analysis.threshold_unit, ()))
    asked_kinds = set(schema.attribute_metrics.get(attribute, ()))
    if unit_kinds and asked_kinds and not unit_kinds & asked_kinds:
        unit = analysis.threshold[3] if analysis.threshold else analysis.threshold_unit
        raise CannotRelate(
            f"“{unit}”的单位与所问的{compact(attribute)}不是同一类量"
            if analysis.lang == "zh"
            else f"{unit!r} is not in a unit of the kind {compact(attribute)} is measured in",
            final=True,
        )


def _refuse_unexplained_numbers(
    question: str,
    lang: str,
    mentions: Sequence[Mention],
    threshold: tuple[bool, float, float, str] | None,
) -> None:
    """A number that is no year, rank (top 3) or part of a name changes the question:
    answering without it would answer another question."""
    covered = {i for m in mentions for i in range(m.start, m.end)}
    top = _top(question)
    for found in _NUMBER.finditer(question):
        number = found.group(1)
        if found.start() in covered or _YEAR.fullmatch(number):
            continue
        if threshold is not None and question[found.start() :].startswith(threshold[3][:1]):
            continue
        if top is not None and number == str(top):
            continue
        raise CannotRelate(
            f"不理解问题中的数“{number}”" if lang == "zh" else f"cannot tell what {number!r} means",
            final=True,
        )


def _either(
    lang: str,
    forms: dict[str, Hit],
    entities: Sequence[tuple[Mention, Entity]],
    schema: Schema,
    mentioned: set[str],
) -> Analysis | None:
    """是约束性还是预期性 / binding or expected: which of two things of one kind holds for
    a third one; the answer is the one (or both) linked to it."""
    hit = forms.get(F + "either")
    if hit is None or len(entities) < 3:
        return None
    before = [e for m, e in entities if m.end <= hit.start]
    after = [e for m, e in entities if m.start >= hit.end]
    if not before or not after:
        return None
    first, second = before[-1], after[0]
    shared = classes(first, schema) & classes(second, schema)
    if not shared:
        return None
    others = [e for _, e in entities if e is not first and e is not second]
    subject = others[0]
    cls = main_class(first, schema)
    if cls not in shared:
        cls = sorted(shared)[0]
    path = find_path(schema, cls, classes(subject, schema), mentioned)
    if not path:
        raise CannotRelate(unrelated(subject.label(lang), cls, lang))
    analysis = Analysis(lang, "list", cls)
    analysis.subjects = [first, second]
    analysis.constraints = [Constraint(tuple(path), subject)]
    return analysis


def _negated_link(
    analysis: Analysis, hits: Sequence[Hit], negation: Hit, schema: Schema
) -> Constraint | None:
    """ "哪个重大工程没有重点分区": a link of the answer class named after the negation."""
    answer = analysis.answer_class
    for hit in hits:
        if hit.role != "property" or hit.start < negation.start:
            continue
        for prop in hit.terms:
            for step, _count in schema.adjacency.get(answer or "", ()):
                if step.prop == prop:
                    return Constraint((step,), None, step.to_class, negated=True)
    return None


def _asks_how_much(hit: Hit) -> bool:
    return hit.text.casefold() in {"多少", "how much"}


def _top(question: str) -> int | None:
    for pattern in (_TOP_ZH, _TOP_EN, _TOP_BEFORE_EN, _TOP_NUMBER_ZH):
        found = pattern.search(question)
        if found:
            number = _number(found.group(1).casefold())
            if number:
                return number
    return None


def _answer_class_hit(class_hits: Sequence[Hit], which: Hit | None) -> Hit | None:
    if not class_hits:
        return None
    if which is not None:
        after = [h for h in class_hits if 0 <= h.start - which.end <= 3]
        if after:
            return after[0]
        inside = [h for h in class_hits if h.start >= which.start and h.end <= which.end]
        if inside:
            return inside[0]
        before = [h for h in class_hits if 0 <= which.start - h.end <= 2]
        if before:
            return before[-1]
    return class_hits[0]


def _nearest_carrier(schema: Schema, start: str, attribute: str, mentioned: set[str]) -> str | None:
    """The one class carrying ``attribute`` as a figure most cheaply linked to ``start``;
    None when two are equally near (which total was meant is then unclear)."""
    lengths: dict[str, int] = {}
    for owner in schema.attribute_classes(attribute):
        path = find_path(schema, start, {owner}, mentioned)
        if path and schema.attribute_kind(attribute, owner) == "figure":
            lengths[owner] = len(path)
    if not lengths:
        return None
    best = min(lengths.values())
    nearest = [owner for owner, length in lengths.items() if length == best]
    return nearest[0] if len(nearest) == 1 else None


def _attribute_owner_class(
    schema: Schema, attribute: str, entities: Sequence[tuple[Mention, Entity]], mentioned: set[str]
) -> str | None:
    """The class carrying ``attribute`` that is closest to the named things."""
    owners = schema.attribute_classes(attribute)
    if not owners:
        return None

    def cost(owner: str) -> tuple[float, int]:
        total = 0.0
        for _, entity in entities:
            path = find_path(schema, owner, classes(entity, schema), mentioned)
            total += len(path) if path is not None else 10.0
        # among equals the most linked class: Project before Plan, Indicator before
        # BindingIndicator
        return (total, -sum(count for _, count in schema.adjacency.get(owner, ())))

    return min(owners, key=cost)


def _constrain(
    analysis: Analysis,
    entities: Sequence[tuple[Mention, Entity]],
    mentioned: set[str],
    class_hits: Sequence[Hit],
    negation: Hit | None,
    schema: Schema,
    answer_hit: Hit | None = None,
    fixed: set[int] | None = None,
) -> None:
    answer = analysis.answer_class
    assert answer is not None
    via = {h.terms[0] for h in class_hits if h is not answer_hit} - {answer}
    negated_any = False
    for mention, chosen in entities:
        entity = closest_candidate(mention, chosen, answer, mentioned, via, schema, fixed or set())
        goals = classes(entity, schema)
        if answer in goals and not analysis.subjects and not (via - goals):
            analysis.subjects.append(entity)  # "the project 森林抚育": the thing itself
            continue
        path = find_path(schema, answer, goals, mentioned, via - goals)
        if path is None:
            raise CannotRelate(unrelated(entity.label(analysis.lang), answer, analysis.lang))
        negated = negation is not None and mention.start > negation.start
        negated_any |= negated
        analysis.constraints.append(Constraint(tuple(path), entity, negated=negated))
    if negation is not None and not negated_any:
        later = [h for h in class_hits if h.start > negation.start and h.terms[0] != answer]
        if later:
            goal = later[0].terms[0]
            path = find_path(schema, answer, {goal}, mentioned)
            if path is None:
                raise CannotRelate(unrelated(compact(goal), answer, analysis.lang))
            analysis.constraints.append(Constraint(tuple(path), None, goal, negated=True))


def _comparison(
    analysis: Analysis,
    things: list[Entity],
    attribute: str,
    forms: dict[str, Hit],
    schema: Schema,
) -> Analysis:
    kind = attribute_kind(schema, attribute, things[0])
    if kind not in {"figure", "metric"}:
        raise CannotRelate("only figures compare")
    analysis.form = "comparison"
    analysis.attribute, analysis.attribute_kind = attribute, kind
    analysis.subjects = things
    analysis.answer_class = main_class(things[0], schema)
    analysis.descending = not (F + "less" in forms or F + "min" in forms)
    return analysis


def _yesno(
    analysis: Analysis,
    first: Entity,
    second: Entity,
    mentioned: set[str],
    schema: Schema,
    negated: bool,
) -> Analysis:
    start = classes(first, schema)
    goals = classes(second, schema)
    best: list[Step] | None = None
    for cls in sorted(start):
        path = find_path(schema, cls, goals, mentioned)
        if path is not None and (best is None or len(path) < len(best)):
            best, analysis.answer_class = path, cls
    if not best or len(best) > 2 or (len(best) > 1 and start & goals):
        raise CannotRelate(
            f"{first.label(analysis.lang)} / {second.label(analysis.lang)}: "
            + ("规划没有这种联系" if analysis.lang == "zh" else "the plan does not relate them")
        )
    analysis.form = "yesno"
    analysis.subjects = [first]
    analysis.constraints = [Constraint(tuple(best), second, negated=negated)]
    return analysis
