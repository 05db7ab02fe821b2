"""The escalation actions — 督办动作: what a tick does to a due case, and how it is recorded.

A row of an escalation table names an action (`then.action`) and, for some, a `target`, a
`finding` (不到位, 慢到位, 到位不作为, 推诿 …) and a `label` (争议, 疑难 …):

- `remind` 催办: the unit is reminded; escalation waits `grace_hours` more.
- `note`: a late response (慢到位) is written on the case.
- `extend` 延期: the completion deadline moves `extension_hours` on.
- `escalate` 升级: the case goes to the next unit above (`units.next_unit`); with nobody above
  the row does nothing and the city supervision office lists the case through another row.
- `send_back` / `redispatch` 改派: a return is arbitrated by the power list — a return by a
  holder is 推诿 and the case goes back to it, a return by anyone else re-dispatches the case to
  the holder (`units.holder_unit`), the reason citing the power-list entry.
- `supervise` 挂牌督办: the supervision office lists the case (disputes, hard cases, nobody
  above); the holder is named. A unit newly owing a response starts the windows again; a unit
  already at work keeps its response and gets a new completion deadline.
- `urge` 督办催办: under supervision an overdue case gets new deadlines.

Deadlines that follow from a deadline (end of the reminder grace, an extension) count from the
missed deadline, so the actions do not depend on how often ticks run. A unit that newly takes a
case (escalation, re-dispatch, supervision of a dispute, reopening) gets the decision's response
and completion windows again, counted from the action. Windows, grace periods and extensions
are wall-clock hours: the router's working-day calendar decided the first deadlines, later ones
reuse their lengths. Ticks deliberately do not count working days: a year the calendar does not
know raises CalendarError, and one such case would stop every tick of the whole store.

Every action names the table row that produced it (`rule`, e.g. "esc_response_due.escalate")
and why (`reason`); its event's actor is the city supervision office (the 督办 machinery acts on
its behalf; the unit acted upon is the action's `from`). It is recorded twice: as an event in
the case's log and as a row of the store's actions table under a unique idempotency key,
`case|deadline|events so far|action` — the deadline alone is not enough (two returns may fall
on the same second), the case's event count pins it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..errors import PowerlistError
from ..routing.issue import SHANGHAI
from ..routing.tables import Row
from .lifecycle import Event, EventRecord, Snapshot, apply, local, stamp, unstamp
from .store import ActionRow, NewEvent
from .units import citation, holder_unit, is_community, next_unit


@dataclass(frozen=True)
class Action:
    """What a tick decided for one case — 督办动作. `key` is its idempotency key."""

    case_id: str
    action: str
    from_unit: str | None
    to_unit: str | None
    rule: str
    reason: str
    at: datetime
    key: str
    finding: str | None = None
    due_at: datetime | None = None  # when it fell due; `at - due_at` is the ticker's lag

    @classmethod
    def from_row(cls, row: ActionRow) -> Action:
        """The action a row of the store's actions table records (its time in Asia/Shanghai)."""
        return cls(
            case_id=row.case_id,
            action=row.action,
            from_unit=row.from_unit,
            to_unit=row.to_unit,
            rule=row.rule,
            reason=row.reason,
            at=_shanghai(row.at),
            key=row.key,
            finding=row.finding,
            due_at=_shanghai(row.due_at) if row.due_at else None,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "action": self.action,
            "from": self.from_unit,
            "to": self.to_unit,
            "rule": self.rule,
            "reason": self.reason,
            "at": self.at.isoformat(timespec="seconds"),
            "due_at": self.due_at.isoformat(timespec="seconds") if self.due_at else None,
        }


@functools.lru_cache(maxsize=4096)  # a tick's actions are mostly taken at its `now`
def _shanghai(at: str) -> datetime:
    return unstamp(at).astimezone(SHANGHAI)


@dataclass(frozen=True)
class Planned:
    """An action decided for a due case, not yet written: its actions-table row, its event, and
    the unit at fault when the action records a finding."""

    row: ActionRow
    event: NewEvent
    blamed: str | None


def extension_end(s: Snapshot, hours: float) -> str:
    """The end of an extension: `hours` after the current completion deadline."""
    base = s.complete_by or s.last_at
    return stamp(unstamp(base) + timedelta(hours=hours))


def late_response(s: Snapshot, history: Sequence[EventRecord]) -> tuple[dict[str, Any], str | None]:
    """The unit whose response came late (the one that owed it: the case was with it when the
    response came) and the respond_by it missed, from the case's history."""
    before: Snapshot | None = None
    for record in history:
        if record.event is Event.RESPOND and record.at == s.late_response_at and before is not None:
            return dict(before.assignee), before.respond_by
        before = apply(before, record)
    return dict(s.assignee), s.respond_by


