"""``ecokg evaluate``: the plan's implementation measured against its own promises.

For each indicator: baseline, latest observed value, target, the value expected in the
evaluation year on a straight path from the baseline (or, where the plan gives none, the first
observation) to the target, and a status. The rule follows the target's comparator:

- ``cmp:at-least`` (≥), or a bare number above the start: the path rises; 已达标 when the
  latest value reaches the target, 进度正常 when it is on or above the path, else 滞后;
  ``cmp:at-most`` or a bare number below the start: the same, falling;
- ``cmp:maintain`` (保持稳定), and the qualitative targets 不低于… / 完成省市下达目标 (no number
  to aim at): the value must not fall below the baseline (已达标, else 滞后);
- a qualitative 基本消除 (eliminate): the path falls to 0 at the target year.

For each project: its latest status against its schedule (滞后 when not started in or after
its start year, or not completed after its end year), funds allocated and spent up to the year
against the estimate (超支 when spent exceeds it), and outputs delivered so far. Roll-ups by
programme, lead agency and zone (a project with two agencies or zones counts under each).

Monitoring data is read from its own graph only (``…/graph/monitoring``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from ecokg.monitor.plan import IndicatorFacts, PlanFacts, ProjectFacts, read_plan
from ecokg.stores.base import Store

PROGRESS = "https://w3id.org/ecokg/def/progress-status#"
ACHIEVED, ON_TRACK, LAGGING, NO_DATA = (
    PROGRESS + s for s in ("achieved", "on-track", "lagging", "no-data")
)
COMPLETED, OVERSPENT = PROGRESS + "completed", PROGRESS + "overspent"
_STATUS_ORDER = {LAGGING: 0, NO_DATA: 1, ON_TRACK: 2, ACHIEVED: 3, COMPLETED: 3}

_OBSERVATIONS = """
SELECT ?record ?kind ?subject ?year ?value ?revision ?source ?status ?start ?completion
       ?channel ?allocated ?spent ?output WHERE {
  GRAPH <https://w3id.org/ecokg/graph/monitoring> {
    VALUES ?kind {
      eco:IndicatorObservation eco:ProjectProgress eco:FundingRecord eco:OutputProgress
    }
    ?record a ?kind ; eco:observationYear ?year .
    OPTIONAL { ?record eco:observedIndicator ?indicator }
    OPTIONAL { ?record eco:progressOf ?project }
    BIND(COALESCE(?indicator, ?project) AS ?subject)
    OPTIONAL { ?record qudt:numericValue ?value }
    OPTIONAL { ?record eco:isRevision ?revision }
    OPTIONAL { ?record eco:sourceDocument ?source }
    OPTIONAL { ?record eco:projectStatus ?status }
    OPTIONAL { ?record eco:startDate ?start }
    OPTIONAL { ?record eco:completionDate ?completion }
    OPTIONAL { ?record eco:fundingChannel ?channel }
    OPTIONAL { ?record eco:fundsAllocated/qudt:numericValue ?allocated }
    OPTIONAL { ?record eco:fundsSpent/qudt:numericValue ?spent }
    OPTIONAL { ?record eco:forOutput ?output }
  }
}
"""


@dataclass(frozen=True)
class Record:
    iri: str
    kind: str
    subject: str
    year: int
    value: Decimal | None = None
    revision: bool = False
    source: str | None = None
    status: str | None = None
    start: str | None = None
    completion: str | None = None
    channel: str | None = None
    allocated: Decimal | None = None
    spent: Decimal | None = None
    output: str | None = None


@dataclass
class IndicatorResult:
    facts: IndicatorFacts
    rule: str  # rise, fall, maintain, eliminate
    observations: list[Record]
    latest: Record | None
    path_start: tuple[int, Decimal] | None
    path_end: tuple[int, Decimal] | None
    expected: Decimal | None
    status: str


@dataclass
class ProjectResult:
    facts: ProjectFacts
    latest: Record | None
    start_date: str | None
    completion_date: str | None
    status: str
    allocated: Decimal
    spent: Decimal
    spending_by_year: dict[int, Decimal]
    overspent: bool
    outputs: list[tuple[str, Decimal | None, Decimal, int]]  # output, planned, delivered, year


@dataclass
class RollUp:
    key: str
    projects: int = 0
    estimate: Decimal = Decimal(0)
    allocated: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    lagging: int = 0
    overspent: int = 0


@dataclass
class Evaluation:
    year: int
    plan: PlanFacts
    indicators: list[IndicatorResult]
    projects: list[ProjectResult]
    rollups: dict[str, list[RollUp]] = field(default_factory=dict)  # programme/agency/zone
    has_data: bool = False


def evaluate(store: Store, year: int | None = None) -> Evaluation:
    """Evaluate the monitoring data of ``store`` against its plan in ``year`` (default: the
    latest year with monitoring data, else the plan's near-term year)."""
    plan = read_plan(store)
    records = _records(store)
    if year is None:
        year = max((r.year for r in records), default=plan.near_year)
    records = _current([r for r in records if r.year <= year])
    indicators = [_indicator(plan, facts, records, year) for facts in plan.indicators.values()]
    indicators.sort(key=lambda r: (not r.facts.binding, r.facts.order))
    projects = [_project(plan, facts, records, year) for facts in plan.projects.values()]
    projects.sort(
        key=lambda r: (_STATUS_ORDER.get(r.status, 9), r.facts.programme or "", r.facts.iri)
    )
    evaluation = Evaluation(year, plan, indicators, projects, has_data=bool(records))
    evaluation.rollups = {
        "programme": _rollup(projects, lambda p: [p.programme or ""]),
        "agency": _rollup(projects, lambda p: list(p.agencies) or [""]),
        "zone": _rollup(projects, lambda p: list(p.zones) or [""]),
    }
    return evaluation


def expected_value(start: tuple[int, Decimal], end: tuple[int, Decimal], year: int) -> Decimal:
    """The value on the straight path from ``start`` to ``end`` (year, value) in ``year``;
    before the start it is the start value, after the end the end value."""
    (y0, v0), (y1, v1) = start, end
    if y1 <= y0 or year >= y1:
        return v1 if year >= y0 else v0
    if year <= y0:
        return v0
    return v0 + (v1 - v0) * Decimal(year - y0) / Decimal(y1 - y0)


def _rule(facts: IndicatorFacts, start: Decimal | None) -> str:
    comparator = (facts.comparator or "").rsplit("#", 1)[-1]
    if comparator == "qualitative":
        return "eliminate" if "消除" in (facts.target_text or "") else "maintain"
    if comparator == "maintain" or facts.target is None:
        return "maintain"
    if comparator == "at-least":
        return "rise"
    if comparator == "at-most":
        return "fall"
    return "fall" if start is not None and facts.target < start else "rise"


def _indicator(
    plan: PlanFacts, facts: IndicatorFacts, records: list[Record], year: int
) -> IndicatorResult:
    observations = sorted(
        (
            r
            for r in records
            if r.kind.endswith("IndicatorObservation")
            and r.subject == facts.iri
            and r.value is not None
        ),
        key=lambda r: r.year,
    )
    latest = observations[-1] if observations else None
    start: tuple[int, Decimal] | None = None
    if facts.baseline is not None:
        start = (facts.baseline_year or plan.base_year, facts.baseline)
    elif observations:
        assert observations[0].value is not None
        start = (observations[0].year, observations[0].value)
    rule = _rule(facts, start[1] if start else None)
    target_year = facts.target_year or plan.near_year
    end: tuple[int, Decimal] | None = None
    if rule in ("rise", "fall") and facts.target is not None:
        end = (target_year, facts.target)
    elif rule == "eliminate":
        end = (target_year, Decimal(0))
    elif rule == "maintain" and start is not None:
        end = (target_year, start[1])
    expected = expected_value(start, end, year) if start and end else None
    status = _indicator_status(rule, latest, start, end, expected)
    return IndicatorResult(facts, rule, observations, latest, start, end, expected, status)


def _indicator_status(
    rule: str,
    latest: Record | None,
    start: tuple[int, Decimal] | None,
    end: tuple[int, Decimal] | None,
    expected: Decimal | None,
) -> str:
    if latest is None or latest.value is None or end is None or expected is None:
        return NO_DATA
    direction = -1 if rule in ("fall", "eliminate") else 1
    if direction * (latest.value - end[1]) >= 0:
        return ACHIEVED
    if rule != "maintain" and direction * (latest.value - expected) >= 0:
        return ON_TRACK
    return LAGGING


def _project(
    plan: PlanFacts, facts: ProjectFacts, records: list[Record], year: int
) -> ProjectResult:
    mine = [r for r in records if r.subject == facts.iri]
    progress = sorted((r for r in mine if r.kind.endswith("ProjectProgress")), key=lambda r: r.year)
    with_status = [r for r in progress if r.status]
    latest = with_status[-1] if with_status else (progress[-1] if progress else None)
    start_date = next((r.start for r in reversed(progress) if r.start), None)
    completion = next((r.completion for r in reversed(progress) if r.completion), None)
    state = (latest.status or "").rsplit("#", 1)[-1] if latest else ""
    if latest is None:
        status = NO_DATA
    elif state == "completed" or completion:
        status = COMPLETED
    elif _late(facts, state, year):
        status = LAGGING
    else:
        status = ON_TRACK
    funds = [r for r in mine if r.kind.endswith("FundingRecord")]
    allocated = sum((r.allocated or Decimal(0) for r in funds), Decimal(0))
    spent = sum((r.spent or Decimal(0) for r in funds), Decimal(0))
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for r in funds:
        by_year[r.year] += r.spent or Decimal(0)
    overspent = facts.investment is not None and spent > facts.investment
    outputs = []
    delivered: dict[str, Record] = {}
    for r in sorted(
        (r for r in mine if r.kind.endswith("OutputProgress") and r.output), key=lambda r: r.year
    ):
        assert r.output is not None
        delivered[r.output] = r
    for output, record in sorted(delivered.items()):
        planned = plan.outputs[output].value if output in plan.outputs else None
        outputs.append((output, planned, record.value or Decimal(0), record.year))
    return ProjectResult(facts, latest, start_date, completion, status, allocated, spent,
                         dict(sorted(by_year.items())), overspent, outputs)  # fmt: skip


def _late(facts: ProjectFacts, state: str, year: int) -> bool:
    """Not completed after the end year, or not started in or after the start year."""
    if facts.end is not None and year > facts.end:
        return True
    return state == "not-started" and facts.start is not None and year >= facts.start


def _rollup(projects: list[ProjectResult], keys: object) -> list[RollUp]:
    assert callable(keys)
    groups: dict[str, RollUp] = {}
    for result in projects:
        for key in keys(result.facts):
            group = groups.setdefault(key, RollUp(key))
            group.projects += 1
            group.estimate += result.facts.investment or Decimal(0)
            group.allocated += result.allocated
            group.spent += result.spent
            group.lagging += result.status == LAGGING
            group.overspent += result.overspent
    return sorted(groups.values(), key=lambda g: (g.key == "", g.key))


def _records(store: Store) -> list[Record]:
    result = store.query(_OBSERVATIONS, source="evaluate")
    assert isinstance(result, ox.QuerySolutions)
    records = []
    for s in result:
        records.append(
            Record(
                iri=_value(s["record"]) or "",
                kind=_value(s["kind"]) or "",
                subject=_value(s["subject"]) or "",
                year=int((_value(s["year"]) or "0")[:4]),
                value=_decimal(s["value"]),
                revision=_value(s["revision"]) in ("true", "1"),
                source=_value(s["source"]),
                status=_value(s["status"]),
                start=_value(s["start"]),
                completion=_value(s["completion"]),
                channel=_value(s["channel"]),
                allocated=_decimal(s["allocated"]),
                spent=_decimal(s["spent"]),
                output=_value(s["output"]),
            )
        )
    return records


def _current(records: list[Record]) -> list[Record]:
    """One record per thing, year (and channel): a revision replaces what it revises, a later
    revision an earlier one."""
    best: dict[tuple[str, ...], Record] = {}
    for record in sorted(records, key=lambda r: (r.revision, r.iri)):
        key = (
            record.kind,
            record.subject,
            record.output or "",
            record.channel or "",
            str(record.year),
        )
        best[key] = record
    return list(best.values())


def _value(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _decimal(term: object) -> Decimal | None:
    text = _value(term)
    try:
        return Decimal(text) if text is not None else None
    except ArithmeticError:
        return None
