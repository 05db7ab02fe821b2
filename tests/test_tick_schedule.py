"""Ticks on random schedules (issue 12): a ticker that falls behind is visible and its lag is
nobody's fault. Over random cases, random tick times and random responses, on both backends:

- every passed deadline is acted on by the first tick after it (each action's `due_at` lies
  after the previous tick and at or before this one, and after a tick nothing is left due);
- every action says when it was taken (`at`, the tick) and when it fell due (`due_at`);
- no unit is charged for time before it was notified: the deadlines a unit gets when it takes a
  case start at that moment, every finding against a unit fell due after its notification, and
  the whistle scoring reads (响应/办结时限) is the unit's own, never earlier than its notification.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_escalation import LEADS, T0, decision, escalator

from powerlist.cases.lifecycle import Event, Snapshot, apply, stamp
from powerlist.cases.store import CaseStore
from powerlist.errors import InputError, TransitionError
from powerlist.routing.decision import Whistle
from powerlist.scoring.case_store import whistle_from_case

_ids = itertools.count()
TAKE_OVER = (Event.OPEN, Event.DISPATCH, Event.ESCALATE, Event.SUPERVISE, Event.REOPEN)
CHARGED = ("不到位", "慢到位", "到位不作为")

schedules = st.tuples(
    st.lists(st.tuples(st.sampled_from(LEADS), st.sampled_from(list(Whistle)), st.integers(1, 72)),
             min_size=1, max_size=4),
    st.lists(st.integers(0, 24 * 12), min_size=1, max_size=10),  # hours between ticks
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 24 * 60), st.sampled_from(["respond", "complete"])),
             max_size=6),  # (case, hours after opening, event) recorded by hand
)


def notified(before: Snapshot | None, record: Any, after: Snapshot) -> str | None:
    """The unit a take-over event notifies (None for other events)."""
    if record.event not in TAKE_OVER:
        return None
    if record.event is Event.SUPERVISE and not record.details.get("restart", True):
        return None
    return str(after.assignee["code"])


def check_no_charge_before_notice(store: CaseStore, case_id: str) -> None:
    history = store.history(case_id)
    notice: dict[str, str] = {}  # unit → its latest notification
    first: dict[str, str] = {}  # unit → its first notification
    before: Snapshot | None = None
    for record in history:
        after = apply(before, record)
        finding, charged = record.details.get("finding"), record.details.get("unit")
        if finding in CHARGED:  # the fault of the unit as notified before this event
            assert charged in notice, f"{finding} charged to {charged}, never notified"
            assert record.details["due_at"] >= notice[charged], f"{finding} for time before {charged} was notified"
        unit = notified(before, record, after)
        if unit is not None:
            notice[unit] = record.at
            first.setdefault(unit, record.at)
            assert after.respond_by is None or after.respond_by >= record.at, "a response due before the notice"
            assert after.complete_by is None or after.complete_by >= record.at, "a completion due before the notice"
        before = after
    assert before is not None
    whistle = whistle_from_case(_record(store, case_id))
    if whistle is not None and whistle.respond_by is not None:
        # the scored unit keeps the deadline it was first given (its later lateness stays its own)
        assert stamp(whistle.respond_by) >= first[whistle.unit], "scored against a deadline before its notice"


def _record(store: CaseStore, case_id: str) -> Any:
    from powerlist.cases.store import CaseRecord

    snapshot = store.get(case_id)
    assert snapshot is not None
    return CaseRecord(snapshot, store.history(case_id))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=schedules)
def test_random_tick_schedules_act_on_every_deadline_once_and_charge_no_unit_before_its_notice(
    store: CaseStore, value: Any
) -> None:
    cases, gaps, hand = value
    prefix = f"S{next(_ids)}-"
    esc = escalator(store)
    ids = []
    for i, (lead, whistle, respond_hours) in enumerate(cases):
        case_id = f"{prefix}{i}"
        esc.open_decision(decision(issue_id=case_id, lead=lead, whistle=whistle, respond_hours=respond_hours,
                                   complete_hours=respond_hours * 3), received_at=T0)
        ids.append(case_id)
    ticks = list(itertools.accumulate(timedelta(hours=g) for g in gaps))
    timeline = sorted([(T0 + t, 1, "tick", None) for t in ticks]
                      + [(T0 + timedelta(hours=h), 0, event, ids[c % len(ids)]) for c, h, event in hand])
    previous: str | None = None
    touched: set[str] = set()  # cases with an event recorded by hand since the previous tick
    for moment, _, what, case_id in timeline:
        if what != "tick":
            with contextlib.suppress(TransitionError, InputError):  # not allowed in the case's state
                esc.record(case_id, what, moment)
                touched.add(case_id)
            continue
        now = stamp(moment)
        report = esc.tick_report(moment)
        assert report.failed == []
        mine = [a for a in report.actions if a.case_id.startswith(prefix)]  # the store is shared by examples
        for action in mine:
            assert action.at == moment and action.due_at is not None
            due = stamp(action.due_at)
            assert due <= now, "an action before its deadline"
            # A deadline passed before the previous tick was acted on by it — unless an event
            # recorded since made it count (a response after the completion deadline).
            if action.case_id not in touched:
                assert previous is None or due > previous, "a deadline the previous tick should have acted on"
        for case_id in ids:
            snapshot = store.get(case_id)
            assert snapshot is not None
            left = snapshot.due()
            assert left is None or left[0] > now, f"{case_id} still due at {left} after the tick at {now}"
        lag = max((moment - a.due_at for a in report.actions if a.due_at), default=timedelta(0))
        assert report.lag == lag and all(moment - a.due_at <= lag for a in mine if a.due_at)
        previous = now
        touched.clear()
    for case_id in ids:
        check_no_charge_before_notice(store, case_id)


def test_a_late_ticker_yields_a_shorter_chain_but_charges_nobody_early(store: CaseStore) -> None:
    """The issue's example: ticks on 07-20 and 12-31 against one late tick on 12-31. A unit's
    window rightly starts when it is notified, so the late tick's chain is shorter; the lag is
    visible (due_at months before at) and the unit it escalated to is charged nothing early."""
    from powerlist.cases.sqlite import SQLiteCaseStore

    case_id = f"C{next(_ids)}"
    on_time = escalator(store)
    on_time.open_decision(decision(issue_id=case_id), received_at=T0)
    on_time.tick(T0 + timedelta(days=19))
    on_time.tick(T0 + timedelta(days=183))
    late = escalator(SQLiteCaseStore())
    late.open_decision(decision(issue_id=case_id), received_at=T0)
    report = late.tick_report(T0 + timedelta(days=183))
    assert len(report.actions) < len(store.actions(case_id))
    assert report.lag >= timedelta(days=180) and all(a.at == T0 + timedelta(days=183) for a in report.actions)
    check_no_charge_before_notice(store, case_id)
    check_no_charge_before_notice(late.store, case_id)
