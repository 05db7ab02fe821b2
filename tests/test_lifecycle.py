"""The lifecycle table (issue 4 §1): states, events, allowed transitions, and the fold."""

from __future__ import annotations

import pytest
from test_escalation import T0

from powerlist.cases.lifecycle import (
    STATE_LABELS,
    TRANSITIONS,
    Event,
    EventRecord,
    Satisfaction,
    State,
    apply,
    next_state,
    replay,
    stamp,
    unstamp,
)
from powerlist.errors import TransitionError

UNIT = {"code": "S1", "name": "街道", "level": "street"}
OPEN = {
    "level": "street",
    "lead": UNIT,
    "path": [UNIT, {"code": "D1", "name": "区局", "level": "district"}],
    "supervision_office": {"code": "420200-supervision", "name": "督查室", "level": "city"},
    "respond_window": 3600,
    "complete_window": 36000,
    "respond_by": "2026-07-01T02:00:00.000000Z",
    "complete_by": "2026-07-01T11:00:00.000000Z",
}


def test_every_state_has_a_label_and_a_row() -> None:
    assert set(STATE_LABELS) == set(State) == set(TRANSITIONS)
    assert State.SUPERVISED.label == "挂牌督办" and State.RETURNED.label == "退单"


def test_the_main_line_of_the_closed_loop() -> None:
    state = State.RECEIVED
    for event in (
        Event.DISPATCH, Event.RESPOND, Event.HANDLE, Event.COMPLETE, Event.FEED_BACK, Event.EVALUATE, Event.CLOSE,
    ):
        state = next_state(state, event)
    assert state is State.CLOSED


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (State.DISPATCHED, Event.RETURN, State.RETURNED),
        (State.RETURNED, Event.DISPATCH, State.DISPATCHED),
        (State.HANDLING, Event.EXTEND, State.EXTENDED),
        (State.EXTENDED, Event.EXTEND, State.EXTENDED),
        (State.EVALUATED, Event.REOPEN, State.REOPENED),
        (State.CLOSED, Event.REOPEN, State.REOPENED),
        (State.DISPATCHED, Event.ESCALATE, State.ESCALATED),
        (State.ESCALATED, Event.RESPOND, State.RESPONDED),
        (State.HANDLING, Event.SUPERVISE, State.SUPERVISED),
        (State.SUPERVISED, Event.COMPLETE, State.COMPLETED),
        (State.CLOSED, Event.NOTE, State.CLOSED),
    ],
)
def test_sideways_transitions(state: State, event: Event, after: State) -> None:
    assert next_state(state, event) is after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (State.RECEIVED, Event.RESPOND),
        (State.DISPATCHED, Event.COMPLETE),
        (State.COMPLETED, Event.CLOSE),  # 反馈 and 评价 come first
        (State.CLOSED, Event.RESPOND),
        (State.CLOSED, Event.REMIND),
        (State.RETURNED, Event.RESPOND),
        (State.EXTENDED, Event.RETURN),
    ],
)
def test_invalid_transitions_are_refused_with_the_allowed_ones_named(state: State, event: Event) -> None:
    with pytest.raises(TransitionError, match="allowed"):
        next_state(state, event)


def test_open_is_only_ever_first() -> None:
    first = EventRecord("C", 1, stamp(T0), Event.OPEN, details=OPEN)
    snapshot = apply(None, first)
    with pytest.raises(TransitionError):
        apply(snapshot, EventRecord("C", 2, stamp(T0), Event.OPEN, details=OPEN))
    with pytest.raises(TransitionError):
        apply(None, EventRecord("C", 1, stamp(T0), Event.DISPATCH))


def test_replay_folds_deadlines_from_the_events_alone() -> None:
    at = stamp(T0)
    events = [
        EventRecord("C", 1, at, Event.OPEN, details=OPEN),
        EventRecord("C", 2, at, Event.DISPATCH, details={"to": UNIT}),
        EventRecord("C", 3, "2026-07-01T03:00:00.000000Z", Event.RESPOND, actor="S1"),
    ]
    snapshot = replay(events)
    assert snapshot.state is State.RESPONDED
    assert snapshot.late_response_at == "2026-07-01T03:00:00.000000Z"  # after respond_by
    assert snapshot.due() == ("2026-07-01T03:00:00.000000Z", "late")
    assert unstamp(snapshot.respond_by or "") > T0


def test_stamps_sort_as_time() -> None:
    from datetime import timedelta

    moments = [T0 + timedelta(microseconds=m) for m in (0, 1, 999_999, 10**9)]
    assert [stamp(m) for m in moments] == sorted(stamp(m) for m in moments)
    assert all(len(stamp(m)) == 27 for m in moments)


def test_satisfaction_in_chinese_or_english() -> None:
    assert Satisfaction.parse("基本满意") is Satisfaction.BASICALLY_SATISFIED
    assert Satisfaction.parse("dissatisfied") is Satisfaction.DISSATISFIED
    assert Satisfaction.parse("还行") is None
