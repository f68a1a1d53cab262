"""From the generated query's rows to the answer: its form, its value and one sentence.

The structured answer is the contract's ``{kind, value, unit, items}``; the sentence
answers exactly what was asked, in the question's language, with units as the plan
writes them (万元, and 亿元 in brackets where the amount is large).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ecokg.ask.analysis import Analysis
from ecokg.ask.schema import Step

WAN_YUAN = "万元"
YI_PER_WAN = Decimal(10000)


@dataclass
class Item:
    """One answer thing with its value (if asked), evidence and sources."""

    iri: str
    label_zh: str | None
    label_en: str | None
    value: str | None = None
    unit_zh: str | None = None
    unit_en: str | None = None
    multiplier: str | None = None
    evidence: str = "stated"
    sources: str = ""  # "; "-joined "zh|en" pairs of section labels

    def label(self, lang: str) -> str:
        first = self.label_en if lang == "en" else self.label_zh
        return first or self.label_zh or self.label_en or self.iri

    def sources_in(self, lang: str) -> str:
        """The section labels in ``lang`` ("zh|en" pairs in ``sources``)."""
        side = 2 if lang == "en" else 0
        pairs = [pair.partition("|") for pair in self.sources.split("; ") if pair]
        return "; ".join(pair[side] or pair[0] for pair in pairs)

    def number(self) -> Decimal | None:
        try:
            return Decimal(self.value) if self.value is not None else None
        except InvalidOperation:
            return None

    def to_json(self) -> dict[str, Any]:
        number = self.number()
        return {
            "iri": self.iri,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "value": float(number) if number is not None else self.value,
            "unit": self.unit_zh,
        }


@dataclass
class Structured:
    """The contract's ``answer``: kind, value, unit, items."""

    kind: str
    value: Any = None
    unit: str | None = None
    items: list[Item] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        value = float(self.value) if isinstance(self.value, Decimal) else self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {
            "kind": self.kind,
            "value": value,
            "unit": self.unit,
            "items": [item.to_json() for item in self.items],
        }


def merge(items: Sequence[Item]) -> list[Item]:
    """One item per (thing, value): "stated" wins over "inferred", sources are joined."""
    merged: dict[tuple[str, str | None], Item] = {}
    for item in items:
        item.sources = "; ".join(sorted(filter(None, item.sources.split("; "))))
        key = (item.iri, item.value)
        current = merged.get(key)
        if current is None:
            merged[key] = item
            continue
        if item.evidence == "stated":
            current.evidence = "stated"
        parts = [p for p in (current.sources + "; " + item.sources).split("; ") if p]
        current.sources = "; ".join(sorted(set(parts)))
    return list(merged.values())


def fmt(number: Decimal) -> str:
    text = f"{number.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount(number: Decimal, unit: str | None, lang: str, *, inner: bool = False) -> str:
    """``126900万元（12.69亿元）``; ``1800万元``; ``47%``; ``inner``: the amount is itself in
    brackets, so the 亿元 figure follows a separator (``126900万元，合12.69亿元``)."""
    shown = fmt(number) + (unit or "") if lang == "zh" or not unit else f"{fmt(number)} {unit}"
    if unit == WAN_YUAN and abs(number) >= YI_PER_WAN:
        yi = fmt(number / YI_PER_WAN)
        if inner:
            shown += f"，合{yi}亿元" if lang == "zh" else f" = {yi} 亿元"
        else:
            shown += f"（{yi}亿元）" if lang == "zh" else f" ({yi} 亿元)"
    return shown


def _common_unit(items: Sequence[Item]) -> tuple[list[Decimal], str | None]:
    """The items' numbers in the unit of the first (scaled by their multipliers)."""
    numbers: list[Decimal] = []
    unit = items[0].unit_zh if items else None
    base = _multiplier(items[0]) if items else Decimal(1)
    for item in items:
        number = item.number()
        if number is None:
            continue
        numbers.append(number * _multiplier(item) / base)
    return numbers, unit


def _multiplier(item: Item) -> Decimal:
    try:
        return Decimal(item.multiplier) if item.multiplier else Decimal(1)
    except InvalidOperation:
        return Decimal(1)


