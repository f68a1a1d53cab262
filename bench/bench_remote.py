"""Push and remote-query latency against embedded query latency, as ratios to loading the graph.

Starts its own Oxigraph server on 127.0.0.1 (stopped at the end), pushes the bundled dataset,
and times each step in the same run; every figure is the median of repeats.

    python bench/bench_remote.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from oxigraph_server import running_oxigraph
from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

from ecokg.kb import load_dataset
from ecokg.publish import push as pushing
from ecokg.query import library as querylib
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
    repeats = parser.parse_args().repeats

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


if __name__ == "__main__":
    main()
