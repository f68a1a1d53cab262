"""Result rendering, W3C serialisations and atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from rich.console import Console

from ecokg.atomic import write_atomic
from ecokg.errors import InputError, UsageError
from ecokg.query.results import print_table, serialize_result, term_text
from ecokg.rdf.namespaces import compact, expand
from ecokg.stores.base import SolutionTable
from ecokg.stores.local import Dataset

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_write_atomic_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_atomic(target, "第一\n")
    assert target.read_text(encoding="utf-8") == "第一\n"
    write_atomic(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


def test_write_atomic_respects_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    old = os.umask(0o022)
    try:
        write_atomic(target, "x")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_atomic_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "out.txt", "x")


def test_compact_and_expand() -> None:
    assert compact("https://w3id.org/ecokg/id/360923/township/sixi") == "tw:sixi"
    assert compact("https://w3id.org/ecokg/def/unit#WanYuan") == "ecounit:WanYuan"
    assert compact("https://w3id.org/ecokg/def#Project") == "eco:Project"
    assert compact("https://example.org/x") == "<https://example.org/x>"
    assert compact("https://w3id.org/ecokg/id/a b") == "<https://w3id.org/ecokg/id/a b>"
    assert expand("eco:Project") == "https://w3id.org/ecokg/def#Project"
    assert expand("nope:Project") is None and expand("Project") is None


def test_term_text() -> None:
    iri = ox.NamedNode("https://w3id.org/ecokg/id/360923/township/sixi")
    assert term_text(iri) == "tw:sixi"
    assert term_text(iri, {iri.value: "泗溪镇"}) == "泗溪镇 <tw:sixi>"
    other = ox.NamedNode("https://example.org/x")
    assert term_text(other, {other.value: "X"}) == "X <https://example.org/x>"
    assert term_text(ox.Literal("泗溪镇", language="zh")) == "泗溪镇"
    assert term_text(ox.Literal("1078", datatype=ox.NamedNode(XSD + "integer"))) == "1078"
    custom = ox.Literal("5", datatype=ox.NamedNode("https://w3id.org/ecokg/def#level"))
    assert term_text(custom) == "5^^eco:level"
    assert term_text(None) == ""


def small_dataset() -> Dataset:
    dataset = Dataset()
    graph = ox.NamedNode("https://w3id.org/ecokg/graph/plan")
    subject = ox.NamedNode("https://w3id.org/ecokg/id/360923/township/sixi")
    dataset.store.add(
        ox.Quad(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal("泗溪镇", language="zh"), graph)
    )  # fmt: skip
    return dataset


def test_print_table_with_labels() -> None:
    dataset = small_dataset()
    result = dataset.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }")
    assert isinstance(result, ox.QuerySolutions)
    table = SolutionTable.from_solutions(result)
    assert table.variables == ["s", "l"]
    console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
    print_table(console, table, dataset.labels(table.iris(), "en"))
    text = console.export_text()
    assert "泗溪镇 <tw:sixi>" in text and "1 row" in text


def test_serialize_select_json_and_mismatched_format() -> None:
    dataset = small_dataset()
    payload = serialize_result(dataset.query("SELECT ?l WHERE { ?s rdfs:label ?l }"), "json")
    assert json.loads(payload)["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "泗溪镇", "xml:lang": "zh"}}
    ]
    with pytest.raises(UsageError):
        serialize_result(dataset.query("SELECT ?l WHERE { ?s rdfs:label ?l }"), "turtle")
    with pytest.raises(UsageError):
        serialize_result(dataset.query("CONSTRUCT WHERE { ?s ?p ?o }"), "tsv")


def test_turtle_declares_only_used_prefixes() -> None:
    turtle = serialize_result(small_dataset().query("CONSTRUCT WHERE { ?s ?p ?o }"), "turtle")
    text = turtle.decode()
    assert "@prefix rdfs:" in text and "@prefix id:" in text and "@prefix foaf:" not in text


def test_label_fallbacks() -> None:
    dataset = Dataset()
    subject = ox.NamedNode("https://w3id.org/ecokg/id/x")
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    pref_label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    dataset.store.add(ox.Quad(subject, rdfs_label, ox.Literal("English", language="en")))
    dataset.store.add(ox.Quad(subject, pref_label, ox.Literal("中文", language="zh")))
    assert dataset.label(subject.value, "zh") == "中文"  # prefLabel in zh beats label in en
    assert dataset.label(subject.value, "en") == "English"
    assert dataset.label("https://w3id.org/ecokg/id/none", "zh") is None
