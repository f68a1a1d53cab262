"""`ecokg ask`: entity linking, the index cache, intent matching on the question set, the CLI."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecokg import cache_entries, resources
from ecokg.ask import cache
from ecokg.ask.engine import Asker, NoIntentError, UnknownNameError
from ecokg.ask.entities import EntityIndex, build_index
from ecokg.ask.intents import concept_namespaces, known_words
from ecokg.ask.linking import find_unknown, link
from ecokg.query.library import list_named_queries
from ecokg.rdf.namespaces import expand
from ecokg.stores.local import Dataset
from tests.conftest import MINI, RunCli

QUESTIONS = json.loads((Path(__file__).parent / "data" / "questions.json").read_text("utf-8"))
QUERIES = list_named_queries()
QUERY_NAMES = {query.name for query in QUERIES}


def iri(curie: str) -> str:
    expanded = expand(curie)
    assert expanded is not None, curie
    return expanded


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test of this module caches entity indexes in a temporary directory."""
    directory = tmp_path_factory.mktemp("xdg-cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(directory)
    yield directory
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="module")
def asker(dataset: Dataset) -> Asker:
    return Asker.create(dataset, QUERIES)


@pytest.fixture(scope="module")
def index(asker: Asker) -> EntityIndex:
    return asker.index


def linked(index: EntityIndex, question: str) -> list[tuple[str, list[str]]]:
    """(mention text, candidate IRIs as CURIE-expanded strings) for each mention."""
    mentions = link(index, question, known_words(QUERIES))
    return [(m.text, [c.entity.iri for c in m.candidates]) for m in mentions]


# --- entity linking -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("哪些项目治理泗溪镇的土壤污染？", "泗溪镇", "tw:sixi"),
        ("泗溪有哪些项目", "泗溪", "tw:sixi"),  # altLabel / short form
        ("徐家渡有哪些项目", "徐家渡", "tw:xujiadu"),  # short form
        ("上甘山有哪些项目", "上甘山", "tw:shangganshan"),  # 林场 suffix removed
        ("projects in Sixi", "Sixi", "tw:sixi"),
        ("projects in Sixi Town", "Sixi Town", "tw:sixi"),
        ("projects in sixizhen", "sixizhen", "tw:sixi"),  # pinyin of 泗溪镇
        ("projects in Si Xi Zhen", "Si Xi Zhen", "tw:sixi"),
        ("projects in luzhouxiang", "luzhouxiang", "tw:luzhou"),
        ("泗西镇有哪些项目", "泗西镇", "tw:sixi"),  # one character wrong
        ("projects in Xujaidu", "Xujaidu", "tw:xujiadu"),  # latin misspelling
        ("上新村", "上新村", "vil:shangxin"),
        ("东北部分区", "东北部分区", "zone:northeast-jinjiang"),
        ("Zone 2 problems", "Zone 2", "zone:central-south-mengshan"),
        ("水利局牵头哪些项目", "水利局", "agency:water-resources"),
        ("森林覆盖率的目标", "森林覆盖率", "ind:forest-cover"),
        ("棠浦河沿线", "棠浦河", "river:tangpu-he"),
        ("锦江沿线有哪些项目", "锦江", "river:jinjiang"),  # not the hidden label of 锦江镇
        ("锦江镇有哪些项目", "锦江镇", "tw:jinjiang"),
        ("矿山生态修复重大工程", "矿山生态修复重大工程", "prog:mine-restoration"),
        ("强化耕地土壤污染防治", "强化耕地土壤污染防治", "task:soil-pollution-control"),
        ("受污染耕地安全利用项目", "受污染耕地安全利用项目", "proj:polluted-farmland-safe-use"),
        ("土壤污染", "土壤污染", "pt:soil-pollution"),
        ("受污染耕地在哪", "受污染耕地", "pt:soil-pollution"),
        ("soil pollution", "soil pollution", "pt:soil-pollution"),
        ("contaminated farmland", "contaminated farmland", "pt:soil-pollution"),
        ("soil polution", "soil polution", "pt:soil-pollution"),
        ("哪些指标是约束性的", "约束性", "nature:binding"),
    ],
)
def test_links_names_to_entities(
    index: EntityIndex, question: str, text: str, expected: str
) -> None:
    mentions = dict(linked(index, question))
    assert text in mentions, f"{text!r} not linked in {question!r}: {mentions}"
    assert mentions[text][0] == iri(expected)


