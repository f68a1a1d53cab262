"""A graph of the dataset as N-Triples chunks of bounded size, for ``ecokg push``.

A graph is read from the store as it is sent, ``size`` triples at a time, so pushing a
province costs the memory of one chunk, not of the graph (nor of one request body per
graph). Blank nodes are the catch: a server parses each request on its own, so ``_:b1`` in
two requests would become two nodes. Every triple that mentions a blank node is therefore
held back and sent with all the triples its blank nodes connect it to (an OWL restriction,
an RDF list, a quantity value), in one chunk; such groups are small, and memory for them
grows only with the graph's blank-node triples. Graphs without blank nodes stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

DEFAULT_CHUNK_TRIPLES = 50_000


@dataclass(frozen=True)
class Part:
    """One graph to upload: its name on the server, the dataset graphs it is made of (one,
    or all of them with ``--graph``) and its number of distinct triples."""

    graph: str
    sources: tuple[str, ...]
    triples: int
    store: ox.Store = field(repr=False, compare=False)


@dataclass(frozen=True)
class Chunk:
    """One request's body: N-Triples of ``triples`` distinct triples."""

    triples: int
    body: bytes


def make_part(store: ox.Store, graph: str, sources: tuple[str, ...]) -> Part:
    """The part sending ``sources`` (graphs of ``store``) into ``graph``, counted natively."""
    values = " ".join(f"<{source}>" for source in sources)
    sparql = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} }}"
        if len(sources) > 1
        else f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{sources[0]}> {{ ?s ?p ?o }} }}"
    )
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    count = next(iter(result))["n"]
    assert isinstance(count, ox.Literal)
    return Part(graph, sources, int(count.value), store)


def part_triples(part: Part) -> Iterator[ox.Triple]:
    """The part's distinct triples, streamed (a triple in two sources is sent once)."""
    earlier: list[ox.NamedNode] = []
    for source in part.sources:
        node = ox.NamedNode(source)
        for quad in part.store.quads_for_pattern(None, None, None, node):
            triple = quad.triple
            if any(_quad(triple, before) in part.store for before in earlier):
                continue
            yield triple
        earlier.append(node)


def _quad(triple: ox.Triple, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def chunk_count(part: Part, size: int) -> int:
    """How many requests the part takes at least (one even when empty)."""
    return max(1, -(-part.triples // size))


def serialise_chunks(part: Part, size: int = DEFAULT_CHUNK_TRIPLES) -> Iterator[Chunk]:
    """The part as N-Triples chunks of about ``size`` triples (a group of triples joined by
    blank nodes is never split, so a chunk may hold more); one empty chunk for an empty
    part, so that the graph is still replaced."""
    if size < 1:
        raise ValueError(f"chunk size {size}: must be at least 1")
    sent = False
    held_back: list[ox.Triple] = []
    batch: list[ox.Triple] = []
    for triple in part_triples(part):
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            held_back.append(triple)
            continue
        batch.append(triple)
        if len(batch) >= size:
            yield _chunk(batch)
            sent, batch = True, []
    for group in _blank_node_groups(held_back):
        if batch and len(batch) + len(group) > size:
            yield _chunk(batch)
            sent, batch = True, []
        batch.extend(group)
    if batch or not sent:
        yield _chunk(batch)


def _chunk(triples: list[ox.Triple]) -> Chunk:
    return Chunk(len(triples), ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")


def _blank_node_groups(triples: Iterable[ox.Triple]) -> list[list[ox.Triple]]:
    """The triples grouped so that triples sharing a blank node (directly or through
    others) are in one group (union-find over the blank nodes)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    listed = list(triples)
    for triple in listed:
        nodes = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        first = root(nodes[0])
        for other in nodes[1:]:
            parent[root(other)] = first
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in listed:
        node = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        assert isinstance(node, ox.BlankNode)
        groups.setdefault(root(node), []).append(triple)
    return list(groups.values())


class ContentHash:
    """A hash of everything pushed, graph by graph and chunk by chunk, in order: the content
    part of the version record push leaves on the server."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256(b"ecokg-push 1\n")

    def add(self, graph: str, body: bytes) -> None:
        self._digest.update(f"{graph}\n{len(body)}\n".encode())
        self._digest.update(body)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
