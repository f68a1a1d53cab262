"""The question lexicon: the words of `ontology/lexicon/ask.ttl`, and finding them in a question.

The lexicon gives SKOS labels (``skos:altLabel``, ``skos:hiddenLabel``) to the ontology's
classes and properties and defines the answer forms (``ask:count``, ``ask:sum`` …) as SKOS
concepts. The ontology's own labels of the terms the lexicon names count too. A term's
*role* comes from the ontology: an ``owl:Class`` is something a question may ask for, a
property is a link or an attribute, a concept of ``ask:forms`` is an answer form.

Chinese words are found as substrings (of the question's units); English words as runs of
whole words, compared by a light stem (``projects`` = ``project``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecokg import resources
from ecokg.ask.text import Unit, has_cjk, units
from ecokg.rdf.namespaces import OWL, RDF, RDFS, SKOS

ASK_NS = "https://w3id.org/ecokg/def/ask#"
# written forms of units (公里 for 千米, ha) are labels of the unit IRIs in the lexicon
UNIT_NAMESPACES = ("http://qudt.org/vocab/unit/", "https://w3id.org/ecokg/def/unit#")
LEXICON_FILE = Path("ontology") / "lexicon" / "ask.ttl"
_LABELS = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    SKOS + "altLabel": "alt",
    SKOS + "hiddenLabel": "hidden",
}
_CLASS = OWL + "Class"
_CONCEPT = SKOS + "Concept"
_PROPERTIES = (OWL + "ObjectProperty", OWL + "DatatypeProperty")


def lexicon_path() -> Path:
    return resources.kb_root() / LEXICON_FILE


def stem(word: str) -> str:
    """A light English stem: plurals and -ies folded (``agencies`` → ``agency``)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Word:
    """One written form of a term: the matching key, the term and its role."""

    key: str  # Chinese: the joined units; English: space-joined stems
    term: str
    role: str  # "class", "property" or "form"
    rank: str  # "label", "alt" or "hidden"


@dataclass(frozen=True)
class Hit:
    """A lexicon word found in a question (character offsets)."""

    start: int
    end: int
    text: str
    terms: tuple[str, ...]
    role: str


