"""``--plan`` on the command line and on an endpoint, over a store of several plans (the
bundled plan and synthetic counties 1 and 2, each in its own graphs: tests/plan_stores.py).

Until ``kb.load_dataset`` loads plans into their own graphs, the CLI is handed that store by
replacing ``kb.load_dataset``; the verbs themselves run unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request

import pyoxigraph as ox
import pytest
from oxigraph_server import OxigraphServer
from plan_stores import code_of_county, plans_dataset
from province import County

from ecokg import kb
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import BUNDLED_CODE
from ecokg.stores.base import select
from ecokg.stores.local import Dataset
from ecokg.stores.remote import RemoteStore
from ecokg.stores.scope import resolve_plan, scoped_store
from tests.conftest import RunCli

PROJECTS = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a eco:Project }"


@pytest.fixture(scope="module")
def province() -> Dataset:
    return plans_dataset([1, 2])


@pytest.fixture
def run_province(run_cli: RunCli, province: Dataset, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    monkeypatch.setattr(kb, "load_dataset", lambda *args, **kwargs: province)
    return run_cli


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_query_runs_per_plan_with_a_county_column(run_province: RunCli) -> None:
    code, out, _ = run_province("query", "investment-by-programme", "-f", "csv")
    assert code == 0
    rows = csv_rows(out)
    assert list(rows[0])[:3] == ["plan", "county", "programme"]
    assert len({row["county"] for row in rows}) == 3 and len(rows) == 15


@pytest.mark.parametrize("plan", ["样1县", "Sample1", str(County(1).code)])
def test_query_with_plan_gives_that_county_only(run_province: RunCli, plan: str) -> None:
    code, out, _ = run_province("query", "investment-by-programme", "-f", "csv", "--plan", plan)
    assert code == 0
    rows = csv_rows(out)
    assert next(iter(rows[0])) == "programme" and len(rows) == 5
    assert all(row["programme"].startswith(County(1).base) for row in rows)


def test_sparql_and_info_take_plan(run_province: RunCli, province: Dataset) -> None:
    code, out, _ = run_province("sparql", PROJECTS, "-f", "csv", "--plan", "上高县")
    assert code == 0
    bundled = plans_dataset()
    assert out.split() == ["n", str(select(bundled, PROJECTS).rows[0][0].value)]  # type: ignore[union-attr]
    code, out, _ = run_province("info", "-f", "json", "--plan", BUNDLED_CODE)
    assert code == 0
    report = json.loads(out)
    assert report["plan"]["code"] == BUNDLED_CODE
    everything = json.loads(run_province("info", "-f", "json")[1])
    assert "plan" not in everything
    assert report["triples"] == len(bundled) < everything["triples"]
    assert {f["graph"] for f in report["files"]} < {f["graph"] for f in everything["files"]}


@pytest.mark.parametrize("verb", [["query", "investment-by-programme"], ["sparql", PROJECTS]])
def test_an_unknown_plan_is_exit_2_in_one_line(run_province: RunCli, verb: list[str]) -> None:
    code, out, err = run_province(*verb, "--plan", "Sampel1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "did you mean 'Sample1'" in err, err


def test_plan_on_the_bundled_dataset(run_cli: RunCli) -> None:
    """Today's single-plan dataset: --plan names it, and changes no row."""
    plain = run_cli("query", "investment-by-programme", "-f", "csv")
    scoped = run_cli("query", "investment-by-programme", "-f", "csv", "--plan", "上高县")
    assert plain[0] == scoped[0] == 0 and plain[1] == scoped[1]
    code, _, err = run_cli("query", "investment-by-programme", "--plan", "样1县")
    assert code == 2 and "no plan" in err


@pytest.mark.server
def test_a_scoped_endpoint_sends_the_plans_graphs(
    oxigraph_server: OxigraphServer, province: Dataset
) -> None:
    body = ox.serialize(province.store, format=ox.RdfFormat.N_QUADS)
    assert body is not None
    request = urllib.request.Request(
        oxigraph_server.store_url,
        data=body,
        headers={"Content-Type": "application/n-quads"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60):
        pass
    graphs = sorted({loaded.graph for loaded in province.files})
    remote = RemoteStore(oxigraph_server.query_url, graphs=graphs, timeout=60)
    query = querylib.get_named_query("investment-shares")
    for index in (None, 1):
        local = scoped_store(province, resolve_plan(province, code_of_county(index)))
        far = scoped_store(remote, resolve_plan(remote, code_of_county(index)))
        assert select(far, query.text).rows == select(local, query.text).rows
        assert select(far, PROJECTS).rows == select(local, PROJECTS).rows
    assert select(remote, PROJECTS).rows != select(far, PROJECTS).rows
