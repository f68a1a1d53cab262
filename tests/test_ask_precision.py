"""A wrong answer is worse than a refusal: names the linker did not read, the plan's area
reached through a chain of links, links only the reasoner infers, and what refusals and
headers call the ontology's terms."""

from __future__ import annotations

import pytest

from ecokg.ask.engine import Asker
from ecokg.errors import UsageError

ID = "https://w3id.org/ecokg/id/360923/"  # the bundled plan's IRI space


@pytest.fixture(scope="module")
def asker(dataset) -> Asker:  # type: ignore[no-untyped-def]
    return Asker.create(dataset)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Which department leads the riverside park green belt?", "riverside park green"),
        ("What is the target of the green park system?", "green park system"),
        ("滨江公园绿道由哪个部门牵头？", "滨江公园绿道"),
    ],
)
def test_a_name_left_unread_is_refused_not_dropped(asker: Asker, question: str, words: str) -> None:
    """Answered without the name, these listed every agency / every indicator."""
    with pytest.raises(UsageError, match=words):
        asker.ask(question)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("The urban green system project, which department leads it?", "agency/water-resources"),
        ("污水管网建设由哪个部门牵头", "agency/urban-management"),
        (
            "Is the drinking water source compliance rate binding or expected?",
            "https://w3id.org/ecokg/def/nature#expected",
        ),
    ],
)
def test_a_short_or_reworded_name_is_linked(asker: Asker, question: str, expected: str) -> None:
    items = [item["iri"] for item in asker.ask(question).to_json()["answer"]["items"]]
    assert items == [expected if expected.startswith("http") else ID + expected]


def test_a_stated_figure_of_a_reworded_indicator(asker: Asker) -> None:
    question = "What is the target for the share of surface water at or better than class II?"
    assert asker.ask(question).to_json()["answer"]["value"] == "完成省市下达目标"


def test_the_counties_projects_are_the_plans_projects(asker: Asker) -> None:
    """17 projects (第四章: 5个重大工程，17个项目), not the 16 a path via problems reaches."""
    assert asker.ask("上高县有多少个项目").to_json()["answer"]["value"] == 17


def test_a_zones_projects_are_its_prioritised_projects(asker: Asker) -> None:
    """表4-2: 东北部 107078万元; every project has a township in the zone (193578)."""
    answer = asker.ask("Which zone's projects have the largest investment?").to_json()["answer"]
    assert [item["iri"] for item in answer["items"]] == [ID + "zone/northeast-jinjiang"]
    assert answer["items"][0]["value"] == 107078


@pytest.mark.parametrize(
    ("question", "order"),
    [
        (
            "Which three rivers have the longest treatment length?",
            ["xiekougang", "jinjiang", "tangpu-he"],
        ),
        (
            "What are the two cheapest projects?",
            ["key-area-ecological-protection", "agricultural-non-point-pollution-control"],
        ),
    ],
)
def test_a_number_before_the_class_is_a_top_k(
    asker: Asker, question: str, order: list[str]
) -> None:
    items = [
        item["iri"].rsplit("/", 1)[1] for item in asker.ask(question).to_json()["answer"]["items"]
    ]
    assert items == order


def test_who_asks_for_the_agency(asker: Asker) -> None:
    items = asker.ask("高标准农田那个项目谁管？").to_json()["answer"]["items"]
    assert [item["iri"] for item in items] == [ID + "agency/agriculture-rural"]


def test_messages_and_headers_use_labels(asker: Asker) -> None:
    with pytest.raises(UsageError) as refused:
        asker.ask("哪些项目投资超过100公顷？")
    assert "投资" in str(refused.value) and "eco:" not in str(refused.value)
    answer = asker.ask("上高县总投资是多少").to_json()
    assert "Plan" not in answer["columns"]


@pytest.mark.parametrize(
    "question",
    ["Is the forest cover target higher than its baseline?", "森林覆盖率的目标值比基期值高吗？"],
)
def test_a_yes_no_question_is_not_answered_with_a_figure(asker: Asker, question: str) -> None:
    """Both read the target (47 %) and answered it as if it had been asked."""
    with pytest.raises(UsageError):
        asker.ask(question)


def test_larger_compares_the_one_measure_two_things_have(asker: Asker) -> None:
    """第三章第二节: 西南部 510.66 km2 > 东北部 505.07 km2; projects have no own measure."""
    answer = asker.ask("东北部分区和西南部分区哪个大？").to_json()["answer"]
    assert answer["items"][0]["iri"] == ID + "zone/southwest-moshan"
    with pytest.raises(UsageError):
        asker.ask("Which is larger, forest tending or wetland restoration?")


def test_names_before_a_class_word_are_read_together(asker: Asker) -> None:
    """Read apart, Jinjiang (the town) and water environment (a problem type) gave the 5
    projects addressing water pollution in Jinjiang Town; 表4-2 prioritises 9 in the zone."""
    answer = asker.ask("Which projects are in the Jinjiang water environment zone?").to_json()
    assert len(answer["answer"]["items"]) == 9
