"""``ecokg store load|info|remove``: the persistent store (thin layer over
:mod:`ecokg.store_load` and :mod:`ecokg.stores.ondisk`); other verbs read it with --store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ecokg.cli.options import Shared, shared
from ecokg.cli.output import deliver, make_console
from ecokg.progress import progress_bar
from ecokg.rdf import formats

STORE_INFO_FORMATS = formats.Choices("store info", formats.TABLE, formats.REPORT_JSON)

app = typer.Typer(
    name="store",
    help="A persistent on-disk store of plans: load once, then any verb reads it with "
    "--store DIR (or $ECOKG_STORE) without parsing anything.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DirArgument = Annotated[Path, typer.Argument(help="The store's directory.", metavar="DIR")]


@app.command("load")
@shared("data", "no_bundled", "reason_limit")
def load(directory: DirArgument, *, shared: Shared) -> int:
    """Build or extend the store in DIR with the bundled plan and --data files, one plan at a
    time: an unchanged plan is skipped, a changed one replaced."""
    from ecokg.store_load import load_store

    result = load_store(
        directory,
        shared.data,
        bundled=shared.bundled,
        reason_limit=shared.reason_limit,
        progress=progress_bar("Loading plans"),
    )
    manifest = result.manifest
    print(
        f"{directory}: {len(result.loaded)} plan(s) loaded, {len(result.skipped)} unchanged; "
        f"{len(manifest.plans)} plan(s), {sum(manifest.graphs.values())} triples "
        f"(dataset version {manifest.dataset_version[:12]})",
        file=sys.stderr,
    )
    return 0


@app.command("info")
@shared(formats=STORE_INFO_FORMATS, format_note="default: table")
def info(directory: DirArgument, *, shared: Shared) -> int:
    """Show the plans of the store in DIR: codes, labels, triples, graphs."""
    from ecokg.stores.ondisk import read_manifest

    chosen = STORE_INFO_FORMATS.choose(shared.output_format, None, formats.TABLE)
    manifest = read_manifest(directory)
    if chosen is formats.REPORT_JSON:
        deliver(json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n", None)
        return 0
    from rich.table import Table

    console = make_console()
    table = Table(title=f"Plans in {directory}", header_style="bold")
    for column in ("code", "plan", "label", "triples", "graphs", "loaded at"):
        table.add_column(column, justify="right" if column == "triples" else "left")
    for plan in manifest.plans:
        table.add_row(
            plan.code or "",
            plan.iri or plan.key,
            plan.label_zh or plan.label_en or "",
            str(plan.triples),
            "\n".join(sorted(plan.graphs)),
            plan.loaded_at,
        )
    console.print(table)
    console.print(
        f"Total: {sum(manifest.graphs.values())} triples in {len(manifest.graphs)} graphs; "
        f"dataset version {manifest.dataset_version}"
    )
    if manifest.pending:
        console.print(
            f"A load was interrupted (unfinished: {', '.join(manifest.pending['plans'])}): "
            f"run ecokg store load {directory} again"
        )
    return 0


@app.command("remove")
@shared()
def remove(
    directory: DirArgument,
    plan: Annotated[
        str, typer.Option("--plan", help="The plan to remove: its code or IRI.", metavar="CODE")
    ],
    *,
    shared: Shared,
) -> int:
    """Remove one plan and its graphs from the store in DIR."""
    from ecokg.store_load import remove_plan

    removed = remove_plan(directory, plan)
    print(f"{directory}: removed plan {removed.code or removed.key}", file=sys.stderr)
    return 0
