"""The persistent store (``ecokg store load`` and ``--store DIR``): the same answers as
``--data``, plans loaded once (an unchanged plan is skipped, a changed one replaced), clear
errors for what is not a store, and a store an interrupted load leaves usable."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RunCli
from province import County, derive_county, write_province
from test_queries import cell

from ecokg.kb import load_dataset
from ecokg.publish import export as exporting
from ecokg.query import library as querylib
from ecokg.rdf import formats
from ecokg.rdf.namespaces import ECO_NS as ECO
from ecokg.rdf.namespaces import RDF
from ecokg.reason.explain import InconsistentData
from ecokg.store_load import load_store
from ecokg.stores.local import Dataset
from ecokg.stores.ondisk import MANIFEST, Manifest, open_stored, read_manifest

ROOT = Path(__file__).resolve().parents[1]
QUERY_PARAMS = json.loads((Path(__file__).parent / "query_params.json").read_text("utf-8"))
QUERY_NAMES = sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic county (bench/province.py), beside the bundled plan."""
    return write_province(tmp_path_factory.mktemp("province"), 1)[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, county: Path) -> Path:
    directory = tmp_path_factory.mktemp("store") / "kb"
    load_store(directory, [county])
    return directory


@pytest.fixture(scope="module")
def with_data(county: Path) -> Dataset:
    """What ``--data county`` gives."""
    return load_dataset([county])


def rows(dataset: Dataset, name: str) -> list[list[str]]:
    """The query's rows as CSV cells (GROUP_CONCAT lists sorted: their order is free)."""
    query = querylib.get_named_query(name)
    result = querylib.run_named_query(dataset, query, QUERY_PARAMS.get(name, {}))
    assert isinstance(result, ox.QuerySolutions)
    width = len(result.variables)
    return sorted([cell(solution[index]) for index in range(width)] for solution in result)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_the_store_answers_every_named_query_as_data_does(
    store: Path, with_data: Dataset, name: str
) -> None:
    stored = open_stored(store)
    assert rows(stored, name) == rows(with_data, name)


def test_the_store_holds_the_same_quads_as_data(store: Path, with_data: Dataset) -> None:
    stored = open_stored(store)
    assert len(stored) == len(with_data)
    assert set(stored.store.named_graphs()) == set(with_data.store.named_graphs())


def test_the_manifest_describes_every_plan(store: Path, county: Path) -> None:
    manifest = read_manifest(store)
    assert len(manifest.plans) == 2 and manifest.pending is None
    files = [entry["path"] for plan in manifest.plans for entry in plan.files]
    assert str(county.resolve()) in files
    for plan in manifest.plans:
        assert plan.iri and plan.label_zh and plan.graphs and plan.loaded_at
        assert all(len(entry["sha256"]) == 64 for entry in plan.files)
    raw = json.loads((store / MANIFEST).read_text("utf-8"))
    assert raw["dataset_version"] == Manifest.from_json(raw).dataset_version
    assert raw["plans"][0]["triples"] == sum(raw["plans"][0]["graphs"].values())


def test_reloading_unchanged_plans_skips_them(tmp_path: Path, county: Path) -> None:
    directory = tmp_path / "kb"
    first = load_store(directory, [county])
    before = read_manifest(directory)
    again = load_store(directory, [county])
    assert len(first.loaded) == 2 and again.loaded == []
    assert sorted(again.skipped) == sorted(first.loaded)
    after = read_manifest(directory)
    assert [p.to_json() for p in after.plans] == [p.to_json() for p in before.plans]
    assert after.dataset_version == before.dataset_version


