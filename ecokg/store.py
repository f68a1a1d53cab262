"""The store interface every command queries: the embedded dataset or a remote SPARQL endpoint.

``Store`` is a structural protocol: :class:`ecokg.dataset.Dataset` (the embedded pyoxigraph
graph) and :class:`ecokg.remote.RemoteStore` (any SPARQL 1.1 endpoint) both satisfy it, and
return the same pyoxigraph result types, so ``ecokg.results`` formats either.

Pre-bound variables: the embedded store substitutes them (SEP-0007); SPARQL 1.1 has no such
thing, so :func:`bind_with_values` adds a ``VALUES`` block built from serialised RDF terms to
the start of the query's outermost group pattern, where the group's FILTERs, its OPTIONALs'
filters and EXISTS see them. A parameter used only inside a nested group, a UNION branch or
a sub-query is not seen there — named queries use their parameters at the top level (the
test suite checks that embedded and remote give the same rows for every named query).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyoxigraph as ox

from ecokg.errors import UsageError

if TYPE_CHECKING:
    from ecokg.dataset import Dataset, QueryResult, Term
    from ecokg.remote import Auth
    from ecokg.results import SolutionTable

DEFAULT_TIMEOUT = 30.0


@runtime_checkable
class Store(Protocol):
    """What callers need from a graph: queries (with pre-bound variables) and labels."""

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of the ecokg graphs.

        SELECT → ``ox.QuerySolutions``, ASK → ``ox.QueryBoolean``, CONSTRUCT/DESCRIBE →
        ``ox.QueryTriples``. ``bindings`` pre-bind variables; errors are EcokgErrors.
        """
        ...

    def label(self, iri: str, lang: str = "zh") -> str | None:
        """Best human label of ``iri`` (rdfs:label in ``lang``, then skos:prefLabel, any)."""
        ...

    def labels(self, iris: Iterable[str], lang: str = "zh") -> dict[str, str]:
        """Labels of several IRIs (those without a label are left out)."""
        ...


def open_store(
    *,
    endpoint: str | None = None,
    timeout: float | None = None,
    data: Sequence[Path | str] = (),
    bundled: bool = True,
    inferred: bool = True,
    auth: Auth | None = None,
) -> Store:
    """The store the common CLI options name: a remote endpoint, else the embedded dataset.

    With ``endpoint``, ``data`` and ``bundled=False`` make no sense (the server holds what
    was pushed) and are a UsageError; ``inferred=False`` leaves the inferred graph out of
    the default graph, as it does locally. ``timeout`` (seconds, default 30) bounds every
    request to the endpoint; ``auth`` gives credentials (``ecokg.remote.Auth``).
    """
    if endpoint is None:
        from ecokg.dataset import load_dataset

        return load_dataset(data, bundled=bundled, inferred=inferred)
    if data or not bundled:
        raise UsageError(
            "--data and --no-bundled apply to the embedded graph, not to --endpoint "
            "(push your data with: ecokg push --data FILE --endpoint URL)"
        )
    from ecokg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PLAN
    from ecokg.remote import RemoteStore

    graphs = (GRAPH_ONTOLOGY, GRAPH_PLAN, *((GRAPH_INFERRED,) if inferred else ()))
    seconds = DEFAULT_TIMEOUT if timeout is None else timeout
    return RemoteStore(endpoint, timeout=seconds, auth=auth, graphs=graphs)


def select(store: Store, sparql: str, bindings: Mapping[str, Term] | None = None) -> SolutionTable:
    """Run a SELECT query on any store and read its rows into a SolutionTable."""
    from ecokg.results import SolutionTable

    result = store.query(sparql, bindings)
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("expected a SELECT query")
    return SolutionTable.from_solutions(result)


def construct(
    store: Store, sparql: str, bindings: Mapping[str, Term] | None = None
) -> list[ox.Triple]:
    """Run a CONSTRUCT or DESCRIBE query on any store and return its triples."""
    result = store.query(sparql, bindings)
    if not isinstance(result, ox.QueryTriples):
        raise UsageError("expected a CONSTRUCT or DESCRIBE query")
    return list(result)


# --- pre-binding with VALUES -------------------------------------------------------------

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_TOKEN = re.compile(r"[{}()]|(?<![\w:?$.\-])[A-Za-z]+(?![\w:\-])")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNICODE_ESCAPE = re.compile(r"\\[uU]")


