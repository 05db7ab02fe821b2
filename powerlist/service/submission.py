"""A service request in — 诉求受理: Open311 POST parameters (and the front end's form) made an Issue.

Two halves. `parse_submission(form)` runs on the event loop: it reads the form-encoded
parameters by the GeoReport v2 spec (an empty parameter is an absent one), checks every one
and reports all problems at once. `submit(workspace, submission, …)` runs on the desk thread:
it finds the category (the given service_code, or the intake matcher on the description), the
place (address_id, else address_string through the gazetteer), routes the issue with the
router, logs the request and opens its case — or returns the request a client token already
made.

Where the spec leaves room (recorded here and in the README):
- `address_id` is a community or street code of the catalog (the jurisdiction's address
  register in this build); `lat`/`long` are kept and published rounded, but cannot place a
  request on their own: no community boundaries are shipped (issue 14), so a request with
  coordinates only is refused with a message saying to add address_string or address_id.
- A request without service_code is matched from its description; a match the matcher is
  unsure of (`needs_review`) is still accepted, and says so in service_notice and on the
  management board, so an operator confirms it — the resident's request is never lost.
- Attributes are the flags the router reads (`services/{code}.json` lists them).
- A client may send an idempotency token (`client_token` parameter or `Idempotency-Key`
  header, 1–200 characters of A–Z a–z 0–9 . _ : -): the same token from the same key gives the
  same service_request_id again, never a second request; the token of another key is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from ..cases.escalator import Case
from ..cases.lifecycle import stamp
from ..errors import InputError, Problem
from ..routing.issue import Channel, Issue, RequestKind, validation_problems
from .desk import Workspace
from .keys import Principal, Role
from .request_log import RequestRecord

MAX_DESCRIPTION = 4000  # the spec's limit
_TOKEN = re.compile(r"[A-Za-z0-9._:\-]{1,200}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,64})\](\[\])?")
_PHONE = re.compile(r"[0-9+\-() ]{3,40}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}")
_TRUE = frozenset({"true", "1", "yes", "是", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "否", "n", "f"})
FLAG_ATTRIBUTES = ("emergency", "key_work", "needs_enforcement", "cross_department")
_TEXT_LIMITS = {
    "service_code": 100, "address_string": 500, "address_id": 100, "zipcode": 20, "email": 254,
    "device_id": 200, "account_id": 200, "first_name": 100, "last_name": 100, "phone": 40, "media_url": 2000,
    "jurisdiction_id": 200,
}


@dataclass(frozen=True)
class Submission:
    """A checked service request, before the desk places, matches and routes it."""

    service_code: str | None = None
    description: str | None = None
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    client_token: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    """What POST requests answers: the request, its case, and whether it was new."""

    record: RequestRecord
    case: Case
    new: bool


def _problem(message: str, name: str, value: Any = None, code: str = "bad-parameter") -> Problem:
    shown = None if value is None else str(value)[:200]
    return Problem(message=message, field=name, value=shown, code=code)


def _text(form: Mapping[str, Sequence[str]], name: str, problems: list[Problem]) -> str | None:
    values = [v for v in form.get(name, ()) if v.strip()]
    if not values:
        return None
    if len(values) > 1:
        problems.append(_problem("参数重复 (the parameter is given more than once)", name, code="repeated-parameter"))
        return None
    value = values[0].strip()
    limit = MAX_DESCRIPTION if name == "description" else _TEXT_LIMITS.get(name, 200)
    if len(value) > limit:
        problems.append(_problem(f"过长：至多 {limit} 个字符 (too long: at most {limit} characters, got {len(value)})",
                                 name, code="too-long"))
        return None
    if _CONTROL.search(value if name == "description" else value.replace("\n", "\x00")):
        problems.append(_problem("含控制字符 (contains control characters)", name, code="control-characters"))
        return None
    return value


def _number(text: str | None, name: str, low: float, high: float, problems: list[Problem]) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(_problem("应为数字 (expected a number)", name, text))
        return None
    if not math.isfinite(value) or not low <= value <= high:
        problems.append(_problem(f"应在 {low} 与 {high} 之间 (expected a number from {low} to {high})", name, text))
        return None
    return value


def _flag(text: str, name: str, problems: list[Problem]) -> bool | None:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    problems.append(_problem("应为 true 或 false (expected true or false)", name, text))
    return None


def parse_attributes(form: Mapping[str, Sequence[str]], problems: list[Problem]) -> dict[str, Any]:
    """`attribute[code]=value` pairs, checked against the service definition's attributes."""
    found: dict[str, Any] = {}
    for key, values in form.items():
        if not key.startswith("attribute"):
            continue
        name = f"{key}"
        match = _ATTRIBUTE.fullmatch(key)
        if match is None:
            problems.append(
                    _problem("属性参数应写作 attribute[code]=value (attributes are written attribute[code]=value)",
                                     name[:80], code="bad-attribute"))
            continue
        code = match.group(1)
        given = [v.strip() for v in values if v.strip()]
        if not given:
            continue  # an empty optional parameter is an absent one
        if code not in ATTRIBUTE_CODES:
            problems.append(_problem("未知属性；见 services/{service_code}.json (unknown attribute; see the service "
                                     "definition)", name[:80], code="unknown-attribute"))
            continue
        if len(given) > 1:
            problems.append(
                    _problem("属性只取一个值 (this attribute takes one value)", name[:80], code="repeated-parameter"))
            continue
        value = given[0]
        if code in FLAG_ATTRIBUTES:
            flag = _flag(value, name, problems)
            if flag is not None:
                found[code] = flag
        elif code == "request_kind":
            kind = _enum(RequestKind, value, {k.label: k for k in RequestKind})
            if kind is None:
                problems.append(_problem("诉求类型应为 " + "、".join(f"{k.value}（{k.label}）" for k in RequestKind)
                                         + " (unknown request kind)", name, value))
            else:
                found[code] = kind.value
        elif code == "channel":
            channel = _enum(Channel, value, {})
            if channel is None:
                problems.append(_problem("受理渠道应为 " + "、".join(c.value for c in Channel) + " (unknown channel)",
                                         name, value))
            else:
                found[code] = channel.value
    return found


