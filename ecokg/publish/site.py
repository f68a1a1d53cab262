"""A static linked-data site: one page per resource, deployable on any static web host.

Mapping rule (IRI → file). The site directory ``DIR`` is served at the *site root*: the
parent of the instance namespace ``--base`` (``https://w3id.org/ecokg/id/`` →
``https://w3id.org/ecokg/``). A resource IRI ``{root}{path}`` is written as
``DIR/{path}.html``, ``DIR/{path}.ttl`` and ``DIR/{path}.jsonld``, e.g.
``https://w3id.org/ecokg/id/project/forest-tending`` → ``DIR/id/project/forest-tending.html``.
The ontology keeps its IRIs under ``https://w3id.org/ecokg/def`` whatever the base; its
pages are placed the same way relative to ``https://w3id.org/ecokg/``, with a hash IRI
``{doc}#{name}`` written as ``{doc}/term/{name}`` (``eco:Project`` →
``DIR/def/term/Project.html``, ``ecounit:WanYuan`` → ``DIR/def/unit/term/WanYuan.html``)
so that it never clashes with a document such as ``def/category``. The ontology itself
(``https://w3id.org/ecokg/def#``) is ``DIR/def.html``, its documentation page, which has
an anchor per term: ``…/def#Project`` resolves there too.

Besides the pages: ``index.html`` (resources by class), ``style.css``, ``context.jsonld``
(the JSON-LD context its documents use), ``catalog.ttl``/``catalog.jsonld`` (DCAT-AP + VoID),
``dumps/ecokg.{ttl,nt,nq,trig,jsonld,rdf}`` and ``README.md`` (how to configure content
negotiation). The site needs a case-sensitive file system (``eco:FundingChannel`` and
``eco:fundingChannel`` are two pages). The Turtle and JSON-LD of a document also describe
its hash IRIs: ``def.ttl`` is the whole ``eco:`` vocabulary, ``def/unit.ttl`` every unit.
The site is built in a temp directory next to ``DIR`` and swapped in once complete: a
failed or interrupted build leaves the old site untouched, and a new build replaces the
whole directory (files that no longer correspond to a resource go with the old site).
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

from ecokg import interrupts
from ecokg.atomic import TEMP_MARK, is_stale_temp, temp_sibling
from ecokg.errors import InputError
from ecokg.progress import progress_bar
from ecokg.publish import export as exporting
from ecokg.publish import jsonld
from ecokg.publish.catalog import serialize_catalog
from ecokg.publish.settings import CatalogSettings, dump_path, site_root
from ecokg.publish.sitemodel import CLASS_TYPES, PROPERTY_TYPES, SiteGraph, relative_href
from ecokg.rdf import jsonld_context
from ecokg.rdf.iris import current_iri, is_legacy, legacy_iri
from ecokg.rdf.namespaces import BUNDLED_CODE, ECO_NS, ID, INSTANCE_KINDS

if TYPE_CHECKING:
    from jinja2 import Environment

    from ecokg.stores.local import Dataset

ECOKG_ROOT = "https://w3id.org/ecokg/"
ONTOLOGY_ROOT = ECOKG_ROOT + "def"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTEXT_FILE_NAME = "context.jsonld"
# Files every site has: a non-empty directory without them is not replaced.
_SITE_MARKS = ("index.html", "catalog.ttl")


def page_path(iri: str, root: str, base: str) -> str | None:
    """The site path (without suffix) of a resource IRI, or None if the site has no page."""
    if iri.startswith(base) and len(iri) > len(base):
        relative = iri[len(root) :]
    elif iri.startswith(ONTOLOGY_ROOT):
        relative = iri[len(ECOKG_ROOT) :]
    else:
        return None
    document, _, fragment = relative.partition("#")
    if fragment:
        relative = f"{document}/term/{fragment}"
    elif document.endswith("/"):
        relative = document + "index"
    else:
        relative = document
    segments = [unquote(segment) for segment in relative.split("/")]
    if any(segment in ("", ".", "..") or "\\" in segment for segment in segments):
        return None
    return "/".join(segments)


def current_page_path(path: str, root: str, base: str) -> str | None:
    """The page path today of what release 0.1's page ``path`` showed (``id/township/sixi``
    → ``id/360923/township/sixi``), or None if ``path`` is no 0.1 instance page."""
    iri = root + path
    if not iri.startswith(base) or not is_legacy(ID + iri[len(base) :]):
        return None
    return page_path(base + current_iri(ID + iri[len(base) :])[len(ID) :], root, base)


def legacy_page_paths(pages: dict[str, str], root: str, base: str) -> dict[str, str]:
    """Release 0.1 page path → today's, for every page of the bundled plan's instances
    (0.2 keeps the 0.1 addresses working; a later release drops them)."""
    taken = set(pages.values())
    moved: dict[str, str] = {}
    for iri, path in pages.items():
        old = legacy_iri(ID + iri[len(base) :]) if iri.startswith(base) else None
        old_path = page_path(base + old[len(ID) :], root, base) if old else None
        if old_path and old_path not in taken:
            moved[old_path] = path
    return moved


def _moved_addresses(root: str, base: str) -> dict[str, str]:
    """What the README's rewrite rules need: the URL path of the instance namespace, the
    bundled plan's code and the kinds whose 0.1 addresses moved under it."""
    return {
        "path": urlsplit(base).path,
        "code": BUNDLED_CODE,
        "kinds": "|".join(kind for _prefix, kind in INSTANCE_KINDS),
    }


