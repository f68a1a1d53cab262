"""Entity linking: find the names of the index in a question.

1. Exact: every span of units whose joined key is a known name (label, altLabel, short
   form, pinyin; a hiddenLabel only where nothing else names that span). The longest span
   wins, then the best rank; overlapping spans are dropped. A span keeps every entity it
   names, so that a parameter's type can choose (蒙山 is a reservoir and a township).
2. Fuzzy, on what is left: a Chinese span of three or more characters one substitution
   away from a name; latin words (not words of the question patterns) within a small
   Levenshtein distance of a latin name or pinyin.
3. Unknown names: place-like words the index does not know (火星镇, "in Atlantis"), for
   "did you mean" suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from ecokg.ask.entities import RANK, Entity, EntityIndex, Form
from ecokg.ask.text import IRI_TEXT, Unit, has_cjk, key, units
from ecokg.rdf.iris import current_iri
from ecokg.rdf.namespaces import expand

PLACE_SUFFIXES_ZH: tuple[str, ...] = ("街道", "林场", "园区", "镇", "乡", "村")
# Characters that end a Chinese name when reading leftwards from a place suffix.
STOP_CHARS_ZH = frozenset(
    "的在和与及是有哪些个了里中从对于为把被由到向等各全该本某每什么吗呢请问就也都"
)
# A name made only of these is a common word (乡镇, 城镇, 农村), not an unknown place.
GENERIC_CHARS_ZH = frozenset("乡镇村城农集市县山")
PLACE_PREPOSITIONS_EN = frozenset({"in", "at", "near", "along", "around", "within"})
_STOPWORDS_TEXT = """
a an the of in at on to for by with from and or is are was were be been do does did
what which who whom whose where when how why that this these those there their it its
any all some many much most more each every can could should would will shall may
me my we our you your i please tell show list give about near along around within
has have had not no yes than then so as into over under up down out
"""
STOPWORDS_EN = frozenset(_STOPWORDS_TEXT.split())
PLACE_KINDS = frozenset(
    {"township", "village", "county", "zone", "river", "reservoir", "protected-area"}
)
MIN_FUZZY_KEY = 4
LONG_LATIN_KEY = 8  # longer latin keys may be two edits (OSA: a swap is one) from a name


@dataclass(frozen=True)
class Candidate:
    """An entity a span may name, and how (rank) by which name (form)."""

    entity: Entity
    rank: str
    form: str


@dataclass(frozen=True)
class Mention:
    """A span of the question (character offsets) and the entities it may name, best first."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    def candidate_for(self, accepts: Callable[[Entity], bool]) -> Candidate | None:
        """The best candidate whose entity ``accepts(entity)`` says fits."""
        return next((c for c in self.candidates if accepts(c.entity)), None)


@dataclass(frozen=True)
class Unknown:
    """A word that looks like a name the dataset does not know."""

    start: int
    end: int
    text: str
    place_like: bool


def link(index: EntityIndex, question: str, known_words: Collection[str] = ()) -> list[Mention]:
    """The entity mentions of a question, in order of appearance."""
    question_units = units(question)
    chosen = _iri_spans(index, question, question_units)
    covered = {i for start, end in chosen for i in range(start, end)}
    chosen.update(_choose(_exact_spans(index, question_units), taken=covered))
    covered = {i for start, end in chosen for i in range(start, end)}
    fuzzy = _fuzzy_spans(index, question_units, covered, set(known_words) | STOPWORDS_EN)
    chosen.update(_choose(fuzzy, taken=covered))
    mentions = []
    for (start, end), forms in sorted(chosen.items()):
        first, last = question_units[start], question_units[end - 1]
        mentions.append(
            Mention(
                first.start, last.end, question[first.start : last.end], _candidates(index, forms)
            )
        )
    return mentions


