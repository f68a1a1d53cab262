"""The plans a store holds (``queries/plans.rq``): each with its county, division code and
named graphs, on the embedded store or an endpoint alike (docs/many-plans.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ecokg import resources
from ecokg.rdf.namespaces import graph_code, inferred_graph
from ecokg.stores.base import Store, Term, select


@dataclass(frozen=True)
class PlanInfo:
    """One plan in a store: its IRI, title, county and the graphs of its statements."""

    iri: str
    label_zh: str | None
    label_en: str | None
    county: str | None
    county_zh: str | None
    county_en: str | None
    code: str | None
    stated_graph: str

    @property
    def inferred_graph(self) -> str:
        """Where the inferences over this plan are (…/graph/inferred/{code})."""
        return inferred_graph(graph_code(self.stated_graph))


def list_plans(store: Store) -> list[PlanInfo]:
    """Every plan in ``store`` (an ``eco:Plan`` in a plan graph), ordered by division code."""
    query = resources.query_dir() / "plans.rq"
    table = select(store, query.read_text(encoding="utf-8"))

    def text(row: list[Term | None], name: str) -> str | None:
        term = row[table.variables.index(name)]
        return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None

    plans = []
    for row in table.rows:
        graph = text(row, "graph")
        iri = text(row, "plan")
        assert graph is not None and iri is not None  # both bound by the query's pattern
        plans.append(
            PlanInfo(
                iri=iri,
                label_zh=text(row, "labelZh"),
                label_en=text(row, "labelEn"),
                county=text(row, "county"),
                county_zh=text(row, "countyZh"),
                county_en=text(row, "countyEn"),
                code=text(row, "code"),
                stated_graph=graph,
            )
        )
    return plans