def sparql_term(term: Term) -> str:
    """An IRI or literal written in SPARQL syntax, with N-Triples escaping.

    IRIs are validated by pyoxigraph (no spaces, ``<``, ``>``, quotes or braces); in
    literals only the four characters a SPARQL string cannot hold raw are escaped. A
    backslash followed by ``u``/``U`` is refused: SPARQL processes ``\\u`` escapes before
    parsing, and servers differ in how they treat an escaped backslash before one.
    """
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        if _UNICODE_ESCAPE.search(term.value):
            raise UsageError(
                f"value {term.value!r}: a backslash before u/U cannot be sent to an endpoint"
            )
        escaped = (
            term.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            return f'"{escaped}"@{term.language}'
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return f'"{escaped}"'
        return f'"{escaped}"^^<{term.datatype.value}>'
    raise UsageError(f"cannot pre-bind {term} on an endpoint: only IRIs and literals")


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` for one row of bindings."""
    names = list(bindings)
    for name in names:
        if not _VARIABLE_NAME.fullmatch(name):
            raise UsageError(f"invalid variable name {name!r}")
    variables = " ".join(f"?{name}" for name in names)
    row = " ".join(sparql_term(bindings[name]) for name in names)
    return f"VALUES ({variables}) {{ ({row}) }}"


def bind_with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with ``bindings`` joined in by a VALUES block (see the module doc).

    The block goes right after the ``{`` that opens the query pattern (on the same line,
    so positions in error messages stay right); a pattern that is a sub-SELECT is wrapped
    in a group; ``DESCRIBE <x>`` (no pattern) and ``CONSTRUCT WHERE`` (triples only) get a
    trailing VALUES clause instead.
    """
    if not bindings:
        return sparql
    block = values_block(bindings)
    masked = _mask(sparql)
    opening = _pattern_start(masked)
    if opening is None:
        return f"{sparql}\n{block}\n"
    rest = masked[opening + 1 :].split()
    if rest and rest[0].upper() == "SELECT":
        closing = _matching_brace(masked, opening)
        return (
            f"{sparql[: opening + 1]} {block} {{{sparql[opening + 1 : closing]}}} "
            f"{sparql[closing:]}"
        )
    return f"{sparql[: opening + 1]} {block} {sparql[opening + 1 :]}"


def _mask(text: str) -> str:
    """``text`` with strings, IRIs, comments and escapes blanked out (same length)."""
    chars = list(text)
    length = len(text)
    index = 0

    def blank(start: int, end: int) -> None:
        for position in range(start, min(end, length)):
            if chars[position] not in "\r\n":
                chars[position] = " "

    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            end = length if end < 0 else end
        elif char in "\"'":
            delimiter = char * 3 if text.startswith(char * 3, index) else char
            end = index + len(delimiter)
            while end < length and not text.startswith(delimiter, end):
                if len(delimiter) == 1 and text[end] in "\r\n":
                    break
                end += 2 if text[end] == "\\" else 1
            end += len(delimiter)
        elif char == "\\":
            end = index + 2
        elif char == "<" and (match := _IRIREF.match(text, index)):
            end = match.end()
        else:
            index += 1
            continue
        blank(index, end)
        index = end
    return "".join(chars)


def _pattern_start(masked: str) -> int | None:
    """Index of the ``{`` opening the query pattern in a masked query; None when there is
    none (``DESCRIBE <x>``) or it may only hold triples (``CONSTRUCT WHERE { … }``)."""
    braces = parens = 0
    form: str | None = None
    after_where = template = False
    for match in _TOKEN.finditer(masked):
        token = match.group()
        if token == "(":
            parens += 1
        elif token == ")":
            parens -= 1
        elif token == "{":
            if braces == 0 and parens == 0:
                if form != "CONSTRUCT":
                    return match.start()
                if after_where:
                    return match.start() if template else None
                template = True
            braces += 1
        elif token == "}":
            braces -= 1
        elif braces == 0 and parens == 0:
            word = token.upper()
            if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                form = word
            elif word == "WHERE":
                after_where = True
    return None


def _matching_brace(masked: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(masked)):
        if masked[index] == "{":
            depth += 1
        elif masked[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise UsageError("unbalanced braces in the query")


if TYPE_CHECKING:

    def _dataset_is_a_store(dataset: Dataset) -> Store:
        """For mypy only: the embedded Dataset satisfies the Store protocol."""
        return dataset
