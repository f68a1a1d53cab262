"""The question box (``/ask``) and the named-query library (``/queries``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ecokg.errors import EcokgError, QueryTimeout
from ecokg.query import columns as column_titles
from ecokg.stores.base import SolutionTable

if TYPE_CHECKING:
    from ecokg.serve.portal import Portal

Html = Callable[..., Response]
MAX_SECTIONS = 30


async def answer_page(
    portal: Portal, request: Request, html: Html, lang: str, as_json: bool
) -> Response:
    question = request.query_params.get("q", "").strip()
    if not question:
        if as_json:
            return JSONResponse({"error": "give a question: /ask?q=…"}, status_code=400)
        return html(request, "ask.html", question="", answer=None, error=None)
    if portal.asker is None:
        raise HTTPException(503, "the question engine is not available (see the server log)")
    asker = portal.asker
    try:
        answer = await run_in_threadpool(lambda: asker.ask(question).to_json())
    except QueryTimeout as error:
        raise HTTPException(503, str(error)) from None
    except EcokgError as error:
        if as_json:
            return JSONResponse({"question": question, "error": str(error)}, status_code=400)
        return html(request, "ask.html", question=question, answer=None, error=str(error))
    if as_json:
        return JSONResponse(answer)
    return html(
        request, "ask.html", question=question, error=None, **_answer_view(portal, answer, lang)
    )


def _answer_view(portal: Portal, answer: dict[str, Any], lang: str) -> dict[str, Any]:
    """The answer as the page shows it: today's keys, and ``sentence``/``answer`` when the
    engine gives them."""
    iris: list[str] = []
    query = _named_query((answer.get("intent") or {}).get("query"))
    columns: list[str] = answer.get("columns") or []
    if columns:  # folded as ecokg ask prints it (ecokg.query.columns)
        shown = column_titles.shown_columns(query, columns, lang, answer.get("params") or {})
        shown = [n for n in shown if not _repeats_a_link(answer.get("rows", []), n, lang)]
        headers = [column_titles.title(query, columns[number], lang) for number in shown]
    else:
        headers = answer.get("headers") or []
    rows = []
    for row in answer.get("rows", []):
        for cell in row:
            if isinstance(cell, dict) and cell.get("iri"):
                iris.append(cell["iri"])
        chosen = [row[number] for number in shown] if columns else row
        rows.append([_cell(portal, cell, lang) for cell in chosen])
    entities = [
        {
            "text": entity.get("text", ""),
            "label": portal.label(entity["iri"], lang) if entity.get("iri") else "",
            "href": portal.href(entity["iri"]) if entity.get("iri") else "",
        }
        for entity in answer.get("entities", [])
    ]
    sections = portal.sections_of(*dict.fromkeys(iris))[:MAX_SECTIONS]
    sparql = answer.get("sparql") or ""
    return {
        "answer": answer,
        "sentence": answer.get("sentence"),
        "headers": headers,
        "rows": rows,
        "entities": entities,
        "sections": [(portal.label(s, lang), portal.href(s)) for s in sections],
        "sparql": sparql,
        "editor_href": "/editor?" + urlencode({"query": sparql}) if sparql else "",
        "intent": (answer.get("intent") or {}).get("title", ""),
    }


def _repeats_a_link(rows: list[list[Any]], number: int, lang: str) -> bool:
    """True when column ``number`` holds, on every row, the label of an entity the row links
    (e.g. ``labelZh`` beside ``project``): the link text already shows it."""
    if not rows:
        return False
    for row in rows:
        cell = row[number]
        if not isinstance(cell, dict) or cell.get("iri"):
            return False
        linked = {
            (other.get("label") or {}).get(lang)
            for other in row
            if isinstance(other, dict) and other.get("iri")
        }
        if str(cell.get("value", "")) not in linked:
            return False
    return True


def _named_query(name: object) -> Any:
    from ecokg.query.library import get_named_query

    if not isinstance(name, str):
        return None
    try:
        return get_named_query(name)
    except EcokgError:
        return None


def _cell(portal: Portal, cell: Any, lang: str) -> dict[str, str]:
    if cell is None:
        return {"text": "", "href": ""}
    if not isinstance(cell, dict):
        return {"text": str(cell), "href": ""}
    label = cell.get("label") or {}
    text = label.get(lang) or label.get("zh") or label.get("en") or str(cell.get("value", ""))
    unit = cell.get("unit")
    if isinstance(unit, dict):
        unit_label = unit.get("label") or {}
        text += " " + (unit_label.get(lang) or str(unit.get("value", "")))
    iri = cell.get("iri")
    return {"text": text, "href": portal.href(iri) if iri else ""}


async def query_pages(portal: Portal, request: Request, html: Html, lang: str) -> Response:
    from ecokg.query.library import get_named_query, list_named_queries, run_named_query

    name = request.path_params.get("name")
    if name is None:
        library = [_query_view(q, lang, {}) for q in list_named_queries()]
        return html(request, "queries.html", library=library, chosen=None)
    try:
        query = get_named_query(name)
    except EcokgError:
        raise HTTPException(404, f"no named query {name!r}") from None
    values = {
        p.name: request.query_params[p.name]
        for p in query.params
        if request.query_params.get(p.name)
    }
    view = _query_view(query, lang, values)
    missing = [p.name for p in query.params if p.required and p.name not in values]
    table, error = None, None
    if not missing:
        try:
            # run and read on one thread: pyoxigraph's results must not cross threads
            table = await run_in_threadpool(
                lambda: _table(portal, run_named_query(portal.store, query, values), lang)
            )
        except QueryTimeout as timeout:
            raise HTTPException(503, str(timeout)) from None
        except EcokgError as failure:
            error = str(failure)
    return html(request, "queries.html", library=[view], chosen=view, table=table, error=error)


def _query_view(query: Any, lang: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title(lang),
        "returns": query.returns,
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "value": values.get(p.name, p.default or ""),
                "required": p.required,
            }
            for p in query.params
        ],
        "text": query.text,
        "editor_href": "/editor?" + urlencode({"query": query.text}),
    }


def _table(portal: Portal, result: Any, lang: str) -> dict[str, Any]:
    if isinstance(result, ox.QueryBoolean):
        return {"columns": ["ASK"], "rows": [[{"text": str(bool(result)).lower(), "href": ""}]]}
    if not isinstance(result, ox.QuerySolutions):
        rows = [
            [_term(portal, t, lang) for t in (tr.subject, tr.predicate, tr.object)] for tr in result
        ]
        return {"columns": ["subject", "predicate", "object"], "rows": rows}
    table = SolutionTable.from_solutions(result)
    return {
        "columns": table.variables,
        "rows": [[_term(portal, term, lang) for term in row] for row in table.rows],
    }


def _term(portal: Portal, term: object, lang: str) -> dict[str, str]:
    if term is None:
        return {"text": "", "href": ""}
    if isinstance(term, ox.NamedNode):
        return {"text": portal.label(term.value, lang), "href": portal.href(term.value)}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": ""}
    return {"text": str(term), "href": ""}
