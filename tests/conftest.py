"""Shared fixtures: the bundled dataset (loaded once) and an in-process CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_http import StartServer, fake_servers
from oxigraph_server import OxigraphServer, find_oxigraph, running_oxigraph
from virtuoso_server import VirtuosoServer, find_virtuoso, running_virtuoso

from ecokg import resources
from ecokg.cli import main
from ecokg.kb import load_dataset
from ecokg.stores.local import Dataset

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.ttl"

RunCli = Callable[..., tuple[int, str, str]]
SparqlServer = OxigraphServer | VirtuosoServer


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Inferences over test data are cached in a per-session directory, not the user's."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The bundled plan with ontology and inferences, loaded once per test session."""
    if not resources.plan_file().is_file():
        pytest.skip("data/plan.ttl does not exist yet")
    return load_dataset()


@pytest.fixture(scope="session")
def mini_dataset() -> Dataset:
    """The ontology plus tests/fixtures/mini.ttl, without the bundled plan."""
    return load_dataset([MINI], bundled=False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run ``ecokg ARGS...`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before the call
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def push_bundled(srv: SparqlServer) -> None:
    """``ecokg push`` of the bundled dataset to a test server; it must succeed."""
    args = ["push", "--endpoint", srv.query_url, "--store-url", srv.store_url, "--timeout", "60"]
    assert main(args) == 0, f"ecokg push to {srv.base} failed"


@pytest.fixture
def run_mini(run_cli: RunCli) -> RunCli:
    """Like run_cli, on the mini fixture instead of the bundled plan."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        return run_cli(*args, "--no-bundled", "--data", MINI)

    return run


# --- a real Oxigraph server on 127.0.0.1 for the remote-store tests (marked ``server``) ---


@pytest.fixture(scope="session")
def oxigraph_binary() -> str:
    binary = find_oxigraph()
    if binary is None:
        message = "the oxigraph executable (pip install oxigraph, the [test] extra) is missing"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — required under CI")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def virtuoso_binaries() -> tuple[str, str]:
    binaries = find_virtuoso()
    if binaries is None:
        message = (
            "Virtuoso (virtuoso-t and isql-vt: apt-get install virtuoso-opensource) is missing"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — required under CI")
        pytest.skip(message)
    return binaries


@pytest.fixture(scope="session")
def virtuoso(
    virtuoso_binaries: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the session (it takes seconds to start); pushes replace its graphs."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), virtuoso_binaries) as srv:
        yield srv


@pytest.fixture(scope="module")
def oxigraph_server(
    oxigraph_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphServer]:
    """One Oxigraph server, for tests of ecokg's own behaviour rather than of the stores."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db", oxigraph_binary) as srv:
        yield srv


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparqlServer]:
    """Each remote-store test runs against both real stores."""
    if request.param == "virtuoso":
        yield request.getfixturevalue("virtuoso")
        return
    yield request.getfixturevalue("oxigraph_server")


@pytest.fixture
def http_server() -> Iterator[StartServer]:
    """Start tiny HTTP servers on 127.0.0.1 answering with a handler (:mod:`fake_http`)."""
    with fake_servers() as start:
        yield start
