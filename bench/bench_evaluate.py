"""Benchmark ``ecokg evaluate`` on the bundled plan plus 10 years of observations (not a timed
test).

Fills the template (CSV) with invented figures for every indicator, project and planned output
for 2021–2030, imports them once, then measures with several repeats and the median the whole
``ecokg evaluate --data FILE`` process (table and HTML) and the whole ``ecokg info`` process,
and prints them with their ratios to ``ecokg info`` in the same run, so that numbers from a busy
or a fast machine can be compared. Target: ``ecokg evaluate`` under 1.5 s.

    python bench/bench_evaluate.py [--repeats N]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

YEARS = range(2021, 2031)
TARGET_SECONDS = 1.5


def run_cli(*args: str | Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ecokg", *map(str, args)], capture_output=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(completed.stderr.decode())


def filled(template: Path, out: Path, fill: dict[str, str]) -> None:
    """The template's rows repeated for every year, with the ``fill`` columns set."""
    with template.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert rows, template
    with out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        for year in YEARS:
            for row in rows:
                values = dict(row)
                values["年份 year"] = str(year)
                for column, value in fill.items():
                    values[column] = value.format(year=year, step=year - 2020)
                writer.writerow(values)


def observations(folder: Path) -> Path:
    """10 years of invented figures for the whole plan, imported as monitoring RDF."""
    run_cli("monitor", "template", "-o", folder / "t.csv")
    filled(folder / "t-indicators.csv", folder / "b-indicators.csv", {"监测值 value": "{step}"})
    filled(
        folder / "t-projects.csv",
        folder / "b-projects.csv",
        {
            "状态 status": "在建",
            "资金渠道 funding channel": "地方财政自筹",
            "下达资金（万元） allocated (10k yuan)": "100",
            "已支出（万元） spent (10k yuan)": "90",
        },
    )
    filled(
        folder / "t-outputs.csv", folder / "b-outputs.csv", {"累计完成 delivered so far": "{step}"}
    )
    data = folder / "monitoring.ttl"
    run_cli("monitor", "import", *sorted(folder.glob("b-*.csv")), "-o", data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory(prefix="ecokg-bench-") as name:
        folder = Path(name)
        data = observations(folder)
        triples = sum(1 for line in data.read_text(encoding="utf-8").splitlines() if line.strip())
        info = median_seconds(lambda: run_cli("info"), repeats)
        table = median_seconds(lambda: run_cli("evaluate", "--data", data), repeats)
        page = folder / "evaluation.html"
        html = median_seconds(lambda: run_cli("evaluate", "--data", data, "-o", page), repeats)
    rows = [
        ("ecokg info (process)", info),
        ("ecokg evaluate (process, table)", table),
        ("ecokg evaluate (process, html)", html),
    ]
    print(f"monitoring data: {len(YEARS)} years, ~{triples} Turtle lines")
    print(f"{'measure':<34}{'median s':>10}{'× info':>9}   (repeats: {repeats})")
    for label, seconds in rows:
        print(f"{label:<34}{seconds:>10.3f}{seconds / info:>9.2f}")
    worst = max(table, html)
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"target: ecokg evaluate <= {TARGET_SECONDS} s -> {verdict}")


if __name__ == "__main__":
    main()
