"""The version record ``ecokg push`` leaves on a server, so that readers can key caches.

A push ends by replacing the graph ``<https://w3id.org/ecokg/graph/meta>`` with one node
(docs/deployment.md)::

    <https://w3id.org/ecokg/graph/meta#dataset> a void:Dataset ;
        dcterms:modified "2026-05-09T07:35:25Z"^^xsd:dateTime ;   # when the push ended
        void:triples 12724 ;                                      # triples it sent
        spdx:checksum [ a spdx:Checksum ;
            spdx:algorithm spdx:checksumAlgorithm_sha256 ;
            spdx:checksumValue "…" ] .                           # of what it sent

Once the server has accepted a push's first chunk, the record is replaced by one without a
checksum: the data is changing, and a record without checksum is no version (a reader then
caches only briefly), so a push that fails halfway leaves no version naming data the server
no longer holds. ``ask --endpoint`` reads the record with one small query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from ecokg.errors import EcokgError, Interrupted
from ecokg.rdf.namespaces import GRAPH_BASE, RDF, XSD
from ecokg.stores.remote import Auth, RemoteStore

META_GRAPH = GRAPH_BASE + "meta"
RECORD = META_GRAPH + "#dataset"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"

_READ = f"""
SELECT ?modified ?checksum WHERE {{
  GRAPH <{META_GRAPH}> {{
    <{RECORD}> <{DCTERMS}modified> ?modified .
    OPTIONAL {{ <{RECORD}> <{SPDX}checksum>/<{SPDX}checksumValue> ?checksum }}
  }}
}} LIMIT 1
"""


@dataclass(frozen=True)
class VersionRecord:
    """What the record says: when the last push ended, and the hash of what it sent (None
    while a push is under way, or after one failed)."""

    modified: str
    checksum: str | None

    @property
    def version(self) -> str | None:
        """A key for caches, or None when the record names no complete push."""
        if self.checksum is None:
            return None
        return hashlib.sha256(f"{self.modified}\n{self.checksum}".encode()).hexdigest()[:32]


def read_record(
    endpoint: str, *, auth: Auth | None = None, timeout: float = 10.0
) -> VersionRecord | None:
    """The server's version record; None when it has none or cannot tell (any error)."""
    store = RemoteStore(endpoint, timeout=timeout, auth=auth, graphs=[META_GRAPH])
    try:
        result = store.query(_READ, source="version record")
    except Interrupted:
        raise
    except EcokgError:
        return None
    if not isinstance(result, ox.QuerySolutions):
        return None
    for row in result:
        modified, checksum = row["modified"], row["checksum"]
        if isinstance(modified, ox.Literal):
            text = checksum.value if isinstance(checksum, ox.Literal) else None
            return VersionRecord(modified.value, text)
    return None


def record_triples(checksum: str | None, triples: int | None = None) -> list[ox.Triple]:
    """The record of a push ending now (``checksum`` None: a push under way)."""
    node = ox.NamedNode(RECORD)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    found = [
        ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
        ox.Triple(
            node,
            ox.NamedNode(DCTERMS + "modified"),
            ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")),
        ),
    ]
    if triples is not None:
        found.append(
            ox.Triple(
                node,
                ox.NamedNode(VOID + "triples"),
                ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer")),
            )
        )
    if checksum is not None:
        value = ox.BlankNode()
        found += [
            ox.Triple(node, ox.NamedNode(SPDX + "checksum"), value),
            ox.Triple(value, ox.NamedNode(RDF + "type"), ox.NamedNode(SPDX + "Checksum")),
            ox.Triple(
                value,
                ox.NamedNode(SPDX + "algorithm"),
                ox.NamedNode(SPDX + "checksumAlgorithm_sha256"),
            ),
            ox.Triple(value, ox.NamedNode(SPDX + "checksumValue"), ox.Literal(checksum)),
        ]
    return found
