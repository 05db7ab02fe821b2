"""The shared case-store suite (issues 12 and 16): every test runs against SQLite and against
PostgreSQL (a throwaway server, `store` fixture in conftest.py) — append-only log enforced by
the database, snapshot equal to replay, unique idempotency keys, fixed-width instants inside a
plausible window refused before anything is written, a bad row named while every other case
ticks, due_at beside at, and the read API scoring uses."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_escalation import DISTRICT, STREET, T0, decision, escalator, hours, scenario

from powerlist.cases.escalator import Escalator
from powerlist.cases.instants import TimeWindow, is_stamp, stamp
from powerlist.cases.lifecycle import TRANSITIONS, Event, State, replay
from powerlist.cases.migrate import check_store
from powerlist.cases.store import ActionRow, CaseStore, NewEvent
from powerlist.cases.stores import open_store
from powerlist.errors import InputError, StoreError, TransitionError
from powerlist.routing.issue import SHANGHAI
from powerlist.testing import case_histories

_ids = itertools.count()
SHARED_STORE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]  # one store, fresh ids per example


def raw(store: CaseStore, sql: str) -> None:
    """Run SQL on the store's own connection, bypassing the store (as another program would)."""
    store._db.execute(sql)  # type: ignore[attr-defined]


def test_a_case_survives_closing_and_reopening(store_url: str) -> None:
    store = open_store(store_url)
    escalator(store).open_decision(decision(), received_at=T0)
    store.close()
    again = open_store(store_url, create=False)
    try:
        snapshot = again.get("I1")
        assert snapshot is not None and snapshot.state is State.DISPATCHED
        assert again.replay("I1") == snapshot
    finally:
        again.close()


def test_the_event_log_cannot_be_rewritten_in_the_database(store: CaseStore) -> None:
    escalator(store).open_decision(decision(), received_at=T0)
    for sql in ("UPDATE events SET event='close'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"):
            raw(store, sql)
    assert len(store.history("I1")) == 2


def test_the_database_refuses_an_instant_that_is_not_a_stamp_or_outside_the_window(store: CaseStore) -> None:
    escalator(store).open_decision(decision(), received_at=T0)
    placeholder = "?" if store.__class__.__name__.startswith("SQLite") else "%s"
    sql = f"INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES ('I1', 3, {placeholder}, " \
          f"'respond', NULL, NULL, '{{}}')"
    for bad in ("226-11-23T02:00:00.000000Z", "0226-11-23T02:00:00.000000Z", "2026-07-01 09:00"):
        with pytest.raises(Exception, match="instant|check|violates"):
            store._db.execute(sql, (bad,))  # type: ignore[attr-defined]
    assert len(store.history("I1")) == 2


def test_a_mistyped_year_is_refused_before_anything_is_written(store: CaseStore) -> None:
    esc = escalator(store)
    esc.open_decision(decision(), received_at=T0)
    before = (store.get("I1"), store.history("I1"))
    for when in (datetime(226, 11, 23, 10, 0), datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)):
        with pytest.raises(InputError) as caught:
            esc.record("I1", "respond", when)
        assert caught.value.problems[0].field == "at" and caught.value.problems[0].code == "implausible-time"
    with pytest.raises(InputError) as caught:
        esc.record("I1", "extend", hours(2), until=datetime(226, 11, 23))
    assert caught.value.problems[0].field == "until"
    with pytest.raises(InputError):
        esc.tick(datetime(1, 1, 1, tzinfo=SHANGHAI))
    with pytest.raises(InputError):
        esc.open_decision(decision(issue_id="OLD", received=datetime(226, 1, 1)), received_at=datetime(226, 1, 1))
    assert (store.get("I1"), store.history("I1")) == before and store.get("OLD") is None
    assert esc.tick(hours(30))  # the store still ticks


def test_a_deadline_before_the_unit_was_notified_is_refused(store: CaseStore) -> None:
    esc = escalator(store)
    esc.open_decision(decision(), received_at=T0)
    with pytest.raises(InputError) as caught:
        store.append("I1", [NewEvent(stamp(hours(5)), Event.ESCALATE, None, None,
                                     {"to": {"code": DISTRICT.code, "name": DISTRICT.name, "level": "district"},
                                      "respond_by": stamp(hours(1))})])
    assert caught.value.problems[0].code == "deadline-before-notice"
    assert len(store.history("I1")) == 2


