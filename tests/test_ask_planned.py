"""Planned outputs (eco:plannedOutput) asked in zh and en: one quantity, a sum, the
largest/smallest, and refusals where one was asked and several fit."""

from __future__ import annotations

import pytest

from ecokg.ask.engine import Asker
from ecokg.errors import UsageError

RIVER = "https://w3id.org/ecokg/id/360923/river/"


@pytest.fixture(scope="module")
def asker(dataset) -> Asker:  # type: ignore[no-untyped-def]
    return Asker.create(dataset)


@pytest.mark.parametrize(
    ("question", "kind", "value", "unit"),
    [
        ("重点河湖水环境综合治理各河道的治理长度一共多少公里？", "sum", 288.01, "千米"),
        ("森林抚育计划完成中幼林抚育多少万亩？", "attribute", 6, "万亩"),
        ("城市绿系生态保护与建设的滨江公园有多长", "attribute", 10, "千米"),
        ("Which river has the shortest treatment length?", "min", 3.43, "千米"),
    ],
)
def test_a_planned_quantity_is_answered_in_the_plans_unit(
    asker: Asker, question: str, kind: str, value: float, unit: str
) -> None:
    answer = asker.ask(question).to_json()["answer"]
    assert (answer["kind"], answer["unit"]) == (kind, unit)
    assert answer["value"] == pytest.approx(value)


def test_the_longest_treatment_length_names_the_river(asker: Asker) -> None:
    answer = asker.ask("哪条河治理长度最长？").to_json()
    assert [item["iri"] for item in answer["answer"]["items"]] == [RIVER + "xiekougang"]
    assert "84" in answer["sentence"]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("城镇污水管网建设的长度是多少？", "合流管清淤堵漏"),  # three lengths: say which
        ("高标准农田建设的面积是多少？", "建设高标准农田"),
    ],
)
def test_one_quantity_asked_where_several_fit_is_refused_naming_them(
    asker: Asker, question: str, named: str
) -> None:
    with pytest.raises(UsageError) as refused:
        asker.ask(question)
    assert named in refused.value.message
