"""The FastAPI app: the page, the JSON API, and the rules every request passes.

* a token, when one is configured (always when bound beyond loopback): ``Authorization:
  Bearer T``, ``?token=T`` (media elements and images cannot send headers), or the
  same-site, HTTP-only cookie set when the printed ``/?token=T`` URL is opened (so the
  page's own scripts and styles load);
* an optional Host check (``allowed_hosts``), so a page on another site cannot reach a
  loopback server through DNS rebinding, and no cross-site POST (a form or a no-cors fetch
  from another page in the same browser): its ``Origin`` must be this server;
* every error is JSON ``{"error": message}``: a ``SamaudioError`` with its own message and
  a 4xx status, anything else a 500 naming the exception, never a traceback.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from samaudio_core.errors import AudioLoadError, PromptError, SamaudioError, WorkspaceError

from . import api_chat, api_files, api_media, api_session
from .jobs import Jobs
from .state import Busy, Config, NotFound, State, TooLarge

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
TOKEN_COOKIE = "samaudio_token"


def _status(exc: SamaudioError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Busy):
        return 409
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, WorkspaceError) and "outside" in str(exc):
        return 403
    if isinstance(exc, (AudioLoadError, PromptError)):
        return 422
    return 400


def cross_site(request: Request) -> bool:
    """A request another site's page made (a form post, a no-cors fetch): its Origin is not
    this server, or the browser says so. Loopback alone does not stop those."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != (request.headers.get("host") or "")


def create_app(config: Config) -> FastAPI:
    app = FastAPI(title="samaudio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = State(config)
    app.state.jobs = Jobs()

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if config.allowed_hosts is not None:
            host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]")
            if host not in config.allowed_hosts:
                return JSONResponse({"error": f"host '{host}' is not served here"}, status_code=403)
        if request.method not in ("GET", "HEAD") and cross_site(request):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        from_query = False
        if config.token:
            given = request.query_params.get("token") or ""
            from_query = bool(given)
            auth = request.headers.get("authorization") or ""
            if auth.lower().startswith("bearer "):
                given, from_query = auth[7:].strip(), False
            given = given or request.cookies.get(TOKEN_COOKIE, "")
            if not secrets.compare_digest(given.encode(), config.token.encode()):
                return JSONResponse({"error": "missing or wrong token"}, status_code=401)
        try:
            response = await call_next(request)
            if from_query:  # the printed URL's token: kept in a cookie, so the page's scripts load too
                response.set_cookie(TOKEN_COOKIE, config.token, httponly=True, samesite="strict")
            return response
        except Exception as exc:  # errors outside the routes' handlers (streaming bodies, ...)
            log.error("request failed:\n%s", traceback.format_exc())
            return JSONResponse({"error": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)

    @app.exception_handler(SamaudioError)
    async def samaudio_error(_request: Request, exc: SamaudioError):
        return JSONResponse({"error": str(exc)}, status_code=_status(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "request"
            parts.append(f"{loc}: {err.get('msg')}")
        return JSONResponse({"error": "bad request: " + "; ".join(parts)}, status_code=422)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception):
        log.error("internal error:\n%s", traceback.format_exc())
        return JSONResponse({"error": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (api_files, api_session, api_media, api_chat):
        app.include_router(module.router, prefix="/api")
    return app
