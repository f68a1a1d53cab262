"""Each plan's audit, cached by content: a repeated audit of an unchanged plan reads it back.

The key hashes everything the findings depend on: ecokg's version, the entry format, the
language, every shapes file and every input (the ontology and the plan's files, or the
statements fetched from a store) by content. Entries live under
:func:`ecokg.resources.cache_dir` and are checked on every read (:mod:`ecokg.cache_entries`):
a JSON body with the report's findings and families and its SHACL report graph (N-Triples).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from ecokg import __version__, resources
from ecokg.audit.findings import AuditReport, Family, Finding, PlanPart
from ecokg.cache_entries import obtain
from ecokg.rdf.parsing import add_to_rdflib

# Bump when the entry body changes, so that old entries are not read as damaged.
_ENTRY_FORMAT = "2"


def audit_key(kind: str, lang: str, shapes: Sequence[Path], inputs: Iterable[bytes | Path]) -> str:
    """The hash of an audit's inputs: ``shapes`` files and ``inputs`` (files or content)."""
    digest = hashlib.sha256(f"{__version__} audit {_ENTRY_FORMAT} {kind} {lang}".encode())
    for item in [*shapes, *inputs]:
        content = item if isinstance(item, bytes) else Path(item).read_bytes()
        # length and digest per input, so that no two different input lists hash alike
        digest.update(f"{len(content)}:".encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()[:32]


def cached_part(key: str, build: Callable[[], PlanPart]) -> PlanPart:
    """The part stored under ``key``, else ``build()``'s, stored for next time."""
    built: list[PlanPart] = []

    def body() -> bytes:
        built.append(build())
        return encode(built[0])

    entry = obtain(resources.cache_dir() / "audit" / f"audit-{key}.json", body, what="audit")
    return built[0] if built else decode(entry.body)


def encode(part: PlanPart) -> bytes:
    report = part.report
    document = {
        "plan": part.plan,
        "label": part.label,
        "files": part.files,
        "conforms": report.conforms,
        "findings": [asdict(finding) for finding in report.findings],
        "families": [asdict(family) for family in report.families],
        "report": report.report_graph.serialize(format="nt"),
    }
    # key order kept: a finding read back prints exactly as a fresh one (labels zh, then en)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def decode(body: bytes) -> PlanPart:
    document: dict[str, Any] = json.loads(body)
    graph = rdflib.Graph()
    triples = ox.parse(document["report"].encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    add_to_rdflib(graph, (t if isinstance(t, ox.Quad) else ox.Quad(*t) for t in triples))
    report = AuditReport(
        conforms=document["conforms"],
        findings=[Finding(**finding) for finding in document["findings"]],
        report_graph=graph,
        families=[Family(**family) for family in document["families"]],
    )
    return PlanPart(document["plan"], document["label"], document["files"], report)
