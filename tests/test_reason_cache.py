"""Reasoning over a user's data, from the user's side: the cache of inferred graphs proves
each entry complete and rebuilds a damaged one; concurrent first runs reason once; large
data stops with advice instead of running for an hour; an inconsistency names the
individuals and axioms involved; the HermiT child process dies with ecokg."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ecokg import cache_entries, reason
from ecokg.kb import load_dataset
from tests.conftest import RunCli

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"
AXIOMS = FIXTURES / "axioms.ttl"
INCONSISTENT = FIXTURES / "inconsistent.ttl"
# A fact the axioms fixture implies (see axioms.expected.ttl).
INFERRED_ASK = (
    "ASK { GRAPH <https://w3id.org/ecokg/graph/inferred> {"
    " <https://w3id.org/ecokg/id/test/project> eco:addressesProblem"
    " <https://w3id.org/ecokg/id/test/problem> } }"
)


@pytest.fixture(autouse=True)
def _no_java(monkeypatch: pytest.MonkeyPatch) -> None:
    """The owlrl engine is quick on small data; HermiT is tested where it matters."""
    monkeypatch.setattr(reason.engine, "java_available", lambda: False)


@pytest.fixture(scope="module")
def good_entry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete cache entry for the axioms fixture, reasoned once for this module."""
    home = tmp_path_factory.mktemp("cache-source")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        mp.setattr(reason.engine, "java_available", lambda: False)
        return reason.cached_inferred_file([AXIOMS])


def _damage_empty(content: bytes) -> bytes:
    return b""