def _enum(kind: Any, value: str, labels: Mapping[str, Any]) -> Any:
    try:
        return kind(value)
    except ValueError:
        return labels.get(value)


ATTRIBUTE_CODES = (*FLAG_ATTRIBUTES, "request_kind", "channel")


def parse_submission(form: Mapping[str, Sequence[str]], header_token: str | None = None) -> Submission:
    """Check POST requests' parameters (all problems at once; InputError → HTTP 400)."""
    problems: list[Problem] = []
    t = {name: _text(form, name, problems) for name in (*_TEXT_LIMITS, "description", "lat", "long", "client_token")}
    lat = _number(t["lat"], "lat", -90, 90, problems)
    lon = _number(t["long"], "long", -180, 180, problems)
    if (t["lat"] is None) != (t["long"] is None):
        problems.append(_problem(
                "lat 与 long 须同时给出 (lat and long are sent together)", "lat" if t["lat"] is None else "long",
                                 code="half-coordinates"))
    if t["lat"] is None and t["long"] is None and t["address_string"] is None and t["address_id"] is None:
        problems.append(
                _problem("须给出位置：lat 与 long、address_string 或 address_id (a location is required: lat & long, "
                                 "address_string or address_id)", "address_string", code="missing-location"))
    if t["service_code"] is None and t["description"] is None:
        problems.append(
                _problem("须给出 service_code，或给出 description 以自动匹配 (give a service_code, or a description to "
                                 "match one from)", "service_code", code="missing-service-code"))
    if t["email"] is not None and not _EMAIL.fullmatch(t["email"]):
        problems.append(_problem("不是电子邮件地址 (not an e-mail address)", "email", code="bad-email"))
    if t["phone"] is not None and not _PHONE.fullmatch(t["phone"]):
        problems.append(
                _problem("电话号码只含数字、空格和 + - ( ) (a phone number has digits, spaces and + - ( ) only)",
                                 "phone", code="bad-phone"))
    if t["media_url"] is not None:
        parts = urlsplit(t["media_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                    _problem("media_url 应为 http(s) 网址 (media_url must be an http or https URL)", "media_url",
                                     t["media_url"], code="bad-url"))
    token = header_token.strip() if header_token and header_token.strip() else t["client_token"]
    if token is not None and not _TOKEN.fullmatch(token):
        problems.append(_problem("客户端令牌应为 1–200 个 A–Z a–z 0–9 . _ : - 字符 (a client token is 1–200 characters "
                                 "of A–Z a–z 0–9 . _ : -)", "client_token", code="bad-token"))
        token = None
    attributes = parse_attributes(form, problems)
    if problems:
        raise InputError(problems, "服务请求无效 (invalid service request)")
    return Submission(
        service_code=t["service_code"], description=t["description"], lat=lat, long=lon,
        address_string=t["address_string"], address_id=t["address_id"], zipcode=t["zipcode"], email=t["email"],
        phone=t["phone"], first_name=t["first_name"], last_name=t["last_name"], device_id=t["device_id"],
        account_id=t["account_id"], media_url=t["media_url"], client_token=token, attributes=attributes,
    )


