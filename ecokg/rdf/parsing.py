"""Reading RDF files: the format from the extension (:data:`ecokg.rdf.formats.RDF`), one-line
errors with ``FILE:LINE:COLUMN``, and no surprises from hostile files.

pyoxigraph parses every syntax but JSON-LD documents that refer to ecokg's published context,
which rdflib reads with the shipped copy of the context (never fetching anything). RDF/XML is
checked for entity declarations first: an external entity would read local files, and nested
internal entities expand exponentially (the "billion laughs"), so both are refused.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ecokg.errors import InputError
from ecokg.rdf import formats
from ecokg.rdf.iris import current_iri, is_legacy
from ecokg.rdf.namespaces import BUNDLED_CODE, ID

if TYPE_CHECKING:
    import rdflib

    from ecokg.rdf.terms import OxTerm

# A DTD's entity declarations expand to at most this many characters in all.
MAX_ENTITY_EXPANSION = 1_000_000
# XML is case-sensitive, but a lenient parser might not be: look for any spelling.
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(
    r"<!ENTITY\s+(%\s+)?([^\s\"'%]+)\s+(?:\"([^\"]*)\"|'([^']*)'|(SYSTEM|PUBLIC)\b)",
    re.DOTALL | re.IGNORECASE,
)
# Any XML name may follow & (``&:a;``, ``&é;``), not only ASCII ones.
_REFERENCE = re.compile(r"[&%]([^\s&%;<>\"']+);")
# Files already warned about for release 0.1 IRIs (a command may parse a file twice).
_WARNED: set[str] = set()


def parse_file(path: Path | str) -> list[ox.Quad]:
    """Every quad of an RDF file (triples in the default graph), lexical forms as written.

    The last files parsed are kept (by path, inode, size and modification time): one command reads
    the ontology and a plan's files several times (loading, reasoning, auditing). Callers
    must not change the list they get."""
    path = Path(path)
    if not path.is_file():
        reason = "is a directory" if path.is_dir() else "not a file" if path.exists() else None
        raise InputError(f"{path}: {reason or 'file not found'}")
    key = file_stamp(path)
    quads = _RECENT.get(key)
    if quads is None:
        quads = _parse_file(path)
        _RECENT[key] = quads
        while sum(len(kept) for kept in _RECENT.values()) > _RECENT_QUADS:
            del _RECENT[next(iter(_RECENT))]  # the oldest (the newest stays even if larger)
            if len(_RECENT) == 1:
                break
    return quads


def file_stamp(path: Path) -> tuple[str, int, int, int]:
    """What tells a file's versions apart without reading it: path, inode, size, mtime."""
    status = path.stat()
    return (str(path.resolve()), status.st_ino, status.st_size, status.st_mtime_ns)


# The files parsed last, oldest first: (path, inode, size, mtime) -> quads; ~100 MB at most.
_RECENT: dict[tuple[str, int, int, int], list[ox.Quad]] = {}
_RECENT_QUADS = 200_000
# Text that may hold a release 0.1 IRI: …/id/ followed by something else than a division
# code (a kind, or the end of a prefix or base IRI), or an escape that could spell one.
_MAY_BE_LEGACY = re.compile(rb"ecokg/id/(?![0-9]{6}/)|\\[uU]")


def _parse_file(path: Path) -> list[ox.Quad]:
    rdf_format = formats.RDF.from_path(path)
    if rdf_format is formats.JSON_LD:
        return with_current_iris(path, _parse_json_ld(path))
    try:
        if rdf_format is formats.RDF_XML:
            check_xml_entities(path, path.read_bytes())
        # Materialised here so that syntax errors surface inside this try block.
        assert rdf_format.rdf is not None
        quads = [_as_quad(item) for item in ox.parse(path=path, format=rdf_format.rdf)]
    except SyntaxError as error:
        raise InputError(_parse_error_message(path, error)) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    if _MAY_BE_LEGACY.search(path.read_bytes()) is None:
        return quads  # the common case, without looking at every term
    return with_current_iris(path, quads)