def _iri_spans(
    index: EntityIndex, question: str, question_units: list[Unit]
) -> dict[tuple[int, int], list[Form]]:
    """The IRIs and CURIEs of the question that name an entity of the index. A release 0.1
    IRI (…/id/township/sixi) names what it named then: 0.2 accepts the 0.1 IRIs."""
    spans: dict[tuple[int, int], list[Form]] = {}
    for match in IRI_TEXT.finditer(question):
        text = match.group("bracketed") or match.group("full")
        iri = text.rstrip(".,;:!?)") if text else expand(match.group("curie").rstrip("."))
        entity = current_iri(iri) if iri else None
        inside = [
            i
            for i, unit in enumerate(question_units)
            if unit.start >= match.start() and unit.end <= match.end()
        ]
        if entity in index.entities and inside:
            spans[(inside[0], inside[-1] + 1)] = [Form(entity, match.group(), "", "label")]
    return spans


def _exact_spans(
    index: EntityIndex, question_units: list[Unit]
) -> dict[tuple[int, int], list[Form]]:
    spans: dict[tuple[int, int], list[Form]] = {}
    longest = index.max_key_units
    for start in range(len(question_units)):
        joined = ""
        for end in range(start + 1, len(question_units) + 1):
            joined += question_units[end - 1].text
            if len(joined) > longest:
                break
            forms = index.by_key.get(joined)
            if forms:
                visible = [form for form in forms if form.rank != "hidden"]
                spans[(start, end)] = visible or list(forms)
    return spans


def _choose(
    spans: dict[tuple[int, int], list[Form]], taken: set[int] | None = None
) -> dict[tuple[int, int], list[Form]]:
    """Longest spans first (then best rank), never overlapping each other or ``taken``."""
    used = set(taken or ())
    chosen: dict[tuple[int, int], list[Form]] = {}

    def order(item: tuple[tuple[int, int], list[Form]]) -> tuple[int, int, int]:
        (start, _end), forms = item
        length = sum(len(form.key) for form in forms[:1])
        return (-length, min(RANK[form.rank] for form in forms), start)

    for (start, end), forms in sorted(spans.items(), key=order):
        if used.isdisjoint(range(start, end)):
            chosen[(start, end)] = forms
            used.update(range(start, end))
    return chosen


def _candidates(index: EntityIndex, forms: Iterable[Form]) -> tuple[Candidate, ...]:
    best: dict[str, Form] = {}
    for form in sorted(forms, key=lambda form: (RANK[form.rank], form.entity)):
        best.setdefault(form.entity, form)
    return tuple(
        Candidate(index.entities[form.entity], form.rank, form.text) for form in best.values()
    )


def _fuzzy_spans(
    index: EntityIndex, question_units: list[Unit], covered: set[int], known_words: set[str]
) -> dict[tuple[int, int], list[Form]]:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA, Hamming

    spans: dict[tuple[int, int], list[Form]] = {}
    by_key = index.by_key
    # No name is longer than this: longer spans cannot match, and stopping there keeps the
    # work linear in the question's length (a long question took minutes).
    longest = max(index.zh_keys_by_length, default=0)
    for start in range(len(question_units)):
        for end in range(start + 1, len(question_units) + 1):
            if end - 1 in covered:
                break
            piece = question_units[start:end]
            joined = "".join(unit.text for unit in piece)
            if len(joined) > longest and all(not unit.is_latin for unit in piece):
                break
            if all(not unit.is_latin for unit in piece):
                if len(joined) < 3 or len(joined) not in index.zh_keys_by_length:
                    continue
                choices = index.zh_keys_by_length[len(joined)]
                found = process.extract(
                    joined, choices, scorer=Hamming.distance, score_cutoff=1, limit=None
                )
            elif all(unit.is_latin for unit in piece) and end - start <= 4:
                if any(unit.text in known_words for unit in piece) or len(joined) < MIN_FUZZY_KEY:
                    continue
                cutoff = 1 if len(joined) <= LONG_LATIN_KEY else 2
                found = [
                    hit
                    for hit in process.extract(
                        joined,
                        index.latin_keys,
                        scorer=OSA.distance,
                        score_cutoff=cutoff,
                        limit=None,
                    )
                    if hit[0][0] == joined[0]  # names are rarely misspelt at their first letter
                ]
            else:
                break
            forms = [
                form
                for name_key, distance, _ in found
                if distance > 0
                for form in by_key[name_key]
                if form.rank != "hidden"
            ]
            if forms:
                best = min(distance for _, distance, _ in found if distance > 0)
                spans[(start, end)] = [
                    Form(form.entity, form.text, form.key, "fuzzy")
                    for form in forms
                    if _distance(form.key, joined) == best
                ]
    return spans


