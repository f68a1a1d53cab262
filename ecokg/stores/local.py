"""The embedded store: ontology, plan and inferences as named graphs in one pyoxigraph store.

Queries see the union of all graphs as their default graph, so plain triple patterns match
everything while ``GRAPH <https://w3id.org/ecokg/graph/inferred> { ... }`` tells inferred
statements from stated ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from ecokg.errors import InputError, UsageError
from ecokg.rdf.labels import LABEL_PREDICATES, best_label
from ecokg.rdf.namespaces import PREFIXES
from ecokg.rdf.parsing import parse_file
from ecokg.stores.base import QueryResult, Term
from ecokg.stores.binding import calls_service

_LABEL_NODES = tuple(ox.NamedNode(predicate) for predicate in LABEL_PREDICATES)
_MAX_DETAIL = 160
_QUERY_ERROR_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


class LoadedFile(NamedTuple):
    """One file loaded into the dataset: where from, into which graph, how many triples."""

    path: Path
    graph: str
    triples: int


class Dataset:
    """A pyoxigraph store holding the ontology, plan and inferred named graphs."""

    def __init__(self, *, allow_service: bool = False) -> None:
        self.store = ox.Store()
        self.files: list[LoadedFile] = []
        # SERVICE makes the query engine fetch from any URL: refused unless asked for.
        self.allow_service = allow_service

    def __len__(self) -> int:
        return len(self.store)

    def load_file(
        self, path: Path | str, graph: str, parsed: Sequence[ox.Quad] | None = None
    ) -> LoadedFile:
        """Parse an RDF file (format from its suffix) and add its triples to ``graph``
        (``parsed``: its quads, when the caller has already parsed it).

        Quads of TriG/N-Quads files are moved into ``graph`` too: the three named graphs
        are the public contract of the dataset.
        """
        path = Path(path)
        target = ox.NamedNode(graph)
        quads = [
            ox.Quad(quad.subject, quad.predicate, quad.object, target)
            for quad in (parse_file(path) if parsed is None else parsed)
        ]
        self.store.extend(quads)
        loaded = LoadedFile(path, graph, len(quads))
        self.files.append(loaded)
        return loaded

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of the graphs.

        ``bindings`` (variable name → term) pre-bind variables safely (SEP-0007
        substitution, never string formatting). ``source`` names the query in error
        messages (e.g. a file name).
        """
        if not self.allow_service and calls_service(sparql):
            raise UsageError(
                f"{source}: SERVICE is refused: it would send requests to other servers "
                "(allow it with --allow-service)"
            )
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        try:
            return self.store.query(
                sparql,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=substitutions or None,
            )
        except SyntaxError as error:
            raise InputError(_query_error_message(source, str(error))) from error
        except UnicodeEncodeError as error:
            # bytes that were not UTF-8 on the command line or stdin arrive as surrogates
            raise InputError(
                f"{source}: not UTF-8 text (an undecodable byte at character {error.start + 1})"
            ) from error
        except RuntimeError as error:
            # e.g. a substituted variable that the SELECT clause does not project
            raise UsageError(f"{source}: {error}") from error

    def label(self, iri: str, lang: str = "zh") -> str | None:
        """Best human label (:func:`ecokg.rdf.labels.best_label`)."""
        return best_label(self.label_candidates(iri), lang)

    def label_candidates(self, iri: str) -> list[tuple[str, str, str | None]]:
        """(predicate, text, language) of every label of ``iri``."""
        subject = ox.NamedNode(iri)
        return [
            (predicate.value, quad.object.value, quad.object.language)
            for predicate in _LABEL_NODES
            for quad in self.store.quads_for_pattern(subject, predicate, None, None)
            if isinstance(quad.object, ox.Literal)
        ]

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels of several IRIs (those without a label are left out)."""
        found = {iri: self.label(iri, lang) for iri in set(iris)}
        return {iri: label for iri, label in found.items() if label is not None}


def _query_error_message(source: str, message: str) -> str:
    match = _QUERY_ERROR_POSITION.match(message)
    if match:
        line, column, detail = match.groups()
        detail = " ".join(detail.split())
        if len(detail) > _MAX_DETAIL:  # oxigraph may list every character it could accept
            detail = detail[:_MAX_DETAIL] + "…"
        return f"{source}:{line}:{column}: SPARQL syntax error: {detail}"
    return f"{source}: SPARQL syntax error: {message}"
