"""``ecokg serve`` in-process (Starlette's TestClient): every route, content negotiation,
status codes, limits, escaping, and the W3C SPARQL 1.1 Protocol test cases that apply to a
read-only endpoint (names from the suite's manifest, data-sparql11/protocol)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient

from ecokg.kb import open_store
from ecokg.rdf.namespaces import BUNDLED_CODE, GRAPH_ONTOLOGY, plan_graph
from ecokg.serve import Limits, open_portal
from ecokg.serve.app import create_app
from ecokg.stores.local import Dataset

SIXI = "/id/360923/township/sixi"
SELECT = "SELECT ?s WHERE { ?s a eco:Township } ORDER BY ?s LIMIT 3"
ASK_TOWNSHIP = "ASK { ?s a eco:Township }"
GRAPH_PLAN = plan_graph(BUNDLED_CODE)  # the bundled plan's own graph
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def portal():  # type: ignore[no-untyped-def]
    portal = open_portal(limits=Limits(timeout=10, max_rows=500, max_body=4096), workers=2)
    yield portal
    portal.close()


@pytest.fixture(scope="module")
def client(portal) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(portal), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def no_language_cookie(client: TestClient) -> None:
    """Each test starts without the cookie a ``?lang=`` request leaves in the shared client."""
    client.cookies.clear()


def sparql_get(client: TestClient, query: str, accept: str | None = None, **params: str):  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


# --- pages -------------------------------------------------------------------------------


def test_dashboard_shows_the_plan_at_a_glance(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 200
    text = page.text
    assert '<html lang="zh">' in text
    assert text.count('<svg class="chart"') == 2  # programmes and agencies
    assert "水系湿地" in text or "水" in text  # a programme label in Chinese
    assert "108900" in text  # the water-wetland programme's investment
    assert 'id="indicators"' in text and 'id="zones"' in text and 'id="audit-summary"' in text
    assert 'href="/audit?severity=Violation"' in text


def test_dashboard_is_headed_by_the_plans_own_title(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    import re

    from ecokg.stores.base import select

    ((plan,),) = select(portal.dataset, "SELECT ?plan WHERE { ?plan a eco:Plan }").rows
    plan = plan.value
    for lang in ("zh", "en"):
        page = client.get("/", params={"lang": lang})
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.DOTALL)
        assert heading is not None
        title = re.sub(r"<[^>]+>", "", heading.group(1)).strip()
        assert title == portal.graph.label(plan, lang)
    assert "上高县国土空间生态修复规划（2021—2035年）" in client.get("/?lang=zh").text


def test_indicator_words_and_missing_values_get_no_unit(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    import html
    import re

    page = client.get("/", params={"lang": "zh"}).text
    table = page[page.index('id="indicators"') :]
    table = table[: table.index("</table>")]
    cells = {}
    for row in re.findall(r"<tr><td><a href=\"([^\"]+)\">.*?</a></td>(.*?)</tr>", table, re.DOTALL):
        href, rest = row
        texts = [
            html.unescape(re.sub(r"<small>.*?</small>|<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td>(.*?)</td>", rest, re.DOTALL)
        ]
        cells[href] = texts
    checked = 0
    for result in portal.evaluation.indicators:
        facts = result.facts
        baseline, target, _ = cells[portal.href(facts.iri)]
        for value, text, shown in (
            (facts.baseline, facts.baseline_text, baseline),
            (facts.target, facts.target_text, target),
        ):
            if value is None:  # words of the plan (基本消除), or nothing stated
                assert shown == (text or "—"), (facts.iri, shown)
                checked += 1
            elif facts.unit:
                unit = portal.label(facts.unit, "zh")
                assert shown == (text or "") + unit or shown.endswith(unit), (facts.iri, shown)
    assert checked >= 4  # 完成省市下达目标, 基本消除, 不低于国家批复要求, a missing baseline


def test_language_follows_accept_language_then_the_switch(client: TestClient) -> None:
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in english.text and "Investment by programme" in english.text
    switched = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert '<html lang="zh">' in switched.text
    assert "ecokg_lang=zh" in switched.headers["set-cookie"]
    client.cookies.clear()


def test_search_finds_labels_in_chinese_english_and_pinyin(client: TestClient) -> None:
    for text in ("泗溪", "Sixi", "sixi", "sxz"):
        found = client.get("/search", params={"q": text, "_format": "json"}).json()["results"]
        assert any(hit["href"] == SIXI for hit in found), text
    page = client.get("/search", params={"q": "泗溪"})
    assert f'href="{SIXI}"' in page.text


def test_ask_answers_with_rows_sections_and_the_sparql(client: TestClient) -> None:
    page = client.get("/ask", params={"q": "泗溪镇有哪些项目？"})
    assert page.status_code == 200
    assert 'id="answer"' in page.text and "<td>" in page.text
    assert 'id="sections"' in page.text and 'href="/id/360923/section/' in page.text
    assert 'href="/editor?query=' in page.text
    answer = client.get("/ask", params={"q": "泗溪镇有哪些项目？", "_format": "json"}).json()
    assert answer["rows"] and "sparql" in answer


def test_ask_reports_a_question_it_cannot_answer(client: TestClient) -> None:
    page = client.get("/ask", params={"q": "今天天气怎么样？"})
    assert page.status_code == 200 and 'id="ask-error"' in page.text
    assert client.get("/ask", params={"q": "x" * 400, "_format": "json"}).status_code == 400


def test_queries_list_forms_and_run_with_parameters(client: TestClient) -> None:
    library = client.get("/queries")
    assert library.status_code == 200 and 'action="/queries/projects-in-township"' in library.text
    run = client.get("/queries/projects-in-township", params={"township": "泗溪镇"})
    assert (
        run.status_code == 200 and 'id="results"' in run.text and "/id/360923/project/" in run.text
    )
    wrong = client.get("/queries/projects-in-township", params={"township": "火星"})
    assert wrong.status_code == 200 and 'class="error"' in wrong.text
    assert client.get("/queries/no-such-query").status_code == 404


def test_audit_filters_by_severity_and_family(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    total = len(portal.audit.findings)
    everything = client.get("/audit")
    assert everything.text.count('<tr class="finding') == total
    warnings = client.get("/audit", params={"severity": "Warning"})
    expected = sum(f.severity == "Warning" for f in portal.audit.findings)
    assert 0 < expected < total
    assert warnings.text.count('<tr class="finding warning') == expected
    assert warnings.text.count('<tr class="finding') == expected
    family = portal.audit.findings[0].family
    by_family = client.get("/audit", params={"family": family})
    assert by_family.text.count('<tr class="finding') == sum(
        f.family == family for f in portal.audit.findings
    )
    assert 'href="/id/360923/section/' in everything.text  # findings link their sections
    report = client.get("/audit", params={"_format": "json"}).json()
    assert report["summary"]["total"] == total


def test_editor_page_loads_the_vendored_yasgui_and_named_queries(client: TestClient) -> None:
    page = client.get("/editor", params={"query": "ASK {}"})
    assert '<script src="/static/vendor/yasgui/yasgui.min.js">' in page.text
    assert "projects-in-township" in page.text
    assert client.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200
    assert client.get("/static/vendor/yasgui/LICENSE").status_code == 200
    browser = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 200 and 'id="yasgui"' in browser.text


# --- dereferenceable IRIs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media", "suffix"),
    [
        (None, "text/html", ".html"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html", ".html"),
        ("text/turtle", "text/turtle", ".ttl"),
        ("application/ld+json", "application/ld+json", ".jsonld"),
        ("application/n-triples", "application/n-triples", ".nt"),
        ("application/rdf+xml", "application/rdf+xml", ".rdf"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json", ".jsonld"),
    ],
)
def test_iri_content_negotiation(
    client: TestClient, accept: str | None, media: str, suffix: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(SIXI, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == SIXI + suffix
    variant = client.get(SIXI + suffix)
    assert variant.status_code == 200 and variant.content == response.content


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(SIXI, params={"_format": "ttl"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "泗溪镇" in response.text
    assert client.get(SIXI, params={"_format": "png"}).status_code == 400


def test_iri_pages_match_the_static_site_documents(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    parsed = ox.parse(client.get(SIXI + ".ttl").content, format=ox.RdfFormat.TURTLE)
    triples = [quad.triple for quad in parsed]
    assert (
        ox.Triple(
            ox.NamedNode("https://w3id.org/ecokg/id/360923/township/sixi"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("泗溪镇", language="zh"),
        )
        in triples
    )
    document = client.get(SIXI + ".jsonld").json()
    assert document["@context"] == portal.context_url


def test_iri_page_shows_provenance(client: TestClient) -> None:
    page = client.get("/id/360923/project/polluted-farmland-safe-use")
    assert page.status_code == 200
    assert (
        'class="provenance"' in page.text and 'href="../section/table-4-1/row-12.html"' in page.text
    )


def test_ontology_and_hash_term_pages(client: TestClient) -> None:
    ontology = client.get("/def")
    assert ontology.status_code == 200 and 'id="Project"' in ontology.text
    term = client.get("/def/term/Project", headers={"Accept": "text/turtle"})
    assert term.status_code == 200 and "eco:Project" in term.text


def test_unknown_iri_is_404_with_a_page_for_browsers(client: TestClient) -> None:
    plain = client.get("/id/township/atlantis", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    page = client.get("/id/township/atlantis", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<h1>404" in page.text
    assert client.get(SIXI + ".exe").status_code == 404


def test_not_acceptable(client: TestClient) -> None:
    assert client.get(SIXI, headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    "path",
    [
        "/static/%2e%2e/portal.py",
        "/static/..%2fportal.py",
        "/static/vendor/yasgui/..%2f..%2f..%2fapp.py",
        "/id/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_no_path_traversal(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text and "root:" not in response.text


def test_catalog_and_void_with_conneg(client: TestClient) -> None:
    catalog = client.get("/catalog")
    assert catalog.headers["content-type"].startswith("text/turtle")
    assert "dcat:Catalog" in catalog.text
    as_jsonld = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(as_jsonld.text)
    void = client.get("/void", params={"_format": "nt"})
    assert void.headers["content-type"].startswith("application/n-triples")
    assert "http://rdfs.org/ns/void#triples" in void.text
    assert client.get("/context.jsonld").json()["@context"]


# --- SPARQL 1.1 Protocol (W3C test names) ---------------------------------------------------


def test_query_get(client: TestClient) -> None:
    response = sparql_get(client, SELECT, "application/sparql-results+json")
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 3


def test_query_post_form(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        data={"query": ASK_TOWNSHIP},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_query_post_direct(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=ASK_TOWNSHIP.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+xml",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<boolean>true</boolean>" in response.text


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<results>"),
        ("text/csv", "text/csv", "s\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", "?s\n"),
    ],
)
def test_query_content_type_select(
    client: TestClient, accept: str, media: str, marker: str
) -> None:
    response = sparql_get(client, SELECT, accept)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert marker in response.text and "Accept" in response.headers["vary"]


def test_query_content_type_ask(client: TestClient) -> None:
    response = sparql_get(client, ASK_TOWNSHIP, "application/sparql-results+json")
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json() == {"head": {}, "boolean": True}


def test_query_content_type_describe(client: TestClient) -> None:
    response = sparql_get(
        client, "DESCRIBE <https://w3id.org/ecokg/id/360923/township/sixi>", "text/turtle"
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    assert "泗溪镇" in response.text


def test_query_content_type_construct(client: TestClient) -> None:
    query = "CONSTRUCT { ?s a eco:Township } WHERE { ?s a eco:Township }"
    for accept, media in (
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        (None, "text/turtle"),
    ):
        response = sparql_get(client, query, accept)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)


def test_query_dataset_default_graphs_get(client: TestClient) -> None:
    # the ontology graph alone holds no township; the plan graph does
    only_ontology = sparql_get(
        client,
        ASK_TOWNSHIP,
        "application/sparql-results+json",
        **{"default-graph-uri": GRAPH_ONTOLOGY},
    )
    assert only_ontology.json()["boolean"] is False
    plan = sparql_get(
        client, ASK_TOWNSHIP, "application/sparql-results+json", **{"default-graph-uri": GRAPH_PLAN}
    )
    assert plan.json()["boolean"] is True


def test_query_dataset_default_graphs_post(client: TestClient) -> None:
    response = client.post(
        f"/sparql?default-graph-uri={quote(GRAPH_ONTOLOGY)}",
        content=ASK_TOWNSHIP.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    assert response.json()["boolean"] is False


def test_query_dataset_named_graphs_get(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = sparql_get(
        client, query, "application/sparql-results+json", **{"named-graph-uri": GRAPH_PLAN}
    )
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [GRAPH_PLAN]


def test_query_multiple_dataset(client: TestClient) -> None:
    # the protocol's dataset replaces the query's own FROM
    query = f"ASK FROM <{GRAPH_PLAN}> {{ ?s a eco:Township }}"
    response = sparql_get(
        client, query, "application/sparql-results+json", **{"default-graph-uri": GRAPH_ONTOLOGY}
    )
    assert response.json()["boolean"] is False


def test_bad_query_method(client: TestClient) -> None:
    assert client.put(f"/sparql?query={quote('ASK {}')}").status_code == 405


def test_bad_multiple_queries(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400


def test_bad_query_wrong_media_type(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(client: TestClient) -> None:
    response = client.post("/sparql", content=b"query=ASK%20%7B%7D")
    assert 400 <= response.status_code < 500


def test_bad_query_missing_direct_type(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}")
    assert 400 <= response.status_code < 500


def test_bad_query_non_utf8(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content='ASK { ?s ?p "é" }'.encode("utf-16"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


def test_bad_query_syntax(client: TestClient) -> None:
    response = sparql_get(client, "SELECT * WHERE {")
    assert response.status_code == 400 and "syntax" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (
            b"update=INSERT%20DATA%20%7B%3Ca%3E%20%3Cb%3E%20%3Cc%3E%7D",
            "application/x-www-form-urlencoded",
        ),
        (b"INSERT DATA { <a> <b> <c> }", "application/sparql-update"),
        (b"query=DROP%20ALL", "application/x-www-form-urlencoded"),
        (b"PREFIX x: <http://x/> CLEAR ALL", "application/sparql-query"),
    ],
    ids=[
        "update_post_form",
        "update_post_direct",
        "update_in_query_form",
        "update_in_query_direct",
    ],
)
def test_updates_are_refused(client: TestClient, content: bytes, content_type: str) -> None:
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    response = client.post("/sparql", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 403 and "read-only" in response.text
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert before == after


def test_bad_update_get(client: TestClient) -> None:
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403


def test_service_is_refused(client: TestClient) -> None:
    response = sparql_get(
        client, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    )
    assert response.status_code == 400 and "SERVICE" in response.text


def test_result_size_cap(client: TestClient) -> None:
    response = sparql_get(client, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 400 and "--max-rows" in response.text
    construct = sparql_get(client, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert construct.status_code == 400


def test_time_limit(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(portal.store, Dataset):
        pytest.skip("the embedded store only")
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    saved = portal.store.timeout
    portal.store.timeout = 0.3
    try:
        response = sparql_get(client, heavy)
    finally:
        portal.store.timeout = saved
    assert response.status_code == 503 and "no answer within" in response.text


def test_request_body_limit(client: TestClient) -> None:
    big = "ASK {}" + " " * 5000
    response = client.post(
        "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_cors_on_get(client: TestClient) -> None:
    response = sparql_get(client, ASK_TOWNSHIP, None)
    assert response.status_code == 200
    with_origin = client.get(
        "/sparql", params={"query": ASK_TOWNSHIP}, headers={"Origin": "https://portal.example"}
    )
    assert with_origin.headers["access-control-allow-origin"] == "*"


def test_errors_are_logged_not_shown(client: TestClient, portal, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object) -> object:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(portal, "search", broken)
    response = client.get("/search", params={"q": "x"})
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "secret internal detail" in caplog.text


# --- hostile data ----------------------------------------------------------------------------


def test_hostile_labels_are_escaped(tmp_path: Path) -> None:
    data = tmp_path / "hostile.ttl"
    data.write_text(
        "@prefix eco: <https://w3id.org/ecokg/def#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/ecokg/id/360923/township/evil> a eco:Township ;\n"
        f'  rdfs:label "{HOSTILE}"@zh, "{HOSTILE}"@en ;\n'
        f"  eco:inZone <https://w3id.org/ecokg/id/360923/zone/{quote('<x>')}> .\n"
        "<https://w3id.org/ecokg/id/360923/programme/forest>\n"
        '  rdfs:label "\\"><img src=x onerror=alert(1)>"@zh .\n',
        encoding="utf-8",
    )
    store = open_store(data=[data], inferred=False, timeout=10)
    hostile = open_portal(store, data=[data], limits=Limits(timeout=10))
    with TestClient(create_app(hostile), raise_server_exceptions=False) as test_client:
        pages = [
            test_client.get("/id/360923/township/evil"),
            test_client.get("/"),
            test_client.get("/search", params={"q": "script"}),
            test_client.get("/audit"),
            test_client.get("/id/360923/programme/forest"),
            test_client.get("/queries/projects-in-township", params={"township": HOSTILE}),
            test_client.get("/ask", params={"q": HOSTILE + "有哪些项目"}),
        ]
    for page in pages:
        assert page.status_code in (200, 404), page.url
        assert "<script>alert" not in page.text, page.url
        assert "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text


def test_queries_run_in_the_pool_not_a_child_per_query(
    client: TestClient, portal, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from ecokg import interrupts

    def no_fork(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a child was forked for one query")

    monkeypatch.setattr(interrupts, "run_in_child", no_fork)
    for accept in ("application/sparql-results+json", "text/csv"):
        response = sparql_get(client, SELECT, accept)
        assert response.status_code == 200 and "township" in response.text
    assert (
        client.get("/queries/projects-in-township", params={"township": "泗溪镇"}).status_code
        == 200
    )


def test_a_worker_out_of_time_is_replaced(client: TestClient, portal) -> None:  # type: ignore[no-untyped-def]
    pool = portal.store.pool
    before = {worker.pid for worker in list(pool._idle.queue)}
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    saved = portal.store.timeout
    portal.store.timeout = 0.3
    try:
        assert sparql_get(client, heavy).status_code == 503
    finally:
        portal.store.timeout = saved
    for _ in range(3):  # every worker, old and new, still answers
        assert sparql_get(client, ASK_TOWNSHIP).status_code == 200
    deadline = time.monotonic() + 10  # the replacement is forked by a background thread
    while pool._idle.qsize() < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)
    after = {worker.pid for worker in list(pool._idle.queue)}
    assert len(after) == pool.size and after != before


def test_help_shows_the_timeout_serve_uses(run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import re

    from ecokg.serve.portal import DEFAULT_TIMEOUT

    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli("serve", "--help")
    timeout_help = re.search(r"--timeout S\s.*?\[default: ([^\]]*)\]", out, re.DOTALL)
    assert code == 0 and timeout_help is not None
    assert timeout_help.group(1) == f"{DEFAULT_TIMEOUT:g}"
    code, out, _ = run_cli("query", "--help")  # other verbs keep theirs
    assert "[default: 30; push: 120 per upload]" in " ".join(out.split())


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("zh", ["严重程度", "类别", "对象（规则）", "问题说明", "出处"]),
        ("en", ["severity", "family", "resource (rule)", "finding", "sections"]),
    ],
)
def test_every_audit_column_has_a_header(client: TestClient, lang: str, headers: list[str]) -> None:
    import re

    page = client.get("/audit", params={"lang": lang}).text
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", page, re.DOTALL)
    assert head is not None
    found = re.findall(r"<th>(.*?)</th>", head.group(1))
    assert found == headers
    row = re.search(r'<tr class="finding[^"]*">(.*?)</tr>', page, re.DOTALL)
    assert row is not None and row.group(1).count("<td>") == len(found)


@pytest.mark.parametrize(
    "question",
    ["泗溪镇有哪些项目？", "哪些项目治理泗溪镇的土壤污染？", "各重大工程投资多少？"],
)
def test_ask_table_folds_label_columns_as_the_cli_does(  # type: ignore[no-untyped-def]
    client: TestClient, portal, question: str
) -> None:
    """The page's columns are those ``ecokg ask`` prints (an IRI column shows its label as
    the link text, its projectZh/projectEn columns are not repeated beside it), less a
    column that only repeats a link's text on every row (labelZh beside project)."""
    import re

    from ecokg.ask.answer import table_columns
    from ecokg.query.columns import title

    answer = portal.asker.ask(question)
    expected = [title(answer.match.query, answer.columns[n], "zh") for n in table_columns(answer)]
    page = client.get("/ask", params={"q": question, "lang": "zh"}).text
    section = page[page.index('id="answer"') :]
    headers = re.findall(r"<th>(.*?)</th>", section[: section.index("</thead>")])
    assert headers == [h for h in expected if h in headers] and len(set(headers)) == len(headers)
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    rows = [
        re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]
    assert rows and all(len(row) == len(headers) for row in rows)
    linked = [n for n in range(len(headers)) if all("<a " in row[n] for row in rows)]
    for link in linked:  # no column repeats a link's text on every row
        for other in set(range(len(headers))) - {link}:
            assert any(
                re.sub(r"<[^>]+>", "", row[link]) != re.sub(r"<[^>]+>", "", row[other])
                for row in rows
            ), (headers[link], headers[other])
