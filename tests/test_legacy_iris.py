"""Release 0.2 names instances by county code (…/id/360923/township/sixi) and still accepts
the 0.1 IRIs (…/id/township/sixi) wherever a user types one: named-query parameters, ``ask``,
``--data`` files, ``ecokg serve`` and the static site. Each test compares what the user gets
from the old IRI with what the new one gives (and that the new one gives something)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ecokg.ask.engine import Asker
from ecokg.publish.catalog import CatalogSettings
from ecokg.publish.site import build_site
from ecokg.rdf.iris import legacy_iri
from ecokg.rdf.namespaces import PREFIXES, expand
from ecokg.serve import Limits, open_portal
from ecokg.serve.app import create_app
from ecokg.stores.local import Dataset
from tests.conftest import RunCli

QUERY_PARAMS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "query_params.json").read_text()
)
# Monitoring data for the queries that need it, loaded on top of the bundled plan.
MONITORING = Path(__file__).parent / "fixtures" / "queries"
INSTANCE_PREFIXES = {prefix for prefix, ns in PREFIXES.items() if legacy_iri(ns + "x")}


def _instance_parameters() -> list[tuple[str, str, str]]:
    """(query, parameter, CURIE) for every query parameter that names a bundled instance."""
    return [
        (query, name, value)
        for query, values in sorted(QUERY_PARAMS.items())
        for name, value in values.items()
        if value.partition(":")[0] in INSTANCE_PREFIXES
    ]


def _params(values: dict[str, str], **override: str) -> list[str]:
    merged = {**values, **override}
    return [arg for name, value in merged.items() for arg in ("--param", f"{name}={value}")]


@pytest.mark.parametrize(("query", "name", "curie"), _instance_parameters())
def test_a_legacy_iri_parameter_gives_the_same_rows(
    run_cli: RunCli, query: str, name: str, curie: str
) -> None:
    new = expand(curie)
    assert new is not None
    old = legacy_iri(new)
    assert old is not None and old != new
    values = QUERY_PARAMS[query]
    fixture = MONITORING / f"{query}.ttl"
    data = ("--data", fixture) if fixture.is_file() else ()
    expected = run_cli("query", query, "-f", "csv", *data, *_params(values, **{name: new}))
    assert expected[0] == 0, expected[2]
    assert len(expected[1].splitlines()) > 1, f"{query}: the new IRI gives no rows"
    for typed in (old, f"<{old}>"):
        got = run_cli("query", query, "-f", "csv", *data, *_params(values, **{name: typed}))
        assert got == expected, (query, typed)


def test_the_plan_knows_its_code_and_iri_space(dataset: Dataset) -> None:
    rows = dataset.query(
        """SELECT ?code ?space WHERE { ?plan a eco:Plan ; dcterms:spatial ?county ;
        void:uriSpace ?space ; dcat:version ?version . ?county eco:divisionCode ?code }"""
    )
    assert [(row[0].value, row[1].value) for row in rows] == [
        ("360923", "https://w3id.org/ecokg/id/360923/")
    ]


def test_monitoring_data_written_with_legacy_iris_still_meets_the_plan(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A 0.1 user file naming ind:forest-cover by its old full IRI."""
    data = tmp_path / "old.ttl"
    data.write_text(
        "<https://w3id.org/ecokg/id/indicator/forest-cover>"
        ' <http://www.w3.org/2000/01/rdf-schema#comment> "mine" .\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(
        "sparql",
        "-f",
        "csv",
        "--data",
        data,
        'SELECT ?c WHERE { ind:forest-cover rdfs:comment ?c . FILTER(STR(?c) = "mine") }',
    )
    assert code == 0, err
    assert out.split() == ["c", "mine"]
    assert err.count("release 0.1 IRIs") == 1


@pytest.fixture(scope="module")
def asker(dataset: Dataset) -> Asker:
    return Asker.create(dataset)


@pytest.mark.parametrize(
    "typed",
    [
        "https://w3id.org/ecokg/id/zone/northeast-jinjiang",
        "<https://w3id.org/ecokg/id/zone/northeast-jinjiang>",
        "https://w3id.org/ecokg/id/360923/zone/northeast-jinjiang",
        "zone:northeast-jinjiang",
    ],
)
def test_ask_links_a_typed_iri_old_or_new(asker: Asker, typed: str) -> None:
    """The IRI's words (northeast, jinjiang) would name the river 锦江 on their own."""
    by_name = asker.ask("东北部锦江水环境综合治理与土地综合整治分区有哪些问题").to_json()
    by_iri = asker.ask(f"{typed} 有哪些问题").to_json()
    assert by_name["rows"], by_name
    assert (by_iri["params"], by_iri["rows"]) == (by_name["params"], by_name["rows"])


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    portal = open_portal(limits=Limits(timeout=10), workers=1)
    try:
        with TestClient(create_app(portal), raise_server_exceptions=False) as test_client:
            yield test_client
    finally:
        portal.close()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/id/township/sixi", "/id/360923/township/sixi"),
        ("/id/township/sixi.ttl", "/id/360923/township/sixi.ttl"),
        ("/id/township/sixi?_format=jsonld", "/id/360923/township/sixi?_format=jsonld"),
        ("/id/section/box-2-1/notes.html", "/id/360923/section/box-2-1/notes.html"),
    ],
)
def test_serve_moves_a_legacy_address_permanently(client: TestClient, old: str, new: str) -> None:
    response = client.get(old, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, new)
    assert client.get(old).status_code == 200


@pytest.mark.parametrize("path", ["/id/township/atlantis", "/id/test/sixi", "/id/361001/x/y"])
def test_serve_still_answers_404_for_what_never_was(client: TestClient, path: str) -> None:
    assert client.get(path, follow_redirects=False).status_code == 404


def test_the_site_keeps_the_old_pages_as_redirects(dataset: Dataset, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(dataset, site, CatalogSettings.create())
    assert (site / "id/360923/township/sixi.html").is_file()
    stub = (site / "id/township/sixi.html").read_text(encoding="utf-8")
    assert 'url=../360923/township/sixi.html"' in stub
    assert 'rel="canonical" href="../360923/township/sixi.html"' in stub
    nested = (site / "id/section/box-2-1/notes.html").read_text(encoding="utf-8")
    assert "url=../../360923/section/box-2-1/notes.html" in nested
    readme = (site / "README.md").read_text(encoding="utf-8")
    assert "RewriteRule" in readme and "rewrite ^" in readme
