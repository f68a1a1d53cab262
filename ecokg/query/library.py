"""The library of named queries (queries/NAME.rq) and their typed parameters.

Each .rq file starts with a header of comment lines::

    # title-zh: 某重大工程的子项目
    # title-en: Projects of a programme
    # params: programme (eco:Programme) the programme, by IRI or label
    # params: lang (lang) label language [default: zh]
    # returns: project, its Chinese and English labels
    # ask-zh: 重大工程{programme}有哪些子项目
    # ask-en: which projects belong to {programme}

``ask-zh`` / ``ask-en`` (optional, repeatable) give typical wordings of the question, with
``{param}`` placeholders, for the question-answering engine. ``columns-zh`` / ``columns-en``
(optional, repeatable) title the columns a table shows, ``project=子项目; programme=重大工程``
(a label pair ``projectZh``/``projectEn`` is titled by its stem ``project``); ``units``
(optional) names the column holding each value's unit, ``investment=unit``, so tables print
the value with its unit as the plan writes it (``41800 万元``); ``scope: store`` (optional)
marks a query that compares the plans itself, so it is never run once per plan
(ecokg.query.scoped). A parameter type written as a
vocabulary prefix with a trailing colon, e.g. ``(pt:)``, takes a SKOS concept of that
namespace, named by IRI, CURIE or label (``土壤污染`` → ``pt:soil-pollution``).

Parameter values are bound with pyoxigraph's SEP-0007 ``substitutions`` — never by string
formatting. pyoxigraph only substitutes variables of a SELECT query that the SELECT clause
projects, so a SELECT query lists its parameters among the returned variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.rdf.iris import current_iri
from ecokg.rdf.namespaces import PREFIXES, XSD, compact, expand

if TYPE_CHECKING:
    from ecokg.stores.base import QueryResult, Store, Term

SCALAR_TYPES: tuple[str, ...] = ("iri", "string", "integer", "decimal", "year", "lang")
LANGUAGES: tuple[str, ...] = ("zh", "en")
REQUIRED_HEADER_KEYS: tuple[str, ...] = ("title-zh", "title-en", "params", "returns")

_HEADER_LINE = re.compile(r"^#\s*([a-z-]+)\s*:\s*(.*?)\s*$")
_PARAM_SPEC = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+\((?P<type>[^)\s]+)\)\s*(?P<description>.*?)\s*"
    r"(?:\[default:\s*(?P<default>[^\]]*?)\s*\])?\s*$"
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_CONCEPTS = """
SELECT ?concept ?label WHERE {
  ?concept a skos:Concept .
  OPTIONAL {
    VALUES ?labelProperty { rdfs:label skos:prefLabel skos:altLabel }
    ?concept ?labelProperty ?label .
  }
}
"""
_INSTANCES_OF_CLASS = """
SELECT ?class ?instance ?label WHERE {
  ?instance a/rdfs:subClassOf* ?class .
  OPTIONAL {
    VALUES ?labelProperty { rdfs:label skos:prefLabel skos:altLabel }
    ?instance ?labelProperty ?label .
  }
}
"""


@dataclass(frozen=True)
class QueryParam:
    """A declared parameter: its name (the ?variable), type, description and default."""

    name: str
    type: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def class_iri(self) -> str | None:
        """The class for an instance-typed parameter (e.g. eco:Township), else None."""
        if self.type in SCALAR_TYPES or self.concept_namespace is not None:
            return None
        return expand(self.type)

    @property
    def concept_namespace(self) -> str | None:
        """The namespace of a SKOS-concept parameter (type ``pt:``), else None."""
        if not self.type.endswith(":") or self.type.count(":") != 1:
            return None
        return expand(self.type)

    def signature(self) -> str:
        text = f"{self.name} ({self.type})"
        return text if self.required else f"{text} [default: {self.default}]"


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library with its parsed header."""

    name: str
    path: Path
    title_zh: str
    title_en: str
    params: tuple[QueryParam, ...]
    returns: str
    text: str
    ask_zh: tuple[str, ...] = ()
    ask_en: tuple[str, ...] = ()
    columns_zh: tuple[tuple[str, str], ...] = ()
    columns_en: tuple[tuple[str, str], ...] = ()
    units: tuple[tuple[str, str], ...] = ()
    across_plans: bool = False  # '# scope: store': it spans the plans itself

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    def column_title(self, column: str, lang: str = "zh") -> str | None:
        """The header's title of ``column`` (or of its stem, for ``projectZh``) in ``lang``."""
        titles = dict(self.columns_en if lang == "en" else self.columns_zh)
        stem = column[:-2] if column.endswith(("Zh", "En")) else column
        return titles.get(column) or titles.get(stem)

    def unit_column(self, column: str) -> str | None:
        """The column holding the unit of the values of ``column``, if the header names one."""
        return dict(self.units).get(column)

    def param(self, name: str) -> QueryParam | None:
        return next((param for param in self.params if param.name == name), None)

    def body_variables(self) -> set[str]:
        """Names of the ?variables used outside the comment lines."""
        return set(_VARIABLE.findall(strip_comment_lines(self.text)))