def build_site(dataset: Dataset, directory: Path | str, settings: CatalogSettings) -> int:
    """Build the site into ``directory``; returns the number of resource pages.

    The site is written into a temp directory next to ``directory`` and swapped in only
    once complete, so a failure or an interruption leaves the old site as it was.
    """
    target = _site_target(Path(directory))
    for entry in target.parent.iterdir():  # what killed builds left behind
        if entry.name.startswith(f".{target.name}{TEMP_MARK}") and is_stale_temp(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
    staging = temp_sibling(target)
    try:
        staging.mkdir()  # not mkdtemp: its mode 0700 would hide the site from a web server
    except OSError as error:
        raise InputError(f"{target}: cannot create: {error.strerror or error}") from error
    try:
        count = _write_site(dataset, staging, settings)
        interrupts.raise_if_interrupted()
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _site_target(directory: Path) -> Path:
    """The directory to replace (absolute, symlinks followed), its parent created.

    An existing directory must be empty or an earlier site: the swap removes what it held.
    """
    target = Path(os.path.realpath(directory))
    if target == target.parent:
        raise InputError(f"{directory}: cannot replace the root directory")
    if target.exists():
        if not target.is_dir():
            raise InputError(f"{directory}: not a directory")
        if any(target.iterdir()) and not all((target / name).is_file() for name in _SITE_MARKS):
            raise InputError(
                f"{directory}: not empty and not an ecokg site; refusing to replace it "
                "(give a new or empty directory)"
            )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{directory}: cannot create: {error.strerror or error}") from error
    return target


def _swap_in(staging: Path, target: Path) -> None:
    """Old site renamed aside, new one renamed in, old one removed (two renames: a reader
    may briefly find no site, never a mixed one)."""
    aside = temp_sibling(target) if target.exists() else None
    try:
        if aside is not None:
            os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            if aside is not None:
                os.rename(aside, target)
            raise
    except OSError as error:
        raise InputError(f"{target}: cannot replace: {error.strerror or error}") from error
    if aside is not None:
        try:
            _keep_hidden_entries(aside, target)
        except OSError as error:
            raise InputError(
                f"{target}: hidden files of the old site not moved over, left in {aside}: "
                f"{error.strerror or error}"
            ) from error
        shutil.rmtree(aside, ignore_errors=True)


def _keep_hidden_entries(old: Path, new: Path) -> None:
    """Move what a publisher keeps beside the pages (.git, .well-known, .htaccess...) into the
    new site: the build writes no hidden entries, so they are never its own."""
    for entry in old.iterdir():
        if entry.name.startswith(".") and not (new / entry.name).exists():
            os.rename(entry, new / entry.name)


def _write_site(dataset: Dataset, directory: Path, settings: CatalogSettings) -> int:
    base, root = settings.base, settings.root
    quads = exporting.prepare(dataset, "all", base)
    pages = site_pages(quads, root, base)
    graph = SiteGraph(quads, base, pages.get)
    site = _Writer(directory, _environment(), graph)
    with progress_bar("Writing pages")(len(pages)) as advance:
        for iri, path in pages.items():
            site.resource(iri, path)
            advance(path)
    site.index(pages, base)
    for old, new in legacy_page_paths(pages, root, base).items():
        site.redirect(old, new)
    site.write("style.css", (TEMPLATES / "style.css").read_bytes())
    site.write(CONTEXT_FILE_NAME, jsonld_context.context_bytes())
    for name, payload in serialize_catalog(dataset, settings).items():
        site.write(f"catalog.{name}", payload)
    for output_format in exporting.FORMATS:
        with open(site.target(dump_path(output_format)), "wb") as stream:
            exporting.serialize(
                quads, output_format, stream, base, context_url=site.context_url, named_graphs=True
            )
    names = [output_format.key for output_format in exporting.FORMATS]
    site.render(
        "README.md",
        "README.md.j2",
        root=root,
        base=base,
        formats=names,
        moved=_moved_addresses(root, base),
    )
    return len(pages)


def site_pages(quads: list[ox.Quad], root: str, base: str) -> dict[str, str]:
    """IRI → site path (without suffix) of every resource that has a page."""
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    pages: dict[str, str] = {}
    seen: dict[str, str] = {}
    for iri in sorted(_iris(quads)):
        if iri.startswith(ONTOLOGY_ROOT) and iri not in subjects:
            continue  # e.g. the ontology's version IRI: nothing to show
        path = page_path(iri, root, base)
        if path is None:
            continue
        if path in seen:
            raise InputError(f"{iri} and {seen[path]} map to the same page {path}")
        seen[path] = iri
        pages[iri] = path
    return pages


def resource_document(
    graph: SiteGraph, iri: str, rdf_format: ox.RdfFormat, context_url: str
) -> bytes:
    """The RDF document of a page: the resource (with its hash IRIs, for a document IRI)
    and its blank nodes; Turtle with the used prefixes, JSON-LD compacted with the site's
    context referred to at ``context_url``."""
    triples = graph.description(*graph.document_subjects(iri))
    if rdf_format == ox.RdfFormat.JSON_LD:
        compactor = jsonld.compactor_for(graph.base)
        document = compactor.document(triples, jsonld.context_reference(graph.base, context_url))
        return jsonld.dumps(document)
    prefixes = exporting.used_prefixes(triples, exporting.prefixes_for(graph.base))
    text = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    assert text is not None
    return text


def ontology_terms(graph: SiteGraph, page: str) -> dict[str, list[dict[str, object]]]:
    """The classes and properties of the eco: vocabulary, for its documentation page."""
    classes, properties = [], []
    for subject in sorted(graph.outgoing, key=str):
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ECO_NS):
            continue
        kinds = graph.types_of(subject.value)
        if kinds & CLASS_TYPES:
            classes.append(graph.term_doc(subject.value, page))
        elif kinds & PROPERTY_TYPES:
            properties.append(graph.term_doc(subject.value, page))
    return {"classes": classes, "properties": properties}


