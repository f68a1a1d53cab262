"""Benchmark reasoning over one plan, stage by stage, and over many plans (not a timed test).

Every time is also given as a ratio to pyoxigraph parsing the same plan in the same run (the
baseline), so that figures from a loaded machine stay comparable. One synthetic county of
``bench/province.py`` (~12 k triples with the ontology) is the plan.

    python bench/bench_reason.py [--plans 10] [--repeats 3] [--no-java]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
from province import write_province  # bench/ is on sys.path when run
from timing import median_seconds

from ecokg import resources
from ecokg.reason import compiled, engine, java_available, materialise, materialise_many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-java", action="store_true", help="skip the HermiT rows")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ecokg-bench-reason-") as folder:
        plans = write_province(Path(folder), options.plans)
        _stages(plans[0], options.repeats, java=not options.no_java and java_available())
        _many(plans, options.repeats)


def _stages(plan: Path, repeats: int, *, java: bool) -> None:
    ontology = list(resources.ontology_files())
    files = [*ontology, plan]
    baseline = median_seconds(lambda: [list(ox.parse(path=str(f))) for f in files], repeats)
    graph = engine._load(files)
    tbox, abox, ruled = engine._tbox(graph), engine._abox(graph), engine._apply_rules(graph)
    engine_input = tbox | abox | ruled
    inputs = engine._Inputs.parse(ontology, [plan])
    rows = [
        ("pyoxigraph parse (baseline)", lambda: [list(ox.parse(path=str(f))) for f in files]),
        ("old: rdflib graph", lambda: engine._load(files)),
        ("old: extract TBox/ABox", lambda: (engine._tbox(graph), engine._abox(graph))),
        ("old: rules (rdflib SPARQL)", lambda: engine._apply_rules(graph)),
        ("old: owlrl closure", lambda: engine._owlrl(engine_input)),
    ]
    if java:
        rows += [
            ("old: JVM + HermiT, empty input", lambda: engine._hermit(set())),
            ("old: owlready2 load + HermiT", lambda: engine._hermit(engine_input)),
        ]
    rows += [
        ("old: normalise", lambda: engine._normalise(tbox, abox | ruled)),
        ("new: parse + extract + rules", lambda: engine._Inputs.parse(ontology, [plan])),
        ("new: rules (pyoxigraph)", lambda: engine._ox_rules(ox_quads)),
        ("new: compiled closure", lambda: compiled.Closure(inputs.tbox, engine_input)),
        ("whole: materialise, owlrl", lambda: materialise([plan], engine="owlrl")),
        ("whole: materialise, compiled", lambda: materialise([plan], engine="compiled")),
    ]
    if java:
        rows.insert(
            -1, ("whole: materialise, HermiT", lambda: materialise([plan], engine="hermit"))
        )
    from ecokg.rdf.parsing import parse_files

    ox_quads = parse_files(files)
    print(f"one plan: {len(graph):,} triples with the ontology; baseline {baseline:.3f} s")
    print(f"{'stage':<34}{'s':>8}{'× parse':>9}")
    for name, action in rows:
        seconds = median_seconds(action, 1 if "old" in name or "owlrl" in name else repeats)
        print(f"{name:<34}{seconds:>8.3f}{seconds / baseline:>9.1f}", flush=True)


def _many(plans: list[Path], repeats: int) -> None:
    each = [[plan] for plan in plans]
    print(f"\n{len(plans)} plans, compiled engine, CPUs: {os.cpu_count()}")
    for jobs in (1, 2):
        seconds = median_seconds(
            lambda jobs=jobs: materialise_many(each, engine="compiled", jobs=jobs), repeats
        )
        per_plan = seconds / len(plans)
        print(
            f"materialise_many jobs={jobs}: {seconds:.2f} s, {per_plan:.3f} s per plan, "
            f"100 plans ≈ {per_plan * 100:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
