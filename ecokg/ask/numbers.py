"""Numbers in a question: years, ranks (前三, top 3) and thresholds (超过1亿元).

A number that is none of these, nor part of a name, changes the question and is refused
(:func:`refuse_unexplained_numbers`) rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ecokg.ask.analysed import Analysis
from ecokg.ask.context import CannotRelate
from ecokg.ask.lexicon import ASK_NS, Hit
from ecokg.ask.linking import Mention
from ecokg.ask.schema import Schema

F = ASK_NS  # answer-form concepts: F + "more" …
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_TOP_ZH = re.compile(r"前\s*([0-9一二两三四五六七八九十]+)")
_TOP_NUMBER_ZH = re.compile(r"([0-9一二两三四五六七八九十]+)\s*[个项家条座]")
_TOP_EN = re.compile(
    r"\b(?:top|first|largest|biggest|smallest|highest|lowest)\s+(\d+|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.I,
)
_TOP_BEFORE_EN = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:largest|biggest|smallest|highest|lowest|most|least|[a-z]+est)\b",
    re.I,
)
# "which three rivers … the longest": the number right after the question word
_TOP_WHICH_EN = re.compile(
    r"\b(?:which|what)\s+(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+[a-z]", re.I
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
NUMBER = re.compile(r"(?<![0-9A-Za-z_.])(\d+(?:\.\d+)?)(?![\d.])")


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _NUMERALS:
        return _NUMERALS[text]
    if text.startswith("十") and text[1:] in _NUMERALS:
        return 10 + _NUMERALS[text[1:]]
    return None


def top_rank(question: str) -> int | None:
    for pattern in (_TOP_ZH, _TOP_EN, _TOP_BEFORE_EN, _TOP_WHICH_EN, _TOP_NUMBER_ZH):
        found = pattern.search(question)
        if found:
            number = _number(found.group(1).casefold())
            if number:
                return number
    return None


def read_threshold(
    question: str, lang: str, forms: dict[str, Hit], schema: Schema
) -> tuple[bool, float, float, str] | None:
    """超过1亿元, at least 100 ha, 5000万元以上: a more/less word next to a number and unit."""
    words = [(forms[F + name], name == "more") for name in ("more", "less") if F + name in forms]
    for found in NUMBER.finditer(question):
        if YEAR.fullmatch(found.group(1)):
            continue
        unit, unit_end = unit_after(question, found.end(), schema)
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


def unit_after(question: str, position: int, schema: Schema) -> tuple[float | None, int]:
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


def check_same_kind(analysis: Analysis, attribute: str | None, schema: Schema) -> None:
    """超过10公顷 asked of an investment: a number in a unit of another kind of measure
    compares with nothing the question asks; refused rather than converted."""
    if analysis.threshold_unit is None or attribute is None:
        return
    unit_kinds = set(schema.unit_metrics.get(analysis.threshold_unit, ()))
    asked_kinds = set(schema.attribute_metrics.get(attribute, ()))
    if unit_kinds and asked_kinds and not unit_kinds & asked_kinds:
        unit = analysis.threshold[3] if analysis.threshold else analysis.threshold_unit
        asked = schema.name(attribute, analysis.lang)
        raise CannotRelate(
            f"“{unit}”的单位与所问的{asked}不是同一类量"
            if analysis.lang == "zh"
            else f"{unit!r} is not in a unit of the kind {asked} is measured in",
            final=True,
        )


def refuse_unexplained_numbers(
    question: str,
    lang: str,
    mentions: Sequence[Mention],
    threshold: tuple[bool, float, float, str] | None,
) -> None:
    """A number that is no year, rank (top 3) or part of a name changes the question:
    answering without it would answer another question."""
    covered = {i for m in mentions for i in range(m.start, m.end)}
    top = top_rank(question)
    for found in NUMBER.finditer(question):
        number = found.group(1)
        if found.start() in covered or YEAR.fullmatch(number):
            continue
        if threshold is not None and question[found.start() :].startswith(threshold[3][:1]):
            continue
        if top is not None and number == str(top):
            continue
        raise CannotRelate(
            f"不理解问题中的数“{number}”" if lang == "zh" else f"cannot tell what {number!r} means",
            final=True,
        )
