"""ecokg export: round trips, determinism, --base, atomic writes, the JSON-LD context, CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from ecokg.atomic import atomic_output
from ecokg.errors import InputError
from ecokg.kb import load_dataset
from ecokg.publish import export as exporting
from ecokg.rdf import jsonld_context
from ecokg.rdf.namespaces import (
    BUNDLED_CODE,
    ECO_NS,
    GRAPH_ONTOLOGY,
    GRAPH_PLAN,
    ID,
    PREFIXES,
    inferred_graph,
    plan_graph,
)
from ecokg.stores.local import Dataset
from tests.conftest import MINI, RunCli

RDFLIB_FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}
TRIPLE_FORMATS = ("ttl", "nt", "jsonld", "xml")
QUAD_FORMATS = ("nq", "trig")
# the bundled plan's graphs (the mini fixture declares no plan: the bare …/graph/plan)
BUNDLED_PLAN = plan_graph(BUNDLED_CODE)
GRAPHS = (GRAPH_ONTOLOGY, BUNDLED_PLAN, inferred_graph(BUNDLED_CODE))
NEW_BASE = "https://data.example.org/shanggao/id/"


def export_bytes(dataset: Dataset, fmt: str, part: str = "all", base: str = ID) -> bytes:
    buffer = io.BytesIO()
    exporting.export(dataset, fmt, buffer, part=part, base=base)
    return buffer.getvalue()


def parse(data: bytes, fmt: str) -> rdflib.Dataset:
    if fmt == "jsonld":
        data = jsonld_context.inline_context(data)  # the published context is not fetched
    parsed = rdflib.Dataset()
    parsed.parse(data=data, format=RDFLIB_FORMATS[fmt])
    return parsed


def source(dataset: Dataset) -> rdflib.Dataset:
    """The dataset's files as rdflib reads them (independent of the exporter; literals as
    the files write them, which the exports keep)."""
    parsed = rdflib.Dataset()
    for loaded in dataset.files:
        parsed.graph(rdflib.URIRef(loaded.graph)).parse(loaded.path, format="turtle")
    return parsed


def union(graph: rdflib.Dataset) -> rdflib.Graph:
    merged = rdflib.Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def named(graph: rdflib.Dataset, name: str) -> rdflib.Graph:
    found = rdflib.Graph()
    for triple in graph.graph(rdflib.URIRef(name)):
        found.add(triple)
    return found


@pytest.fixture(scope="module")
def source_graphs(dataset: Dataset) -> rdflib.Dataset:
    return source(dataset)


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_round_trip(dataset: Dataset, source_graphs, fmt: str) -> None:
    exported = union(parse(export_bytes(dataset, fmt), fmt))
    expected = union(source_graphs)
    assert len(exported) == len(expected)
    assert isomorphic(exported, expected)


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_quad_formats_keep_the_named_graphs(dataset: Dataset, source_graphs, fmt: str) -> None:
    exported = parse(export_bytes(dataset, fmt), fmt)
    names = {str(context.identifier) for context in exported.graphs() if len(context)}
    assert names == {name for name in GRAPHS if len(named(source_graphs, name))}
    for name in GRAPHS:
        assert isomorphic(named(exported, name), named(source_graphs, name)), name


@pytest.mark.parametrize(("part", "graph"), [("ontology", GRAPH_ONTOLOGY), ("data", BUNDLED_PLAN)])
def test_part_selects_one_graph(dataset: Dataset, source_graphs, part: str, graph: str) -> None:
    exported = parse(export_bytes(dataset, "nq", part=part), "nq")
    assert {str(c.identifier) for c in exported.graphs() if len(c)} == {graph}
    assert isomorphic(named(exported, graph), named(source_graphs, graph))


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_exports_are_deterministic(dataset: Dataset, fmt: str) -> None:
    # A second, independent load gets other blank node ids from the parser.
    again = load_dataset()
    assert export_bytes(dataset, fmt) == export_bytes(again, fmt)


def test_output_does_not_depend_on_the_process(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out-{seed}.ttl"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "ecokg", "export", "--part", "ontology", "-o", target]
        subprocess.run([str(arg) for arg in command], check=True, env=env)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_blank_nodes_get_content_labels(dataset: Dataset) -> None:
    text = export_bytes(dataset, "nt", part="ontology").decode()
    labels = {word for word in text.split() if word.startswith("_:")}
    assert labels, "the ontology has blank nodes (lists, axioms)"
    assert all(len(label) >= len("_:b") + 16 for label in labels)


def test_sorted_lines(dataset: Dataset) -> None:
    lines = export_bytes(dataset, "nq").decode().splitlines()
    assert lines == sorted(lines)


@pytest.mark.parametrize("fmt", ["nq", "jsonld"])
def test_base_rewrites_instances_and_keeps_terms(dataset: Dataset, fmt: str) -> None:
    original = parse(export_bytes(dataset, fmt), fmt)
    moved = parse(export_bytes(dataset, fmt, base=NEW_BASE), fmt)

    def iris(graph: rdflib.Dataset) -> set[str]:
        return {
            str(term)
            for quad in graph.quads((None, None, None, None))
            for term in quad[:3]
            if isinstance(term, rdflib.URIRef)
        }

    before, after = iris(original), iris(moved)
    instances = {iri for iri in before if iri.startswith(ID)}
    assert instances
    assert not any(iri.startswith(ID) for iri in after)
    assert {NEW_BASE + iri[len(ID) :] for iri in instances} <= after
    assert {iri for iri in before if iri.startswith(ECO_NS)} == {
        iri for iri in after if iri.startswith(ECO_NS)
    }
    assert len(after) == len(before)
    if fmt == "nq":
        assert {str(c.identifier) for c in moved.graphs() if len(c)} >= {BUNDLED_PLAN}


def test_base_moves_the_turtle_prefixes(dataset: Dataset) -> None:
    text = export_bytes(dataset, "ttl", part="data", base=NEW_BASE).decode()
    assert f"@prefix proj: <{NEW_BASE}360923/project/> ." in text
    assert "w3id.org/ecokg/id/" not in text


def test_jsonld_carries_the_published_context_inline(dataset: Dataset) -> None:
    document = json.loads(export_bytes(dataset, "jsonld", part="data"))
    assert document["@context"] == jsonld_context.published_context()
    project = next(n for n in document["@graph"] if n["@id"] == "proj:forest-tending")
    assert project["@type"] == "eco:Project"
    assert set(project["label"]) == {"zh", "en"}
    moved = json.loads(export_bytes(dataset, "jsonld", part="data", base=NEW_BASE))
    assert moved["@context"]["proj"] == NEW_BASE + "360923/project/"
    assert moved["@context"]["eco"] == ECO_NS


def test_context_has_the_prefixes_and_eco_property_terms(dataset: Dataset) -> None:
    context = jsonld_context.published_context()
    for prefix, namespace in PREFIXES.items():
        assert context[prefix] == namespace
    kinds: dict[str, set[str]] = {}
    query = "SELECT ?p ?t WHERE { ?p a ?t }"
    for row in dataset.query(query):
        kinds.setdefault(row[0].value, set()).add(row[1].value)
    terms = {k: v for k, v in context.items() if isinstance(v, dict)}
    eco_terms = {k: v for k, v in terms.items() if v["@id"].startswith("eco:")}
    assert len(eco_terms) > 50
    for term, definition in eco_terms.items():
        iri = ECO_NS + definition["@id"][len("eco:") :]
        types = kinds.get(iri, set())
        assert types, f"{term}: {iri} is not declared in the ontology"
        object_property = "http://www.w3.org/2002/07/owl#ObjectProperty" in types
        assert (definition.get("@type") == "@id") == object_property, term
    assert "prefLabel" in terms and terms["prefLabel"]["@container"] == "@language"


def test_cli_prints_the_context(run_cli: RunCli) -> None:
    code, out, err = run_cli("export", "--context")
    assert code == 0, err
    assert json.loads(out) == json.loads(jsonld_context.context_bytes())


class _Boom(RuntimeError):
    pass


def test_failed_write_leaves_the_existing_file(dataset: Dataset, tmp_path, monkeypatch) -> None:
    target = tmp_path / "plan.ttl"
    target.write_text("previous release\n")

    def failing_serialize(data, output, *args, **kwargs):
        output.write(b"@prefix half: <written> .\n")
        raise _Boom("disk full")

    monkeypatch.setattr(exporting.ox, "serialize", failing_serialize)
    with pytest.raises(_Boom):
        exporting.export_to_file(dataset, "ttl", target, part="data")
    assert target.read_text() == "previous release\n"
    assert [path.name for path in tmp_path.iterdir()] == ["plan.ttl"]


def test_write_replaces_the_file(dataset: Dataset, tmp_path) -> None:
    target = tmp_path / "plan.nt"
    target.write_text("previous release\n")
    exporting.export_to_file(dataset, "nt", target, part="data")
    assert target.read_bytes() == export_bytes(dataset, "nt", part="data")
    assert [path.name for path in tmp_path.iterdir()] == ["plan.nt"]


def test_atomic_output_reports_unwritable_targets(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for target in (tmp_path / "file" / "out.ttl", tmp_path / "missing" / "out.ttl", tmp_path):
        with pytest.raises(InputError), atomic_output(target) as stream:
            stream.write(b"never")


def test_cli_export_to_file(run_mini: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "mini.trig"
    code, out, err = run_mini("export", "--format", "trig", "--part", "data", "-o", target)
    assert (code, out, err) == (0, "", "")
    exported = parse(target.read_bytes(), "trig")
    expected = rdflib.Graph().parse(MINI, format="turtle")
    assert isomorphic(named(exported, GRAPH_PLAN), expected)


def test_cli_format_follows_the_output_suffix(run_mini: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "mini.nq"
    code, _, err = run_mini("export", "--part", "data", "-o", target)
    assert code == 0, err
    assert target.read_text().splitlines()[0].endswith(f"<{GRAPH_PLAN}> .")


def test_cli_export_to_stdout(run_mini: RunCli) -> None:
    code, out, err = run_mini("export", "--format", "nt", "--part", "data")
    assert code == 0, err
    expected = rdflib.Graph().parse(MINI, format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=out, format="nt"), expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "--format 'csv': choose one of"),
        (["--part", "everything"], "--part 'everything': choose one of"),
        (["--base", "not an iri/"], "--base"),
        (["--base", "ftp://example.org/id/"], "absolute http(s) IRI"),
        (["--base", "https://example.org/id"], "must end with /"),
        (["--base", "https://exa mple.org/id/"], "--base"),
        (["--context", "--catalog"], "cannot be combined"),
    ],
)
def test_cli_usage_errors(run_mini: RunCli, args: list[str], message: str) -> None:
    code, out, err = run_mini("export", *args)
    assert code == 2
    assert out == ""
    assert err.startswith("ecokg: error: ") and message in err
    assert err.count("\n") == 1


def test_cli_unwritable_output(run_mini: RunCli, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for target in (tmp_path / "missing" / "x.ttl", tmp_path / "file" / "x.ttl", tmp_path):
        code, _, err = run_mini("export", "--part", "data", "-o", target)
        assert code == 2, err
        assert err.startswith(f"ecokg: error: {target}") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
