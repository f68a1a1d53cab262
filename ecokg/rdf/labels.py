"""The one rule for a thing's human label, whatever holds the triples.

A label is an ``rdfs:label`` or ``skos:prefLabel`` literal. The best one for a language is the
first that matches, in this order: ``rdfs:label`` in the language, ``skos:prefLabel`` in the
language, then (unless ``exact``) ``rdfs:label`` in any language, ``skos:prefLabel`` in any.
Stores, the audit (rdflib), the site and the catalogue all call :func:`best_label`.

>>> best_label([(SKOS_PREF_LABEL, "泗溪镇", "zh"), (RDFS_LABEL, "Sixi", "en")], "zh")
'泗溪镇'
>>> best_label([(RDFS_LABEL, "Sixi", "en")], "zh")
'Sixi'
>>> best_label([(RDFS_LABEL, "Sixi", "en")], "zh", exact=True) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable

from ecokg.rdf.namespaces import RDFS, SKOS

RDFS_LABEL = RDFS + "label"
SKOS_PREF_LABEL = SKOS + "prefLabel"
# In order of preference.
LABEL_PREDICATES: tuple[str, ...] = (RDFS_LABEL, SKOS_PREF_LABEL)

# (predicate IRI, text, language tag or None)
LabelCandidate = tuple[str, str, "str | None"]


def best_label(
    candidates: Iterable[LabelCandidate], lang: str, *, exact: bool = False
) -> str | None:
    """The preferred label among ``candidates`` for ``lang`` (see the module doc)."""
    best: tuple[tuple[int, int], str] | None = None
    for predicate, text, language in candidates:
        if predicate not in LABEL_PREDICATES:
            continue
        language_rank = 0 if language == lang else 1
        if exact and language_rank:
            continue
        rank = (language_rank, LABEL_PREDICATES.index(predicate))
        if best is None or rank < best[0]:
            best = (rank, text)
    return None if best is None else best[1]


def labels_by_language(candidates: Iterable[LabelCandidate]) -> dict[str, str]:
    """The preferred label in each language that has one."""
    listed = list(candidates)
    languages = {language for _, _, language in listed if language}
    found = {lang: best_label(listed, lang, exact=True) for lang in sorted(languages)}
    return {lang: text for lang, text in found.items() if text is not None}