# ---- on the desk ------------------------------------------------------------------------


class NotFound(InputError):
    """A parameter names something that does not exist (Open311: HTTP 404)."""


def _category(ws: Workspace, sub: Submission) -> tuple[str, dict[str, Any] | None]:
    catalog = ws.catalog
    if sub.service_code is not None:
        category = catalog.categories.get(sub.service_code)
        if category is None or not is_leaf(ws, sub.service_code):
            raise NotFound([_problem("没有此 service_code；见 services.json (no such service_code; see services.json)",
                                     "service_code", sub.service_code, code="unknown-service-code")],
                           "未知的服务类别 (unknown service_code)")
        return sub.service_code, None
    prediction = matcher(ws).predict(sub.description or "", top=3)
    matched = prediction.as_json()
    if prediction.category not in catalog.categories:
        raise InputError([_problem("自动匹配的类别不在目录中，请给出 service_code (the matched category is not in the "
                                   "catalog; give a service_code)", "service_code", prediction.category,
                                   code="unmatched")], "无法匹配服务类别 (cannot match a service)")
    return prediction.category, matched


def is_leaf(ws: Workspace, code: str) -> bool:
    leaves = ws.extras.get("leaves")
    if leaves is None:
        parents = {c.parent for c in ws.catalog.categories.values() if c.parent}
        leaves = ws.extras["leaves"] = frozenset(c for c in ws.catalog.categories if c not in parents)
    return code in leaves


def _gazetteer(ws: Workspace) -> Any:
    """The intake gazetteer (`powerlist.intake.Gazetteer`) over the service's catalog, made once;
    None in a build whose intake package has none."""
    import importlib

    gazetteer_type = getattr(importlib.import_module("powerlist.intake"), "Gazetteer", None)
    if gazetteer_type is None:
        return None
    ws.extras["gazetteer"] = gazetteer_type.default(ws.catalog)
    return ws.extras["gazetteer"]


def matcher(ws: Workspace) -> Any:
    """The intake matcher (`Matcher.default()`), loaded once per workspace."""
    found = ws.extras.get("matcher")
    if found is None:
        from ..intake import Matcher

        found = ws.extras["matcher"] = Matcher.default()
    return found


def _place(ws: Workspace, sub: Submission) -> tuple[str, dict[str, Any] | None]:
    catalog = ws.catalog
    if sub.address_id is not None:
        if sub.address_id in catalog.communities or sub.address_id in catalog.streets:
            return sub.address_id, None
        raise InputError([_problem("address_id 应为目录中的社区或街道编码 (address_id is a community or street code of "
                                   "the catalog)", "address_id", sub.address_id, code="unknown-address-id")],
                         "未知的地址编号 (unknown address_id)")
    if sub.address_string is not None:
        gazetteer = ws.extras.get("gazetteer") or _gazetteer(ws)
        if gazetteer is None:
            raise InputError(
                    [_problem("此版本无法解析地址文字，请给出 address_id（社区或街道编码）(this build cannot resolve "
                                       "address text: give address_id, a community or street code)", "address_string",
                                       sub.address_string, code="no-gazetteer")],
                    "无法确定请求的地点 (cannot place the request)")
        place = gazetteer.resolve(sub.address_string)
        code = getattr(place, "community", None) or getattr(place, "street", None)
        shown = place.as_json() if hasattr(place, "as_json") else None
        if not code or getattr(place, "unresolved", False):
            candidates = getattr(place, "candidates", ()) or ()
            names = "、".join(str(getattr(c, "name", c)) for c in list(candidates)[:5])
            hint = f"；可能是 {names}" if names else ""
            raise InputError(
                    [_problem(f"无法确定地址所在社区或街道{hint} (the address cannot be placed in a community or "
                                       "street; give address_id)", "address_string", sub.address_string,
                                       code="unresolved-address")], "地址无法解析 (unresolved address)")
        return str(code), shown
    raise InputError([_problem("仅凭坐标无法定位：本版本没有社区边界数据，请同时给出 address_string 或 address_id "
                               "(coordinates alone cannot be placed: this build has no community boundaries; add "
                               "address_string or address_id)", "lat", code="coordinates-only")],
                     "无法确定请求的地点 (cannot place the request)")


