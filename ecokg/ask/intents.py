"""Intent matching: which named query a question asks, with which parameter values.

A query is a candidate when the question supplies every required parameter: an entity
mention whose entity has the parameter's class (``eco:Township``) or lies in its concept
namespace (``pt:``); ``lang`` takes the question's language and ``year`` a year written in
the question. The question, with the bound mentions replaced by placeholders, is then
compared with the query's ``# ask-zh:`` / ``# ask-en:`` wordings (character similarity for
Chinese, word similarity for English, via rapidfuzz). The best score wins; on a tie the
query that uses more of the linked entities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from ecokg.ask.entities import Entity
from ecokg.ask.linking import Mention
from ecokg.ask.text import latin_words
from ecokg.query.library import NamedQuery, QueryParam

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_FIRST_PLACEHOLDER = 0xE000  # private-use characters stand for {param} in comparisons
# Score lost for each linked entity that a parameter could take but this query leaves unused.
UNUSED_ENTITY_PENALTY = 8.0


@dataclass(frozen=True)
class Binding:
    """A parameter and the value the question gives it (an entity, or a scalar)."""

    param: QueryParam
    value: str
    mention: Mention | None = None
    entity: Entity | None = None


@dataclass(frozen=True)
class IntentMatch:
    """A named query that the question can ask, how well it reads like it, and its values."""

    query: NamedQuery
    score: float
    bindings: tuple[Binding, ...]
    pattern: str

    @property
    def entity_count(self) -> int:
        return sum(1 for binding in self.bindings if binding.entity is not None)

    def values(self) -> dict[str, str]:
        """Parameter values as ``querylib.bind_parameters`` takes them."""
        return {binding.param.name: binding.value for binding in self.bindings}


def accepts(param: QueryParam, entity: Entity) -> bool:
    """Whether ``entity`` is a possible value of an entity-typed (or ``iri``) parameter."""
    if param.type == "iri":
        return True
    if param.concept_namespace is not None:
        return entity.iri.startswith(param.concept_namespace)
    class_iri = param.class_iri
    return class_iri is not None and class_iri in entity.types


def is_entity_param(param: QueryParam) -> bool:
    return param.concept_namespace is not None or param.class_iri is not None


def concept_namespaces(queries: Sequence[NamedQuery]) -> list[str]:
    """The SKOS namespaces that parameters of the library take (``pt:`` …)."""
    found = {p.concept_namespace for q in queries for p in q.params if p.concept_namespace}
    return sorted(namespace for namespace in found if namespace)


def known_words(queries: Sequence[NamedQuery], *, use_cache: bool = True) -> set[str]:
    """Latin words of the English question patterns and titles (not names of things),
    cached by the texts they come from (reading them out takes some 20 ms a run)."""
    if not use_cache:
        return _known_words(queries)
    import hashlib
    import json

    from ecokg import resources
    from ecokg.cache_entries import obtain
    from ecokg.errors import EcokgError

    digest = hashlib.sha256(b"ecokg-ask-words 1\n")
    for query in queries:
        for text in (*query.ask_en, query.title_en):
            digest.update(text.encode() + b"\0")
    try:
        path = resources.cache_dir() / f"ask-words-{digest.hexdigest()[:32]}.json"
        entry = obtain(
            path,
            lambda: json.dumps(sorted(_known_words(queries))).encode(),
            what="question words",
        )
        return set(json.loads(entry.body))
    except (OSError, ValueError, EcokgError):
        return _known_words(queries)


def _known_words(queries: Sequence[NamedQuery]) -> set[str]:
    words: set[str] = set()
    for query in queries:
        for text in (*query.ask_en, query.title_en):
            words.update(latin_words(_PLACEHOLDER.sub(" ", text)))
    return words


def bind(
    query: NamedQuery, question: str, lang: str, mentions: Sequence[Mention]
) -> tuple[Binding, ...] | None:
    """The question's values for the query's parameters; None if a required one is missing."""
    bindings: list[Binding] = []
    used: set[int] = set()
    for param in query.params:
        binding: Binding | None = None
        if is_entity_param(param) or param.type == "iri":
            for number, mention in enumerate(mentions):
                if number in used:
                    continue
                candidate = mention.candidate_for(partial(accepts, param))
                if candidate is not None:
                    used.add(number)
                    binding = Binding(param, f"<{candidate.entity.iri}>", mention, candidate.entity)
                    break
        elif param.type == "lang":
            binding = Binding(param, lang)
        elif param.type == "year":
            year = _YEAR.search(question)
            binding = Binding(param, year.group(1)) if year else None
        if binding is not None:
            bindings.append(binding)
        elif param.required:
            return None
    return tuple(bindings)


def match_intents(
    queries: Sequence[NamedQuery], question: str, lang: str, mentions: Sequence[Mention]
) -> list[IntentMatch]:
    """Every query the question can ask, best first."""
    codes: dict[str, str] = {}
    matches: list[IntentMatch] = []
    params = [param for query in queries for param in query.params if is_entity_param(param)]
    relevant = [
        mention
        for mention in mentions
        if any(accepts(param, c.entity) for param in params for c in mention.candidates)
    ]
    for query in queries:
        bindings = bind(query, question, lang, mentions)
        if bindings is None:
            continue
        bound = {id(binding.mention) for binding in bindings if binding.mention is not None}
        unused = sum(1 for mention in relevant if id(mention) not in bound)
        patterns = (
            (query.ask_en or query.ask_zh) if lang == "en" else (query.ask_zh or query.ask_en)
        )
        if not patterns:
            continue
        templated = _template(question, bindings, codes)
        scored = [(similarity(templated, _pattern(p, codes), lang), p) for p in patterns]
        score, pattern = max(scored)
        score = max(0.0, score - UNUSED_ENTITY_PENALTY * unused)
        matches.append(IntentMatch(query, round(score, 1), bindings, pattern))
    matches.sort(key=lambda m: (-round(m.score), -m.entity_count, m.query.name))
    return matches


def _code(name: str, codes: dict[str, str]) -> str:
    return codes.setdefault(name, chr(_FIRST_PLACEHOLDER + len(codes)))


def _template(question: str, bindings: Sequence[Binding], codes: dict[str, str]) -> str:
    """The question with each bound mention replaced by its parameter's placeholder."""
    spans = sorted(
        (b.mention.start, b.mention.end, b.param.name) for b in bindings if b.mention is not None
    )
    parts: list[str] = []
    position = 0
    for start, end, name in spans:
        parts.append(question[position:start])
        parts.append(f" {_code(name, codes)} ")
        position = end
    parts.append(question[position:])
    return "".join(parts)


def _pattern(pattern: str, codes: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: f" {_code(m.group(1), codes)} ", pattern)


def similarity(question: str, pattern: str, lang: str) -> float:
    """0–100: how much the (templated) question reads like the pattern."""
    from rapidfuzz import fuzz

    if lang == "zh":
        first, second = _keep(question), _keep(pattern)
        return max(fuzz.ratio(first, second), 0.9 * fuzz.partial_ratio(first, second))
    first_words, second_words = _words(question), _words(pattern)
    return max(
        fuzz.ratio(" ".join(first_words), " ".join(second_words)),
        fuzz.token_sort_ratio(first_words, second_words),
    )


def _keep(text: str) -> str:
    """Word characters and placeholders, case-folded; punctuation and spaces dropped."""
    return "".join(char.casefold() for char in text if char.isalnum() or _is_placeholder(char))


def _words(text: str) -> list[str]:
    words: list[str] = []
    for token in text.split():
        if len(token) == 1 and _is_placeholder(token):
            words.append(token)
        else:
            words.extend(latin_words(token))
    return words


def _is_placeholder(char: str) -> bool:
    return _FIRST_PLACEHOLDER <= ord(char) < _FIRST_PLACEHOLDER + 0x100
