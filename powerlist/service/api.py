"""The back end over HTTP — 后台接口 /api: the closed loop 发现 → 处理 → 督办 → 反馈 → 评价.

Every endpoint needs a key (`X-API-Key: …`, `Authorization: Bearer …` or `api_key=…`); a
missing or unknown key is 403. Answers are JSON; errors are `{"ok": false, "errors": [...]}`
with located problems as `powerlist … --json` prints them: 400 invalid input, 403 not allowed,
404 no such case (or not in the key's scope: ids do not leak), 409 a transition the lifecycle
refuses, 413 too large, 415 wrong content type.

- `GET /api/cases` — the key's cases: filters `street`, `unit`, `state` (comma list),
  `overdue` (true/false), `whistle`, `category`; `page`, `page_size` (≤ 200); overdue first.
- `GET /api/cases/{id}` — state, deadlines, history (留痕), routing decision, and for staff the
  reporter's fields.
- `POST /api/cases/{id}/events` — JSON or form: `event` (respond 报到, complete 办结, return 退单,
  extend 延期, evaluate 评价 …) and its options (`satisfaction`, `third_party`, `to`, `until`,
  `reason`, `at`, `by` for admin keys).
- `GET /api/scores?period=2026Q3[&profile=…]` — the two-way scores (晒单) of a period.
- `POST /api/audit` — multipart `file` (a delegation workbook): findings JSON, or with
  `?format=xlsx` the report workbook.
- `GET /api/me`, `GET /api/openapi.json`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import InputError, PowerlistError, Problem, TransitionError
from .casework import Filters, Forbidden, Hidden, check_event, list_cases, read_case, record_event
from .context import Service, service_of
from .forms import FormError, content_type, read_form
from .keys import Principal, Role
from .openapi import document as openapi_document
from .permissions import STAFF_ROLES
from .ranking import parse_period, period_scores

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), status_code=status,
                    media_type="application/json; charset=utf-8")


def problem_body(status: int, problems: list[dict[str, Any]]) -> Response:
    return _json({"ok": False, "errors": problems}, status)


def _message(status: int, message: str, code: str) -> Response:
    return problem_body(status, [{"message": message, "code": code}])


def _forbidden() -> Response:
    return _message(403, "缺少或无效的密钥 (missing or invalid API key)", "forbidden")


def _hidden(case_id: str) -> Response:
    return _message(404, f"没有此案件 (no case {case_id[:100]!r})", "not-found")


def error_response(error: Exception, case_id: str = "") -> Response:
    if isinstance(error, Hidden):
        return _hidden(case_id)
    if isinstance(error, Forbidden):
        return _message(403, str(error), "not-allowed")
    if isinstance(error, InputError):
        return problem_body(400, error.as_json())
    if isinstance(error, TransitionError):
        return _message(409, str(error), "transition-refused")
    if isinstance(error, PowerlistError):
        return _message(400, str(error), "refused")
    raise error


def _who(request: Request) -> tuple[Service, Principal | None]:
    service = service_of(request)
    return service, service.principal(request)


def _flag(text: str | None, name: str) -> bool | None:
    if text is None or not text.strip():
        return None
    t = text.strip().lower()
    if t in ("true", "1", "yes", "是"):
        return True
    if t in ("false", "0", "no", "否"):
        return False
    raise InputError([Problem(message="应为 true 或 false (expected true or false)", field=name, value=text[:20],
                              code="bad-flag")], "筛选条件无效 (invalid filter)")


def _count(text: str | None, name: str, default: int, high: int) -> int:
    if text is None or not text.strip():
        return default
    if not text.strip().isdigit() or not 1 <= int(text) <= high:
        raise InputError(
                [Problem(message=f"应为 1–{high} 的整数 (expected a whole number from 1 to {high})", field=name,
                                  value=text[:20], code="bad-number")], "筛选条件无效 (invalid filter)")
    return int(text)


def filters_of(query: Any) -> Filters:
    def text(name: str) -> str | None:
        value = query.get(name)
        return value.strip()[:100] if value and value.strip() else None

    states = frozenset(s.strip() for s in (query.get("state") or "").split(",") if s.strip())
    return Filters(
        street=text("street"), unit=text("unit"), states=states, overdue=_flag(query.get("overdue"), "overdue"),
        whistle=text("whistle"), category=text("category"), page=_count(query.get("page"), "page", 1, 1_000_000),
        page_size=_count(query.get("page_size"), "page_size", 50, 200),
    )


async def me(request: Request) -> Response:
    _, who = _who(request)
    if who is None:
        return _forbidden()
    return _json({"ok": True, **who.as_json()})


async def cases(request: Request) -> Response:
    service, who = _who(request)
    if who is None:
        return _forbidden()
    try:
        chosen = filters_of(request.query_params)
    except InputError as error:
        return problem_body(400, error.as_json())
    now = service.now()
    listing = await service.desk.call(lambda ws: list_cases(ws, who, chosen, now))
    return _json({"ok": True, **listing})


async def case(request: Request) -> Response:
    service, who = _who(request)
    if who is None:
        return _forbidden()
    case_id = request.path_params["case_id"]
    now = service.now()
    try:
        shown = await service.desk.call(lambda ws: read_case(ws, who, case_id, now))
    except PowerlistError as error:
        return error_response(error, case_id)
    return _json({"ok": True, "case": shown})


async def _body(request: Request, limit: int) -> dict[str, Any]:
    kind, _ = content_type(request)
    if kind == "application/json":
        raw = await request.body()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FormError(400, f"请求体不是 JSON (the body is not JSON: {str(error)[:100]})") from None
        if not isinstance(body, dict):
            raise FormError(400, "请求体应为 JSON 对象 (the body must be a JSON object)")
        return body
    form = await read_form(request, limit)
    return {k: v[-1] for k, v in form.items()}


async def post_event(request: Request) -> Response:
    service, who = _who(request)
    if who is None:
        return _forbidden()
    case_id = request.path_params["case_id"]
    try:
        body = await _body(request, service.config.max_body)
    except FormError as error:
        return _message(error.status, error.description, "bad-body")
    now = service.now()
    try:
        values = check_event(body, now)
        recorded = await service.desk.call(lambda ws: record_event(ws, who, case_id, values))
    except PowerlistError as error:
        return error_response(error, case_id)
    return _json({"ok": True, "case": recorded.as_json()})


async def scores(request: Request) -> Response:
    service, who = _who(request)
    if who is None:
        return _forbidden()
    now = service.now()
    profile = request.query_params.get("profile") or None
    try:
        period = parse_period(request.query_params.get("period"), now)
        payload = await service.desk.call(lambda ws: period_scores(ws, period, now, profile), solo=True)
    except PowerlistError as error:
        return error_response(error)
    return _json(payload)


def _audit(service: Service, path: Path, name: str, as_xlsx: bool) -> tuple[dict[str, Any], bytes | None]:
    from ..audit import AuditConfig, audit_workbook, counts, has_errors, read_audit_workbook, write_report

    config = AuditConfig.load(service.config.rules)
    book = read_audit_workbook(path, service.catalog, file=name)
    findings = audit_workbook(book, service.catalog, config)
    payload = {"ok": not has_errors(findings), "file": name, "counts": counts(findings),
               "findings": [f.as_json() for f in findings]}
    if not as_xlsx:
        return payload, None
    out = path.with_name("report.xlsx")
    write_report(out, findings, source=path, source_name=name)
    return payload, out.read_bytes()


async def audit(request: Request) -> Response:
    service, who = _who(request)
    if who is None:
        return _forbidden()
    if who.role not in STAFF_ROLES or who.role is Role.RESIDENT:
        return _message(403, "居民密钥不能使用审核 (a resident key may not run the audit)", "not-allowed")
    kind, _ = content_type(request)
    if kind != "multipart/form-data":
        return _message(
                415, "请以 multipart/form-data 上传文件字段 file (upload the workbook as the multipart field 'file')",
                        "bad-content-type")
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=service.config.max_upload)
    except (HTTPException, MultiPartException) as error:
        return _message(
                400, f"multipart 表单格式有误 (malformed multipart form: {str(getattr(error, 'detail', error))[:100]})",
                        "bad-body")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _message(400, "缺少文件字段 file (the multipart field 'file' is missing)", "missing-file")
    as_xlsx = (request.query_params.get("format") or "json").strip().lower() == "xlsx"
    name = Path(upload.filename or "delegation.xlsx").name[:200] or "delegation.xlsx"
    with tempfile.TemporaryDirectory(prefix="powerlist-audit-") as folder:
        path = Path(folder) / "upload.xlsx"
        path.write_bytes(await upload.read())
        try:
            payload, report = await run_in_threadpool(_audit, service, path, name, as_xlsx)
        except PowerlistError as error:
            return error_response(error)
    if report is not None:
        return Response(
                report, media_type=XLSX, headers={"content-disposition": 'attachment; filename="audit-report.xlsx"'})
    return _json(payload)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))


routes = [
    Route("/api/me", me, methods=["GET"]),
    Route("/api/cases", cases, methods=["GET"]),
    Route("/api/cases/{case_id}", case, methods=["GET"]),
    Route("/api/cases/{case_id}/events", post_event, methods=["POST"]),
    Route("/api/scores", scores, methods=["GET"]),
    Route("/api/audit", audit, methods=["POST"]),
    Route("/api/openapi.json", openapi, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]

__all__ = ["error_response", "filters_of", "routes"]
