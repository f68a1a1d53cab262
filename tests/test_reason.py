"""Reasoning: every axiom and rule infers what it should, with HermiT and with the owlrl
fallback alike; the bundled plan is consistent and its committed inferred graph is current."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib

from ecokg import reason, resources
from ecokg.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"
ENGINES = ["owlrl", pytest.param("hermit", marks=pytest.mark.java)]


def _require_java() -> None:
    if not reason.java_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Java for the HermiT reasoner (.ci/run installs it)")
        pytest.skip("no Java runtime: HermiT cannot run here (the owlrl fallback is tested)")


def _triples(path: Path) -> set[tuple[str, str, str]]:
    graph = rdflib.Graph().parse(path)
    return {(str(s), str(p), str(o)) for s, p, o in graph}


@pytest.fixture(scope="module", params=ENGINES)
def fixture_inference(request: pytest.FixtureRequest) -> reason.Inference:
    if request.param == "hermit":
        _require_java()
    return reason.materialise([FIXTURES / "axioms.ttl"], engine=request.param)


@pytest.mark.parametrize("expected", sorted(_triples(FIXTURES / "axioms.expected.ttl")))
def test_each_axiom_infers_its_fact(fixture_inference, expected) -> None:
    assert expected in fixture_inference.triples


def test_nothing_stated_is_repeated_as_inferred(fixture_inference) -> None:
    assert not fixture_inference.triples & _triples(FIXTURES / "axioms.ttl")


def test_exception_of_whole_county_rule_is_respected(fixture_inference) -> None:
    test = "https://w3id.org/ecokg/id/test/"
    implemented = "https://w3id.org/ecokg/def#implementedIn"
    assert (
        test + "whole-county-project",
        implemented,
        test + "town-c",
    ) not in fixture_inference.triples


def test_fallback_without_java_uses_owlrl(monkeypatch) -> None:
    monkeypatch.setattr(reason.engine, "java_available", lambda: False)
    # as for axioms outside the compiled engine's profile, which auto would use otherwise
    monkeypatch.setattr(reason.compiled, "unsupported", lambda tbox: "an axiom")
    inference = reason.materialise([FIXTURES / "axioms.ttl"])
    assert inference.engine == "owlrl"
    with pytest.raises(Exception, match="needs Java"):
        reason.materialise([FIXTURES / "axioms.ttl"], engine="hermit")


def test_disjoint_classes_make_data_inconsistent(tmp_path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix eco: <https://w3id.org/ecokg/def#> .\n"
        "<https://w3id.org/ecokg/id/test/x> a eco:Project , eco:Township .\n",
        encoding="utf-8",
    )
    assert reason.inconsistencies([bad])
    assert main(["reason", "--no-bundled", "--engine", "owlrl", "--data", str(bad)]) == 1


def test_bundled_plan_has_no_instance_of_two_disjoint_classes() -> None:
    assert reason.inconsistencies([resources.plan_file()]) == []


@pytest.mark.java
def test_bundled_plan_is_consistent_under_hermit() -> None:
    _require_java()
    inference = reason.materialise([resources.plan_file()], engine="hermit")
    assert inference.engine == "hermit"
    # HermiT and owlrl agree, so the committed file does not depend on the machine.
    assert inference.turtle() == resources.inferred_file().read_text(encoding="utf-8")


def test_committed_inferred_graph_is_current(capsys) -> None:
    """data/inferred.ttl is generated: regenerate (owlrl, no Java needed) and diff."""
    assert main(["reason", "--check", "--engine", "owlrl"]) == 0, capsys.readouterr().err


def test_reason_writes_output_atomically(tmp_path, capsys) -> None:
    out = tmp_path / "inferred.ttl"
    assert (
        main(
            [
                "reason",
                "--engine",
                "owlrl",
                "--output",
                str(out),
                "--no-bundled",
                "--data",
                str(FIXTURES / "axioms.ttl"),
            ]
        )
        == 0
    )
    assert "facts inferred by owlrl" in capsys.readouterr().err
    assert _triples(out) >= _triples(FIXTURES / "axioms.expected.ttl")


def test_unknown_engine_is_a_usage_error(capsys) -> None:
    assert main(["reason", "--engine", "pellet"]) == 2
    assert "unknown engine" in capsys.readouterr().err


def test_user_data_is_reasoned_and_cached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from ecokg.kb import load_dataset

    dataset = load_dataset([FIXTURES / "axioms.ttl"], bundled=False)
    ask = (
        "ASK { GRAPH <https://w3id.org/ecokg/graph/inferred> {"
        " <https://w3id.org/ecokg/id/test/project> eco:addressesProblem"
        " <https://w3id.org/ecokg/id/test/problem> } }"
    )
    assert bool(dataset.query(ask))
    cached = list((tmp_path / "ecokg").glob("inferred-*.ttl"))
    assert len(cached) == 1
    load_dataset([FIXTURES / "axioms.ttl"], bundled=False)  # second load reuses the cache
    assert list((tmp_path / "ecokg").glob("inferred-*.ttl")) == cached
