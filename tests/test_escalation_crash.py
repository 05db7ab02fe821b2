"""Tick workers killed with SIGKILL, and several tick workers at once (issues 4, 12, 16), against
SQLite and PostgreSQL: a worker killed mid-batch loses nothing and leaves no case half-worked;
ticking again ends exactly like one clean tick; on PostgreSQL two workers share the due cases
with no double action and no lost case, even when one of them is killed; a writer waits for one
batch, not for the whole tick."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import Event, EventRecord, apply, stamp
from powerlist.cases.stores import open_store
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
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

# A tick worker: compiles the rules, says "ready", waits for a line on stdin, then ticks and
# says "batch N" after each committed batch and the report's counts at the end.
TICKER = """
import json, sys
from datetime import datetime
from powerlist.cases.escalator import Escalator
from powerlist.cases.stores import open_store
from powerlist.routing.tables import RuleSet
store = open_store(sys.argv[1], create=False)
esc = Escalator(store, None, RuleSet.load())
esc.tick(datetime.fromisoformat("2000-01-01T00:00+08:00"))  # compile the rulesets first
print("ready", flush=True)
sys.stdin.readline()
report = esc.tick_report(datetime.fromisoformat(sys.argv[2]), batch=int(sys.argv[3]),
                         progress=lambda r: print(f"batch {r.batches}", flush=True))
print(json.dumps({"cases": report.cases, "actions": len(report.actions), "failed": len(report.failed)}), flush=True)
"""


class Stores:
    """New and copied stores of one backend, removed afterwards."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind, self.tmp_path, self.made = kind, tmp_path, []
        self.server = request.getfixturevalue("postgres_server") if kind == "postgres" else None

    def new(self) -> str:
        url = self.server.create_database() if self.server else str(self.tmp_path / f"s{len(self.made)}.db")
        self.made.append(url)
        return url

    def copy(self, url: str) -> str:
        if self.server:
            copied = self.server.copy_database(url)
        else:
            copied = str(self.tmp_path / f"s{len(self.made)}.db")
            shutil.copy(url, copied)
        self.made.append(copied)
        return copied

    def cleanup(self) -> None:
        if self.server:
            for url in self.made:
                self.server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    made = Stores(request.param, tmp_path, request)
    try:
        yield made
    finally:
        made.cleanup()


def build(url: str, n_open: int = N_OPEN, n_due: int = N_DUE) -> None:
    """A store at `url` with `cases(n_open, n_due)` (bulk_load)."""
    store = open_store(url)
    store.bulk_load(cases(n_open, n_due))
    store.close()


