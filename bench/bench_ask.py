"""Benchmark `ecokg ask`: end-to-end process time and per-step latency in-process.

End to end, each question runs as a subprocess (process start, imports, loading the
dataset, the cached entity index, linking, matching, the query and the table); the
median of ``--repeat`` runs is reported, with its ratio to a baseline measured in the same
run: ``ecokg --version`` (process start and CLI import only). In-process, the entity
index (cached and rebuilt), linking plus intent matching, and each query on the embedded
store are timed, the query latency also as a ratio to a trivial ASK query.

    python bench/bench_ask.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

QUESTIONS = (
    "哪些项目治理泗溪镇的土壤污染？",
    "Which projects address soil pollution in Sixi?",
    "sixizhen有哪些项目",
    "Which projects are in Atlantis?",
)
BUDGET_SECONDS = 1.0


def ecokg_command() -> list[str]:
    script = Path(sys.executable).with_name("ecokg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecokg"]


def run_process(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def end_to_end(repeat: int, env: dict[str, str]) -> bool:
    command = ecokg_command()
    baseline = median_seconds(lambda: run_process([*command, "--version"], env), repeat)
    print(f"baseline  ecokg --version: {baseline * 1000:7.1f} ms")
    within_budget = True
    for question in QUESTIONS:
        seconds = median_seconds(lambda q=question: run_process([*command, "ask", q], env), repeat)
        within_budget &= seconds < BUDGET_SECONDS
        print(f"ask {question!r:52} {seconds * 1000:7.1f} ms  ×{seconds / baseline:5.1f} baseline")
    return within_budget


def in_process(repeat: int) -> None:
    from ecokg.ask.cache import load_index
    from ecokg.ask.engine import Asker
    from ecokg.ask.intents import concept_namespaces
    from ecokg.kb import load_dataset
    from ecokg.query import library as querylib

    load = median_seconds(load_dataset, repeat)
    print(f"\nload dataset:                 {load * 1000:7.1f} ms")
    dataset = load_dataset()
    queries = querylib.list_named_queries()
    namespaces = concept_namespaces(queries)
    cached = median_seconds(lambda: load_index(dataset, namespaces), repeat)
    rebuilt = median_seconds(lambda: load_index(dataset, namespaces, use_cache=False), 3)
    print(f"entity index, from the cache: {cached * 1000:7.1f} ms")
    print(f"entity index, rebuilt:        {rebuilt * 1000:7.1f} ms  ×{rebuilt / cached:5.1f}")
    asker = Asker.create(dataset, queries)
    for question in QUESTIONS[:3]:
        seconds = median_seconds(lambda q=question: asker.understand(q), repeat)
        print(f"link + match {question!r:48} {seconds * 1000:6.2f} ms")
    trivial = median_seconds(lambda: bool(dataset.query("ASK { ?s ?p ?o }")), repeat)
    print(f"\nper query (embedded store), baseline ASK {{ ?s ?p ?o }}: {trivial * 1000:.2f} ms")
    for question in QUESTIONS[:3]:
        _, _, match = asker.understand(question)
        values = match.values()
        seconds = median_seconds(
            lambda m=match, v=values: list(querylib.run_named_query(dataset, m.query, v)),  # type: ignore[call-overload]
            repeat,
        )
        print(f"  {match.query.name:45} {seconds * 1000:7.2f} ms  ×{seconds / trivial:6.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cache_home = tempfile.mkdtemp(prefix="ecokg-bench-cache-")
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    os.environ["XDG_CACHE_HOME"] = cache_home
    try:
        # Warm the entity-index cache once (the first ask builds it).
        run_process([*ecokg_command(), "ask", QUESTIONS[0]], env)
        ok = end_to_end(args.repeat, env)
        in_process(args.repeat)
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
    print(f"\nevery question under {BUDGET_SECONDS:g} s end to end: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
