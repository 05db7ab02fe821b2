"""Open311 GeoReport v2 — 开放接口, under /open311/v2/, by the spec (../shared/reference/).

Every endpoint answers `.json` and `.xml` (XML is the spec's required format). One jurisdiction
is served, so `jurisdiction_id` is accepted and ignored, as the spec allows. An empty optional
parameter is an absent one. Ids are strings. Errors: a list of {code, description}, 400 / 403 /
404 as the spec says.

- `discovery.{fmt}` — the Service Discovery document.
- `services.{fmt}` — one service per leaf category: service_code = the category code, group =
  the parent category's name, type realtime, metadata true (the routing flags are attributes).
- `services/{code}.{fmt}` — the attributes the router reads (emergency, key_work,
  needs_enforcement, cross_department, request_kind, channel).
- `POST requests.{fmt}` — form-encoded, api_key required (403 without a known one); see
  `submission` for the location, matching and idempotency rules.
- `GET requests.{fmt}` — service_request_id (comma list; overrides the rest), service_code and
  status (comma lists), start_date/end_date (w3 date-times, at most 90 days apart; default the
  last 90 days), newest first, at most 1,000; `page`/`page_size` (the common extension) page
  through more.
- `GET requests/{id}.{fmt}`, `GET tokens/{token}.{fmt}` (a client's idempotency token → its
  request).

JSON requests carry `extended_attributes` (the detailed state, 留痕); XML carries it only when
asked with `extensions=true`, since the spec asks XML answers to keep to its own elements.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..cases.lifecycle import State, aware, stamp
from ..catalog.models import Category
from ..errors import InputError, Problem
from ..routing.issue import Channel, RequestKind
from .context import Service, service_of
from .desk import Workspace
from .formats import FORMATS, answer, errors, input_errors
from .forms import FormError, read_form
from .submission import NotFound, parse_submission, submit
from .views import extended_attributes, open311_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
_FLAG_ATTRIBUTES = {
    "emergency": ("是否紧急", "情况紧急、需立即处置（应急哨）(an emergency: needs handling now)"),
    "key_work": ("是否重点工作", "属街道重点工作（重点哨）(part of the street's key work)"),
    "needs_enforcement": ("是否需执法", "需要行政执法（协调哨）(needs law enforcement)"),
    "cross_department": ("是否跨部门", "涉及多个部门（协调哨）(involves several departments)"),
}


def _fmt(request: Request) -> str | None:
    fmt = request.path_params.get("fmt", "")
    return fmt if fmt in FORMATS else None


def _no_format(request: Request) -> Response:
    return errors("json", 404, [f"格式应为 .json 或 .xml (no such format {request.path_params.get('fmt', '')[:20]!r}; "
                                "use .json or .xml)"])


def _empty(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


# ---- services ------------------------------------------------------------------------------


def _service(service: Service, category: Category) -> dict[str, Any]:
    parent = service.catalog.categories.get(category.parent or "")
    words = [w for w in (category.name.replace("（", "、").replace("）", "、").replace("，", "、").split("、")) if w]
    keywords = ", ".join(dict.fromkeys([*words, *([parent.name] if parent else []), category.scope.label]))
    description = f"{parent.name + ' · ' if parent else ''}{category.name}（{category.scope.label}）"
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": keywords,
        "group": parent.name if parent else None,
    }


def services_list(service: Service) -> list[dict[str, Any]]:
    return [_service(service, c) for code, c in service.catalog.categories.items() if code not in service.parents]


def _values(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"key": key, "name": name} for key, name in pairs]


def service_definition(code: str) -> dict[str, Any]:
    attributes: list[dict[str, Any]] = []
    order = 1
    for name, (label, description) in _FLAG_ATTRIBUTES.items():
        attributes.append({
            "variable": True, "code": name, "datatype": "singlevaluelist", "required": False,
            "datatype_description": f"{label}：true 或 false (true or false; default false)", "order": order,
            "description": description, "values": _values([("true", "是 yes"), ("false", "否 no")]),
        })
        order += 1
    attributes.append({
        "variable": True, "code": "request_kind", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "诉求类型 (request kind)", "order": order,
        "description": "诉求类型：咨询、求助、投诉、举报、建议 (what the resident asks for)",
        "values": _values([(k.value, f"{k.label} {k.value}") for k in RequestKind]),
    })
    attributes.append({
        "variable": True, "code": "channel", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "受理渠道 (intake channel)", "order": order + 1,
        "description": "诉求来自哪个渠道（多网合一）(the channel the request came from)",
        "values": _values([(c.value, c.value) for c in Channel]),
    })
    return {"service_code": code, "attributes": attributes}


async def discovery(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    base = service.config.public_url or str(request.base_url).rstrip("/")
    changed = service.started_at.isoformat(timespec="seconds") if service.started_at else None
    document = {
        "changeset": changed,
        "contact": "黄石市“街道吹哨、部门报到”平台（powerlist 示例部署）(illustrative deployment)",
        "key_service": "向平台管理员申请密钥（keys.csv）(ask the platform's administrator for a key)",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": f"{base}/open311/v2",
            "changeset": changed,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return answer(fmt, "discovery", document)


async def services(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    return answer(fmt, "services", services_list(service_of(request)))


async def definition(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    code = request.path_params["code"]
    if code not in service.catalog.categories or code in service.parents:
        return errors(fmt, 404, [f"service_code: 没有此服务 (no such service_code {code[:100]!r}; see services.{fmt})"])
    return answer(fmt, "service_definition", service_definition(code))


# ---- requests ------------------------------------------------------------------------------


def _request_view(ws: Workspace, case_id: str, now: datetime, extensions: bool) -> dict[str, Any] | None:
    snapshot = ws.store.get(case_id)
    if snapshot is None:
        return None
    record = ws.log.get(case_id)
    view = open311_request(snapshot, record, ws.catalog)
    if extensions:
        view["extended_attributes"] = extended_attributes(snapshot, record, now)
    return view


async def post_request(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    try:
        form = await read_form(request, service.config.max_body)
    except FormError as error:
        return errors(fmt, error.status, [error.description])
    keys = [v for v in form.get("api_key", ()) if v.strip()]
    who = service.principal(request, keys[0] if keys else None)
    if who is None:
        return errors(
                fmt, 403, ["api_key: 缺少或无效的 api_key，无法受理 (missing or invalid api_key -- can't proceed with "
                                 "create_request)"])
    try:
        submission = parse_submission(form, request.headers.get("idempotency-key"))
    except InputError as error:
        return input_errors(fmt, error)
    now = service.now()
    try:
        accepted = await service.desk.call(lambda ws: submit(ws, submission, who, now))
    except NotFound as error:
        return input_errors(fmt, error, 404)
    except InputError as error:
        return input_errors(fmt, error)
    from .views import service_notice

    body = [{
        "service_request_id": accepted.record.service_request_id,
        "service_notice": service_notice(accepted.case.snapshot, accepted.record),
        "account_id": accepted.record.account_id,
    }]
    return answer(fmt, "service_requests", body)


def _parse_time(text: str, name: str) -> datetime:
    try:
        return aware(datetime.fromisoformat(text.strip().replace("z", "Z")))
    except ValueError:
        raise InputError(
                [Problem(message="应为 w3 日期时间，如 2026-07-01T00:00:00+08:00 (expected a w3 date-time such "
                                  "as 2010-01-01T00:00:00Z)", field=name, value=text[:100], code="bad-date")],
                         "invalid date") from None


def _int(text: str | None, name: str, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise InputError([Problem(message=f"应为 {low}–{high} 的整数 (expected a whole number from {low} to {high})",
                                  field=name, value=text[:50], code="bad-number")], "invalid parameter")
    return int(text)


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _query(request: Request, now: datetime) -> dict[str, Any]:
    q = request.query_params
    problems: list[Problem] = []
    ids = _list(_empty(q.get("service_request_id")))
    if len(ids) > MAX_RESULTS or any(len(i) > 200 for i in ids):
        problems.append(
                Problem(message=f"至多 {MAX_RESULTS} 个编号，每个至多 200 字符 (at most {MAX_RESULTS} ids of at most "
                                "200 characters)", field="service_request_id", code="too-many"))
    statuses = _list(_empty(q.get("status")))
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        problems.append(Problem(message="status 应为 open 或 closed (status is open or closed)", field="status",
                                value=",".join(bad)[:100], code="bad-status"))
    codes = _list(_empty(q.get("service_code")))
    start = end = None
    try:
        start = _parse_time(q["start_date"], "start_date") if _empty(q.get("start_date")) else None
        end = _parse_time(q["end_date"], "end_date") if _empty(q.get("end_date")) else None
    except InputError as error:
        problems.extend(error.problems)
    try:
        page = _int(_empty(q.get("page")), "page", 1, 1, 1_000_000)
        size = _int(_empty(q.get("page_size")), "page_size", MAX_RESULTS, 1, MAX_RESULTS)
    except InputError as error:
        problems.extend(error.problems)
        page, size = 1, MAX_RESULTS
    if start is not None and end is not None:
        if end < start:
            problems.append(
                    Problem(message="end_date 早于 start_date (end_date is before start_date)", field="end_date",
                                    code="bad-range"))
        elif end - start > MAX_SPAN:
            problems.append(Problem(message="日期范围不得超过 90 天 (the date range may not span more than 90 days)",
                                    field="end_date", code="range-too-long"))
    if problems:
        raise InputError(problems, "查询参数无效 (invalid query)")
    if start is None and end is None:
        end = now + timedelta(seconds=1)
        start = end - MAX_SPAN
    elif start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    return {"ids": ids, "statuses": set(statuses), "codes": set(codes), "start": start, "end": end,
            "page": page, "size": size}


def find_requests(ws: Workspace, query: dict[str, Any], now: datetime, extensions: bool) -> list[dict[str, Any]]:
    if query["ids"]:
        found = []
        for case_id in dict.fromkeys(query["ids"]):
            view = _request_view(ws, case_id, now, extensions)
            if view is not None:
                found.append(view)
        return found
    low, high = stamp(query["start"]), stamp(query["end"])
    chosen = []
    for case in ws.store.iter_cases(since=query["start"], until=query["end"] + timedelta(microseconds=1)):
        s = case.snapshot
        if not low <= s.opened_at <= high:
            continue
        if query["codes"] and s.category not in query["codes"]:
            continue
        status = "closed" if s.state in (State.COMPLETED, State.FED_BACK, State.EVALUATED, State.CLOSED) else "open"
        if query["statuses"] and status not in query["statuses"]:
            continue
        chosen.append(s)
    chosen.sort(key=lambda s: (s.opened_at, s.case_id), reverse=True)
    first = (query["page"] - 1) * query["size"]
    page = chosen[first:first + query["size"]]
    records = ws.log.many([s.case_id for s in page])
    views = []
    for s in page:
        record = records.get(s.case_id)
        view = open311_request(s, record, ws.catalog)
        if extensions:
            view["extended_attributes"] = extended_attributes(s, record, now)
        views.append(view)
    return views


def _extensions(request: Request, fmt: str) -> bool:
    asked = (request.query_params.get("extensions") or "").strip().lower() == "true"
    return fmt == "json" or asked


async def get_requests(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    now = service.now()
    try:
        query = _query(request, now)
    except InputError as error:
        return input_errors(fmt, error)
    extensions = _extensions(request, fmt)
    views = await service.desk.call(lambda ws: find_requests(ws, query, now, extensions))
    return answer(fmt, "service_requests", views)


async def get_request(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    case_id = request.path_params["sid"]
    now = service.now()
    extensions = _extensions(request, fmt)
    view = None
    if len(case_id) <= 200:
        view = await service.desk.call(lambda ws: _request_view(ws, case_id, now, extensions))
    if view is None:
        return errors(fmt, 404, [f"service_request_id: 没有此诉求 (no such service request {case_id[:100]!r})"])
    return answer(fmt, "service_requests", [view])


async def get_token(request: Request) -> Response:
    fmt = _fmt(request)
    if fmt is None:
        return _no_format(request)
    service = service_of(request)
    token = request.path_params["token"]
    record = None
    if len(token) <= 200:
        record = await service.desk.call(lambda ws: ws.log.by_token(token))
    if record is None:
        return errors(fmt, 404, [f"token: 没有此令牌 (no such token {token[:100]!r})"])
    return answer(fmt, "service_requests", [{"service_request_id": record.service_request_id, "token": token}])


routes = [
    Route("/open311/v2/discovery.{fmt}", discovery, methods=["GET"]),
    Route("/open311/v2/services.{fmt}", services, methods=["GET"]),
    Route("/open311/v2/services/{code}.{fmt}", definition, methods=["GET"]),
    Route("/open311/v2/requests.{fmt}", get_requests, methods=["GET"]),
    Route("/open311/v2/requests.{fmt}", post_request, methods=["POST"]),
    Route("/open311/v2/requests/{sid}.{fmt}", get_request, methods=["GET"]),
    Route("/open311/v2/tokens/{token}.{fmt}", get_token, methods=["GET"]),
]

__all__ = ["find_requests", "routes", "service_definition", "services_list"]
