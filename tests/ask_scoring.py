"""Scoring of ``ecokg ask`` answers against the question set of issue 9 (tests/data/ask/).

A plain helper module shared by tests/test_ask_scoring.py, tests/test_ask_questions.py and
bench/ask_accuracy.py. The rules are those of the contract between the question set and
the engine (tests/data/ask/README.md):

- the engine raised ``UsageError`` (or a subclass): **refused** — right if the question
  expects a refusal;
- any other exception: **wrong**;
- a refusal was expected but an answer came: **wrong**;
- otherwise **right** iff every key of ``expect`` matches the answer's ``answer`` object:
  ``items`` as a set of IRIs (a list when ``ordered``), a numeric ``value`` converted to
  the expected unit within 0.5 %, a boolean exactly, a string after normalising
  whitespace, dashes and case.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecokg.errors import UsageError

QUESTIONS_DIR = Path(__file__).parent / "data" / "ask"
SPLITS = ("tune", "heldout")
KINDS = (
    "lookup",
    "filter",
    "total",
    "superlative",
    "membership",
    "indicator",
    "yesno",
    "negation",
    "multihop",
    "colloquial",
)
LANGS = ("zh", "en")
RIGHT, REFUSED, WRONG = "right", "refused", "wrong"
VERDICTS = (RIGHT, REFUSED, WRONG)
RELATIVE_TOLERANCE = 0.005

# unit as written (zh, as the plan writes it, or a common symbol) → (dimension, factor to
# the dimension's base unit). Counts carry no dimension: 5 个 equals 5.
_MU = 10000 / 15  # 1 亩 in m²
_UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "万元": ("money", 1e4),
    "亿元": ("money", 1e8),
    "平方米": ("area", 1.0),
    "m2": ("area", 1.0),
    "m²": ("area", 1.0),
    "㎡": ("area", 1.0),
    "亩": ("area", _MU),
    "万亩": ("area", 1e4 * _MU),
    "公顷": ("area", 1e4),
    "hm2": ("area", 1e4),
    "hm²": ("area", 1e4),
    "ha": ("area", 1e4),
    "平方公里": ("area", 1e6),
    "平方千米": ("area", 1e6),
    "km2": ("area", 1e6),
    "km²": ("area", 1e6),
    "米": ("length", 1.0),
    "m": ("length", 1.0),
    "公里": ("length", 1e3),
    "千米": ("length", 1e3),
    "km": ("length", 1e3),
    "立方米": ("volume", 1.0),
    "m3": ("volume", 1.0),
    "m³": ("volume", 1.0),
    "万立方米": ("volume", 1e4),
    "亿立方米": ("volume", 1e8),
    "%": ("percent", 1.0),
    "％": ("percent", 1.0),
}
_COUNT_UNITS = frozenset({"", "个", "座", "项", "处", "家", "种", "条", "次"})
_DASHES = re.compile(r"[‐‑‒–—―−－~～〜至]")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    lang: str
    group: str | None
    question: str
    expect: Mapping[str, Any]
    source: str
    split: str


@dataclass(frozen=True)
class Score:
    question: Question
    verdict: str
    reason: str
    seconds: float = 0.0


def load_file(path: Path, split: str) -> list[Question]:
    """The questions of one file, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Question(
            id=item["id"],
            kind=item["kind"],
            lang=item["lang"],
            group=item.get("group"),
            question=item["question"],
            expect=item["expect"],
            source=item.get("source", ""),
            split=split,
        )
        for item in data["questions"]
    ]


def load_split(split: str) -> list[Question]:
    return load_file(QUESTIONS_DIR / f"{split}.json", split)


def load_all() -> list[Question]:
    return [question for split in SPLITS for question in load_split(split)]


# --- units and values -----------------------------------------------------------------


def unit_dimension(unit: str | None) -> tuple[str, float] | None:
    """(dimension, factor) of a unit; ("count", 1) for counts and no unit; None if unknown."""
    text = (unit or "").strip()
    if text in _COUNT_UNITS:
        return ("count", 1.0)
    return _UNITS.get(text) or _UNITS.get(text.lower())


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; ValueError if they do not convert."""
    source, target = unit_dimension(from_unit), unit_dimension(to_unit)
    if source is None or target is None:
        unknown = from_unit if source is None else to_unit
        raise ValueError(f"unknown unit {unknown!r}")
    if source[0] != target[0]:
        raise ValueError(f"{from_unit or 'no unit'} does not convert to {to_unit or 'a count'}")
    return value * source[1] / target[1]


def normalise_text(text: str) -> str:
    """Whitespace removed, dashes (–—-~至 …) as '-', case folded."""
    return _DASHES.sub("-", re.sub(r"\s+", "", text)).casefold()


def _match_number(expected: float, unit: str | None, answer: Mapping[str, Any]) -> str | None:
    got = answer.get("value")
    if not isinstance(got, int | float) or isinstance(got, bool):
        return f"value {got!r} is not a number (expected {expected:g} {unit or ''})".rstrip()
    got_unit = answer.get("unit")
    if got_unit:
        try:
            converted = convert(float(got), got_unit, unit)
        except ValueError as error:
            return str(error)
    elif unit_dimension(unit) in (("count", 1.0), ("percent", 1.0)):
        converted = float(got)  # counts are unitless; a bare number may stand for a percentage
    else:
        return f"value {got:g} has no unit (expected {expected:g} {unit})"
    if math.isclose(converted, expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9):
        return None
    shown = f"{got:g} {got_unit or ''}".rstrip()
    return f"value {shown} = {converted:g} {unit or ''}, expected {expected:g}".rstrip()


def _match_value(expect: Mapping[str, Any], answer: Mapping[str, Any]) -> str | None:
    """None if the answer's value matches ``expect['value']``, else the reason."""
    expected = expect["value"]
    got = answer.get("value")
    if isinstance(expected, bool):
        if not isinstance(got, bool):
            return f"value {got!r} is not yes/no (expected {expected})"
        return None if got is expected else f"answered {got}, expected {expected}"
    if isinstance(expected, str):
        if not isinstance(got, str):
            return f"value {got!r} is not text (expected {expected!r})"
        if normalise_text(got) == normalise_text(expected):
            return None
        return f"value {got!r}, expected {expected!r}"
    return _match_number(float(expected), expect.get("unit"), answer)


