"""Benchmark ``ecokg export``: every format, the catalogue and the static site.

Times are medians of ``--repeat`` runs in this process, shown as ratios to loading the
graph (ontology + plan + inferences) in the same run, so figures compare across machines.

    python bench/bench_export.py [--repeat 5] [--site-repeat 3]
"""

from __future__ import annotations

import argparse
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

from timing import median_seconds  # bench/timing.py (bench/ is on sys.path when run)

from ecokg.kb import load_dataset
from ecokg.publish import export as exporting
from ecokg.publish.catalog import CatalogSettings, serialize_catalog
from ecokg.publish.site import build_site
from ecokg.rdf.formats import Format
from ecokg.stores.local import Dataset


def export_action(dataset: Dataset, output_format: Format) -> Callable[[], object]:
    def run() -> int:
        buffer = io.BytesIO()
        exporting.export(dataset, output_format, buffer)
        return len(buffer.getvalue())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site-repeat", type=int, default=3)
    args = parser.parse_args()

    load = median_seconds(load_dataset, args.repeat)
    dataset = load_dataset()
    settings = CatalogSettings.create()
    rows: list[tuple[str, float, str]] = [("load graph", load, f"{len(dataset)} quads")]
    for output_format in exporting.FORMATS:
        size = export_action(dataset, output_format)()
        seconds = median_seconds(export_action(dataset, output_format), args.repeat)
        rows.append((f"export {output_format.key}", seconds, f"{size / 1e6:.1f} MB"))
    seconds = median_seconds(lambda: serialize_catalog(dataset, settings), args.repeat)
    rows.append(("catalogue (ttl + jsonld)", seconds, "DCAT-AP + VoID"))
    with tempfile.TemporaryDirectory() as directory:
        pages = build_site(dataset, Path(directory) / "site", settings)
        seconds = median_seconds(
            lambda: build_site(dataset, Path(directory) / "site", settings), args.site_repeat
        )
    rows.append(("site", seconds, f"{pages} pages"))

    print(f"{'task':<26} {'seconds':>9} {'× load':>8}  notes")
    for name, seconds, note in rows:
        print(f"{name:<26} {seconds:>9.3f} {seconds / load:>8.1f}  {note}")


if __name__ == "__main__":
    main()
