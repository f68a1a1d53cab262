"""Benchmark the audit of several plans (not a timed test): N synthetic counties from
``bench/province.py``, audited per plan in one process (``jobs=1``) and in parallel
processes (the default: one per CPU), with the time per county and the ratio to N = 1.
With ``--union`` it also times the audit as it was before plans were recognised: every shape
over the union of the counties in one graph (the cross-county joins grow with N²-N³).

    python bench/bench_audit_plans.py [--counts 1 3 10] [--repeats 1] [--union]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from province import write_province  # bench/ is on sys.path when run
from timing import median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--union", action="store_true", help="also time the one-graph audit")
    options = parser.parse_args()

    from ecokg.audit import audit

    with tempfile.TemporaryDirectory(prefix="ecokg-bench-plans-") as folder:
        every = write_province(Path(folder), max(options.counts))
        audit(every[:1], bundled=False)  # warm up imports, as one CLI run does
        print(f"CPUs: {os.cpu_count()}; repeats: {options.repeats}")
        header = f"{'N':>4}{'findings':>10}{'1 process s':>13}{'parallel s':>12}{'× N=1':>8}"
        header += f"{'s/county':>10}" + (f"{'union s':>10}" if options.union else "")
        print(header)
        first = None
        for count in options.counts:
            first = _row(every[:count], options.repeats, options.union, first)


def _row(files: list[Path], repeats: int, union: bool, first: float | None) -> float:
    """Print one row of the table; the parallel time at the first N."""
    from ecokg.audit import audit

    findings = len(audit(files, bundled=False).findings)
    serial = median_seconds(lambda: audit(files, bundled=False, jobs=1), repeats)
    parallel = median_seconds(lambda: audit(files, bundled=False), repeats)
    first = first or parallel
    row = f"{len(files):>4}{findings:>10}{serial:>13.2f}{parallel:>12.2f}"
    row += f"{parallel / first:>8.2f}{parallel / len(files):>10.2f}"
    if union:
        row += f"{median_seconds(lambda: _union_audit(files), repeats):>10.2f}"
    print(row, flush=True)
    return first


def _union_audit(files: list[Path]) -> None:
    """Every shape over the union of the files in one graph (the audit before plans)."""
    from ecokg import resources
    from ecokg.audit.engine import load_plan, load_shapes, run_audit

    graph, store = load_plan([*resources.ontology_files(), *files])
    run_audit(graph, load_shapes(), "zh", store)


if __name__ == "__main__":
    main()
