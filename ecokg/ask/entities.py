"""The entity index: every nameable thing of the dataset with the names a question may use.

Names come from ``rdfs:label``/``skos:prefLabel`` (rank ``label``), ``skos:altLabel``
(``alt``), short forms of township names without their 镇/乡/街道/林场/园区 suffix
(``short``), the pinyin of the Chinese names of places (``pinyin``) and
``skos:hiddenLabel`` (``hidden``, used only when nothing else matches). Building the index
needs pypinyin, which is slow to import, so the index is cached (see ``ecokg.ask.cache``)
and the hot path only reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ecokg.ask.text import has_cjk, key, latin_words
from ecokg.rdf.namespaces import ECO, ECO_NS, PREFIXES, RDFS, SKOS

if TYPE_CHECKING:
    from ecokg.stores.base import Store

# How a name was found, best first (the order is the rank used to prefer candidates).
RANKS: tuple[str, ...] = ("label", "alt", "short", "pinyin", "hidden", "fuzzy")
RANK = {name: index for index, name in enumerate(RANKS)}

TOWNSHIP_SUFFIXES_ZH: tuple[str, ...] = ("街道", "林场", "园区", "镇", "乡")
TOWNSHIP_SUFFIXES_EN: tuple[tuple[str, ...], ...] = (
    ("subdistrict",),
    ("forest", "farm"),
    ("township",),
    ("town",),
)

# Kinds of entity by class, most specific first; SKOS concepts take their scheme's name.
KIND_BY_CLASS: tuple[tuple[str, str], ...] = (
    (ECO.Township, "township"),
    (ECO.Village, "village"),
    (ECO.County, "county"),
    (ECO.RestorationZone, "zone"),
    (ECO.Project, "project"),
    (ECO.Programme, "programme"),
    (ECO.KeyTask, "task"),
    (ECO.Agency, "agency"),
    (ECO.Indicator, "indicator"),
    (ECO.River, "river"),
    (ECO.Reservoir, "reservoir"),
    (ECO.EcologicalProblem, "problem"),
    (ECO.ProtectedArea, "protected-area"),
    (ECO.Work, "work"),
)
KIND_BY_SCHEME: dict[str, str] = {
    "pt": "problem-type",
    "ecosys": "ecosystem-category",
    "measure": "measure-type",
    "metric": "metric",
    "cat": "category",
    "nature": "nature",
    "qd": "quality-dimension",
    "tk": "township-kind",
    "scope": "area-scope",
    "cmp": "comparator",
}
SKOS_CONCEPT = SKOS + "Concept"
# Things with labels that are not answers to "which X" and would only add noise.
EXCLUDED_CLASSES = frozenset(
    {
        ECO.Figure,
        ECO.PlanSection,
        ECO.Statement,
        ECO.Plan,
        ECO.Breakdown,
        "http://www.w3.org/2006/time#ProperInterval",
    }
)
# Proper names of places get pinyin forms ("sixizhen"); generic names do not.
PINYIN_CLASSES = frozenset(
    {
        ECO.AdministrativeUnit,
        ECO.WaterBody,
        ECO.ProtectedArea,
        ECO.RestorationZone,
    }
)

# Only what the index can use is read (on a server, only that is downloaded): things with a
# class of the ontology or a SKOS concept, less the EXCLUDED_CLASSES' members (statements,
# figures, sections …, most of a plan's nodes); ``_indexable`` then decides as before.
# (MINUS, not FILTER NOT EXISTS: pyoxigraph evaluates the latter's path once per row.)
_EXCLUDED_VALUES = " ".join(f"<{iri}>" for iri in sorted(EXCLUDED_CLASSES))
_CANDIDATES = (
    "{ SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* ?class . FILTER(isIRI(?s) && "
    f'(STRSTARTS(STR(?class), "{ECO_NS}") || ?class = skos:Concept)) }} }}\n'
    f"MINUS {{ ?s a/rdfs:subClassOf* ?excluded . VALUES ?excluded {{ {_EXCLUDED_VALUES} }} }}\n"
)
_TYPES = (
    "SELECT DISTINCT ?s ?type WHERE {\n"
    + _CANDIDATES
    + "?s a/rdfs:subClassOf* ?type . FILTER(isIRI(?type)) }"
)
_LABELS = (
    "SELECT ?s ?p ?l WHERE {\n"
    + _CANDIDATES
    + "VALUES ?p { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel }\n"
    + "?s ?p ?l . FILTER(isLiteral(?l)) }"
)
_PREDICATE_RANK = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    SKOS + "altLabel": "alt",
    SKOS + "hiddenLabel": "hidden",
}


@dataclass(frozen=True)
class Entity:
    """A nameable thing: its IRI, kind, classes (with superclasses) and display labels."""

    iri: str
    kind: str
    types: tuple[str, ...]
    label_zh: str | None = None
    label_en: str | None = None

    def label(self, lang: str) -> str:
        first, second = (self.label_en, self.label_zh) if lang == "en" else (self.label_zh, None)
        return first or second or self.label_zh or self.label_en or self.iri

    def to_json(self) -> list[Any]:
        return [self.iri, self.kind, list(self.types), self.label_zh, self.label_en]

    @classmethod
    def from_json(cls, data: list[Any]) -> Entity:
        iri, kind, types, label_zh, label_en = data
        return cls(iri, kind, tuple(types), label_zh, label_en)


@dataclass(frozen=True)
class Form:
    """One name of an entity: the surface text, its matching key and how it was found."""

    entity: str
    text: str
    key: str
    rank: str


@dataclass
class EntityIndex:
    """Entities and their names, with a lookup from matching key to names."""

    entities: dict[str, Entity]
    forms: list[Form]
    vocabulary: frozenset[str] = frozenset()
    by_key: dict[str, list[Form]] = field(init=False, repr=False)
    zh_keys_by_length: dict[int, list[str]] = field(init=False, repr=False)
    latin_keys: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key = {}
        for form in self.forms:
            self.by_key.setdefault(form.key, []).append(form)
        self.zh_keys_by_length = {}
        self.latin_keys = []
        for name_key in self.by_key:
            if name_key.isascii():
                self.latin_keys.append(name_key)
            elif has_cjk(name_key):
                self.zh_keys_by_length.setdefault(len(name_key), []).append(name_key)

    @property
    def max_key_units(self) -> int:
        """Upper bound on the number of units in any key (a key's length in characters)."""
        return max((len(form.key) for form in self.forms), default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": [entity.to_json() for entity in self.entities.values()],
            "forms": [[form.entity, form.text, form.key, form.rank] for form in self.forms],
            "vocabulary": sorted(self.vocabulary),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EntityIndex:
        entities = [Entity.from_json(item) for item in data["entities"]]
        forms = [Form(*item) for item in data["forms"]]
        vocabulary = frozenset(data["vocabulary"])
        return cls({entity.iri: entity for entity in entities}, forms, vocabulary)


def entity_kind(iri: str, types: Iterable[str]) -> str:
    """A short readable kind: township, project, problem-type …"""
    type_set = set(types)
    for class_iri, kind in KIND_BY_CLASS:
        if class_iri in type_set:
            return kind
    if SKOS_CONCEPT in type_set:
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and prefix in KIND_BY_SCHEME:
                return KIND_BY_SCHEME[prefix]
        return "concept"
    eco_types = sorted(t[len(ECO_NS) :] for t in type_set if t.startswith(ECO_NS))
    return eco_types[0].lower() if eco_types else "thing"


def _indexable(iri: str, types: set[str], concept_namespaces: Iterable[str]) -> bool:
    if types & EXCLUDED_CLASSES:
        return False
    if SKOS_CONCEPT in types:
        return any(iri.startswith(namespace) for namespace in concept_namespaces)
    return any(t.startswith(ECO_NS) for t in types)


def build_index(dataset: Store, concept_namespaces: Iterable[str] = ()) -> EntityIndex:
    """Read entities and names from the dataset and derive short forms and pinyin.

    SKOS concepts are indexed only from ``concept_namespaces`` (the vocabularies that
    parameters of the query library take): the other lists name common words (面积,
    investment, town …) that would only get in the way of reading a question.
    """
    namespaces = tuple(concept_namespaces)
    types: dict[str, set[str]] = {}
    for solution in _select(dataset, _TYPES):
        subject, type_term = solution["s"], solution["type"]
        types.setdefault(subject.value, set()).add(type_term.value)
    types = {iri: found for iri, found in types.items() if _indexable(iri, found, namespaces)}
    labels: dict[str, list[tuple[str, str, str | None]]] = {}
    for solution in _select(dataset, _LABELS):
        subject, predicate, literal = solution["s"], solution["p"], solution["l"]
        if subject.value in types and isinstance(literal, ox.Literal):
            labels.setdefault(subject.value, []).append(
                (_PREDICATE_RANK[predicate.value], literal.value, literal.language)
            )
    entities: dict[str, Entity] = {}
    forms: list[Form] = []
    for iri in sorted(labels):
        names = sorted(labels[iri], key=lambda item: (RANK[item[0]], item[1]))
        entity = Entity(
            iri=iri,
            kind=entity_kind(iri, types[iri]),
            types=tuple(sorted(types[iri])),
            label_zh=_display_label(names, "zh"),
            label_en=_display_label(names, "en"),
        )
        entities[iri] = entity
        forms.extend(_forms(entity, names))
    # Every latin word of every name: words a question may use that are not unknown names.
    vocabulary = frozenset(word for form in forms for word in latin_words(form.text))
    return EntityIndex(entities, _dedupe(forms), vocabulary)


def _select(dataset: Store, sparql: str) -> ox.QuerySolutions:
    result = dataset.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _display_label(names: list[tuple[str, str, str | None]], lang: str) -> str | None:
    for rank, text, language in names:
        if rank == "label" and language == lang:
            return text
    for rank, text, language in names:
        if rank == "alt" and language == lang:
            return text
    return None


def _forms(entity: Entity, names: list[tuple[str, str, str | None]]) -> list[Form]:
    forms: list[Form] = []
    is_township = ECO.Township in entity.types
    wants_pinyin = bool(PINYIN_CLASSES & set(entity.types))

    # A variant the data marks as misleading (hiddenLabel) stays hidden however derived.
    hidden_keys = {key(text) for rank, text, _language in names if rank == "hidden"}

    def add(text: str, rank: str, name_key: str | None = None) -> None:
        name_key = key(text) if name_key is None else name_key
        if name_key in hidden_keys:
            rank = "hidden"
        if len(name_key) >= 2:
            forms.append(Form(entity.iri, text, name_key, rank))

    for rank, text, _language in names:
        add(text, rank)
        hidden = rank == "hidden"
        if is_township and rank == "label":
            short = _short_form(text)
            if short:
                add(short, "hidden" if hidden else "short")
        if wants_pinyin and has_cjk(text):
            for variant in filter(None, (text, _short_form(text) if is_township else None)):
                add(variant, "hidden" if hidden else "pinyin", _pinyin_key(variant))
    return forms


def _short_form(text: str) -> str | None:
    """泗溪镇 → 泗溪, Sixi Town → Sixi (a name of at least two characters must remain)."""
    if has_cjk(text):
        for suffix_zh in TOWNSHIP_SUFFIXES_ZH:
            if text.endswith(suffix_zh) and len(text) - len(suffix_zh) >= 2:
                return text[: -len(suffix_zh)]
        return None
    words = text.split()
    folded = tuple(word.casefold() for word in words)
    for suffix in TOWNSHIP_SUFFIXES_EN:
        if len(words) > len(suffix) and folded[-len(suffix) :] == suffix:
            return " ".join(words[: -len(suffix)])
    return None


def _pinyin_key(text: str) -> str:
    from pypinyin import Style, lazy_pinyin  # slow import: index building only

    return key("".join(lazy_pinyin(text, style=Style.NORMAL)))


def _dedupe(forms: list[Form]) -> list[Form]:
    """Keep the best-ranked form per (entity, key)."""
    best: dict[tuple[str, str], Form] = {}
    for form in forms:
        current = best.get((form.entity, form.key))
        if current is None or RANK[form.rank] < RANK[current.rank]:
            best[(form.entity, form.key)] = form
    return sorted(best.values(), key=lambda form: (form.key, RANK[form.rank], form.entity))
