"""SPARQL from an analysis: one SELECT, SPARQL 1.1 that Oxigraph and Virtuoso both run.

Each row is one answer thing ``?x`` with, where asked, its ``?value`` (a figure's number
with ``?unit``, a period as ``2021-2025``, a text, or a count), the ``?evidence`` of its
links ("stated" when the plan graph states every link of the constraints, else
"inferred") and its ``?sources`` (the zh labels of the sections the value, or the thing,
derives from). Counting, summing and ranking happen on these rows (:mod:`ecokg.ask.forms`),
so the rows that support an answer are the rows shown.
"""

from __future__ import annotations

from ecokg.ask.analysis import Analysis, Constraint
from ecokg.ask.schema import Step
from ecokg.errors import UsageError
from ecokg.rdf.namespaces import GRAPH_PLAN

PAIR = "|"  # joins a section's zh and en labels in ``?sources``
COLUMNS = ("x", "value", "unit", "unitZh", "unitEn", "multiplier", "evidence", "sources")
_UNSAFE_IRI = frozenset('<>"{}|^`\\ \n\t')


def iri(value: str) -> str:
    if any(char in _UNSAFE_IRI for char in value):
        raise UsageError(f"cannot use the IRI {value!r} in a query")
    return f"<{value}>"


class _Builder:
    def __init__(self) -> None:
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?v{self.count}"

    def path(self, start: str, steps: tuple[Step, ...], end: str) -> list[str]:
        """Triple patterns joining ``start`` to ``end`` along ``steps``."""
        patterns = []
        here = start
        for number, step in enumerate(steps):
            there = end if number == len(steps) - 1 else self.fresh()
            subject, obj = (here, there) if step.forward else (there, here)
            props = (step.prop, *step.alternatives)
            predicate = "|".join(iri(prop) for prop in props)
            predicate = predicate if len(props) == 1 else f"({predicate})"
            patterns.append(f"{subject} {predicate} {obj} .")
            here = there
        return patterns


def _goal_type(variable: str, goal_class: str, schemes: set[str]) -> str:
    if goal_class in schemes:
        return f"{variable} skos:inScheme {iri(goal_class)} ."
    return f"{variable} a {iri(goal_class)} ."


