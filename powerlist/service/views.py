"""How a case is shown — 案件视图: the public view (Open311, front end) and the staff view (back end).

Open311 knows two statuses: a case is `closed` once the unit has finished (办结) — completed,
fed back, evaluated or closed — and `open` otherwise (a reopened case is open again). The
detailed state (留痕) goes in `status_notes` and, as an extension, in `extended_attributes`.
`agency_responsible` is the lead unit's name; `expected_datetime` is the completion deadline.

Public views carry no personal data (`masking`); staff views carry the reporter's fields only
for keys whose scope covers the case (`permissions`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..cases.lifecycle import WORKING_STATES, EventRecord, Snapshot, State, local, stamp, unstamp
from ..catalog.catalog import Catalog
from ..errors import PowerlistError
from ..routing.calendar import WorkCalendar
from ..routing.decision import WHISTLE_LABELS, Whistle
from ..routing.issue import SHANGHAI
from .masking import mask_text, round_coordinate
from .request_log import RequestRecord

CLOSED_STATES = frozenset({State.COMPLETED, State.FED_BACK, State.EVALUATED, State.CLOSED})
EVENT_LABELS = {
    "open": "受理", "dispatch": "派单", "respond": "报到", "handle": "处置", "complete": "办结", "feed_back": "反馈",
    "evaluate": "评价", "close": "结案", "return": "退单", "extend": "延期", "reopen": "重办", "escalate": "升级",
    "supervise": "挂牌督办", "remind": "催办", "note": "记录", "sanction": "问责",
}
# What residents may see of a history: the steps of the closed loop, never internal findings.
PUBLIC_EVENTS = frozenset({"open", "dispatch", "respond", "handle", "complete", "feed_back", "evaluate", "close",
                           "extend", "reopen", "escalate", "supervise"})


def w3(text: str | None) -> str | None:
    """A stored stamp as the spec's w3 date-time, Asia/Shanghai with its offset."""
    return local(text)


def whistle_label(whistle: str | None) -> str | None:
    """日常哨 / 重点哨 / 协调哨 / 应急哨 for a stored whistle code (None if it is none of them)."""
    if whistle is None or whistle not in Whistle._value2member_map_:
        return None
    return WHISTLE_LABELS[Whistle(whistle)]


def open311_status(state: State) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def overdue(s: Snapshot, now: datetime) -> bool:
    """True if the unit holding the case has missed the deadline it is working to."""
    if s.state not in WORKING_STATES:
        return False
    at = stamp(now)
    if s.awaiting_response and s.respond_by is not None and s.respond_by < at:
        return True
    return s.complete_by is not None and s.complete_by < at


def working_days_between(calendar: WorkCalendar, start: datetime, end: datetime) -> int | None:
    """Working days from `start` to `end` (negative if `end` is earlier), by the router's
    calendar; None when the calendar does not know a year on the way."""
    sign = 1
    a, b = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()
    if b < a:
        a, b, sign = b, a, -1
    if (b - a).days > 3660:
        return None
    days = 0
    day: date = a
    try:
        while day < b:
            day += timedelta(days=1)
            if calendar.is_workday(day):
                days += 1
    except PowerlistError:
        return None
    return sign * days


