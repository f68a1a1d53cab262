"""``ecokg ask`` on a store of several plans (docs/many-plans.md).

- ``--plan X``: the question is asked of that plan alone (its graphs only).
- One plan in the store (or plans sharing one graph): asked exactly as before.
- Several plans: a question comparing counties (各县…, 哪个县…最多, compare counties …,
  which counties …) is answered by the library's comparison queries (``# scope: store``)
  over the whole store; a question naming one county (样1县的总投资, projects in Sample1's
  泗溪镇) is asked of that county's plan alone, the county written as the plan names it; any
  other question is refused in one line: a township or project name would be every
  county's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ecokg.ask.entities import EntityIndex
from ecokg.ask.forms import Item, Structured
from ecokg.ask.text import question_language
from ecokg.errors import UsageError
from ecokg.query import library as querylib
from ecokg.stores.scope import open_scoped, plan_name, scoped_store, separable_plans

if TYPE_CHECKING:
    from ecokg.ask.answer import Answer
    from ecokg.ask.engine import Asker
    from ecokg.stores.base import Store
    from ecokg.stores.plans import PlanInfo

_COMPARE_ZH = ("各县", "哪个县", "哪些县", "每个县", "各个县", "县之间", "哪一个县")
_COMPARE_EN = re.compile(r"\b(counties|each county|every county|which county|by county)\b", re.I)
_LEAST = re.compile(r"最少|最低|最小|\b(least|lowest|smallest|fewest)\b", re.I)
_MOST = re.compile(r"最多|最高|最大|\b(most|highest|largest)\b", re.I)
_ZH_SUFFIXES = ("县", "市", "区", "旗")
_EN_SUFFIXES = (" County", " City", " District")


def ask_in_scope(
    store: Store, question: str, plan: str | None, make_asker: Callable[[Store], Asker]
) -> Answer:
    """Answer ``question`` on ``store`` as the module says (``plan``: the --plan text)."""
    if plan is not None:
        scoped, _ = open_scoped(store, plan)
        return make_asker(scoped).ask(question)
    plans = separable_plans(store)
    if len(plans) <= 1:
        return make_asker(store).ask(question)
    if is_comparison(question):
        return compare_counties(store, question)
    named = named_plans(plans, question)
    if len(named) == 1:
        chosen, start, end = named[0]
        lang = question_language(question)
        county = (chosen.county_en if lang == "en" else chosen.county_zh) or question[start:end]
        return make_asker(scoped_store(store, chosen)).ask(
            question[:start] + county + question[end:]
        )
    listed = [found[0] for found in named] or plans  # several named: a comparison of them
    counties = ", ".join(plan_name(plan) for plan in listed[:5]) + (
        ", …" if len(listed) > 5 else ""
    )
    raise UsageError(
        f"the store holds {len(plans)} plans: name one county in the question "
        f"({counties}) or give --plan"
    )


def is_comparison(question: str) -> bool:
    """Whether the question compares counties (rather than asking about one)."""
    return any(cue in question for cue in _COMPARE_ZH) or bool(_COMPARE_EN.search(question))


def named_plans(plans: list[PlanInfo], question: str) -> list[tuple[PlanInfo, int, int]]:
    """The plans whose county the question names, with where (its longest name for each)."""
    found = []
    for plan in plans:
        spans = [span for name in _county_names(plan) for span in _occurrences(question, name)]
        if spans:
            start, end = max(spans, key=lambda span: span[1] - span[0])
            found.append((plan, start, end))
    return found


def compare_counties(store: Store, question: str) -> Answer:
    """The comparison query (``# scope: store``) the question reads like, run on the store;
    its counties are the answer (the first or last alone for 最多 / 最少)."""
    from ecokg.ask.answer import run_match
    from ecokg.ask.engine import MIN_SCORE
    from ecokg.ask.intents import match_intents

    lang = question_language(question)
    queries = [query for query in querylib.list_named_queries() if query.across_plans]
    matches = match_intents(queries, question, lang, [])
    if not matches or matches[0].score < MIN_SCORE:
        known = "; ".join(query.title(lang) for query in queries)
        raise UsageError(f"counties can be compared by: {known}")
    answer = run_match(store, EntityIndex({}, []), question, lang, [], matches[0])
    items: list[Item] = []
    if "county" in answer.columns:
        number = answer.columns.index("county")
        for row in answer.rows:
            cell = row[number]
            if cell is not None and cell.iri is not None:
                items.append(Item(cell.iri, cell.label_zh, cell.label_en))
    kind = "list"
    if items and (_MOST.search(question) or _LEAST.search(question)):
        kind, items = "superlative", [items[-1] if _LEAST.search(question) else items[0]]
    answer.structured = Structured(kind, None, None, items)
    names = ("、" if lang == "zh" else ", ").join(item.label(lang) for item in items)
    title = matches[0].query.title(lang)
    answer.sentence = f"{title}：{names}。" if lang == "zh" else f"{title}: {names}."
    return answer


def _county_names(plan: PlanInfo) -> list[str]:
    names = [name for name in (plan.county_zh, plan.county_en) if name]
    for name in list(names):
        for suffix in (*_ZH_SUFFIXES, *_EN_SUFFIXES):
            if name.endswith(suffix) and len(name) > len(suffix):
                names.append(name[: -len(suffix)])
    return names


def _occurrences(question: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` stands in the question as a whole name (样1 is not in 样12)."""
    if name.isascii():
        pattern = rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
        return [m.span() for m in re.finditer(pattern, question, re.IGNORECASE)]
    return [m.span() for m in re.finditer(rf"{re.escape(name)}(?![0-9])", question)]
