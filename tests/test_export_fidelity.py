"""Exports say what the plan says and read anywhere (issue 13, item 8): literals keep the
plan's lexical forms, JSON-LD carries its context inline (or refers to where the publisher
hosts it) and keeps the named graphs of a whole-dataset export."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ecokg import resources
from ecokg.publish.settings import CatalogSettings
from ecokg.publish.site import build_site
from ecokg.rdf.jsonld_context import published_context
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    DATASET_GRAPHS,
    ECO_NS,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    XSD,
    inferred_graph,
    plan_graph,
)
from ecokg.rdf.parsing import parse_file
from ecokg.stores.local import Dataset
from tests.conftest import MINI, RunCli

EXTENSIONS = {"ttl": "ttl", "nt": "nt", "nq": "nq", "trig": "trig", "jsonld": "jsonld"}
EXTENSIONS["xml"] = "rdf"
NEW_BASE = "https://data.example.org/shanggao/id/"
CONTEXT_URL = "https://data.example.org/shanggao/context.jsonld"
WRITTEN = ox.Literal("21.80", datatype=ox.NamedNode(XSD + "decimal"))


def export(run_cli: RunCli, tmp_path: Path, fmt: str, *args: str) -> Path:
    target = tmp_path / f"dump-{fmt}-{len(list(tmp_path.iterdir()))}.{EXTENSIONS[fmt]}"
    code, _, err = run_cli("export", "--format", fmt, "--output", target, *args)
    assert code == 0, err
    return target


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- lexical forms ---------------------------------------------------------------------


def test_the_plan_writes_21_80() -> None:
    """The premise of the tests below (a trailing zero the store drops)."""
    assert "qudt:numericValue 21.80 ;" in resources.plan_file().read_text(encoding="utf-8")
    assert WRITTEN in {quad.object for quad in parse_file(resources.plan_file())}


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("base", [None, NEW_BASE])
def test_dumps_keep_the_plans_decimals(
    run_cli: RunCli, tmp_path: Path, fmt: str, base: str | None
) -> None:
    args = ("--part", "data") if base is None else ("--part", "data", "--base", base)
    dump = export(run_cli, tmp_path, fmt, *args)
    objects = {quad.object for quad in parse_file(dump)}
    assert WRITTEN in objects
    assert ox.Literal("21.8", datatype=WRITTEN.datatype) not in objects


def test_site_dumps_and_pages_keep_the_plans_decimals(tmp_path: Path) -> None:
    data = tmp_path / "figure.ttl"
    data.write_text(
        "@prefix qudt: <http://qudt.org/schema/qudt/> .\n"
        "<https://w3id.org/ecokg/id/360923/figure/test> qudt:numericValue 21.80 .\n",
        encoding="utf-8",
    )
    from ecokg.kb import load_dataset

    dataset = load_dataset([MINI, data], bundled=False, inferred=False)
    site = tmp_path / "site"
    build_site(dataset, site, CatalogSettings.create())
    for dump in sorted((site / "dumps").iterdir()):
        assert WRITTEN in {quad.object for quad in parse_file(dump)}, dump.name
    page = site / "id/360923/figure/test"
    for suffix in (".ttl", ".jsonld"):
        assert "21.80" in page.with_suffix(suffix).read_text(encoding="utf-8"), suffix


# --- JSON-LD: the context --------------------------------------------------------------


def test_jsonld_reads_offline_with_rdflib(
    run_cli: RunCli, tmp_path: Path, no_network: None
) -> None:
    dump = export(run_cli, tmp_path, "jsonld", "--part", "data")
    turtle = export(run_cli, tmp_path, "ttl", "--part", "data")
    document = json.loads(dump.read_bytes())
    assert isinstance(document["@context"], dict)
    read = rdflib.Graph().parse(dump, format="json-ld")  # no help from ecokg
    assert len(read) > 5000
    assert isomorphic(read, rdflib.Graph().parse(turtle, format="turtle"))


def test_jsonld_with_a_moved_base_reads_offline(
    run_cli: RunCli, tmp_path: Path, no_network: None
) -> None:
    dump = export(run_cli, tmp_path, "jsonld", "--part", "data", "--base", NEW_BASE)
    context = json.loads(dump.read_bytes())["@context"]
    assert context["proj"] == NEW_BASE + "360923/project/" and context["eco"] == ECO_NS
    subjects = {str(s) for s in rdflib.Graph().parse(dump, format="json-ld").subjects()}
    assert NEW_BASE + "360923/project/forest-tending" in subjects


def test_context_url_refers_to_the_hosted_context(run_cli: RunCli, tmp_path: Path) -> None:
    dump = export(run_cli, tmp_path, "jsonld", "--part", "data", "--context-url", CONTEXT_URL)
    assert json.loads(dump.read_bytes())["@context"] == CONTEXT_URL
    moved = export(
        run_cli, tmp_path, "jsonld", "--part", "data", "--context-url", CONTEXT_URL,
        "--base", NEW_BASE,
    )  # fmt: skip
    reference = json.loads(moved.read_bytes())["@context"]
    assert reference[0] == CONTEXT_URL and reference[1]["proj"] == NEW_BASE + "360923/project/"
    assert set(reference[1]) < set(published_context())  # only the moved prefixes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "ttl", "--context-url", CONTEXT_URL), "applies to JSON-LD exports"),
        (("--format", "jsonld", "--context-url", "ftp:x"), "absolute http(s) IRI"),
        (("--context", "--context-url", CONTEXT_URL), "applies to graph exports"),
    ],
)
def test_context_url_misuse_is_a_usage_error(
    run_cli: RunCli, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli("export", *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_document_with_a_remote_context_is_refused_in_one_line(
    run_cli: RunCli, tmp_path: Path, no_network: None
) -> None:
    dump = export(run_cli, tmp_path, "jsonld", "--part", "data", "--context-url", CONTEXT_URL)
    code, _, err = run_cli("info", "--no-bundled", "--no-inferred", "--data", dump)
    assert code == 2
    assert err.strip().splitlines() == [
        f"ecokg: error: {dump}: invalid JSON-LD: remote JSON-LD context {CONTEXT_URL!r} is "
        "not fetched: give the document its context inline (ecokg export writes it inline)"
    ]


# --- JSON-LD: named graphs -------------------------------------------------------------


def named_graphs(path: Path, fmt: str) -> dict[str, rdflib.Graph]:
    parsed = rdflib.Dataset()
    parsed.parse(path, format=fmt)
    return {str(g.identifier): g for g in parsed.graphs() if len(g)}


def test_jsonld_of_the_whole_dataset_keeps_the_named_graphs(
    run_cli: RunCli, tmp_path: Path, no_network: None
) -> None:
    dump = export(run_cli, tmp_path, "jsonld")
    quads = export(run_cli, tmp_path, "nq")
    document = json.loads(dump.read_bytes())
    bundled = (GRAPH_ONTOLOGY, plan_graph(BUNDLED_CODE), inferred_graph(BUNDLED_CODE))
    assert [node["@id"] for node in document["@graph"]] == sorted(bundled)
    graphs, expected = named_graphs(dump, "json-ld"), named_graphs(quads, "nquads")
    assert set(graphs) == set(expected) == set(bundled)
    for name in bundled:
        assert isomorphic(graphs[name], expected[name]), name


@pytest.mark.parametrize("part", ["ontology", "data", "inferred"])
def test_jsonld_of_one_part_is_a_single_default_graph(
    run_cli: RunCli, tmp_path: Path, part: str
) -> None:
    document = json.loads(export(run_cli, tmp_path, "jsonld", "--part", part).read_bytes())
    assert not any("@graph" in node for node in document["@graph"])


@pytest.mark.parametrize("part", ["all", "data"])
def test_our_jsonld_dumps_load_back_as_data(
    run_cli: RunCli, tmp_path: Path, dataset: Dataset, part: str
) -> None:
    dump = export(run_cli, tmp_path, "jsonld", "--part", part)
    turtle = export(run_cli, tmp_path, "ttl", "--part", part)
    query = (  # the dump's plan, in its own plan graph
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PLAN}")) }}'
    )
    counts = []
    for path in (dump, turtle):
        code, out, err = run_cli(
            "sparql", query, "--no-bundled", "--no-inferred", "--data", path, "--format", "csv"
        )
        assert code == 0, err
        counts.append(int(out.splitlines()[1]))
    assert counts[0] == counts[1] > 5000


# --- the static site -------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, NEW_BASE])
def test_site_documents_refer_to_the_sites_own_context(
    tmp_path: Path, mini_dataset: Dataset, base: str | None
) -> None:
    settings = CatalogSettings.create(base) if base else CatalogSettings.create()
    site = tmp_path / "site"
    build_site(mini_dataset, site, settings)
    hosted = settings.root + "context.jsonld"
    assert (site / "context.jsonld").is_file()
    page = json.loads((site / "id/360923/township/sixi.jsonld").read_bytes())
    dump = json.loads((site / "dumps/ecokg.jsonld").read_bytes())
    for document in (page, dump):
        reference = document["@context"]
        assert (reference if base is None else reference[0]) == hosted
    assert {node["@id"] for node in dump["@graph"]} <= set(DATASET_GRAPHS)
