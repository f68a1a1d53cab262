"""A bounded load test of ``ecokg serve`` on 127.0.0.1, as ratios to ``oxigraph serve``
holding the same data, measured in the same run.

Starts both servers on free loopback ports (stopped at the end), pushes the bundled dataset
to Oxigraph, then sends a fixed number of requests from concurrent clients (each request
bounded by a timeout, the whole run by --max-seconds): a SPARQL SELECT on ``/sparql`` (the
same query, over the named graphs, to both), and IRI pages (``/id/…`` as HTML) compared with
Oxigraph answering ``DESCRIBE`` of the same IRIs. Prints requests/s and p95 latency.

    python bench/serve_load.py [--clients 8] [--requests 200] [--serve-args '--workers 0']
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from oxigraph_server import free_port, running_oxigraph

from ecokg.kb import load_dataset
from ecokg.publish import push as pushing

SELECT = """PREFIX eco: <https://w3id.org/ecokg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?label ?township WHERE {
  GRAPH ?g { ?project a eco:Project ; rdfs:label ?label ; eco:implementedIn ?township }
} ORDER BY ?project ?label ?township"""
BUNDLED = "https://w3id.org/ecokg/id/360923/"  # the bundled plan's IRI space
IRIS = [
    "township/sixi",
    "township/aoyang",
    "project/polluted-farmland-safe-use",
    "programme/forest",
    "programme/water-wetland",
    "zone/northeast-jinjiang",
    "county/shanggao",
    "plan/shanggao-2021-2035",
]
REQUEST_TIMEOUT = 30.0


def fetch(url: str, accept: str) -> float:
    request = urllib.request.Request(url, headers={"Accept": accept})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return time.perf_counter() - start


def load(urls: list[str], accept: str, clients: int, max_seconds: float) -> tuple[float, float]:
    """(requests per second, p95 seconds) for ``urls`` sent by ``clients`` threads."""
    deadline = time.monotonic() + max_seconds

    def one(url: str) -> float | None:
        if time.monotonic() > deadline:
            return None  # the run's time bound: stop sending
        return fetch(url, accept)

    fetch(urls[0], accept)  # warm up
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        timings = [t for t in pool.map(one, urls) if t is not None]
    elapsed = time.perf_counter() - start
    p95 = statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)
    return len(timings) / elapsed, p95


def running_ecokg(port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ecokg", "serve", "--port", str(port), *extra],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", "*/*")
            return process
        except (urllib.error.URLError, OSError):
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("ecokg serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument(
        "--serve-args", default="", help="extra options of ecokg serve, e.g. '--workers 0'"
    )
    options = parser.parse_args()
    n, clients, bound = options.requests, options.clients, options.max_seconds

    dataset = load_dataset()
    port = free_port()
    ecokg = running_ecokg(port, options.serve_args.split())
    try:
        with (
            tempfile.TemporaryDirectory() as directory,
            running_oxigraph(Path(directory) / "db") as oxigraph,
        ):
            pushing.push_parts(pushing.plan_parts(dataset), oxigraph.store_url, timeout=120)
            ours = f"http://127.0.0.1:{port}"
            query = urllib.parse.quote(SELECT)
            results_json = "application/sparql-results+json"

            def runs(make: Callable[[int], str], accept: str) -> tuple[float, float]:
                return load([make(i) for i in range(n)], accept, clients, bound)

            sparql_ours = runs(lambda i: f"{ours}/sparql?query={query}", results_json)
            sparql_ox = runs(lambda i: f"{oxigraph.query_url}?query={query}", results_json)
            pages_ours = runs(lambda i: f"{ours}/id/360923/{IRIS[i % len(IRIS)]}", "text/html")
            describe = [urllib.parse.quote(f"DESCRIBE <{BUNDLED}{iri}>") for iri in IRIS]
            pages_ox = runs(
                lambda i: f"{oxigraph.query_url}?query={describe[i % len(IRIS)]}", "text/turtle"
            )
    finally:
        ecokg.terminate()
        ecokg.wait(10)

    print(f"{n} requests per row, {clients} concurrent clients, 127.0.0.1")
    print(f"{'workload':44} {'req/s':>8} {'p95 ms':>8} {'× oxigraph req/s':>17} {'× p95':>7}")
    for name, mine, theirs in (
        ("SPARQL SELECT on /sparql", sparql_ours, sparql_ox),
        ("IRI pages as HTML (vs oxigraph DESCRIBE)", pages_ours, pages_ox),
    ):
        print(
            f"{name:44} {mine[0]:8.0f} {mine[1] * 1000:8.1f} "
            f"{mine[0] / theirs[0]:17.2f} {mine[1] / theirs[1]:7.2f}"
        )
    print(f"{'oxigraph serve, SELECT':44} {sparql_ox[0]:8.0f} {sparql_ox[1] * 1000:8.1f}")
    print(f"{'oxigraph serve, DESCRIBE':44} {pages_ox[0]:8.0f} {pages_ox[1] * 1000:8.1f}")


if __name__ == "__main__":
    main()
