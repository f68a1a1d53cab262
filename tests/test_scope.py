"""Named queries on a store of several plans (docs/many-plans.md): scoped to one plan they
give exactly that plan's rows alone; unscoped they run once per plan; the comparisons between
counties follow the province generator's rules (money × (1 + k % 3)).

The store: the bundled plan (360923) and synthetic counties 1 and 2 (361002, 361003) from
bench/province.py, each in its own graphs (tests/plan_stores.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from plan_stores import code_of_county, county_iri, plans_dataset
from province import County

from ecokg.errors import InputError, QueryTimeout, UsageError
from ecokg.query import library as querylib
from ecokg.query.scoped import PLAN_COLUMNS, run_scoped_query
from ecokg.rdf.namespaces import BUNDLED_CODE, expand
from ecokg.stores.base import SolutionTable, Store, select
from ecokg.stores.local import Dataset
from ecokg.stores.plans import PlanInfo
from ecokg.stores.scope import plan_code, plan_graphs, resolve_plan, scoped_store

QUERY_PARAMS = json.loads((Path(__file__).parent / "query_params.json").read_text())
PER_PLAN_QUERIES = [q for q in querylib.list_named_queries() if not q.across_plans]
COUNTIES: list[int | None] = [None, 1, 2]  # None: the bundled plan
MONITORED: list[int | None] = [None, 2]  # county 1 has no monitoring data


@pytest.fixture(scope="module")
def province() -> Dataset:
    return plans_dataset([1, 2], monitored=MONITORED)


@pytest.fixture(scope="module")
def alone() -> dict[int | None, Dataset]:
    """Each county in a store of its own, with its own monitoring data if it has some."""
    return {
        index: plans_dataset(
            [] if index is None else [index],
            bundled=index is None,
            monitored=[index] if index in MONITORED else [],
        )
        for index in COUNTIES
    }


def plan_of(store: Store, index: int | None) -> PlanInfo:
    return resolve_plan(store, code_of_county(index))


def params_for(index: int | None, values: Mapping[str, str]) -> dict[str, str]:
    """The test parameters of a query (bundled IRIs) for county ``index``."""
    return {
        name: county_iri(index, expand(value) or value) if ":" in value else value
        for name, value in values.items()
    }


def rows(store: Store, query: querylib.NamedQuery, values: Mapping[str, str]) -> list[list[str]]:
    result = querylib.run_named_query(store, query, values)
    assert isinstance(result, ox.QuerySolutions)
    return sorted([str(term) for term in solution] for solution in result)


@pytest.mark.parametrize("query", PER_PLAN_QUERIES, ids=lambda query: query.name)
def test_a_scoped_query_gives_the_rows_of_its_plan_alone(
    province: Dataset, alone: dict[int | None, Dataset], query: querylib.NamedQuery
) -> None:
    # for the bundled plan this is also: adding two counties changes none of its rows
    for index in COUNTIES:
        values = params_for(index, QUERY_PARAMS.get(query.name, {}))
        scoped = scoped_store(province, plan_of(province, index))
        assert rows(scoped, query, values) == rows(alone[index], query, values), index


def test_the_unscoped_store_mixes_the_plans(province: Dataset) -> None:
    """Why scoping is needed: over the union the bundled plan's question gets other answers."""
    query = querylib.get_named_query("investment-shares")
    bundled = scoped_store(province, plan_of(province, None))
    assert rows(province, query, {}) != rows(bundled, query, {})


def test_unscoped_a_query_runs_once_per_plan(province: Dataset) -> None:
    query = querylib.get_named_query("investment-by-programme")
    result, titled = run_scoped_query(province, query, {})
    table = select_table(result)
    assert table.variables[:2] == list(PLAN_COLUMNS)
    assert titled.column_title("county", "zh") == "县"
    for index in COUNTIES:
        plan = plan_of(province, index)
        own = [row[2:] for row in table.rows if row[0] == ox.NamedNode(plan.iri)]
        assert {row[1] for row in table.rows if row[0] == ox.NamedNode(plan.iri)} == {
            ox.NamedNode(plan.county or "")
        }
        scoped = select(scoped_store(province, plan), query.text)
        assert sorted(map(str, own)) == sorted(map(str, scoped.rows)), index
    assert len(table.rows) == 3 * 5  # five programmes per county, in order of the code
    plans = [resolve_plan(province, row[0].value) for row in table.rows]  # type: ignore[union-attr]
    codes = [plan_code(plan) for plan in plans]
    assert codes == sorted(codes, key=str)


def test_an_instance_parameter_is_looked_up_in_each_plan(province: Dataset) -> None:
    query = querylib.get_named_query("projects-in-township")
    by_label, _ = run_scoped_query(province, query, {"township": "泗溪镇"})
    plans = {row[0] for row in select_table(by_label).rows}
    assert len(plans) == 3  # every county has its 泗溪镇
    by_iri, _ = run_scoped_query(province, query, {"township": "tw:sixi"})
    assert {row[0] for row in select_table(by_iri).rows} == {
        ox.NamedNode(plan_of(province, None).iri)
    }
    with pytest.raises(UsageError, match="no eco:Township"):
        run_scoped_query(province, query, {"township": "nowhere"})


def test_one_plan_runs_as_before(dataset: Dataset) -> None:
    query = querylib.get_named_query("investment-by-programme")
    result, titled = run_scoped_query(dataset, query, {})
    assert titled is query
    assert select_table(result).variables[0] == "programme"


