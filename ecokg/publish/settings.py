"""Where and by whom the dataset is published (the catalogue, VoID and site share it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from ecokg.errors import UsageError
from ecokg.rdf.formats import Format
from ecokg.rdf.namespaces import ID

DEFAULT_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
DEFAULT_EMAIL = "ecokg@example.org"


@dataclass(frozen=True)
class CatalogSettings:
    """Where and by whom the dataset is published."""

    base: str  # instance namespace
    root: str  # site root (parent of base): dumps/, catalog, context.jsonld live here
    endpoint_url: str
    email: str
    licence: str

    @classmethod
    def create(
        cls,
        base: str = ID,
        *,
        endpoint_url: str | None = None,
        email: str | None = None,
        licence: str | None = None,
    ) -> CatalogSettings:
        root = site_root(base)
        for option, value in (("--endpoint", endpoint_url), ("--license", licence)):
            if value is not None and not _is_http_iri(value):
                raise UsageError(f"{option} {value!r}: it must be an absolute http(s) IRI")
        if email is not None and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", email):
            raise UsageError(f"--contact-email {email!r}: not an e-mail address")
        return cls(
            base,
            root,
            endpoint_url or root + "sparql",
            email or DEFAULT_EMAIL,
            licence or DEFAULT_LICENCE,
        )

    @property
    def document(self) -> str:
        return self.root + "catalog"

    def node(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.document}#{name}")

    def dump_url(self, output_format: Format) -> str:
        return f"{self.root}{dump_path(output_format)}"


def dump_path(output_format: Format) -> str:
    """Where the site keeps the whole dataset in ``output_format``, from its root."""
    return f"dumps/ecokg{output_format.extension}"


def site_root(base: str) -> str:
    """The parent of the instance namespace (https://w3id.org/ecokg/id/ → …/ecokg/)."""
    path = urlsplit(base).path
    if path in ("", "/"):
        return base
    return base[: base.rstrip("/").rfind("/") + 1]


def _is_http_iri(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value
