"""The named-query library: every queries/*.rq has a sound header; parameters bind safely."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ecokg import resources
from ecokg.errors import InputError, UsageError
from ecokg.query import library as querylib
from ecokg.query.library import NamedQuery, QueryParam
from ecokg.stores.base import QueryResult
from ecokg.stores.local import Dataset

QUERY_FILES = resources.query_files()
FOUNDATION_QUERIES = sorted(
    (Path(__file__).parent / "fixtures" / "foundation" / "queries").glob("*.rq")
)
XSD = "http://www.w3.org/2001/XMLSchema#"


def solutions(result: QueryResult) -> list[ox.QuerySolution]:
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def test_the_library_has_queries() -> None:
    assert len(QUERY_FILES) >= 2


@pytest.mark.parametrize("path", QUERY_FILES + FOUNDATION_QUERIES, ids=lambda path: path.stem)
def test_header_parses_and_parameters_match_the_body(path: Path) -> None:
    query = querylib.parse_named_query(path)
    assert query.title_zh and query.title_en and query.returns
    body = query.body_variables()
    for param in query.params:
        assert param.name in body, f"{path.name}: parameter {param.name} unused in the body"
    free = querylib.free_variables(query.text)
    declared = {param.name for param in query.params}
    assert free <= declared, f"{path.name}: undeclared parameter-like variables {free - declared}"


@pytest.mark.parametrize("path", QUERY_FILES + FOUNDATION_QUERIES, ids=lambda path: path.stem)
def test_parameters_can_be_substituted(path: Path) -> None:
    """pyoxigraph substitutes only projected SELECT variables: every parameter must bind."""
    query = querylib.parse_named_query(path)
    bindings = {param.name: ox.Literal("x") for param in query.params}
    Dataset().query(query.text, bindings, source=str(path))  # raises UsageError if not


def write_query(tmp_path: Path, header: str, body: str = "SELECT ?x WHERE { ?x ?p ?o }") -> Path:
    path = tmp_path / "q.rq"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_header_with_defaults_and_no_params(tmp_path: Path) -> None:
    path = write_query(
        tmp_path,
        "# title-zh: 甲\n# title-en: A\n# params: lang (lang) label language [default: zh]\n"
        "# params: year (year) the year\n# returns: x\n",
    )
    query = querylib.parse_named_query(path)
    assert query.params == (
        QueryParam("lang", "lang", "label language", "zh"),
        QueryParam("year", "year", "the year", None),
    )
    assert [param.required for param in query.params] == [False, True]
    assert query.title("en") == "A" and query.title("zh") == "甲"
    none = write_query(tmp_path, "# title-zh: 甲\n# title-en: A\n# params: none\n# returns: x\n")
    assert querylib.parse_named_query(none).params == ()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# title-zh: 甲\n# params: none\n# returns: x\n", "title-en"),
        ("# title-zh: 甲\n# title-en: A\n# returns: x\n", "params"),
        ("# title-zh: 甲\n# title-en: A\n# params: x\n# returns: x\n", "cannot parse"),
        ("# title-zh: 甲\n# title-en: A\n# params: x (float) y\n# returns: x\n", "unknown type"),
        ("# title-zh: 甲\n# title-en: A\n# params: x (zz:Thing) y\n# returns: x\n", "unknown type"),
    ],
)
def test_malformed_headers(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        querylib.parse_named_query(write_query(tmp_path, header))


def test_free_variables_are_those_never_bound() -> None:
    assert querylib.free_variables("SELECT ?x WHERE { ?x ?p ?o FILTER(?o > ?min) }") == {"min"}
    assert querylib.free_variables("SELECT ?x ?y WHERE { ?x ?p ?o }") == {"y"}
    assert (
        querylib.free_variables(
            "SELECT ?x (COUNT(?o) AS ?n) WHERE { GRAPH ?g { ?x ?p ?o } BIND(1 AS ?b) } GROUP BY ?x"
        )
        == set()
    )


def param(type_: str, name: str = "p") -> QueryParam:
    return QueryParam(name, type_, "")


@pytest.mark.parametrize(
    ("type_", "raw", "expected"),
    [
        ("integer", " 42 ", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
        ("decimal", "1078.5", ox.Literal("1078.5", datatype=ox.NamedNode(XSD + "decimal"))),
        ("year", "2035", ox.Literal("2035", datatype=ox.NamedNode(XSD + "gYear"))),
        ("lang", "en", ox.Literal("en")),
        ("string", "锦江", ox.Literal("锦江")),
        ("iri", "eco:Project", ox.NamedNode("https://w3id.org/ecokg/def#Project")),
        ("iri", "<urn:x:1>", ox.NamedNode("urn:x:1")),
        ("iri", "https://example.org/a", ox.NamedNode("https://example.org/a")),
    ],
)
def test_scalar_values_convert(type_: str, raw: str, expected: object) -> None:
    assert querylib.convert_value(Dataset(), param(type_), raw) == expected


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("integer", "abc"),
        ("integer", "1.5"),
        ("decimal", "NaN"),
        ("decimal", "ten"),
        ("year", "35"),
        ("lang", "fr"),
        ("iri", "zz:unknown"),
        ("iri", "<bad iri>"),
    ],
)
def test_wrong_kind_of_value(type_: str, raw: str) -> None:
    with pytest.raises(UsageError, match="expected"):
        querylib.convert_value(Dataset(), param(type_), raw)


def test_parse_assignments() -> None:
    assert querylib.parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError, match="key=value"):
        querylib.parse_assignments(["a"])
    with pytest.raises(UsageError, match="twice"):
        querylib.parse_assignments(["a=1", "a=2"])


def test_resolve_instance_by_label_iri_and_slug(mini_dataset: Dataset) -> None:
    township = "https://w3id.org/ecokg/def#Township"
    sixi = ox.NamedNode("https://w3id.org/ecokg/id/360923/township/sixi")
    for value in ("泗溪镇", "泗溪", " SIXI   town ", "tw:sixi", f"<{sixi.value}>", "sixi"):
        assert querylib.resolve_instance(mini_dataset, township, value) == sixi
    with pytest.raises(UsageError, match="did you mean '塔下乡'"):
        querylib.resolve_instance(mini_dataset, township, "塔夏乡")
    with pytest.raises(UsageError, match="no eco:Township"):
        # an IRI of the wrong class is not accepted
        querylib.resolve_instance(mini_dataset, township, "id:programme/water-ecology")


def test_resolve_instance_of_an_empty_class(mini_dataset: Dataset) -> None:
    with pytest.raises(UsageError, match="has no eco:Village"):
        querylib.resolve_instance(mini_dataset, "https://w3id.org/ecokg/def#Village", "x")


def test_values_are_bound_not_spliced(mini_dataset: Dataset) -> None:
    """A value that would break out of a string literal stays a plain value."""
    query = NamedQuery(
        name="t", path=Path("t.rq"), title_zh="", title_en="", returns="",
        params=(QueryParam("needle", "string", ""),),
        text='SELECT ?needle ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(STR(?l), ?needle)) }',
    )  # fmt: skip
    rows = solutions(querylib.run_named_query(mini_dataset, query, {"needle": '") || true || ("'}))
    assert rows == []
    rows = solutions(querylib.run_named_query(mini_dataset, query, {"needle": "泗溪"}))
    assert {row["s"].value.rsplit("/", 1)[-1] for row in rows} == {"sixi"}


def test_unknown_query_name() -> None:
    with pytest.raises(UsageError, match="unknown query"):
        querylib.get_named_query("../pyproject")


def test_named_queries_on_the_bundled_plan(dataset: Dataset) -> None:
    """Each township-typed query returns the same projects as a direct lookup."""
    query = querylib.get_named_query("projects-in-township")
    townships = querylib.instance_labels(dataset, "https://w3id.org/ecokg/def#Township")
    assert townships
    iri = sorted(townships)[0]
    rows = solutions(querylib.run_named_query(dataset, query, {"township": iri}))
    direct = dataset.query(
        "SELECT DISTINCT ?t ?p WHERE { ?p a eco:Project ; eco:implementedIn ?t }",
        {"t": ox.NamedNode(iri)},
    )
    assert {row["project"] for row in rows} == {row["p"] for row in solutions(direct)}


def test_ask_wordings_and_concept_parameters_parse(tmp_path: Path) -> None:
    path = write_query(
        tmp_path,
        "# title-zh: 甲\n# title-en: A\n# params: problemType (pt:) the problem type\n"
        "# returns: x\n# ask-zh: 哪些项目治理{problemType}\n# ask-zh: {problemType}的项目\n"
        "# ask-en: which projects address {problemType}\n",
        "SELECT ?problemType ?x WHERE { ?x eco:problemType ?problemType }",
    )
    query = querylib.parse_named_query(path)
    assert query.ask_zh == ("哪些项目治理{problemType}", "{problemType}的项目")
    assert query.ask_en == ("which projects address {problemType}",)
    (param_,) = query.params
    assert param_.concept_namespace == "https://w3id.org/ecokg/def/problem-type#"
    assert param_.class_iri is None
    plain = write_query(tmp_path, "# title-zh: 甲\n# title-en: A\n# params: none\n# returns: x\n")
    assert querylib.parse_named_query(plain).ask_zh == ()


@pytest.mark.parametrize(
    "value", ["土壤污染", "soil pollution", "受污染耕地", "pt:soil-pollution", "soil-pollution"]
)
def test_concept_parameter_resolves_labels(mini_dataset: Dataset, value: str) -> None:
    concept = querylib.convert_value(mini_dataset, param("pt:"), value)
    assert concept == ox.NamedNode("https://w3id.org/ecokg/def/problem-type#soil-pollution")


def test_unknown_concept_suggests_labels(mini_dataset: Dataset) -> None:
    with pytest.raises(UsageError, match=r"no pt: concept.*did you mean .*'土壤污染'"):
        querylib.convert_value(mini_dataset, param("pt:"), "土壤污柒")
