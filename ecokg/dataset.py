"""The dataset: ontology, plan and inferences as named graphs in one pyoxigraph store.

Queries see the union of all graphs as their default graph, so plain triple patterns match
everything while ``GRAPH <https://w3id.org/ecokg/graph/inferred> { ... }`` tells inferred
statements from stated ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PLAN, PREFIXES, RDFS, SKOS

if TYPE_CHECKING:
    import rdflib

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
JSON_LD_SUFFIXES = (".jsonld", ".json")

_LABEL_PREDICATES = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))
_MAX_DETAIL = 160
_QUERY_ERROR_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


class LoadedFile(NamedTuple):
    """One file loaded into the dataset: where from, into which graph, how many triples."""

    path: Path
    graph: str
    triples: int


class Dataset:
    """A pyoxigraph store holding the ontology, plan and inferred named graphs."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.files: list[LoadedFile] = []

    def __len__(self) -> int:
        return len(self.store)

    def load_file(self, path: Path | str, graph: str) -> LoadedFile:
        """Parse an RDF file (format from its suffix) and add its triples to ``graph``.

        Quads of TriG/N-Quads files are moved into ``graph`` too: the three named graphs
        are the public contract of the dataset.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: file not found")
        target = ox.NamedNode(graph)
        quads = [
            ox.Quad(quad.subject, quad.predicate, quad.object, target)
            for quad in _parse_rdf_file(path)
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
        """Best human label: rdfs:label in ``lang``, then skos:prefLabel, then any language."""
        subject = ox.NamedNode(iri)
        candidates: dict[tuple[int, int], str] = {}
        for predicate_rank, predicate in enumerate(_LABEL_PREDICATES):
            for quad in self.store.quads_for_pattern(subject, predicate, None, None):
                literal = quad.object
                if not isinstance(literal, ox.Literal):
                    continue
                language_rank = 0 if literal.language == lang else 1
                candidates.setdefault((language_rank, predicate_rank), literal.value)
        return candidates[min(candidates)] if candidates else None

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels of several IRIs (those without a label are left out)."""
        found = {iri: self.label(iri, lang) for iri in set(iris)}
        return {iri: label for iri, label in found.items() if label is not None}


def load_dataset(
    data_files: Sequence[Path | str] = (), *, bundled: bool = True, inferred: bool = True
) -> Dataset:
    """Load the ontology, the bundled plan (unless ``bundled`` is False), the inferred graph
    (unless ``inferred`` is False or it was never built) and the user's ``data_files``."""
    dataset = Dataset()
    for path in resources.ontology_files():
        dataset.load_file(path, GRAPH_ONTOLOGY)
    if bundled:
        plan = resources.plan_file()
        if not plan.is_file():
            raise InputError(
                f"{plan}: bundled plan not found (use --no-bundled --data FILE to load your own)"
            )
        dataset.load_file(plan, GRAPH_PLAN)
    for data_file in data_files:
        dataset.load_file(data_file, GRAPH_PLAN)
    if inferred:
        inferred_graph = _inferred_file(data_files, bundled)
        if inferred_graph is not None:
            dataset.load_file(inferred_graph, GRAPH_INFERRED)
    return dataset


def _inferred_file(data_files: Sequence[Path | str], bundled: bool) -> Path | None:
    """The bundled inferred graph, or (for a user's own data) one reasoned once and cached."""
    if bundled and not data_files:
        shipped = resources.inferred_file()
        return shipped if shipped.is_file() else None
    from ecokg.reason import cached_inferred_file

    plan = [resources.plan_file()] if bundled else []
    return cached_inferred_file([*plan, *(Path(f) for f in data_files)])


def _parse_rdf_file(path: Path) -> Iterator[ox.Quad | ox.Triple]:
    suffix = path.suffix.lower()
    if suffix in JSON_LD_SUFFIXES:
        return iter(_parse_json_ld(path))
    rdf_format = RDF_FORMATS.get(suffix)
    if rdf_format is None:
        known = ", ".join(sorted({*RDF_FORMATS, *JSON_LD_SUFFIXES}))
        raise InputError(f"{path}: unknown RDF file type {suffix!r} (known: {known})")
    try:
        # Materialise here so that syntax errors surface inside this try block.
        return iter(list(ox.parse(path=path, format=rdf_format)))
    except SyntaxError as error:
        raise InputError(_parse_error_message(path, error)) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read: {error}") from error


def _parse_error_message(path: Path, error: SyntaxError) -> str:
    message = error.msg or str(error)
    # pyoxigraph repeats the position in the message; the FILE:LINE:COL prefix says it already.
    message = re.sub(r"^Parser error at line \d+ column \d+: ", "", message)
    if error.lineno is not None:
        return f"{path}:{error.lineno}:{error.offset or 0}: {message}"
    return f"{path}: {message}"


def _query_error_message(source: str, message: str) -> str:
    match = _QUERY_ERROR_POSITION.match(message)
    if match:
        line, column, detail = match.groups()
        detail = " ".join(detail.split())
        if len(detail) > _MAX_DETAIL:  # oxigraph may list every character it could accept
            detail = detail[:_MAX_DETAIL] + "…"
        return f"{source}:{line}:{column}: SPARQL syntax error: {detail}"
    return f"{source}: SPARQL syntax error: {message}"


def _parse_json_ld(path: Path) -> list[ox.Quad]:
    # rdflib is imported only here: it is slow to import and only JSON-LD needs it.
    import rdflib

    from ecokg.publish.jsonld import inline_context

    graph = rdflib.Dataset()
    try:
        # Our own dumps refer to the published @context by URL; use the shipped copy
        # instead of fetching it (and never reach the network while loading data).
        graph.parse(data=inline_context(path.read_bytes()), format="json-ld")
    except Exception as error:  # rdflib raises many unrelated types for bad JSON-LD
        raise InputError(f"{path}: invalid JSON-LD: {error}") from error
    from ecokg.terms import to_oxigraph

    cache: dict[rdflib.term.Node, Term] = {}
    return [
        ox.Quad(to_oxigraph(s, cache), to_oxigraph(p, cache), to_oxigraph(o, cache))  # type: ignore[arg-type]
        for s, p, o, _ in graph.quads((None, None, None, None))
    ]