def test_every_stored_instant_is_fixed_width(store: CaseStore) -> None:
    esc = escalator(store)
    esc.open_decision(decision(), received_at=T0)
    esc.tick(hours(200))
    assert all(is_stamp(r.at) for r in store.history("I1"))
    assert all(is_stamp(a.at) and is_stamp(a.due_at) for a in store.actions())


def test_a_refused_event_writes_nothing(store: CaseStore) -> None:
    escalator(store).open_decision(decision(), received_at=T0)
    before = (store.get("I1"), store.history("I1"))
    with pytest.raises(TransitionError):
        store.append("I1", [NewEvent(stamp(hours(1)), Event.RESPOND, "S"), NewEvent(stamp(hours(2)), Event.CLOSE, "S")])
    assert (store.get("I1"), store.history("I1")) == before


def test_an_action_key_is_written_once(store: CaseStore) -> None:
    escalator(store).open_decision(decision(), received_at=T0)
    row = ActionRow("k1", "I1", "remind", "S", "S", "r.1", "why", stamp(hours(25)), due_at=stamp(hours(24)))
    event = NewEvent(stamp(hours(25)), Event.REMIND, None, "r.1", {"escalate_at": stamp(hours(49))})
    assert store.act(row, [event]) is not None
    assert store.act(row, [event]) is None
    assert store.actions("I1") == [row] and len(store.history("I1")) == 3


def test_a_bad_row_is_named_and_every_other_case_still_ticks(store: CaseStore) -> None:
    esc = escalator(store)
    for case_id in ("A", "B", "C"):
        esc.open_decision(decision(issue_id=case_id), received_at=T0)
    raw(store, "UPDATE cases SET snapshot = '{\"broken\": ' WHERE case_id = 'B'")
    report = esc.tick_report(hours(30))
    assert {a.case_id for a in report.actions} == {"A", "C"}
    assert [bad.case_id for bad in report.failed] == ["B"] and "B" in report.failed[0].message
    assert esc.tick_report(hours(30)).actions == []  # A and C are done; B is named again
    count, problems = check_store(store)
    assert count == 3 and [p.value for p in problems] == ["B"]


def test_actions_carry_due_at_beside_at_and_the_tick_its_lag(store: CaseStore) -> None:
    esc = escalator(store)
    esc.open_decision(decision(), received_at=T0)
    late = hours(24 * 10)
    report = esc.tick_report(late)
    assert [a.action for a in report.actions] == ["remind", "escalate"]
    remind, escalate = report.actions
    assert remind.due_at == hours(24) and escalate.due_at == hours(48)  # respond_by, then the end of grace
    assert remind.at == escalate.at == late
    assert report.lag == late - hours(24) and report.as_json()["lag_seconds"] == int((late - hours(24)).total_seconds())
    shown = [r.as_json() for r in esc.case("I1").history if r.rule]
    assert [s["due_at"] for s in shown] == [hours(24).isoformat(timespec="seconds"),
                                            hours(48).isoformat(timespec="seconds")]
    assert all(a.due_at is not None for a in store.actions())


def test_a_window_is_kept_by_the_store_and_cannot_exclude_what_it_holds(store_url: str) -> None:
    store = open_store(store_url)
    try:
        escalator(store).open_decision(decision(), received_at=T0)
        with pytest.raises(StoreError):
            store.set_window(TimeWindow.of(datetime(2027, 1, 1), datetime(2030, 1, 1)))
        store.set_window(TimeWindow.of(datetime(2020, 1, 1), datetime(2040, 1, 1)))
    finally:
        store.close()
    again = open_store(store_url, create=False)
    try:
        assert again.window == TimeWindow.of(datetime(2020, 1, 1), datetime(2040, 1, 1))
        with pytest.raises(InputError):
            escalator(again).record("I1", "respond", datetime(2041, 1, 1))
    finally:
        again.close()