def _iris(quads: list[ox.Quad]) -> set[str]:
    found = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    return found | {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}


class _Writer:
    def __init__(self, directory: Path, environment: Environment, graph: SiteGraph) -> None:
        self.directory = directory
        self.environment = environment
        self.graph = graph
        self.made: set[Path] = set()
        # The site hosts the JSON-LD context at its root: its documents refer to that copy.
        self.context_url = site_root(graph.base) + CONTEXT_FILE_NAME

    def target(self, name: str) -> Path:
        path = self.directory / name
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        return path

    def write(self, name: str, payload: bytes) -> None:
        # A plain write: the whole directory is swapped in once complete.
        self.target(name).write_bytes(payload)

    def render(self, target: str, template: str, **values: Any) -> None:
        page = target.rsplit(".", 1)[0]
        home = relative_href(page, ".")
        text = self.environment.get_template(template).render(
            home="" if home == "." else home + "/", **values
        )
        self.write(target, text.encode("utf-8"))

    def resource(self, iri: str, path: str) -> None:
        graph = self.graph
        view = graph.view(iri)
        name = path.rsplit("/", 1)[-1]
        if iri == ECO_NS:
            self.render(f"{path}.html", "ontology.html", view=view, name=name, **self.terms(path))
        else:
            self.render(f"{path}.html", "resource.html", view=view, name=name)
        for suffix, rdf_format in (
            (".ttl", ox.RdfFormat.TURTLE),
            (".jsonld", ox.RdfFormat.JSON_LD),
        ):
            self.write(path + suffix, resource_document(graph, iri, rdf_format, self.context_url))

    def terms(self, page: str) -> dict[str, list[dict[str, object]]]:
        return ontology_terms(self.graph, page)

    def redirect(self, old: str, new: str) -> None:
        """A page at release 0.1's address that sends the browser on to ``new`` (a static
        host cannot answer 301; README.md gives the server rules that do, for every format)."""
        href = escape(relative_href(old, new) + ".html")
        self.write(
            old + ".html",
            (
                '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
                f'<link rel="canonical" href="{href}">'
                f'<meta http-equiv="refresh" content="0; url={href}">'
                f"<title>{escape(new)}</title></head>\n"
                f'<body><p><a href="{href}">{escape(new)}</a></p></body></html>\n'
            ).encode(),
        )

    def index(self, pages: dict[str, str], base: str) -> None:
        graph = self.graph
        members: dict[str, list[Any]] = defaultdict(list)
        for iri in pages:
            if iri.startswith(base):
                for kind in sorted(graph.types_of(iri)) or [""]:
                    members[kind].append(graph.link(iri, "index"))
        groups = []
        for kind, links in members.items():
            groups.append(
                {
                    "class": graph.link(kind, "index") if kind else None,
                    "label_zh": graph.label(kind, "zh") if kind else "未分类",
                    "label_en": graph.label(kind, "en") if kind else "untyped",
                    "members": sorted(links, key=lambda link: (link.text, link.iri)),
                }
            )
        groups.sort(key=lambda group: (group["class"] is None, graph.curie(_iri(group))))
        dumps = {fmt.key: dump_path(fmt) for fmt in exporting.FORMATS}
        self.render("index.html", "index.html", groups=groups, dumps=dumps, count=len(pages))


def _iri(group: dict[str, Any]) -> str:
    link = group["class"]
    return link.iri if link is not None else ""


def _environment() -> Environment:
    return environment()


def environment(*template_dirs: Path) -> Environment:
    """The site's Jinja environment (autoescaped); ``template_dirs`` come before the site's
    own templates (a server's ``base.html`` replaces the site's)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader([*template_dirs, TEMPLATES]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