def _damage_truncate(content: bytes) -> bytes:
    return content[: len(content) * 2 // 3]


def _damage_one_byte(content: bytes) -> bytes:
    last = len(content) - 3
    return (
        content[:last] + (b"X" if content[last : last + 1] != b"X" else b"Y") + content[last + 1 :]
    )


def _damage_header(content: bytes) -> bytes:
    return content.partition(b"\n")[2]  # the body alone, as older versions wrote it


@pytest.mark.parametrize(
    "damage", [_damage_empty, _damage_truncate, _damage_one_byte, _damage_header]
)
def test_a_damaged_entry_is_rebuilt_with_a_warning(
    damage: Callable[[bytes], bytes],
    good_entry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    entry = tmp_path / "ecokg" / good_entry.name
    entry.parent.mkdir()
    entry.write_bytes(damage(good_entry.read_bytes()))
    dataset = load_dataset([AXIOMS], bundled=False)
    assert bool(dataset.query(INFERRED_ASK))
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [f"ecokg: warning: {entry}: damaged cache entry, rebuilding"]
    assert entry.read_bytes() == good_entry.read_bytes()  # repaired for the next run


def test_a_good_entry_is_read_without_reasoning(
    good_entry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "ecokg").mkdir()
    shutil.copy(good_entry, tmp_path / "ecokg" / good_entry.name)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("reasoned again instead of reading the cache")

    monkeypatch.setattr(reason.cache, "materialise", fail)
    assert bool(load_dataset([AXIOMS], bundled=False).query(INFERRED_ASK))


@pytest.mark.parametrize(
    "damage", [_damage_empty, _damage_truncate, _damage_one_byte, _damage_header]
)
def test_read_entry_refuses_an_incomplete_file(
    damage: Callable[[bytes], bytes], tmp_path: Path
) -> None:
    path = tmp_path / "entry"
    cache_entries.write_entry(path, b"body line 1\nbody line 2\n")
    assert cache_entries.read_entry(path) == b"body line 1\nbody line 2\n"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError):
        cache_entries.read_entry(path)


def test_an_unwritable_cache_still_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert bool(load_dataset([AXIOMS], bundled=False).query(INFERRED_ASK))


# A run of ecokg that reasons over the axioms fixture; its reasoning announces itself in
# COUNTER and (the first time) holds until RELEASE exists, so that a second run starts
# while the first is still reasoning.
_DRIVER = """
import sys, time
from pathlib import Path
from ecokg import reason
from ecokg.reason import cache

counter, release = Path(sys.argv[1]), Path(sys.argv[2])
reason.engine.java_available = lambda: False
original = cache.materialise

def counted(*args, **kwargs):
    with counter.open("a") as stream:
        stream.write("reasoning\\n")
    deadline = time.monotonic() + 60
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return original(*args, **kwargs)

cache.materialise = counted
print(cache.cached_inferred_file([Path(sys.argv[3])]))
"""


def test_concurrent_first_runs_reason_once(tmp_path: Path) -> None:
    counter, release = tmp_path / "counter", tmp_path / "release"
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}

    def start(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        err = tmp_path / f"{name}.err"
        process = subprocess.Popen(
            [sys.executable, str(driver), str(counter), str(release), str(AXIOMS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err.open("wb"),
        )
        return process, err

    first, _ = start("first")
    _wait_for(lambda: counter.exists(), "the first run to start reasoning")
    second, second_err = start("second")
    try:
        _wait_for(
            lambda: "waiting for another ecokg run" in second_err.read_text(),
            "the second run to wait for the first",
        )
    finally:
        release.touch()
        outputs = [process.communicate(timeout=120)[0] for process in (first, second)]
    assert first.returncode == second.returncode == 0
    assert counter.read_text().splitlines() == ["reasoning"]  # reasoned once
    assert outputs[0] == outputs[1]  # both read the same entry
    assert cache_entries.read_entry(Path(outputs[0].decode().strip()))


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- the size limit ----------------------------------------------------------------------


def test_large_data_stops_with_advice(run_cli: RunCli) -> None:
    code, _, err = run_cli("info", "--no-bundled", "--data", AXIOMS, "--reason-limit", "5")
    assert code == 2
    assert err.count("\n") == 1
    assert "above the limit of 5" in err
    assert "--no-inferred" in err and "--reason-limit" in err and "ECOKG_REASON_LIMIT" in err


def test_the_limit_can_be_set_in_the_environment(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOKG_REASON_LIMIT", "5")
    assert run_cli("info", "--no-bundled", "--data", AXIOMS)[0] == 2
    assert run_cli("info", "--no-bundled", "--data", AXIOMS, "--no-inferred")[0] == 0
    # the option wins over the environment; 0 means no limit
    assert run_cli("info", "--no-bundled", "--data", AXIOMS, "--reason-limit", "0")[0] == 0
    monkeypatch.setenv("ECOKG_REASON_LIMIT", "many")
    code, _, err = run_cli("info", "--no-bundled", "--data", AXIOMS)
    assert code == 2 and "ECOKG_REASON_LIMIT 'many'" in err


# --- progress ----------------------------------------------------------------------------


def test_each_stage_is_reported_with_its_size() -> None:
    stages: list[str] = []
    reason.materialise([AXIOMS], engine="owlrl", progress=stages.append)
    assert [stage.split()[0] for stage in stages] == ["parsing", "applying", "owlrl", "normalising"]
    assert all(any(ch.isdigit() for ch in stage) for stage in stages)


def test_no_progress_display_when_stderr_is_not_a_terminal(run_cli: RunCli) -> None:
    code, _, err = run_cli("reason", "--engine", "owlrl", "--no-bundled", "--data", AXIOMS)
    assert code == 0
    assert err.splitlines()[0].startswith("consistent;") and len(err.splitlines()) == 1


# --- the inconsistency report ----------------------------------------------------------------


EXPECTED_FINDINGS = [
    "id:test/agency1 is both eco:Agency (stated) and eco:Programme (range of "
    "eco:partOfProgramme: id:test/p1 eco:partOfProgramme id:test/agency1), declared disjoint "
    "in ontology/ecokg.ttl (owl:AllDisjointClasses of 20 classes)",
    "id:test/both is both eco:AdministrativeUnit (stated eco:Township, a subclass) and "
    "eco:Project (stated), declared disjoint in ontology/ecokg.ttl "
    "(owl:AllDisjointClasses of 20 classes)",
    "id:test/prog2 is both eco:Agency (the same individual as id:test/agency2 since "
    "eco:partOfProgramme is functional and id:test/p2 has both; that one: stated) and "
    "eco:Programme (stated), declared disjoint in ontology/ecokg.ttl "
    "(owl:AllDisjointClasses of 20 classes)",
]


def test_inconsistencies_name_individuals_and_axioms() -> None:
    findings = reason.inconsistencies([INCONSISTENT])
    for expected in EXPECTED_FINDINGS:
        assert expected in findings


@pytest.mark.parametrize(
    "engine", ["compiled", "owlrl", pytest.param("hermit", marks=pytest.mark.java)]
)
def test_reason_reports_every_conflict(
    engine: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "hermit":
        monkeypatch.undo()  # the real java_available
        if not reason.java_available():
            pytest.skip("no Java runtime")
    code, _, err = run_cli("reason", "--engine", engine, "--no-bundled", "--data", INCONSISTENT)
    assert code == 1
    lines = err.splitlines()
    for expected in EXPECTED_FINDINGS:
        assert f"ecokg: inconsistent: {expected}" in lines
    name = {"hermit": "HermiT"}.get(engine, engine)
    assert lines[-1].startswith(
        f"ecokg: error: the data is inconsistent with the ontology ({name})"
    )


def test_commands_that_reason_first_report_the_conflicts(run_cli: RunCli) -> None:
    code, _, err = run_cli("info", "--no-bundled", "--data", INCONSISTENT)
    assert code == 1
    assert f"ecokg: inconsistent: {EXPECTED_FINDINGS[1]}" in err.splitlines()


# --- the HermiT child process ------------------------------------------------------------

_HERMIT_DRIVER = """
import sys
from ecokg import reason, resources
reason.materialise([resources.plan_file()], engine="hermit")
"""


@pytest.mark.java
def test_hermit_dies_with_ecokg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    if not reason.java_available():
        pytest.skip("no Java runtime")
    process = subprocess.Popen(
        [sys.executable, "-c", _HERMIT_DRIVER],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        java: list[int] = []

        def java_started() -> bool:
            java[:] = [pid for pid in _children(process.pid) if b"HermiT" in _cmdline(pid)]
            return bool(java)

        _wait_for(java_started, "HermiT to start", seconds=120)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        _wait_for(lambda: not _alive(java[0]), "the Java process to end", seconds=10)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in java:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# --- the ask entity index follows the same rules ------------------------------------------


def test_a_damaged_entity_index_is_rebuilt_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecokg import resources
    from ecokg.ask import cache as ask_cache
    from tests.conftest import MINI

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dataset = load_dataset([MINI], bundled=False, inferred=False)
    path = resources.cache_dir() / f"ask-index-{ask_cache.dataset_fingerprint(dataset)}.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    index = ask_cache.load_index(dataset)
    assert index.entities
    assert f"ecokg: warning: {path}: damaged cache entry, rebuilding" in capsys.readouterr().err
    assert cache_entries.read_entry(path)