def test_iter_cases_reads_histories_by_period_state_and_unit(store: CaseStore) -> None:
    esc = escalator(store)
    esc.open_decision(decision(issue_id="A"), received_at=T0)
    esc.open_decision(decision(issue_id="B", received=T0 + timedelta(days=40)), received_at=T0 + timedelta(days=40))
    esc.record("A", "respond", hours(1))
    esc.record("A", "complete", hours(2))
    esc.tick(T0 + timedelta(days=50))
    july = list(store.iter_cases(T0.replace(day=1), T0.replace(month=8, day=1)))
    assert [c.case_id for c in july] == ["A"] and july[0].history[-1].event is Event.COMPLETE
    assert [c.case_id for c in store.iter_cases(states=["completed"])] == ["A"]
    assert [c.case_id for c in store.iter_cases(unit=DISTRICT.code)] == ["B"]
    assert [c.case_id for c in store.iter_cases(unit=STREET.code)] == ["A", "B"]
    active = store.iter_cases(T0 + timedelta(days=45), T0 + timedelta(days=60), by="active")
    assert [c.case_id for c in active] == ["B"]


def test_a_second_open_of_the_same_case_returns_it(store_url: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    try:
        escalator(first).open_decision(decision(), received_at=T0)
        case = escalator(second).open_decision(decision(), received_at=T0)
        assert case.state is State.DISPATCHED and second.count_cases() == 1
        with pytest.raises(KeyError):
            second.create("I1", stamp(T0), {})
    finally:
        first.close()
        second.close()


# ---- properties over both backends ------------------------------------------------------------


@settings(max_examples=25, suppress_health_check=SHARED_STORE)
@given(history=case_histories())
def test_a_stored_history_is_its_replay(store: CaseStore, history: Any) -> None:
    case_id = f"H{next(_ids)}"
    stored = history.__class__(case_id, tuple(r.__class__(case_id, r.n, r.at, r.event, r.actor, r.rule, r.details)
                                              for r in history.events))
    snapshot = stored.store_into(store)
    assert snapshot == replay(stored.events) == store.get(case_id) == store.replay(case_id)


@settings(max_examples=20, suppress_health_check=SHARED_STORE)
@given(value=scenario)
def test_any_sequence_of_recorded_events_and_ticks_leaves_a_store_that_ticks(store: CaseStore, value: Any) -> None:
    """Random cases, random events recorded by hand (most refused), random ticks: every case
    replays to its snapshot after every step, a tick repeated at the same now does nothing, and
    the store always ticks (no case fails)."""
    prefix = f"P{next(_ids)}-"
    cases, steps = value
    esc = escalator(store)
    for i, (lead, whistle) in enumerate(cases):
        esc.open_decision(decision(issue_id=f"{prefix}{i}", lead=lead, whistle=whistle), received_at=T0)
    clock = T0
    for item in steps:
        clock += timedelta(hours=item[1])
        if item[0] == "tick":
            report = esc.tick_report(clock)
            assert report.failed == []
            assert esc.tick(clock) == []
            continue
        _, _, event, by, which = item
        case_id = f"{prefix}{which % len(cases)}"
        if event == "valid":
            allowed = sorted(e.value for e in TRANSITIONS[esc.case(case_id).state] if e.value != "open")
            allowed = [e for e in allowed if e not in ("remind", "note", "sanction")]
            event = allowed[which % len(allowed)]
        details = {"satisfaction": "满意"} if event == "evaluate" else {}
        before = esc.case(case_id)
        try:
            esc.record(case_id, event, clock, by=by, **details)
        except (TransitionError, InputError):
            assert esc.case(case_id) == before
    for i in range(len(cases)):
        case = esc.case(f"{prefix}{i}")
        assert store.replay(case.case_id) == case.snapshot
    assert esc.tick_report(clock + timedelta(days=400)).failed == []


def test_tick_batches_change_nothing_but_the_commits(store_url: str, tmp_path: Any) -> None:
    """The same due cases ticked 2 at a time and 100 at a time give the same actions."""
    results = []
    for size in (2, 100):
        url = store_url if size == 2 else str(tmp_path / f"batch{size}.db")
        store = open_store(url)
        try:
            esc = escalator(store)
            for i in range(7):
                esc.open_decision(decision(issue_id=f"I{i}", respond_hours=1 + i), received_at=T0)
            report = esc.tick_report(hours(100), batch=size)
            results.append([(a.key, a.action, a.to_unit, a.rule, a.reason, a.due_at) for a in report.actions])
            assert report.batches == (4 if size == 2 else 1) and report.cases == 7
        finally:
            store.close()
    assert results[0] == results[1]


def test_the_plain_escalator_api_is_unchanged(store: CaseStore) -> None:
    esc = Escalator(store, None, escalator().rules, catalog=escalator().catalog)
    esc.open_decision(decision(), received_at=T0)
    assert [a.action for a in esc.tick(hours(25))] == ["remind"]