def compile_query(analysis: Analysis, schemes: set[str]) -> str:
    """The SELECT answering ``analysis``; ``schemes``: the concept schemes of the schema."""
    build = _Builder()
    where: list[str] = []
    if analysis.subjects:
        where.append("VALUES ?x { " + " ".join(iri(s.iri) for s in analysis.subjects) + " }")
    elif analysis.answer_class:
        where.append(_goal_type("?x", analysis.answer_class, schemes))
    stated: list[str] = []
    for constraint in analysis.constraints:
        patterns = _constraint(build, constraint, schemes)
        if constraint.negated:
            where.append("FILTER NOT EXISTS { " + " ".join(patterns) + " }")
        else:
            where.extend(patterns)
            stated.extend(p for p in patterns if not p.startswith("?") or " a " not in p)
    source = "?x"
    if analysis.attribute and analysis.attribute_kind in {"figure", "metric"}:
        if analysis.attribute_kind == "metric":
            where += [
                f"?node eco:refersTo ?x ; eco:metric {iri(analysis.attribute)} .",
                "FILTER NOT EXISTS { ?node eco:category ?category }",
                "FILTER NOT EXISTS { ?node a eco:Output }",
            ]
        elif analysis.choices:
            choices = " ".join(iri(choice) for choice in analysis.choices)
            where += [f"VALUES ?attribute {{ {choices} }}", "?x ?attribute ?node ."]
        else:
            where.append(f"?x {iri(analysis.attribute)} ?node .")
        if analysis.form == "attribute":  # a target the plan states in words (基本消除)
            where += [
                "OPTIONAL { ?node qudt:numericValue ?number }",
                "OPTIONAL { ?node eco:statedText ?statedText .",
                '  FILTER(STR(?statedText) != "—") }',
                "FILTER(BOUND(?number) || BOUND(?statedText))",
                "BIND(COALESCE(?number, STR(?statedText)) AS ?value)",
            ]
        else:
            where.append("?node qudt:numericValue ?value .")
        where += [
            "OPTIONAL { ?node qudt:hasUnit ?unit .",
            '  OPTIONAL { ?unit rdfs:label ?unitZh . FILTER(LANG(?unitZh) = "zh") }',
            '  OPTIONAL { ?unit rdfs:label ?unitEn . FILTER(LANG(?unitEn) = "en") }',
            "  OPTIONAL { ?unit qudt:conversionMultiplier ?multiplier } }",
        ]
        if analysis.years:
            years = " ".join(f'"{y}"' for y in analysis.years)
            where += [
                "OPTIONAL { ?node eco:referenceYear ?year }",
                f"FILTER(!BOUND(?year) || STR(?year) IN ({years.replace(' ', ', ')}))",
            ]
        source = "?node"
    elif analysis.attribute and analysis.attribute_kind == "period":
        where += _period(analysis.attribute, analysis.years, bind_value=True)
    elif analysis.attribute:
        where += [
            f"?x {iri(analysis.attribute)} ?value .",
            f'FILTER(!isLITERAL(?value) || LANG(?value) IN ("", "{analysis.lang}", "zh"))',
        ]
    elif analysis.years and analysis.schedule:
        where += _period(analysis.schedule, analysis.years, bind_value=True)
    if analysis.count_class:
        inner = [_goal_type("?x", analysis.answer_class or "", schemes)]
        inner += build.path("?x", analysis.count_path, "?counted")
        inner.append(_goal_type("?counted", analysis.count_class, schemes))
        if analysis.summed:  # each counted thing's figure once, in 元 etc., then the unit
            inner += [
                f"?counted {iri(analysis.summed)} ?figure . ?figure qudt:numericValue ?amount .",
                "OPTIONAL { ?figure qudt:hasUnit ?amountUnit .",
                "  OPTIONAL { ?amountUnit qudt:conversionMultiplier ?amountFactor } }",
            ]
            where += [
                "{ SELECT ?x (SUM(?amount * COALESCE(?amountFactor, 1)) AS ?base)"
                " (SAMPLE(?amountUnit) AS ?unit) WHERE { SELECT DISTINCT ?x ?counted ?amount"
                " ?amountUnit ?amountFactor WHERE { " + " ".join(inner) + " } } GROUP BY ?x }",
                'OPTIONAL { ?unit rdfs:label ?unitZh . FILTER(LANG(?unitZh) = "zh") }',
                'OPTIONAL { ?unit rdfs:label ?unitEn . FILTER(LANG(?unitEn) = "en") }',
                "OPTIONAL { ?unit qudt:conversionMultiplier ?multiplier }",
                "BIND(?base / COALESCE(?multiplier, 1) AS ?value)",
            ]
        else:
            where.append(
                "{ SELECT ?x (COUNT(DISTINCT ?counted) AS ?value) WHERE { "
                + " ".join(inner)
                + " } GROUP BY ?x }"
            )
    if stated:
        where.append(
            f"BIND(IF(EXISTS {{ GRAPH ?statedGraph {{ {' '.join(stated)} }} "
            f'FILTER(STRSTARTS(STR(?statedGraph), "{GRAPH_PLAN}")) }}, '
            '"stated", "inferred") AS ?evidence)'
        )
    else:
        where.append('BIND("stated" AS ?evidence)')
    where += [
        f"OPTIONAL {{ {source} prov:wasDerivedFrom ?section .",
        '  ?section rdfs:label ?sectionZh . FILTER(LANG(?sectionZh) = "zh")',
        '  OPTIONAL { ?section rdfs:label ?sectionEn . FILTER(LANG(?sectionEn) = "en") }',
        f'  BIND(CONCAT(?sectionZh, "{PAIR}", COALESCE(?sectionEn, ?sectionZh))'
        " AS ?sectionLabel) }",
    ]
    body = "\n  ".join(where)
    keys = "?x ?value ?unit ?unitZh ?unitEn ?multiplier ?evidence"
    return (
        f"SELECT {keys}\n"
        '  (STR(GROUP_CONCAT(DISTINCT ?sectionLabel; separator="; ")) AS ?sources)\n'
        f"WHERE {{\n  {body}\n}}\nGROUP BY {keys}\n"
    )


def _constraint(build: _Builder, constraint: Constraint, schemes: set[str]) -> list[str]:
    if constraint.attribute:  # a figure without a number ("—") is no value either
        node = build.fresh()
        value = {"figure": "qudt:numericValue", "period": "time:hasBeginning"}
        patterns = [f"?x {iri(constraint.attribute)} {node} ."]
        if constraint.value_kind in value:
            patterns.append(f"{node} {value[constraint.value_kind]} {build.fresh()} .")
        return patterns
    if constraint.entity is not None:
        return build.path("?x", constraint.path, iri(constraint.entity.iri))
    goal = build.fresh()
    return [
        *build.path("?x", constraint.path, goal),
        _goal_type(goal, constraint.goal_class or "", schemes),
    ]


_YEAR_BEGIN = "xsd:integer(STR(?begin))"
_YEAR_END = "xsd:integer(STR(?end))"


def _period(prop: str, years: tuple[int, ...], *, bind_value: bool) -> list[str]:
    patterns = [
        f"?x {iri(prop)} ?period .",
        "?period time:hasBeginning/time:inXSDgYear ?begin ; time:hasEnd/time:inXSDgYear ?end .",
    ]
    if bind_value:
        patterns.append('BIND(CONCAT(STR(?begin), "-", STR(?end)) AS ?value)')
    if len(years) == 1:
        year = years[0]
        patterns.append(f"FILTER({_YEAR_BEGIN} <= {year} && {year} <= {_YEAR_END})")
    elif len(years) >= 2:
        patterns.append(f"FILTER({_YEAR_BEGIN} >= {years[0]} && {_YEAR_END} <= {years[-1]})")
    return patterns