def cases(n_open: int = N_OPEN, n_due: int = N_DUE) -> Iterator[tuple[Any, list[EventRecord]]]:
    """`n_open` dispatched cases, `n_due` of them past their response deadline at NOW, each the
    replay of its open and dispatch events."""
    at = stamp(T0)

    def case(case_id: str, lead: dict[str, Any], respond: datetime) -> tuple[Any, list[EventRecord]]:
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

    later = [case("", lead, T0 + timedelta(days=30)) for lead in UNITS[:2]]
    for i in range(n_open):
        case_id, lead = f"K{i:06d}", UNITS[i % 2]
        if i % (n_open // n_due) == 0:
            yield case(case_id, lead, T0 + timedelta(hours=1, seconds=i))
        else:
            snapshot, records = later[i % 2]
            yield replace(snapshot, case_id=case_id), [replace(r, case_id=case_id) for r in records]


def due_ids(n_open: int = N_OPEN, n_due: int = N_DUE) -> set[str]:
    return {f"K{i:06d}" for i in range(0, n_open, n_open // n_due)}


def dump(url: str) -> tuple[list[tuple[Any, ...]], dict[str, tuple[Any, ...]], list[dict[str, Any]]]:
    """Actions by key, every case (its history and snapshot), findings: what must match."""
    store = open_store(url, create=False)
    try:
        actions = sorted((a.key, a.case_id, a.action, a.from_unit, a.to_unit, a.rule, a.reason, a.at, a.due_at)
                         for a in store.actions())
        cases = {c.case_id: (c.history, c.snapshot) for c in store.iter_cases()}
        return actions, cases, sorted(store.findings(), key=lambda f: f["key"])
    finally:
        store.close()


def start(url: str, now: datetime = NOW, batch: int = 100) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", TICKER, url, now.isoformat(), str(batch)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=ENV, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def go(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()


def wait_for(child: subprocess.Popen[str], line: str) -> None:
    assert child.stdout is not None
    for got in child.stdout:
        if got.strip() == line:
            return
        assert not got.startswith("{"), "the tick finished before the kill; make the store larger"
    raise AssertionError(f"worker ended before {line!r}")


def finish(child: subprocess.Popen[str]) -> dict[str, int]:
    out, _ = child.communicate(timeout=600)
    assert child.returncode == 0, out
    return json.loads(out.strip().splitlines()[-1])


def clean_run(url: str) -> list[Any]:
    store = open_store(url, create=False)
    try:
        actions = Escalator(store, None, RuleSet.load()).tick(NOW)
    finally:
        store.close()
    assert {a.case_id for a in actions} == due_ids() and len(actions) > N_DUE  # reminders, escalations, sanctions
    return actions


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_batch_loses_nothing_and_ticking_again_equals_a_clean_run(stores: Stores) -> None:
    base = stores.new()
    build(base)
    clean, crash = stores.copy(base), stores.copy(base)
    clean_run(clean)
    expected = dump(clean)
    untouched = dump(base)

    child = start(crash)
    go(child)
    wait_for(child, "batch 3")
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL

    killed = dump(crash)
    assert set(killed[1]) == set(expected[1])  # no case lost
    worked = {case_id for case_id, case in killed[1].items() if case != untouched[1][case_id]}
    assert 300 <= len(worked) < N_DUE, "the kill should land after 3 committed batches, before the end"
    for case_id in worked:  # each case whole: exactly as the clean tick left it, or untouched
        assert killed[1][case_id] == expected[1][case_id]
    assert {a[1] for a in killed[0]} == worked and set(killed[0]) <= set(expected[0])

    store = open_store(crash, create=False)
    try:
        esc = Escalator(store, None, RuleSet.load())
        esc.tick(NOW)
        assert esc.tick(NOW) == []
    finally:
        store.close()
    assert dump(crash) == expected


def outcome(url: str) -> tuple[Counter[tuple[Any, ...]], dict[str, tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    """What must not depend on how workers shared the cases: each case's own actions (without the
    key, which counts the case's events, sanctions included), each case's final state, and the
    sanctions per unit. Which case carries a sanction depends on the order findings arrive."""
    store = open_store(url, create=False)
    try:
        rows = store.actions()
        # keys: case|deadline|events so far|action for a case's own actions, unit|period|sanction
        own = Counter((a.case_id, a.action, a.rule, a.to_unit, a.due_at) for a in rows if a.key.count("|") == 3)
        sanctions = Counter((a.to_unit, a.action, a.rule) for a in rows if a.key.count("|") == 2)
        final = {}
        for case in store.iter_cases():
            s = case.snapshot
            assert store.replay(s.case_id) == s
            final[s.case_id] = (s.state, s.level, s.assignee["code"], s.due())
        return own, final, sanctions
    finally:
        store.close()


def test_two_postgres_workers_share_the_due_cases_without_double_actions_or_lost_cases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    made = Stores("postgres", tmp_path, request)
    try:
        base = made.new()
        build(base, 4_000, 1_600)
        clean, shared = made.copy(base), made.copy(base)
        sequential = open_store(clean, create=False)
        Escalator(sequential, None, RuleSet.load()).tick(NOW)
        sequential.close()
        workers = [start(shared, batch=50) for _ in range(2)]
        for worker in workers:
            go(worker)
        reports = [finish(worker) for worker in workers]
        assert all(r["cases"] > 0 and r["failed"] == 0 for r in reports), reports  # both took a share
        own, final, sanctions = outcome(shared)
        assert outcome(clean) == (own, final, sanctions)
        assert max(own.values()) == 1  # no action taken twice for the same case and deadline
        assert sum(r["actions"] for r in reports) == sum(own.values()) + sum(sanctions.values())
    finally:
        made.cleanup()


def test_a_postgres_worker_killed_mid_batch_loses_nothing_the_other_finishes_its_cases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    made = Stores("postgres", tmp_path, request)
    try:
        base = made.new()
        build(base, 4_000, 1_600)
        clean, shared = made.copy(base), made.copy(base)
        sequential = open_store(clean, create=False)
        Escalator(sequential, None, RuleSet.load()).tick(NOW)
        sequential.close()
        victim, survivor = start(shared, batch=50), start(shared, batch=50)
        go(victim)
        go(survivor)
        wait_for(victim, "batch 2")
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        report = finish(survivor)
        assert report["failed"] == 0
        assert outcome(shared) == outcome(clean)  # the survivor worked what the victim held
        store = open_store(shared, create=False)
        try:
            assert Escalator(store, None, RuleSet.load()).tick(NOW) == []
        finally:
            store.close()
    finally:
        made.cleanup()


def test_a_writer_waits_for_one_batch_not_for_the_whole_tick(stores: Stores) -> None:
    base = stores.new()
    build(base, 2_000, 2_000)
    child = start(base, batch=50)
    go(child)
    wait_for(child, "batch 1")
    store = open_store(base, create=False)
    try:
        esc = Escalator(store, None, RuleSet.load())
        last = max(due_ids(2_000, 2_000))  # worked by the tick's last batch
        recorded = esc.record(last, "respond", NOW)
        n = recorded.history[-1].n
        finish(child)

        def seq(sql: str, args: tuple[Any, ...]) -> Any:
            return store._db.execute(sql, args).fetchone()[0]  # type: ignore[attr-defined]

        mark = "?" if stores.kind == "sqlite" else "%s"
        mine = seq(f"SELECT seq FROM events WHERE case_id = {mark} AND n = {mark}", (last, n))
        assert seq("SELECT max(seq) FROM events", ()) > mine, "the writer had to wait for the whole tick"
        case = esc.case(last)
        assert case.history[n - 1].event is Event.RESPOND and "慢到位" in case.snapshot.labels
    finally:
        store.close()

