"""Benchmark the audit of several plans (not a timed test): N synthetic counties from
``bench/province.py``, audited per plan in parallel processes (one per CPU), cold (an empty
audit cache: every plan validated) and warm (the same files again: every plan read from the
cache), as ratios to pyoxigraph's own bulk load of the same files in the same run. With
``--serial`` it also times the cold audit in one process; with ``--union`` the audit as it was
before plans were recognised (every shape over the union of the counties in one graph).

    python bench/bench_audit_plans.py [--counts 1 10] [--repeats 1] [--serial] [--union]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from province import write_province  # bench/ is on sys.path when run
from timing import median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--serial", action="store_true", help="also time one process")
    parser.add_argument("--union", action="store_true", help="also time the one-graph audit")
    options = parser.parse_args()

    from ecokg.audit import audit

    with tempfile.TemporaryDirectory(prefix="ecokg-bench-plans-") as folder:
        every = write_province(Path(folder) / "counties", max(options.counts))
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache-warm-up")
        audit(every[:1], bundled=False)  # warm up imports, as one CLI run does
        print(f"CPUs: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
        header = f"{'N':>4}{'findings':>10}{'load s':>8}{'cold s':>8}{'× load':>8}"
        header += f"{'s/plan':>8}{'warm s':>8}{'× load':>8}"
        header += f"{'1 proc s':>10}" if options.serial else ""
        header += f"{'union s':>10}" if options.union else ""
        print(header)
        for count in options.counts:
            _row(every[:count], Path(folder), options)


def _row(files: list[Path], folder: Path, options: argparse.Namespace) -> None:
    """Print one row of the table."""
    from ecokg.audit import audit

    repeats = options.repeats
    load = median_seconds(lambda: _oxigraph_load(files), repeats)
    colds, warms = [], []
    for attempt in range(repeats):
        os.environ["XDG_CACHE_HOME"] = str(folder / f"cache-{len(files)}-{attempt}")
        started = time.perf_counter()
        report = audit(files, bundled=False)
        colds.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = audit(files, bundled=False)
        warms.append(time.perf_counter() - started)
        assert again.to_json() == report.to_json()
    cold, warm = sorted(colds)[repeats // 2], sorted(warms)[repeats // 2]
    row = f"{len(files):>4}{len(report.findings):>10}{load:>8.2f}{cold:>8.2f}{cold / load:>8.1f}"
    row += f"{cold / len(files):>8.2f}{warm:>8.2f}{warm / load:>8.1f}"
    if options.serial:
        os.environ["XDG_CACHE_HOME"] = str(folder / f"cache-{len(files)}-serial")
        row += f"{median_seconds(lambda: audit(files, bundled=False, jobs=1), 1):>10.2f}"
    if options.union:
        row += f"{median_seconds(lambda: _union_audit(files), repeats):>10.2f}"
    print(row, flush=True)


def _oxigraph_load(files: list[Path]) -> None:
    """The baseline: pyoxigraph's bulk load of the same files into an in-memory store."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)


def _union_audit(files: list[Path]) -> None:
    """Every shape over the union of the files in one graph (the audit before plans)."""
    from ecokg import resources
    from ecokg.audit.engine import load_plan, load_shapes, run_audit

    graph, store = load_plan([*resources.ontology_files(), *files])
    run_audit(graph, load_shapes(), "zh", store)


if __name__ == "__main__":
    main()