def with_current_iris(path: Path, quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` with every release 0.1 IRI of the bundled plan (``…/id/township/sixi``)
    read as today's (``…/id/360923/township/sixi``, :func:`ecokg.rdf.iris.current_iri`), so
    that data written against 0.1 still meets the plan; one warning line per file. Release
    0.2 accepts the 0.1 IRIs; a later release will not."""

    def is_old(term: Any) -> bool:
        return (
            isinstance(term, ox.NamedNode) and term.value.startswith(ID) and is_legacy(term.value)
        )

    def current(term: Any) -> Any:
        return ox.NamedNode(current_iri(term.value)) if is_old(term) else term

    legacy = 0
    result = []
    for quad in quads:
        if not (is_old(quad.subject) or is_old(quad.object)):
            result.append(quad)
            continue
        legacy += 1
        result.append(
            ox.Quad(current(quad.subject), quad.predicate, current(quad.object), quad.graph_name)
        )
    if legacy and str(path) not in _WARNED:
        _WARNED.add(str(path))
        print(
            f"ecokg: warning: {path}: {legacy} triples use release 0.1 IRIs ({ID}{{kind}}/…), "
            f"read as the bundled plan's ({ID}{BUNDLED_CODE}/{{kind}}/…); "
            "a later release will not accept them",
            file=sys.stderr,
        )
    return result


def parse_files(paths: Iterable[Path | str]) -> list[ox.Quad]:
    """The quads of several files, in order."""
    return [quad for path in paths for quad in parse_file(path)]


def rdflib_graph(paths: Iterable[Path | str]) -> rdflib.Graph:
    """Several files in one rdflib graph (for pyshacl and owlrl), parsed by pyoxigraph."""
    import rdflib

    graph = rdflib.Graph()
    add_to_rdflib(graph, parse_files(paths))
    return graph


def add_to_rdflib(graph: rdflib.Graph, quads: Iterable[ox.Quad]) -> None:
    """Add the quads' triples to ``graph`` (equal terms shared)."""
    from ecokg.rdf.terms import to_rdflib  # rdflib loads only when a verb needs it

    cache: dict[Any, rdflib.term.Node] = {}
    graph.addN(
        (
            to_rdflib(q.subject, cache),
            to_rdflib(q.predicate, cache),
            to_rdflib(q.object, cache),
            graph,
        )
        for q in quads
    )


def check_xml_entities(path: Path, content: bytes) -> None:
    """Refuse external entities, parameter entities and internal ones that expand beyond a
    bound. Declarations are looked for in the whole file, not only in what looks like the
    DTD (a comment holding ``]>`` must not hide the declarations after it)."""
    if _DOCTYPE.search(content) is None:
        return
    text = content.decode("utf-8", errors="replace")
    values: dict[str, str] = {}
    for match in _ENTITY.finditer(text):
        name = match.group(2)
        if match.group(5):
            raise InputError(f"{path}: external XML entity {name!r} refused (it would read a file)")
        if match.group(1):
            raise InputError(f"{path}: XML parameter entity {name!r} refused")
        values[name] = match.group(3) if match.group(3) is not None else match.group(4)
    sizes: dict[str, int] = {}

    def expanded(name: str, depth: int) -> int:
        if name in sizes:
            return sizes[name]
        if depth > 16:
            raise InputError(f"{path}: XML entity {name!r} nests too deeply; refused")
        entity_text = values.get(name, "")
        size = len(_REFERENCE.sub("", entity_text))
        for reference in _REFERENCE.findall(entity_text):
            size += expanded(reference, depth + 1)
            if size > MAX_ENTITY_EXPANSION:
                raise InputError(
                    f"{path}: XML entity {name!r} expands beyond {MAX_ENTITY_EXPANSION} "
                    "characters (an entity-expansion bomb?); refused"
                )
        sizes[name] = size
        return size

    for name in values:
        expanded(name, 0)
    used = _REFERENCE.findall(text)
    if sum(sizes.get(name, 0) for name in used) > MAX_ENTITY_EXPANSION * 10:
        raise InputError(f"{path}: XML entities expand beyond the allowed size; refused")


def _as_quad(item: ox.Quad | ox.Triple) -> ox.Quad:
    if isinstance(item, ox.Quad):
        return item
    return ox.Quad(item.subject, item.predicate, item.object)


def _parse_error_message(path: Path, error: SyntaxError) -> str:
    message = error.msg or str(error)
    # pyoxigraph repeats the position in the message; the FILE:LINE:COL prefix says it already.
    message = re.sub(r"^Parser error at line \d+ column \d+: ", "", message)
    if error.lineno is not None:
        return f"{path}:{error.lineno}:{error.offset or 0}: {message}"
    return f"{path}: {message}"


def _parse_json_ld(path: Path) -> list[ox.Quad]:
    # rdflib is imported only here: it is slow to import and only JSON-LD needs it.
    import rdflib

    from ecokg.rdf.jsonld_context import inline_context

    graph = rdflib.Dataset()
    try:
        # Documents that refer to the published @context by URL (the site's) are read with
        # the shipped copy; no other context is fetched (never the network while loading).
        document = inline_context(path.read_bytes())
    except (ValueError, RecursionError) as error:  # bad JSON, nested too deep, unknown context
        raise InputError(f"{path}: invalid JSON-LD: {error}") from error
    try:
        graph.parse(data=document, format="json-ld")
    except Exception as error:  # rdflib raises many unrelated types for bad JSON-LD
        raise InputError(f"{path}: invalid JSON-LD: {error}") from error
    from ecokg.rdf.terms import to_oxigraph

    cache: dict[rdflib.term.Node, OxTerm] = {}
    return [
        ox.Quad(to_oxigraph(s, cache), to_oxigraph(p, cache), to_oxigraph(o, cache))  # type: ignore[arg-type]
        for s, p, o, _ in graph.quads((None, None, None, None))
    ]
