"""When a named query answers a question, and the sentence and structured answer it gets.

A named query answers only a question that asks for a plain list (no count, total,
ranking, yes/no or comparison), that reads like one of its wordings, that binds every
thing the question names, and whose rows are things of the class asked for: otherwise the
generated query answers (a named query that answers another question is a wrong answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ecokg.ask.forms import Item, Structured
from ecokg.ask.lexicon import stem

if TYPE_CHECKING:
    from ecokg.ask.analysis import Analysis
    from ecokg.ask.answer import Answer
    from ecokg.ask.intents import IntentMatch
    from ecokg.ask.linking import Mention
    from ecokg.ask.model import Model
    from ecokg.query.library import NamedQuery


def item_column(query: NamedQuery, model: Model) -> tuple[str, str | None] | None:
    """The first returned column that is not a parameter, and the class its name says."""
    params = {param.name for param in query.params}
    for part in query.returns.split(","):
        name = part.strip().split(" ")[0].strip()
        if not name or name in params:
            continue
        words = model.lexicon.by_key.get(stem(name.casefold()), [])
        classes = [word.term for word in words if word.role == "class"]
        return name, (classes[0] if classes else None)
    return None


def prefer_named(
    match: IntentMatch,
    analysis: Analysis,
    mentions: Sequence[Mention],
    model: Model,
    threshold: float,
) -> bool:
    if analysis.form != "list" or match.score < threshold:
        return False
    if any(c.negated for c in analysis.constraints) and not _negates(match.query):
        return False
    bound = {id(b.mention) for b in match.bindings if b.mention is not None}
    if any(id(mention) not in bound for mention in mentions):
        return False
    column = item_column(match.query, model)
    if column is not None and column[1] is not None and analysis.answer_class is not None:
        schema = model.schema
        same = column[1] == analysis.answer_class
        return same or (
            column[1] in schema.adjacency and analysis.answer_class not in schema.adjacency
        )
    return True


def _negates(query: NamedQuery) -> bool:
    return any(word in query.name for word in ("without", "no-", "-no"))


def summarise_named(answer: Answer, analysis: Analysis | None, model: Model) -> None:
    """Give a named query's answer its sentence and structured list (the item column's
    things, in the query's order)."""
    assert answer.match is not None
    column = item_column(answer.match.query, model)
    if column is None or column[0] not in answer.columns:
        number = next(
            (
                n
                for n, name in enumerate(answer.columns)
                if answer.rows and any(row[n] is not None and row[n].iri for row in answer.rows)  # type: ignore[union-attr]
            ),
            None,
        )
    else:
        number = answer.columns.index(column[0])
    items: dict[str, Item] = {}
    if number is not None:
        for row in answer.rows:
            cell = row[number]
            if cell is not None and cell.iri is not None and cell.iri not in items:
                items[cell.iri] = Item(cell.iri, cell.label_zh, cell.label_en)
    listed = list(items.values())
    answer.structured = Structured("list", None, None, listed)
    lang = answer.lang
    title = answer.match.query.title(lang)
    params = [b.entity.label(lang) for b in answer.match.bindings if b.entity is not None]
    about = ("（" + "、".join(params) + "）") if params and lang == "zh" else ""
    if params and lang == "en":
        about = " (" + ", ".join(params) + ")"
    names = ("、" if lang == "zh" else ", ").join(item.label(lang) for item in listed[:12])
    more = ("等" if lang == "zh" else ", …") if len(listed) > 12 else ""
    if not listed:
        answer.sentence = (
            f"{title}{about}：没有找到结果。" if lang == "zh" else f"{title}{about}: none."
        )
    elif lang == "zh":
        answer.sentence = f"{title}{about}共{len(listed)}个：{names}{more}。"
    else:
        answer.sentence = f"{title}{about}: {len(listed)} — {names}{more}."
    if analysis is not None:
        answer.analysis = analysis
