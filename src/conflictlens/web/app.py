"""The application: the API router, the desk's pages and assets, and the offline API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from conflictlens import __version__
from conflictlens.ingest.fetch import FetchSettings, default_cache_dir
from conflictlens.store import Store
from conflictlens.web.api import router
from conflictlens.web.limits import BodyLimit, WriteRateLimit

STATIC_DIR = Path(__file__).parent / "static"
DESK_DIR = STATIC_DIR / "desk"
VENDOR_DIR = STATIC_DIR / "vendor"
SWAGGER_DIR = "/static/vendor/swagger-ui-dist"

# The desk runs only its own scripts and talks only to its own server, so article text that
# slipped into the page could neither run nor send anything anywhere.
DESK_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI's page starts itself with an inline script; it shows no article text.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def missing_vendor_files() -> list[str]:
    """Front-end libraries `make install` should have copied in, that are not there."""
    wanted = (
        "leaflet/leaflet.js",
        "leaflet.markercluster/leaflet.markercluster.js",
        "topojson-client/topojson-client.min.js",
        "world-atlas/countries-50m.json",
        "swagger-ui-dist/swagger-ui-bundle.js",
    )
    return [name for name in wanted if not (VENDOR_DIR / name).is_file()]


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Every refusal the app raises, in the API's one error shape (ApiError)."""
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"detail": str(exc.detail), "errors": []}, status_code=exc.status_code, headers=exc.headers
    )


def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """422 for invalid input: one sentence naming each bad field, and the fields themselves."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors)
    return JSONResponse({"detail": detail or "invalid request", "errors": errors}, 422)


def create_app(
    db_url: str,
    token: str | None = None,
    *,
    fetch_settings: FetchSettings | None = None,
    write_limit: WriteRateLimit | None = None,
) -> FastAPI:
    """The API and the desk on the database at `db_url`; writes need `token` (None: read-only).

    URL ingest fetches with `fetch_settings` (default: the shared cache, public networks only);
    writes are rate limited by `write_limit` (default: 60 a minute per client, bursts of 20).
    """
    store = Store(db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="conflictlens",
        version=__version__,
        description=(
            "Events coded from news reports, with the evidence for every value. Reads are open; "
            "writes need `Authorization: Bearer <token>` when the server was started with a token "
            "and are refused (403) when it was not. Article text is untrusted input: escape it."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.token = token or None
    app.state.fetch_settings = fetch_settings or FetchSettings(cache_dir=default_cache_dir())
    app.state.write_limit = write_limit or WriteRateLimit()
    app.include_router(router)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_middleware(BodyLimit)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        is_docs = request.url.path == "/docs"
        response.headers["Content-Security-Policy"] = DOCS_CSP if is_docs else DESK_CSP
        return response

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="conflictlens API",
            swagger_js_url=f"{SWAGGER_DIR}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_DIR}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_DIR}/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def desk() -> FileResponse:
        return FileResponse(DESK_DIR / "index.html")

    @app.get("/event/{event_id}", include_in_schema=False)
    def event_page(event_id: str) -> FileResponse:
        # The page reads the id from its own address and asks the API; nothing is templated.
        return FileResponse(DESK_DIR / "event.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/audit", include_in_schema=False)
    def audit_page() -> FileResponse:
        return FileResponse(DESK_DIR / "audit.html")

    return app
