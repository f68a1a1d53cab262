"""The compiled engine infers exactly what HermiT and owlrl infer, and finds the same
inconsistencies: on the bundled plan, on every reasoning fixture, on a synthetic county and on
random small plans; ``auto`` uses it only for axioms it implements."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from province import County, derive_county

from ecokg import reason, resources
from ecokg.cli import main
from ecokg.rdf.namespaces import ECO_NS, ID

FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"
# Inconsistent only by reasoning by cases over a union: HermiT and the compiled engine find
# it, the OWL 2 RL closure of owlrl does not (the one documented difference from owlrl).
BY_CASES = "inconsistent-by-cases.ttl"
REFERENCES = ["owlrl", pytest.param("hermit", marks=pytest.mark.java)]
Outcome = frozenset[tuple[str, str, str]] | tuple[str, tuple[str, ...]]


def _require_java(engine: str) -> None:
    if engine == "hermit" and not reason.java_available():
        pytest.skip("no Java runtime: HermiT cannot run here")


def outcome(files: list[Path], engine: str) -> Outcome:
    """The inferred facts, or the inconsistency findings."""
    try:
        inference = reason.materialise(files, engine=engine)
    except reason.InconsistentData as error:
        return ("inconsistent", tuple(error.findings))
    assert inference.engine == engine
    return inference.triples


def test_bundled_plan_gives_the_committed_inferred_graph() -> None:
    inference = reason.materialise([resources.plan_file()], engine="compiled")
    assert inference.engine == "compiled"
    assert inference.turtle() == resources.inferred_file().read_text(encoding="utf-8")


def test_auto_uses_the_compiled_engine_for_the_ontology() -> None:
    assert reason.materialise([FIXTURES / "axioms.ttl"]).engine == "compiled"


@pytest.mark.parametrize("reference", REFERENCES)
@pytest.mark.parametrize(
    "fixture",
    sorted(p.name for p in FIXTURES.glob("*.ttl") if not p.name.endswith(".expected.ttl")),
)
def test_each_fixture_as_the_reference_engine(fixture: str, reference: str) -> None:
    if fixture == BY_CASES and reference == "owlrl":
        pytest.skip("owlrl does not reason by cases (test_by_cases_conflict_is_found)")
    _require_java(reference)
    files = [FIXTURES / fixture]
    assert outcome(files, "compiled") == outcome(files, reference)


def test_by_cases_conflict_is_found() -> None:
    """The agency located as a problem's place is a Place, so an administrative unit or a
    zone, both disjoint from agencies: no model, as HermiT says."""
    with pytest.raises(reason.InconsistentData, match=r"\(compiled\)"):
        reason.materialise([FIXTURES / BY_CASES], engine="compiled")
    assert main(["reason", "--no-bundled", "--data", str(FIXTURES / BY_CASES)]) == 1


def test_functional_property_merges_individuals() -> None:
    triples = reason.materialise([FIXTURES / "one-programme-two-names.ttl"]).triples
    test, eco = ID + "test/", ECO_NS
    assert (test + "programme-1", eco + "hasProject", test + "project-b") in triples
    assert (test + "project-b", eco + "partOfProgramme", test + "programme-1") in triples


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("county") / "county.nt"
    ox.serialize(derive_county(County(2)), output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.mark.parametrize("reference", REFERENCES)
def test_synthetic_county_as_the_reference_engine(county: Path, reference: str) -> None:
    _require_java(reference)
    compiled = outcome([county], "compiled")
    assert isinstance(compiled, frozenset) and len(compiled) > 500
    assert compiled == outcome([county], reference)


def test_axioms_outside_the_profile_fall_back(tmp_path: Path, capsys) -> None:
    data = tmp_path / "reflexive.ttl"
    data.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/ecokg/def#near> a owl:ReflexiveProperty .\n"
        "<https://w3id.org/ecokg/id/test/x> a <https://w3id.org/ecokg/def#Project> .\n",
        encoding="utf-8",
    )
    assert reason.materialise([data]).engine in ("hermit", "owlrl")
    assert main(["reason", "--no-bundled", "--engine", "compiled", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "compiled engine cannot reason" in err and "ReflexiveProperty" in err


# Random small plans: places always have a place class, so that a union (eco:Place) is never
# the only reason for a conflict (owlrl would miss it, see BY_CASES).
_PLACES = [f"place{i}" for i in range(3)]
_THINGS = [f"thing{i}" for i in range(4)]
_PLACE_CLASSES = ["Township", "Village", "County", "RestorationZone"]
_CLASSES = ["Project", "Programme", "KeyTask", "EcologicalProblem", "River", "Indicator"]
_TO_PLACE = ["withinCounty", "withinTownship", "inZone", "partlyInZone", "locatedIn"]
_TO_PLACE += ["implementedIn", "flowsThrough", "resolvesTo"]
_BETWEEN = ["partOfProgramme", "hasProject", "implementsTask", "subTaskOf", "addressesProblem"]
_BETWEEN += ["implementedAlong", "hasAreaStatement", "sameQuantityAs", "hasTownship"]


@st.composite
def small_plans(draw: st.DrawFn) -> str:
    lines = ["@prefix eco: <https://w3id.org/ecokg/def#> ."]
    lines.append("@prefix x: <https://w3id.org/ecokg/id/test/> .")
    lines.append("@prefix nature: <https://w3id.org/ecokg/def/nature#> .")
    for place in _PLACES:
        lines.append(f"x:{place} a eco:{draw(st.sampled_from(_PLACE_CLASSES))} .")
    for thing in draw(st.lists(st.sampled_from(_THINGS), max_size=4)):
        lines.append(f"x:{thing} a eco:{draw(st.sampled_from(_CLASSES))} .")
    everything = st.sampled_from(_PLACES + _THINGS)
    for _ in range(draw(st.integers(0, 10))):
        if draw(st.booleans()):
            link = f"eco:{draw(st.sampled_from(_TO_PLACE))} x:{draw(st.sampled_from(_PLACES))}"
        elif draw(st.booleans()):
            link = f"eco:{draw(st.sampled_from(_BETWEEN))} x:{draw(everything)}"
        else:
            link = f"eco:nature nature:{draw(st.sampled_from(['binding', 'expected']))}"
        lines.append(f"x:{draw(st.sampled_from(_THINGS))} {link} .")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=small_plans())
def test_random_small_plans_as_owlrl(plan: str, tmp_path: Path) -> None:
    data = tmp_path / "plan.ttl"
    data.write_text(plan, encoding="utf-8")
    assert outcome([data], "compiled") == outcome([data], "owlrl"), plan


def test_many_plans_are_reasoned_each_on_its_own(county: Path) -> None:
    """Each plan's result is what reasoning over it alone gives, in the order given, whether
    in worker processes or in this one; nothing of one plan reaches another."""
    plans = [[county], [resources.plan_file()], [FIXTURES / "axioms.ttl"]]
    alone = [reason.materialise(files, engine="compiled").triples for files in plans]
    for jobs in (1, 2):
        many = reason.materialise_many(plans, engine="compiled", jobs=jobs)
        assert [inference.triples for inference in many] == alone
    assert not {s for s, _, _ in alone[0]} & {s for s, _, _ in alone[1]}


def test_many_plans_report_the_inconsistent_one() -> None:
    plans = [[FIXTURES / "axioms.ttl"], [FIXTURES / "inconsistent.ttl"]]
    with pytest.raises(reason.InconsistentData) as raised:
        reason.materialise_many(plans, jobs=2)
    assert raised.value.findings == list(outcome([FIXTURES / "inconsistent.ttl"], "compiled")[1])
