"""Ctrl-C, SIGTERM and --timeout stop any verb promptly: real signals to real processes.

Each test starts ``python -m ecokg`` in its own session (so that signalling its group does
not reach pytest), waits for the moment to interrupt by watching ``/proc``, and kills what
is left in ``finally``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from ecokg.atomic import TEMP_MARK

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="signals and /proc as on Linux"
)

ROOT = Path(__file__).resolve().parents[1]
# A triple cross join over the bundled plan: hours of work for the query engine.
LONG_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
STOP_SECONDS = 2.0  # "within a second", with room for a busy test machine


def ecokg(*args: str | Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "ecokg", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


@contextmanager
def running(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield process
    finally:
        for pid in [*children_of(process.pid), process.pid]:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: Callable[[], object], process: subprocess.Popen[bytes]) -> object:
    """Poll until ``condition()`` is truthy; fail if the process ends first or after 120 s."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"ecokg ended early ({process.returncode}): {err.decode()[-500:]}")
        time.sleep(0.02)
    pytest.fail("the moment to interrupt never came")


def stop(process: subprocess.Popen[bytes], how: Callable[[], None]) -> tuple[int, float, str, str]:
    """Send the signal; the exit code, the seconds it took, stdout and stderr."""
    started = time.monotonic()
    how()
    out, err = process.communicate(timeout=60)
    return process.returncode, time.monotonic() - started, out.decode(), err.decode()


def temp_files(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if TEMP_MARK in name]


@pytest.mark.parametrize("to_group", [False, True], ids=["process", "group"])
def test_ctrl_c_stops_a_long_local_query(tmp_path: Path, to_group: bool) -> None:
    target = tmp_path / "rows.csv"
    target.write_text("old\n")
    with running(ecokg("sparql", LONG_QUERY, "-f", "csv", "-o", target)) as process:
        worker = wait_for(lambda: children_of(process.pid), process)
        assert isinstance(worker, list)
        send = os.killpg if to_group else os.kill
        code, seconds, out, err = stop(process, lambda: send(process.pid, signal.SIGINT))
    assert code == 130, err
    assert seconds < STOP_SECONDS
    assert out == ""
    assert err.strip().splitlines() == ["ecokg: error: interrupted"]
    assert target.read_text() == "old\n"
    assert temp_files(tmp_path) == []
    assert not any(alive(pid) for pid in worker)


def test_sigterm_stops_a_query_and_its_child(tmp_path: Path) -> None:
    with running(ecokg("sparql", LONG_QUERY)) as process:
        worker = wait_for(lambda: children_of(process.pid), process)
        assert isinstance(worker, list)
        code, seconds, out, err = stop(process, lambda: os.kill(process.pid, signal.SIGTERM))
    assert (code, out) == (143, "")
    assert seconds < STOP_SECONDS
    assert "terminated" in err
    assert not any(alive(pid) for pid in worker)


def test_timeout_bounds_a_local_query() -> None:
    with running(ecokg("sparql", LONG_QUERY, "--timeout", "1")) as process:
        wait_for(lambda: children_of(process.pid), process)
        started = time.monotonic()
        out, err = process.communicate(timeout=60)
        seconds = time.monotonic() - started
    assert process.returncode == 2
    assert out == b""
    assert err.decode().strip().splitlines() == [
        "ecokg: error: query: no answer within 1 s (--timeout)"
    ]
    assert seconds < 1 + STOP_SECONDS


def test_default_timeout_is_documented(run_cli) -> None:
    code, out, _ = run_cli("sparql", "--help")
    assert code == 0 and "default: 30" in " ".join(out.split())


def big_ntriples(path: Path, count: int) -> Path:
    with path.open("w") as stream:
        for i in range(count):
            stream.write(f'<http://example.org/s{i}> <http://example.org/p{i % 50}> "v{i}" .\n')
    return path


def has_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def test_ctrl_c_while_loading_data(tmp_path: Path) -> None:
    data = big_ntriples(tmp_path / "big.nt", 400_000)
    with running(ecokg("info", "--no-inferred", "--data", data)) as process:
        wait_for(lambda: has_open(process.pid, data), process)
        code, seconds, out, err = stop(process, lambda: os.kill(process.pid, signal.SIGINT))
    assert (code, out) == (130, "")
    assert seconds < STOP_SECONDS
    assert "interrupted" in err


def test_ctrl_c_while_exporting_leaves_the_file(tmp_path: Path) -> None:
    data = big_ntriples(tmp_path / "big.nt", 150_000)
    target = tmp_path / "out" / "dump.nt"
    target.parent.mkdir()
    target.write_text("old\n")
    with running(ecokg("export", "--no-inferred", "--data", data, "-o", target)) as process:
        wait_for(lambda: temp_files(target.parent), process)  # serialising now
        code, seconds, out, err = stop(process, lambda: os.kill(process.pid, signal.SIGINT))
    assert (code, out) == (130, "")
    assert seconds < STOP_SECONDS
    assert "interrupted" in err
    assert target.read_text() == "old\n"
    assert temp_files(target.parent) == []


def test_sigkill_mid_write_leaves_a_temp_file_the_next_write_removes(
    tmp_path: Path, run_cli
) -> None:
    data = big_ntriples(tmp_path / "big.nt", 150_000)
    target = tmp_path / "out" / "dump.nt"
    target.parent.mkdir()
    with running(ecokg("export", "--no-inferred", "--data", data, "-o", target)) as process:
        left = wait_for(lambda: temp_files(target.parent), process)
        process.kill()
        process.wait(timeout=30)
    assert temp_files(target.parent) == left  # SIGKILL leaves no chance to clean up
    code, _, err = run_cli("export", "--part", "ontology", "-o", target.parent / "other.ttl")
    assert code == 0, err
    assert temp_files(target.parent) == []
    assert not target.exists()


def test_children_die_with_the_parent(tmp_path: Path) -> None:
    script = (
        "import subprocess, sys\n"
        "from ecokg.interrupts import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent)\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.wait(timeout=30)
        deadline = time.monotonic() + STOP_SECONDS
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(child)
    finally:
        parent.kill()
        if child and alive(child):
            os.kill(child, signal.SIGKILL)
        parent.communicate(timeout=30)


def test_broken_pipe_is_quiet() -> None:
    with running(ecokg("export", "-f", "nt")) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        process.stdout.close()
        process.wait(timeout=120)
        assert process.stderr is not None
        err = process.stderr.read()
    assert first.startswith(b"<")
    assert (process.returncode, err) == (0, b"")


def test_an_audit_of_several_plans_is_never_stopped_by_its_own_pool(tmp_path: Path) -> None:
    """Leaving a worker pool sends its workers SIGTERM. A worker that kept ecokg's signal
    handling (its wakeup fd is ecokg's own watchdog socket) made ecokg take that signal for
    its own: ``ecokg audit`` of two plans then ended "terminated" (exit 143) about one run in
    three. Every run of the real process must end with the audit's own exit code."""
    sys.path.insert(0, str(ROOT / "bench"))
    from province import write_province

    data = [arg for path in write_province(tmp_path, 2) for arg in ("--data", str(path))]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "ecokg", "audit", "--no-bundled", *data, "--format", "json"]
    for _ in range(6):  # the first run fills the cache; the others take a second each
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, (done.returncode, done.stderr[-500:])


def test_every_pool_of_ecokg_starts_its_workers_as_forked_children() -> None:
    """Every pool of ecokg starts its workers with that initializer (interrupts.worker_pool)."""
    for path in (ROOT / "ecokg").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in text.split(".Pool(")[1:]:
            assert "initializer=start_forked_child" in call.split("as pool")[0], path
