"""What every stored case keeps true — 案件不变量: checked on every event before it is written.

`lifecycle.apply` enforces the transition table and time order. These checks add what a store
must never hold, whatever code appends the event (the CLI, the service, a tick, a migration):

- every instant (`at`, and the `respond_by`, `complete_by`, `escalate_at`, `due_at` an event
  carries) is a fixed-width stamp inside the store's plausible window (`instants.TimeWindow`);
- a deadline given to a unit that takes a case on (派单, 升级, 挂牌督办, 重办; the open event
  itself) or renewed by an urge (督办催办) is not before the event: no unit is charged for time
  before it was notified (a unit's windows start at its own notification).

(That an extension recorded by hand ends after the deadline it extends is checked where it is
recorded, `recording.recorded`; ticks only ever extend forwards.)

`event_problems` lists the problems of one event against the case before it; `fold` applies a
sequence of events with these checks and raises InputError (nothing to write) on the first bad
one; `case_problems` checks a stored case as a whole (snapshot, history, replay) for
`powerlist cases check` and migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InputError, Problem, TransitionError
from .instants import TimeWindow, is_stamp, shown
from .lifecycle import Event, EventRecord, Snapshot, apply, replay

STAMP_DETAILS = ("respond_by", "complete_by", "escalate_at", "due_at")
_NOTIFYING = frozenset({Event.OPEN, Event.DISPATCH, Event.ESCALATE, Event.SUPERVISE, Event.REOPEN, Event.REMIND})
_SNAPSHOT_STAMPS = (
    "opened_at",
    "last_at",
    "respond_by",
    "complete_by",
    "escalate_at",
    "responded_at",
    "late_response_at",
    "returned_at",
    "hard_at",
)


def event_problems(before: Snapshot | None, record: EventRecord, window: TimeWindow) -> list[Problem]:
    """Every problem of appending `record` to a case that stands at `before` (see the module doc)."""
    case_id = record.case_id
    problems: list[Problem] = []
    inside = window.contains  # what `window.problem` asks first; the problem only when it is not
    if not inside(record.at):
        problems.append(_problem(window, record.at, "at", case_id))
    details = record.details
    for key in STAMP_DETAILS:
        if key in details and details[key] is not None and not inside(details[key]):
            problems.append(_problem(window, details[key], key, case_id))
    if problems:
        return problems
    if record.event in _NOTIFYING:
        for key in ("respond_by", "complete_by"):
            value = details.get(key)
            if value is not None and value < record.at:
                problems.append(
                    Problem(
                        message=f"案件 {case_id} 的{_LABELS[key]} {shown(value)} 早于通知时间 {shown(record.at)}："
                        "单位的时限自其收到通知起算 (a deadline before the unit was notified: no unit is "
                        "charged for time before its notification)",
                        field=key,
                        value=shown(value),
                        code="deadline-before-notice",
                    )
                )
    return problems


_LABELS = {"respond_by": "报到时限", "complete_by": "办结时限"}


def _problem(window: TimeWindow, at: object, field: str, case_id: str) -> Problem:
    found = window.problem(at, field=field, case_id=case_id)
    assert found is not None
    return found


def fold(snapshot: Snapshot | None, records: Sequence[EventRecord], window: TimeWindow) -> Snapshot:
    """`records` applied to `snapshot` with every check: InputError (problems of the first bad
    event) or TransitionError (the lifecycle refuses it); either way nothing is to be written."""
    for record in records:
        problems = event_problems(snapshot, record, window)
        if problems:
            raise InputError(problems, "事件被拒绝，案件库未写入 (event refused; nothing was written)")
        snapshot = apply(snapshot, record)
    if snapshot is None:
        raise ValueError("fold needs at least one event for a new case")
    return snapshot


def case_problems(
    case_id: str, snapshot: Snapshot | None, history: Sequence[EventRecord], window: TimeWindow
) -> list[Problem]:
    """What is wrong with a stored case: a history that does not replay, an event or instant
    outside the window, a snapshot that differs from the replay of its history."""
    where: dict[str, Any] = {"field": "case_id", "value": case_id}
    if not history:
        return [Problem(message=f"案件 {case_id} 没有事件 (a case without events)", code="no-events", **where)]
    problems: list[Problem] = []
    before: Snapshot | None = None
    for record in history:
        found = event_problems(before, record, window)
        if found:
            problems.extend(p.model_copy(update={"row": record.n}) for p in found)
            break
        try:
            before = apply(before, record)
        except TransitionError as error:
            problems.append(
                Problem(
                    message=f"案件 {case_id} 第 {record.n} 个事件无法重放 (event {record.n} does not replay): {error}",
                    row=record.n,
                    code="bad-history",
                    **where,
                )
            )
            break
    if problems:
        return problems
    replayed = replay(history)
    if snapshot != replayed:
        problems.append(
            Problem(
                message=f"案件 {case_id} 的快照与事件重放结果不一致 (the stored snapshot differs from the "
                "replay of its events)",
                code="snapshot-differs",
                **where,
            )
        )
    for name in _SNAPSHOT_STAMPS:
        value = getattr(replayed, name)
        if value is not None and not is_stamp(value):
            problems.append(window.problem(value, field=name, case_id=case_id) or Problem(message=name, **where))
    return problems


__all__ = ["STAMP_DETAILS", "case_problems", "event_problems", "fold"]
