"""What the server holds, built once at start-up: the store, the site model, the audit, the
plan at a glance, the search index and the question engine.

With ``--endpoint`` the SPARQL endpoint, ``/ask`` and ``/queries`` go to the remote store;
the pages, the audit, the catalogue and VoID are built from one snapshot of it taken at
start-up (they need the whole graph in memory, as ``ecokg audit --endpoint`` does).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ecokg import interrupts
from ecokg.kb import load_dataset, open_store
from ecokg.publish import export as exporting
from ecokg.publish.settings import CatalogSettings, site_root
from ecokg.publish.site import site_pages
from ecokg.publish.sitemodel import PROV_DERIVED, SiteGraph
from ecokg.rdf.namespaces import ECO, ID, RDF
from ecokg.stores.base import SERVE_TIMEOUT, Store, construct
from ecokg.stores.local import Dataset

if TYPE_CHECKING:
    from ecokg.ask.engine import Asker
    from ecokg.audit import AuditReport
    from ecokg.monitor.evaluate import Evaluation

log = logging.getLogger("ecokg.serve")

DEFAULT_TIMEOUT = SERVE_TIMEOUT
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """What one request may cost: seconds per query, rows (or triples) per result, bytes
    per request body."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_body: int = DEFAULT_MAX_BODY


@dataclass(frozen=True)
class SearchEntry:
    iri: str
    path: str
    zh: str
    en: str
    pinyin: str  # toneless, without spaces (泗溪镇 → sixizhen)
    initials: str  # sxz


@dataclass
class Portal:
    store: Store
    dataset: Dataset  # what the pages, catalogue and VoID show
    graph: SiteGraph
    pages: dict[str, str]  # IRI → path (site layout, without suffix)
    settings: CatalogSettings
    limits: Limits
    audit: AuditReport | None
    evaluation: Evaluation | None
    asker: Asker | None
    search_index: list[SearchEntry] = field(default_factory=list)
    by_path: dict[str, str] = field(default_factory=dict)  # path → IRI

    def close(self) -> None:
        """End the query workers, if any."""
        if isinstance(self.store, Dataset):
            self.store.close_pool()

    @property
    def context_url(self) -> str:
        return site_root(self.graph.base) + "context.jsonld"

    def label(self, iri: str, lang: str) -> str:
        graph = self.graph
        other = "en" if lang == "zh" else "zh"
        return graph.label(iri, lang) or graph.label(iri, other) or graph.curie(iri)

    def href(self, iri: str) -> str:
        """The server path of a resource page (its IRI when the server has no page)."""
        path = self.pages.get(iri)
        return "/" + path if path is not None else iri

    def search(self, text: str, limit: int = 50) -> list[SearchEntry]:
        """Resources whose zh or en label, or its pinyin (full or initials), holds ``text``."""
        wanted = text.strip().lower()
        if not wanted:
            return []
        compact = wanted.replace(" ", "")
        scored = []
        for entry in self.search_index:
            if wanted in entry.zh.lower() or wanted in entry.en.lower():
                rank = 0
            elif compact.isascii() and (compact in entry.pinyin or entry.initials == compact):
                rank = 1
            else:
                continue
            scored.append((rank, len(entry.zh or entry.en), entry.path, entry))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored[:limit]]

    def sections_of(self, *iris: str | None) -> list[str]:
        """The plan sections the resources are derived from or stated in (a section is its
        own), in the plan's order, as the audit cites them."""
        graph = self.graph
        found: set[str] = set()
        for iri in iris:
            if not iri:
                continue
            if ECO.PlanSection in graph.types_of(iri):
                found.add(iri)
            for predicate, obj, _ in graph.outgoing.get(ox.NamedNode(iri), []):
                if predicate in (PROV_DERIVED, ECO.statedIn) and isinstance(obj, ox.NamedNode):
                    found.add(obj.value)

        def order(section: str) -> tuple[float, str]:
            for predicate, obj, _ in graph.outgoing.get(ox.NamedNode(section), []):
                if predicate == ECO.order and isinstance(obj, ox.Literal):
                    try:
                        return (float(obj.value), section)
                    except ValueError:
                        break
            return (float("inf"), section)

        return sorted(found, key=order)

    def plans(self) -> list[str]:
        """The IRIs of the plans (eco:Plan) the store holds."""
        graph = self.graph
        return sorted(
            subject.value
            for subject in graph.outgoing
            if isinstance(subject, ox.NamedNode) and ECO.Plan in graph.types_of(subject.value)
        )

    def zones(self) -> list[dict[str, Any]]:
        """Each restoration zone with the townships wholly and partly in it."""
        graph = self.graph
        found = []
        for subject in graph.outgoing:
            if not isinstance(subject, ox.NamedNode):
                continue
            if ECO.RestorationZone not in graph.types_of(subject.value):
                continue
            whole, part = [], []
            for predicate, member, _ in graph.incoming.get(subject.value, []):
                if ECO.Township not in graph.types_of(member.value):
                    continue
                if predicate == ECO.inZone:
                    whole.append(member.value)
                elif predicate == ECO.partlyInZone:
                    part.append(member.value)
            found.append({"iri": subject.value, "whole": sorted(whole), "part": sorted(part)})
        return sorted(found, key=lambda zone: zone["iri"])


