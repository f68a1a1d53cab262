"""``ecokg export``: the CLI verb over :mod:`ecokg.publish` (registered in ``ecokg.cli``).

Kept light at import time: the CLI imports this module to register the verb, and the
publishing modules are imported only when the command runs.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ecokg.cli.options import DATASET, OutputOption, Shared, shared
from ecokg.cli.output import deliver, to_file
from ecokg.errors import UsageError, check_choice
from ecokg.publish.export import EXPORT_FORMATS
from ecokg.rdf import formats

_FORMAT_NOTE = "default: from the --output suffix, else ttl; --catalog: ttl or jsonld"
CATALOG_FORMATS = formats.Choices("export --catalog", formats.TURTLE, formats.JSON_LD)


@shared(*DATASET, formats=EXPORT_FORMATS, format_note=_FORMAT_NOTE)
def export(
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
    output: OutputOption = None,
    context: Annotated[
        bool, typer.Option("--context", help="Print the published JSON-LD @context.")
    ] = False,
    context_url: Annotated[
        str | None,
        typer.Option(
            "--context-url",
            help="JSON-LD: refer to the @context hosted at this URL (see --context) instead of "
            "writing it inline.",
            metavar="URL",
        ),
    ] = None,
    catalog: Annotated[
        bool, typer.Option("--catalog", help="Export the DCAT-AP 3 catalogue and VoID.")
    ] = False,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Write a static linked-data site into DIR.", metavar="DIR"),
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            "--endpoint-url",
            help="The public SPARQL endpoint the catalogue names (--endpoint-url: the old name).",
            metavar="URL",
        ),
    ] = None,
    contact_email: Annotated[
        str | None,
        typer.Option("--contact-email", help="Contact e-mail of the catalogue.", metavar="EMAIL"),
    ] = None,
    licence: Annotated[
        str | None,
        typer.Option("--license", help="Licence IRI of the dataset.", metavar="IRI"),
    ] = None,
    *,
    shared: Shared,
) -> int:
    """Export the graph (ttl/nt/nq/trig/jsonld/xml), its DCAT-AP catalogue, or a static site."""
    from ecokg.publish import export as exporting

    modes = [name for name, on in (("--context", context), ("--catalog", catalog)) if on]
    modes += ["--site"] if site is not None else []
    if len(modes) > 1:
        raise UsageError(f"{' and '.join(modes)} cannot be combined")
    check_choice("--part", part, exporting.PARTS)
    base_iri = exporting.check_base(base)
    target = to_file(output)
    if context_url is not None and (context or catalog or site is not None):
        raise UsageError(
            "--context-url applies to graph exports (the site refers to its own context.jsonld)"
        )
    if context:
        from ecokg.rdf.jsonld_context import context_bytes

        deliver(context_bytes(), target)
        return 0
    if part != "all" and (catalog or site is not None):
        raise UsageError("--part applies to graph exports, not to --catalog or --site")
    settings = _settings(base_iri, endpoint_url, contact_email, licence)
    if catalog:
        chosen = CATALOG_FORMATS.choose(shared.output_format, target, formats.TURTLE)
        from ecokg.publish.catalog import serialize_catalog

        deliver(serialize_catalog(shared.load(), settings)[chosen.key], target)
        return 0
    if site is not None:
        if shared.output_format is not None or output is not None:
            raise UsageError("--site writes a directory: --format and --output do not apply")
        from ecokg.publish.site import build_site

        build_site(shared.load(), site, settings)
        return 0
    chosen = EXPORT_FORMATS.choose(shared.output_format, target, formats.TURTLE)
    if context_url is not None and chosen is not formats.JSON_LD:
        raise UsageError("--context-url applies to JSON-LD exports (--format jsonld)")
    hosted = exporting.check_context_url(context_url)
    # only --part all and inferred need the inferred graph (and so, for --data, reasoning)
    needs_inferences = part in ("all", "inferred")
    dataset = shared.load() if needs_inferences else replace(shared, no_inferred=True).load()
    if target is not None:
        exporting.export_to_file(
            dataset, chosen, target, part=part, base=base_iri, context_url=hosted
        )
    else:
        sys.stdout.flush()
        exporting.export(
            dataset, chosen, sys.stdout.buffer, part=part, base=base_iri, context_url=hosted
        )
        sys.stdout.buffer.flush()
    return 0


def _settings(base: str, endpoint: str | None, email: str | None, licence: str | None) -> Any:
    from ecokg.publish.catalog import CatalogSettings

    return CatalogSettings.create(base, endpoint_url=endpoint, email=email, licence=licence)
