"""Run the matched query and present the answer: a Rich table or JSON.

Cells that are IRIs carry their labels in both languages; the table shows the label in
the question's language. Columns that only repeat something already shown are left out
of the table (the bound parameters, and ``projectZh``/``projectEn`` beside ``project``),
never out of the JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ecokg.ask.cell import Cell
from ecokg.ask.entities import EntityIndex
from ecokg.ask.intents import IntentMatch
from ecokg.ask.linking import Mention
from ecokg.errors import UsageError
from ecokg.query import columns as column_titles
from ecokg.query import library as querylib
from ecokg.rdf.namespaces import compact

if TYPE_CHECKING:
    from rich.console import Console

    from ecokg.ask.analysis import Analysis
    from ecokg.ask.forms import Structured
    from ecokg.stores.base import Store

LANG_SUFFIXES = {"zh": "Zh", "en": "En"}
NO_RESULTS = {"zh": "没有找到结果", "en": "No results"}


@dataclass
class Answer:
    """A question, how it was understood and the rows that answer it."""

    question: str
    lang: str
    match: IntentMatch | None  # the named query that answered, or None: a generated query
    mentions: list[Mention]
    columns: list[str]
    rows: list[list[Cell | None]]
    analysis: Analysis | None = None
    generated: str | None = None  # the generated SPARQL
    structured: Structured | None = None
    sentence: str = ""
    generated_headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sparql(self) -> str:
        return self.match.query.text if self.match is not None else (self.generated or "")

    def title(self) -> str:
        if self.match is not None:
            return self.match.query.title(self.lang)
        return "生成的查询" if self.lang == "zh" else "Generated query"

    def header(self, number: int) -> str:
        if self.match is not None:
            return column_titles.title(self.match.query, self.columns[number], self.lang)
        return self.generated_headers.get(self.lang, self.columns)[number]

    def entities(self) -> list[dict[str, Any]]:
        """Each mention with the entity it was taken to name (the bound one if bound)."""
        bindings = self.match.bindings if self.match is not None else ()
        bound = {id(b.mention): b for b in bindings if b.mention is not None}
        listed = []
        for mention in self.mentions:
            binding = bound.get(id(mention))
            entity = binding.entity if binding and binding.entity else mention.best.entity
            rank = next(c.rank for c in mention.candidates if c.entity is entity)
            listed.append(
                {
                    "text": mention.text,
                    "iri": entity.iri,
                    "kind": entity.kind,
                    "label": {"zh": entity.label_zh, "en": entity.label_en},
                    "param": binding.param.name if binding else None,
                    "match": rank,
                }
            )
        return listed

    def unit_columns(self) -> dict[int, int]:
        """Index of each value column → index of its unit column (the query's ``# units:``)."""
        if self.match is None:
            return {self.columns.index("value"): self.columns.index("unit")}
        return column_titles.unit_columns(self.match.query, self.columns)

    def cell_text(self, row: list[Cell | None], number: int) -> str:
        """A cell in the answer's language, a value with its unit where the query names one."""
        cell = row[number]
        if cell is None:
            return ""
        unit_number = self.unit_columns().get(number)
        unit = row[unit_number] if unit_number is not None else None
        text = cell.text(self.lang)
        return column_titles.with_unit(text, unit.text(self.lang), self.lang) if unit else text

    def to_json(self) -> dict[str, Any]:
        units = self.unit_columns()
        bindings = self.match.bindings if self.match is not None else ()
        data: dict[str, Any] = {
            "question": self.question,
            "lang": self.lang,
            "intent": {
                "query": self.match.query.name if self.match is not None else None,
                "title": self.title(),
                "score": self.match.score if self.match is not None else None,
            },
            "entities": self.entities(),
            "params": {b.param.name: b.value.strip("<>") for b in bindings},
            "sparql": self.sparql,
            "columns": self.columns,
            "headers": [self.header(number) for number in range(len(self.columns))],
            "rows": [
                [_cell_json(row, number, units) for number in range(len(row))] for row in self.rows
            ],
            "sentence": self.sentence,
            "answer": self.structured.to_json() if self.structured is not None else None,
        }
        if self.analysis is not None:
            data["analysis"] = self.analysis.to_json()
        return data


def _cell_json(row: list[Cell | None], number: int, units: dict[int, int]) -> Any:
    """A cell's JSON; a value whose query names its unit column also carries that unit."""
    cell = row[number]
    if cell is None:
        return None
    data = cell.to_json()
    unit = row[units[number]] if number in units else None
    if unit is not None:
        data["unit"] = unit.to_json()
    return data


def run_match(
    dataset: Store,
    index: EntityIndex,
    question: str,
    lang: str,
    mentions: Sequence[Mention],
    match: IntentMatch,
) -> Answer:
    """Bind the parameters, run the query and read the rows with labels."""
    result = querylib.run_named_query(dataset, match.query, match.values())
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError(f"query {match.query.name}: not a SELECT query")
    columns = [variable.value for variable in result.variables]
    terms = [[solution[column] for column in columns] for solution in result]
    labels = _labels(dataset, index, {t.value for row in terms for t in row if _is_iri(t)})
    rows = [[_cell(term, labels) for term in row] for row in terms]
    if SOURCES in columns:
        label_sources(rows, columns.index(SOURCES), dataset)
    if has_user_data(dataset):
        from ecokg.ask.provenance import mark_user_data  # imports the loaders: only then

        mark_user_data(dataset, columns, terms, rows)
    return Answer(question, lang, match, list(mentions), columns, rows)


def has_user_data(dataset: Store) -> bool:
    """Whether the plan graphs hold files besides the bundled plan (the user's --data)."""
    from ecokg import resources
    from ecokg.rdf.namespaces import is_plan_graph

    bundled = resources.plan_file()
    return any(
        is_plan_graph(loaded.graph) and loaded.path != bundled
        for loaded in getattr(dataset, "files", ())
    )


SOURCES = "sources"
_SECTION_LABELS = """SELECT ?zh ?en WHERE {
  ?section a eco:PlanSection ; rdfs:label ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}"""


def label_sources(rows: list[list[Cell | None]], column: int, dataset: Store) -> None:
    """Give each ``sources`` cell (section labels in Chinese, "; "-joined, as the queries
    build them) its English wording, so English answers cite sections in English."""
    result = dataset.query(_SECTION_LABELS)
    if not isinstance(result, ox.QuerySolutions):
        return
    english = {row["zh"].value: row["en"].value for row in result}
    for row in rows:
        cell = row[column]
        if cell is not None and cell.iri is None:
            parts = cell.value.split("; ")
            translated = "; ".join(english.get(part, part) for part in parts)
            row[column] = replace(cell, label_zh=cell.value, label_en=translated)


def _is_iri(term: object) -> bool:
    return isinstance(term, ox.NamedNode)


def _labels(
    dataset: Store, index: EntityIndex, iris: set[str]
) -> dict[str, tuple[str | None, str | None]]:
    labels: dict[str, tuple[str | None, str | None]] = {}
    for iri in iris:
        entity = index.entities.get(iri)
        if entity is not None:
            labels[iri] = (entity.label_zh, entity.label_en)
        else:
            labels[iri] = (dataset.label(iri, "zh"), dataset.label(iri, "en"))
    return labels


def _cell(term: object, labels: dict[str, tuple[str | None, str | None]]) -> Cell | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        zh, en = labels.get(term.value, (None, None))
        return Cell(term.value, term.value, zh, en)
    if isinstance(term, ox.Literal | ox.BlankNode):
        return Cell(term.value)
    return Cell(str(term))


def table_columns(answer: Answer) -> list[int]:
    """Indexes of the columns the table shows."""
    if answer.match is None:
        shown = [0, 1, 3, 4] if any(row[1] is not None for row in answer.rows) else [0, 3, 4]
        return shown
    params = {binding.param.name for binding in answer.match.bindings}
    names = set(answer.columns)
    other = LANG_SUFFIXES["en" if answer.lang == "zh" else "zh"]
    own = LANG_SUFFIXES[answer.lang]
    units = answer.unit_columns()
    printed_with_values = {
        unit for value, unit in units.items() if answer.columns[value] not in params
    }
    shown = []
    for number, column in enumerate(answer.columns):
        if column in params or column.endswith(other) or number in printed_with_values:
            continue
        if column.endswith(own) and column[: -len(own)] in names:
            continue  # the IRI column beside it shows this label
        shown.append(number)
    return shown


def render(console: Console, answer: Answer, *, explain: bool = False) -> None:
    """The understood question, the bound parameters, then the table of results."""
    from rich.markup import escape
    from rich.table import Table

    lang = answer.lang
    if answer.sentence:
        console.print(f"[bold]{escape(answer.sentence)}[/bold]")
    if answer.match is not None:
        query = answer.match.query
        score = f"{query.name}, score {answer.match.score:g}"
        console.print(f"{escape(query.title(lang))}  [dim]({score})[/dim]")
        for binding in answer.match.bindings:
            if binding.entity is not None:
                label = escape(binding.entity.label(lang))
                shown = f"{label} [dim]<{compact(binding.entity.iri)}>[/dim]"
            else:
                shown = escape(binding.value)
            console.print(f"  {binding.param.name} = {shown}")
    if explain and answer.analysis is not None:
        for what, value in answer.analysis.describe():
            console.print(f"  [dim]{escape(what)}:[/dim] {escape(value)}")
    if explain:
        console.print()
        console.out(answer.sparql.rstrip("\n"), highlight=False)
        console.print()
    if not answer.rows:
        console.print(NO_RESULTS[lang])
        return
    columns = table_columns(answer)
    table = Table(header_style="bold")
    for number in columns:
        table.add_column(escape(answer.header(number)), overflow="fold")
    for row in answer.rows:
        table.add_row(*(escape(answer.cell_text(row, n)) for n in columns))
    console.print(table)
    count = len(answer.rows)
    if lang == "zh":
        console.print(f"共 {count} 条", style="dim")
    else:
        console.print(f"{count} row{'s' if count != 1 else ''}", style="dim")
