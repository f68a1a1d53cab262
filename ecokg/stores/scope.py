"""One plan of a store holding several: which plan a user means (``--plan X``), and a view
of the store whose queries see that plan only (docs/many-plans.md).

A scoped query's default graph is the ontology, the plan's statements and inferences and
the monitoring data; its named graphs are the same graphs, so ``GRAPH ?g { … }`` finds only
that plan's. Locally this is pyoxigraph's ``default_graph`` / ``named_graphs``, remotely the
SPARQL Protocol's ``default-graph-uri`` / ``named-graph-uri``: either way the engine never
looks at another plan's triples, so a scoped query costs the same with 1 plan or 100.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from ecokg.errors import UsageError
from ecokg.rdf.iris import current_iri
from ecokg.rdf.namespaces import GRAPH_MONITORING, GRAPH_ONTOLOGY, compact, expand, graph_code
from ecokg.stores.base import Store, select
from ecokg.stores.plans import PlanInfo, list_plans

_CODE = re.compile(r"^\d{6}$")
_TWO_PLAN_GRAPHS = """SELECT DISTINCT ?graph WHERE {
  GRAPH ?graph { ?plan a eco:Plan }
  FILTER(STRSTARTS(STR(?graph), "https://w3id.org/ecokg/graph/plan"))
} LIMIT 2"""
# What a county's name may end with that users leave out: 上高县 → 上高, Shanggao County → shanggao.
_SUFFIXES = ("县", "市", "区", "旗", " county", " city", " district")


class Scopable(Protocol):
    """A store that can restrict its queries to some named graphs (Dataset, RemoteStore)."""

    def scoped(self, graphs: Sequence[str]) -> Store: ...


def plan_code(plan: PlanInfo) -> str | None:
    """The plan's county code: its division code, else the {code} its graph is named with."""
    return plan.code or graph_code(plan.stated_graph)


def plan_graphs(plan: PlanInfo) -> tuple[str, ...]:
    """The graphs a query scoped to ``plan`` sees."""
    return (GRAPH_ONTOLOGY, plan.stated_graph, plan.inferred_graph, GRAPH_MONITORING)


def plan_name(plan: PlanInfo, lang: str = "zh") -> str:
    """How messages name a plan: its county's label (or the plan's), with its code."""
    if lang == "en":
        name = plan.county_en or plan.county_zh or plan.label_en or plan.label_zh
    else:
        name = plan.county_zh or plan.county_en or plan.label_zh or plan.label_en
    code = plan_code(plan)
    shown = name or compact(plan.iri)
    return f"{shown} ({code})" if code else shown


def separable_plans(store: Store) -> list[PlanInfo]:
    """The store's plans, by county code, when each has a graph of its own (else []): only
    then can a query be run per plan. Plans sharing a graph (release 0.1's single plan
    graph, several --data plans in it) can only be queried together."""
    if len(select(store, _TWO_PLAN_GRAPHS).rows) < 2:
        return []  # the common case (one plan), told by one small query
    plans = list_plans(store)
    graphs = [plan.stated_graph for plan in plans]
    if len(set(graphs)) != len(graphs):
        return []
    return sorted(plans, key=lambda plan: (plan_code(plan) or "\uffff", plan.iri))


def resolve_plan(store: Store, text: str, *, option: str = "--plan") -> PlanInfo:
    """The plan of ``store`` that ``text`` names: a county code (360923), a plan or county
    IRI or CURIE, or a label (上高县, 上高, Shanggao, the plan's title). Anything else is a
    one-line UsageError suggesting the nearest names."""
    plans = list_plans(store)
    wanted = text.strip()
    if not plans:
        raise UsageError(f"{option} {text!r}: the dataset holds no eco:Plan to scope to")
    matches = [plan for plan in plans if _names(plan, wanted)]
    if not matches:
        raise UsageError(
            f"{option} {text!r}: no plan of this county code, IRI or name"
            + _did_you_mean(wanted, plans)
        )
    if len(matches) > 1:
        listed = ", ".join(plan_name(plan) for plan in matches)
        raise UsageError(f"{option} {text!r} is ambiguous: {listed} (give the county code)")
    plan = matches[0]
    sharing = [other for other in plans if other.stated_graph == plan.stated_graph]
    if len(sharing) > 1:
        raise UsageError(
            f"{option} {text!r}: {plan_name(plan)} shares the graph <{plan.stated_graph}> "
            f"with {len(sharing) - 1} other plan(s), so it cannot be queried alone"
        )
    return plan


def scoped_store(store: Store, plan: PlanInfo) -> Store:
    """``store`` with every query restricted to ``plan``'s graphs."""
    if not hasattr(store, "scoped"):
        raise UsageError(f"{type(store).__name__}: cannot restrict queries to one plan")
    scopable: Scopable = store  # type: ignore[assignment]
    return scopable.scoped(plan_graphs(plan))


def open_scoped(store: Store, text: str | None) -> tuple[Store, PlanInfo | None]:
    """``store`` scoped to the plan ``text`` names (unchanged without one), and that plan."""
    if text is None:
        return store, None
    plan = resolve_plan(store, text)
    return scoped_store(store, plan), plan


def _names(plan: PlanInfo, wanted: str) -> bool:
    if _CODE.match(wanted):
        return wanted == plan_code(plan)
    iri = _iri(wanted)
    if iri is not None:
        return iri in (plan.iri, plan.county)
    key = _key(wanted)
    return bool(key) and key in {_key(label) for label in _labels(plan)}


def _iri(text: str) -> str | None:
    """The IRI a scope names (release 0.1's IRIs read as the bundled plan's)."""
    if text.startswith("<") and text.endswith(">"):
        return current_iri(text[1:-1])
    if text.startswith(("http://", "https://")):
        return current_iri(text)
    expanded = expand(text) if ":" in text else None
    return None if expanded is None else current_iri(expanded)


def _labels(plan: PlanInfo) -> list[str]:
    labels = [plan.county_zh, plan.county_en, plan.label_zh, plan.label_en]
    found = [label for label in labels if label]
    for label in (plan.county_zh, plan.county_en):
        if label:
            for suffix in _SUFFIXES:
                if label.lower().endswith(suffix) and len(label) > len(suffix):
                    found.append(label[: -len(suffix)])
    return found


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _did_you_mean(value: str, plans: list[PlanInfo]) -> str:
    from rapidfuzz import fuzz, process  # only needed on this error path

    choices = [label for plan in plans for label in _labels(plan)]
    choices += [code for plan in plans if (code := plan_code(plan))]
    best = process.extract(value, list(dict.fromkeys(choices)), scorer=fuzz.WRatio, limit=3)
    names = [choice for choice, score, _ in best if score >= 50]
    if names:
        return f"; did you mean {' or '.join(repr(name) for name in names)}?"
    known = ", ".join(plan_name(plan) for plan in plans[:5])
    return f" (plans: {known}{', …' if len(plans) > 5 else ''})"