def _exceeds(number: Decimal, multiplier: Decimal, analysis: Analysis) -> bool:
    """Whether ``number`` (in a unit of ``multiplier``) passes the question's threshold."""
    assert analysis.threshold is not None
    more, limit, limit_multiplier, _text = analysis.threshold
    value = number * multiplier
    bound = Decimal(str(limit)) * Decimal(str(limit_multiplier))
    if analysis.inclusive:  # 至少 / at least: the number itself passes
        return value >= bound if more else value <= bound
    return value > bound if more else value < bound


def structure(analysis: Analysis, items: list[Item]) -> Structured:
    """The structured answer of ``items`` (merged rows) for the analysed form."""
    form = analysis.form
    if analysis.threshold is not None:
        if analysis.asks_yes:  # "总投资超过1亿元吗": the figure asked, compared with it
            inner = structure(replace(analysis, threshold=None, asks_yes=False), items)
            if not isinstance(inner.value, Decimal | int):
                return Structured("yesno", None, inner.unit, inner.items)
            scale = _multiplier(inner.items[0]) if inner.kind != "count" and inner.items else 1
            passed = _exceeds(Decimal(inner.value), Decimal(scale), analysis)
            return Structured("yesno", passed, inner.unit, inner.items)
        items = [
            item
            for item in items
            if item.number() is not None
            and _exceeds(item.number() or Decimal(0), _multiplier(item), analysis)
        ]
    if form == "yesno":
        return Structured(
            "yesno", bool(items) != any(c.negated for c in analysis.constraints), None, items
        )
    if form == "count":
        distinct = list({item.iri: item for item in items}.values())
        return Structured("count", len(distinct), "个", distinct)
    if form in {"sum", "average"}:
        per_thing = list({item.iri: item for item in items}.values())
        numbers, unit = _common_unit(per_thing)
        if not numbers:
            return Structured(form, None, unit, per_thing)
        total = sum(numbers, Decimal(0))
        value = total if form == "sum" else total / len(numbers)
        return Structured(form, value, unit, per_thing)
    if form in {"max", "min", "top", "comparison"}:
        ranked = [item for item in items if item.number() is not None]
        numbers, unit = _common_unit(ranked)
        pairs = sorted(
            zip(numbers, ranked, strict=True), key=lambda p: p[0], reverse=analysis.descending
        )
        if not pairs:
            return Structured(form, None, unit, [])
        if form == "top":
            chosen = [item for _, item in pairs[: analysis.top or 3]]
            return Structured("top", None, unit, chosen)
        if form == "comparison":
            ordered = [item for _, item in pairs]
            if analysis.asks_yes:  # "is A more than B?": A wins, strictly
                first = analysis.subjects[0].iri
                wins = ordered[0].iri == first and len({n for n, _ in pairs}) > 1
                return Structured("yesno", wins, unit, ordered)
            return Structured("comparison", pairs[0][0], unit, ordered)
        winners = [item for number, item in pairs if number == pairs[0][0]]
        return Structured(form, pairs[0][0], unit, winners)
    if form == "attribute":
        values = {item.value for item in items}
        unit = items[0].unit_zh if items else None
        single: Any = None
        if len(values) == 1:
            only = items[0]
            single = only.number() if only.number() is not None else only.value
        if isinstance(single, str):  # stated in words (基本消除): no unit
            unit = None
        return Structured("attribute", single, unit, items)
    distinct = list({item.iri: item for item in items}.values())
    return Structured("list", None, None, distinct)


