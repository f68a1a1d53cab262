"""The static linked-data site (ecokg export --site)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
import rdflib
from rdflib.compare import isomorphic

from ecokg.publish.catalog import CatalogSettings
from ecokg.publish.site import build_site, page_path
from ecokg.rdf import jsonld_context
from ecokg.rdf.namespaces import ECO_NS, ID, RDFS
from ecokg.stores.local import Dataset
from tests.conftest import RunCli

ROOT = "https://w3id.org/ecokg/"


@pytest.fixture(scope="module")
def site(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("site")
    build_site(dataset, directory, CatalogSettings.create())
    return directory


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, Any]:
    """Every HTML page, parsed by html5lib's strict parser (any parse error fails)."""
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parsed[path] = parser.parse(path.read_bytes())
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{path.relative_to(site)}: {error}")
    return parsed


def _subjects(dataset: Dataset, prefix: str) -> set[str]:
    query = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{prefix}')) }}"
    return {row[0].value for row in dataset.query(query)}


def test_mapping_rule() -> None:
    assert page_path(ID + "project/forest-tending", ROOT, ID) == "id/project/forest-tending"
    assert page_path(ECO_NS + "Project", ROOT, ID) == "def/term/Project"
    assert page_path(ECO_NS, ROOT, ID) == "def"
    assert page_path(ROOT + "def/unit#WanYuan", ROOT, ID) == "def/unit/term/WanYuan"
    assert page_path(ROOT + "def/category", ROOT, ID) == "def/category"
    assert page_path("http://qudt.org/vocab/unit/HA", ROOT, ID) is None
    base = "https://data.example.org/shanggao/"
    assert page_path(base + "township/sixi", "https://data.example.org/", base) == (
        "shanggao/township/sixi"
    )
    assert page_path(ID + "x/../../etc", ROOT, ID) is None


def test_every_resource_has_a_page(dataset: Dataset, site: Path) -> None:
    resources = _subjects(dataset, ID) | _subjects(dataset, ROOT + "def")
    assert len(resources) > 900
    for iri in resources:
        path = page_path(iri, ROOT, ID)
        assert path is not None, iri
        for suffix in (".html", ".ttl", ".jsonld"):
            assert (site / (path + suffix)).is_file(), iri + suffix


def test_every_page_parses_and_every_link_resolves(site: Path, pages: dict[Path, Any]) -> None:
    assert len(pages) > 900
    broken = []
    for path, tree in pages.items():
        assert tree.get("lang") == "zh", path
        assert tree.find("head/meta[@charset]").get("charset") == "utf-8", path
        for element in tree.iter():
            for attribute in ("href", "src"):
                link = element.get(attribute)
                if link is None:
                    continue
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path:
                    continue
                if not (path.parent / unquote(parts.path)).resolve().is_file():
                    broken.append(f"{path.relative_to(site)} → {link}")
                if parts.fragment and parts.path.endswith("def.html"):
                    target = (path.parent / unquote(parts.path)).resolve()
                    assert target == (site / "def.html").resolve()
    assert broken == []


def test_pages_show_zh_and_en_labels(dataset: Dataset, site: Path, pages) -> None:
    labels: dict[str, dict[str, set[str]]] = {}
    query = f"SELECT ?s ?l WHERE {{ ?s <{RDFS}label> ?l }}"
    for subject, label in dataset.query(query):
        if label.language in ("zh", "en"):
            found = labels.setdefault(subject.value, {})
            found.setdefault(label.language, set()).add(label.value)
    checked = 0
    for iri, by_language in labels.items():
        path = page_path(iri, ROOT, ID)
        if path is None or len(by_language) < 2:
            continue
        heading = pages[site / (path + ".html")].find(".//h1")
        spans = {span.get("lang"): span.text for span in heading.iter("span")}
        assert set(spans) == {"zh", "en"}, iri
        assert spans["zh"] in by_language["zh"] and spans["en"] in by_language["en"], iri
        checked += 1
    assert checked > 900


def test_project_page_shows_provenance(site: Path, pages) -> None:
    page = site / "id/360923/project/forest-tending.html"
    text = page.read_text(encoding="utf-8")
    tree = pages[page]
    section = tree.find(".//section[@class='provenance']")
    assert section is not None
    links = [a.get("href") for a in section.iter("a")]
    assert links and all(link.startswith("../section/") for link in links)
    assert "原文第" in "".join(section.itertext())  # source line ranges
    assert "source lines" in text
    assert "森林抚育" in text


def test_quotes_are_shown(dataset: Dataset, site: Path) -> None:
    rows = dataset.query(f"SELECT ?s ?q WHERE {{ ?s <{ECO_NS}quote> ?q }} LIMIT 20")
    for subject, quote in rows:
        path = page_path(subject.value, ROOT, ID)
        assert path is not None
        text = (site / (path + ".html")).read_text(encoding="utf-8")
        escaped = quote.value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in text