def open_portal(
    store: Store | None = None,
    *,
    data: Sequence[Path] = (),
    bundled: bool = True,
    limits: Limits | None = None,
    with_audit: bool = True,
    workers: int | None = None,
) -> Portal:
    """Build everything the pages show from ``store`` (default: the embedded dataset of
    ``data`` and the bundled plan, with the limits' query timeout); a remote store is
    snapshotted once for the pages, the audit and the catalogue.

    The embedded store gets ``workers`` query workers (default: one per CPU; 0: a child
    forked per query instead), forked here, once it is loaded: :meth:`Portal.close` ends them.
    """
    limits = limits or Limits()
    if store is None:
        store = open_store(data=data, bundled=bundled, timeout=limits.timeout)
    if isinstance(store, Dataset):
        dataset = store
        size = default_workers() if workers is None else workers
        if size > 0 and store.timeout is not None and interrupts.can_fork():
            store.start_pool(size)
        audit_files, audit_bundled = list(data), bundled
    else:
        # Exports re-read the loaded files: the snapshot stays until the process ends.
        folder = tempfile.mkdtemp(prefix="ecokg-serve-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        snapshot = Path(folder) / "endpoint.nt"
        triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        ox.serialize(triples, snapshot, format=ox.RdfFormat.N_TRIPLES)
        dataset = load_dataset([snapshot], bundled=False, inferred=False)
        audit_files, audit_bundled = [snapshot], False
    report = _audit(audit_files, audit_bundled) if with_audit else None
    settings = CatalogSettings.create(ID)
    quads = exporting.prepare(dataset, "all", settings.base)
    pages = site_pages(quads, settings.root, settings.base)
    graph = SiteGraph(quads, settings.base, pages.get)
    portal = Portal(
        store=store,
        dataset=dataset,
        graph=graph,
        pages=pages,
        settings=settings,
        limits=limits,
        audit=report,
        evaluation=_evaluate(store),
        asker=_asker(store),
    )
    portal.by_path = {path: iri for iri, path in pages.items()}
    portal.search_index = _search_index(graph, pages)
    return portal


def default_workers() -> int:
    return os.cpu_count() or 1


def _audit(files: list[Path], bundled: bool) -> AuditReport | None:
    from ecokg.audit import audit

    try:
        return audit(files, bundled=bundled)
    except Exception:  # the portal still serves everything else; the log says why
        log.exception("the audit failed; /audit will say so")
        return None


def _evaluate(store: Store) -> Evaluation | None:
    from ecokg.monitor.evaluate import evaluate

    try:
        return evaluate(store)
    except Exception:
        log.exception("reading the plan's programmes and indicators failed")
        return None


def _asker(store: Store) -> Asker | None:
    from ecokg.ask.engine import Asker

    try:
        return Asker.create(store)
    except Exception:
        log.exception("the question engine could not start; /ask will say so")
        return None


def _search_index(graph: SiteGraph, pages: dict[str, str]) -> list[SearchEntry]:
    from pypinyin import Style, lazy_pinyin

    entries = []
    for iri, path in pages.items():
        zh, en = graph.label(iri, "zh") or "", graph.label(iri, "en") or ""
        if not zh and not en:
            continue
        if RDF + "Statement" in graph.types_of(iri):
            continue
        syllables = lazy_pinyin(zh) if zh else []
        initials = lazy_pinyin(zh, style=Style.FIRST_LETTER) if zh else []
        entries.append(
            SearchEntry(iri, path, zh, en, "".join(syllables).lower(), "".join(initials).lower())
        )
    return entries
