"""The OpenAPI 3.1 document of the service — 接口说明, served at /api/openapi.json.

Written as data beside the routes it describes (a test checks that every route is in it).
"""

from __future__ import annotations

from typing import Any

_KEY: list[dict[str, list[str]]] = [{"apiKey": []}, {"bearer": []}, {"apiKeyQuery": []}]
_ERRORS = {"$ref": "#/components/schemas/Errors"}


def _param(name: str, description: str, *, where: str = "query", required: bool = False,
           schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _answer(
        description: str, schema: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": description,
                                         "content": {"application/json": {"schema": schema or {"type": "object"}}}}}
    for status, text in (extra or {}).items():
        responses[status] = {"description": text, "content": {"application/json": {"schema": _ERRORS}}}
    return responses


_FMT = _param("fmt", "json 或 xml (json or xml)", where="path", required=True,
              schema={"type": "string", "enum": ["json", "xml"]})
_CASE = _param("case_id", "案件编号 = service_request_id", where="path", required=True)


def document(base: str) -> dict[str, Any]:
    """The document, with `base` as the server URL."""
    paths: dict[str, Any] = {
        "/api/me": {"get": {"summary": "当前密钥的角色与单位 (the key's role and unit)", "security": _KEY,
                            "responses": _answer("role and unit", extra={"403": "missing or unknown key"})}},
        "/api/cases": {"get": {
            "summary": "案件列表（按密钥范围，逾期在前）(the key's cases, overdue first)", "security": _KEY,
            "parameters": [
                _param("street", "街道编码 (street code)"), _param("unit", "单位编码 (unit code)"),
                _param("state", "状态，逗号分隔 (states, comma separated)"),
                _param("overdue", "是否逾期 (overdue)", schema={"type": "boolean"}),
                _param("whistle", "哨类 daily|key|coordination|emergency"), _param("category", "类别编码"),
                _param("page", "页码 (page, from 1)", schema={"type": "integer", "minimum": 1}),
                _param("page_size", "每页条数 (page size, at most 200)",
                       schema={"type": "integer", "minimum": 1, "maximum": 200}),
            ],
            "responses": _answer("one page of cases", extra={"400": "invalid filter", "403": "missing or unknown key"}),
        }},
        "/api/cases/{case_id}": {"get": {
            "summary": "案件详情与留痕 (a case, its history and routing decision)", "security": _KEY,
            "parameters": [_CASE],
            "responses": _answer("the case", extra={"403": "missing or unknown key",
                                                    "404": "no such case, or not in the key's scope"}),
        }},
        "/api/cases/{case_id}/events": {"post": {
            "summary": "记录事件：报到、办结、退单、延期、评价… (record an event)", "security": _KEY,
            "parameters": [_CASE],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Event"}},
                "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Event"}},
            }},
            "responses": _answer("the case after the event", extra={
                "400": "invalid event or option", "403": "the key may not record this event",
                "404": "no such case, or not in the key's scope", "409": "the lifecycle refuses the event now"}),
        }},
        "/api/scores": {"get": {
            "summary": "双向考评与排名（晒单）(two-way scores and rankings of a period)", "security": _KEY,
            "parameters": [_param("period", "考核周期 2026Q3 | 2026-07 | 2026 (default: this quarter)"),
                           _param("profile", "权重方案 (weights profile in rules/scoring.toml)")],
            "responses": _answer("the period's scores", extra={"400": "invalid period", "403": "missing key"}),
        }},
        "/api/audit": {"post": {
            "summary": "职责准入审核：上传下放清单 (audit a delegation workbook)", "security": _KEY,
            "parameters": [_param("format", "json (findings) 或 xlsx (the report workbook)",
                                  schema={"type": "string", "enum": ["json", "xlsx"]})],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": {
                **_answer("findings", extra={"400": "invalid workbook", "403": "not allowed", "413": "too large"}),
                "200": {"description": "findings (JSON) or the report (xlsx)", "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
            },
        }},
        "/open311/v2/discovery.{fmt}": {"get": {"summary": "Open311 service discovery", "parameters": [_FMT],
                                                "responses": _answer("discovery")}},
        "/open311/v2/services.{fmt}": {"get": {"summary": "GeoReport v2 service list", "parameters": [_FMT],
                                               "responses": _answer("services")}},
        "/open311/v2/services/{code}.{fmt}": {"get": {
            "summary": "GeoReport v2 service definition",
            "parameters": [_param("code", "service_code", where="path", required=True), _FMT],
            "responses": _answer("service definition", extra={"404": "no such service"})}},
        "/open311/v2/requests.{fmt}": {
            "get": {"summary": "GeoReport v2 service requests", "parameters": [
                _FMT, _param("service_request_id", "comma separated ids (overrides the rest)"),
                _param("service_code", "comma separated"), _param("status", "open,closed"),
                _param("start_date", "w3 date-time"), _param("end_date", "w3 date-time (≤ 90 days after start)"),
                _param("page", "page (extension)"), _param("page_size", "page size ≤ 1000 (extension)"),
                _param("extensions", "true: extended_attributes in XML too")],
                "responses": _answer("requests", extra={"400": "invalid query"})},
            "post": {"summary": "GeoReport v2 create a service request", "parameters": [_FMT],
                     "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                         "schema": {"$ref": "#/components/schemas/Open311Post"}}}},
                     "responses": _answer("the new request's id", extra={
                         "400": "invalid request",
                                 "403": "missing or invalid api_key", "404": "no such service_code"})},
        },
        "/open311/v2/requests/{sid}.{fmt}": {"get": {
            "summary": "GeoReport v2 one service request",
            "parameters": [_param("sid", "service_request_id", where="path", required=True), _FMT],
            "responses": _answer("the request", extra={"404": "no such request"})}},
        "/open311/v2/tokens/{token}.{fmt}": {"get": {
            "summary": "GeoReport v2 service_request_id from a (client) token",
            "parameters": [_param("token", "the client's idempotency token", where="path", required=True), _FMT],
            "responses": _answer("id and token", extra={"404": "no such token"})}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "powerlist — 街道吹哨、部门报到 platform", "version": "0.1.0",
                 "description": "Open311 GeoReport v2 and the back-end API of the closed loop "
                                "发现 → 处理 → 督办 → 反馈 → 评价."},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
            },
            "schemas": {
                "Errors": {"type": "object", "properties": {"ok": {"const": False}, "errors": {"type": "array"}}},
                "Event": {"type": "object", "required": ["event"], "properties": {
                    "event": {"type": "string",
                            "description": "dispatch, respond, handle, complete, feed_back, evaluate, "
                                                               "close, return, extend, reopen, escalate, supervise (or "
                                                               "报到, 办结, 退单, 延期, 评价 …)"},
                    "at": {"type": "string", "format": "date-time"}, "by": {"type": "string"},
                    "satisfaction": {"type": "string"}, "third_party": {"type": "string"},
                    "to": {"type": "string"}, "until": {"type": "string", "format": "date-time"},
                    "reason": {"type": "string"}}},
                "Open311Post": {"type": "object", "required": ["api_key"], "properties": {
                    name: {"type": "string"} for name in (
                        "api_key", "service_code", "lat", "long", "address_string", "address_id", "email", "device_id",
                        "account_id", "first_name", "last_name", "phone", "description", "media_url", "client_token")}},
            },
        },
    }


__all__ = ["document"]
