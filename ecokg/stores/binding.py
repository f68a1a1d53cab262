"""Pre-binding variables for an endpoint: SPARQL 1.1 has no substitution, so
:func:`bind_with_values` adds a ``VALUES`` block built from serialised RDF terms to the start
of the query's outermost group pattern, where the group's FILTERs, its OPTIONALs' filters and
EXISTS see them. A parameter used only inside a nested group, a UNION branch or a sub-query
is not seen there — named queries use their parameters at the top level (the test suite
checks that embedded and remote give the same rows for every named query).

The same masking of strings, IRIs and comments tells whether a query calls ``SERVICE``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from ecokg.errors import InputError, UsageError
from ecokg.stores.base import Term

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


def calls_service(sparql: str) -> bool:
    """True when the query has a ``SERVICE`` clause (outside strings, IRIs and comments)."""
    return any(match.group().upper() == "SERVICE" for match in _TOKEN.finditer(_mask(sparql)))


def query_form(sparql: str) -> str:
    """'solutions' (SELECT), 'boolean' (ASK) or 'graph' (CONSTRUCT/DESCRIBE), read from the
    query's first form keyword outside strings, IRIs, comments and braces, without parsing."""
    depth = 0
    for match in _TOKEN.finditer(_mask(sparql)):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            word = token.upper()
            if word in _FORMS:
                return _FORMS[word]
    raise UsageError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


_FORMS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def names_default_graph(sparql: str) -> bool:
    """True when the query chooses its own default graph (``FROM <g>``; ``FROM NAMED`` only
    names graphs): the store then must not put the union of its graphs there."""
    tokens = [match.group().upper() for match in _TOKEN.finditer(_mask(sparql))]
    return any(
        token == "FROM" and (index + 1 == len(tokens) or tokens[index + 1] != "NAMED")
        for index, token in enumerate(tokens)
    )


# Deeper nesting than this crashes the parser's recursion (seen: 3,000 groups end the process).
MAX_NESTING = 500


def check_text(sparql: str, source: str = "query") -> None:
    """Refuse, in one line, a query the engine cannot take: text that is not UTF-8 (bytes
    that were not arrive as surrogates) or groups nested deeper than :data:`MAX_NESTING`."""
    try:
        sparql.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(
            f"{source}: not UTF-8 text (an undecodable byte at character {error.start + 1})"
        ) from None
    depth = deepest = 0
    for char in _mask(sparql):
        if char in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})":
            depth -= 1
    if deepest > MAX_NESTING:
        raise InputError(f"{source}: groups nested {deepest} deep; at most {MAX_NESTING}")


_DATASET_IRI = re.compile(r"<[^>]*>|[^\s{]*")


def with_dataset(sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The query with its dataset set to ``FROM <g>`` for each of ``default_graphs`` and
    ``FROM NAMED <g>`` for each of ``named_graphs`` (the SPARQL Protocol's
    ``default-graph-uri`` and ``named-graph-uri``), its own FROM clauses removed; the query
    unchanged when both are empty."""
    if not default_graphs and not named_graphs:
        return sparql
    for iri in (*default_graphs, *named_graphs):
        if not _IRIREF.fullmatch(f"<{iri}>") or ":" not in iri:
            raise UsageError(f"not an absolute IRI: {iri!r}")
    masked = _mask(sparql)
    text = list(sparql)
    depth = 0
    for match in _TOKEN.finditer(masked):
        token = match.group()
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth or token.upper() != "FROM":
            continue
        position = match.end()
        rest = masked[position:]
        position += len(rest) - len(rest.lstrip())
        if masked[position : position + 5].upper() == "NAMED":
            rest = masked[position + 5 :]
            position += 5 + len(rest) - len(rest.lstrip())
        found = _DATASET_IRI.match(sparql, position)
        end = found.end() if found else position
        text[match.start() : end] = " " * (end - match.start())
    sparql = "".join(text)
    opening = _pattern_start(_mask(sparql))
    if opening is None:
        raise UsageError(
            "default-graph-uri and named-graph-uri need a query with a WHERE pattern "
            "(or give the dataset with FROM in the query)"
        )
    before = masked[:opening].rstrip()
    if before.upper().endswith("WHERE") and not before[-6:-5].isalnum():
        opening = len(before) - 5
    clauses = [f"FROM <{iri}>" for iri in default_graphs]
    clauses += [f"FROM NAMED <{iri}>" for iri in named_graphs]
    return f"{sparql[:opening]}{' '.join(clauses)} {sparql[opening:]}"
