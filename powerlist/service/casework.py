"""The back end's work on cases — 案件办理: listing a key's cases, reading one, recording an event.

These are desk jobs (`desk`): each runs on the desk thread over the store and the request log,
and checks the key's scope (`permissions`) in the same job that reads or writes, so a check and
its act see the same case. The API and the management pages both call them; neither has logic
of its own.

Recording follows `powerlist cases record`: the same events, the same options per event (an
option another event uses is refused), the same satisfaction values, the same lifecycle rules
and errors, the Escalator doing the work. The acting unit is the key's unit; an admin key may
name one (`by`), else the unit holding the case acts, as on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..cases.escalator import Case
from ..cases.lifecycle import SATISFACTION_LABELS, EventRecord, Satisfaction, Snapshot, aware
from ..cases.recording import EVENT_NAMES as CLI_EVENT_NAMES
from ..errors import InputError, PowerlistError, Problem
from .desk import Workspace
from .keys import Principal, Role
from .permissions import can_see, case_units, may_record, sees_personal_data
from .request_log import RequestRecord
from .views import case_summary, extended_attributes, open311_request, public_history, reporter, request_detail

# The Chinese names `cases record` takes (报到, 办结, 重新打开, 督办 …), and the service's own.
EVENT_NAMES: dict[str, str] = {
    **{name: event.value for name, event in CLI_EVENT_NAMES.items()},
    "派单": "dispatch", "改派": "dispatch", "报到": "respond", "处置": "handle", "办结": "complete",
    "反馈": "feed_back", "评价": "evaluate", "结案": "close", "退单": "return", "延期": "extend", "重办": "reopen",
    "升级": "escalate",
    "督办": "supervise", "挂牌督办": "supervise",
}
RECORDABLE = ("dispatch", "respond", "handle", "complete", "feed_back", "evaluate", "close", "return", "extend",
              "reopen", "escalate", "supervise")
# The options each event takes, as `powerlist cases record` has them.
OPTION_EVENTS = {"satisfaction": ("evaluate",), "third_party": ("evaluate",),
                 "to": ("dispatch", "escalate", "supervise"), "until": ("extend",)}
MAX_PAGE_SIZE = 200


class Hidden(PowerlistError):
    """No such case for this key (it does not exist, or lies outside the key's scope): 404."""


class Forbidden(PowerlistError):
    """The key is known but may not do this: 403."""


@dataclass(frozen=True)
class Filters:
    street: str | None = None
    unit: str | None = None
    states: frozenset[str] = frozenset()
    overdue: bool | None = None
    whistle: str | None = None
    category: str | None = None
    page: int = 1
    page_size: int = 50


def event_name(text: str) -> str:
    t = "".join(text.split())
    return EVENT_NAMES.get(t, t.lower())


def _visible(
        ws: Workspace, who: Principal, case_id: str) -> tuple[Snapshot, tuple[EventRecord, ...], RequestRecord | None]:
    snapshot = ws.store.get(case_id)
    if snapshot is None:
        raise Hidden(case_id)
    history = ws.store.history(case_id)
    record = ws.log.get(case_id)
    if not can_see(who, snapshot, history, record):
        raise Hidden(case_id)
    return snapshot, history, record


def _matches(s: Snapshot, history: tuple[EventRecord, ...], f: Filters, now: datetime) -> bool:
    from .views import overdue

    if f.street and s.street != f.street:
        return False
    if f.unit and f.unit not in case_units(s, history):
        return False
    if f.states and s.state.value not in f.states:
        return False
    if f.whistle and s.whistle != f.whistle:
        return False
    if f.category and s.category != f.category:
        return False
    return f.overdue is None or overdue(s, now) == f.overdue


def list_cases(ws: Workspace, who: Principal, f: Filters, now: datetime) -> dict[str, Any]:
    """A key's cases, overdue first, then by next deadline; one page of them."""
    calendar = ws.router.calendar
    if who.role is Role.RESIDENT:
        rows = []
        for case_id in ws.log.ids_of_owner(who.owner):
            s = ws.store.get(case_id)
            if s is None:
                continue
            history = ws.store.history(case_id)
            if _matches(s, history, f, now):
                view = open311_request(s, ws.log.get(case_id), ws.catalog)
                view["extended_attributes"] = extended_attributes(s, ws.log.get(case_id), now)
                rows.append(view)
        rows.reverse()
        first = (f.page - 1) * f.page_size
        return {"cases": rows[first:first + f.page_size], "total": len(rows), "page": f.page, "page_size": f.page_size}
    community_ids = ws.log.ids_of_community(who.unit) if who.role is Role.COMMUNITY and who.unit else set()
    chosen: list[Snapshot] = []
    for case in ws.store.iter_cases():
        s = case.snapshot
        if who.role is Role.COMMUNITY and s.case_id in community_ids:
            visible = True
        else:
            visible = can_see(who, s, case.history, None)
        if visible and _matches(s, case.history, f, now):
            chosen.append(s)
    from .views import overdue

    def order(s: Snapshot) -> tuple[int, str, str]:
        due = s.due()
        return (0 if overdue(s, now) else 1, due[0] if due else "~", s.case_id)

    chosen.sort(key=order)
    first = (f.page - 1) * f.page_size
    page = chosen[first:first + f.page_size]
    records = ws.log.many([s.case_id for s in page])
    return {
        "cases": [case_summary(s, ws.catalog, calendar, now, records.get(s.case_id)) for s in page],
        "total": len(chosen), "page": f.page, "page_size": f.page_size,
    }


def read_case(ws: Workspace, who: Principal, case_id: str, now: datetime) -> dict[str, Any]:
    """One case as the key may see it: staff get the full history and the reporter's fields,
    a resident the public view and the public steps of its own request."""
    snapshot, history, record = _visible(ws, who, case_id)
    if who.role is Role.RESIDENT:
        view = open311_request(snapshot, record, ws.catalog)
        view["extended_attributes"] = extended_attributes(snapshot, record, now)
        view["history"] = public_history(history)
        return view
    case = Case(snapshot, history)
    shown = case.as_json()
    shown["summary"] = case_summary(snapshot, ws.catalog, ws.router.calendar, now, record)
    shown["co_units"] = list(history[0].details.get("co_units", [])) if history else []
    shown["holders"] = list(snapshot.holders)
    shown["decision"] = record.decision if record is not None else None
    if sees_personal_data(who):
        shown["request"] = request_detail(record)
        shown["reporter"] = reporter(record)
    return shown


def _time(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return aware(value)
    try:
        return aware(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise InputError(
                [Problem(message="不是 ISO 8601 时间，例如 2026-07-01T09:00 或 2026-07-01T09:00+08:00 (not an ISO "
                                  "8601 time)", field=name, value=str(value)[:100], code="bad-time")],
                         "invalid time") from None


def check_event(body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An event's fields, checked as `cases record` checks its options (all problems at once)."""
    problems: list[Problem] = []
    raw = body.get("event")
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(
                [Problem(message="须给出 event：" + "、".join(RECORDABLE) + " (event is required)", field="event",
                                  code="missing-event")], "案件事件无效 (invalid event)")
    event = event_name(raw)
    if event not in RECORDABLE:
        raise InputError(
                [Problem(message="未知事件；事件为 " + ", ".join(RECORDABLE) + " (unknown event)", field="event",
                                  value=raw[:50], code="unknown-event")], "案件事件无效 (invalid event)")
    values = {k: body.get(k) for k in ("at", "by", "satisfaction", "third_party", "to", "until", "reason")}
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    values = {k: v for k, v in values.items() if v not in (None, "")}
    for option, events in OPTION_EVENTS.items():
        if option in values and event not in events:
            problems.append(
                    Problem(message=f"{option} 只用于 {' / '.join(events)}，不用于 {event!r} ({option} applies to "
                                    f"{' / '.join(events)} only)", field=option, value=str(values[option])[:100],
                                    code="misplaced-option"))
    for name in ("by", "to", "reason", "satisfaction", "third_party", "at", "until"):
        value = values.get(name)
        limit = 2000 if name == "reason" else 100
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or len(str(value)) > limit:
            problems.append(
                    Problem(message=f"应为至多 {limit} 字符的文字 (expected text of at most {limit} characters)",
                                    field=name, code="bad-value"))
            values.pop(name)
    if "satisfaction" in values and Satisfaction.parse(values["satisfaction"]) is None:
        problems.append(Problem(message="满意度为 " + ", ".join(f"{v.value} ({label})" for v, label in
                                                          SATISFACTION_LABELS.items()),
                                field="satisfaction", value=str(values["satisfaction"])[:50], code="bad-satisfaction"))
    when = now
    try:
        if "at" in values:
            when = _time(values["at"], "at")
            if when > now:
                problems.append(Problem(message="事件时间不能晚于现在 (an event cannot be recorded in the future)",
                                        field="at", value=str(values["at"])[:50], code="future-time"))
        if "until" in values:
            values["until"] = _time(values["until"], "until")
    except InputError as error:
        problems.extend(error.problems)
    if problems:
        raise InputError(problems, "案件事件无效 (invalid event)")
    values["at"] = when
    values["event"] = event
    return values


def record_event(ws: Workspace, who: Principal, case_id: str, values: Mapping[str, Any]) -> Case:
    """Record one event for a key (scope, role and actor checked, then the Escalator)."""
    event = str(values["event"])
    snapshot, _, _ = _visible(ws, who, case_id)
    if not may_record(who, event):
        raise Forbidden(
                f"{who.role.value} 密钥不能记录 {event}（{who.label}）(a {who.role.value} key may not record {event})")
    by = values.get("by")
    if who.role is not Role.ADMIN:
        if by is not None and str(by) != who.unit:
            raise Forbidden(f"密钥只能以本单位 {who.unit} 的名义记录 (a key records for its own unit {who.unit} only)")
        by = who.unit
    details: dict[str, Any] = {k: values[k] for k in ("satisfaction", "third_party", "to", "reason") if k in values}
    if "until" in values:
        details["until"] = values["until"]
    return ws.escalator.record(case_id, event, values["at"], by=str(by) if by else None, **details)


__all__ = ["EVENT_NAMES", "Filters", "Forbidden", "Hidden", "RECORDABLE", "check_event", "list_cases", "read_case",
           "record_event"]
