"""The case lifecycle — 办理流程: states, events, and the transitions allowed between them.

The closed loop of the report is 发现 → 处理 → 督办 → 反馈 → 评价. A case moves through

    received 受理 → dispatched 派单 → responded 报到/响应 → handling 处置 → completed 办结
    → fed_back 反馈 → evaluated 评价 (满意/基本满意/不满意) → closed 结案

and sideways through returned 退单, extended 延期, reopened 重办, escalated 升级 and
supervised 挂牌督办. `TRANSITIONS` below is the whole table, as data: an event not listed for
the case's state raises `TransitionError` and changes nothing.

Three events never change the state: `remind` (催办), `note` (a finding such as 慢到位 written
on the case) and `sanction` (an accountability step, 通报批评/约谈/问责, against a unit).

A case's state is the fold of its events: `replay(events)` applies `apply(snapshot, event)`
from nothing. Every deadline an event sets travels in the event's details (the rules that chose
it may change later; history must not), so replaying needs nothing but the events themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from enum import StrEnum
from typing import Any

from ..catalog.models import Level
from ..errors import TransitionError
from . import canonical

# Times are stamps (`powerlist.cases.instants`); `aware`, `stamp`, `unstamp` and `local` stay
# importable from here.
from .instants import aware as aware
from .instants import is_stamp
from .instants import local as local
from .instants import stamp as stamp
from .instants import unstamp as unstamp

# The resident's evaluation stays importable from here.
from .satisfaction import SATISFACTION_LABELS as SATISFACTION_LABELS
from .satisfaction import Satisfaction as Satisfaction


class State(StrEnum):
    """Where a case stands — 案件状态."""

    RECEIVED = "received"  # 受理
    DISPATCHED = "dispatched"  # 派单
    RESPONDED = "responded"  # 报到/响应
    HANDLING = "handling"  # 处置
    COMPLETED = "completed"  # 办结
    FED_BACK = "fed_back"  # 反馈
    EVALUATED = "evaluated"  # 评价
    CLOSED = "closed"  # 结案
    RETURNED = "returned"  # 退单
    EXTENDED = "extended"  # 延期
    REOPENED = "reopened"  # 重办
    ESCALATED = "escalated"  # 升级
    SUPERVISED = "supervised"  # 挂牌督办

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.RECEIVED: "受理",
    State.DISPATCHED: "派单",
    State.RESPONDED: "报到",
    State.HANDLING: "处置",
    State.COMPLETED: "办结",
    State.FED_BACK: "反馈",
    State.EVALUATED: "评价",
    State.CLOSED: "结案",
    State.RETURNED: "退单",
    State.EXTENDED: "延期",
    State.REOPENED: "重办",
    State.ESCALATED: "升级",
    State.SUPERVISED: "挂牌督办",
}


class Event(StrEnum):
    """What can happen to a case — 办理事件."""

    OPEN = "open"  # 受理 (the first event of every case)
    DISPATCH = "dispatch"  # 派单 / 改派 (to a named unit)
    RESPOND = "respond"  # 报到
    HANDLE = "handle"  # 开始处置
    COMPLETE = "complete"  # 办结
    FEED_BACK = "feed_back"  # 反馈
    EVALUATE = "evaluate"  # 评价 (details: satisfaction)
    CLOSE = "close"  # 结案
    RETURN = "return"  # 退单
    EXTEND = "extend"  # 延期
    REOPEN = "reopen"  # 重办
    ESCALATE = "escalate"  # 升级 (to a higher unit)
    SUPERVISE = "supervise"  # 挂牌督办
    REMIND = "remind"  # 催办 (no state change)
    NOTE = "note"  # a finding written on the case, e.g. 慢到位 (no state change)
    SANCTION = "sanction"  # 通报批评/约谈/问责 against a unit (no state change)


S, E = State, Event
_ACTIVE_ESCAPES = {E.ESCALATE: S.ESCALATED, E.SUPERVISE: S.SUPERVISED, E.DISPATCH: S.DISPATCHED}

# The transition table: state → {event → next state}. REMIND, NOTE and SANCTION are added
# below for the states where they make sense; they keep the state.
TRANSITIONS: dict[State, dict[Event, State]] = {
    S.RECEIVED: {E.DISPATCH: S.DISPATCHED, E.SUPERVISE: S.SUPERVISED},
    S.DISPATCHED: {E.RESPOND: S.RESPONDED, E.RETURN: S.RETURNED, **_ACTIVE_ESCAPES},
    S.ESCALATED: {E.RESPOND: S.RESPONDED, E.RETURN: S.RETURNED, **_ACTIVE_ESCAPES},
    S.REOPENED: {E.RESPOND: S.RESPONDED, E.RETURN: S.RETURNED, **_ACTIVE_ESCAPES},
    S.RETURNED: {**_ACTIVE_ESCAPES},
    S.RESPONDED: {
        E.HANDLE: S.HANDLING,
        E.COMPLETE: S.COMPLETED,
        E.EXTEND: S.EXTENDED,
        E.RETURN: S.RETURNED,
        **_ACTIVE_ESCAPES,
    },
    S.HANDLING: {
        E.COMPLETE: S.COMPLETED,
        E.EXTEND: S.EXTENDED,
        E.RETURN: S.RETURNED,
        **_ACTIVE_ESCAPES,
    },
    S.EXTENDED: {E.HANDLE: S.HANDLING, E.COMPLETE: S.COMPLETED, E.EXTEND: S.EXTENDED, **_ACTIVE_ESCAPES},
    # Under supervision the case keeps moving: the unit responds, handles, may ask for time.
    S.SUPERVISED: {
        E.RESPOND: S.RESPONDED,
        E.HANDLE: S.HANDLING,
        E.COMPLETE: S.COMPLETED,
        E.EXTEND: S.EXTENDED,
        E.RETURN: S.RETURNED,
        E.ESCALATE: S.ESCALATED,
        E.DISPATCH: S.DISPATCHED,
    },
    S.COMPLETED: {E.FEED_BACK: S.FED_BACK, E.REOPEN: S.REOPENED},
    S.FED_BACK: {E.EVALUATE: S.EVALUATED, E.REOPEN: S.REOPENED},
    S.EVALUATED: {E.CLOSE: S.CLOSED, E.REOPEN: S.REOPENED},
    S.CLOSED: {E.REOPEN: S.REOPENED},
}
_AWAITING = (S.DISPATCHED, S.ESCALATED, S.REOPENED, S.RETURNED, S.SUPERVISED, S.RESPONDED, S.HANDLING, S.EXTENDED)
for _state in S:
    TRANSITIONS[_state][E.NOTE] = _state
    TRANSITIONS[_state][E.SANCTION] = _state
for _state in _AWAITING:
    TRANSITIONS[_state][E.REMIND] = _state
del _state

# Once 办结, nothing is due from the unit any more (feedback and evaluation are the platform's).
WORKING_STATES = frozenset(_AWAITING)

# Members as module constants where a tick looks at them for every event: in Python 3.11 each
# `Event.X` goes through the enum metaclass's attribute hook, several times a global's cost.
_OPEN, _DISPATCH, _ESCALATE, _SUPERVISE, _RESPOND, _RETURN = (E.OPEN, E.DISPATCH, E.ESCALATE, E.SUPERVISE,
                                                              E.RESPOND, E.RETURN)
_EXTEND, _REOPEN, _EVALUATE, _REMIND, _NOTE, _SANCTION = E.EXTEND, E.REOPEN, E.EVALUATE, E.REMIND, E.NOTE, E.SANCTION
_RETURNED = S.RETURNED


def next_state(state: State, event: Event) -> State:
    """The state `event` leads to from `state`; TransitionError if the table does not allow it."""
    allowed = TRANSITIONS[state]
    if event not in allowed:
        choices = ", ".join(sorted(e.value for e in allowed))
        raise TransitionError(
            f"案件当前为“{state.label}”，不能登记此事件 (event {event.value!r} is not allowed in state "
            f"{state.value!r}; allowed: {choices})"
        )
    return allowed[event]


_RANKS = {level.value: level.rank for level in Level}


def rank(level: str | Level) -> int:
    try:
        return _RANKS[level]
    except (KeyError, TypeError):  # not a level: Level() says so, as it always did
        return Level(level).rank


# ---- the fold ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRecord:
    """One entry of a case's event log — 留痕. `n` numbers the case's events from 1."""

    case_id: str
    n: int
    at: str  # stamp()
    event: Event
    actor: str | None = None  # unit code, or None for the platform
    rule: str | None = None  # rules table row id for events an escalation rule produced
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        shown = {
            "n": self.n,
            "at": local(self.at),
            "event": self.event.value,
            "actor": self.actor,
            "rule": self.rule,
            "details": _shown(self.details),
        }
        if is_stamp(self.details.get("due_at")):  # a tick's action: when it fell due, beside `at`
            shown["due_at"] = local(self.details["due_at"])
        return shown


def _shown(value: Any) -> Any:
    """Event details for people: stamps as Asia/Shanghai times."""
    if is_stamp(value):
        try:
            return local(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    return value


@dataclass(frozen=True)
class Snapshot:
    """A case's state as its events give it. Units are `{code, name, level}` dicts.

    Deadlines are stamps (fixed-width UTC text). `respond_window`/`complete_window` are the
    decision's time limits in seconds, restarted when a new unit takes the case over.
    """

    case_id: str
    state: State
    n: int  # number of events folded in
    last_at: str
    opened_at: str
    category: str | None
    street: str | None
    whistle: str | None
    grade: str | None
    level: str  # the highest level the case has reached; never decreases
    lead: dict[str, Any]
    assignee: dict[str, Any]
    path: tuple[dict[str, Any], ...]
    holders: tuple[dict[str, Any], ...]  # {power, name, legal_basis, unit}
    supervision_office: dict[str, Any]
    respond_window: int
    complete_window: int
    respond_by: str | None
    complete_by: str | None
    awaiting_response: bool = True
    reminded: bool = False
    escalate_at: str | None = None
    responded_at: str | None = None
    late_response_at: str | None = None  # a late response not yet noted (慢到位 pending)
    returns: int = 0
    return_units: tuple[str, ...] = ()
    returned_by: str | None = None
    returned_at: str | None = None
    extensions: int = 0
    reopens: int = 0
    escalations: int = 0
    supervised: bool = False
    hard_at: str | None = None  # when the case became 疑难, if not yet supervised
    satisfaction: str | None = None
    labels: tuple[str, ...] = ()  # findings written on the case: 不到位, 慢到位, 推诿, 争议 …

    def as_json(self) -> dict[str, Any]:
        # Shallow on purpose (dataclasses.asdict deep-copies: 1 ms per tick step); units are
        # plain dicts that json serialises as they are.
        data = {name: getattr(self, name) for name in _SNAPSHOT_FIELDS}
        data["state"] = self.state.value
        return data

    def dumps(self) -> str:
        return canonical.dumps(self.as_json())

    def dump(self, exact: bool) -> bytes:
        """`dumps()` as UTF-8; by orjson (a dataclass as its fields) when read from exact text."""
        return canonical.dump(self, exact=True) if exact else self.dumps().encode()

    @classmethod
    def loads(cls, text: str | bytes) -> Snapshot:
        return cls.read(text)[0]

    @classmethod
    def read(cls, text: str | bytes) -> tuple[Snapshot, bool]:
        """The snapshot stored as `text`, and whether the text is exact (`canonical.load`)."""
        data, exact = canonical.load(text)
        try:
            data["state"] = _STATES[data["state"]]
        except (KeyError, TypeError):  # not a state: State() says so, as it always did
            data["state"] = State(data["state"])
        for key in ("path", "holders", "return_units", "labels"):
            data[key] = tuple(data[key])
        if data.keys() != _FIELD_NAMES:
            return cls(**data), exact  # a field missing (its default) or unknown (TypeError)
        made = object.__new__(cls)
        made.__dict__.update(data)  # exactly the fields: what __init__ would set, one by one
        return made, exact

    def due(self) -> tuple[str, str] | None:
        """`(when, kind)` of the next thing the escalation rules must look at, or None.

        Kinds, in the order they are handled at the same instant: `review` (a return, or a case
        that just became 疑难), `late` (a late response to note), `response` (no response by the
        deadline: reminder, then escalation), `completion` (not completed by the deadline).
        """
        # The earliest (when, order) of the candidates below; a tick asks for every due case.
        best: tuple[str, int, str] | None = None
        state = self.state
        if state is _RETURNED and self.returned_at:
            best = (self.returned_at, 0, "review")
        # A hard case is listed for supervision only while it is still being worked on: one
        # completed before the tick has nothing left to supervise (a reopening makes it due again).
        if self.hard_at and not self.supervised and _SUPERVISE in TRANSITIONS[state]:
            best = _earlier(best, (self.hard_at, 0, "review"))
        if self.late_response_at:
            best = _earlier(best, (self.late_response_at, 1, "late"))
        if state in WORKING_STATES and state is not _RETURNED:
            if self.awaiting_response:
                when = self.escalate_at if self.reminded else self.respond_by
                if when:
                    best = _earlier(best, (when, 2, "response"))
            elif self.complete_by:
                best = _earlier(best, (self.complete_by, 3, "completion"))
        return None if best is None else (best[0], best[2])


_SNAPSHOT_FIELDS = tuple(f.name for f in fields(Snapshot))
_FIELD_NAMES = frozenset(_SNAPSHOT_FIELDS)
_STATES = {state.value: state for state in State}


def _earlier(a: tuple[str, int, str] | None, b: tuple[str, int, str]) -> tuple[str, int, str]:
    return b if a is None or b < a else a


def _replaced(s: Snapshot, changes: dict[str, Any]) -> Snapshot:
    """`dataclasses.replace(s, **changes)` without the dataclass __init__ (a tick replaces a
    snapshot per event): a Snapshot has no slots nor __post_init__, its fields are its __dict__."""
    made = object.__new__(Snapshot)
    made.__dict__.update(s.__dict__)
    made.__dict__.update(changes)
    return made


def _shift(at: str, seconds: int) -> str:
    return stamp(unstamp(at) + timedelta(seconds=seconds))


def _higher(a: str, b: str) -> str:
    return a if rank(a) >= rank(b) else b


def opening(case_id: str, at: str, details: Mapping[str, Any]) -> Snapshot:
    d = details
    return Snapshot(
        case_id=case_id,
        state=State.RECEIVED,
        n=1,
        last_at=at,
        opened_at=at,
        category=d.get("category"),
        street=d.get("street"),
        whistle=d.get("whistle"),
        grade=d.get("grade"),
        level=d["level"],
        lead=dict(d["lead"]),
        assignee=dict(d["lead"]),
        path=tuple(dict(u) for u in d.get("path", ())),
        holders=tuple(dict(h) for h in d.get("holders", ())),
        supervision_office=dict(d["supervision_office"]),
        respond_window=int(d["respond_window"]),
        complete_window=int(d["complete_window"]),
        respond_by=d["respond_by"],
        complete_by=d["complete_by"],
    )


def _take_over(s: Snapshot, at: str, unit: Mapping[str, Any], d: Mapping[str, Any]) -> dict[str, Any]:
    """Fields set when a unit (newly or again) owes a response."""
    return {
        "assignee": dict(unit),
        "level": _higher(s.level, unit["level"]),
        "awaiting_response": True,
        "reminded": False,
        "escalate_at": None,
        "respond_by": d.get("respond_by") or _shift(at, s.respond_window),
        "complete_by": d.get("complete_by") or _shift(at, s.complete_window),
    }


def apply(s: Snapshot | None, record: EventRecord) -> Snapshot:
    """Fold one event into a snapshot. Raises TransitionError (and changes nothing) if the
    lifecycle does not allow the event in the snapshot's state."""
    ev, at, d = record.event, record.at, record.details
    if s is None:
        if ev is not _OPEN:
            raise TransitionError(f"案件的第一个事件必须是受理 (a case's first event must be 'open', not {ev.value!r})")
        return opening(record.case_id, at, d)
    if ev is _OPEN:
        raise TransitionError(f"案件 {s.case_id!r} 已经受理 (case {s.case_id!r} is already open)")
    if at < s.last_at:
        raise TransitionError(
            f"事件时间 {local(at)} 早于案件上一事件 {local(s.last_at)}：留痕按时间顺序记录 "
            "(a case's history is kept in time order)"
        )
    state = next_state(s.state, ev)
    changes: dict[str, Any] = {"state": state, "n": s.n + 1, "last_at": at}
    labels = list(s.labels)
    if d.get("finding") and d["finding"] not in labels:
        labels.append(d["finding"])
    if d.get("label") and d["label"] not in labels:
        labels.append(d["label"])
    changes["labels"] = tuple(labels)
    if ev is _DISPATCH:
        changes.update(_take_over(s, at, d.get("to") or s.assignee, d))
    elif ev is _ESCALATE:
        unit = d["to"]
        if rank(unit["level"]) < rank(s.assignee["level"]):
            raise TransitionError(
                f"案件 {s.case_id!r} 不能从 {s.assignee['level']} 级升级到更低的 {unit['level']} 级 "
                f"(cannot be escalated to a lower level)"
            )
        changes.update(_take_over(s, at, unit, d))
        changes["escalations"] = s.escalations + 1
    elif ev is _SUPERVISE:
        changes["supervised"] = True
        changes["hard_at"] = None
        changes["level"] = _higher(s.level, s.supervision_office["level"])
        unit = d.get("to") or s.assignee
        if d.get("restart", True):
            changes.update(_take_over(s, at, unit, d))
            changes["level"] = _higher(changes["level"], s.supervision_office["level"])
        else:
            changes["assignee"] = dict(unit)
            changes["complete_by"] = d.get("complete_by") or _shift(at, s.complete_window)
    elif ev is _RESPOND:
        changes["awaiting_response"] = False
        changes["responded_at"] = at
        if s.respond_by and at > s.respond_by:
            changes["late_response_at"] = at
    elif ev is _RETURN:
        unit = record.actor or s.assignee["code"]
        changes["returns"] = s.returns + 1
        changes["return_units"] = tuple(dict.fromkeys((*s.return_units, unit)))
        changes["returned_by"] = unit
        changes["returned_at"] = at
    elif ev is _EXTEND:
        changes["extensions"] = s.extensions + 1
        changes["complete_by"] = d["complete_by"]
        changes["awaiting_response"] = False
        if d.get("hard"):
            changes["hard_at"] = at
    elif ev is _REOPEN:
        changes.update(_take_over(s, at, s.assignee, d))
        changes["reopens"] = s.reopens + 1
        changes["satisfaction"] = None
        if d.get("hard"):
            changes["hard_at"] = at
    elif ev is _EVALUATE:
        changes["satisfaction"] = d["satisfaction"]
    elif ev is _REMIND:
        # A reminder (催办) sets the end of the grace period; an urge (督办催办) sets new deadlines.
        if "escalate_at" in d:
            changes["reminded"] = True
            changes["escalate_at"] = d["escalate_at"]
        if "respond_by" in d:
            changes.update(respond_by=d["respond_by"], reminded=False, escalate_at=None)
        if "complete_by" in d:
            changes["complete_by"] = d["complete_by"]
    elif ev is _NOTE and d.get("clears") == "late":
        changes["late_response_at"] = None
    if ev is _SANCTION:
        changes.pop("labels")
    return _replaced(s, changes)


def replay(records: Iterable[EventRecord]) -> Snapshot:
    """The snapshot a case's events give, from nothing."""
    snapshot: Snapshot | None = None
    for record in records:
        snapshot = apply(snapshot, record)
    if snapshot is None:
        raise ValueError("a case has at least one event")
    return snapshot
