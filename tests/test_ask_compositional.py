"""`ecokg ask` understands questions by their structure: the development question set (one
question or more of every kind, answers checked against the plan), the JSON contract
(``sentence``, ``answer``), ``--explain``, refusals, the lexicon's own rules and the cached
store ask opens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from ask_scoring import RIGHT, score_answer

from ecokg.ask.engine import Asker
from ecokg.ask.lexicon import ASK_NS, lexicon_path
from ecokg.ask.stores import bundled_files, open_copy
from ecokg.errors import UsageError
from ecokg.rdf.namespaces import ECO, ECO_NS, RDFS, SKOS
from ecokg.stores.local import Dataset
from ecokg.stores.ondisk import StoredDataset
from tests.conftest import RunCli

DEV = json.loads((Path(__file__).parent / "data" / "ask" / "dev.json").read_text("utf-8"))
# written after tune and dev were exhausted as a guide, scored before the engine was changed
FRESH = json.loads((Path(__file__).parent / "data" / "ask" / "fresh.json").read_text("utf-8"))
KINDS = {
    "lookup", "filter", "total", "superlative", "membership",
    "indicator", "yesno", "negation", "multihop", "colloquial",
}  # fmt: skip


@pytest.fixture(scope="module")
def asker(dataset: Dataset) -> Asker:
    return Asker.create(dataset)


@pytest.mark.parametrize("questions", [DEV["questions"], FRESH["questions"]], ids=["dev", "fresh"])
def test_the_set_covers_every_kind_in_both_languages(questions: list[dict[str, Any]]) -> None:
    assert {item["kind"] for item in questions} == KINDS
    assert {item["lang"] for item in questions} == {"zh", "en"}


QUESTIONS = DEV["questions"] + FRESH["questions"]


@pytest.mark.parametrize("item", QUESTIONS, ids=[i["id"] for i in QUESTIONS])
def test_dev_question(asker: Asker, item: dict[str, Any]) -> None:
    expect = item["expect"]
    if expect.get("refuse"):
        with pytest.raises(UsageError):
            asker.ask(item["question"])
        return
    answer = asker.ask(item["question"])
    verdict, reason = score_answer(expect, answer.to_json())  # the question set's own scorer
    assert verdict == RIGHT, (reason, answer.sentence)
    assert answer.sentence


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "水利局牵头的项目一共投资多少？",
            "水利局牵头的5个子项目投资合计126900万元（12.69亿元）。",
        ),
        ("How many projects does the Forestry Bureau lead?", "There are 3 projects related to"),
        ("敖山镇在哪个生态修复分区？", "东北部锦江水环境综合治理与土地综合整治分区"),
        ("Is Sixi in the south-west zone?", "No:"),
    ],
)
def test_the_sentence_answers_in_the_question_language(
    asker: Asker, question: str, sentence: str
) -> None:
    assert sentence in asker.ask(question).sentence


def test_json_keeps_its_keys_and_adds_sentence_and_answer(run_cli: RunCli) -> None:
    code, out, err = run_cli("ask", "林业局牵头的项目一共投资多少？", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    for key in ("question", "lang", "intent", "entities", "params", "sparql", "columns", "rows"):
        assert key in data
    assert data["sentence"] == "林业局牵头的3个子项目投资合计5600万元。"
    answer = data["answer"]
    assert (answer["kind"], answer["value"], answer["unit"]) == ("sum", 5600, "万元")
    assert {item["iri"].rsplit("/", 1)[-1] for item in answer["items"]} == {
        "forest-tending", "low-yield-forest-improvement", "key-area-ecological-protection",
    }  # fmt: skip
    assert all(set(item) == {"iri", "label", "value", "unit"} for item in answer["items"])
    assert {row[3]["value"] for row in data["rows"]} == {"stated"}


def test_a_named_query_answer_has_a_sentence_too(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ask", "哪些项目治理泗溪镇的土壤污染？", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["intent"]["query"] == "projects-addressing-problem-in-township"
    assert data["answer"]["kind"] == "list" and "受污染耕地安全利用" in data["sentence"]


def test_explain_shows_the_analysis_and_the_generated_query(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ask", "田心镇的项目由哪些部门牵头？", "--explain")
    assert code == 0
    assert "answer class: eco:Agency" in out
    assert "^eco:leadAgency" in out and "eco:implementedIn" in out
    assert "SELECT" in out and "<https://w3id.org/ecokg/def#leadAgency>" in out


@pytest.mark.parametrize(
    "question",
    [
        "泗溪镇的人口是多少？",
        "森林覆盖率2035年的目标值是多少？",
        "Which projects were not finished?",
    ],
)
def test_refusals_are_one_line_and_exit_2(run_cli: RunCli, question: str) -> None:
    code, out, err = run_cli("ask", question)
    assert code == 2 and out == ""
    first, *rest = err.splitlines()
    assert first.startswith("ecokg: error: ") and "Traceback" not in err
    assert all(line.startswith("  - ") for line in rest)


def test_the_lexicon_follows_the_ontology_rules() -> None:
    triples = list(ox.parse(path=lexicon_path()))
    subjects = {t.subject.value for t in triples}
    own = {s for s in subjects if s.startswith(ASK_NS)}
    assert own, "the answer forms are defined"
    for term in own:
        about = {(t.predicate.value, getattr(t.object, "language", None)) for t in triples
                 if t.subject.value == term}  # fmt: skip
        for predicate in (RDFS + "label", SKOS + "prefLabel", SKOS + "definition"):
            assert {(predicate, "zh"), (predicate, "en")} <= about, (term, predicate)
        assert (RDFS + "isDefinedBy", None) in about, term
    named_eco = {s for s in subjects if s.startswith(ECO_NS)}
    assert named_eco <= ECO.terms(), named_eco - ECO.terms()


def test_the_cached_store_holds_what_loading_gives(dataset: Dataset) -> None:
    files = bundled_files(inferred=True)
    assert files is not None
    copy = open_copy(files)
    again = open_copy(files)  # read back, not rebuilt
    assert len(copy) == len(dataset) == len(again)
    assert isinstance(copy, StoredDataset) and not copy.files  # nothing parsed
    loaded = [(f.path.resolve(), f.graph, f.triples) for f in dataset.files]
    assert [(f.path, f.graph, f.triples) for f in copy.loaded_files()] == loaded
    question = "林业局牵头的项目一共投资多少？"
    assert (
        Asker.create(copy).ask(question).to_json() == Asker.create(dataset).ask(question).to_json()
    )


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Which projects cost more than 5000 yuan per mu?", "5000"),  # a unit it cannot read
        ("Which projects are in the 3 zones of the county?", "3"),  # a number it cannot place
        ("国家补助资金一共多少？", "补助"),  # a fact the plan does not state
    ],
)
def test_a_word_that_changes_the_question_is_refused_by_name(
    asker: Asker, question: str, named: str
) -> None:
    """Answering without the word would answer another question (the river's own length,
    the total investment): refuse, and say which word was not understood."""
    with pytest.raises(UsageError) as refused:
        asker.ask(question)
    assert named in refused.value.message.splitlines()[0]
