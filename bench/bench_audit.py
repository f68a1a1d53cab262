"""Benchmark ``ecokg audit`` on the bundled plan (not a timed test).

Measures, with several repeats and the median:
- the whole ``ecokg audit`` process and the whole ``ecokg info`` process (subprocess), and
- loading (ontology + plan into an rdflib graph and an oxigraph store), and
- the shapes alone on the loaded graph, in-process: all of them (SHACL Core by pyshacl and
  SHACL-SPARQL by pyoxigraph, as ``ecokg audit`` runs them), and each part on its own,
and prints them with their ratios to ``ecokg info`` in the same run, so that numbers from a
busy or a fast machine can be compared. Target: the whole audit under 2 s.

    python bench/bench_audit.py [--repeats N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)


def run_cli(*args: str) -> None:
    # Exit code 1 is the audit's "there are violations": not a failure here.
    completed = subprocess.run(
        [sys.executable, "-m", "ecokg", *args], capture_output=True, check=False
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(completed.stderr.decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats

    from ecokg.audit import engine, sparql, sparql_plan
    from ecokg.kb import asserted_files

    info = median_seconds(lambda: run_cli("info"), repeats)
    whole = median_seconds(lambda: run_cli("audit", "--format", "json"), repeats)
    files = asserted_files()
    load = median_seconds(lambda: engine.load_plan(files), repeats)
    graph, store = engine.load_plan(files)
    shapes = engine.load_shapes()
    plan = sparql_plan.plan_constraints(shapes)
    core = sparql_plan.without_constraints(shapes, plan.removed)
    engine.run_audit(graph, shapes, store=store)  # warm up, as one CLI run does
    shapes_only = median_seconds(lambda: engine.run_audit(graph, shapes, store=store), repeats)
    sparql_only = median_seconds(lambda: sparql.evaluate(store, shapes, plan.constraints), repeats)
    core_only = median_seconds(lambda: engine._validate_core(graph, core), repeats)

    rows = [
        ("ecokg info (process)", info),
        ("ecokg audit (process)", whole),
        ("load ontology + plan", load),
        ("shapes only (Core + SPARQL)", shapes_only),
        ("  SHACL Core (pyshacl)", core_only),
        (f"  SHACL-SPARQL ({len(plan.constraints)}, oxigraph)", sparql_only),
    ]
    print(f"{'measure':<32}{'median s':>10}{'× info':>9}   (repeats: {repeats})")
    for name, seconds in rows:
        print(f"{name:<32}{seconds:>10.3f}{seconds / info:>9.2f}")
    print(f"target: ecokg audit < 2 s -> {'met' if whole < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