def _distance(first: str, second: str) -> int:
    from rapidfuzz.distance import OSA

    return int(OSA.distance(first, second))


def find_unknown(
    index: EntityIndex, question: str, mentions: list[Mention], known_words: Collection[str]
) -> list[Unknown]:
    """Words that look like names (of places, mostly) but name nothing in the index."""
    covered = {i for mention in mentions for i in range(mention.start, mention.end)}
    found: list[Unknown] = []
    if has_cjk(question):
        for position in range(len(question)):
            suffix = next((s for s in PLACE_SUFFIXES_ZH if question.startswith(s, position)), None)
            if suffix is None or position in covered:
                continue
            begin = position
            while (
                begin > 0
                and position - begin < 4
                and has_cjk(question[begin - 1])
                and question[begin - 1] not in STOP_CHARS_ZH
                and begin - 1 not in covered
            ):
                begin -= 1
            name = question[begin:position]
            if name and not set(name) <= GENERIC_CHARS_ZH:
                end = position + len(suffix)
                found.append(Unknown(begin, end, question[begin:end], place_like=True))
    vocabulary = index.vocabulary | set(known_words) | STOPWORDS_EN
    latin = [unit for unit in units(question) if unit.is_latin and not unit.text.isdigit()]
    previous = ""
    for number, unit in enumerate(latin):
        original = question[unit.start : unit.end]
        after_preposition = previous in PLACE_PREPOSITIONS_EN
        capitalised = original[:1].isupper() and number > 0
        if (
            unit.start not in covered
            and unit.text not in vocabulary
            and (capitalised or after_preposition)
        ):
            if found and found[-1].end == unit.start - 1 and not has_cjk(found[-1].text):
                last = found.pop()
                found.append(Unknown(last.start, unit.end, question[last.start : unit.end], True))
            else:
                found.append(Unknown(unit.start, unit.end, original, after_preposition))
        previous = unit.text
    return found


def suggest(index: EntityIndex, text: str, lang: str, *, places_only: bool = False) -> list[Entity]:
    """The three entities whose names are closest to ``text`` (labels, altLabels, pinyin)."""
    from rapidfuzz import fuzz

    wanted = key(text)
    pinyin = _pinyin(text) if has_cjk(text) else wanted
    scores: dict[str, float] = {}
    for form in index.forms:
        entity = index.entities[form.entity]
        if form.rank == "hidden" or (places_only and entity.kind not in PLACE_KINDS):
            continue
        target = wanted if has_cjk(form.key) else pinyin
        score = fuzz.ratio(target, form.key)
        if score > scores.get(form.entity, -1.0):
            scores[form.entity] = score
    best = sorted(scores, key=lambda iri: (-scores[iri], iri))[:3]
    return [index.entities[iri] for iri in best]


def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin  # slow import: only on this error path

    return key("".join(lazy_pinyin(text, style=Style.NORMAL)))


def unread_names(
    index: EntityIndex,
    question: str,
    spans: Iterable[tuple[int, int]],
    lexicon_words: Collection[str],
) -> list[str]:
    """Pieces of names left unread: words outside the linked names and lexicon words
    ``spans`` that belong to the names of things (two English words or more, or a run of
    Chinese characters three of which are part of a name). A question answered without
    them would answer a question about everything of a class ("the urban green system
    project, which department leads it?" is not "which departments are there")."""
    covered = {i for start, end in spans for i in range(start, end)}
    known = set(lexicon_words) | STOPWORDS_EN
    words = [
        question[u.start : u.end]
        for u in units(question)
        if u.is_latin
        and u.start not in covered
        and not u.text.isdigit()
        and u.text not in known
        and u.text in index.vocabulary
    ]
    found = [" ".join(words)] if len(words) >= 2 else []
    run = ""
    for position, char in enumerate(question + " "):
        if has_cjk(char) and position not in covered and char not in STOP_CHARS_ZH:
            run += char
            continue
        pieces = {run[i : i + 3] for i in range(len(run) - 2)}  # 滨江公园绿道: 滨江公园
        if pieces and any(
            piece in name
            for names in index.zh_keys_by_length.values()
            for name in names
            for piece in pieces
        ):
            found.append(run)
        run = ""
    return found