def deadline_text(calendar: WorkCalendar, deadline: str | None, now: datetime) -> str:
    """A deadline for the board: 剩 N 个工作日 / 今日到期 / 逾期 N 个工作日."""
    if deadline is None:
        return "—"
    due = unstamp(deadline)
    days = working_days_between(calendar, now, due)
    if days is None:
        hours = int((due - now).total_seconds() // 3600)
        return f"剩 {hours} 小时" if hours >= 0 else f"逾期 {-hours} 小时"
    if due < now:
        return f"逾期 {max(1, -days)} 个工作日" if days < 0 else "逾期（今日）"
    return "今日到期" if days == 0 else f"剩 {days} 个工作日"


def status_notes(s: Snapshot) -> str:
    """The detailed state (留痕) behind open|closed, in Chinese with the English code."""
    notes = [f"{s.state.label}（{s.state.value}）", f"承办 {s.assignee['name']}"]
    if s.supervised:
        notes.append("挂牌督办")
    if s.state in WORKING_STATES and s.awaiting_response and s.respond_by:
        notes.append(f"报到时限 {local(s.respond_by)}")
    if s.satisfaction:
        from ..cases.lifecycle import SATISFACTION_LABELS, Satisfaction

        notes.append(f"评价 {SATISFACTION_LABELS[Satisfaction(s.satisfaction)]}")
    return "；".join(notes)


def service_notice(s: Snapshot, record: RequestRecord | None) -> str:
    whistle = whistle_label(s.whistle) or s.whistle or ""
    notice = (f"已受理，由 {s.lead['name']} 牵头办理（{whistle}，{s.grade or ''}级）；"
              f"报到时限 {local(s.respond_by)}，办结时限 {local(s.complete_by)}")
    if record is not None and record.matched is not None and record.matched.get("needs_review"):
        notice += "；类别为自动匹配，待工作人员确认"
    return notice


def service_name(catalog: Catalog, code: str | None) -> str | None:
    category = catalog.categories.get(code or "")
    return category.name if category else None


def public_address(record: RequestRecord | None, s: Snapshot, catalog: Catalog) -> str | None:
    """The request's address as published: the given address masked, then community, street,
    district — most specific first, as the spec asks."""
    parts: list[str] = []
    if record is not None and record.address_string:
        parts.append(mask_text(record.address_string, (record.first_name, record.last_name)))
    place = record.location if record is not None else None
    community = catalog.communities.get(place or "")
    street = catalog.streets.get(s.street or "")
    if community is not None and community.name not in " ".join(parts):
        parts.append(community.name)
    if street is not None and street.name not in " ".join(parts):
        parts.append(street.name)
        district = catalog.districts.get(street.district)
        if district is not None:
            parts.append(district.name)
    return "，".join(parts) if parts else None


def open311_request(s: Snapshot, record: RequestRecord | None, catalog: Catalog) -> dict[str, Any]:
    """The GeoReport v2 `request` of a case, public: nothing personal, coordinates rounded."""
    names = (record.first_name, record.last_name) if record is not None else ()
    return {
        "service_request_id": s.case_id,
        "status": open311_status(s.state),
        "status_notes": status_notes(s),
        "service_name": service_name(catalog, s.category),
        "service_code": s.category or "",
        "description": mask_text(record.description, names) if record is not None and record.description else None,
        "agency_responsible": s.lead["name"],
        "service_notice": service_notice(s, record),
        "requested_datetime": w3(s.opened_at),
        "updated_datetime": w3(s.last_at),
        "expected_datetime": w3(s.complete_by),
        "address": public_address(record, s, catalog),
        "address_id": (record.address_id or record.location) if record is not None else (s.street or None),
        "zipcode": record.zipcode if record is not None else None,
        "lat": round_coordinate(record.lat) if record is not None else None,
        "long": round_coordinate(record.long) if record is not None else None,
        "media_url": record.media_url if record is not None else None,
    }


def extended_attributes(s: Snapshot, record: RequestRecord | None, now: datetime) -> dict[str, Any]:
    """The extension field: the detailed state and the routing facts (public ones only)."""
    matched = record.matched if record is not None else None
    return {
        "state": s.state.value,
        "state_label": s.state.label,
        "whistle": s.whistle,
        "whistle_label": whistle_label(s.whistle),
        "grade": s.grade,
        "level": s.level,
        "lead": s.lead["name"],
        "assignee": s.assignee["name"],
        "respond_by": w3(s.respond_by),
        "complete_by": w3(s.complete_by),
        "supervised": s.supervised,
        "overdue": overdue(s, now),
        "satisfaction": s.satisfaction,
        "needs_review": bool(matched and matched.get("needs_review")),
    }


def public_history(history: tuple[EventRecord, ...]) -> list[dict[str, Any]]:
    """The closed loop's steps for residents: when, what, and to which unit — no actors' notes."""
    steps = []
    for r in history:
        if r.event.value not in PUBLIC_EVENTS:
            continue
        to = r.details.get("to")
        steps.append({
            "at": local(r.at),
            "event": r.event.value,
            "label": EVENT_LABELS[r.event.value],
            "unit": to.get("name") if isinstance(to, dict) else None,
        })
    return steps


def case_summary(s: Snapshot, catalog: Catalog, calendar: WorkCalendar, now: datetime,
                 record: RequestRecord | None = None) -> dict[str, Any]:
    """One row of the case board / `GET /api/cases`."""
    due = s.due()
    working = s.respond_by if s.awaiting_response else s.complete_by
    street = catalog.streets.get(s.street or "")
    return {
        "case_id": s.case_id,
        "state": s.state.value,
        "state_label": s.state.label,
        "status": open311_status(s.state),
        "category": s.category,
        "category_name": service_name(catalog, s.category),
        "street": s.street,
        "street_name": street.name if street else None,
        "community": record.community if record is not None else None,
        "whistle": s.whistle,
        "grade": s.grade,
        "level": s.level,
        "lead": s.lead,
        "assignee": s.assignee,
        "opened_at": w3(s.opened_at),
        "last_at": w3(s.last_at),
        "respond_by": w3(s.respond_by),
        "complete_by": w3(s.complete_by),
        "next_due_at": w3(due[0]) if due else None,
        "overdue": overdue(s, now),
        "deadline": deadline_text(calendar, working, now) if s.state in WORKING_STATES else "—",
        "supervised": s.supervised,
        "labels": list(s.labels),
        "satisfaction": s.satisfaction,
        "needs_review": bool(record is not None and record.matched and record.matched.get("needs_review")),
    }


def reporter(record: RequestRecord | None) -> dict[str, Any] | None:
    """The reporter's own fields (staff views within scope only)."""
    if record is None:
        return None
    return {
        "first_name": record.first_name, "last_name": record.last_name, "phone": record.phone, "email": record.email,
        "device_id": record.device_id, "account_id": record.account_id,
    }


def request_detail(record: RequestRecord | None) -> dict[str, Any] | None:
    """What the resident sent, unmasked (staff views within scope only)."""
    if record is None:
        return None
    return {
        "description": record.description, "address_string": record.address_string, "address_id": record.address_id,
        "zipcode": record.zipcode, "lat": record.lat, "long": record.long, "media_url": record.media_url,
        "location": record.location, "community": record.community, "attributes": record.attributes,
        "matched": record.matched, "place": record.place, "received_at": w3(record.received_at),
    }


__all__ = ["CLOSED_STATES", "EVENT_LABELS", "case_summary", "deadline_text", "extended_attributes", "open311_request",
           "open311_status", "overdue", "public_history", "reporter", "request_detail", "status_notes", "w3",
           "working_days_between"]
