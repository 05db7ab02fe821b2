"""Whistles from the case store: each case's history (issue 4) folded into one `WhistleRecord`.

- `whistle_from_case(case)`: one case's snapshot and event history → the record of the unit it was
  dispatched to (or None: not a whistle to a department).
- `records_from_store(store, period)`: the whistles of the cases opened (受理) in `period`, via
  `store.iter_cases`; `read_store(db, period)` opens the case store `db` names (read-only) for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..cases.lifecycle import Event, Snapshot, State, apply, unstamp
from ..cases.store import CaseRecord, CaseStore
from ..cases.stores import open_store
from ..errors import PowerlistError, ProblemCollector
from .period import Period
from .record import WhistleRecord
from .rows import parse_decimal

_TAKE_OVER = ("dispatch", "escalate", "supervise")


def whistle_from_case(case: CaseRecord) -> WhistleRecord | None:
    """One `WhistleRecord` from a case store's `CaseRecord` (snapshot + event history).

    The scored unit is the unit the case was dispatched to (派单). It stays the scored unit when
    the case is escalated or put under supervision away from it (its failure to act stays its
    own); it changes when the case is dispatched to another unit (改派), or when a return (退单)
    is followed by any take-over by another unit: the return was accepted, so the whistle was
    wrongly routed (`returned`, against the street's 呼叫质效). Its response is its first 报到
    while it held the case, against the respond_by it was given; its completion is its last 办结
    (cleared by a 重办), against the complete_by it was given as moved by its extensions (延期) and
    reopenings (重办), both penalised separately, and by nothing else: a supervision urge's or a
    send-back's new deadline does not excuse a deadline already missed. 推诿 is a `推诿` finding
    against it. `street_held_power`: the street's own office holds a power of the case (the
    catalog's holders) or the case was re-routed to it.
    Cases never dispatched to a unit other than the street's own office or a community are not
    whistles to a department and give None.
    """
    snapshot = case.snapshot
    street = snapshot.street
    if not street:
        return None
    state: Snapshot | None = None
    unit: dict[str, Any] | None = None
    respond_by: str | None = None  # stamps, as the lifecycle keeps them
    complete_by: str | None = None
    responded_at: str | None = None
    completed_at: str | None = None
    extensions = reopened = 0
    rerouted = False
    third_party: Any = None
    for record in case.history:
        before = state
        state = apply(before, record)
        event, details = record.event, record.details
        holder: str | None = before.assignee["code"] if before is not None else None
        if event.value in _TAKE_OVER and before is not None:
            to = state.assignee
            taken = event is Event.DISPATCH or before.state is State.RETURNED
            if unit is None or (to["code"] != unit["code"] and taken):
                if unit is not None and before.state is State.RETURNED:
                    rerouted = True
                unit = dict(to)
                respond_by, complete_by = state.respond_by, state.complete_by
                responded_at = completed_at = None
                extensions = reopened = 0
        if unit is not None and state.assignee["code"] == unit["code"]:
            # Only an extension (延期) or a reopening (重办: a new round of work, penalised
            # separately) moves the deadline the unit is scored against: a new deadline set by a
            # supervision office's urge (督办催办), a listing under supervision or a case sent back
            # to it after a return does not erase the lateness it already has.
            if event in (Event.EXTEND, Event.REOPEN) or complete_by is None:
                complete_by = state.complete_by
            if respond_by is None:
                respond_by = state.respond_by
        if event is Event.EVALUATE:
            third_party = details.get("third_party", third_party)  # a survey score, where recorded
        if unit is None or holder != unit["code"]:
            continue
        if event is Event.RESPOND and responded_at is None:
            responded_at = record.at
        elif event is Event.COMPLETE:
            completed_at = record.at
        elif event is Event.REOPEN:
            completed_at = None
            reopened += 1
        elif event is Event.EXTEND:
            extensions += 1
    if unit is None or state is None:
        return None
    buck_passing = any(
        r.details.get("finding") == "推诿" and r.details.get("unit") == unit["code"] for r in case.history
    )
    first = next(
        (r.details.get("to") for r in case.history if r.event is Event.DISPATCH and r.details.get("to")), None
    )
    lead: Mapping[str, Any] = first or snapshot.lead

    def local(u: Mapping[str, Any]) -> bool:
        return bool(u["code"] == street or u.get("level") == "community")

    # Not a whistle only when the case never left the street's own office and its communities:
    # a case the street office then dispatches (派单/改派) to a department is a whistle that
    # department answers, and is scored like one.
    if local(lead) and local(unit):
        return None
    held = unit["code"] == street or any(h.get("unit", {}).get("code") == street for h in snapshot.holders)
    office = next(
        (u["name"] for u in (snapshot.lead, snapshot.assignee, *snapshot.path) if u["code"] == street), None
    )
    street_name = office.removesuffix("办事处") if office else None  # 胜阳港街道办事处 → 胜阳港街道
    code = unit["code"]
    return WhistleRecord(
        case_id=snapshot.case_id,
        street=street,
        street_name=street_name,
        unit=code,
        unit_name=unit.get("name"),
        department=code.rsplit("-", 1)[1] if "-" in code else None,
        kind=snapshot.whistle,
        grade=snapshot.grade,
        received_at=unstamp(snapshot.opened_at),
        respond_by=unstamp(respond_by) if respond_by else None,
        responded_at=unstamp(responded_at) if responded_at else None,
        complete_by=unstamp(complete_by) if complete_by else None,
        completed_at=unstamp(completed_at) if completed_at else None,
        satisfaction=state.satisfaction,
        third_party=_survey(third_party),
        extensions=extensions,
        reopened=reopened,
        street_held_power=held,
        returned=rerouted,
        buck_passing=buck_passing,
    )


def _survey(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = parse_decimal(value)
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


def records_from_store(store: CaseStore, period: Period) -> list[WhistleRecord]:
    """The whistles of a case store opened (受理) in `period`, via `store.iter_cases`."""
    records: list[WhistleRecord] = []
    problems = ProblemCollector(getattr(store, "path", None))
    for case in store.iter_cases(since=period.start, until=period.end, by="opened"):
        try:
            record = whistle_from_case(case)
        except (PowerlistError, ValidationError, KeyError, ValueError) as error:
            message = f"case history cannot be scored: {error}"
            problems.add(message, field="case_id", value=case.case_id, code="bad-case")
            continue
        if record is not None:
            records.append(record)
    problems.raise_if_any("invalid cases in the store")
    return records


def read_store(path: str | Path, period: Period) -> list[WhistleRecord]:
    """The whistles of the case store `path` names (a SQLite file or a postgresql:// URL, see
    `cases.stores.open_store`) opened in `period`. The store is opened read-only: a store on a
    read-only file or medium is scored as it stands."""
    store = open_store(path, create=False, read_only=True)
    try:
        return records_from_store(store, period)
    finally:
        store.close()