def _channel(sub: Submission, who: Principal | None) -> str | None:
    if "channel" in sub.attributes:
        return str(sub.attributes["channel"])
    if who is not None and who.role is Role.COMMUNITY:
        return Channel.GRID.value  # a community's grid staff report what they find (网格)
    return None


def submit(ws: Workspace, sub: Submission, who: Principal | None, now: datetime) -> Accepted:
    """Match, place, route, log and open one request (on the desk thread, inside its batch)."""
    owner = who.owner if who is not None else None
    if sub.client_token is not None:
        known = ws.log.by_token(sub.client_token)
        if known is not None:
            if known.owner != owner:
                raise InputError(
                        [_problem("此客户端令牌已被其他客户端使用 (this client token was used by another client)",
                                           "client_token", code="token-taken")],
                        "客户端令牌已被使用 (client token already used)")
            return Accepted(known, ensure_case(ws, known), new=False)
    category, matched = _category(ws, sub)
    location, place = _place(ws, sub)
    street = ws.catalog.street_of(location)
    request_id = ws.log.next_id(lambda candidate: ws.store.get(candidate) is not None)
    fields: dict[str, Any] = {
        "id": request_id, "received_at": now, "category": category, "location": location,
        "channel": _channel(sub, who), "description": sub.description,
        **{k: v for k, v in sub.attributes.items() if k != "channel"},
    }
    try:
        issue = Issue.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        raise InputError(validation_problems(error), "服务请求无效 (invalid service request)") from None
    decision = ws.router.route(issue)
    routed = decision.status == "routed" and decision.lead is not None
    if not routed or decision.respond_by is None or decision.complete_by is None:
        raise InputError(
                list(decision.errors) or [_problem("无法派单 (the request could not be routed)", "service_code",
                                                            category, code="not-routed")],
                "请求未能派单 (the request was not routed)")
    record = RequestRecord(
        service_request_id=request_id, received_at=stamp(now), service_code=category, location=location,
        issue=issue.model_dump(mode="json"), decision=decision.model_dump(mode="json"), client_token=sub.client_token,
        owner=owner, submitted_role=who.role.value if who else None, submitted_unit=who.unit if who else None,
        street=street.code if street else None, community=location if location in ws.catalog.communities else None,
        description=sub.description, address_string=sub.address_string, address_id=sub.address_id,
        zipcode=sub.zipcode, lat=sub.lat, long=sub.long, media_url=sub.media_url, email=sub.email, phone=sub.phone,
        first_name=sub.first_name, last_name=sub.last_name, device_id=sub.device_id, account_id=sub.account_id,
        attributes=dict(sub.attributes), matched=matched, place=place,
    )
    ws.log.add(record)
    case = ws.escalator.open_decision(decision, received_at=issue.received_at)
    return Accepted(record, case, new=True)


def ensure_case(ws: Workspace, record: RequestRecord) -> Case:
    """The case of a logged request, opened from its logged issue if a crash lost it."""
    if ws.store.get(record.service_request_id) is None:
        return ws.escalator.open(record.issue)
    return ws.escalator.case(record.service_request_id)


def reopen_orphans(ws: Workspace, recent: int = 1000) -> int:
    """Open the cases of logged requests that have none (a crash between the two commits can
    only have left them in the last batch; `recent` rows are looked at). Returns how many."""
    opened = 0
    for record in ws.log.latest(recent):
        if ws.store.get(record.service_request_id) is None:
            ws.escalator.open(record.issue)
            opened += 1
    return opened


__all__ = ["ATTRIBUTE_CODES", "Accepted", "NotFound", "Submission", "ensure_case", "is_leaf", "parse_submission",
           "reopen_orphans", "submit"]