def plan(
    s: Snapshot,
    row: Row,
    *,
    kind: str,
    facts: Mapping[str, Any],
    when: str,
    at: str,
    params: Mapping[str, Any],
    rules_version: str,
    late: tuple[dict[str, Any], str | None] | None = None,
) -> Planned | None:
    """What `row` (the first row of the due case's table) does to `s`, due at `when` for
    `kind`, stamped `at`; None when it has nowhere to go (escalation with nobody above).

    `late` is `late_response(...)` for a `late` case: 慢到位 is the fault of the unit that
    responded late, against the deadline it had then — not of whoever holds the case when the
    tick comes (it may have moved on)."""
    out = row.then
    action = out["action"]
    finding = out.get("finding") or None
    label = out.get("label") or None
    target = out.get("target", "self")
    current = s.assignee
    missed = s.respond_by
    if kind == "late":
        if late is None:
            raise ValueError("a late response is planned with late=late_response(...)")
        current, missed = late
    blamed = s.returned_by if kind == "review" else current["code"]
    if blamed is not None and is_community(s, blamed):
        # A residents' committee is self-governing (基层群众性自治组织): it does not report for
        # duty, so no fault is recorded against it; the case still moves as the row says.
        finding, blamed = None, None
    details: dict[str, Any] = {"action": action, "from": current}
    if finding:
        details["finding"] = finding
        details["unit"] = blamed
    if label:
        details["label"] = label
    extra = ""
    if action == "remind":
        details["escalate_at"] = stamp(unstamp(when) + timedelta(hours=out["grace_hours"]))
        event, to = Event.REMIND, current
        extra = f"报到时限 {local(s.respond_by)}，宽限至 {local(details['escalate_at'])}"
    elif action == "note":
        details["clears"] = "late"
        event, to = Event.NOTE, current
        extra = f"{current['name']} 报到时限 {local(missed)}，实际报到 {local(s.late_response_at)}"
    elif action == "extend":
        details["complete_by"] = extension_end(s, params["extension_hours"])
        details["hard"] = s.extensions + 1 >= params["hard_extensions"]
        event, to = Event.EXTEND, current
        extra = f"办结时限 {local(s.complete_by)} 延至 {local(details['complete_by'])}"
    elif action == "escalate":
        above = next_unit(s, target)
        if above is None:
            return None
        to = above
        details["to"] = to
        event = Event.ESCALATE
        extra = f"{current['name']}（{current['level']}）→ {to['name']}（{to['level']}）"
    elif action in ("send_back", "redispatch"):
        to = holder_unit(s, target)
        details["to"] = to
        event = Event.DISPATCH
        extra = citation(s, s.returned_by) if finding == "推诿" else f"改派 {to['name']}"
    elif action == "supervise":
        to = holder_unit(s, target) if target in ("holder", "lead") else current
        details["to"] = to
        details["office"] = s.supervision_office
        details["restart"] = kind == "response" or facts.get("trigger") == "return"
        event = Event.SUPERVISE
        extra = f"{s.supervision_office['name']}挂牌督办，承办单位 {to['name']}"
        if kind == "review" and facts.get("trigger") == "return":
            extra += "；" + citation(s, to["code"])
    elif action == "urge":
        to = current
        if kind == "response":
            details["respond_by"] = stamp(unstamp(at) + timedelta(seconds=s.respond_window))
        details["complete_by"] = stamp(unstamp(at) + timedelta(seconds=s.complete_window))
        details["office"] = s.supervision_office
        event = Event.REMIND
        extra = f"{s.supervision_office['name']}督办催办，新时限 {local(details['complete_by'])}"
    else:
        raise PowerlistError(f"rules table {row.id} names an unknown action {action!r}")
    reason = f"{row.why}：{extra}" if extra else row.why
    details["reason"] = reason
    details["due_at"] = when
    key = f"{s.case_id}|{when}|{s.n}|{action}"
    from_unit = current["code"] if action != "urge" else s.supervision_office["code"]
    action_row = ActionRow(
        key=key,
        case_id=s.case_id,
        action=action,
        from_unit=from_unit,
        to_unit=to["code"],
        rule=row.id,
        reason=reason,
        at=at,
        finding=finding,
        rules_version=rules_version,
        due_at=when,
    )
    # Every event names its actor unit: a tick's actions (催办, 升级, 延期, 改派, 督办 …) are the
    # supervision machinery's, taken on behalf of the city supervision office.
    actor = s.supervision_office["code"]
    return Planned(action_row, NewEvent(at, event, actor, row.id, details), blamed)


__all__ = ["Action", "Planned", "extension_end", "late_response", "plan"]
