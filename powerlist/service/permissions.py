"""Graded permissions — 分级权限: which cases a key sees, and what it may record on them.

| role        | sees                                                             | may record          |
|-------------|------------------------------------------------------------------|---------------------|
| resident    | the requests it submitted, public fields only                     | nothing             |
| community   | cases placed in its community, or that name it (lead, co-unit, dispatched to) | any event but 督办 |
| street      | cases of its street                                              | any event but 督办  |
| department  | cases where it is lead, co-unit, or the case was given to it      | any event but 督办  |
| supervision | every case                                                       | every event, 督办 included |
| admin       | every case                                                       | every event         |

A case outside a key's scope does not exist for it: reading or acting on it is 404, exactly as
for an id that does not exist, so ids do not leak. A resident key acting is 403 (the key is
known, the act is not allowed). The unit of a key is the actor of everything it records
(吹哨全留痕); an admin key acts for no unit and names one (`by`) or leaves the case's holder as
actor, as `powerlist cases record` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..cases.lifecycle import Event, EventRecord, Snapshot
from .keys import Principal, Role
from .request_log import RequestRecord

STAFF_ROLES = frozenset({Role.COMMUNITY, Role.STREET, Role.DEPARTMENT, Role.SUPERVISION, Role.ADMIN})
ALL_CASES = frozenset({Role.SUPERVISION, Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISION, Role.ADMIN})


def case_units(snapshot: Snapshot, history: Iterable[EventRecord]) -> set[str]:
    """Every unit a case names as lead, co-unit, holder now, or unit it was given to."""
    units = {snapshot.lead["code"], snapshot.assignee["code"]}
    for record in history:
        if record.event is Event.OPEN:
            units.update(_codes(record.details.get("co_units", ())))
        to = record.details.get("to")
        if isinstance(to, Mapping) and isinstance(to.get("code"), str):
            units.add(to["code"])
    return units


def _codes(units: Any) -> set[str]:
    return {u["code"] for u in units if isinstance(u, Mapping) and isinstance(u.get("code"), str)}


def can_see(who: Principal, snapshot: Snapshot, history: Iterable[EventRecord], record: RequestRecord | None) -> bool:
    role = who.role
    if role in ALL_CASES:
        return True
    if role is Role.RESIDENT:
        return record is not None and record.owner is not None and record.owner == who.owner
    if role is Role.STREET:
        return snapshot.street == who.unit
    if role is Role.COMMUNITY and record is not None and record.community == who.unit:
        return True
    return who.unit in case_units(snapshot, history)


def may_record(who: Principal, event: str) -> bool:
    """Whether a key's role may record `event` at all (its scope is checked separately)."""
    if who.role not in STAFF_ROLES:
        return False
    if event == Event.SUPERVISE.value:
        return who.role in SUPERVISORS
    return True


def sees_personal_data(who: Principal) -> bool:
    """Staff within scope see the reporter's fields; a resident sees public fields only."""
    return who.role in STAFF_ROLES


__all__ = ["ALL_CASES", "STAFF_ROLES", "SUPERVISORS", "can_see", "case_units", "may_record", "sees_personal_data"]