def test_longest_match_wins_and_mentions_do_not_overlap(index: EntityIndex) -> None:
    mentions = linked(index, "受污染耕地安全利用项目在泗溪镇")
    assert [text for text, _ in mentions] == ["受污染耕地安全利用项目", "泗溪镇"]


def test_a_span_keeps_every_entity_it_names(index: EntityIndex) -> None:
    # 蒙山 is a reservoir (altLabel) and the short form of 蒙山镇: the parameter type chooses.
    [(text, candidates)] = linked(index, "蒙山有哪些项目")
    assert text == "蒙山"
    assert {iri("water:mengshan"), iri("tw:mengshan")} <= set(candidates)


def test_hidden_label_only_when_nothing_else_matches(index: EntityIndex) -> None:
    [(_, candidates)] = linked(index, "锦江")
    assert iri("tw:jinjiang") not in candidates


def test_no_links_in_plain_words(index: EntityIndex) -> None:
    assert linked(index, "which projects are there") == []
    assert linked(index, "哪些项目有投资") == []


@pytest.mark.parametrize(
    ("question", "unknown"),
    [("哪些项目在火星镇", "火星镇"), ("Which projects are in Atlantis?", "Atlantis")],
)
def test_unknown_places_are_found(index: EntityIndex, question: str, unknown: str) -> None:
    words = known_words(QUERIES)
    found = find_unknown(index, question, link(index, question, words), words)
    assert [u.text for u in found] == [unknown]


def test_common_words_are_not_unknown_places(index: EntityIndex) -> None:
    words = known_words(QUERIES)
    for question in (
        "哪些乡镇不属于任何分区",
        "城镇污水管网建设项目在哪些乡镇",
        "泗溪镇有哪些项目",
    ):
        assert find_unknown(index, question, link(index, question, words), words) == []


# --- the index cache ------------------------------------------------------------------