def test_changing_one_county_reloads_only_it(tmp_path: Path) -> None:
    """Only the changed plan is reloaded, and the plans that share a graph with it (a graph
    of several plans cannot lose one plan's quads alone)."""
    first, second = write_province(tmp_path / "in", 2)
    directory = tmp_path / "kb"
    load_store(directory, [first, second], bundled=False)
    before = {plan.key: plan for plan in read_manifest(directory).plans}
    changed = ox.Quad(
        ox.NamedNode(County(2).base + "township/extra"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("新增", language="zh"),
    )
    with second.open("a", encoding="utf-8") as stream:
        stream.write(f"{changed} .\n")
    result = load_store(directory, [first, second], bundled=False)
    after = {plan.key: plan for plan in read_manifest(directory).plans}
    (key,) = [k for k in after if after[k].digest != before[k].digest]
    assert County(2).base in key
    sharing = {k for k in before if set(before[k].graphs) & set(before[key].graphs)}
    assert set(result.loaded) == sharing | {key}
    if len(sharing) == 1:  # each plan in its own graphs: the other plan is left alone
        assert result.loaded == [key]
    unchanged = [k for k in after if k not in result.loaded]
    assert all(after[k].loaded_at == before[k].loaded_at for k in unchanged)
    stored = open_stored(directory)
    assert bool(stored.query(f"ASK {{ <{changed.subject.value}> ?p ?o }}"))
    assert _fingerprint(stored.store) == _fingerprint(
        _clean_store(tmp_path, [first, second], bundled=False)
    )


def test_the_store_path_comes_from_the_environment(
    run_cli: RunCli, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, given, _ = run_cli("query", "plans", "--store", store, "--format", "csv")
    assert code == 0 and "shanggao" in given and County(1).base in given
    monkeypatch.setenv("ECOKG_STORE", str(store))
    code, from_env, err = run_cli("query", "plans", "--format", "csv")
    assert code == 0, err
    assert from_env == given
    code, out, _ = run_cli("info", "--format", "json")
    assert code == 0 and json.loads(out)["triples"] == len(open_stored(store))


def test_bundled_alone_through_the_cli(run_cli: RunCli, tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    code, _, err = run_cli("store", "load", directory)
    assert code == 0, err
    code, out, _ = run_cli("store", "info", directory, "--format", "json")
    assert code == 0 and len(json.loads(out)["plans"]) == 1
    for verb in (["query", "investment-shares"], ["audit"], ["info"]):
        code_data, out_data, _ = run_cli(*verb, "--format", "json")
        code_store, out_store, err = run_cli(*verb, "--store", directory, "--format", "json")
        assert code_store == code_data, err
        data, stored = json.loads(out_data), json.loads(out_store)
        if verb[0] == "audit":  # the same findings (a message lists values in any order)
            data, stored = (
                sorted(json.dumps({**f, "message": None}) for f in report["findings"])
                for report in (data, stored)
            )
        elif verb[0] == "info":  # the same triples and classes; the files are the manifest's
            del data["files"], stored["files"]
        assert stored == data
    code, out, err = run_cli("ask", "--store", directory, "哪些项目治理泗溪镇的土壤污染？")
    assert code == 0 and "泗溪" in out, err


def _errors(run_cli: RunCli, *args: str | Path) -> str:
    code, _, err = run_cli(*args)
    assert code == 2
    assert err.startswith("ecokg: error:") and len(err.strip().splitlines()) == 1, err
    return err


def test_what_is_not_a_store_is_one_line_error(run_cli: RunCli, tmp_path: Path) -> None:
    assert "no store there" in _errors(run_cli, "info", "--store", tmp_path / "missing")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    assert "not an ecokg store" in _errors(run_cli, "info", "--store", tmp_path / "foreign")
    assert "not empty" in _errors(run_cli, "store", "load", tmp_path / "foreign")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / MANIFEST).write_text("{not json")
    assert "manifest" in _errors(run_cli, "query", "plans", "--store", damaged)
    (damaged / MANIFEST).write_text(json.dumps(Manifest().to_json()))
    (damaged / "oxigraph").write_text("not a database")
    assert "cannot open" in _errors(run_cli, "sparql", "--store", damaged, "ASK {}")


def test_store_excludes_other_dataset_options(run_cli: RunCli, store: Path) -> None:
    for extra in (["--data", "x.ttl"], ["--no-bundled"], ["--endpoint", "http://x/q"]):
        err = _errors(run_cli, "sparql", "--store", store, *extra, "ASK {}")
        assert extra[0] in err


def test_an_interrupted_load_leaves_a_usable_store(
    run_cli: RunCli, tmp_path: Path, county: Path
) -> None:
    """Killed while later plans load: the store opens with the plans written so far, no
    second load may start meanwhile, and the next load finishes the job."""
    # counties not reasoned yet in this session, several of them: plans are prepared in
    # parallel, so one alone could be done before the checks below have run
    fresh = []
    for index in range(7, 15):
        path = tmp_path / f"county-{index}.nt"
        ox.serialize(derive_county(County(index)), str(path), format=ox.RdfFormat.N_QUADS)
        fresh.append(path)
    directory = tmp_path / "kb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    data = [arg for path in fresh for arg in ("--data", str(path))]
    process = subprocess.Popen(
        [sys.executable, "-m", "ecokg", "store", "load", str(directory), *data],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            manifest = read_manifest(directory) if (directory / MANIFEST).is_file() else None
            if manifest and manifest.plans and manifest.pending:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the load ended before it could be interrupted"
        assert "in use" in _errors(run_cli, "store", "load", directory)
        assert "being loaded" in _errors(run_cli, "info", "--store", directory)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    written = read_manifest(directory)
    assert written.pending, "the load ended before it was killed"
    code, out, err = run_cli("query", "plans", "--store", directory, "--format", "csv")
    assert code == 0 and "interrupted" in err
    assert len(out.strip().splitlines()) == 1 + len(written.plans)  # the plans written
    result = load_store(directory, fresh)
    manifest = read_manifest(directory)
    assert manifest.pending is None and len(manifest.plans) == 1 + len(fresh)
    assert len(result.skipped) == len(written.plans)
    assert _fingerprint(open_stored(directory).store) == _fingerprint(_clean_store(tmp_path, fresh))


def _clean_store(tmp_path: Path, data: list[Path], *, bundled: bool = True) -> ox.Store:
    """The same input loaded into a new store in one go (reasoning comes from the cache)."""
    directory = tmp_path / "clean"
    load_store(directory, data, bundled=bundled)
    return open_stored(directory).store


def _fingerprint(store: ox.Store) -> tuple[int, set[ox.Quad]]:
    """The quads without blank nodes (their labels differ between loads), and how many."""
    ground = {
        quad
        for quad in store
        if not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode)
    }
    return len(store), ground


def test_ask_keeps_only_the_newest_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ask's cached copies of the bundled dataset (one per version of the files) are pruned
    when a new one is built: the newest few stay."""
    from ecokg import resources
    from ecokg.ask import stores

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = resources.cache_dir()
    cache.mkdir(parents=True)
    for age in range(5):  # copies of older files
        old = cache / f"ask-store-old{age}"
        old.mkdir()
        os.utime(old, (1000 + age, 1000 + age))
    copy = stores.open_bundled_copy(inferred=True, timeout=None)
    assert copy is not None and len(copy) > 0
    left = sorted(p.name for p in cache.iterdir() if p.name.startswith("ask-store-"))
    assert len(left) == stores.KEEP_COPIES
    assert "ask-store-old4" in left and "ask-store-old3" in left


def test_a_county_contradicting_the_ontology_stops_the_load_as_it_does_alone(
    tmp_path: Path,
) -> None:
    """Plans are reasoned over in worker processes: the inconsistency of one of them reaches
    the user as the same error (findings included) as when that plan is loaded alone, and
    the plans already written stay usable."""
    good, bad = write_province(tmp_path / "in", 2)
    clash = County(2).base + "project/both"
    with bad.open("a", encoding="utf-8") as stream:
        for kind in ("Project", "Township"):
            stream.write(f"<{clash}> <{RDF}type> <{ECO}{kind}> .\n")
    with pytest.raises(InconsistentData) as alone:
        load_store(tmp_path / "alone", [bad], bundled=False, jobs=1)
    named = clash.split("/id/")[1]  # findings name it as id:{code}/project/both
    assert any(named in finding for finding in alone.value.findings)
    with pytest.raises(InconsistentData) as together:
        load_store(tmp_path / "kb", [good, bad], bundled=False, jobs=2)
    assert (together.value.message, together.value.findings) == (
        alone.value.message,
        alone.value.findings,
    )
    stored = open_stored(tmp_path / "kb")
    assert [plan.code for plan in read_manifest(tmp_path / "kb").plans] == [str(County(1).code)]
    assert bool(stored.query(f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{County(1).base}')) }}"))


def test_export_of_a_store_holds_every_plan(run_cli: RunCli, store: Path, tmp_path: Path) -> None:
    """``export --store`` writes every graph of the store (monitoring aside), not the
    ontology alone."""
    output = tmp_path / "all.nq"
    code, _, err = run_cli("export", "--store", store, "--output", output)
    assert code == 0, err
    exported = ox.Store()
    exported.load(path=str(output), format=ox.RdfFormat.N_QUADS)
    stored = open_stored(store)
    assert set(exported.named_graphs()) == set(stored.store.named_graphs())
    assert len(exported) == len(stored.store)


@pytest.mark.parametrize("source", ["store", "data"])
def test_nquads_written_by_oxigraph_are_the_generic_export(
    source: str, store: Path, with_data: Dataset
) -> None:
    """The N-Quads export read from the store by oxigraph's own writer (and, for --data,
    from the files) is byte for byte what the export of every format writes."""
    dataset = open_stored(store) if source == "store" else with_data
    generic = io.BytesIO()
    exporting.serialize(exporting.prepare(dataset), formats.N_QUADS, generic)
    assert b"".join(exporting.nquads_lines(dataset)) == generic.getvalue()
    assert b"_:b" in generic.getvalue()  # with blank nodes to label
