"""Deterministic exports of the dataset, so that diffs between releases are readable.

Quads are sorted (by their N-Quads text) and blank nodes get labels derived from a hash of
their content — their own triples, the triples pointing at them and, recursively, those of
the blank nodes they connect to — so the same graph always gives the same bytes. ``--base``
moves the instance IRIs (``https://w3id.org/ecokg/id/…``) to a publisher's own domain; the
ontology's terms (``eco:`` and its vocabularies) and the named graphs stay where they are.

Files are written atomically: the serialiser writes into a temporary file next to the
target, which replaces the target only once complete (:func:`ecokg.atomic.atomic_output`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from ecokg.atomic import atomic_output
from ecokg.errors import UsageError, check_choice
from ecokg.rdf import formats
from ecokg.rdf.formats import Format
from ecokg.rdf.namespaces import (
    GRAPH_ONTOLOGY,
    ID,
    PREFIXES,
    is_inferred_graph,
    is_plan_graph,
)
from ecokg.rdf.parsing import parse_files

if TYPE_CHECKING:
    from ecokg.stores.local import Dataset

# Export formats, in the order the catalogue lists its dumps.
FORMATS: tuple[Format, ...] = formats.RDF_ALL
EXPORT_FORMATS = formats.Choices("export", *FORMATS)
PARTS: tuple[str, ...] = ("all", "ontology", "data", "inferred")

_WITH_PREFIXES = frozenset({formats.TURTLE, formats.TRIG, formats.RDF_XML})

Node = ox.NamedNode | ox.BlankNode


def export_format(value: Format | str) -> Format:
    """An export format given by name (``ttl``, ``turtle``…) or as a Format."""
    return value if isinstance(value, Format) else EXPORT_FORMATS.resolve(value)


def check_base(base: str | None) -> str:
    """The instance namespace to publish under: an absolute http(s) IRI ending in /."""
    if base is None:
        return ID
    parts = urlsplit(base)
    problem = None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem = "it must be an absolute http(s) IRI"
    elif not base.endswith("/"):
        problem = "it must end with /"
    elif any(char in base for char in ' <>"{}|\\^`') or parts.query:
        problem = "it contains characters not allowed here"
    if problem is None:
        try:
            ox.NamedNode(base)
        except ValueError:
            problem = "it is not a valid IRI"
    if problem is not None:
        raise UsageError(f"--base {base!r}: {problem}")
    return base


def check_context_url(url: str | None) -> str | None:
    """Where the publisher hosts the JSON-LD context: an absolute http(s) IRI, or None."""
    if url is None:
        return None
    parts = urlsplit(url)
    valid = parts.scheme in ("http", "https") and bool(parts.netloc)
    if valid:
        try:
            ox.NamedNode(url)
        except ValueError:
            valid = False
    if not valid or any(char in url for char in ' <>"{}|\\^`'):
        raise UsageError(f"--context-url {url!r}: it must be an absolute http(s) IRI")
    return url


def rebase_iri(iri: str, base: str) -> str:
    """An instance IRI moved under ``base``; any other IRI unchanged."""
    if base != ID and iri.startswith(ID):
        return base + iri[len(ID) :]
    return iri


def prefixes_for(base: str = ID) -> dict[str, str]:
    """The known prefixes, the instance ones moved under ``base``."""
    return {prefix: rebase_iri(namespace, base) for prefix, namespace in PREFIXES.items()}


def select_quads(dataset: Dataset, part: str = "all") -> list[ox.Quad]:
    """The quads of the named graphs making up ``part`` (ontology, data, inferred, all),
    literals written as their files write them.

    The store canonicalises literals (``"21.80"^^xsd:decimal`` becomes ``"21.8"``), so a
    graph loaded from files is read again from those files, which keep the lexical forms;
    only a graph filled otherwise is read from the store.
    """
    check_choice("--part", part, PARTS)
    quads: list[ox.Quad] = []
    for graph in graphs_of_part(dataset, part):
        node = ox.NamedNode(graph)
        files = [loaded.path for loaded in dataset.files if loaded.graph == graph]
        if not files:
            quads.extend(dataset.store.quads_for_pattern(None, None, None, node))
            continue
        for quad in parse_files(files):
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, node))
    return quads


def graphs_of_part(dataset: Dataset, part: str) -> list[str]:
    """The dataset's named graphs making up ``part``: the ontology's; every plan's statements
    (data); every plan's inferences (inferred); all of these (all), monitoring left out."""
    loaded = dataset.graphs()
    plans = [name for name in loaded if is_plan_graph(name)]
    inferred = [name for name in loaded if is_inferred_graph(name)]
    ontology = [GRAPH_ONTOLOGY]
    return {
        "ontology": ontology,
        "data": plans,
        "inferred": inferred,
        "all": ontology + plans + inferred,
    }[part]


