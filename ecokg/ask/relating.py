"""Relating the parts of a question: the answer class, the constraints joining each named
thing to it, yes/no and comparisons of two things, negated links, either/or.

Paths come from :func:`ecokg.ask.schema.find_path`; a thing that cannot be joined is
refused (:class:`ecokg.ask.context.CannotRelate`), never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecokg.ask.analysed import Analysis, Constraint
from ecokg.ask.context import (
    CannotRelate,
    attribute_kind,
    classes,
    closest_candidate,
    main_class,
    unrelated,
)
from ecokg.ask.entities import Entity
from ecokg.ask.lexicon import ASK_NS, Hit
from ecokg.ask.linking import Mention
from ecokg.ask.schema import Schema, Step, find_path

F = ASK_NS  # answer-form concepts: F + "less" …


def either_choice(
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
        raise CannotRelate(unrelated(subject.label(lang), cls, lang, schema))
    analysis = Analysis(lang, "list", cls)
    analysis.subjects = [first, second]
    analysis.constraints = [Constraint(tuple(path), subject)]
    return analysis


def negated_link(
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


def asks_how_much(hit: Hit) -> bool:
    return hit.text.casefold() in {"多少", "how much"}


def answer_class_hit(class_hits: Sequence[Hit], which: Hit | None) -> Hit | None:
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


def nearest_carrier(schema: Schema, start: str, attribute: str, mentioned: set[str]) -> str | None:
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


def attribute_owner_class(
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


def constrain(
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
            raise CannotRelate(
                unrelated(entity.label(analysis.lang), answer, analysis.lang, schema)
            )
        negated = negation is not None and mention.start > negation.start
        negated_any |= negated
        analysis.constraints.append(Constraint(tuple(path), entity, negated=negated))
    if negation is not None and not negated_any:
        later = [h for h in class_hits if h.start > negation.start and h.terms[0] != answer]
        if later:
            goal = later[0].terms[0]
            path = find_path(schema, answer, {goal}, mentioned)
            if path is None:
                raise CannotRelate(
                    unrelated(schema.name(goal, analysis.lang), answer, analysis.lang, schema)
                )
            analysis.constraints.append(Constraint(tuple(path), None, goal, negated=True))


def comparison(
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


def yesno(
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