def strip_comment_lines(text: str) -> str:
    """The query without its whole-line comments (inline '#' may be part of an IRI)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def parse_named_query(path: Path) -> NamedQuery:
    """Read a .rq file and parse its header; a malformed header is an InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
    header: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match:
            header.setdefault(match.group(1), []).append(match.group(2))
        elif line.strip("# "):
            raise InputError(f"{path}:{number}: header line is not '# key: value'")
    missing = [key for key in REQUIRED_HEADER_KEYS if key not in header]
    if missing:
        raise InputError(f"{path}: header lacks {', '.join(f'# {key}:' for key in missing)}")
    params = tuple(
        _parse_param(path, spec) for spec in header["params"] if spec.strip().lower() != "none"
    )
    return NamedQuery(
        name=path.stem,
        path=path,
        title_zh=header["title-zh"][0],
        title_en=header["title-en"][0],
        params=params,
        returns=" ".join(header["returns"]),
        text=text,
        ask_zh=tuple(line for line in header.get("ask-zh", []) if line),
        ask_en=tuple(line for line in header.get("ask-en", []) if line),
        columns_zh=_pairs(path, "columns-zh", header),
        columns_en=_pairs(path, "columns-en", header),
        units=_pairs(path, "units", header),
        across_plans=header.get("scope", ["plan"])[0] == "store",
    )


def _pairs(path: Path, key: str, header: Mapping[str, list[str]]) -> tuple[tuple[str, str], ...]:
    """``# key: name=text; name=text`` lines as (name, text) pairs."""
    pairs = []
    for line in header.get(key, []):
        for item in filter(None, (part.strip() for part in line.split(";"))):
            name, equals, text = (part.strip() for part in item.partition("="))
            if not equals or not _VARIABLE.fullmatch("?" + name) or not text:
                raise InputError(f"{path}: cannot parse '# {key}: {item}' (want: NAME=TEXT; ...)")
            pairs.append((name, text))
    return tuple(pairs)


def _parse_param(path: Path, spec: str) -> QueryParam:
    match = _PARAM_SPEC.match(spec)
    if not match:
        raise InputError(f"{path}: cannot parse '# params: {spec}' (want: NAME (TYPE) description)")
    param = QueryParam(
        name=match.group("name"),
        type=match.group("type"),
        description=match.group("description"),
        default=match.group("default"),
    )
    if param.type not in SCALAR_TYPES and param.class_iri is None and not param.concept_namespace:
        raise InputError(
            f"{path}: parameter {param.name} has unknown type {param.type!r} "
            f"(use {', '.join(SCALAR_TYPES)}, a class CURIE such as eco:Township "
            "or a vocabulary prefix such as pt:)"
        )
    return param


def list_named_queries(directory: Path | None = None) -> list[NamedQuery]:
    """All named queries, sorted by name."""
    directory = directory or resources.query_dir()
    return [parse_named_query(path) for path in sorted(directory.glob("*.rq"))]


def get_named_query(name: str, directory: Path | None = None) -> NamedQuery:
    """The query ``name``; an unknown name is a UsageError suggesting close names."""
    directory = directory or resources.query_dir()
    path = directory / f"{name}.rq"
    if "/" not in name and path.is_file():
        return parse_named_query(path)
    known = sorted(path.stem for path in directory.glob("*.rq"))
    raise UsageError(
        f"unknown query {name!r}{_did_you_mean(name, known)} (see: ecokg query --list)"
    )


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """Turn ``["key=value", ...]`` into a dict; a malformed item is a UsageError."""
    values: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {item!r}: expected key=value")
        if key.strip() in values:
            raise UsageError(f"--param {key.strip()}: given twice")
        values[key.strip()] = value
    return values