def sentence(
    analysis: Analysis,
    answer: Structured,
    label: Callable[[str], str],
) -> str:
    """One sentence that answers the question; ``label(iri)`` in the question's language."""
    lang = analysis.lang
    zh = lang == "zh"
    what = label(analysis.answer_class) if analysis.answer_class else ""
    attr = label(analysis.attribute) if analysis.attribute else ""
    about = _about(analysis, label)
    names = ("、" if zh else ", ").join(item.label(lang) for item in answer.items[:12])
    more = ("等" if zh else ", …") if len(answer.items) > 12 else ""
    kind = answer.kind
    if kind == "yesno" and analysis.threshold is not None:
        plain = replace(analysis, threshold=None, asks_yes=False)
        inner = structure(plain, answer.items)
        said = sentence(plain, inner, label)
        limit = analysis.threshold[3]
        if zh:  # (yes, no) for more and for less; 不少于 is ≥, 超过 is >
            more_words = ("不少于", "低于") if analysis.inclusive else ("超过", "不超过")
            less_words = ("不超过", "超过") if analysis.inclusive else ("低于", "不低于")
            words = more_words if analysis.threshold[0] else less_words
            than = words[0 if answer.value else 1] + limit
            return ("是，" if answer.value else "否，") + than + "。" + said
        if analysis.inclusive:
            than = ("at least" if analysis.threshold[0] else "at most") + f" {limit}"
        else:
            than = ("more" if analysis.threshold[0] else "less") + f" than {limit}"
        return ("Yes, " if answer.value else "No, not ") + than + ": " + said
    if kind == "yesno" and analysis.form == "comparison":
        compared = sentence(
            analysis, Structured("comparison", None, answer.unit, answer.items), label
        )
        if zh:
            return ("是。" if answer.value else "否。") + compared
        return ("Yes: " if answer.value else "No: ") + compared
    if kind == "yesno":
        first = analysis.subjects[0].label(lang)
        second = (
            analysis.constraints[0].entity.label(lang) if analysis.constraints[0].entity else ""
        )
        link = label(analysis.constraints[0].path[0].prop) if analysis.constraints[0].path else ""
        sources = answer.items[0].sources_in(lang) if answer.items else ""
        if zh:
            return (
                f"是。{first}与{second}相关（{link}；{sources}）。"
                if answer.value
                else f"否。规划中{first}与{second}没有这种联系。"
            )
        return (
            f"Yes: {first} is linked to {second} ({link}; {sources})."
            if answer.value
            else f"No: the plan does not link {first} to {second} that way."
        )
    if kind == "count":
        return (
            f"{about}{what}共{answer.value}个。"
            if zh
            else f"There are {answer.value} {_plural(what) if answer.value != 1 else what}{about}."
        )
    if kind in {"sum", "average"}:
        if answer.value is None:
            return (
                f"{about}{what}没有{attr}数据。"
                if zh
                else f"No {attr} is stated for the {_plural(what)}{about}."
            )
        number = answer.value
        if kind == "average":  # 1866.67, not 1866.666…; the structured value stays exact
            number = Decimal(number).quantize(Decimal("0.01"))
        shown = amount(number, answer.unit, lang)
        count = len(answer.items)
        if zh:
            verb = "合计" if kind == "sum" else "平均"
            return f"{about}{count}个{what}{attr}{verb}{shown}。"
        verb = "total" if kind == "sum" else "average"
        return f"The {attr} of the {count} {_plural(what)}{about}: {verb} {shown}."
    if kind in {"max", "min"}:
        if not answer.items:
            return f"{about}没有可比较的{what}。" if zh else f"Nothing to rank{about}."
        shown = _measure(answer, answer.value, lang, analysis)
        if zh:
            word = "最高" if kind == "max" else "最低"
            return f"{about}{_by(analysis, label, zh)}{word}的{what}是{names}（{shown}）。"
        word = "largest" if kind == "max" else "smallest"
        return f"{names}: the {word} {_by(analysis, label, zh)}{about} ({shown})."
    if kind == "top":
        listed = ("、" if zh else "; ").join(
            f"{item.label(lang)}（{_measure(answer, item.number(), lang, analysis)}）"
            if zh
            else f"{item.label(lang)} ({_measure(answer, item.number(), lang, analysis)})"
            for item in answer.items
        )
        if zh:
            word = "最高" if analysis.descending else "最低"
            return (
                f"{about}{_by(analysis, label, zh)}{word}的{len(answer.items)}个{what}：{listed}。"
            )
        word = "largest" if analysis.descending else "smallest"
        count, by = len(answer.items), _by(analysis, label, zh)
        return f"The {count} {_plural(what)} with the {word} {by}{about}: {listed}."
    if kind == "comparison":
        winner: Item = answer.items[0]
        other: Item = answer.items[1] if len(answer.items) > 1 else winner
        a = amount(winner.number() or Decimal(0), winner.unit_zh, lang, inner=True)
        b = amount(other.number() or Decimal(0), other.unit_zh, lang, inner=True)
        if zh:
            word = "高于" if analysis.descending else "低于"
            if winner.number() == other.number():
                word = "等于"
            return f"{winner.label(lang)}的{attr}（{a}）{word}{other.label(lang)}（{b}）。"
        word = "more" if analysis.descending else "less"
        if winner.number() == other.number():
            return f"{winner.label(lang)} and {other.label(lang)} have the same {attr} ({a})."
        return f"{winner.label(lang)} has {word} {attr} ({a}) than {other.label(lang)} ({b})."
    if kind == "attribute":
        subject = analysis.subjects[0].label(lang) if analysis.subjects else what
        if answer.value is not None:
            shown = (
                amount(answer.value, answer.unit, lang)
                if not isinstance(answer.value, str)
                else answer.value
            )
            years = _year_note(analysis, lang)
            in_words = ""
            if isinstance(answer.value, str) and analysis.attribute_kind == "figure":
                in_words = "（以文字表述，没有数值）" if zh else " (stated in words, no number)"
            return (
                f"{subject}{years}的{attr}为{shown}{in_words}。"
                if zh
                else f"The {attr} of {subject}{years} is {shown}{in_words}."
            )
        values = ("、" if zh else "; ").join(item.value or "" for item in answer.items)
        return f"{subject}的{attr}：{values}。" if zh else f"The {attr} of {subject}: {values}."
    if not answer.items:
        return f"{about}没有{what}。" if zh else f"No {_plural(what)}{about}."
    if zh:
        return f"{about}{what}共{len(answer.items)}个：{names}{more}。"
    noun = what if len(answer.items) == 1 else _plural(what)
    return f"{len(answer.items)} {noun}{about}: {names}{more}."


