"""The analysed question: what :func:`ecokg.ask.analysis.analyse` understood.

:class:`Analysis` holds the answer class, the attribute, the form and the
:class:`Constraint` s joining the named things to the answer; the compiler
(:mod:`ecokg.ask.compile`) and the answer forms (:mod:`ecokg.ask.forms`) read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecokg.ask.entities import Entity
from ecokg.ask.lexicon import Hit
from ecokg.ask.schema import Step
from ecokg.rdf.namespaces import compact


@dataclass(frozen=True)
class Constraint:
    """The answer joined to ``entity`` (or to any thing of ``goal_class``) along ``path``."""

    path: tuple[Step, ...]
    entity: Entity | None = None
    goal_class: str | None = None
    negated: bool = False
    attribute: str | None = None  # negated attribute: "without an investment"
    value_kind: str | None = None  # the negated attribute's kind: figure, period, text


@dataclass
class Analysis:
    """How a question was understood."""

    lang: str
    form: str  # list|attribute|count|sum|average|max|min|top|yesno|comparison
    answer_class: str | None
    attribute: str | None = None
    attribute_kind: str | None = None  # figure|period|text
    subjects: list[Entity] = field(default_factory=list)  # things asked about (VALUES)
    constraints: list[Constraint] = field(default_factory=list)
    count_class: str | None = None  # max/min by the number of linked things of this class
    count_path: tuple[Step, ...] = ()
    years: tuple[int, ...] = ()
    schedule: str | None = None  # the period property the years constrain
    choices: tuple[str, ...] = ()  # several attributes, the years choosing among them
    top: int | None = None
    descending: bool = True
    asks_yes: bool = False  # a comparison asked as yes or no ("A比B多吗？")
    # a number the question compares with (超过1亿元): (more?, number, unit multiplier, text)
    threshold: tuple[bool, float, float, str] | None = None
    summed: str | None = None  # ranked by the total of this attribute of the counted things
    in_unit: bool = False  # a quantity asked in a unit (多少万亩): not a count
    inclusive: bool = False  # the threshold's number passes too (至少, at least: ≥)
    threshold_unit: str | None = None  # the threshold's unit as written (casefolded)
    words: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "form": self.form,
            "answerClass": self.answer_class,
            "attribute": self.attribute,
            "about": [subject.iri for subject in self.subjects],
            "constraints": [
                {
                    "path": [{"property": step.prop, "forward": step.forward} for step in c.path],
                    "entity": c.entity.iri if c.entity else None,
                    "class": c.goal_class,
                    "attribute": c.attribute,
                    "negated": c.negated,
                }
                for c in self.constraints
            ],
            "rankedBy": self.count_class,
            "rankedBySumOf": self.summed,
            "years": list(self.years),
            "top": self.top,
            "threshold": self.threshold[3] if self.threshold else None,
        }

    def describe(self) -> list[tuple[str, str]]:
        """(what, value) lines for ``--explain``."""
        lines = [("form", self.form)]
        if self.answer_class:
            lines.append(("answer class", compact(self.answer_class)))
        if self.attribute:
            lines.append(("attribute", f"{compact(self.attribute)} ({self.attribute_kind})"))
        for subject in self.subjects:
            lines.append(("about", f"{subject.label(self.lang)} <{compact(subject.iri)}>"))
        for constraint in self.constraints:
            target = (
                f"{constraint.entity.label(self.lang)} <{compact(constraint.entity.iri)}>"
                if constraint.entity
                else compact(constraint.attribute or constraint.goal_class or "")
            )
            path = " / ".join(
                ("" if step.forward else "^") + compact(step.prop) for step in constraint.path
            )
            label = ("not " if constraint.negated else "") + "constraint"
            lines.append((label, f"{path} → {target}"))
        if self.count_class and self.summed:
            lines.append(
                ("ranked by the total", f"{compact(self.summed)} of {compact(self.count_class)}")
            )
        elif self.count_class:
            lines.append(("ranked by the number of", compact(self.count_class)))
        if self.years:
            lines.append(("years", "–".join(str(y) for y in self.years)))
        if self.top:
            lines.append(("top", str(self.top)))
        if self.threshold:
            sign = (">" if self.threshold[0] else "<") + ("=" if self.inclusive else "")
            lines.append(("compared with", f"{sign} {self.threshold[3]}"))
        return lines
