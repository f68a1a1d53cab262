"""The scorer of the ask question set (tests/ask_scoring.py) and the question files themselves."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest
from ask_scoring import (
    KINDS,
    LANGS,
    REFUSED,
    RIGHT,
    SPLITS,
    WRONG,
    Question,
    Score,
    convert,
    load_all,
    load_split,
    normalise_text,
    run_question,
    score_answer,
    score_exception,
    table,
)

from ecokg.errors import InputError, UsageError
from ecokg.stores.local import Dataset

ID = "https://w3id.org/ecokg/id/360923/"  # the bundled plan's IRI space
WATER_TOTAL = {"value": 126900, "unit": "万元"}
WATER_PROJECTS = [ID + "project/wetland-restoration", ID + "project/urban-green-system"]


def answer(
    kind: str = "sum",
    value: Any = None,
    unit: str | None = None,
    items: list[str] | None = None,
) -> dict[str, Any]:
    """An ``Answer.to_json()`` as the contract describes it (only the keys the scorer reads)."""
    return {
        "question": "…",
        "sentence": "…",
        "answer": {
            "kind": kind,
            "value": value,
            "unit": unit,
            "items": [{"iri": iri, "label": {}, "value": None} for iri in items or []],
        },
    }


# --- scoring rules --------------------------------------------------------------------


def test_a_list_where_a_total_was_asked_is_wrong() -> None:
    verdict, reason = score_answer(WATER_TOTAL, answer("list", items=WATER_PROJECTS))
    assert verdict == WRONG
    assert "not a number" in reason


def test_yi_yuan_matches_wan_yuan_both_ways() -> None:
    assert score_answer(WATER_TOTAL, answer(value=12.69, unit="亿元"))[0] == RIGHT
    assert score_answer({"value": 12.69, "unit": "亿元"}, answer(value=126900, unit="万元")) == (
        RIGHT,
        "",
    )
    assert score_answer(WATER_TOTAL, answer(value=1269000000, unit="元"))[0] == RIGHT


def test_the_right_number_in_the_wrong_unit_is_wrong() -> None:
    assert score_answer(WATER_TOTAL, answer(value=126900, unit="亿元"))[0] == WRONG
    verdict, reason = score_answer(WATER_TOTAL, answer(value=126900, unit="亩"))
    assert verdict == WRONG
    assert "does not convert" in reason
    verdict, reason = score_answer(WATER_TOTAL, answer(value=126900))
    assert (verdict, "no unit" in reason) == (WRONG, True)


def test_numbers_match_within_half_a_percent() -> None:
    assert score_answer(WATER_TOTAL, answer(value=126900 * 1.004, unit="万元"))[0] == RIGHT
    assert score_answer(WATER_TOTAL, answer(value=126900 * 0.996, unit="万元"))[0] == RIGHT
    assert score_answer(WATER_TOTAL, answer(value=126900 * 1.01, unit="万元"))[0] == WRONG
    assert score_answer(WATER_TOTAL, answer(value=50200, unit="万元"))[0] == WRONG


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (505.07, "平方公里", "公顷", 50507),
        (505.07, "km2", "平方公里", 505.07),
        (1, "万亩", "亩", 10000),
        (15, "亩", "公顷", 1),
        (6, "万亩", "公顷", 4000),
        (56.438, "hm2", "公顷", 56.438),
        (9.5, "km", "公里", 9.5),
        (9500, "米", "公里", 9.5),
        (385.1, "万立方米", "立方米", 3851000),
        (5, "个", None, 5),
        (34, "座", "个", 34),
    ],
)
def test_unit_conversion(
    value: float, from_unit: str, to_unit: str | None, expected: float
) -> None:
    assert convert(value, from_unit, to_unit) == pytest.approx(expected)


def test_units_of_other_dimensions_do_not_convert() -> None:
    for from_unit, to_unit in [("万元", "万亩"), ("公里", "公顷"), ("%", "万元"), ("个", "万元")]:
        with pytest.raises(ValueError, match="does not convert"):
            convert(1, from_unit, to_unit)
    with pytest.raises(ValueError, match="unknown unit"):
        convert(1, "furlong", "公里")


def test_percentages_as_is_and_counts_unitless() -> None:
    assert score_answer({"value": 96, "unit": "%"}, answer("attribute", 96, "%"))[0] == RIGHT
    assert score_answer({"value": 96, "unit": "%"}, answer("attribute", 96))[0] == RIGHT
    assert score_answer({"value": 96, "unit": "%"}, answer("attribute", 0.96, "%"))[0] == WRONG
    assert score_answer({"value": 5}, answer("count", 5, "个"))[0] == RIGHT
    assert score_answer({"value": 5}, answer("count", 5))[0] == RIGHT
    assert score_answer({"value": 34, "unit": "座"}, answer("attribute", 34, "座"))[0] == RIGHT
    assert score_answer({"value": 5}, answer("count", 4, "个"))[0] == WRONG
    assert score_answer({"value": 5}, answer("sum", 5, "万元"))[0] == WRONG


def test_a_refusal_of_an_answerable_question_is_refused() -> None:
    verdict, reason = score_exception(WATER_TOTAL, UsageError("cannot match the question"))
    assert verdict == REFUSED
    assert "cannot match" in reason


def test_a_refusal_where_the_graph_lacks_the_fact_is_right() -> None:
    assert score_exception({"refuse": True}, UsageError("no such fact"))[0] == RIGHT


def test_an_answer_where_the_graph_lacks_the_fact_is_wrong() -> None:
    assert score_answer({"refuse": True}, answer("list", items=[]))[0] == WRONG
    assert score_answer({"refuse": True}, answer(value=0, unit="万元"))[0] == WRONG


def test_other_exceptions_are_wrong_even_where_a_refusal_is_expected() -> None:
    for expect in (WATER_TOTAL, {"refuse": True}):
        assert score_exception(expect, RuntimeError("boom"))[0] == WRONG
        assert score_exception(expect, InputError("bad input"))[0] == WRONG


def test_order_matters_only_when_ordered() -> None:
    first, second = WATER_PROJECTS
    unordered = {"items": [first, second], "ordered": False}
    ordered = {"items": [first, second], "ordered": True}
    assert score_answer(unordered, answer("list", items=[second, first]))[0] == RIGHT
    assert score_answer(ordered, answer("top", items=[first, second]))[0] == RIGHT
    verdict, reason = score_answer(ordered, answer("top", items=[second, first]))
    assert verdict == WRONG
    assert "in order" in reason


def test_missing_or_extra_items_are_wrong_and_named() -> None:
    first, second = WATER_PROJECTS
    expect = {"items": [first], "ordered": False}
    verdict, reason = score_answer(expect, answer("list", items=[first, second]))
    assert (verdict, "extra project/urban-green-system" in reason) == (WRONG, True)
    verdict, reason = score_answer({"items": [first, second]}, answer("list", items=[first]))
    assert (verdict, "missing project/urban-green-system" in reason) == (WRONG, True)


def test_items_and_value_must_both_match() -> None:
    expect = {"items": WATER_PROJECTS, "value": 2}
    assert score_answer(expect, answer("count", 2, items=WATER_PROJECTS))[0] == RIGHT
    assert score_answer(expect, answer("count", 3, items=WATER_PROJECTS))[0] == WRONG
    assert score_answer(expect, answer("count", 2, items=WATER_PROJECTS[:1]))[0] == WRONG


def test_yes_no_values() -> None:
    assert score_answer({"value": False}, answer("yesno", False))[0] == RIGHT
    assert score_answer({"value": False}, answer("yesno", True))[0] == WRONG
    assert score_answer({"value": False}, answer("yesno", 0))[0] == WRONG
    assert score_answer({"value": True}, answer("yesno", None))[0] == WRONG


def test_text_values_ignore_whitespace_dashes_and_case() -> None:
    expect = {"value": "2021-2025"}
    for text in ("2021-2025", "2021–2025", "2021—2025", "2021 ~ 2025", "2021至2025"):
        assert score_answer(expect, answer("attribute", text))[0] == RIGHT, text
    assert score_answer(expect, answer("attribute", "2021-2035"))[0] == WRONG
    assert score_answer(expect, answer("attribute", 2025))[0] == WRONG
    assert normalise_text(" Forest  Cover ") == normalise_text("forest cover")


def test_an_answer_without_the_structured_answer_is_wrong() -> None:
    verdict, reason = score_answer(WATER_TOTAL, {"question": "…", "rows": [[{"value": 1}]]})
    assert verdict == WRONG
    assert "no structured answer" in reason


class _Answer:
    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload

    def to_json(self) -> dict[str, Any]:
        return self.payload


def _question(expect: dict[str, Any], split: str = "tune", kind: str = "total") -> Question:
    return Question("t-1", kind, "zh", None, "水利局牵头的项目一共投资多少？", expect, "", split)


def test_run_question_scores_answers_refusals_and_crashes() -> None:
    def answers(_: str) -> _Answer:
        return _Answer(answer(value=126900, unit="万元"))

    def refuses(_: str) -> _Answer:
        raise UsageError("cannot match the question to a query")

    def crashes(_: str) -> _Answer:
        raise KeyError("x")

    assert run_question(answers, _question(WATER_TOTAL)).verdict == RIGHT
    assert run_question(refuses, _question(WATER_TOTAL)).verdict == REFUSED
    assert run_question(crashes, _question(WATER_TOTAL)).verdict == WRONG
    assert run_question(refuses, _question({"refuse": True})).verdict == RIGHT


def test_the_table_counts_per_kind_and_split() -> None:
    scores = [
        Score(_question(WATER_TOTAL, "tune", "total"), RIGHT, ""),
        Score(_question(WATER_TOTAL, "tune", "total"), WRONG, "x"),
        Score(_question(WATER_TOTAL, "heldout", "total"), REFUSED, "y"),
        Score(_question(WATER_TOTAL, "heldout", "lookup"), RIGHT, ""),
    ]
    lines = table(scores).splitlines()
    assert len(lines) == 2 + len(KINDS) + 1
    assert "| total | 1/2 | 0 | 1 | 0/1 | 1 | 0 |" in lines
    assert "| lookup | 0/0 | 0 | 0 | 1/1 | 0 | 0 |" in lines
    assert lines[-1].startswith("| **all** | 1/2 (50 %) | 0/2 (0 %) | 1/2 (50 %) | 1/2 (50 %)")


# --- the question files -----------------------------------------------------------------

QUESTIONS = load_all()
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_ids_are_unique_across_both_files() -> None:
    counts = collections.Counter(q.id for q in QUESTIONS)
    assert [qid for qid, n in counts.items() if n > 1] == []


def test_the_heldout_split_has_6_per_kind_3_zh_and_3_en() -> None:
    heldout = load_split("heldout")
    assert len(heldout) == 60
    counts = collections.Counter((q.kind, q.lang) for q in heldout)
    assert counts == {(kind, lang): 3 for kind in KINDS for lang in LANGS}


def test_sizes_kinds_and_languages_are_balanced() -> None:
    assert len(load_split("tune")) >= 150
    assert len(QUESTIONS) >= 210
    assert {q.kind for q in QUESTIONS} == set(KINDS)
    assert {q.lang for q in QUESTIONS} == set(LANGS)
    per_kind = collections.Counter(q.kind for q in QUESTIONS)
    assert min(per_kind.values()) >= 15, per_kind
    per_lang = collections.Counter(q.lang for q in QUESTIONS)
    assert per_lang["zh"] == per_lang["en"]
    for kind in KINDS:
        langs = collections.Counter(q.lang for q in QUESTIONS if q.kind == kind)
        assert langs["zh"] == langs["en"], kind


def test_questions_are_in_their_language() -> None:
    for q in QUESTIONS:
        if q.lang == "zh":
            assert CJK.search(q.question), q.id
        else:  # an English question may quote a unit such as 亿元, no more
            assert len(CJK.findall(q.question)) <= 2, q.id


def test_expectations_are_well_formed() -> None:
    for q in QUESTIONS:
        keys = set(q.expect)
        assert q.source.strip(), q.id
        if q.expect.get("refuse"):
            assert keys == {"refuse"}, q.id
            continue
        assert keys & {"items", "value"} and keys <= {"items", "ordered", "value", "unit"}, q.id
        if "items" in keys:
            assert q.expect["items"] and all(i.startswith("https://") for i in q.expect["items"])
            assert len(set(q.expect["items"])) == len(q.expect["items"]), q.id
            assert isinstance(q.expect.get("ordered", False), bool), q.id
        if "unit" in keys:
            assert isinstance(q.expect["value"], int | float), q.id
            assert convert(1, q.expect["unit"], q.expect["unit"]) == 1, q.id


def test_a_few_questions_of_each_kind_expect_a_refusal() -> None:
    refusals = [q for q in QUESTIONS if q.expect.get("refuse")]
    assert 0.03 <= len(refusals) / len(QUESTIONS) <= 0.08
    per_kind = collections.Counter(q.kind for q in refusals)
    assert max(per_kind.values()) <= 2


def test_paraphrase_groups_have_five_wordings_of_one_answer_in_the_tuning_split() -> None:
    groups: dict[str, list[Question]] = collections.defaultdict(list)
    for q in QUESTIONS:
        if q.group:
            groups[q.group].append(q)
    assert len(groups) >= 3
    for name, members in groups.items():
        assert len(members) >= 5, name
        assert {m.split for m in members} == {"tune"}, name
        assert len({_answer_key(m.expect, members[0].expect) for m in members}) == 1, name
        assert len({normalise_text(m.question) for m in members}) == len(members), name


def _answer_key(expect: Any, reference: Any) -> tuple[object, ...]:
    """The expected answer, with a quantity in the reference's unit (12.69 亿元 = 126900 万元)."""
    value = expect.get("value")
    if "unit" in expect:
        value = round(convert(value, expect["unit"], reference.get("unit")), 6)
    return (tuple(expect.get("items", ())), expect.get("ordered", False), value)


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def test_no_heldout_question_repeats_a_tune_question() -> None:
    tune = {_bare(q.question) for q in load_split("tune")}
    assert [q.id for q in load_split("heldout") if _bare(q.question) in tune] == []


def test_every_expected_iri_is_in_the_bundled_graph(dataset: Dataset) -> None:
    iris = sorted({iri for q in QUESTIONS for iri in q.expect.get("items", [])})
    missing = [iri for iri in iris if not bool(dataset.query(f"ASK {{ <{iri}> ?p ?o }}"))]
    assert missing == []


def test_both_splits_are_the_ones_the_scorer_knows() -> None:
    assert {q.split for q in QUESTIONS} == set(SPLITS)
