"""Totals the plan states itself, groups ranked by their members' total, and how the
answer's sentence writes amounts (rounded averages, no brackets inside brackets)."""

from __future__ import annotations

import pytest

from ecokg.ask.engine import Asker

AGENCY = "https://w3id.org/ecokg/id/360923/agency/"


@pytest.fixture(scope="module")
def asker(dataset) -> Asker:  # type: ignore[no-untyped-def]
    return Asker.create(dataset)


@pytest.mark.parametrize(
    "question", ["上高县总投资多少亿元？", "What is the total investment of Shanggao County?"]
)
def test_the_countys_total_is_the_plans_stated_total(asker: Asker, question: str) -> None:
    """表5-1 合计 193578万元, not the sum over the projects a path reaches (192078)."""
    answer = asker.ask(question).to_json()["answer"]
    assert (answer["kind"], answer["value"], answer["unit"]) == ("attribute", 193578, "万元")


@pytest.mark.parametrize(
    ("question", "ranked"),
    [
        ("Which agency's projects have the highest total investment?", ["water-resources"]),
        ("哪个部门牵头的项目投资合计最少？", ["forestry"]),
        (
            "投资最多的三个部门是哪些？",
            ["water-resources", "agriculture-rural", "urban-management"],
        ),
    ],
)
def test_groups_are_ranked_by_their_members_total(
    asker: Asker, question: str, ranked: list[str]
) -> None:
    answer = asker.ask(question).to_json()["answer"]
    assert [item["iri"] for item in answer["items"]] == [AGENCY + name for name in ranked]


def test_an_average_is_rounded_in_the_sentence_only(asker: Asker) -> None:
    answer = asker.ask("林业局牵头项目的平均投资是多少？").to_json()
    assert "1866.67万元" in answer["sentence"]
    assert answer["answer"]["value"] == pytest.approx(5600 / 3)


def test_an_amount_in_brackets_has_no_brackets_of_its_own(asker: Asker) -> None:
    said = asker.ask("投资最多的三个部门是哪些？").to_json()["sentence"]
    assert "水利局（126900万元，合12.69亿元）" in said
    assert "）" + "）" not in said