@dataclass
class Lexicon:
    """The words, by key, with the role of each term."""

    words: list[Word]
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # term → {lang: label}
    units: dict[str, str] = field(default_factory=dict)  # a unit's written form → its IRI
    also: dict[str, list[str]] = field(default_factory=dict)  # ask:alsoFollow

    def name(self, term: str, lang: str) -> str:
        """The ontology's label of a term in ``lang`` (for sentences and headers)."""
        found = self.names.get(term, {})
        return (
            found.get(lang)
            or found.get("zh")
            or term.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        )

    def __post_init__(self) -> None:
        self._latin: set[str] | None = None
        self.by_key: dict[str, list[Word]] = {}
        for word in self.words:
            self.by_key.setdefault(word.key, []).append(word)
        self.longest_zh = max((len(k) for k in self.by_key if has_cjk(k)), default=0)
        self.longest_en = max((k.count(" ") + 1 for k in self.by_key if not has_cjk(k)), default=0)

    def latin_words(self) -> set[str]:
        """Every English word of the lexicon (and its stem): not unknown names."""
        if self._latin is None:
            self._latin = self._latin_words()
        return self._latin

    def _latin_words(self) -> set[str]:
        found: set[str] = set()
        for word in self.words:
            if not has_cjk(word.key):
                found.update(word.key.split())
        return found | {w + "s" for w in found}

    def roles(self, term: str) -> set[str]:
        return {word.role for word in self.words if word.term == term}

    def to_json(self) -> dict[str, Any]:
        return {
            "words": [[w.key, w.term, w.role, w.rank] for w in self.words],
            "names": self.names,
            "units": self.units,
            "also": self.also,
            "latin": sorted(self.latin_words()),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lexicon:
        lexicon = cls(
            [Word(*item) for item in data["words"]],
            data["names"],
            data.get("units", {}),
            data.get("also", {}),
        )
        if "latin" in data:  # computed once, when the entry was built
            lexicon._latin = set(data["latin"])
        return lexicon

    def find(self, question: str, taken: Iterable[tuple[int, int]] = ()) -> list[Hit]:
        """The lexicon words of ``question`` outside the ``taken`` spans, longest first,
        never overlapping, in order of appearance."""
        question_units = units(question)
        blocked = {i for start, end in taken for i in range(start, end)}
        spans: list[tuple[int, int, int, list[Word]]] = []  # (length, start unit, end unit)
        for start in range(len(question_units)):
            for end in range(start + 1, len(question_units) + 1):
                piece = question_units[start:end]
                if any(_chars(u) & blocked for u in piece):
                    break
                found = self._lookup(piece)
                if found is None:
                    if len(piece) > max(self.longest_zh, self.longest_en):
                        break
                    continue
                length = sum(len(u.text) for u in piece)
                spans.append((length, start, end, found))
        used: set[int] = set()
        hits: list[Hit] = []
        for _length, start, end, found in sorted(spans, key=lambda s: (-s[0], s[1])):
            if used.isdisjoint(range(start, end)):
                used.update(range(start, end))
                first, last = question_units[start], question_units[end - 1]
                text = question[first.start : last.end]
                for role in ("form", "class", "property", "metric"):
                    terms = tuple(dict.fromkeys(w.term for w in found if w.role == role))
                    if terms:
                        hits.append(Hit(first.start, last.end, text, terms, role))
        return sorted(hits, key=lambda h: (h.start, h.role))

    def _lookup(self, piece: Sequence[Unit]) -> list[Word] | None:
        if all(not u.is_latin for u in piece):
            joined = "".join(u.text for u in piece)
            if len(joined) > self.longest_zh:
                return None
            return self.by_key.get(joined)
        if all(u.is_latin for u in piece):
            if len(piece) > self.longest_en:
                return None
            return self.by_key.get(" ".join(stem(u.text) for u in piece))
        return None


def _chars(unit: Unit) -> set[int]:
    return set(range(unit.start, unit.end))


def _key(text: str) -> str:
    parts = units(text)
    if has_cjk(text):
        return "".join(u.text for u in parts)
    return " ".join(stem(u.text) for u in parts)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read the lexicon file and the ontology's labels of the terms it names."""
    import pyoxigraph as ox

    path = path or lexicon_path()
    triples = list(ox.parse(path=path))
    named = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    roles: dict[str, str] = {}
    labels: list[tuple[str, str, str]] = []
    names: dict[str, dict[str, str]] = {}
    for triple in triples:
        if triple.predicate.value in _LABELS and isinstance(triple.object, ox.Literal):
            labels.append(
                (triple.subject.value, _LABELS[triple.predicate.value], triple.object.value)
            )
        if triple.predicate.value == SKOS + "inScheme" and triple.object.value == ASK_NS + "forms":
            roles[triple.subject.value] = "form"
    units = {
        triple.object.value.casefold(): triple.subject.value
        for triple in triples
        if triple.subject.value.startswith(UNIT_NAMESPACES)
        and triple.predicate.value in _LABELS
        and isinstance(triple.object, ox.Literal)
    }
    also: dict[str, list[str]] = {}
    for triple in triples:
        if triple.predicate.value == ASK_NS + "alsoFollow":
            also.setdefault(triple.subject.value, []).append(triple.object.value)
    named = {term for term in named if not term.startswith(UNIT_NAMESPACES)}
    terms = {term for term in named if not term.startswith(ASK_NS)}
    for ontology_file in resources.ontology_files():
        for triple in ox.parse(path=ontology_file):
            subject = triple.subject.value
            if subject not in terms:  # still named in headers and messages (eco:Plan)
                if triple.predicate.value == RDFS + "label" and triple.object.language:
                    language = triple.object.language
                    names.setdefault(subject, {}).setdefault(language, triple.object.value)
                continue
            if triple.predicate.value == RDF + "type":
                if triple.object.value == _CLASS:
                    roles[subject] = "class"
                elif triple.object.value in _PROPERTIES:
                    roles[subject] = "property"
                elif triple.object.value == _CONCEPT:
                    roles[subject] = "metric"  # a measure of things (面积, length)
            elif triple.predicate.value in _LABELS and isinstance(triple.object, ox.Literal):
                labels.append((subject, _LABELS[triple.predicate.value], triple.object.value))
                if triple.predicate.value == RDFS + "label" and triple.object.language:
                    names.setdefault(subject, {})[triple.object.language] = triple.object.value
    words = {
        (_key(text), term, roles[term], rank)
        for term, rank, text in labels
        if term in roles and _key(text)
    }
    for triple in triples:  # the forms' own labels
        if triple.predicate.value == RDFS + "label" and isinstance(triple.object, ox.Literal):
            language = triple.object.language or "en"
            names.setdefault(triple.subject.value, {})[language] = triple.object.value
    return Lexicon([Word(*item) for item in sorted(words)], names, units, also)
