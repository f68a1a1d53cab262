"""The ASGI application: routes over a :class:`~ecokg.serve.portal.Portal`.

Linked-data convention (as the static site, ``ecokg export --site``, configured with
MultiViews): a resource IRI ``https://w3id.org/ecokg/PATH`` is served at ``/PATH`` directly,
``200`` with the negotiated representation, ``Content-Location: /PATH.ttl`` (the variant)
and ``Vary: Accept``; each variant also has its own URL (``/PATH.html``, ``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``). No 303: the static site, hosted anywhere, cannot send one,
and the two must resolve the same way. An IRI the data does not have is ``404``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ecokg.errors import UsageError
from ecokg.rdf import formats
from ecokg.rdf.formats import Format, Registry
from ecokg.rdf.jsonld_context import context_bytes
from ecokg.rdf.namespaces import ECO_NS
from ecokg.serve import pages, protocol
from ecokg.serve.conneg import media_type_header, negotiate
from ecokg.serve.limits import BodyLimit, read_body
from ecokg.serve.portal import Portal
from ecokg.serve.routes import answer_page, query_pages

log = logging.getLogger("ecokg.serve")
STATIC = Path(__file__).resolve().parent / "static"
RESOURCE_FORMATS = Registry(
    "page", formats.HTML, formats.TURTLE, formats.JSON_LD, formats.N_TRIPLES, formats.RDF_XML
)
RDF_FORMATS = Registry("rdf", formats.TURTLE, formats.JSON_LD, formats.N_TRIPLES, formats.RDF_XML)
# /PATH.ttl and the like: the variant a suffix names.
SUFFIXES = {".html": formats.HTML, ".ttl": formats.TURTLE, ".jsonld": formats.JSON_LD}
SUFFIXES |= {".nt": formats.N_TRIPLES, ".rdf": formats.RDF_XML}
LANG_COOKIE = "ecokg_lang"


def create_app(portal: Portal) -> Starlette:
    """The application serving ``portal`` (no I/O here: the portal is already built)."""
    environment = pages.make_environment()

    def lang_of(request: Request) -> str:
        return pages.choose_lang(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    def html(request: Request, template: str, status: int = 200, **values: Any) -> Response:
        lang = lang_of(request)
        text = environment.get_template(template).render(
            lang=lang, t=pages.TEXT[lang], request_path=request.url.path, **values
        )
        response = HTMLResponse(text, status_code=status)
        response.headers["Vary"] = "Accept, Accept-Language, Cookie"
        if request.query_params.get("lang") in pages.LANGS:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    def negotiated(request: Request, offered: Registry) -> Format:
        try:
            chosen = negotiate(offered, request.headers.get("accept"), _format_param(request))
        except UsageError as error:
            raise HTTPException(400, str(error)) from None
        if chosen is None:
            names = ", ".join(f.media_type for f in offered)
            raise HTTPException(406, f"not acceptable: this resource is available as {names}")
        return chosen

    def rdf_response(payload: bytes, chosen: Format, **headers: str) -> Response:
        response = Response(payload, media_type=media_type_header(chosen))
        response.headers["Vary"] = "Accept"
        response.headers.update(headers)
        return response

    async def dashboard(request: Request) -> Response:
        lang = lang_of(request)
        return html(request, "dashboard.html", **pages.dashboard(portal, lang))

    async def search(request: Request) -> Response:
        text = request.query_params.get("q", "")[:100]
        lang = lang_of(request)
        hits = [
            {
                "label": portal.label(e.iri, lang),
                "other": e.en if lang == "zh" else e.zh,
                "href": "/" + e.path,
                "curie": portal.graph.curie(e.iri),
            }
            for e in portal.search(text)
        ]
        if _wants_json(request):
            return JSONResponse({"q": text, "results": hits})
        return html(request, "search.html", q=text, hits=hits)

    async def audit(request: Request) -> Response:
        if portal.audit is None:
            raise HTTPException(503, "the audit is not available (see the server log)")
        if _wants_json(request):
            return JSONResponse(portal.audit.to_json())
        severity = request.query_params.get("severity") or None
        family = request.query_params.get("family") or None
        lang = lang_of(request)
        values = pages.audit_page(portal, lang, severity, family)
        families = [(f.key, f.name(lang)) for f in portal.audit.families]
        return html(request, "audit.html", families=families, **values)

    @lru_cache(maxsize=4096)
    def resource_bytes(iri: str, path: str, key: str, lang: str) -> bytes:
        from ecokg.publish.site import ontology_terms, resource_document

        chosen = RESOURCE_FORMATS.get(key)
        assert chosen is not None
        if chosen is not formats.HTML:
            assert chosen.rdf is not None
            return resource_document(portal.graph, iri, chosen.rdf, portal.context_url)
        view = portal.graph.view(iri)
        name = path.rsplit("/", 1)[-1]
        template = "ontology.html" if iri == ECO_NS else "resource.html"
        extra = ontology_terms(portal.graph, path) if iri == ECO_NS else {}
        return (
            environment.get_template(template)
            .render(
                lang=lang,
                t=pages.TEXT[lang],
                request_path="/" + path,
                view=view,
                name=name,
                home="/",
                **extra,
            )
            .encode("utf-8")
        )

    async def resource(request: Request) -> Response:
        path = request.path_params["path"]
        iri = portal.by_path.get(path)
        chosen: Format | None = None
        if iri is None:
            stem, dot, suffix = path.rpartition(".")
            iri = portal.by_path.get(stem) if dot else None
            chosen = SUFFIXES.get("." + suffix)
            if iri is None or chosen is None:
                return moved_or_404(request, path)
            path = stem
        headers = {}
        if chosen is None:
            chosen = negotiated(request, RESOURCE_FORMATS)
            headers["Content-Location"] = (
                f"/{path}{chosen.extension if chosen is not formats.HTML else '.html'}"
            )
        lang = lang_of(request)
        payload = resource_bytes(iri, path, chosen.key, lang if chosen is formats.HTML else "")
        response = rdf_response(payload, chosen, **headers)
        if chosen is formats.HTML:
            response.headers["Vary"] = "Accept, Accept-Language, Cookie"
        return response

    def moved_or_404(request: Request, path: str) -> Response:
        """301 from a release 0.1 address (/id/township/sixi[.ttl]) to today's (0.2 keeps
        them working; a later release drops them); 404 for anything else."""
        from ecokg.publish.settings import site_root
        from ecokg.publish.site import current_page_path

        stem, dot, suffix = path.rpartition(".")
        suffix = dot + suffix if dot and "." + suffix in SUFFIXES else ""
        old = stem if suffix else path
        root = site_root(portal.graph.base)
        new = current_page_path(old, root, portal.graph.base)
        if new is None or new not in portal.by_path:
            raise HTTPException(404, f"no resource at /{path}")
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/{quote(new)}{suffix}{query}", status_code=301)

    async def catalog(request: Request) -> Response:
        from ecokg.publish.catalog import serialize_catalog

        chosen = negotiated(request, Registry("catalog", formats.TURTLE, formats.JSON_LD))
        payload = await run_in_threadpool(serialize_catalog, portal.dataset, portal.settings)
        return rdf_response(payload[chosen.key], chosen)

    async def void(request: Request) -> Response:
        chosen = negotiated(request, RDF_FORMATS)
        payload = await run_in_threadpool(_void_bytes, portal, chosen)
        return rdf_response(payload, chosen)

    async def context(request: Request) -> Response:
        return Response(context_bytes(), media_type="application/ld+json")

    async def style(request: Request) -> Response:
        from ecokg.publish.site import TEMPLATES as SITE_TEMPLATES

        css = (SITE_TEMPLATES / "style.css").read_bytes() + (STATIC / "serve.css").read_bytes()
        return Response(css, media_type="text/css; charset=utf-8")

    async def sparql(request: Request) -> Response:
        body = await read_body(request, portal.limits.max_body)
        browser = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and "query" not in request.query_params and browser:
            return editor(request)
        try:
            query = protocol.read_request(
                request.method, request.headers.get("content-type"), request.url.query, body
            )
            offered = protocol.offered(query.form)
            chosen = negotiated(request, offered)
            payload = await run_in_threadpool(
                protocol.execute, portal.store, query, chosen, portal.limits.max_rows
            )
        except protocol.ProtocolError as error:
            return PlainTextResponse(error.message + "\n", status_code=error.status)
        return rdf_response(payload, chosen)

    def editor(request: Request) -> Response:
        from ecokg.query.library import list_named_queries

        lang = lang_of(request)
        named = [
            {"name": q.name, "title": q.title(lang), "text": q.text} for q in list_named_queries()
        ]
        preset = request.query_params.get("query", "")
        return html(request, "editor.html", named=named, preset=preset)

    async def editor_page(request: Request) -> Response:
        return editor(request)

    async def ask(request: Request) -> Response:
        return await answer_page(portal, request, html, lang_of(request), _wants_json(request))

    async def queries(request: Request) -> Response:
        return await query_pages(portal, request, html, lang_of(request))

    routes = [
        Route("/", dashboard),
        Route("/index.html", dashboard),
        Route("/search", search),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/editor", editor_page),
        Route("/ask", ask),
        Route("/queries", queries),
        Route("/queries/{name}", queries),
        Route("/audit", audit),
        Route("/catalog", catalog),
        Route("/void", void),
        Route("/context.jsonld", context),
        Route("/style.css", style),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        Route("/{path:path}", resource),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail or ""
        if "text/html" in request.headers.get("accept", ""):
            return html(
                request,
                "error.html",
                status=exc.status_code,
                status_code=exc.status_code,
                detail=detail,
            )
        return PlainTextResponse(detail + "\n", status_code=exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
        return PlainTextResponse("internal error (see the server log)\n", status_code=500)

    middleware = [
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"]),
        Middleware(BodyLimit, max_body=portal.limits.max_body),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )


def _format_param(request: Request) -> str | None:
    return request.query_params.get("_format")


def _wants_json(request: Request) -> bool:
    if request.query_params.get("_format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _void_bytes(portal: Portal, chosen: Format) -> bytes:
    from ecokg.publish.void import void_triples
    from ecokg.query.results import serialize_triples

    settings = portal.settings
    triples = void_triples(portal.dataset, settings.base, settings, settings.node("dataset"))
    assert chosen.rdf is not None
    return serialize_triples(triples, chosen.rdf)
