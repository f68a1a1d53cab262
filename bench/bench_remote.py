"""Push and remote-query latency against embedded query latency, as ratios to loading the graph.

Starts its own Oxigraph server on 127.0.0.1 (stopped at the end), pushes the bundled dataset,
and times each step in the same run; every figure is the median of repeats. Then, for each
``--province N``, N synthetic counties (bench/province.py), each in its own plan graph, are
pushed to an empty server (``ecokg push``'s chunks, then its count check) and bulk-loaded
into an empty store by ``oxigraph load`` from one N-Quads file of the same quads: the ratio
is push ÷ bulk load, measured once each.

    python bench/bench_remote.py [--repeats N] [--province 10 --province 100]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import pyoxigraph as ox
from oxigraph_server import find_oxigraph, running_oxigraph
from province import write_province  # bench/province.py
from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

from ecokg.kb import load_dataset
from ecokg.publish import push as pushing
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import plan_graph
from ecokg.stores.local import Dataset
from ecokg.stores.remote import RemoteStore

QUERIES: dict[str, dict[str, str]] = {
    "projects-in-township": {"township": "泗溪镇"},
    "investment-by-programme": {},
    "planned-outputs": {},
    "indicator-projects": {},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--province", type=int, action="append", metavar="N")
    arguments = parser.parse_args()
    repeats = arguments.repeats

    load = median_seconds(load_dataset, repeats)
    dataset = load_dataset()
    rows: list[tuple[str, float]] = [("load the graph (embedded)", load)]
    with (
        tempfile.TemporaryDirectory() as directory,
        running_oxigraph(Path(directory) / "db") as srv,
    ):
        parts = pushing.plan_parts(dataset)
        rows.append(
            (
                "serialise the 3 graphs (N-Triples)",
                median_seconds(lambda: pushing.plan_parts(dataset), repeats),
            )
        )
        rows.append(
            (
                "push the 3 graphs (3 PUTs)",
                median_seconds(
                    lambda: pushing.push_parts(parts, srv.store_url, timeout=120), repeats
                ),
            )
        )
        remote = RemoteStore(srv.query_url, timeout=60)
        for name, values in QUERIES.items():
            query = querylib.get_named_query(name)

            def run(
                store: object, query: querylib.NamedQuery = query, values: dict[str, str] = values
            ) -> None:
                list(querylib.run_named_query(store, query, values))  # type: ignore[arg-type]

            rows.append((f"query {name} (embedded)", median_seconds(lambda: run(dataset), repeats)))
            rows.append((f"query {name} (remote)", median_seconds(lambda: run(remote), repeats)))

    width = max(len(label) for label, _ in rows)
    print(f"{'step':<{width}}  {'median ms':>10}  {'÷ load':>8}")
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds * 1000:>10.1f}  {seconds / load:>8.2f}")
    print(f"({repeats} repeats, {len(dataset)} triples)")
    for count in arguments.province or [10]:
        print()
        province_push(count)


def province_push(count: int) -> None:
    """Push N counties (one graph each) against ``oxigraph load`` of the same quads."""
    binary = find_oxigraph()
    assert binary is not None, "the oxigraph executable is missing"
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        dataset = Dataset()
        for path in write_province(root / "counties", count):
            dataset.load_file(path, plan_graph(path.stem.rsplit("-", 1)[-1]))
        quads = root / "province.nq"
        dataset.store.dump(str(quads), format=ox.RdfFormat.N_QUADS)
        started = time.perf_counter()
        subprocess.run(
            [binary, "load", "--location", str(root / "bulk"), "--file", str(quads)],
            check=True,
            capture_output=True,
        )
        bulk = time.perf_counter() - started
        with running_oxigraph(root / "db") as srv:
            started = time.perf_counter()
            parts = pushing.plan_parts(dataset)
            pushed = pushing.push_parts(parts, srv.store_url, timeout=120)
            counts = pushing.server_counts(
                srv.query_url, [part.graph for part in pushed], timeout=120
            )
            pushing.check_counts(pushed, counts, srv.query_url)
            push = time.perf_counter() - started
        requests = sum(part.requests for part in pushed)
        print(f"province of {count} counties: {len(dataset)} quads in {len(parts)} graphs")
        print(f"{'step':<40}  {'seconds':>8}  {'÷ oxigraph load':>15}")
        print(f"{'oxigraph load (bulk loader)':<40}  {bulk:>8.2f}  {1:>15.2f}")
        label = f"ecokg push ({requests} requests, checked)"
        print(f"{label:<40}  {push:>8.2f}  {push / bulk:>15.2f}")


if __name__ == "__main__":
    main()
