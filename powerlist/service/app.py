"""The app factory — 服务: `create_app(ServiceConfig(...))` → the ASGI app `powerlist serve` runs.

    from powerlist.service import ServiceConfig, create_app
    app = create_app(ServiceConfig(db="cases.db", keys=Path("keys.csv")))
    # uvicorn.run(app, host="127.0.0.1", port=8311)

Everything is loaded when the app is made (catalogs, rules, keys: a bad file is an InputError
then, not at the first request); the desk thread, the orphan check and the tick scheduler start
with the app's lifespan and stop with it.

Routes: `/open311/v2/…` (open311), `/api/…` (api), `/`, `/submit`, `/requests/{id}`,
`/ranking` (pages), `/manage/…` (manage), `/health`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import api, manage, open311, pages
from .context import Service, ServiceConfig, service_of
from .formats import errors
from .limits import BodyLimit
from .scheduler import Scheduler
from .sessions import Sessions


async def health(request: Request) -> Response:
    service = service_of(request)
    scheduler: Scheduler = request.app.state.scheduler
    return JSONResponse({"ok": True, "rules_version": service.router.rules_version, "ticks": scheduler.ticks,
                         "tick_error": scheduler.last_error, "keys": len(service.keys)})


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    path = request.url.path
    text = {404: "没有此资源 (no such resource)", 405: "不支持此方法 (method not allowed)"}.get(
        status, getattr(exc, "detail", None) or "请求有误 (bad request)")
    if path.startswith("/open311/"):
        return errors("xml" if path.endswith(".xml") else "json", status, [str(text)])
    if path.startswith("/api/"):
        return api.problem_body(status, [{"message": str(text), "code": f"http-{status}"}])
    return pages.render(request, "error.html", {"status": status, "message": str(text)}, status)


def create_app(config: ServiceConfig | None = None, *, service: Service | None = None) -> Starlette:
    """The service's ASGI app (see the module docstring)."""
    chosen = service if service is not None else Service(config or ServiceConfig())
    scheduler = Scheduler(chosen)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        chosen.start()
        scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()
            chosen.stop()

    app = Starlette(
        routes=[*open311.routes, *api.routes, *manage.routes, *pages.routes, Route("/health", health, methods=["GET"])],
        middleware=[Middleware(BodyLimit, max_body=chosen.config.max_body, max_upload=chosen.config.max_upload,
                               body_timeout=chosen.config.body_timeout)],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.service = chosen
    app.state.scheduler = scheduler
    app.state.sessions = Sessions()
    return app


__all__ = ["create_app"]