def _short(iri: str) -> str:
    return iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1] if "/" in iri else iri


def _match_items(expect: Mapping[str, Any], answer: Mapping[str, Any]) -> str | None:
    items = answer.get("items") or []
    got = [item.get("iri") for item in items if isinstance(item, Mapping)]
    expected = list(expect["items"])
    if expect.get("ordered"):
        if got == expected:
            return None
        shown = ", ".join(_short(str(iri)) for iri in got)
        return f"items in order [{shown}], expected [{', '.join(map(_short, expected))}]"
    missing = [iri for iri in expected if iri not in got]
    extra = [str(iri) for iri in got if iri not in expected]
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append("missing " + ", ".join(map(_short, missing)))
    if extra:
        parts.append("extra " + ", ".join(map(_short, extra)))
    return "items: " + "; ".join(parts)


def score_answer(expect: Mapping[str, Any], answer_json: Mapping[str, Any]) -> tuple[str, str]:
    """(verdict, reason) for an answer (``Answer.to_json()``) to a question expecting ``expect``."""
    if expect.get("refuse"):
        said = str(answer_json.get("sentence") or "")[:80]
        return WRONG, "answered where the graph lacks the fact" + (f": {said}" if said else "")
    answer = answer_json.get("answer")
    if not isinstance(answer, Mapping):
        return WRONG, "no structured answer (the JSON has no 'answer' object)"
    reasons = []
    if "items" in expect:
        reasons.append(_match_items(expect, answer))
    if "value" in expect:
        reasons.append(_match_value(expect, answer))
    failed = [reason for reason in reasons if reason]
    if failed:
        return WRONG, f"{answer.get('kind')}: " + "; ".join(failed)
    return RIGHT, ""


def score_exception(expect: Mapping[str, Any], error: BaseException) -> tuple[str, str]:
    """(verdict, reason) when asking raised ``error`` instead of answering."""
    message = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    if isinstance(error, UsageError):
        if expect.get("refuse"):
            return RIGHT, ""
        return REFUSED, f"refused: {message}"
    return WRONG, f"{type(error).__name__}: {message}"


def run_question(ask: Callable[[str], Any], question: Question) -> Score:
    """Ask one question (``ask`` returns an Answer with ``to_json()``) and score it."""
    start = time.perf_counter()
    try:
        answer_json = ask(question.question).to_json()
    except Exception as error:  # every exception is scored, none escapes
        verdict, reason = score_exception(question.expect, error)
    else:
        verdict, reason = score_answer(question.expect, answer_json)
    return Score(question, verdict, reason, time.perf_counter() - start)


def run_all(ask: Callable[[str], Any], questions: Iterable[Question]) -> list[Score]:
    return [run_question(ask, question) for question in questions]


# --- reporting ------------------------------------------------------------------------


def tally(scores: Iterable[Score]) -> dict[str, int]:
    counts = dict.fromkeys(VERDICTS, 0)
    for score in scores:
        counts[score.verdict] += 1
    return counts


def share(scores: Sequence[Score], verdict: str) -> float:
    return tally(scores)[verdict] / len(scores) if scores else 0.0


def table(scores: Sequence[Score], splits: Sequence[str] = SPLITS) -> str:
    """Markdown table: one row per kind (and 'all'), right/refused/wrong per split."""
    header = ["kind"]
    for split in splits:
        header += [f"{split} right", f"{split} refused", f"{split} wrong"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for kind in (*KINDS, "all"):
        row = [f"**{kind}**" if kind == "all" else kind]
        for split in splits:
            chosen = [
                s for s in scores if s.question.split == split and kind in ("all", s.question.kind)
            ]
            counts = tally(chosen)
            total = len(chosen)
            if kind == "all" and total:
                row += [f"{counts[v]}/{total} ({100 * counts[v] / total:.0f} %)" for v in VERDICTS]
            else:
                row += [f"{counts[RIGHT]}/{total}", str(counts[REFUSED]), str(counts[WRONG])]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def failures(scores: Iterable[Score]) -> str:
    """One line per question that was not right: id, verdict, question, reason."""
    return "\n".join(
        f"{s.question.id} [{s.verdict}] {s.question.question} — {s.reason}"
        for s in scores
        if s.verdict != RIGHT
    )
