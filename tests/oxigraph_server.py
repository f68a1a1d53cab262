"""Start and stop a real Oxigraph SPARQL server on 127.0.0.1 (tests and bench/bench_remote.py).

The ``oxigraph`` binary comes with the PyPI package of the same name (the ``test`` extra);
it is looked for next to the running Python, then on PATH.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

STARTUP_SECONDS = 20.0
STOP_SECONDS = 10.0


def find_oxigraph() -> str | None:
    """Path of the ``oxigraph`` executable, or None."""
    names = ("oxigraph.exe", "oxigraph") if os.name == "nt" else ("oxigraph",)
    for directory in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        for name in names:
            candidate = directory / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which("oxigraph")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    """A running SPARQL server: its base URL, SPARQL query endpoint and Graph Store URL
    (each kind of server has its own paths)."""

    base: str
    process: subprocess.Popen[bytes]
    QUERY_PATH: ClassVar[str]
    STORE_PATH: ClassVar[str]

    @property
    def query_url(self) -> str:
        return self.base + self.QUERY_PATH

    @property
    def store_url(self) -> str:
        return self.base + self.STORE_PATH


class OxigraphServer(RunningServer):
    QUERY_PATH = "/query"
    STORE_PATH = "/store"


@contextmanager
def running_oxigraph(location: Path, binary: str | None = None) -> Iterator[OxigraphServer]:
    """``oxigraph serve --location LOCATION --bind 127.0.0.1:PORT``, stopped on exit."""
    binary = binary or find_oxigraph()
    if binary is None:
        raise FileNotFoundError("the oxigraph executable was not found")
    location.mkdir(parents=True, exist_ok=True)
    last_error = "not started"
    for _attempt in range(3):  # the free port may be taken between free_port() and bind
        port = free_port()
        log = (location.parent / f"{location.name}-{port}.log").open("wb")
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            if _wait_until_up(base, process):
                yield OxigraphServer(base, process)
                return
            last_error = f"exited with {process.returncode}" if process.poll() else "no answer"
        finally:
            _stop(process)
            log.close()
    raise RuntimeError(f"oxigraph server did not start: {last_error}")


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2) as response:
                response.read()
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)
