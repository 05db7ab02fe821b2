"""The resident front end — 前台: submit a request, look one up, and the published rankings (晒单).

Server-rendered (Jinja2, autoescaped), no JavaScript, readable on a phone. Nothing personal is
shown: descriptions and addresses are masked (`masking`), the reporter's fields never appear.
The form posts the Open311 fields to `/submit`, which checks and submits them exactly as
`POST /open311/v2/requests.json` does, as an anonymous web submission; a hidden client token
makes a double click one request.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..errors import InputError, PowerlistError
from .context import Service, service_of
from .desk import Workspace
from .formats import describe
from .forms import FormError, read_form
from .ranking import current_period, parse_period, period_scores
from .submission import parse_submission, submit
from .views import extended_attributes, open311_request, public_history

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))


def shown_time(value: str | None) -> str:
    """An ISO time for people: 2026-12-01T10:00:00+08:00 → 2026-12-01 10:00 (Asia/Shanghai)."""
    if not value:
        return "—"
    return value[:16].replace("T", " ") if len(value) >= 16 and value[10] == "T" else value


templates.env.filters["when"] = shown_time


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _choices(service: Service) -> dict[str, Any]:
    catalog = service.catalog
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, category in catalog.categories.items():
        if code in service.parents:
            continue
        parent = catalog.categories.get(category.parent or "")
        groups.setdefault(parent.name if parent else "其他", []).append((code, category.name))
    places: dict[str, list[tuple[str, str]]] = {}
    for street in catalog.streets.values():
        places[street.name] = [(street.code, f"{street.name}（街道）")] + [
            (c.code, c.name) for c in catalog.communities.values() if c.street == street.code]
    return {"service_groups": groups, "place_groups": places}


async def index(request: Request) -> Response:
    service = service_of(request)
    return render(request, "index.html", {**_choices(service), "token": secrets.token_urlsafe(16), "form": {},
                                          "problems": []})


async def submit_form(request: Request) -> Response:
    service = service_of(request)
    try:
        form = await read_form(request, service.config.max_body)
    except FormError as error:
        return render(request, "error.html", {"status": error.status, "message": error.description}, error.status)
    shown = {k: v[-1] for k, v in form.items() if v}
    now = service.now()
    try:
        submission = parse_submission(form)
        accepted = await service.desk.call(lambda ws: submit(ws, submission, None, now))
    except InputError as error:
        return render(request, "index.html", {
            **_choices(service), "token": shown.get("client_token") or secrets.token_urlsafe(16), "form": shown,
            "problems": [describe(p) for p in error.problems]}, 400)
    return RedirectResponse(f"/requests/{quote(accepted.record.service_request_id, safe='')}?new=1", status_code=303)


async def lookup(request: Request) -> Response:
    wanted = (request.query_params.get("id") or "").strip()[:200]
    if not wanted:
        return RedirectResponse("/", status_code=303)
    return RedirectResponse(f"/requests/{quote(wanted, safe='')}", status_code=303)


def _public(ws: Workspace, case_id: str, now: Any) -> dict[str, Any] | None:
    snapshot = ws.store.get(case_id)
    if snapshot is None:
        return None
    record = ws.log.get(case_id)
    return {
        "request": open311_request(snapshot, record, ws.catalog),
        "extended": extended_attributes(snapshot, record, now),
        "steps": public_history(ws.store.history(case_id)),
    }


async def request_page(request: Request) -> Response:
    service = service_of(request)
    case_id = request.path_params["case_id"]
    now = service.now()
    found = await service.desk.call(lambda ws: _public(ws, case_id, now)) if len(case_id) <= 200 else None
    if found is None:
        return render(request, "error.html", {"status": 404, "message": "没有此诉求编号 (no such request)"}, 404)
    return render(request, "request.html", {**found, "new": request.query_params.get("new") == "1"})


def bar_width(value: str | None) -> float:
    try:
        return max(0.0, min(100.0, float(value or 0)))
    except ValueError:
        return 0.0


async def ranking(request: Request) -> Response:
    service = service_of(request)
    now = service.now()
    asked = request.query_params.get("period")
    try:
        period = parse_period(asked, now)
        scores = await service.desk.call(lambda ws: period_scores(ws, period, now), solo=True)
    except PowerlistError as error:
        message = "；".join(describe(p) for p in error.problems) if isinstance(error, InputError) else str(error)
        return render(request, "error.html", {"status": 400, "message": message}, 400)
    return render(request, "ranking.html", {"scores": scores, "period": period.label, "asked": asked or "",
                                            "current": current_period(now), "bar": bar_width})


routes = [
    Route("/", index, methods=["GET"]),
    Route("/submit", submit_form, methods=["POST"]),
    Route("/requests", lookup, methods=["GET"]),
    Route("/requests/{case_id}", request_page, methods=["GET"]),
    Route("/ranking", ranking, methods=["GET"]),
]

__all__ = ["render", "routes", "templates"]
