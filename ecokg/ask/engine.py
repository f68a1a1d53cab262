"""Answer a question: link its entities, match an intent, run the named query.

``ask(question, dataset)`` returns an :class:`~ecokg.ask.answer.Answer`; a question about
something the dataset does not know raises :class:`UnknownNameError` (with "did you
mean" suggestions) and a question no query matches raises :class:`NoIntentError` (with
the list of what can be asked). Both are usage errors (exit code 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ecokg.ask.analysis import Analysis, CannotRelate, NotUnderstood, analyse
from ecokg.ask.answer import Answer, run_match
from ecokg.ask.cache import load_index
from ecokg.ask.entities import Entity, EntityIndex
from ecokg.ask.intents import IntentMatch, concept_namespaces, known_words, match_intents
from ecokg.ask.lexicon import Hit
from ecokg.ask.linking import (
    STOP_CHARS_ZH,
    STOPWORDS_EN,
    Candidate,
    Mention,
    Unknown,
    find_unknown,
    link,
    suggest,
    unread_names,
)
from ecokg.ask.model import Model, load_model
from ecokg.ask.named import prefer_named, summarise_named
from ecokg.ask.planned import read_planned
from ecokg.ask.text import Unit, has_cjk, key, question_language, units
from ecokg.errors import UsageError
from ecokg.query import library as querylib
from ecokg.query.library import NamedQuery
from ecokg.stores.base import Store

# Below this similarity (0–100) a question does not read like any query's wordings.
MIN_SCORE = 60.0
# A list question answered by a named query only when it reads this much like one.
NAMED_SCORE = 70.0
# A question understood but that the generated query cannot answer (monitoring data the
# lexicon has no words for) is answered by a named query that reads this much like it.
STRONG_SCORE = 70.0
# Longer questions are refused: no wording of a query comes near this, and linking and
# matching grow with the length (10,000 characters would take seconds).
MAX_QUESTION_CHARS = 300


class UnknownNameError(UsageError):
    """The question names a place or thing the dataset does not know."""

    def __init__(self, unknown: Sequence[Unknown], suggestions: Sequence[Entity], lang: str):
        self.unknown = list(unknown)
        self.suggestions = list(suggestions)
        names = (
            "、".join(u.text for u in unknown)
            if lang == "zh"
            else ", ".join(repr(u.text) for u in unknown)
        )
        labels = [entity.label(lang) for entity in suggestions]
        if lang == "zh":
            hint = f"；您是否要找：{'、'.join(labels)}？" if labels else ""
            message = f"数据中没有“{names}”{hint}"
        else:
            hint = (
                f"; did you mean {' or '.join(repr(label) for label in labels)}?" if labels else ""
            )
            message = f"the plan does not name {names}{hint}"
        super().__init__(message)


class CannotAnswerError(UsageError):
    """The question was understood but the graph cannot answer it (a fact it lacks)."""

    def __init__(self, reason: str, queries: Sequence[NamedQuery], lang: str):
        self.titles = [query.title(lang) for query in queries]
        lead = (
            f"无法回答：{reason}。可以这样问："
            if lang == "zh"
            else f"cannot answer: {reason}. Questions that can be asked:"
        )
        super().__init__(lead + "".join(f"\n  - {title}" for title in self.titles))


class NoIntentError(UsageError):
    """The question matches none of the named queries."""

    def __init__(self, queries: Sequence[NamedQuery], lang: str, reason: str = ""):
        self.titles = [query.title(lang) for query in queries]
        lead = (
            f"无法理解这个问题{'（' + reason + '）' if reason else ''}。可以这样问："
            if lang == "zh"
            else (
                "cannot match the question to a query"
                + (f" ({reason})" if reason else "")
                + ". You can ask about:"
            )
        )
        super().__init__(lead + "".join(f"\n  - {title}" for title in self.titles))


@dataclass
class Asker:
    """The dataset, its entity index and the query library, ready for questions."""

    dataset: Store
    index: EntityIndex
    queries: list[NamedQuery]
    words: set[str]
    model: Model | None = None
    # Latin words that are not names: the lexicon's (not used for fuzzy linking, so that
    # "forrestry bureau" still reaches the Forestry Bureau)
    plain_words: set[str] = field(default_factory=set)

    @classmethod
    def create(
        cls,
        dataset: Store,
        queries: Sequence[NamedQuery] | None = None,
        *,
        use_cache: bool = True,
    ) -> Asker:
        library = list(queries) if queries is not None else querylib.list_named_queries()
        index = load_index(dataset, concept_namespaces(library), use_cache=use_cache)
        model = load_model(dataset, use_cache=use_cache)
        words = known_words(library, use_cache=use_cache)
        return cls(dataset, index, library, words, model, words | model.lexicon.latin_words())

    def understand(self, question: str) -> tuple[str, list[Mention], IntentMatch]:
        """Language, entity mentions and the best named intent (raising when there is none)."""
        lang, mentions = self._link(question)
        matches = match_intents(self.queries, question, lang, mentions)
        if not matches or matches[0].score < MIN_SCORE:
            raise NoIntentError(self.queries, lang)
        return lang, mentions, matches[0]

    def analyse(self, question: str) -> tuple[str, list[Mention], list[Hit], Analysis]:
        """Language, mentions, lexicon words and the analysis (NotUnderstood/CannotRelate)."""
        assert self.model is not None
        lang, mentions = self._link(question)
        hits = self.model.lexicon.find(question, [(m.start, m.end) for m in mentions])
        return lang, mentions, hits, analyse(question, lang, mentions, hits, self.model.schema)

    def _link(self, question: str) -> tuple[str, list[Mention]]:
        question = question.strip()
        if not question:
            raise UsageError('give a question, e.g. ecokg ask "泗溪镇有哪些项目？"')
        if len(question) > MAX_QUESTION_CHARS:
            raise UsageError(
                f"the question has {len(question)} characters; ask in at most {MAX_QUESTION_CHARS}"
            )
        lang = question_language(question)
        mentions = link(self.index, question, self.words)
        unknown = find_unknown(self.index, question, mentions, self.words | self.plain_words)
        if unknown:
            places = all(u.place_like for u in unknown)
            raise UnknownNameError(
                unknown, suggest(self.index, unknown[0].text, lang, places_only=places), lang
            )
        return lang, mentions

    def ask(self, question: str) -> Answer:
        """Answer by the generated query, or by a named query where the question is one."""
        question = question.strip()
        lang, mentions = self._link(question)
        matches = match_intents(self.queries, question, lang, mentions)
        named = matches[0] if matches and matches[0].score >= MIN_SCORE else None
        analysis: Analysis | None = None
        failure: UsageError | None = None
        if self.model is not None:
            hits = self.model.lexicon.find(question, [(m.start, m.end) for m in mentions])
            named_before = self._names_before_class_words(question, mentions, hits)
            if named_before:
                kept = [  # a longer name replaces the names inside it
                    m
                    for m in mentions
                    if all(m.end <= n.start or n.end <= m.start for n in named_before)
                ]
                mentions = sorted([*kept, *named_before], key=lambda m: m.start)
                hits = self.model.lexicon.find(question, [(m.start, m.end) for m in mentions])
            schema = self.model.schema
            try:
                analysis = read_planned(question, lang, mentions, hits, schema, first=True)
                if analysis is None:
                    analysis = analyse(question, lang, mentions, hits, schema, self._resolve)
            except (NotUnderstood, CannotRelate) as error:
                failure = error
                if not getattr(error, "final", False):  # 治理长度, a project's length: planned
                    analysis = read_planned(question, lang, mentions, hits, schema)
                    failure = failure if analysis is None else None
        if analysis is not None and not (
            analysis.subjects or any(c.entity for c in analysis.constraints)
        ):
            self._refuse_unread(question, lang, mentions, hits, matches)
        strong = named is not None and named.score >= STRONG_SCORE
        wanted = analysis is not None and self.model is not None
        if wanted and (named is None or not self._named_fits(named, analysis, mentions)):
            assert analysis is not None
            try:
                return self._generated(question, lang, mentions, analysis, matches)
            except CannotAnswerError:
                if not strong:
                    raise
                failure = None  # the graph cannot answer it that way: the named query can
        if named is not None and analysis is None:
            if isinstance(failure, CannotRelate):  # understood; the links are not in the graph
                if failure.final or named.score < STRONG_SCORE:
                    named = None
            elif not _binds_all(named, mentions) or named.score < NAMED_SCORE:
                named = None  # it would ignore a name, or is only vaguely like the question
        if isinstance(failure, CannotRelate) and named is None:
            raise CannotAnswerError(failure.message, self._closest(matches), lang)
        if named is None:
            reason = failure.message if isinstance(failure, NotUnderstood) else ""
            raise NoIntentError(self.queries, lang, reason)
        answer = run_match(self.dataset, self.index, question, lang, mentions, named)
        if self.model is not None:
            summarise_named(answer, analysis, self.model)
        return answer

    def _refuse_unread(
        self,
        question: str,
        lang: str,
        mentions: Sequence[Mention],
        hits: Sequence[Hit],
        matches: Sequence[IntentMatch],
    ) -> None:
        """An answer about every thing of a class while the question names something
        the linker did not read is another question's answer: refused, naming the words."""
        assert self.model is not None
        spans = [(m.start, m.end) for m in mentions] + [(h.start, h.end) for h in hits]
        unread = unread_names(self.index, question, spans, self.model.lexicon.latin_words())
        if unread:
            words = "、".join(f"“{w}”" for w in unread)
            reason = (
                f"没有认出问题中的{words}指的是什么"
                if lang == "zh"
                else f"cannot tell what {', '.join(repr(w) for w in unread)} names"
            )
            raise CannotAnswerError(reason, self._closest(matches), lang)

    def _named_fits(
        self, named: IntentMatch, analysis: Analysis | None, mentions: list[Mention]
    ) -> bool:
        assert self.model is not None and analysis is not None
        return prefer_named(named, analysis, mentions, self.model, NAMED_SCORE)

    def _generated(
        self,
        question: str,
        lang: str,
        mentions: list[Mention],
        analysis: Analysis,
        matches: Sequence[IntentMatch],
    ) -> Answer:
        from ecokg.ask.generated import (
            plan_area_constraints_dropped,
            run_generated,
            stated_total,
        )

        assert self.model is not None
        schemes = set(self.model.schema.schemes.values())
        analysis = (
            stated_total(self.dataset, self.index, analysis)
            or plan_area_constraints_dropped(self.dataset, analysis)
            or analysis
        )
        try:
            return run_generated(
                self.dataset, self.index, self.model.lexicon, question, mentions, analysis, schemes
            )
        except CannotRelate as error:
            raise CannotAnswerError(error.message, self._closest(matches), lang) from None

    def _names_before_class_words(
        self, question: str, mentions: Sequence[Mention], hits: Sequence[Hit]
    ) -> list[Mention]:
        """西南部末山 + 分区, urban green system + project: words the linker left before a
        class word that, with it, name one thing of that class (a short form of its name
        the index does not hold); and, when nothing else is named, left-over Chinese words
        of four characters or more that are part of the name of one thing only
        (污水管网建设: 城镇污水管网建设).
        Without this the name would be dropped and the question answered for every zone."""
        spans = [(m.start, m.end) for m in mentions] + [(h.start, h.end) for h in hits]
        taken = {i for start, end in spans for i in range(start, end)}
        question_units = units(question)
        found: list[Mention] = []
        for hit in hits:
            if hit.role != "class":
                continue
            run = _free_run(question_units, hit.start, taken)
            for first in range(len(run)):
                piece = run[first:]
                if piece[0].is_latin and len(piece) < 2:  # one English word names nothing
                    continue
                start = piece[0].start
                entity = self._resolve(question[start : hit.start], hit.terms[0])
                if entity is not None:
                    text = question[start : hit.end]
                    found.append(Mention(start, hit.end, text, (Candidate(entity, "alt", text),)))
                    taken.update(range(start, hit.end))
                    break
            else:
                found.extend(self._names_over_mentions(question, mentions, hit, run, taken))
        named = {i for m in [*mentions, *found] for i in range(m.start, m.end)}
        found.extend(self._name_words(question, taken, named))
        if not mentions and not found:  # nothing named: a part of a name is the name,
            found.extend(self._name_parts(question, set()))  # over words in it (管 in 管网)
        return found

    def _names_over_mentions(
        self,
        question: str,
        mentions: Sequence[Mention],
        hit: Hit,
        run: Sequence[Unit],
        taken: set[int],
    ) -> list[Mention]:
        """Jinjiang + water environment + zone: names linked as other things (the town, a
        problem type) right before a class word that, together with it, name one thing of
        that class which none of them may be; the longer name replaces them."""
        end = run[0].start if run else hit.start
        before = []
        for mention in sorted(mentions, key=lambda m: -m.start):
            if mention.end <= end and not question[mention.end : end].strip():
                before.append(mention)
                end = mention.start
        cls = hit.terms[0]
        if not before or any(cls in c.entity.types for m in before for c in m.candidates):
            return []
        for mention in reversed(before):  # the longest first
            entity = self._resolve(question[mention.start : hit.start], cls)
            if entity is not None:
                text = question[mention.start : hit.end]
                taken.update(range(mention.start, hit.end))
                return [Mention(mention.start, hit.end, text, (Candidate(entity, "alt", text),))]
        return []

    def _name_words(self, question: str, taken: set[int], named: set[int]) -> list[Mention]:
        """English words no name or lexicon word took, three or more of which are words of
        the names of one thing only, all but one of them (the share of surface water at or
        better than class II: Surface water at or better than class II …)."""
        assert self.model is not None
        known = self.model.lexicon.latin_words() | STOPWORDS_EN
        free = [
            u
            for u in units(question)
            if u.is_latin and u.start not in taken and not u.text.isdigit()
        ]
        words = [u for u in free if u.text not in known and u.text in self.index.vocabulary]
        if len(words) < 3:
            return []
        wanted = {u.text for u in words}
        asked = {w.term for w in self.model.lexicon.words if w.role == "class"}
        scores: dict[str, int] = {}
        for form in self.index.forms:
            entity = self.index.entities[form.entity]
            if form.rank == "hidden" or not form.text.isascii() or not asked & set(entity.types):
                continue
            shared = len(wanted & {u.text for u in units(form.text)})
            scores[form.entity] = max(scores.get(form.entity, 0), shared)
        best = max(scores.values(), default=0)
        winners = [iri for iri, score in scores.items() if score == best]
        if best < max(3, len(wanted) - 1) or len(winners) != 1:
            return []
        entity = self.index.entities[winners[0]]
        start, end = words[0].start, words[-1].end
        if not named.isdisjoint(range(start, end)):  # around another name: not one name
            return []
        text = question[start:end]
        return [Mention(start, end, text, (Candidate(entity, "fuzzy", text),))]

    def _name_parts(self, question: str, taken: set[int]) -> list[Mention]:
        """Runs of Chinese characters no name or word took, four or more of which are part
        of the name of one thing only, longest first."""
        assert self.model is not None
        asked = {w.term for w in self.model.lexicon.words if w.role == "class"}  # not outputs
        found: list[Mention] = []
        run: list[int] = []
        for position, char in enumerate(question + " "):
            if position not in taken and has_cjk(char) and char not in STOP_CHARS_ZH:
                run.append(position)
                continue
            begin, end = (run[0], run[-1] + 1) if run else (0, 0)
            run = []
            grams = self._name_grams
            # only pieces all of whose four characters in a row occur in some name: a long
            # run of nonsense costs one look-up per character, not one per piece and name
            inside = {i for i in range(begin, end - 3) if question[i : i + 4] in grams}
            for length in range(min(end - begin, self._longest_zh_name), 3, -1):
                hit = next(
                    (
                        (start, entity)
                        for start in sorted(inside)
                        if start + length <= end
                        and all(i in inside for i in range(start, start + length - 3))
                        and (entity := self._resolve(question[start : start + length], asked))
                    ),
                    None,
                )
                if hit is not None:
                    start, entity = hit
                    text = question[start : start + length]
                    found.append(
                        Mention(start, start + length, text, (Candidate(entity, "alt", text),))
                    )
                    break
        return found

    @cached_property
    def _name_grams(self) -> frozenset[str]:
        """Every four characters in a row of the Chinese names of things."""
        keys = [form.key for form in self.index.forms if has_cjk(form.key)]
        return frozenset(k[i : i + 4] for k in keys for i in range(len(k) - 3))

    @cached_property
    def _longest_zh_name(self) -> int:
        return max(self.index.zh_keys_by_length, default=0)

    def _resolve(self, text: str, wanted_classes: str | set[str]) -> Entity | None:
        """The one thing of a class of ``wanted_classes`` one of whose names contains
        ``text`` (蒙山 + 分区 → 中南部蒙山…分区), or None when none or several do."""
        if isinstance(wanted_classes, str):
            wanted_classes = {wanted_classes}
        wanted = key(text)
        if len(wanted) < 2:
            return None
        found = {
            form.entity
            for form in self.index.forms
            if wanted in form.key
            and form.rank != "hidden"
            and wanted_classes & set(self.index.entities[form.entity].types)
        }
        return self.index.entities[found.pop()] if len(found) == 1 else None

    def _closest(self, matches: Sequence[IntentMatch]) -> list[NamedQuery]:
        """The named queries closest to the question (by wording), at most five."""
        closest = [match.query for match in matches[:5]]
        return closest or self.queries[:5]


def _free_run(question_units: Sequence[Unit], before: int, taken: set[int]) -> list[Unit]:
    """The words right before offset ``before`` that no name or lexicon word took, up to a
    stop word (的, the …)."""
    run: list[Unit] = []
    for unit in reversed([u for u in question_units if u.end <= before]):
        if unit.start in taken or len(run) >= 8:
            break
        if unit.is_latin and (unit.text in STOPWORDS_EN or unit.text.isdigit()):
            break
        if not unit.is_latin and (not has_cjk(unit.text) or unit.text in STOP_CHARS_ZH):
            break
        run.insert(0, unit)
    return run


def _binds_all(match: IntentMatch, mentions: Sequence[Mention]) -> bool:
    bound = {id(b.mention) for b in match.bindings if b.mention is not None}
    return all(id(mention) in bound for mention in mentions)


def ask(question: str, dataset: Store, *, use_cache: bool = True) -> Answer:
    """Answer one question on a loaded dataset with the bundled query library."""
    return Asker.create(dataset, use_cache=use_cache).ask(question)