def bind_parameters(
    dataset: Store, query: NamedQuery, values: Mapping[str, str]
) -> dict[str, Term]:
    """Check and convert raw parameter values into RDF terms to substitute."""
    unknown = sorted(set(values) - {param.name for param in query.params})
    if unknown:
        declared = ", ".join(param.name for param in query.params) or "none"
        raise UsageError(
            f"query {query.name}: unknown parameter {unknown[0]!r} (parameters: {declared})"
        )
    bindings: dict[str, Term] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise UsageError(
                f"query {query.name}: missing parameter {param.name} ({param.type}): "
                f"add --param {param.name}=VALUE"
            )
        bindings[param.name] = convert_value(dataset, param, raw)
    return bindings


def run_named_query(dataset: Store, query: NamedQuery, values: Mapping[str, str]) -> QueryResult:
    """Bind the parameters and run the query on the dataset."""
    bindings = bind_parameters(dataset, query, values)
    return dataset.query(query.text, bindings, source=str(query.path))


def convert_value(dataset: Store, param: QueryParam, raw: str) -> Term:
    """One raw value → RDF term for its declared type (UsageError when it does not fit)."""
    value = raw.strip()

    def wrong(expected: str) -> UsageError:
        return UsageError(f"parameter {param.name}={raw!r}: expected {expected}")

    if not raw.isascii() and not _is_utf8(raw):
        raise wrong("UTF-8 text (the value holds bytes that are not UTF-8)")

    if param.type == "string":
        return ox.Literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise wrong("an integer")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise wrong("a decimal number") from None
        if not number.is_finite():
            raise wrong("a finite decimal number")
        return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "decimal"))
    if param.type == "year":
        if not re.fullmatch(r"[0-9]{4}", value):  # \d would take any script's digits
            raise wrong("a four-digit year")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
    if param.type == "lang":
        if value not in LANGUAGES:
            raise wrong(" or ".join(LANGUAGES))
        return ox.Literal(value)
    if param.type == "iri":
        iri = parse_iri(value)
        if iri is None:
            raise wrong("an IRI: <https://...>, https://... or a CURIE such as eco:Project")
        return iri
    if param.concept_namespace is not None:
        return resolve_concept(dataset, param.concept_namespace, value, param_name=param.name)
    class_iri = param.class_iri
    assert class_iri is not None  # _parse_param rejected every other type
    return resolve_instance(dataset, class_iri, value, param_name=param.name)


