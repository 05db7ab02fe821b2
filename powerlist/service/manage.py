"""The management back end's pages — 管理端 /manage: sign in with a key, the case board, a case.

- `/manage/login` — the key is typed once; the browser keeps a session cookie (`sessions`).
- `/manage/cases` — the board of the key's scope (graded permissions, `permissions`): overdue
  first, deadlines in working days (剩 N 个工作日 / 逾期 N 个工作日), filters as in `/api/cases`.
- `/manage/cases/{id}` — the full routing trace (rules, powers, legal basis), the history
  (留痕) with actors, the reporter's fields, and forms for the events the key may record.
- `POST /manage/cases/{id}/events` — records through the same checks as the API.

Every form carries the session's CSRF token. A case outside the key's scope is "not found".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..cases.lifecycle import TRANSITIONS, State
from ..errors import InputError, PowerlistError, TransitionError
from .api import filters_of
from .casework import RECORDABLE, Forbidden, Hidden, check_event, list_cases, read_case, record_event
from .context import service_of
from .formats import describe
from .forms import FormError, read_form
from .keys import Role
from .pages import render
from .permissions import may_record
from .sessions import COOKIE, Session, Sessions
from .views import EVENT_LABELS

# What each event's form asks for, in the order shown.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "dispatch": ("to", "reason"), "respond": ("reason",), "handle": ("reason",), "complete": ("reason",),
    "feed_back": ("reason",), "evaluate": ("satisfaction", "third_party", "reason"), "close": ("reason",),
    "return": ("reason",), "extend": ("until", "reason"), "reopen": ("reason",), "escalate": ("to", "reason"),
    "supervise": ("to", "reason"),
}


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def _session(request: Request) -> Session | None:
    return _sessions(request).get(request.cookies.get(COOKIE))


def _to_login() -> Response:
    return RedirectResponse("/manage/login", status_code=303)


async def home(request: Request) -> Response:
    return RedirectResponse("/manage/cases" if _session(request) else "/manage/login", status_code=303)


async def login_page(request: Request) -> Response:
    return render(request, "login.html", {"problem": None})


async def login(request: Request) -> Response:
    service = service_of(request)
    try:
        form = await read_form(request, service.config.max_body)
    except FormError as error:
        return render(request, "login.html", {"problem": error.description}, error.status)
    keys = form.get("key", [])
    who = service.keys.lookup(keys[-1].strip() if keys else None)
    if who is None or who.role is Role.RESIDENT:
        return render(request,
                "login.html", {"problem": "密钥无效，或不是工作人员密钥 (unknown key, or not a staff key)"}, 403)
    sid, _ = _sessions(request).create(who)
    response = RedirectResponse("/manage/cases", status_code=303)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/manage",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    session = _session(request)
    if session is not None:
        form = await read_form(request, 10_000)
        if Sessions.csrf_ok(session, (form.get("csrf") or [""])[-1]):
            _sessions(request).drop(request.cookies.get(COOKIE))
    response = _to_login()
    response.delete_cookie(COOKIE, path="/manage")
    return response


async def board(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    service = service_of(request)
    try:
        chosen = filters_of(request.query_params)
    except InputError as error:
        return render(
                request, "error.html", {"status": 400, "message": "；".join(describe(p) for p in error.problems)}, 400)
    now = service.now()
    who = session.principal
    listing = await service.desk.call(lambda ws: list_cases(ws, who, chosen, now))
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(request, "board.html", {
        "who": who, "csrf": session.csrf, "listing": listing, "filters": chosen, "query": urlencode(query),
        "pages": max(1, (listing["total"] + chosen.page_size - 1) // chosen.page_size),
        "streets": list(service.catalog.streets.values()), "now": now.isoformat(timespec="minutes"),
    })


# The closed loop's next steps first: the first form shown open is the likely next one.
FORM_ORDER = ("respond", "handle", "complete", "feed_back", "evaluate", "close", "extend", "return", "escalate",
              "dispatch", "supervise", "reopen")


def _forms(state: str, role_ok: Any) -> list[dict[str, Any]]:
    """The event forms the case's state allows (the lifecycle's table) and the key may use."""
    allowed = {e.value for e in TRANSITIONS[State(state)]}
    return [{"event": e, "label": EVENT_LABELS[e], "fields": EVENT_FIELDS[e]}
            for e in FORM_ORDER if e in allowed and e in RECORDABLE and role_ok(e)]


async def case_page(request: Request, problems: list[str] | None = None, status: int = 200) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    service = service_of(request)
    case_id = request.path_params["case_id"]
    now = service.now()
    who = session.principal
    try:
        shown = await service.desk.call(lambda ws: read_case(ws, who, case_id, now))
    except Hidden:
        return render(request, "error.html", {"status": 404, "message": "没有此案件 (no such case)"}, 404)
    return render(request, "case.html", {
        "who": who, "csrf": session.csrf, "case": shown, "labels": EVENT_LABELS,
        "forms": _forms(shown["state"], lambda e: may_record(who, e)), "problems": problems or [],
        "done": request.query_params.get("done"),
    }, status)


async def post_event(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    service = service_of(request)
    case_id = request.path_params["case_id"]
    try:
        form = await read_form(request, service.config.max_body)
    except FormError as error:
        return await case_page(request, [error.description], error.status)
    body = {k: v[-1] for k, v in form.items() if v and v[-1].strip()}
    if not Sessions.csrf_ok(session, body.pop("csrf", None)):
        return render(request,
                "error.html", {"status": 403, "message": "表单已过期，请刷新后重试 (the form expired; reload)"},
                      403)
    now = service.now()
    who = session.principal
    try:
        values = check_event(body, now)
        await service.desk.call(lambda ws: record_event(ws, who, case_id, values))
    except Hidden:
        return render(request, "error.html", {"status": 404, "message": "没有此案件 (no such case)"}, 404)
    except Forbidden as error:
        return await case_page(request, [str(error)], 403)
    except InputError as error:
        return await case_page(request, [describe(p) for p in error.problems], 400)
    except TransitionError as error:
        return await case_page(request, [str(error)], 409)
    except PowerlistError as error:
        return await case_page(request, [str(error)], 400)
    return RedirectResponse(f"/manage/cases/{quote(case_id, safe='')}?done={quote(values['event'])}", status_code=303)


routes = [
    Route("/manage", home, methods=["GET"]),
    Route("/manage/login", login_page, methods=["GET"]),
    Route("/manage/login", login, methods=["POST"]),
    Route("/manage/logout", logout, methods=["POST"]),
    Route("/manage/cases", board, methods=["GET"]),
    Route("/manage/cases/{case_id}", case_page, methods=["GET"]),
    Route("/manage/cases/{case_id}/events", post_event, methods=["POST"]),
]

__all__ = ["routes"]
