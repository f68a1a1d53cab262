"""The one registry of the formats ecokg reads and writes.

As oxigraph's ``RdfFormat`` does, one :class:`Format` carries everything about a format: the
name the CLI accepts (and its aliases: ``ttl`` and ``turtle`` are the same everywhere), the
file extensions, the media type, whether it holds named graphs, and the pyoxigraph format
that parses or writes it. Each verb names the formats it offers (:class:`Choices`); the same
object resolves ``--format`` values, guesses the format from ``--output FILE``'s suffix and
writes the option's help, so the help lists exactly what the verb accepts.

>>> RDF.from_path("plan.TTL").name
'turtle'
>>> Choices("query", TABLE, *RESULTS, *RDF_GRAPH).resolve("ttl").name
'turtle'
>>> Choices("info", TABLE, REPORT_JSON).help()
'table, json'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ecokg.errors import InputError, UsageError


@dataclass(frozen=True)
class Format:
    """A format: its CLI name and aliases, file extensions, media type, engine format."""

    name: str
    media_type: str
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    rdf: ox.RdfFormat | None = field(default=None, compare=False)
    results: ox.QueryResultsFormat | None = field(default=None, compare=False)
    # Other media types servers send for it (application/json for SPARQL JSON results, ...).
    media_aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def key(self) -> str:
        """The shortest name (``ttl``, ``xml``): used in IRIs and names that must not change."""
        return min(self.names, key=len)

    @property
    def supports_datasets(self) -> bool:
        """True for formats that keep named graphs (N-Quads, TriG, JSON-LD)."""
        return self.rdf is not None and self.rdf.supports_datasets

    @property
    def extension(self) -> str:
        """The extension written for this format (``.ttl``)."""
        return self.extensions[0] if self.extensions else ""


def _rdf(
    name: str,
    rdf: ox.RdfFormat,
    extensions: tuple[str, ...],
    *aliases: str,
    media_aliases: tuple[str, ...] = (),
) -> Format:
    return Format(name, rdf.media_type, extensions, aliases, rdf=rdf, media_aliases=media_aliases)


def _results(
    name: str, results: ox.QueryResultsFormat, *extensions: str, media_aliases: tuple[str, ...] = ()
) -> Format:
    return Format(
        name, results.media_type, extensions, results=results, media_aliases=media_aliases
    )


# RDF serialisations (CONSTRUCT/DESCRIBE results, exports, data files).
TURTLE = _rdf(
    "turtle", ox.RdfFormat.TURTLE, (".ttl",), "ttl", media_aliases=("application/x-turtle",)
)
N_TRIPLES = _rdf(
    "nt", ox.RdfFormat.N_TRIPLES, (".nt",), "ntriples", "n-triples", media_aliases=("text/plain",)
)
N_QUADS = _rdf("nq", ox.RdfFormat.N_QUADS, (".nq",), "nquads", "n-quads")
TRIG = _rdf("trig", ox.RdfFormat.TRIG, (".trig",))
RDF_XML = _rdf("xml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), "rdfxml", "rdf/xml")
JSON_LD = _rdf("jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), "json-ld")
RDF_GRAPH: tuple[Format, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
RDF_ALL: tuple[Format, ...] = (TURTLE, N_TRIPLES, N_QUADS, TRIG, JSON_LD, RDF_XML)

# W3C SPARQL 1.1 query results (SELECT/ASK).
RESULTS_JSON = _results(
    "json", ox.QueryResultsFormat.JSON, ".srj", ".json", media_aliases=("application/json",)
)
RESULTS_XML = _results(
    "xml", ox.QueryResultsFormat.XML, ".srx", ".xml", media_aliases=("application/xml",)
)
RESULTS_CSV = _results("csv", ox.QueryResultsFormat.CSV, ".csv")
RESULTS_TSV = _results("tsv", ox.QueryResultsFormat.TSV, ".tsv")
RESULTS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_CSV, RESULTS_TSV, RESULTS_XML)

# Documents for people and programs (reports of ecokg's own verbs).
TABLE = Format("table", "text/plain", (".txt",))
REPORT_JSON = Format("json", "application/json", (".json",))
MARKDOWN = Format("markdown", "text/markdown", (".md", ".markdown"), ("md",))
HTML = Format("html", "text/html", (".html", ".htm"))
# Spreadsheets people fill in (ecokg monitor template / import).
XLSX = Format(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
SHEET_CSV = Format("csv", "text/csv", (".csv",))


class Registry:
    """Formats looked up by name, extension or media type, first match wins."""

    def __init__(self, verb: str, *formats: Format) -> None:
        self.verb = verb
        self.formats = formats

    def __iter__(self) -> Iterator[Format]:
        return iter(self.formats)

    def get(self, name: str) -> Format | None:
        wanted = name.strip().lower()
        return next((f for f in self.formats if wanted in f.names), None)

    def for_suffix(self, suffix: str) -> Format | None:
        wanted = suffix.lower()
        return next((f for f in self.formats if wanted in f.extensions), None)

    def from_path(self, path: Path | str) -> Format:
        """The format a file's extension names; InputError for an unknown extension."""
        found = self.for_suffix(Path(path).suffix)
        if found is None:
            known = ", ".join(sorted({ext for f in self.formats for ext in f.extensions}))
            suffix = Path(path).suffix
            raise InputError(f"{path}: unknown {self.verb} file type {suffix!r} (known: {known})")
        return found

    def for_media_type(self, media_type: str) -> Format | None:
        wanted = media_type.split(";")[0].strip().lower()
        return next(
            (f for f in self.formats if wanted == f.media_type or wanted in f.media_aliases), None
        )

    def help(self) -> str:
        """The names, for an option's help text (aliases in brackets)."""
        return ", ".join(
            f.name + (f" ({', '.join(f.aliases)})" if f.aliases else "") for f in self.formats
        )


class Choices(Registry):
    """The formats one verb offers for ``--format``."""

    def resolve(self, name: str) -> Format:
        found = self.get(name)
        if found is None:
            raise UsageError(f"--format {name!r}: choose one of {self.help()} ({self.verb})")
        return found

    def choose(self, name: str | None, output: Path | None, default: Format) -> Format:
        """``--format`` if given, else the one ``--output FILE``'s suffix names, else default."""
        if name is not None:
            return self.resolve(name)
        if output is not None and str(output) != "-":
            by_suffix = self.for_suffix(output.suffix)
            if by_suffix is not None:
                return by_suffix
        return default


# What ecokg reads (--data, --shapes): the format follows the file extension.
RDF = Registry("RDF", *RDF_ALL)
