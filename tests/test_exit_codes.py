"""Exit codes of the documented contract: 130 when interrupted, 70 on an internal error.

Ctrl-C is tested with a real SIGINT sent to ``python -m ecokg`` once it is busy (measured
by the CPU time it has used, so a slow machine waits longer instead of signalling early).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main

import ecokg
from ecokg import info
from ecokg.cli import main

MINI = Path(__file__).parent / "fixtures" / "mini.ttl"
INTERNAL_ERROR = "ecokg: error: internal error: RuntimeError: boom (rerun with --debug)"
BUSY_CPU_SECONDS = 1.5  # past the imports: the command is running
START_TIMEOUT = 60.0
EXIT_TIMEOUT = 10.0
# Counting a triple cross join of the bundled plan never ends in a test's time; all of it
# happens inside one call to the query engine.
ENDLESS_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").is_file(), reason="measures CPU time through /proc"
)


def _cpu_seconds(pid: int) -> float:
    """CPU time of the process and its living children (a guarded query runs in a child)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:  # it ended meanwhile
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) for child in children)


def _interrupt_when_busy(*args: str) -> tuple[int, str]:
    """Start ``python -m ecokg ARGS``, send SIGINT once it is busy; (exit code, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(Path(ecokg.__file__).resolve().parent.parent))
    process = subprocess.Popen(
        [sys.executable, "-m", "ecokg", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while _cpu_seconds(process.pid) < BUSY_CPU_SECONDS:
            assert process.poll() is None, "ecokg finished before it could be interrupted"
            assert time.monotonic() < deadline, "ecokg never got busy"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"ecokg {args[0]} ignored SIGINT for {EXIT_TIMEOUT:.0f} s")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, err


def _assert_interrupted(code: int, err: str) -> None:
    assert code == 130, err
    assert err.splitlines() == ["ecokg: error: interrupted"]


@needs_proc
@pytest.mark.slow
def test_ctrl_c_while_reasoning_exits_130_with_one_line() -> None:
    _assert_interrupted(*_interrupt_when_busy("reason", "--engine", "owlrl"))


@needs_proc
@pytest.mark.slow
def test_ctrl_c_during_a_long_local_query_exits_130_with_one_line() -> None:
    _assert_interrupted(*_interrupt_when_busy("sparql", ENDLESS_QUERY))


def _fail_with(error: BaseException):
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


def _run_info(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["info", "--no-bundled", "--no-inferred", "--data", str(MINI), *extra])
    return code, capsys.readouterr().err


def test_keyboard_interrupt_in_a_command_exits_130_with_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(info, "dataset_info", _fail_with(KeyboardInterrupt()))
    _assert_interrupted(*_run_info(capsys))


def test_internal_error_exits_70_with_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(info, "dataset_info", _fail_with(RuntimeError("boom")))
    code, err = _run_info(capsys)
    assert code == 70
    assert err.splitlines() == [
        "ecokg: error: internal error: RuntimeError: boom (rerun with --debug)"
    ]


def test_internal_error_with_debug_shows_the_traceback(monkeypatch, capsys) -> None:
    monkeypatch.setattr(info, "dataset_info", _fail_with(RuntimeError("boom")))
    code, err = _run_info(capsys, "--debug")
    assert code == 70
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "RuntimeError: boom" in lines
    assert lines[-1] == INTERNAL_ERROR


def test_keyboard_interrupt_outside_a_command_exits_130_with_one_line(monkeypatch, capsys) -> None:
    """Typer catches Ctrl-C inside a command; main() handles it anywhere else too."""

    class InterruptedCommand:
        def main(self, *args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(typer.main, "get_command", lambda app: InterruptedCommand())
    _assert_interrupted(*_run_info(capsys))
