"""Property-based tests (hypothesis): whatever a user feeds in, ecokg answers or says why.

Parsers, the SPARQL entry, the CLI, parameter binding, ``ask`` and output paths get
arbitrary input; the property is always the same contract: a result, or an EcokgError
(one line, exit code 1 or 2) — never another exception, never exit code 70. Example counts
are bounded so that the whole file runs in well under 30 seconds.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ecokg.ask.engine import Asker
from ecokg.atomic import write_atomic
from ecokg.cli import main
from ecokg.errors import EcokgError, InputError, UsageError
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import GRAPH_PLAN
from ecokg.stores.binding import bind_with_values, sparql_term, values_block
from ecokg.stores.local import Dataset

MINI = Path(__file__).parent / "fixtures" / "mini.ttl"


# ECOKG_HYPOTHESIS_SCALE=50 runs fifty times as many examples (a local bug hunt, not CI).
SCALE = float(os.environ.get("ECOKG_HYPOTHESIS_SCALE", "1"))


def bounded(examples: int, seconds: float = 5.0) -> Callable[[Any], Any]:
    """Few examples, a per-example deadline, no example database written to the checkout."""
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=timedelta(seconds=seconds),
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What a command line or standard input can carry: Python keeps bytes that are not UTF-8
# as lone surrogates U+DC80..U+DCFF (e.g. GBK text typed in a UTF-8 locale).
ESCAPED_BYTES = [chr(code) for code in range(0xDC80, 0xDD00)]


def argv_text(max_size: int) -> st.SearchStrategy[str]:
    # a list joined, not st.text: hypothesis would merge the two alphabets into UTF-8 only
    char = st.characters(codec="utf-8") | st.sampled_from(ESCAPED_BYTES)
    return st.lists(char, max_size=max_size).map("".join)


def pieces(*fragments: str, max_size: int = 30) -> st.SearchStrategy[str]:
    """Text assembled from meaningful fragments and arbitrary bits, to get past the lexer."""
    part = st.sampled_from(fragments) | argv_text(4)
    return st.lists(part, max_size=max_size).map("".join)


# --- (a) parsers, the SPARQL entry and the CLI ----------------------------------------------

RDF_SUFFIXES = [".ttl", ".nt", ".nq", ".trig", ".rdf", ".owl", ".xml", ".jsonld", ".json", ".n3"]
RDF_FRAGMENTS = (
    "@prefix ex: <http://example.org/> .\n",
    "@base <http://example.org/> .",
    "<http://example.org/s>",
    "<s>",
    "ex:p",
    " a ",
    '"x"',
    '"""long\n"""',
    "@en",
    "@zh-Hans",
    "^^<http://www.w3.org/2001/XMLSchema#integer>",
    "^^xsd:date",
    "_:b",
    "[",
    "]",
    "(",
    ")",
    " ; ",
    " , ",
    " .\n",
    "{",
    "}",
    "GRAPH",
    "<<",
    ">>",
    "12",
    "-3.5e2",
    "true",
    "\\u00e9",
    "泗溪镇",
    '<?xml version="1.0"?>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="http://example.org/s">',
    "</rdf:Description>",
    "</rdf:RDF>",
    '{"@context": {"ex": "http://example.org/"}, ',
    '"@id": "ex:s", ',
    '"ex:p": [{"@value": "x", "@language": "zh"}]',
    '"@graph": [',
    "}",
    "]",
)
rdf_text = pieces(*RDF_FRAGMENTS)


@bounded(120)
@given(
    content=st.one_of(
        rdf_text.map(lambda text: text.encode("utf-8", "surrogateescape")), st.binary(max_size=200)
    ),
    suffix=st.sampled_from(RDF_SUFFIXES),
)
def test_loading_any_file_gives_triples_or_an_input_error(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"data{suffix}"
        path.write_bytes(content)
        dataset = Dataset()
        try:
            loaded = dataset.load_file(path, GRAPH_PLAN)
        except EcokgError as error:
            assert error.message.startswith(f"{path}") and error.exit_code == 2
            return
        assert loaded.triples == len(dataset)


SPARQL_FRAGMENTS = (
    "SELECT ",
    "ASK ",
    "CONSTRUCT ",
    "DESCRIBE ",
    "WHERE ",
    "* ",
    "?s ",
    "?p ",
    "?o ",
    "$x ",
    "{ ",
    "} ",
    "( ",
    ") ",
    ". ",
    "; ",
    "a ",
    "eco:Project ",
    "unknown:thing ",
    "<http://example.org/x> ",
    '"泗溪"@zh ',
    "12 ",
    "FILTER ",
    "BIND(",
    " AS ",
    "OPTIONAL ",
    "UNION ",
    "MINUS ",
    "NOT EXISTS ",
    "VALUES ?s { <http://example.org/x> } ",
    "GROUP BY ?s ",
    "COUNT(*) ",
    'GROUP_CONCAT(?o; separator=", ") ',
    "ORDER BY ",
    "LIMIT 3 ",
    "OFFSET 1 ",
    "GRAPH ?g ",
    'REGEX(?o, "(") ',
    'STRDT("x", xsd:integer) ',
    "1/0 ",
    "PREFIX ex: <http://example.org/> ",
    "# comment\n",
)
QUERY_FORMS = (
    "SELECT {variables} WHERE {{ {body} }}",
    "SELECT {variables} WHERE {{ {body} }} GROUP BY ?s ORDER BY ?s LIMIT 5",
    "ASK {{ {body} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {body} }}",
    "DESCRIBE {variables} WHERE {{ {body} }}",
)
PATTERNS = (
    "?s ?p ?o .",
    "?s a eco:Project .",
    "?s rdfs:label ?o .",
    "FILTER(?o > 1)",
    'FILTER(REGEX(STR(?o), "("))',
    "OPTIONAL { ?s rdfs:label ?label }",
    "BIND(1/0 AS ?z)",
    "BIND(?o AS ?s)",
    "VALUES ?s { <http://example.org/x> }",
    "{ ?s ?p ?o } UNION { ?o ?p ?s }",
    "MINUS { ?s a eco:Township }",
    "FILTER NOT EXISTS { ?s eco:partOfProgramme ?x }",
    "{ SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 }",
)
# Well-formed more often than not: the errors of evaluation, not only of syntax.
structured_sparql = st.builds(
    lambda form, variables, body: form.format(variables=" ".join(variables), body=" ".join(body)),
    st.sampled_from(QUERY_FORMS),
    st.lists(
        st.sampled_from(["?s", "?p", "?o", "?z", "*", "(COUNT(*) AS ?n)"]), min_size=1, max_size=3
    ),
    st.lists(st.sampled_from(PATTERNS), max_size=2),
)
sparql_text = st.one_of(pieces(*SPARQL_FRAGMENTS), structured_sparql)


@pytest.fixture(scope="module")
def mini_store() -> Dataset:
    """The mini plan alone (no ontology): queries over it are cheap."""
    dataset = Dataset()
    dataset.load_file(MINI, GRAPH_PLAN)
    return dataset


def _consume(result: object) -> None:
    if isinstance(result, ox.QueryBoolean):
        bool(result)
    else:
        assert isinstance(result, ox.QuerySolutions | ox.QueryTriples)
        for _ in result:  # evaluation is lazy: errors may surface while iterating
            pass


@bounded(150)
@given(query=st.one_of(sparql_text, argv_text(200)), pre_bind=st.booleans())
@example(query='ASK { ?s ?p "\udcff" }', pre_bind=False)  # a byte that was not UTF-8
def test_any_query_text_gives_a_result_or_an_ecokg_error(
    mini_store: Dataset, query: str, pre_bind: bool
) -> None:
    bindings = {"s": ox.Literal("泗溪")} if pre_bind else None
    with contextlib.suppress(EcokgError):
        _consume(mini_store.query(query, bindings))


@bounded(30)
@given(query=st.one_of(sparql_text, argv_text(120)))
@example(query='ASK { ?s ?p "\udcff" }')
def test_cli_sparql_never_exits_70(capsys: pytest.CaptureFixture[str], query: str) -> None:
    assume(query != "-")  # reads standard input
    capsys.readouterr()
    code = main(["sparql", query, "--no-bundled", "--no-inferred", "--data", str(MINI)])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), err
    if code != 0:
        assert len(err.splitlines()) == 1 and err.startswith("ecokg: error: "), err
        assert "Traceback" not in err


# --- (b) parameter binding -----------------------------------------------------------------

LANGUAGE_TAGS = st.sampled_from(["", "zh", "en", "zh-Hans", "en-GB"])
DATATYPES = st.sampled_from(
    [
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/2001/XMLSchema#integer",
        "http://www.w3.org/2001/XMLSchema#gYear",
        "https://w3id.org/ecokg/def#custom",
    ]
)
# A query whose shape the bound value must not change: one row, ?v and ?w, ?w fixed. Its
# comment and string mention braces so that the VALUES block must find the right "{".
TEMPLATE = "SELECT ?v ?w # {{ not the pattern }} {comment}\nWHERE {{ BIND({fixed} AS ?w) }}"
# RDF literals and IRIs hold UTF-8 text only: no surrogates here.
tricky_text = st.text(st.sampled_from("{}<>\"'\\#\n") | st.characters(codec="utf-8"), max_size=20)


@st.composite
def literals(draw: st.DrawFn) -> ox.Literal:
    value = draw(tricky_text | st.text(max_size=40))
    language = draw(LANGUAGE_TAGS)
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(draw(DATATYPES)))


@st.composite
def iris(draw: st.DrawFn) -> ox.NamedNode:
    tail = draw(st.text(max_size=30))
    try:
        return ox.NamedNode("http://example.org/" + tail)
    except ValueError:
        assume(False)
        raise


@bounded(200)
@given(
    term=st.one_of(literals(), iris()),
    fixed=tricky_text,
    comment=tricky_text.map(lambda text: text.replace("\n", " ").replace("\r", " ")),
)
def test_values_binding_round_trips_and_never_injects(
    term: ox.Literal | ox.NamedNode, fixed: str, comment: str
) -> None:
    try:
        fixed_term = sparql_term(ox.Literal(fixed))
        query = bind_with_values(TEMPLATE.format(comment=comment, fixed=fixed_term), {"v": term})
    except UsageError as error:
        assert "\\u" in error.message or "\\U" in error.message
        return
    result = ox.Store().query(query)
    assert isinstance(result, ox.QuerySolutions)
    assert [variable.value for variable in result.variables] == ["v", "w"]
    assert [(row["v"], row["w"]) for row in result] == [(term, ox.Literal(fixed))]


@bounded(100)
@given(name=st.text(max_size=12), term=st.one_of(literals(), iris()))
def test_values_block_accepts_only_variable_names(name: str, term: ox.Literal) -> None:
    try:
        block = values_block({name: term})
    except UsageError:
        return
    assert block.startswith(f"VALUES (?{name}) {{ (")
    assert name.isascii() and (name[0].isalpha() or name[0] == "_")
    result = ox.Store().query(f"SELECT ?{name} WHERE {{ {block} }}")
    assert isinstance(result, ox.QuerySolutions)
    assert [row[0] for row in result] == [term]


assignment = st.text(max_size=12)


@bounded(150)
@given(items=st.lists(st.one_of(assignment, st.tuples(assignment, assignment).map("=".join))))
def test_parse_assignments_splits_at_the_first_equals_sign(items: list[str]) -> None:
    try:
        values = querylib.parse_assignments(items)
    except UsageError as error:
        assert error.message.startswith("--param ")
        return
    assert len(values) == len(items)
    for item in items:
        key, _, value = item.partition("=")
        assert values[key.strip()] == value


SCALAR_PARAM_TYPES = ["string", "integer", "decimal", "year", "lang", "iri"]


@bounded(200)
@given(param_type=st.sampled_from(SCALAR_PARAM_TYPES), raw=argv_text(30))
@example(param_type="year", raw="٢٠٢١")  # Arabic-Indic digits match \d but are no xsd:gYear
@example(param_type="integer", raw="١٢")
@example(param_type="string", raw="\udcff")
def test_convert_value_gives_a_term_of_the_type_or_a_usage_error(
    mini_store: Dataset, param_type: str, raw: str
) -> None:
    param = querylib.QueryParam("value", param_type, "a value")
    try:
        term = querylib.convert_value(mini_store, param, raw)
    except UsageError as error:
        assert f"parameter value={raw!r}" in error.message
        return
    if param_type == "string":
        assert term == ox.Literal(raw)
    elif param_type == "integer":
        assert isinstance(term, ox.Literal) and int(term.value) == int(raw.strip())
    elif param_type == "year":  # a valid xsd:gYear lexical form
        assert isinstance(term, ox.Literal) and re.fullmatch("[0-9]{4}", term.value)
    elif param_type in ("decimal", "lang"):
        assert isinstance(term, ox.Literal) and term.value
    else:
        assert isinstance(term, ox.NamedNode)


@bounded(60)
@given(raw=st.one_of(argv_text(30), st.sampled_from(["泗溪镇", "Sixi Town", "tw:sixi"])))
def test_instance_parameter_names_one_instance_or_is_a_usage_error(
    mini_store: Dataset, raw: str
) -> None:
    param = querylib.QueryParam("township", "eco:Township", "a township")
    try:
        term = querylib.convert_value(mini_store, param, raw)
    except UsageError:
        return
    assert isinstance(term, ox.NamedNode)
    assert term.value.startswith("https://w3id.org/ecokg/id/360923/township/")


# --- (c) ask ---------------------------------------------------------------------------------

ASK_FRAGMENTS = (
    "泗溪镇",
    "泗溪",
    "敖阳街道",
    "锦江",
    "有哪些",
    "项目",
    "问题",
    "土壤污染",
    "没有",
    "投资",
    "多少",
    "？",
    "which ",
    "projects ",
    "problems ",
    "in ",
    "Sixi ",
    "zone ",
    "without ",
    "investment ",
    "?",
)


@pytest.fixture(scope="module")
def asker(dataset: Dataset) -> Asker:
    return Asker.create(dataset)


@bounded(100)
@given(question=st.one_of(pieces(*ASK_FRAGMENTS, max_size=12), argv_text(300)))
def test_any_question_gets_an_answer_or_an_ecokg_error(asker: Asker, question: str) -> None:
    assume(len(question) <= 300)
    try:
        answer = asker.ask(question)
    except EcokgError as error:
        assert error.message
        return
    assert answer is not None


# --- (d) output paths ------------------------------------------------------------------------


@bounded(150)
@given(
    name=argv_text(40).filter(lambda text: os.sep not in text),
    content=st.one_of(st.text(max_size=50), st.binary(max_size=50)),
)
@example(name="\x00", content="")  # mkstemp raised ValueError
def test_write_atomic_writes_exactly_or_raises_and_leaves_no_temp_file(
    name: str, content: str | bytes
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        target = root / name
        try:
            write_atomic(target, content)
        except InputError:
            assert sorted(root.iterdir()) == []
            return
        expected = content.encode("utf-8") if isinstance(content, str) else content
        assert target.read_bytes() == expected
        # compared as bytes: a name of escaped bytes may decode to other characters
        assert [os.fsencode(path.name) for path in root.iterdir()] == [os.fsencode(name)]
