"""Reading a question's names in context: which of the things a name may be is meant.

蒙山 is a township and part of a zone's name; 锦江 a river and a town; 高标准农田 a
project and an indicator. The class word right after a name, the attribute asked and
the cheapest link to the answer decide (:func:`choose_entities`,
:func:`closest_candidate`). Also the two refusals of the analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ecokg.ask.entities import Entity
from ecokg.ask.lexicon import Hit
from ecokg.ask.linking import Mention
from ecokg.ask.schema import Schema, find_path
from ecokg.ask.text import has_cjk
from ecokg.errors import UsageError

Resolver = Callable[[str, str], "Entity | None"]


class NotUnderstood(UsageError):
    """The question's structure could not be read (no answer class, attribute or form)."""


class CannotRelate(UsageError):
    """The question joins things the graph never links (or asks a fact it lacks).
    ``final``: no other reading (a named query) should be tried either."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.final = final


def choose_entities(
    question: str,
    mentions: Sequence[Mention],
    class_hits: list[Hit],
    attribute: str | None,
    schema: Schema,
    resolve: Resolver | None,
    fixed: set[int],
) -> tuple[list[tuple[Mention, Entity]], list[Hit]]:
    """The entity each mention names, read in context: a class word right after it (蒙山
    分区, the farmland *project*), then the attribute asked; a mention that names nothing
    the schema links is refused (it would otherwise be silently dropped)."""
    chosen: list[tuple[Mention, Entity]] = []
    kept = list(class_hits)
    fixed.clear()
    for mention in mentions:
        placed = [c.entity for c in mention.candidates if classes(c.entity, schema)]
        if not placed:
            raise CannotRelate(
                f"“{mention.text}”不是可以这样问的对象"
                if has_cjk(question)
                else f"cannot ask about {mention.text!r} this way"
            )
        entity = placed[0]
        after = next((h for h in kept if 0 <= h.start - mention.end <= 1), None)
        if after is not None:
            typed = [e for e in placed if after.terms[0] in classes(e, schema)]
            found = (
                typed[0] if typed else (resolve(mention.text, after.terms[0]) if resolve else None)
            )
            if found is not None:
                kept.remove(after)  # the class word is part of the name
                fixed.add(id(mention))
                chosen.append((mention, found))
                continue
        if attribute is not None:
            owners = [e for e in placed if attribute_kind(schema, attribute, e)]
            if owners:
                fixed.add(id(mention))
                chosen.append((mention, owners[0]))
                continue
        chosen.append((mention, entity))
    return chosen, kept


def classes(entity: Entity, schema: Schema) -> set[str]:
    return schema.classes_of(entity.iri, entity.types)


def attribute_kind(schema: Schema, attribute: str, entity: Entity) -> str | None:
    for cls in sorted(classes(entity, schema)):
        kind = schema.attribute_kind(attribute, cls)
        if kind:
            return kind
    return None


def unrelated(name: str, answer: str, lang: str, schema: Schema) -> str:
    if lang == "zh":
        return f"规划没有把“{name}”与{schema.name(answer, lang)}联系起来"
    return f"the plan does not relate {name} to {schema.name(answer, lang)}"


def closest_candidate(
    mention: Mention,
    chosen: Entity,
    answer: str,
    mentioned: set[str],
    via: set[str],
    schema: Schema,
    fixed: set[int],
) -> Entity:
    """Among the things a name may be (锦江: the river, the town), the one the question's
    links reach most cheaply ("projects along the Jinjiang": the river)."""
    if id(mention) in fixed:
        return chosen
    placed = [c.entity for c in mention.candidates if classes(c.entity, schema)]
    if len(placed) < 2:
        return chosen

    def cost(entity: Entity) -> float:
        goals = classes(entity, schema)
        if answer in goals:
            return 0.0
        path = find_path(schema, answer, goals, mentioned, via - goals)
        if path is None:
            return 99.0
        return len(path) - 0.5 * sum(1 for step in path if step.prop in mentioned)

    return min([chosen, *placed], key=cost)


def main_class(entity: Entity, schema: Schema) -> str | None:
    """The entity's class that the data links most (Indicator, not ExpectedIndicator)."""
    found = classes(entity, schema)
    if not found:
        return None
    return min(
        found,
        key=lambda cls: (-sum(count for _, count in schema.adjacency.get(cls, ())), cls),
    )
