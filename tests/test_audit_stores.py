"""The audit of a store's plans (issue 12): each plan fetched from its own named graph, one
CONSTRUCT per plan (never the whole store in one response), with the findings of an audit of
the same plans' files; a store pushed by release 0.1 still audits; a single validation over
the union of several plans gives each plan exactly its own findings (scoped shapes); and in a
province every county's planted inconsistency is found in that county."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from oxigraph_server import OxigraphServer
from province import County, write_province

from ecokg import resources
from ecokg.audit import AuditReport, audit
from ecokg.audit.engine import load_plan, load_shapes, run_audit
from ecokg.audit.stores import audit_store
from ecokg.rdf.namespaces import BUNDLED_CODE, GRAPH_PLAN, plan_graph
from ecokg.stores.remote import RemoteStore

SHP = "https://w3id.org/ecokg/shapes#"


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_province(tmp_path_factory.mktemp("province"), 3)


def put_graph(srv: OxigraphServer, graph: str, path: Path) -> None:
    """Graph Store protocol PUT of an RDF file into ``graph`` (replacing it)."""
    kind = "text/turtle" if path.suffix == ".ttl" else "application/n-triples"
    url = f"{srv.store_url}?graph={urllib.parse.quote(graph, safe='')}"
    request = urllib.request.Request(url, data=path.read_bytes(), method="PUT")
    request.add_header("Content-Type", kind)
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201, 204)


def clear(srv: OxigraphServer) -> None:
    data = urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
    with urllib.request.urlopen(srv.base + "/update", data=data, timeout=60) as response:
        assert response.status in (200, 204)


def findings(report: AuditReport) -> list[dict[str, Any]]:
    """Findings as JSON, without the plan they were found in. The parts a message lists
    (GROUP_CONCAT in S30, S50, S51, S55) come in the order the data was read: a store's
    CONSTRUCT gives the plan's triples in another order than its file, so a message is
    compared as the characters it is made of."""
    return [
        {**finding.to_json(), "message": {k: _parts(v) for k, v in finding.message.items()}}
        for finding in report.findings
    ]


def _parts(message: str) -> str:
    return "".join(sorted(message))


@pytest.mark.server
def test_the_audit_of_a_store_equals_the_audit_of_its_files(
    oxigraph_server: OxigraphServer, province: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    clear(oxigraph_server)
    put_graph(oxigraph_server, plan_graph(BUNDLED_CODE), resources.plan_file())
    for index, path in enumerate(province[:2], start=1):
        put_graph(oxigraph_server, plan_graph(str(County(index).code)), path)
    queries: list[str] = []
    original = RemoteStore.query

    def recording(self: RemoteStore, sparql: str, *args: Any, **kwargs: Any) -> Any:
        queries.append(sparql)
        return original(self, sparql, *args, **kwargs)

    monkeypatch.setattr(RemoteStore, "query", recording)
    remote = audit_store(RemoteStore(oxigraph_server.query_url, timeout=60))
    local = audit(province[:2])
    # the same plans (in the store's order: by division code), each with the same findings
    by_plan = {part.plan: findings(part.report) for part in local.parts}
    assert {part.plan: findings(part.report) for part in remote.parts} == by_plan
    assert len(by_plan) == 4
    assert remote.to_json()["summary"] == local.to_json()["summary"]
    # one CONSTRUCT per plan graph and one of the monitoring graph: never the whole store
    constructs = [query for query in queries if "CONSTRUCT" in query]
    assert len(constructs) == 3 + 1
    assert all("GRAPH <https://w3id.org/ecokg/graph/" in query for query in constructs)


@pytest.mark.server
def test_a_release_0_1_store_audits_as_its_one_plan(
    oxigraph_server: OxigraphServer, run_cli: RunCli
) -> None:
    clear(oxigraph_server)
    put_graph(oxigraph_server, GRAPH_PLAN, resources.plan_file())
    code, out, err = run_cli("audit", "--endpoint", oxigraph_server.query_url, "-f", "json")
    assert code == 1, err
    remote = json.loads(out)["findings"]
    for finding in remote:
        finding["message"] = {k: _parts(v) for k, v in finding["message"].items()}
    assert remote == findings(audit())


def test_one_validation_of_the_union_gives_each_plan_its_own_findings(
    province: list[Path],
) -> None:
    """The scoped shapes (S20-S23, S42, S55, S70): a plan total is the sum over its own
    programmes, a project is checked against its own plan's registers, … ."""
    files = [resources.plan_file(), *province[:2]]
    per_plan = audit(province[:2])  # the bundled plan and two counties, each on its own
    graph, store = load_plan([*resources.ontology_files(), *files])
    union = run_audit(graph, load_shapes(), "zh", store)

    def keyed(report: AuditReport) -> Counter[tuple[Any, ...]]:
        return Counter(
            (f.severity, f.shape, f.focus, f.path, f.value, f.message["en"], f.message["zh"])
            for f in report.findings
        )

    assert keyed(union) == keyed(per_plan)
    assert len(union.findings) == 38 + 40 + 40


def test_every_planted_inconsistency_is_found_in_its_county(province: list[Path]) -> None:
    report = audit(province, bundled=False)
    for index, part in enumerate(report.parts[:3], start=1):
        county = County(index)
        assert part.plan == county.base + "plan/shanggao-2021-2035"
        planted = sorted(
            (f.shape.removeprefix(SHP)[:3], f.focus)
            for f in part.report.findings
            if f.shape.removeprefix(SHP)[:3] in ("S20", "S21")
        )
        # the first programme's investment is 1 万元 off: its projects' sum and the plan total
        assert [shape for shape, _ in planted] == ["S20", "S21"]
        assert planted[0][1].startswith(county.base) and planted[1][1] == part.plan
        # ... and each county's part is exactly the county audited alone
        alone = audit([province[index - 1]], bundled=False)
        assert findings(part.report) == findings(alone)


def test_an_unchanged_plan_is_read_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecokg.audit import plans

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    plan = tmp_path / "plan.ttl"
    plan.write_bytes(resources.plan_file().read_bytes())
    first = audit([plan], bundled=False)
    assert list((tmp_path / "cache" / "ecokg" / "audit").glob("audit-*.json"))

    def validating(*args: Any, **kwargs: Any) -> AuditReport:
        raise AssertionError("validated again")

    monkeypatch.setattr(plans, "run_audit", validating)
    again = audit([plan], bundled=False)
    assert again.to_json() == first.to_json()
    assert again.report_graph.isomorphic(first.report_graph)
    # a changed plan (or other shapes) is validated anew
    plan.write_bytes(plan.read_bytes() + b"\n# changed\n")
    with pytest.raises(AssertionError, match="validated again"):
        audit([plan], bundled=False)


def test_a_store_audited_again_is_read_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    """Each audit of a store fetches the plans anew (a CONSTRUCT names blank nodes anew):
    the same plans must still hit the cache, and print the same report byte for byte."""
    from ecokg.audit import plans

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = tmp_path / "store"
    assert run_cli("store", "load", str(store))[0] == 0
    code, first, _ = run_cli("audit", "--store", str(store), "--format", "json")
    assert code == 1 and json.loads(first)["findings"]

    def validating(*args: Any, **kwargs: Any) -> AuditReport:
        raise AssertionError("validated again")

    monkeypatch.setattr(plans, "run_audit", validating)
    assert run_cli("audit", "--store", str(store), "--format", "json") == (1, first, "")
