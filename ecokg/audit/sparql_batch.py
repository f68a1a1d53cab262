"""Which SHACL-SPARQL queries may run once for all focus nodes instead of once per node.

SHACL pre-binds ``$this`` to each focus node in turn (oxigraph: the query evaluated with
``$this`` bound from the start). For a query in which ``$this`` is bound by a mandatory triple
pattern of its WHERE clause, running it ONCE with ``$this`` free and keeping the solutions
whose ``$this`` is a focus node gives the same solutions: the pattern is then a join on
``$this``, and joins commute with fixing a variable. That is the case only under conditions
checked here on the query's tokens, conservatively (anything else keeps per-node runs):

- in each SELECT (the query and its sub-selects) that mentions ``$this``: ``$this`` projected
  as a plain variable, bound by a triple pattern (or a sub-select) of its top-level group
  before any OPTIONAL or non-FILTER expression uses it, GROUP BY including ``$this`` when the
  SELECT aggregates, and no LIMIT, OFFSET or VALUES;
- no GROUP_CONCAT: the order it concatenates in is the evaluation's, and a message must read
  the same however the query ran. A query that meets every other condition, and uses what it
  concatenates only in projections, is *screened* instead (:func:`screenable`): one run with
  ``$this`` free finds the focus nodes that have solutions, and only those run on their own.
  Its solutions are those of the per-node runs but for the concatenation order, so the same
  focus nodes have some;
- elsewhere ``$this`` only in FILTER expressions, EXISTS patterns, OPTIONAL groups and
  sub-selects of that top-level group (never in a MINUS, GRAPH, SERVICE, VALUES or a plain
  nested group or UNION branch, which are evaluated before the join).

Per-node runs cost about a millisecond each in pyoxigraph (a thousand focus nodes per plan for
the cross-plan shapes); one run costs about as much as a few of them.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\s]*>)
    |(?P<var>[?$]\w+)
    |(?P<pname>[A-Za-z_][\w.-]*:[\w:%-]*(?:\.[\w:%-]+)*|:[\w:%-]*)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_OTHER_GROUPS = {"GRAPH", "SERVICE", "VALUES"}
_MODIFIER_ENDS = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}
THIS = "this"


class _Unsafe(Exception):
    pass


@lru_cache(maxsize=512)
def batchable(query: str) -> bool:
    """True if ``query`` gives the same solutions run once with ``$this`` free, restricted
    to the focus nodes, as run once per focus node with ``$this`` pre-bound."""
    tokens = _tokens(query)
    if any(token == ("word", "GROUP_CONCAT") for token in tokens):
        return False
    return _joins_on_this(tokens)


@lru_cache(maxsize=512)
def screenable(query: str) -> bool:
    """True if ``query`` would be :func:`batchable` but for GROUP_CONCAT, and what it
    concatenates is only projected (never filtered, bound or joined on): a run with ``$this``
    free then has solutions for exactly the focus nodes whose own runs have some."""
    tokens = _tokens(query)
    if not any(token == ("word", "GROUP_CONCAT") for token in tokens):
        return False
    return _concatenations_only_projected(tokens) and _joins_on_this(tokens)


def _tokens(query: str) -> list[tuple[str, str]]:
    return [
        (kind, text.upper() if kind == "word" else text)
        for match in _TOKEN.finditer(query)
        for kind, text in match.groupdict().items()
        if text is not None and kind != "skip"
    ]


def _concatenations_only_projected(tokens: list[tuple[str, str]]) -> bool:
    """Every variable a GROUP_CONCAT is bound to (``… AS ?v``), or a projected expression of
    one, appears only in projections: between a SELECT and its WHERE clause."""
    concatenated: set[str] = set()
    changed = True
    while changed:  # until the expressions of concatenations are all found
        changed = False
        projecting, depth, mentions = False, 0, False
        for index, (kind, text) in enumerate(tokens):
            if (kind, text) == ("word", "SELECT"):
                projecting, depth, mentions = True, 0, False
            elif (kind, text) in (("word", "WHERE"), ("punct", "{")):
                projecting = False
            elif not projecting:
                if kind == "var" and text[1:] in concatenated:
                    return False
            elif text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                mentions = mentions and depth > 0
            elif (kind, text) == ("word", "GROUP_CONCAT"):
                mentions = True
            elif kind == "var" and depth > 0:
                mentions |= text[1:] in concatenated
            elif (kind, text) == ("word", "AS") and mentions and index + 1 < len(tokens):
                name = tokens[index + 1][1][1:]
                changed |= name not in concatenated
                concatenated.add(name)
    return True


def _joins_on_this(tokens: list[tuple[str, str]]) -> bool:
    start = next((i for i, token in enumerate(tokens) if token == ("word", "SELECT")), None)
    if start is None:
        return False
    reader = _Reader(tokens, start)
    try:
        mentions = reader.select()
    except (_Unsafe, IndexError):
        return False
    return mentions and reader.at_end()


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], start: int) -> None:
        self.tokens = tokens
        self.index = start

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def next(self) -> tuple[str, str]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def select(self) -> bool:
        """A SELECT (query or sub-select) from its keyword to its end: mentions ``$this``?"""
        assert self.next() == ("word", "SELECT")
        projects = aggregated = False
        depth = 0
        while not (depth == 0 and self.peek() in (("word", "WHERE"), ("punct", "{"))):
            kind, text = self.next()
            depth += (text == "(") - (text == ")") if kind == "punct" else 0
            if kind == "punct" and text == "*" and depth == 0:
                raise _Unsafe  # SELECT *: what is projected is not read here
            if kind == "var" and text[1:] == THIS:
                if depth:
                    raise _Unsafe  # ($this AS ...) or an expression of it
                projects = True
            aggregated |= kind == "word" and text in _AGGREGATES
        if self.peek() == ("word", "WHERE"):
            self.next()
        mentions = self.group("scope", bound=False)
        grouped_by_this: bool | None = None
        depth = 0
        while not self.at_end() and not (depth == 0 and self.peek() == ("punct", "}")):
            kind, text = self.next()
            depth += (text == "(") - (text == ")") if kind == "punct" else 0
            if kind == "word" and text in ("LIMIT", "OFFSET", "VALUES") and mentions:
                raise _Unsafe
            if kind == "word" and text == "HAVING":
                aggregated = True
            if (kind, text) == ("word", "GROUP"):
                grouped_by_this = self._group_by_this()
        if mentions:
            if not projects:
                raise _Unsafe
            if (aggregated or grouped_by_this is not None) and not grouped_by_this:
                raise _Unsafe
        return mentions

    def _group_by_this(self) -> bool:
        if self.next() != ("word", "BY"):
            raise _Unsafe
        found = False
        depth = 0
        while not self.at_end():
            kind, text = self.peek()
            if depth == 0 and (text == "}" or (kind == "word" and text in _MODIFIER_ENDS)):
                break
            self.next()
            depth += (text == "(") - (text == ")") if kind == "punct" else 0
            found |= kind == "var" and text[1:] == THIS and depth == 0
        return found

    def group(self, kind: str, *, bound: bool) -> bool:
        """A group from ``{`` to its ``}``; ``kind``: scope (a SELECT's WHERE), optional,
        exists; ``bound``: ``$this`` already bound where the group starts. Mentions ``$this``?"""
        if self.next() != ("punct", "{"):
            raise _Unsafe
        if self.peek() == ("word", "SELECT"):
            mentions = self.select()
            if self.next() != ("punct", "}"):
                raise _Unsafe
            if mentions and kind not in ("scope", "optional"):
                raise _Unsafe  # a sub-select inside EXISTS: not read as a join here
            return mentions
        mentions = False
        parens: list[str] = []  # the word before each open parenthesis
        previous = ""
        pending = ""  # OPTIONAL, MINUS, EXISTS, GRAPH, ... before the next {
        filter_exists = False  # FILTER [NOT] EXISTS { ... } (no parentheses)
        while True:
            token_kind, text = self.peek()
            if (token_kind, text) == ("punct", "}"):
                self.next()
                break
            if (token_kind, text) == ("punct", "{"):
                in_filter = "FILTER" in parens or filter_exists
                child = {"OPTIONAL": "optional", "EXISTS": "exists", "": "plain"}.get(
                    pending, "other"
                )
                if child == "plain" and self._starts_select():
                    child = "select"
                child_mentions = self.group(
                    "exists" if child == "exists" else "optional" if child == "optional" else kind,
                    bound=bound or kind != "scope",
                )
                if child_mentions:
                    mentions = True
                    self._check_child(kind, child, bound=bound, in_filter=in_filter)
                    if kind == "scope" and child == "select":
                        bound = True  # a mandatory sub-select binding $this joins on it
                pending = previous = ""
                filter_exists = False
                continue
            self.next()
            if token_kind == "punct" and text == "(":
                parens.append(previous)
            elif token_kind == "punct" and text == ")" and parens:
                parens.pop()
            elif token_kind == "word" and text in ("OPTIONAL", "MINUS", "EXISTS", *_OTHER_GROUPS):
                filter_exists = text == "EXISTS" and (
                    previous == "FILTER" or (previous == "NOT" and filter_exists)
                )
                pending = text
            elif (token_kind, text) == ("word", "NOT") and previous == "FILTER":
                filter_exists = True
            elif token_kind == "var" and text[1:] == THIS:
                mentions = True
                if kind == "scope" and not parens:
                    bound = True  # a triple pattern of the SELECT's top-level group
                elif kind == "scope" and "FILTER" not in parens and not bound:
                    raise _Unsafe  # BIND or an expression before $this is bound
            previous = text if token_kind == "word" else previous if text == "(" else ""
        if kind == "scope" and mentions and not bound:
            raise _Unsafe
        return mentions

    def _starts_select(self) -> bool:
        following = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        return following == ("word", "SELECT")

    @staticmethod
    def _check_child(kind: str, child: str, *, bound: bool, in_filter: bool) -> None:
        """May a nested group of kind ``child`` inside a ``kind`` group mention ``$this``?"""
        if child == "exists":
            if kind == "scope" and not (bound or in_filter):
                raise _Unsafe
            return
        if kind == "exists":
            if child in ("plain", "optional"):
                return  # evaluated with the solution's bindings, $this among them
            raise _Unsafe
        if child == "optional" and kind == "scope" and bound:
            return
        if child == "select" and kind in ("scope", "optional"):
            return
        raise _Unsafe
