"""The province benchmark (issue 12; not a timed test): N synthetic counties from
``bench/province.py`` loaded once into an on-disk store (``ecokg store load``), then every
command run against it (``--store``), each as a whole process, with its wall time and peak
memory, next to pyoxigraph's own bulk load, query and dump of the same quads in the same run.
Each command runs twice: the first run builds what it caches (ask's name index, the audit's
per-plan results, both keyed by content); the table shows both (``… 1st`` is the first).

    python bench/province_bench.py [--counts 1 10 100] [--keep DIR] [--only NAME …]

Targets at N = 100 (~2 M quads): load ≤ 60 s; every later command ≤ 2 s; audit of all plans
≤ 60 s with every planted inconsistency found, per county. The last lines fit
``time = a + b·N`` to the measured points and extrapolate to 2,800 counties (the nation).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from province import County, write_province  # bench/ is on sys.path when run

ECOKG = [sys.executable, "-m", "ecokg"]
NATION = 2800


@dataclass
class Timed:
    seconds: float
    peak_mb: float
    output: str


def run(argv: list[str], env: dict[str, str]) -> Timed:
    """One command as a process: wall seconds and peak resident memory (GNU time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", stats.name, *argv],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        peak_kb = float(stats.read().strip().splitlines()[-1] or 0)
    if done.returncode not in (0, 1):  # audit exits 1 when it finds something
        raise SystemExit(f"{' '.join(argv[2:])}: exit {done.returncode}: {done.stderr.strip()}")
    return Timed(seconds, peak_kb / 1024, done.stdout)


def commands(first: County) -> dict[str, list[str]]:
    """The commands timed after the load, by name (each reads the store, parses nothing)."""
    return {
        "info": ["info"],
        "query (all counties)": ["query", "investment-by-programme", "--format", "csv"],
        "query (one county)": [
            "query",
            "projects-in-township",
            "--plan",
            str(first.code),
            "--param",
            "township=泗溪镇",
            "--format",
            "csv",
        ],
        "ask": ["ask", "--plan", str(first.code), "泗溪镇有哪些项目"],
        "audit": ["audit", "--format", "json"],
        "export": ["export", "--output", "{tmp}/export.nq"],
    }


def baseline(store_dir: Path, work: Path, query: str) -> tuple[float, float, float, int]:
    """pyoxigraph alone on the same quads: the store's dump to N-Quads, a bulk load of that
    dump into a new store, and one query."""
    dump = work / "dump.nq"
    start = time.perf_counter()
    stored = ox.Store.read_only(str(store_dir / "oxigraph"))
    stored.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
    dumped = time.perf_counter() - start
    target = work / "baseline-store"
    shutil.rmtree(target, ignore_errors=True)
    start = time.perf_counter()
    store = ox.Store(str(target))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    store.flush()
    load = time.perf_counter() - start
    quads = len(store)
    start = time.perf_counter()
    list(store.query(query, use_default_graph_as_union=True))
    return dumped, load, time.perf_counter() - start, quads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="time only these commands after the load (e.g. info 'query (all counties)')",
    )
    options = parser.parse_args()
    work = options.keep or Path(tempfile.mkdtemp(prefix="ecokg-province-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    from ecokg import resources
    from ecokg.rdf.namespaces import sparql_prologue

    query = (resources.query_dir() / "investment-by-programme.rq").read_text("utf-8")
    prefixes = sparql_prologue()
    files = write_province(work / "plans", max(options.counts))
    results = []
    for count in options.counts:
        store_dir = work / f"store-{count}"
        shutil.rmtree(store_dir, ignore_errors=True)
        data = [arg for path in files[:count] for arg in ("--data", str(path))]
        load = run([*ECOKG, "store", "load", str(store_dir), "--no-bundled", *data], env)
        row: dict[str, object] = {"N": count, "load": load.seconds, "load MB": load.peak_mb}
        store_env = {**env, "ECOKG_STORE": str(store_dir)}
        chosen = commands(County(1))
        unknown = set(options.only or ()) - set(chosen)
        if unknown:
            raise SystemExit(f"--only: no command {sorted(unknown)}; there are {list(chosen)}")
        for name, argv in chosen.items():
            if options.only and name not in options.only:
                continue
            argv = [arg.replace("{tmp}", str(work)) for arg in argv]
            cold = run([*ECOKG, *argv], store_env)  # first run: builds the caches it keeps
            timed = run([*ECOKG, *argv], store_env)
            row[f"{name} 1st"] = cold.seconds
            row[name] = timed.seconds
            row[f"{name} MB"] = max(cold.peak_mb, timed.peak_mb)
            if name == "audit":
                row["planted found"] = planted_found(timed.output, count)
        ox_dump, ox_load, ox_query, quads = baseline(store_dir, work, prefixes + query)
        row.update(
            {
                "quads": quads,
                "oxigraph load": ox_load,
                "oxigraph query": ox_query,
                "oxigraph dump": ox_dump,
            }
        )
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)


def planted_found(audit_json: str, count: int) -> str:
    """How many counties' planted inconsistency (S20/S21 on the first programme) the audit found."""
    report = json.loads(audit_json)
    plans = {
        f.get("plan")
        for f in report.get("findings", [])
        if str(f.get("shape", "")).split("-")[0].endswith(("S20", "S21"))
    }
    return f"{len(plans)}/{count}"


def print_table(results: list[dict[str, object]]) -> None:
    names = [k for k in results[0] if k != "N"]
    print("| " + " | ".join(["N", *names]) + " |")
    print("|" + "---|" * (len(names) + 1))
    for row in results:
        cells = [
            f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in ["N", *names]
        ]
        print("| " + " | ".join(cells) + " |")
    if len(results) >= 2:
        first, last = results[0], results[-1]
        print(f"\nlinear fit through N={first['N']} and N={last['N']}, extrapolated to {NATION}:")
        for name in names:
            a, b = first[name], last[name]
            if isinstance(a, float) and isinstance(b, float) and not name.endswith("MB"):
                slope = (b - a) / (int(last["N"]) - int(first["N"]))  # type: ignore[arg-type]
                print(f"  {name}: {a + slope * (NATION - int(first['N'])):.0f} s")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
