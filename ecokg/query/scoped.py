"""Named queries on a store of several plans: scoped to one (``--plan``) or run once per plan.

A query of the library speaks of one plan ("the county", "all townships", "the plan
total"). With ``--plan X`` it runs over that plan's graphs only (ecokg.stores.scope).
Without a scope, on a store whose plans each have their own graph, it runs once per plan,
each run scoped, and the rows are put together in the plans' order (by county code) with
two leading columns: ``plan`` (the plan's IRI) and ``county`` (its county's IRI). Each run
sees one plan's triples, so the whole costs N times one plan, never a join across plans.
With one plan (or plans sharing one graph, as release 0.1 loaded them) the query runs once
over everything, exactly as before. Queries marked ``# scope: store`` (``plans``, the
comparisons between counties) compare the plans themselves and always run once.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from ecokg.errors import UsageError
from ecokg.query.library import NamedQuery, bind_parameters, run_named_query
from ecokg.stores.base import QueryResult, Store
from ecokg.stores.plans import PlanInfo
from ecokg.stores.scope import open_scoped, plan_graphs, scoped_store, separable_plans

_RESULTS_JSON = ox.QueryResultsFormat.JSON
PLAN_COLUMNS = ("plan", "county")
_TITLES_ZH = (("plan", "规划"), ("county", "县"))
_TITLES_EN = (("plan", "plan"), ("county", "county"))


def run_scoped_query(
    store: Store, query: NamedQuery, values: Mapping[str, str], plan: str | None = None
) -> tuple[QueryResult, NamedQuery]:
    """Run ``query`` on the plan ``plan`` names, or per plan without one (see the module);
    the result, and the query as its columns are titled (with ``plan`` and ``county``
    when it ran per plan)."""
    if plan is not None:
        scoped, _ = open_scoped(store, plan)
        return run_named_query(scoped, query, values), query
    plans = [] if query.across_plans else separable_plans(store)
    if len(plans) <= 1:
        return run_named_query(store, query, values), query
    return run_per_plan(store, plans, query, values), with_plan_columns(query)


def run_per_plan(
    store: Store, plans: list[PlanInfo], query: NamedQuery, values: Mapping[str, str]
) -> QueryResult:
    """``query`` once on each plan's graphs, its rows led by ``plan`` and ``county``.

    A parameter naming an instance (a township, a programme …) is looked up in each plan:
    the plans without one of that IRI or name are left out, and when no plan has one, the
    first plan's error says what there is. A query without such a parameter runs on every
    plan in one go where the store can (:meth:`ecokg.stores.local.Dataset.query_each`)."""
    variables: list[str] | None = None
    bindings: list[dict[str, object]] = []
    first_error: UsageError | None = None
    for plan, result in _per_plan(store, plans, query, values):
        if isinstance(result, UsageError):
            first_error = first_error or result
            continue
        if not isinstance(result, ox.QuerySolutions):
            return run_named_query(store, query, values)  # ASK/CONSTRUCT: not per plan
        table = json.loads(result.serialize(format=_RESULTS_JSON) or b"{}")
        variables = variables or list(table["head"]["vars"])
        lead = {"plan": _iri(plan.iri)} | ({"county": _iri(plan.county)} if plan.county else {})
        bindings.extend(lead | row for row in table["results"]["bindings"])
    if variables is None:
        if first_error is not None:
            raise first_error
        return run_named_query(store, query, values)
    merged = {"head": {"vars": [*PLAN_COLUMNS, *variables]}, "results": {"bindings": bindings}}
    answer = ox.parse_query_results(json.dumps(merged).encode(), format=_RESULTS_JSON)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _per_plan(
    store: Store, plans: list[PlanInfo], query: NamedQuery, values: Mapping[str, str]
) -> Iterator[tuple[PlanInfo, QueryResult | UsageError]]:
    """Each plan and the query's result on it, or the error of an instance parameter that
    names nothing in that plan."""
    query_each = getattr(store, "query_each", None)
    if query_each is not None and all(param.class_iri is None for param in query.params):
        terms = bind_parameters(store, query, values)  # the same in every plan
        scopes = [plan_graphs(plan) for plan in plans]
        answers = query_each(query.text, terms, scopes, source=str(query.path))
        yield from zip(plans, answers, strict=True)
        return
    for plan in plans:
        try:
            yield plan, run_named_query(scoped_store(store, plan), query, values)
        except UsageError as error:
            if not _names_missing_instance(query, error):
                raise
            yield plan, error


def with_plan_columns(query: NamedQuery) -> NamedQuery:
    """``query`` with titles for the leading ``plan`` and ``county`` columns."""
    return dataclasses.replace(
        query,
        columns_zh=(*_TITLES_ZH, *query.columns_zh),
        columns_en=(*_TITLES_EN, *query.columns_en),
    )


def _iri(value: str) -> dict[str, str]:
    return {"type": "uri", "value": value}


def _names_missing_instance(query: NamedQuery, error: UsageError) -> bool:
    """True for the error of an instance parameter that names nothing in this plan."""
    instance_params = [param.name for param in query.params if param.class_iri is not None]
    message = str(error)
    missing = (": no ", ": the dataset has no ")
    return any(
        message.startswith(f"parameter {name}=") and any(text in message for text in missing)
        for name in instance_params
    )