_URI_SPACE = ox.NamedNode("http://rdfs.org/ns/void#uriSpace")


def rebase_quads(quads: Iterable[ox.Quad], base: str) -> list[ox.Quad]:
    """Quads with their instance IRIs (subjects and objects) moved under ``base``, and each
    plan's IRI space (``void:uriSpace``, a literal) with them."""
    if base == ID:
        return list(quads)

    def move(term: Any, predicate: ox.NamedNode) -> Any:
        if isinstance(term, ox.NamedNode):
            return ox.NamedNode(rebase_iri(term.value, base))
        if predicate == _URI_SPACE and isinstance(term, ox.Literal):
            return ox.Literal(rebase_iri(term.value, base))
        return term

    return [
        ox.Quad(
            move(quad.subject, quad.predicate),
            quad.predicate,
            move(quad.object, quad.predicate),
            quad.graph_name,
        )
        for quad in quads
    ]


def stable_blank_nodes(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """Relabel blank nodes by a hash of their content (stable between runs and releases).

    Each blank node's label starts as a hash of its outgoing and incoming edges (other blank
    nodes seen as anonymous); hashes are then refined with the neighbours' hashes until the
    partition stops splitting. Nodes that no refinement tells apart get a counter suffix.
    """
    blanks: set[ox.BlankNode] = {
        term
        for quad in quads
        for term in (quad.subject, quad.object)
        if isinstance(term, ox.BlankNode)
    }
    if not blanks:
        return list(quads)
    edges: dict[ox.BlankNode, list[tuple[str, str, object, str]]] = defaultdict(list)
    for quad in quads:
        graph = str(quad.graph_name)
        if isinstance(quad.subject, ox.BlankNode):
            edges[quad.subject].append(("out", str(quad.predicate), quad.object, graph))
        if isinstance(quad.object, ox.BlankNode):
            edges[quad.object].append(("in", str(quad.predicate), quad.subject, graph))
    hashes: dict[ox.BlankNode, str] = dict.fromkeys(blanks, "")
    classes = 1
    for _ in range(len(blanks)):
        hashes = {node: _node_hash(hashes[node], edges[node], hashes) for node in blanks}
        count = len(set(hashes.values()))
        if count == classes:
            break
        classes = count
    labels: dict[ox.BlankNode, ox.BlankNode] = {}
    seen: dict[str, int] = defaultdict(int)
    for node in sorted(blanks, key=lambda node: (hashes[node], node.value)):
        digest = hashes[node][:16]
        seen[digest] += 1
        suffix = "" if seen[digest] == 1 else f"x{seen[digest]}"
        labels[node] = ox.BlankNode(f"b{digest}{suffix}")

    def relabel(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return labels[term] if isinstance(term, ox.BlankNode) else term

    return [
        ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name)  # type: ignore[arg-type]
        for q in quads
    ]


def _node_hash(
    own: str,
    edges: list[tuple[str, str, object, str]],
    hashes: dict[ox.BlankNode, str],
) -> str:
    def show(term: object) -> str:
        return "_:" + hashes[term] if isinstance(term, ox.BlankNode) else str(term)

    lines = sorted(f"{way} {pred} {show(other)} {graph}" for way, pred, other, graph in edges)
    digest = hashlib.sha256(own.encode("utf-8"))
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def prepare(dataset: Dataset, part: str = "all", base: str = ID) -> list[ox.Quad]:
    """The quads to export: selected, rebased, blank nodes relabelled, sorted."""
    quads = stable_blank_nodes(rebase_quads(select_quads(dataset, part), base))
    return sorted(set(quads), key=str)


def as_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The union of the quads' graphs as sorted, distinct triples."""
    triples = {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads}
    return sorted(triples, key=str)


def used_prefixes(
    triples: Iterable[ox.Triple | ox.Quad], prefixes: dict[str, str]
) -> dict[str, str]:
    """The prefixes whose namespace some IRI (or datatype) of the triples starts with."""
    namespaces: set[str] = set()
    ordered = sorted(prefixes.values(), key=len, reverse=True)
    seen: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if not isinstance(term, ox.NamedNode) or term.value in seen:
                continue
            seen.add(term.value)
            for namespace in ordered:
                if term.value.startswith(namespace):
                    namespaces.add(namespace)
                    break
    return {prefix: ns for prefix, ns in prefixes.items() if ns in namespaces}


def serialize(
    quads: Sequence[ox.Quad],
    output_format: Format | str,
    output: BinaryIO,
    base: str = ID,
    *,
    context_url: str | None = None,
    named_graphs: bool = False,
) -> None:
    """Write prepared quads in ``output_format``: nq and trig keep the named graphs, and
    so does JSON-LD with ``named_graphs``; the others write their union. JSON-LD carries
    its context inline unless ``context_url`` says where the publisher hosts it."""
    output_format = export_format(output_format)
    data: Sequence[ox.Quad] | Sequence[ox.Triple]
    if output_format is formats.JSON_LD:
        from ecokg.publish import jsonld

        jsonld.write_document(
            quads, output, base, context_url=context_url, named_graphs=named_graphs
        )
        return
    data = quads if output_format.supports_datasets else as_triples(quads)
    rdf_format = output_format.rdf
    assert rdf_format is not None
    if output_format in _WITH_PREFIXES:
        prefixes = used_prefixes(data, prefixes_for(base))
        ox.serialize(data, output, rdf_format, prefixes=prefixes)
    else:
        ox.serialize(data, output, rdf_format)


def export(
    dataset: Dataset,
    output_format: Format | str,
    output: BinaryIO,
    *,
    part: str = "all",
    base: str = ID,
    context_url: str | None = None,
) -> None:
    """Export ``part`` of the dataset in ``output_format`` to a binary stream (JSON-LD of
    ``part="all"`` keeps the named graphs, as nq and trig do)."""
    if export_format(output_format) is formats.N_QUADS and base == ID:
        output.writelines(nquads_lines(dataset, part))
        return
    quads = prepare(dataset, part, base)
    serialize(
        quads, output_format, output, base, context_url=context_url, named_graphs=part == "all"
    )


def nquads_lines(dataset: Dataset, part: str = "all") -> list[bytes]:
    """The N-Quads export of ``part`` (instances under their own IRIs), as :func:`prepare`
    and :func:`serialize` write it, line by line (each ending with a newline), written by
    oxigraph itself: a graph's triples never become Python terms, but for the few with a
    blank node, which are labelled as :func:`stable_blank_nodes` labels them. A province's
    store exports 5 times faster so."""
    check_choice("--part", part, PARTS)
    lines: list[bytes] = []
    for graph in graphs_of_part(dataset, part):
        node = ox.NamedNode(graph)
        files = [loaded.path for loaded in dataset.files if loaded.graph == graph]
        if files:  # read again from the files, which keep the lexical forms (select_quads)
            quads = [ox.Quad(q.subject, q.predicate, q.object, node) for q in parse_files(files)]
            lines += _serialized_lines(quads)
            continue
        triples = dataset.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b""
        in_graph = b" " + str(node).encode() + b" .\n"
        # "<s> <p> <o> .\n" → "<s> <p> <o> <g> .\n"
        lines += [line[:-3] + in_graph for line in triples.splitlines(keepends=True)]
    # every quad a blank node is in holds its label: those lines are all it is labelled by
    blank = [line for line in lines if b"_:" in line]
    if blank:
        labelled = stable_blank_nodes(list(ox.parse(b"".join(blank), ox.RdfFormat.N_QUADS)))
        lines = [line for line in lines if b"_:" not in line] + _serialized_lines(labelled)
    return sorted(set(lines))


def _serialized_lines(quads: Sequence[ox.Quad]) -> list[bytes]:
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    return text.splitlines(keepends=True)


def export_to_file(
    dataset: Dataset,
    output_format: Format | str,
    path: Path,
    *,
    part: str = "all",
    base: str = ID,
    context_url: str | None = None,
) -> None:
    """Export to ``path`` atomically (the file is replaced only once fully written)."""
    with atomic_output(path) as stream:
        export(dataset, output_format, stream, part=part, base=base, context_url=context_url)
