"""Start and stop a real OpenLink Virtuoso 7 server on 127.0.0.1 (the second store of the tests).

Virtuoso comes from the distribution (Debian: ``apt-get install virtuoso-opensource``, which
provides ``virtuoso-t`` and ``isql-vt``). Each server gets a throwaway directory holding its
ini file, database and log; the SQL and HTTP ports are free ports bound to 127.0.0.1. Once
the HTTP server answers, ``GRANT SPARQL_UPDATE TO "SPARQL"`` (through ``isql-vt`` as the
default ``dba`` user) opens the unauthenticated Graph Store endpoint ``/sparql-graph-crud``
to uploads — acceptable only because the server is private to the test and bound to 127.0.0.1.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oxigraph_server import RunningServer, free_port

STARTUP_SECONDS = 60.0  # a fresh database takes about 6 s on an idle machine
STOP_SECONDS = 15.0
ISQL_SECONDS = 30.0

# The default password of Virtuoso's administrator; the server only lives during the tests.
DBA_PASSWORD = "dba"

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def find_virtuoso() -> tuple[str, str] | None:
    """Paths of ``virtuoso-t`` and ``isql-vt`` (Debian's name for Virtuoso's isql), or None."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


class VirtuosoServer(RunningServer):
    QUERY_PATH = "/sparql"
    STORE_PATH = "/sparql-graph-crud"


@contextmanager
def running_virtuoso(directory: Path, binaries: tuple[str, str]) -> Iterator[VirtuosoServer]:
    """``virtuoso-t +foreground`` on a new database in ``directory``, stopped on exit."""
    server, isql = binaries
    directory.mkdir(parents=True, exist_ok=True)
    last_error = "not started"
    for attempt in range(3):  # a free port may be taken between free_port() and bind
        sql_port, http_port = free_port(), free_port()
        folder = directory / f"db-{attempt}"
        folder.mkdir()
        ini = folder / "virtuoso.ini"
        ini.write_text(
            _INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8"
        )
        log = (folder / "stdout.log").open("wb")
        process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{http_port}"
        try:
            if _wait_until_up(base, process):
                _grant_graph_store_updates(isql, sql_port)
                yield VirtuosoServer(base, process)
                return
            last_error = _why_not(process, folder)
        finally:
            _stop(process)
            log.close()
            shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"virtuoso did not start: {last_error}")


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2) as response:
                response.read()
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.2)
    return False


def _grant_graph_store_updates(isql: str, sql_port: int) -> None:
    """Let the anonymous SPARQL user write through /sparql-graph-crud."""
    grant = 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'
    subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", DBA_PASSWORD, grant],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=ISQL_SECONDS,
    )


def _why_not(process: subprocess.Popen[bytes], folder: Path) -> str:
    if process.poll() is None:
        return f"no answer within {STARTUP_SECONDS:g} s"
    lines = (folder / "stdout.log").read_text(encoding="utf-8", errors="replace").splitlines()
    return f"exited with {process.returncode}: {lines[-1] if lines else 'no output'}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # Virtuoso shuts down quickly on SIGTERM
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)
