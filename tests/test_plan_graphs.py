"""Each plan in its own named graphs: the bundled plan and two synthetic counties
(``bench/province.py``) load into three plan graphs and three inferred graphs, each reasoned
over its own plan alone; the named queries answer the same in the per-plan layout as in
release 0.1's bare ``…/graph/plan`` (locally and on an Oxigraph server); export of the data
part keeps every plan."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from oxigraph_server import OxigraphServer
from province import County, write_province
from test_queries import EXPECTED_DIR, QUERY_FILES, query_params, result_csv

from ecokg import resources
from ecokg.kb import load_dataset, open_store
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    ECO,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    ID,
    RDF,
    inferred_graph,
    plan_graph,
)
from ecokg.stores.local import Dataset
from ecokg.stores.remote import RemoteStore

SPATIAL = ox.NamedNode("http://purl.org/dc/terms/spatial")
RDF_TYPE = ox.NamedNode(RDF + "type")
DIVISION_CODE = ox.NamedNode(ECO.divisionCode)
COUNTIES = (County(1), County(2))
CODES = (BUNDLED_CODE, *(str(county.code) for county in COUNTIES))
# Named queries whose rows tell stated from inferred facts: they read the plan graphs by name.
STATED_QUERIES = ("projects-in-township", "investment-by-programme", "undeclared-terms")


def with_division_code(path: Path, code: str) -> Path:
    """The county file with its county's ``eco:divisionCode`` set to ``code`` (the province
    generator may not write it yet; a wrong one would merge the counties)."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    plans = {
        q.subject for q in quads if q.predicate.value == RDF + "type" and q.object.value == ECO.Plan
    }
    counties = {q.object for q in quads if q.subject in plans and q.predicate == SPATIAL}
    assert counties, f"{path}: the plan names no county"
    kept = [q for q in quads if q.predicate != DIVISION_CODE]
    kept += [ox.Quad(county, DIVISION_CODE, ox.Literal(code)) for county in counties]  # type: ignore[arg-type]
    ox.serialize(kept, output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    paths = write_province(tmp_path_factory.mktemp("province"), len(COUNTIES))
    return [with_division_code(p, str(c.code)) for p, c in zip(paths, COUNTIES, strict=True)]


@pytest.fixture(scope="module")
def three_plans(counties: list[Path]) -> Dataset:
    """The bundled plan and two synthetic counties, with their inferences."""
    return load_dataset(counties)


def graph_triples(dataset: Dataset, graph: str) -> set[ox.Triple]:
    return {
        q.triple for q in dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    }


def subjects(dataset: Dataset, graph: str) -> set[str]:
    return {
        t.subject.value
        for t in graph_triples(dataset, graph)
        if isinstance(t.subject, ox.NamedNode)
    }


def test_three_plans_load_into_three_plan_and_three_inferred_graphs(
    three_plans: Dataset, counties: list[Path]
) -> None:
    graphs = three_plans.graphs()
    assert [g for g in graphs if g.startswith(GRAPH_PLAN)] == [plan_graph(c) for c in CODES]
    assert [g for g in graphs if g.startswith(GRAPH_INFERRED)] == [inferred_graph(c) for c in CODES]
    files = {(loaded.path, loaded.graph) for loaded in three_plans.files}
    assert (resources.plan_file(), plan_graph(BUNDLED_CODE)) in files
    for path, code in zip(counties, CODES[1:], strict=True):
        assert (path, plan_graph(code)) in files
    # the bundled plan alone in its graph: its shipped inferences, not reasoned again
    assert (resources.inferred_file(), inferred_graph(BUNDLED_CODE)) in files
    for code in CODES:
        assert graph_triples(three_plans, inferred_graph(code)), code


def test_no_inference_of_one_plan_mentions_another_plans_instances(three_plans: Dataset) -> None:
    own = {code: subjects(three_plans, plan_graph(code)) for code in CODES}
    for code in CODES:
        others = set().union(*(own[c] for c in CODES if c != code)) - own[code]
        mentioned = {
            term.value
            for triple in graph_triples(three_plans, inferred_graph(code))
            for term in (triple.subject, triple.object)
            if isinstance(term, ox.NamedNode) and term.value.startswith(ID)
        }
        assert mentioned and not mentioned & others, code


def test_each_plans_inferences_are_those_of_the_plan_alone(
    three_plans: Dataset, counties: list[Path]
) -> None:
    for path, code in zip(counties, CODES[1:], strict=True):
        alone = load_dataset([path], bundled=False)
        assert alone.graphs() == (GRAPH_ONTOLOGY, plan_graph(code), inferred_graph(code))
        expected = graph_triples(alone, inferred_graph(code))
        assert expected and graph_triples(three_plans, inferred_graph(code)) == expected, code
    bundled = load_dataset()
    assert graph_triples(three_plans, inferred_graph(BUNDLED_CODE)) == graph_triples(
        bundled, inferred_graph(BUNDLED_CODE)
    )


def test_a_file_declaring_no_plan_goes_with_the_plan_it_mentions(
    counties: list[Path], tmp_path: Path
) -> None:
    second = COUNTIES[1]
    township = f"{second.base}township/extra"
    links = tmp_path / "links.ttl"
    links.write_text(
        f"<{township}> a <{ECO.Township}> ; <{ECO.withinCounty}> <{second.base}county/shanggao> .\n"
        f"<{second.base}project/forest-tending> <{ECO.implementedIn}> <{township}> .\n",
        encoding="utf-8",
    )
    dataset = load_dataset([*counties, links], bundled=False, inferred=False)
    assert [f.graph for f in dataset.files if f.path == links] == [plan_graph(str(second.code))]


def bundled_in(code: str | None) -> Dataset:
    """The bundled dataset with the plan in ``plan_graph(code)``: code None is the layout
    release 0.1 loaded (and pushed), one bare plan graph."""
    dataset = Dataset()
    for path in resources.ontology_files():
        dataset.load_file(path, GRAPH_ONTOLOGY)
    dataset.load_file(resources.plan_file(), plan_graph(code))
    dataset.load_file(resources.inferred_file(), inferred_graph(code))
    return dataset


@pytest.mark.parametrize("code", [BUNDLED_CODE, None], ids=["per-plan", "bare"])
def test_named_queries_answer_alike_in_both_layouts(code: str | None) -> None:
    store = bundled_in(code)
    params = query_params()
    for path in QUERY_FILES:
        if path.stem == "plans":  # its graph column names the layout
            continue
        expected = (EXPECTED_DIR / f"{path.stem}.csv").read_text(encoding="utf-8")
        assert result_csv(store, path.stem, params.get(path.stem, {})) == expected, path.stem


# --- on a server: the graphs of release 0.1, or one graph per plan ---------------------------


def put_graph(server: OxigraphServer, graph: str, *paths: Path) -> None:
    """Replace ``graph`` on the server with the triples of ``paths``."""
    triples = [quad.triple for path in paths for quad in ox.parse(path=str(path))]
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    request = urllib.request.Request(
        f"{server.store_url}?{urllib.parse.urlencode({'graph': graph})}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201, 204)


def remote_csv(store: RemoteStore, name: str) -> str:
    return result_csv(store, name, query_params().get(name, {}))  # type: ignore[arg-type]


@pytest.fixture
def emptied(oxigraph_server: OxigraphServer) -> Iterator[OxigraphServer]:
    yield oxigraph_server
    request = urllib.request.Request(
        oxigraph_server.base + "/update", data=b"update=CLEAR+ALL", method="POST"
    )
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    urllib.request.urlopen(request, timeout=30).close()


@pytest.mark.server
@pytest.mark.parametrize("code", [None, BUNDLED_CODE], ids=["bare", "per-plan"])
def test_remote_queries_see_every_plan_graph(emptied: OxigraphServer, code: str | None) -> None:
    put_graph(emptied, GRAPH_ONTOLOGY, *resources.ontology_files())
    put_graph(emptied, plan_graph(code), resources.plan_file())
    put_graph(emptied, inferred_graph(code), resources.inferred_file())
    store = open_store(endpoint=emptied.query_url)
    assert isinstance(store, RemoteStore)
    for name in STATED_QUERIES:
        expected = (EXPECTED_DIR / f"{name}.csv").read_text(encoding="utf-8")
        assert remote_csv(store, name) == expected, name
    assert plan_graph(code) in store.graphs and inferred_graph(code) in store.graphs


@pytest.mark.server
def test_remote_graphs_are_found_once_per_store(
    emptied: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_graph(emptied, plan_graph(BUNDLED_CODE), resources.plan_file())
    store = open_store(endpoint=emptied.query_url, inferred=False)
    assert isinstance(store, RemoteStore)
    found: list[str] = []
    original = RemoteStore._plan_graphs
    monkeypatch.setattr(
        RemoteStore, "_plan_graphs", lambda self: found.append("") or original(self)
    )
    for _ in range(3):
        store.query("ASK { ?s ?p ?o }")
    assert len(found) == 1
    assert plan_graph(BUNDLED_CODE) in store.graphs
    assert inferred_graph(BUNDLED_CODE) not in store.graphs  # --no-inferred


# --- export -----------------------------------------------------------------------------------


def test_export_of_the_data_part_keeps_every_plan(run_cli, counties: list[Path]) -> None:  # type: ignore[no-untyped-def]
    args = ["--no-bundled", *(a for p in counties for a in ("--data", p))]
    code, out, err = run_cli(*args, "export", "--part", "data", "--format", "nq")
    assert code == 0, err
    graphs = {q.graph_name.value for q in ox.parse(out.encode(), format=ox.RdfFormat.N_QUADS)}  # type: ignore[union-attr]
    assert graphs == {plan_graph(str(county.code)) for county in COUNTIES}