def _is_utf8(text: str) -> bool:
    """False for text holding lone surrogates: bytes that were not UTF-8 on the command line."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_iri(value: str) -> ox.NamedNode | None:
    """``<iri>``, a full http(s) IRI or a CURIE with a known prefix; None otherwise. A
    release 0.1 IRI of the bundled plan (``…/id/township/sixi``) names the thing it named
    then (``…/id/360923/township/sixi``): 0.2 accepts the 0.1 IRIs (ecokg.rdf.iris)."""
    if value.startswith("<") and value.endswith(">"):
        candidate: str | None = value[1:-1]
    elif re.match(r"^https?://", value):
        candidate = value
    else:
        candidate = expand(value)
    if not candidate:
        return None
    try:
        return ox.NamedNode(current_iri(candidate))
    except ValueError:
        return None


def normalize_label(label: str) -> str:
    """Labels compare without regard to case (latin) and runs of whitespace."""
    return " ".join(label.split()).casefold()


def instance_labels(dataset: Store, class_iri: str) -> dict[str, list[str]]:
    """Instances of a class (subclasses included) with their labels in any language."""
    result = dataset.query(_INSTANCES_OF_CLASS, {"class": ox.NamedNode(class_iri)})
    return _labels_by_iri(result, "instance", "")


def resolve_instance(
    dataset: Store, class_iri: str, value: str, *, param_name: str = "value"
) -> ox.NamedNode:
    """An instance of ``class_iri`` named by IRI, CURIE, label or IRI slug."""
    return _resolve(
        instance_labels(dataset, class_iri),
        value,
        param_name,
        kind=compact(class_iri),
        local_name=lambda iri: iri.rsplit("/", 1)[-1],
    )


def concept_labels(dataset: Store, namespace: str) -> dict[str, list[str]]:
    """SKOS concepts whose IRI is in ``namespace``, with their labels in any language."""
    return _labels_by_iri(dataset.query(_CONCEPTS), "concept", namespace)


def _labels_by_iri(result: object, variable: str, namespace: str) -> dict[str, list[str]]:
    """IRIs bound to ``variable`` (those in ``namespace``) with their ``?label`` values."""
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, list[str]] = {}
    for solution in result:
        iri, label = solution[variable], solution["label"]
        if not isinstance(iri, ox.NamedNode) or not iri.value.startswith(namespace):
            continue
        labels = found.setdefault(iri.value, [])
        if isinstance(label, ox.Literal) and label.value not in labels:
            labels.append(label.value)
    return found


def resolve_concept(
    dataset: Store, namespace: str, value: str, *, param_name: str = "value"
) -> ox.NamedNode:
    """A SKOS concept of ``namespace`` named by IRI, CURIE, label, altLabel or local name."""
    return _resolve(
        concept_labels(dataset, namespace),
        value,
        param_name,
        kind=f"{compact(namespace)} concept",
        local_name=lambda iri: iri[len(namespace) :],
    )


def _resolve(
    labelled: dict[str, list[str]],
    value: str,
    param_name: str,
    *,
    kind: str,
    local_name: Callable[[str], str],
) -> ox.NamedNode:
    """The one IRI among ``labelled`` (IRI → labels) that ``value`` names, or a UsageError
    saying what is ambiguous or suggesting the nearest names."""
    iri = parse_iri(value)
    if iri is not None and iri.value in labelled:
        return iri
    wanted = normalize_label(value)
    matches = sorted(
        candidate
        for candidate, labels in labelled.items()
        if wanted in {normalize_label(label) for label in labels}
        or local_name(candidate) == value.strip()
    )
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    if len(matches) > 1:
        listed = ", ".join(compact(match) for match in matches)
        raise UsageError(f"parameter {param_name}={value!r} is ambiguous: {listed}")
    if not labelled:
        raise UsageError(f"parameter {param_name}={value!r}: the dataset has no {kind}")
    choices = [label for labels in labelled.values() for label in labels]
    choices += [compact(candidate) for candidate in labelled]
    raise UsageError(
        f"parameter {param_name}={value!r}: no {kind} has this IRI or label"
        + _did_you_mean(value, choices)
    )


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    if not choices:
        return ""
    from rapidfuzz import fuzz, process  # only needed on this error path

    best = process.extract(value, list(dict.fromkeys(choices)), scorer=fuzz.WRatio, limit=3)
    names = [choice for choice, score, _ in best if score >= 50]
    return f"; did you mean {' or '.join(repr(name) for name in names)}?" if names else ""


def free_variables(sparql: str) -> set[str]:
    """Variables a query uses but never binds itself (in FILTER, BIND or the projection).

    Such a variable only gets a value by substitution, so in a named query it must be a
    declared parameter. Uses rdflib's SPARQL algebra (imported lazily: a test-time check).
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    query = prepareQuery(sparql, initNs=PREFIXES)
    used: set[str] = set()
    bound: set[str] = set()

    def walk(node: object, binding: bool = False) -> None:
        if isinstance(node, Variable):
            (bound if binding else used).add(str(node))
        elif isinstance(node, Mapping):
            name = getattr(node, "name", "")
            for key, child in node.items():
                is_binding = (
                    (name == "BGP" and key == "triples")
                    # triple patterns inside FILTER (NOT) EXISTS bind their variables too
                    or (name == "TriplesBlock" and key == "triples")
                    or (name == "Extend" and key == "var")
                    or (name in ("values", "ToMultiSet") and key in ("var", "res"))
                    or (name == "Graph" and key == "term")
                    # GRAPH ?g { … } inside FILTER (NOT) EXISTS (kept as syntax, not algebra)
                    or (name == "GraphGraphPattern" and key == "term")
                    or key == "_vars"
                )
                if key != "_vars":
                    walk(child, binding or is_binding)
        elif isinstance(node, list | tuple | set):
            for child in node:
                walk(child, binding)

    walk(query.algebra)
    return {name for name in used - bound if not name.startswith("_")}
