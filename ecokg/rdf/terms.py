"""RDF terms between rdflib (pyshacl, owlrl, JSON-LD) and pyoxigraph (the stores), keeping
the lexical form of literals."""

from __future__ import annotations

import logging
from typing import Any

import pyoxigraph as ox
import rdflib

from ecokg.errors import InputError

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal

# rdflib logs a traceback on stderr for every ill-typed literal ("abc"^^xsd:decimal) it builds;
# such values are the data's own findings (the audit's S14 reports them), not ecokg's errors.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def to_rdflib(term: Any, cache: dict[Any, rdflib.term.Node]) -> rdflib.term.Node:
    """A pyoxigraph term as an rdflib term (``cache`` shares equal terms)."""
    converted = cache.get(term)
    if converted is None:
        if isinstance(term, ox.NamedNode):
            converted = rdflib.URIRef(term.value)
        elif isinstance(term, ox.BlankNode):
            converted = rdflib.BNode(term.value)
        elif isinstance(term, ox.Literal):
            if term.language:
                converted = rdflib.Literal(term.value, lang=term.language)
            else:
                converted = rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
        else:
            raise InputError(f"unsupported RDF term (RDF-star?): {term}")
        cache[term] = converted
    return converted


def to_oxigraph(term: rdflib.term.Node, cache: dict[rdflib.term.Node, OxTerm]) -> OxTerm:
    """An rdflib term as a pyoxigraph term; the lexical form of literals is kept."""
    converted = cache.get(term)
    if converted is None:
        if isinstance(term, rdflib.URIRef):
            converted = ox.NamedNode(str(term))
        elif isinstance(term, rdflib.BNode):
            converted = ox.BlankNode(str(term))
        elif isinstance(term, rdflib.Literal):
            if term.language:
                converted = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                converted = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                converted = ox.Literal(str(term))
        else:
            raise InputError(f"unsupported RDF term: {term!r}")
        cache[term] = converted
    return converted