def test_investment_by_county_follows_the_multipliers(
    province: Dataset, alone: dict[int | None, Dataset]
) -> None:
    query = querylib.get_named_query("investment-by-county")
    bundled = select(alone[None], query.text)
    base = dict(zip(bundled.variables, bundled.rows[0], strict=True))
    table = select(province, query.text)
    assert len(table.rows) == 3
    found = {}
    for row in table.rows:
        values = dict(zip(table.variables, row, strict=True))
        found[values["code"].value] = values  # type: ignore[union-attr]
    for index in COUNTIES:
        factor = 1 if index is None else County(index).multiplier
        values = found[code_of_county(index)]
        for column in ("investment", "projectSum"):
            expected = Decimal(base[column].value) * factor  # type: ignore[union-attr]
            assert Decimal(values[column].value) == expected, (index, column)  # type: ignore[union-attr]
        assert values["projects"].value == base["projects"].value  # type: ignore[union-attr]
    # most investment first: county 2 (× 3), county 1 (× 2), the bundled plan
    assert [row[table.variables.index("code")].value for row in table.rows] == [  # type: ignore[union-attr]
        code_of_county(2),
        code_of_county(1),
        BUNDLED_CODE,
    ]


def test_counties_with_lagging_binding_indicators(
    province: Dataset, alone: dict[int | None, Dataset]
) -> None:
    query = querylib.get_named_query("lagging-indicators-by-county")
    lagging = querylib.get_named_query("lagging-binding-indicators")
    table = select(province, query.text)
    codes = {row[table.variables.index("code")].value for row in table.rows}  # type: ignore[union-attr]
    assert codes == {code_of_county(index) for index in MONITORED}
    for row in table.rows:
        values = dict(zip(table.variables, row, strict=True))
        index = next(i for i in COUNTIES if code_of_county(i) == values["code"].value)  # type: ignore[union-attr]
        per_plan = select(alone[index], lagging.text)
        assert int(values["lagging"].value) == len(per_plan.rows) > 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("360923", None),
        ("上高县", None),
        ("上高", None),
        ("Shanggao", None),
        ("shanggao county", None),
        ("county:shanggao", None),
        ("plan:shanggao-2021-2035", None),
        ("https://w3id.org/ecokg/id/plan/shanggao-2021-2035", None),
        (str(County(1).code), 1),
        ("样1县", 1),
        ("Sample2", 2),
        (f"<{County(2).base}county/shanggao>", 2),
    ],
)
def test_a_plan_is_named_by_code_iri_or_label(
    province: Dataset, text: str, index: int | None
) -> None:
    assert plan_code(resolve_plan(province, text)) == code_of_county(index)


@pytest.mark.parametrize("text", ["样9县", "999999", "county:nowhere", ""])
def test_an_unknown_plan_is_a_one_line_error(province: Dataset, text: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_plan(province, text)
    assert "\n" not in raised.value.message and "--plan" in raised.value.message


def test_a_near_miss_gets_a_suggestion(province: Dataset) -> None:
    with pytest.raises(UsageError, match="did you mean 'Sample1'"):
        resolve_plan(province, "Sampel1")


def test_scoped_queries_in_a_child_and_in_workers(province: Dataset) -> None:
    """The time-limited paths (a forked child, pool workers) keep the scope."""
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a eco:Project }"
    scoped = scoped_store(province, plan_of(province, 1))
    expected = select(scoped, count).rows
    assert select(province, count).rows != expected
    guarded = scoped_store(plans_with_timeout(province), plan_of(province, 1))
    assert select(guarded, count).rows == expected
    province.start_pool(1)
    try:
        pooled = scoped_store(province, plan_of(province, 1))
        assert select(pooled, count).rows == expected
    finally:
        province.close_pool()


def test_every_plan_in_one_child_gives_each_plans_rows(province: Dataset) -> None:
    """With a time limit, an unscoped query runs on every plan in one forked child
    (Dataset.query_each): the same table as one run per plan in this process."""
    query = querylib.get_named_query("investment-by-programme")
    guarded = plans_with_timeout(province)
    in_child, _ = run_scoped_query(guarded, query, {})
    in_process, _ = run_scoped_query(province, query, {})
    assert select_table(in_child).rows == select_table(in_process).rows
    scopes = [plan_graphs(plan_of(province, index)) for index in COUNTIES]
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a eco:Project }"
    each = guarded.query_each(count, None, scopes)
    assert [select_table(result).rows for result in each] == [
        select(province.scoped(scope), count).rows for scope in scopes
    ]


def test_every_plan_in_one_child_keeps_the_errors_and_the_time_limit(province: Dataset) -> None:
    guarded = plans_with_timeout(province)
    scopes = [plan_graphs(plan_of(province, index)) for index in COUNTIES]
    with pytest.raises(InputError, match=r"^q\.rq:1:\d+: SPARQL syntax error"):
        guarded.query_each("SELECT ?x WHERE { ?x }", None, scopes, source="q.rq")
    guarded.timeout = 0.2  # for each plan: 0.6 s for the three
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"no answer within 0\.6 s"):
        guarded.query_each(endless, None, scopes, source="endless")
    assert time.monotonic() - started < 10


def plans_with_timeout(dataset: Dataset) -> Dataset:
    view = dataset.scoped([])  # a copy sharing the store; unscoped again below
    view.query_graphs = None
    view.timeout = 30.0
    return view


def select_table(result: object) -> SolutionTable:
    assert isinstance(result, ox.QuerySolutions)
    return SolutionTable.from_solutions(result)
