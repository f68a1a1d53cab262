"""``ecokg export``: the CLI verb over :mod:`ecokg.publish` (registered in ``ecokg.cli``).

Kept light at import time: the CLI imports this module to register the verb, and the
publishing modules are imported only when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from ecokg.cli_common import DataOption, DebugOption, NoBundledOption, NoInferredOption
from ecokg.errors import UsageError

CATALOG_FORMATS = ("ttl", "jsonld")
# --output FILE without --format: the format follows the file name.
FORMAT_BY_SUFFIX = {
    ".ttl": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def export(
    ctx: typer.Context,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="ttl, nt, nq, trig, jsonld, xml (default: from the --output suffix, else ttl; "
            "--catalog: ttl or jsonld).",
        ),
    ] = None,
    part: Annotated[
        str, typer.Option("--part", help="ontology, data, inferred or all (default).")
    ] = "all",
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Publish the instance IRIs (https://w3id.org/ecokg/id/…) under this IRI.",
            metavar="IRI",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE (atomically).", metavar="FILE"),
    ] = None,
    context: Annotated[
        bool, typer.Option("--context", help="Print the published JSON-LD @context.")
    ] = False,
    catalog: Annotated[
        bool, typer.Option("--catalog", help="Export the DCAT-AP 3 catalogue and VoID.")
    ] = False,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Write a static linked-data site into DIR.", metavar="DIR"),
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", help="SPARQL endpoint of the catalogue.", metavar="URL"),
    ] = None,
    contact_email: Annotated[
        str | None,
        typer.Option("--contact-email", help="Contact e-mail of the catalogue.", metavar="EMAIL"),
    ] = None,
    licence: Annotated[
        str | None,
        typer.Option("--license", help="Licence IRI of the dataset.", metavar="IRI"),
    ] = None,
    data: DataOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    debug: DebugOption = False,
) -> int:
    """Export the graph (ttl/nt/nq/trig/jsonld/xml), its DCAT-AP catalogue, or a static site."""
    from ecokg.publish import export as exporting

    modes = [name for name, on in (("--context", context), ("--catalog", catalog)) if on]
    modes += ["--site"] if site is not None else []
    if len(modes) > 1:
        raise UsageError(f"{' and '.join(modes)} cannot be combined")
    exporting.check_choice("--part", part, exporting.PARTS)
    base_iri = exporting.check_base(base)
    if context:
        from ecokg.publish.jsonld import context_bytes

        return _emit(context_bytes(), output)
    if part != "all" and (catalog or site is not None):
        raise UsageError("--part applies to graph exports, not to --catalog or --site")
    if output_format is None and output is not None:
        output_format = FORMAT_BY_SUFFIX.get(output.suffix.lower())
    settings = _settings(base_iri, endpoint_url, contact_email, licence)
    if catalog:
        exporting.check_choice("--format", output_format or "ttl", CATALOG_FORMATS)
        from ecokg.publish.catalog import serialize_catalog

        payload = serialize_catalog(_load(ctx, data, no_bundled, no_inferred), settings)
        return _emit(payload[output_format or "ttl"], output)
    if site is not None:
        if output_format is not None or output is not None:
            raise UsageError("--site writes a directory: --format and --output do not apply")
        from ecokg.publish.site import build_site

        build_site(_load(ctx, data, no_bundled, no_inferred), site, settings)
        return 0
    fmt = exporting.check_choice("--format", output_format or "ttl", exporting.FORMATS)
    dataset = _load(ctx, data, no_bundled, no_inferred)
    if output is not None:
        exporting.export_to_file(dataset, fmt, output, part=part, base=base_iri)
    else:
        stream = _stdout_binary()
        exporting.export(dataset, fmt, stream, part=part, base=base_iri)
        stream.flush()
    return 0


def _settings(base: str, endpoint: str | None, email: str | None, licence: str | None) -> Any:
    from ecokg.publish.catalog import CatalogSettings

    return CatalogSettings.create(base, endpoint_url=endpoint, email=email, licence=licence)


def _load(ctx: typer.Context, data: list[Path] | None, no_bundled: bool, no_inferred: bool):
    from ecokg.cli_common import options

    return options(ctx, data, no_bundled, no_inferred).load()


def _emit(payload: bytes, output: Path | None) -> int:
    if output is not None:
        from ecokg.atomic import atomic_output

        with atomic_output(output) as stream:
            stream.write(payload)
    else:
        stream = _stdout_binary()
        stream.write(payload)
        stream.flush()
    return 0


def _stdout_binary() -> BinaryIO:
    sys.stdout.flush()  # anything already written as text goes first
    return sys.stdout.buffer
