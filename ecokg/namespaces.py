"""Namespace prefixes and named-graph IRIs: the public vocabulary contract of ecokg."""

from __future__ import annotations

from typing import Final

ECO: Final = "https://w3id.org/ecokg/def#"
ID: Final = "https://w3id.org/ecokg/id/"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"

# Named graphs of the dataset (public contract: queries may use GRAPH <...> on them).
GRAPH_BASE: Final = "https://w3id.org/ecokg/graph/"
GRAPH_ONTOLOGY: Final = GRAPH_BASE + "ontology"
GRAPH_PLAN: Final = GRAPH_BASE + "plan"
GRAPH_INFERRED: Final = GRAPH_BASE + "inferred"
# All three, in load order.
DATASET_GRAPHS: Final = (GRAPH_ONTOLOGY, GRAPH_PLAN, GRAPH_INFERRED)

# Prefixes known to every query and used to compact IRIs in output (compact() tries the
# longest namespace first, so ecounit: wins over eco:'s shorter stem).
PREFIXES: Final[dict[str, str]] = {
    "eco": ECO,
    "id": ID,
    "ecounit": "https://w3id.org/ecokg/def/unit#",
    "unit": "http://qudt.org/vocab/unit/",
    "qudt": "http://qudt.org/schema/qudt/",
    "skos": SKOS,
    "rdfs": RDFS,
    "rdf": RDF,
    "owl": OWL,
    "xsd": XSD,
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "time": "http://www.w3.org/2006/time#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
    # Controlled lists (SKOS concept schemes in ontology/vocab/).
    "pt": "https://w3id.org/ecokg/def/problem-type#",
    "ecosys": "https://w3id.org/ecokg/def/ecosystem-category#",
    "nature": "https://w3id.org/ecokg/def/nature#",
    "qd": "https://w3id.org/ecokg/def/quality-dimension#",
    "tk": "https://w3id.org/ecokg/def/township-kind#",
    "scope": "https://w3id.org/ecokg/def/area-scope#",
    "cmp": "https://w3id.org/ecokg/def/comparator#",
    "metric": "https://w3id.org/ecokg/def/metric#",
    "cat": "https://w3id.org/ecokg/def/category#",
    "measure": "https://w3id.org/ecokg/def/measure-type#",
    # Instance namespaces, one per kind of thing (readable slugs under id:).
    **{
        prefix: ID + path + "/"
        for prefix, path in (
            ("plan", "plan"),
            ("sec", "section"),
            ("county", "county"),
            ("tw", "township"),
            ("vil", "village"),
            ("zone", "zone"),
            ("prob", "problem"),
            ("issue", "issue"),
            ("task", "task"),
            ("prog", "programme"),
            ("proj", "project"),
            ("work", "work"),
            ("agency", "agency"),
            ("ind", "indicator"),
            ("fig", "figure"),
            ("stmt", "statement"),
            ("river", "river"),
            ("water", "reservoir"),
            ("pattern", "pattern"),
            ("feature", "feature"),
            ("pa", "protected-area"),
            ("goal", "goal"),
            ("fund", "funding"),
            ("period", "period"),
        )
    },
}

# Longest namespace first so that e.g. ecounit: wins over a shorter shared stem.
_BY_LENGTH: Final = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)

# Characters that may not appear unescaped in the local part of a prefixed name.
_UNSAFE_LOCAL_CHARS: Final = frozenset(" <>\"{}|^`\\#?,;()[]'!$&*+=~@%")


def compact(iri: str) -> str:
    """Return ``prefix:local`` for an IRI in a known namespace, else ``<iri>``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _is_safe_local(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def _is_safe_local(local: str) -> bool:
    if local.endswith(".") or local.startswith(("-", ".")):
        return False
    return not any(char in _UNSAFE_LOCAL_CHARS for char in local)


def expand(curie: str) -> str | None:
    """Expand ``prefix:local`` with a known prefix; None if the prefix is unknown."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        return None
    return PREFIXES[prefix] + local


def sparql_prologue() -> str:
    """PREFIX declarations for all known prefixes, e.g. for writing queries out."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