def test_index_is_cached_by_content_and_read_back(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    namespaces = concept_namespaces(QUERIES)
    built = cache.load_index(dataset, namespaces)
    files = list((tmp_path / "ecokg").glob("ask-index-*.json"))
    assert len(files) == 1
    assert not list((tmp_path / "ecokg").glob(".*"))  # no temporary file left behind

    def fail(*args: Any) -> EntityIndex:
        raise AssertionError("the index was rebuilt instead of read from the cache")

    monkeypatch.setattr(cache, "build_index", fail)
    again = cache.load_index(dataset, namespaces)
    assert again.entities == built.entities
    assert again.forms == built.forms


def test_cache_key_follows_the_loaded_content(dataset: Dataset, mini_dataset: Dataset) -> None:
    assert cache.dataset_fingerprint(dataset) != cache.dataset_fingerprint(mini_dataset)
    assert cache.dataset_fingerprint(dataset, ["a"]) != cache.dataset_fingerprint(dataset, ["b"])
    assert cache.dataset_fingerprint(dataset) == cache.dataset_fingerprint(dataset)


def test_a_corrupt_cache_file_is_rebuilt(
    mini_dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = resources.cache_dir() / f"ask-index-{cache.dataset_fingerprint(mini_dataset)}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    index = cache.load_index(mini_dataset)
    assert iri("tw:sixi") in index.entities
    assert json.loads(cache_entries.read_entry(path) or b"")["entities"]


def test_index_is_built_from_the_data_not_a_list(mini_dataset: Dataset) -> None:
    index = build_index(mini_dataset)
    assert iri("tw:xujiadu") not in index.entities  # not in the mini plan
    assert index.entities[iri("tw:sixi")].kind == "township"


# --- the question set -----------------------------------------------------------------


def test_the_question_set_is_large_and_bilingual() -> None:
    questions = [item["question"] for item in QUESTIONS["questions"]]
    chinese = [q for q in questions if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(questions) >= 40
    assert len(chinese) >= 15 and len(questions) - len(chinese) >= 15
    assert {item["intent"] for item in QUESTIONS["questions"]} <= QUERY_NAMES


@pytest.mark.parametrize(
    "item", QUESTIONS["questions"], ids=[item["question"] for item in QUESTIONS["questions"]]
)
def test_question_set(asker: Asker, item: dict[str, Any]) -> None:
    answer = asker.ask(item["question"])
    assert answer.match.query.name == item["intent"]
    bound = {b.param.name: b.value.strip("<>") for b in answer.match.bindings if b.entity}
    assert bound == {name: iri(curie) for name, curie in item["params"].items()}
    expected = item["answers"]
    column = answer.columns.index(expected["column"])
    got = {row[column].iri for row in answer.rows if row[column] is not None}
    if "exact" in expected:
        assert got == {iri(curie) for curie in expected["exact"]}
    else:
        missing = {iri(curie) for curie in expected["subset"]} - got
        assert not missing, f"missing answers: {sorted(missing)}"


@pytest.mark.parametrize(
    "item", QUESTIONS["errors"], ids=[item["question"] for item in QUESTIONS["errors"]]
)
def test_question_set_errors(asker: Asker, item: dict[str, Any]) -> None:
    if "unknown" in item:
        with pytest.raises(UnknownNameError) as caught:
            asker.ask(item["question"])
        assert [u.text for u in caught.value.unknown] == [item["unknown"]]
        assert len(caught.value.suggestions) == 3
    else:
        with pytest.raises(NoIntentError) as caught_intent:
            asker.ask(item["question"])
        assert len(caught_intent.value.titles) == len(QUERIES)


def test_ties_prefer_the_query_that_uses_more_entities(asker: Asker) -> None:
    _, _, match = asker.understand("泗溪镇土壤污染项目")
    assert match.query.name == "projects-addressing-problem-in-township"


# --- the command ----------------------------------------------------------------------


def test_cli_flagship_json(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "哪些项目治理泗溪镇的土壤污染？", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["question"] == "哪些项目治理泗溪镇的土壤污染？"
    assert data["intent"]["query"] == "projects-addressing-problem-in-township"
    assert data["intent"]["title"] and data["intent"]["score"] >= 90
    assert [(e["text"], e["iri"], e["kind"]) for e in data["entities"]] == [
        ("泗溪镇", iri("tw:sixi"), "township"),
        ("土壤污染", iri("pt:soil-pollution"), "problem-type"),
    ]
    assert data["entities"][0]["label"] == {"zh": "泗溪镇", "en": "Sixi Town"}
    assert "SELECT" in data["sparql"]
    project = data["columns"].index("project")
    cells = [row[project] for row in data["rows"]]
    assert {
        "value": iri("proj:polluted-farmland-safe-use"),
        "iri": iri("proj:polluted-farmland-safe-use"),
        "label": {"zh": "受污染耕地安全利用", "en": "Safe use of polluted farmland"},
    } in cells
    evidence = data["columns"].index("evidence")
    assert {row[evidence]["value"] for row in data["rows"]} <= {"stated", "inferred"}


def test_cli_table_in_the_question_language(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ask", "Which projects address soil pollution in Sixi?")
    assert code == 0
    assert "Safe use of polluted farmland" in out and "Sixi Town" in out
    assert "受污染耕地安全利用" not in out
    # the sections are cited in the question's language too
    assert "Box 4 item 3" in out and "专栏4" not in out
    code, out, _ = run_cli("ask", "泗溪有哪些土壤污染治理项目")
    assert code == 0
    assert "受污染耕地安全利用" in out and "Safe use of polluted farmland" not in out
    assert "专栏4" in out and "Box 4" not in out


def test_cli_explain_prints_the_sparql(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ask", "水利局牵头哪些项目", "--explain")
    assert code == 0
    assert "projects-by-agency" in out and "SELECT" in out and "eco:leadAgency" in out


def test_cli_unknown_place_suggests_and_exits_2(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "Which projects are in Atlantis?")
    assert code == 2 and out == ""
    assert "Atlantis" in err and "did you mean" in err
    code, _, err = run_cli("ask", "哪些项目在火星镇")
    assert code == 2 and "火星镇" in err and "您是否要找" in err


def test_cli_no_results_is_said_plainly(run_cli: RunCli) -> None:
    args = ("--no-bundled", "--data", str(MINI))
    code, out, err = run_cli("ask", "哪些项目治理塔下乡的土壤污染", *args)
    assert code == 0, err
    assert "没有找到结果" in out
    code, out, _ = run_cli("ask", "which projects address soil pollution in Taxia", *args)
    assert code == 0 and "No results" in out
    code, out, _ = run_cli(
        "ask", "which projects address soil pollution in Taxia", *args, "-f", "json"
    )
    assert code == 0 and json.loads(out)["rows"] == []


def test_cli_no_intent_lists_what_can_be_asked(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "今天天气怎么样")
    assert code == 2 and out == ""
    assert "治理某乡镇某类生态问题的子项目" in err
    code, _, err = run_cli("ask", "What is the meaning of life?")
    assert code == 2 and "Projects addressing a type of problem in a township" in err


def test_cli_rejects_an_unknown_format(run_cli: RunCli) -> None:
    code, _, err = run_cli("ask", "泗溪镇有哪些项目", "--format", "csv")
    assert code == 2 and "--format" in err
