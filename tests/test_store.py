"""The SQLite case store (issue 4 §2): WAL, append-only log, due index, idempotent actions,
and the read API the scoring helper uses."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from test_escalation import DISTRICT, STREET, T0, decision, escalator, hours

from powerlist.cases.lifecycle import Event, State, stamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.cases.store import ActionRow, NewEvent
from powerlist.errors import InputError, TransitionError


def test_file_store_uses_wal_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    store = SQLiteCaseStore(path)
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    escalator(store).open_decision(decision(), received_at=T0)
    store.close()
    again = SQLiteCaseStore(path)
    assert again.get("I1") is not None and again.get("I1").state is State.DISPATCHED
    again.close()


def test_not_a_database_is_a_located_input_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError) as caught:
        SQLiteCaseStore(path)
    assert caught.value.problems[0].file == str(path)


def test_the_event_log_cannot_be_rewritten() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    db = esc.store._db
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE events SET event='close'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")


def test_a_refused_event_writes_nothing() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    store = esc.store
    before = (store.get("I1"), store.history("I1"))
    with pytest.raises(TransitionError):
        store.append("I1", [NewEvent(stamp(hours(1)), Event.RESPOND, "S"), NewEvent(stamp(hours(2)), Event.CLOSE, "S")])
    assert (store.get("I1"), store.history("I1")) == before


def test_an_action_key_is_written_once() -> None:
    esc = escalator()
    esc.open_decision(decision(), received_at=T0)
    row = ActionRow("k1", "I1", "remind", "S", "S", "r.1", "why", stamp(hours(25)))
    event = NewEvent(stamp(hours(25)), Event.REMIND, None, "r.1", {"escalate_at": stamp(hours(49))})
    assert esc.store.act(row, [event]) is not None
    assert esc.store.act(row, [event]) is None
    assert len(esc.store.actions("I1")) == 1 and len(esc.store.history("I1")) == 3


def test_due_cases_are_found_through_the_index() -> None:
    esc = escalator()
    plan = " ".join(
        str(r) for r in esc.store._db.execute(
            "EXPLAIN QUERY PLAN SELECT snapshot FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
            "ORDER BY next_due_at, case_id LIMIT 10", ("x",)
        )
    )
    assert "cases_due" in plan and "SCAN cases" not in plan.replace("USING INDEX", "")


@pytest.mark.parametrize("bulk", [True, False])
def test_a_tick_batch_is_one_transaction_that_rolls_back_whole(bulk: bool) -> None:
    """A bug (not a bad row) in the middle of a batch rolls the whole batch back and raises, when
    the batch is worked in memory and when it is worked case by case."""
    esc = escalator(bulk=bulk)
    for i in range(3):
        esc.open_decision(decision(issue_id=f"I{i}"), received_at=T0)
    calls = 0
    owner = esc._worker if bulk else esc  # whose _step works a case
    real = owner._step

    def failing(*args, **kwargs):  # the third case's step fails: nothing of the tick stays
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("crash")
        return real(*args, **kwargs)

    owner._step = failing  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        esc.tick(hours(25))
    assert calls == 3
    assert esc.store.actions() == []
    assert all(len(esc.store.history(f"I{i}")) == 2 for i in range(3))
    owner._step = real  # type: ignore[method-assign]
    assert len(esc.tick(hours(25))) == 3


def test_iter_cases_reads_histories_by_period_state_and_unit() -> None:
    esc = escalator()
    esc.open_decision(decision(issue_id="A"), received_at=T0)
    esc.open_decision(decision(issue_id="B", received=T0 + timedelta(days=40)), received_at=T0 + timedelta(days=40))
    esc.record("A", "respond", hours(1))
    esc.record("A", "complete", hours(2))
    esc.tick(T0 + timedelta(days=50))  # B: reminded, escalated to the district
    july = list(esc.store.iter_cases(T0.replace(day=1), T0.replace(month=8, day=1)))
    assert [c.case_id for c in july] == ["A"]
    assert [r.event for r in july[0].history][-1] is Event.COMPLETE
    assert [c.case_id for c in esc.store.iter_cases(states=["completed"])] == ["A"]
    assert [c.case_id for c in esc.store.iter_cases(unit=DISTRICT.code)] == ["B"]
    assert [c.case_id for c in esc.store.iter_cases(unit=STREET.code)] == ["A", "B"]
    active = esc.store.iter_cases(T0 + timedelta(days=45), T0 + timedelta(days=60), by="active")
    assert [c.case_id for c in active] == ["B"]
    assert [c.case_id for c in esc.store.iter_cases(batch=1)] == ["A", "B"]
