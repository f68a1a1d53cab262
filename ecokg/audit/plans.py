"""The audit of several plans: each plan validated on its own, the cross-plan shapes once
over the union (docs/many-plans.md).

A shape that speaks of "the plan total" or "the registers" would otherwise join every plan of
the input with every other (a county's projects checked against another county's registers,
plan totals against the sum over all counties). Validating each plan's files separately keeps
its findings exactly those of an audit of that plan alone; the cross-plan shapes
(``shapes/cross-plan.ttl``) then look at the union for what no single plan can show: two plans
stating the same IRI. Plans are validated in parallel processes when there are several CPUs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

from ecokg import resources
from ecokg.audit.cache import audit_key, cached_part
from ecokg.audit.engine import load_plan, load_shapes, run_audit
from ecokg.audit.findings import (
    LANGS,
    SH,
    AuditReport,
    Family,
    Finding,
    PlanPart,
    node_label,
)
from ecokg.audit.sparql_only import sparql_only_audit, union_store
from ecokg.interrupts import worker_pool
from ecokg.kb import PlanInput
from ecokg.progress import ProgressBar, steps

CROSS_PLAN_SHAPES = "cross-plan.ttl"
# The files the cross-plan shapes need besides their own: prefixes and families.
_SUPPORT_SHAPES = ("prefixes.ttl", "families.ttl")


def audit_plans(
    plans: Iterable[PlanInput],
    *,
    shapes: Sequence[Path] = (),
    lang: str = "zh",
    jobs: int | None = None,
    count: int | None = None,
    progress: ProgressBar | None = None,
) -> AuditReport:
    """Audit each plan with the ontology (bundled shapes + ``shapes``), then the cross-plan
    shapes over the union; ``jobs`` processes at most (default: the CPUs; 1: in this one).

    ``plans`` may be read lazily (``count`` of them, when it has no length): each is audited
    as soon as it comes, while the next ones are read, and the union once all have come.
    ``progress(steps)`` gives the function told of each step done (a plan, then the union).
    """
    if count is None:
        plans = list(plans)
        count = len(plans)
    workers = min(jobs or os.cpu_count() or 1, count)
    given: list[PlanInput] = []
    with steps(progress, count + 1) as advance:

        def audited_one(part: PlanPart) -> None:
            advance(part.label.get(lang) or part.plan or ", ".join(part.files))

        if workers > 1:
            # A multiprocessing pool rather than concurrent.futures: leaving its block (an
            # error, Ctrl-C) terminates the workers at once instead of waiting for their plans.
            with worker_pool(workers) as pool:
                pending = []
                for plan in plans:
                    given.append(plan)
                    task = _task(plan, shapes, lang)
                    pending.append(pool.apply_async(_audit_plan, (task,), callback=audited_one))
                # the union in this process, while the workers audit the plans
                cross = _audit_union([file for plan in given for file in plan.files], lang)
                audited = [result.get() for result in pending]
        else:
            given = list(plans)
            audited = []
            for plan in given:
                audited.append(_audit_plan(_task(plan, shapes, lang)))
                audited_one(audited[-1])
            cross = _audit_union([file for plan in given for file in plan.files], lang)
        advance("规划之间" if lang == "zh" else "across plans")
    return combine([*audited, cross])


def _task(
    plan: PlanInput, shapes: Sequence[Path], lang: str
) -> tuple[Sequence[Path], Sequence[Path], str, str | None]:
    return (plan.files, tuple(shapes), lang, plan.iri)


def _audit_plan(task: tuple[Sequence[Path], Sequence[Path], str, str | None]) -> PlanPart:
    files, shapes, lang, plan = task
    inputs = [*resources.ontology_files(), *files]
    # the plan's IRI too: its findings are tagged with it (none for a lone plan)
    key = audit_key(f"plan {plan}", lang, [*resources.shape_files(), *shapes], inputs)

    def build() -> PlanPart:
        graph, store = load_plan(inputs)
        report = run_audit(graph, load_shapes(shapes), lang, store)
        return _part(plan, graph, files, report)

    part = cached_part(key, build)
    part.files = [str(path) for path in files]  # an entry may come from copies elsewhere
    return part


def audit_one(files: Sequence[Path], shapes: Sequence[Path], lang: str) -> AuditReport:
    """The audit of one plan's ``files`` (with the ontology), cached by content."""
    part = _audit_plan((files, shapes, lang, None))
    return part.report


def _audit_union(files: Sequence[Path], lang: str) -> PlanPart:
    named = {path.name: path for path in resources.shape_files()}
    chosen = [named[name] for name in (CROSS_PLAN_SHAPES, *_SUPPORT_SHAPES) if name in named]
    inputs = [*resources.ontology_files(), *files]

    def build() -> PlanPart:
        shapes = load_shapes(chosen, bundled=False)
        # the union stays in oxigraph when the cross-plan shapes are all SPARQL constraints
        report = sparql_only_audit(union_store(inputs), shapes, lang)
        if report is None:
            graph, store = load_plan(inputs)
            report = run_audit(graph, shapes, lang, store)
        return _part(None, None, files, report)

    part = cached_part(audit_key("union", lang, chosen, inputs), build)
    part.files = [str(path) for path in files]
    return part


def _part(
    plan: str | None, graph: rdflib.Graph | None, files: Sequence[Path], report: AuditReport
) -> PlanPart:
    if plan is None or graph is None:
        label = {"zh": "规划之间", "en": "across plans"}
    else:
        label = {language: node_label(graph, rdflib.URIRef(plan), language) for language in LANGS}
    report.findings = [_with_plan(finding, plan) for finding in report.findings]
    return PlanPart(plan, label, [str(path) for path in files], report)


def _with_plan(finding: Finding, plan: str | None) -> Finding:
    return replace(finding, plan=plan)


def combine(parts: list[PlanPart]) -> AuditReport:
    """One report of the plans' reports: their findings in plan order, one SHACL report graph
    (every result under the first sh:ValidationReport node)."""
    graph = rdflib.Graph()
    report_node: rdflib.term.Node | None = None
    for part in parts:
        node = part.report.report_graph.value(None, RDF.type, SH.ValidationReport, any=True)
        for triple in part.report.report_graph:
            graph.add(triple)
        if report_node is None:
            report_node = node
        elif node is not None:
            for result in list(graph.objects(node, SH.result)):
                graph.add((report_node, SH.result, result))
            graph.remove((node, None, None))
    conforms = all(part.report.conforms for part in parts)
    if report_node is not None:
        graph.set((report_node, SH.conforms, rdflib.Literal(conforms)))
    families = families_of_parts(parts)
    findings = [finding for part in parts for finding in part.report.findings]
    return AuditReport(conforms, findings, graph, families, parts)


def families_of_parts(parts: Sequence[PlanPart]) -> list[Family]:
    families: dict[str, Family] = {}
    for part in parts:
        for family in part.report.families:
            families.setdefault(family.key, family)
    return sorted(families.values(), key=lambda family: (family.order, family.key))
