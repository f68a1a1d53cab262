"""Content negotiation: which of the formats a route offers the client gets.

A ``?_format=NAME`` parameter (any name or alias of the format registry: ``ttl``, ``jsonld``,
``nt``, ``xml``, ``html``, ``json``, ``csv``…) wins over the ``Accept`` header; without
either, the route's first format. The ``Accept`` header is read as RFC 9110 says: the most
specific media range that matches a format gives its quality, ``q=0`` refuses it, and ties
go to the route's order.

>>> from ecokg.rdf import formats
>>> offered = formats.Registry("page", formats.HTML, formats.TURTLE, formats.JSON_LD)
>>> negotiate(offered, "application/ld+json;q=0.9, text/turtle", None).name
'turtle'
>>> negotiate(offered, "text/*;q=0.5, text/html;q=0", None).name
'turtle'
>>> negotiate(offered, "image/png", None) is None
True
"""

from __future__ import annotations

from ecokg.errors import UsageError
from ecokg.rdf.formats import Format, Registry

MediaRange = tuple[str, str, float]  # type, subtype, quality


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (malformed entries are skipped)."""
    ranges: list[MediaRange] = []
    for entry in (header or "").split(","):
        media, *params = entry.split(";")
        kind, _, subtype = media.strip().lower().partition("/")
        if not kind or not subtype:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, subtype, quality))
    return ranges


def quality(media_type: str, ranges: list[MediaRange]) -> float:
    """The quality the client gives ``media_type``: that of the most specific range."""
    kind, _, subtype = media_type.split(";")[0].strip().lower().partition("/")
    best: tuple[int, float] = (-1, 0.0)
    for range_kind, range_subtype, q in ranges:
        if range_kind == kind and range_subtype == subtype:
            specificity = 2
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif range_kind == "*" and range_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def negotiate(offered: Registry, accept: str | None, override: str | None) -> Format | None:
    """The format to send; None when the client accepts none of them (406).

    ``override`` (the ``_format`` parameter) must name an offered format (UsageError if not).
    """
    if override is not None:
        chosen = offered.get(override)
        if chosen is None:
            names = ", ".join(f.key for f in offered)
            raise UsageError(f"_format={override!r}: choose one of {names}")
        return chosen
    ranges = parse_accept(accept)
    formats = list(offered)
    if not ranges:
        return formats[0]
    best: tuple[float, int] = (0.0, 0)
    for rank, candidate in enumerate(formats):
        q = max(
            quality(media, ranges) for media in (candidate.media_type, *candidate.media_aliases)
        )
        if q > best[0]:
            best = (q, rank)
    return formats[best[1]] if best[0] > 0 else None


def media_type_header(chosen: Format) -> str:
    """The Content-Type for a format (text is UTF-8)."""
    media = chosen.media_type
    if "charset=" in media:
        return media
    textual = media.startswith("text/") or media.endswith(("+json", "+xml", "/json", "/xml"))
    return f"{media}; charset=utf-8" if textual or "n-triples" in media else media
