"""``ecokg serve`` as users meet it: the real command on 127.0.0.1 (one server for the module),
queried by SPARQLWrapper, and pages driven in headless Chromium by Playwright (one browser).
Screenshots go to the test's tmp directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.oxigraph_server import free_port

pytestmark = pytest.mark.server
STARTUP_SECONDS = 60.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ecokg serve --port P`` (a free port), waited for at most STARTUP_SECONDS."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ecokg", "serve", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"ecokg serve exited: {log_path.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=2):
                        break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline:
                        pytest.fail(f"ecokg serve did not answer within {STARTUP_SECONDS:g} s")
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    assert "Traceback" not in log_path.read_text(errors="replace")


def test_binds_loopback_only(base_url: str) -> None:
    assert base_url.startswith("http://127.0.0.1:")


def test_sparqlwrapper_select_ask_construct(base_url: str) -> None:
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{base_url}/sparql")
    client.setQuery(
        "PREFIX eco: <https://w3id.org/ecokg/def#> "
        "SELECT ?t WHERE { ?t a eco:Township } ORDER BY ?t LIMIT 5"
    )
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == 5
    client.setMethod("POST")
    client.setReturnFormat(XML)
    client.setQuery("ASK { <https://w3id.org/ecokg/id/360923/township/sixi> ?p ?o }")
    document = client.queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    client.setMethod("GET")
    client.setReturnFormat(TURTLE)
    client.setQuery("DESCRIBE <https://w3id.org/ecokg/id/360923/township/sixi>")
    turtle = client.queryAndConvert()
    assert "泗溪镇".encode() in turtle  # type: ignore[operator]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing under CI (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 5_000
    return path


def test_dashboard_renders_charts_without_console_errors(
    base_url: str, page: Any, tmp_path: Path
) -> None:
    page.goto(base_url + "/")
    bars = page.locator("#chart-programmes rect.bar")
    assert bars.count() == 5
    assert bars.first.bounding_box()["width"] > 100  # the largest programme fills the chart
    assert page.locator("#indicators tbody tr").count() > 5
    shot(page, tmp_path, "dashboard")
    page.click("text=English")
    assert page.locator("h1").inner_text() == (
        "Shanggao County Territorial Ecological Restoration Plan (2021–2035)"
    )
    assert page.console_errors == []


def test_chart_labels_are_not_clipped(base_url: str, page: Any) -> None:
    """At 1280 px, in both languages, every bar label lies inside its chart, left of its bar."""
    for lang in ("zh", "en"):
        page.goto(f"{base_url}/?lang={lang}")
        for chart in ("#chart-programmes", "#chart-agencies"):
            box = page.locator(chart).bounding_box()
            labels = page.locator(f"{chart} text.label")
            assert labels.count() > 2
            bar_left = page.locator(f"{chart} rect.bar").first.bounding_box()["x"]
            for index in range(labels.count()):
                label = labels.nth(index).bounding_box()
                where = (lang, chart, labels.nth(index).text_content())
                assert label["x"] >= box["x"] - 0.5, where
                assert label["x"] + label["width"] <= bar_left + 0.5, where


def test_ask_box_answers(base_url: str, page: Any, tmp_path: Path) -> None:
    page.goto(base_url + "/")
    page.fill(".askbox input[name=q]", "泗溪镇有哪些项目？")
    page.press(".askbox input[name=q]", "Enter")
    page.wait_for_selector("#answer")
    assert page.locator("#answer tbody tr").count() >= 1
    assert page.locator("#sections a").count() >= 1
    shot(page, tmp_path, "ask")
    assert page.console_errors == []


def test_audit_filter(base_url: str, page: Any, tmp_path: Path) -> None:
    page.goto(base_url + "/audit")
    total = page.locator("tr.finding").count()
    page.select_option("select[name=severity]", "Warning")
    page.click("#audit-filter button")
    page.wait_for_url("**severity=Warning**")
    warnings = page.locator("tr.finding").count()
    assert 0 < warnings < total
    assert page.locator("tr.finding.violation").count() == 0
    shot(page, tmp_path, "audit")
    assert page.console_errors == []


def test_editor_runs_a_query(base_url: str, page: Any, tmp_path: Path) -> None:
    page.goto(base_url + "/editor")
    page.wait_for_function("window.ecokgYasgui !== undefined")
    page.evaluate(
        "() => { window.ecokgYasgui.getTab().setQuery("
        "'PREFIX eco: <https://w3id.org/ecokg/def#> "
        "SELECT ?zone WHERE { ?zone a eco:RestorationZone }'); }"
    )
    page.evaluate("() => { window.ecokgYasgui.getTab().query(); }")
    page.wait_for_selector(".yasr .dataTable tbody tr, .yasr table tbody tr")
    text = page.locator(".yasr").inner_text()
    assert "zone" in text
    links = page.locator(".yasr table a.iri")
    assert links.count() > 0
    for index in range(links.count()):  # our IRIs open the local page
        assert links.nth(index).get_attribute("href").startswith("/id/360923/zone/")
    links.first.click()  # (YASR opens it in a new tab)
    shot(page, tmp_path, "editor")
    assert [e for e in page.console_errors if "favicon" not in e] == []


def test_iri_page_shows_provenance(base_url: str, page: Any, tmp_path: Path) -> None:
    page.goto(base_url + "/id/360923/project/polluted-farmland-safe-use")
    provenance = page.locator("section.provenance")
    assert provenance.is_visible()
    assert provenance.locator("a").count() >= 3
    provenance.locator("a").first.click()
    page.wait_for_url("**/id/360923/section/**")
    shot(page, tmp_path, "provenance")
    assert page.console_errors == []


def test_in_front_of_a_sparql_server(oxigraph_server: Any) -> None:
    """``ecokg serve --endpoint``: /sparql and /ask go to the server; the pages come from one
    snapshot of it."""
    from starlette.testclient import TestClient

    from ecokg.kb import open_store
    from ecokg.serve import Limits, open_portal
    from ecokg.serve.app import create_app
    from ecokg.stores.remote import RemoteStore
    from tests.conftest import push_bundled

    push_bundled(oxigraph_server)
    store = open_store(endpoint=oxigraph_server.query_url, timeout=30)
    assert isinstance(store, RemoteStore)
    portal = open_portal(store, limits=Limits(timeout=30), with_audit=False)
    with TestClient(create_app(portal), raise_server_exceptions=False) as client:
        answer = client.get(
            "/sparql",
            params={"query": "ASK { <https://w3id.org/ecokg/id/360923/township/sixi> ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.json()["boolean"] is True
        page = client.get("/id/360923/township/sixi")
        assert page.status_code == 200 and "泗溪镇" in page.text
        assert client.get("/ask", params={"q": "泗溪镇有哪些项目？", "_format": "json"}).json()[
            "rows"
        ]
        refused = client.post(
            "/sparql",
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        )
        assert refused.status_code == 403
