"""The oxigraph store the SPARQL constraints run on.

An oxigraph store CANONICALISES decimal literals (``"21.80"`` is stored as ``"21.8"``), so a
shape cannot read the plan's stated precision from ``STR(?v)`` there. The plan states it with
``eco:statedDecimals``; for a figure without it, :func:`store_from_graph` adds the value the
shapes' own fallback would compute from the lexical form (which rdflib and oxigraph's parser
keep), so that the audit finds the same on data that omits it. The added triples live in the
store only: the rdflib graph (SHACL Core, labels, the report) is the data as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
import rdflib

from ecokg.rdf.namespaces import ECO
from ecokg.rdf.terms import OxTerm, to_oxigraph

QUDT_NUMERIC_VALUE = rdflib.URIRef("http://qudt.org/schema/qudt/numericValue")
ECO_STATED_DECIMALS = rdflib.URIRef(ECO.statedDecimals)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def lexical_decimals(text: str) -> int:
    """Decimals written in a lexical form, as the shapes' fallback computes them."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def store_from_graph(graph: rdflib.Graph) -> ox.Store:
    """The triples of an rdflib graph in a new store (see :func:`store_from_quads`)."""
    cache: dict[rdflib.term.Node, OxTerm] = {}
    return store_from_quads(
        ox.Quad(to_oxigraph(s, cache), to_oxigraph(p, cache), to_oxigraph(o, cache))  # type: ignore[arg-type]
        for s, p, o in graph
    )


def store_from_quads(quads: Iterable[ox.Quad]) -> ox.Store:
    """The quads (pyoxigraph terms, literals as parsed, in the default graph: as
    :func:`ecokg.rdf.parsing.parse_file` gives them) in a new store, plus the missing
    ``eco:statedDecimals`` of figures: one per subject whose numeric values all state the same
    number of decimals."""
    numeric = ox.NamedNode(str(QUDT_NUMERIC_VALUE))
    stated = ox.NamedNode(str(ECO_STATED_DECIMALS))
    kept = list(quads)
    decimals: dict[Any, set[int]] = {}
    has_stated = set()
    for quad in kept:
        predicate = quad.predicate
        if predicate == numeric and isinstance(quad.object, ox.Literal):
            decimals.setdefault(quad.subject, set()).add(lexical_decimals(quad.object.value))
        elif predicate == stated:
            has_stated.add(quad.subject)
    integer = ox.NamedNode(XSD_INTEGER)
    for subject, counts in decimals.items():
        if len(counts) == 1 and subject not in has_stated:
            kept.append(ox.Quad(subject, stated, ox.Literal(str(counts.pop()), datatype=integer)))
    store = ox.Store()
    store.bulk_extend(kept)
    return store