def _year_note(analysis: Analysis, lang: str) -> str:
    if not analysis.years:
        return ""
    years = "–".join(str(y) for y in analysis.years)
    return f"{years}年" if lang == "zh" else f" in {years}"


def _measure(answer: Structured, number: Decimal | None, lang: str, analysis: Analysis) -> str:
    if number is None:
        return ""
    if analysis.count_class and not analysis.summed:
        return f"{fmt(number)}个" if lang == "zh" else f"{fmt(number)}"
    return amount(number, answer.unit, lang, inner=True)


def _by(analysis: Analysis, label: Callable[[str], str], zh: bool) -> str:
    if analysis.count_class and analysis.summed:
        counted, summed = label(analysis.count_class), label(analysis.summed)
        return f"{counted}{summed}合计" if zh else f"total {summed} of {_plural(counted)}"
    if analysis.count_class:
        return (
            f"{label(analysis.count_class)}数量"
            if zh
            else f"number of {_plural(label(analysis.count_class))}"
        )
    return label(analysis.attribute) if analysis.attribute else ""


def _plural(noun: str) -> str:
    """English plural of a class label (agency → agencies, township-level unit → …units)."""
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


_VERB_MARK = "\u0000"


def _verb(analysis: Analysis, path: tuple[Step, ...]) -> str:
    """The question's own word for a one-link constraint (水利局 *牵头*), marked, in zh."""
    if analysis.lang != "zh" or len(path) != 1:
        return ""
    for hit in analysis.words:
        if hit.role == "property" and path[0].prop in hit.terms and len(hit.text) >= 2:
            return hit.text.removesuffix("的") + _VERB_MARK
    return ""


def _about(analysis: Analysis, label: Callable[[str], str]) -> str:
    """The constraints as a phrase: ``林业局、泗溪镇相关的`` / `` related to X, not Y``."""
    zh = analysis.lang == "zh"
    positive = [
        c.entity.label(analysis.lang) + _verb(analysis, c.path)
        for c in analysis.constraints
        if c.entity and not c.negated
    ]
    negative = [
        c.entity.label(analysis.lang) if c.entity else label(c.attribute or c.goal_class or "")
        for c in analysis.constraints
        if c.negated
    ]
    years = _year_note(analysis, analysis.lang) if analysis.years and not analysis.attribute else ""
    if zh:
        text = ""
        if positive:
            text += "、".join(p if p.endswith(_VERB_MARK) else p + "相关" for p in positive)
            text = text.replace(_VERB_MARK, "") + "的"
        if negative:
            text += "没有" + "、".join(negative) + "的"
        return (years + "实施的" if years else "") + text
    parts = []
    if positive:
        parts.append("related to " + ", ".join(p.replace(_VERB_MARK, "") for p in positive))
    if negative:
        parts.append("without " + ", ".join(negative))
    if years:
        parts.append("scheduled" + years)
    return (" " + " and ".join(parts)) if parts else ""
