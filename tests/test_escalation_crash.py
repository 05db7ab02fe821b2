"""A process killed with SIGKILL in the middle of a tick loses nothing and duplicates nothing
(issue 4 §2, §6): reopening the store and ticking again gives exactly a clean run's actions."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import Event, EventRecord, apply, stamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.issue import SHANGHAI
from powerlist.routing.tables import RuleSet

N_OPEN, N_DUE = 10_000, 1_000
T0 = datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)
NOW = T0 + timedelta(hours=49)  # past respond_by + 24 h grace for most due cases
UNITS = [
    {"code": "S1", "name": "黄石港街道办事处", "level": "street"},
    {"code": "D1", "name": "黄石港区市场监督管理局", "level": "district"},
    {"code": "C1", "name": "黄石市市场监督管理局", "level": "city"},
]

TICKER = """
import sys
from datetime import datetime
from powerlist.cases.escalator import Escalator
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.routing.tables import RuleSet
esc = Escalator(SQLiteCaseStore(sys.argv[1]), None, RuleSet.load())
now = datetime.fromisoformat(sys.argv[2])
esc.tick(datetime.fromisoformat("2000-01-01T00:00+08:00"))  # compile the rulesets first
print("ticking", flush=True)
esc.tick(now)
print("done", flush=True)
"""


def build(path: Path) -> None:
    """N_OPEN dispatched cases, each the replay of its open and dispatch events (bulk_load)."""
    store = SQLiteCaseStore(path)
    at = stamp(T0)

    def case(case_id: str, lead: dict, respond: datetime) -> tuple:
        deadlines = {"respond_by": stamp(respond), "complete_by": stamp(respond + timedelta(days=1))}
        details = {
            "level": lead["level"], "lead": lead, "path": UNITS, "whistle": "daily",
            "supervision_office": {"code": "SUP", "name": "督查室", "level": "city"},
            "respond_window": 3600, "complete_window": 86400, **deadlines,
        }
        records = [
            EventRecord(case_id, 1, at, Event.OPEN, None, None, details),
            EventRecord(case_id, 2, at, Event.DISPATCH, None, None, {"to": lead, **deadlines}),
        ]
        return apply(apply(None, records[0]), records[1]), records

    def cases():
        # Cases not due share their events but for the id: fold two, copy the rest.
        later = [case("", lead, T0 + timedelta(days=30)) for lead in UNITS[:2]]
        for i in range(N_OPEN):
            case_id, lead = f"K{i:06d}", UNITS[i % 2]
            if i % (N_OPEN // N_DUE) == 0:
                yield case(case_id, lead, T0 + timedelta(hours=1, seconds=i))
            else:
                snapshot, records = later[i % 2]
                yield replace(snapshot, case_id=case_id), [replace(r, case_id=case_id) for r in records]

    store.bulk_load(cases())
    store.close()


def dump(path: Path) -> tuple[list[tuple], list[tuple], list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return (
            db.execute(
                "SELECT key, case_id, action, from_unit, to_unit, rule, reason, at, finding FROM actions ORDER BY key"
            ).fetchall(),
            db.execute("SELECT case_id, n, at, event, actor, rule, details FROM events ORDER BY case_id, n").fetchall(),
            db.execute(
                "SELECT case_id, state, level, assignee, next_due_at, n, snapshot FROM cases ORDER BY case_id"
            ).fetchall(),
        )
    finally:
        db.close()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_tick_then_tick_again_equals_a_clean_run(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    build(base)
    clean, crash = tmp_path / "clean.db", tmp_path / "crash.db"
    shutil.copy(base, clean)
    shutil.copy(base, crash)

    started = time.perf_counter()
    esc = Escalator(SQLiteCaseStore(clean), None, RuleSet.load())
    clean_actions = esc.tick(NOW)
    clean_seconds = time.perf_counter() - started
    esc.store.close()
    assert len(clean_actions) > N_DUE  # reminders, escalations and sanctions
    assert {a.case_id for a in clean_actions} == {f"K{i:06d}" for i in range(0, N_OPEN, N_OPEN // N_DUE)}

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen(
        [sys.executable, "-c", TICKER, str(crash), NOW.isoformat()], stdout=subprocess.PIPE, env=env, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ticking"
    time.sleep(min(0.5, clean_seconds / 4))
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert "done" not in rest, "the tick finished before the kill; make the store larger"

    killed = dump(crash)
    assert killed[0] == [], "a killed tick left actions behind"
    assert killed == dump(base), "a killed tick changed the store"

    esc = Escalator(SQLiteCaseStore(crash), None, RuleSet.load())
    again = esc.tick(NOW)
    assert esc.tick(NOW) == []
    esc.store.close()
    assert [(a.key, a.action, a.to_unit, a.rule, a.reason) for a in again] == [
        (a.key, a.action, a.to_unit, a.rule, a.reason) for a in clean_actions
    ]
    assert dump(crash) == dump(clean)