def test_ontology_page_documents_every_term(dataset: Dataset, site: Path, pages) -> None:
    tree = pages[site / "def.html"]
    anchors = {element.get("id") for element in tree.iter() if element.get("id")}
    query = (
        "SELECT DISTINCT ?t WHERE { ?t a ?k FILTER(STRSTARTS(STR(?t), STR(eco:)) && "
        "?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }"
    )
    terms = {row[0].value[len(ECO_NS) :] for row in dataset.query(query)}
    assert len(terms) > 100
    assert terms <= anchors
    query = (
        "SELECT ?t ?label WHERE { ?t rdfs:domain ?d ; rdfs:range ?r ; rdfs:label ?label "
        "FILTER(STRSTARTS(STR(?t), STR(eco:)) && LANG(?label) = 'zh') }"
    )
    documented = 0
    for term, label in dataset.query(query):
        article = tree.find(f".//article[@id='{term.value[len(ECO_NS) :]}']")
        text = "".join(article.itertext())
        assert "Domain" in text and "Range" in text and label.value in text, term
        documented += 1
    assert documented > 10


def test_resource_data_files(site: Path) -> None:
    base = site / "id/360923/project/forest-tending"
    turtle = rdflib.Graph().parse(base.with_suffix(".ttl"), format="turtle")
    subject = rdflib.URIRef(ID + "360923/project/forest-tending")
    assert (subject, rdflib.RDF.type, rdflib.URIRef(ECO_NS + "Project")) in turtle
    data = base.with_suffix(".jsonld").read_bytes()
    assert json.loads(data)["@context"] == jsonld_context.CONTEXT_URL
    document = rdflib.Graph().parse(data=jsonld_context.inline_context(data), format="json-ld")
    assert isomorphic(document, turtle)


def test_document_data_describe_their_hash_iris(site: Path) -> None:
    ontology = rdflib.Graph().parse(site / "def.ttl", format="turtle")
    assert (rdflib.URIRef(ECO_NS + "Project"), rdflib.RDF.type, rdflib.OWL.Class) in ontology
    units = rdflib.Graph().parse(site / "def/unit.ttl", format="turtle")
    assert rdflib.URIRef(ROOT + "def/unit#WanYuan") in set(units.subjects())
    term = rdflib.Graph().parse(site / "def/term/Project.ttl", format="turtle")
    assert set(term.subjects()) == {rdflib.URIRef(ECO_NS + "Project")}


def test_index_dumps_catalogue_and_readme(dataset: Dataset, site: Path, pages) -> None:
    index = pages[site / "index.html"]
    hrefs = {a.get("href") for a in index.iter("a")}
    for iri in _subjects(dataset, ID):
        assert page_path(iri, ROOT, ID) + ".html" in hrefs, iri
    for name in ("ttl", "nt", "jsonld"):
        assert (site / f"dumps/ecokg.{name}").stat().st_size > 1000
    assert (site / "catalog.ttl").is_file() and (site / "catalog.jsonld").is_file()
    assert (site / "context.jsonld").read_bytes() == jsonld_context.context_bytes()
    readme = (site / "README.md").read_text(encoding="utf-8")
    assert "MultiViews" in readme and "try_files" in readme


def test_site_under_another_base(mini_dataset: Dataset, tmp_path: Path, capfd) -> None:
    base = "https://data.example.org/shanggao/id/"
    count = build_site(mini_dataset, tmp_path / "site", CatalogSettings.create(base))
    assert count > 5
    page = tmp_path / "site/id/360923/township/sixi.html"
    text = page.read_text(encoding="utf-8")
    assert base + "360923/township/sixi" in text
    assert "https://w3id.org/ecokg/id/" not in text
    assert (tmp_path / "site/def/term/Township.html").is_file()
    assert capfd.readouterr().err == ""  # no progress bar when stderr is not a terminal


def test_cli_site(run_mini: RunCli, tmp_path: Path) -> None:
    code, out, err = run_mini("export", "--site", tmp_path / "out")
    assert (code, out, err) == (0, "", "")
    assert (tmp_path / "out/id/360923/project/green-mine-construction.html").is_file()


def test_cli_site_errors(run_mini: RunCli, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for args in (
        ["--site", tmp_path / "file"],
        ["--site", tmp_path / "d", "--format", "nt"],
        ["--site", tmp_path / "d", "--part", "data"],
    ):
        code, _, err = run_mini("export", *args)
        assert code == 2, err
        assert err.startswith("ecokg: error: ") and err.count("\n") == 1
