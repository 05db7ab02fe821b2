"""The batched tick (issue 16 §3, `powerlist.cases.batch`) writes exactly what working the due
cases one by one writes (`Escalator(bulk=False)`, the reference): every table row for row and
byte for byte, the same actions, the same cases named as bad — over random scenarios and random
case histories, on both engines, on SQLite and PostgreSQL, whatever the batch size; and the same
again when a batch's writes are refused (a key already recorded, a write the database will not
take) and it falls back to the reference."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_escalation import LEADS, RECORDABLE, RULES, T0, FakeCatalog, decision
from test_escalation_crash import cases as crash_cases

from powerlist.cases.escalator import Escalator
from powerlist.cases.lifecycle import TRANSITIONS, unstamp
from powerlist.cases.sqlite import SQLiteCaseStore
from powerlist.cases.store import ActionRow, CaseStore
from powerlist.cases.stores import open_store
from powerlist.errors import InputError, TransitionError
from powerlist.routing.decision import Whistle
from powerlist.testing import case_histories

TABLES = ("meta", "events", "cases", "actions", "findings", "finding_counts")
_PG_ORDER = {"meta": "key", "events": "seq", "cases": "case_id", "actions": "seq", "findings": "seq",
             "finding_counts": "unit, period"}
_PG_COLUMNS = {"events": "case_id, n, at, event, actor, rule, details",
               "actions": "key, case_id, action, from_unit, to_unit, rule, reason, at, finding, rules_version, due_at",
               "findings": "key, unit, period, kind, case_id, at"}
_ids = itertools.count()


def tables(store: CaseStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every table as stored, in storage order: SQLite with rowids (and every JSON column stored
    as TEXT), PostgreSQL in `seq` order (sequence numbers left out: a rolled-back attempt
    consumes some, as any rolled-back transaction does)."""
    db = store._db  # type: ignore[attr-defined]
    if isinstance(store, SQLiteCaseStore):
        kinds = db.execute("SELECT DISTINCT typeof(details) FROM events UNION SELECT DISTINCT typeof(snapshot) "
                           "FROM cases").fetchall()
        assert kinds in ([], [("text",)])
        return {t: db.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    return {t: db.execute(f"SELECT {_PG_COLUMNS.get(t, '*')} FROM {t} ORDER BY {_PG_ORDER[t]}").fetchall()
            for t in TABLES}


class Pair:
    """Stores of one backend made by a test, closed and dropped afterwards."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind, self.tmp_path = kind, tmp_path
        self.server = request.getfixturevalue("postgres_server") if kind == "postgres" else None
        self.urls: list[str] = []
        self.opened: list[CaseStore] = []

    def url(self) -> str:
        url = self.server.create_database() if self.server else str(self.tmp_path / f"s{next(_ids)}.db")
        self.urls.append(url)
        return url

    def copy(self, url: str) -> str:
        if self.server:
            copied = self.server.copy_database(url)
        else:
            copied = str(self.tmp_path / f"s{next(_ids)}.db")
            shutil.copy(url, copied)
        self.urls.append(copied)
        return copied

    def open(self, url: str) -> CaseStore:
        store = open_store(url)
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in self.opened:
            store.close()
        if self.server:
            for url in self.urls:
                self.server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    made = Pair(request.param, tmp_path, request)
    try:
        yield made
    finally:
        made.close()


def escalators(stores: list[CaseStore], engine: str = "compiled") -> tuple[Escalator, Escalator]:
    """A batched escalator on the first store, the reference (case by case) on the second."""
    bulk, each = stores
    return (Escalator(bulk, None, RULES, catalog=FakeCatalog(), engine=engine),
            Escalator(each, None, RULES, catalog=FakeCatalog(), engine=engine, bulk=False))


def ticked(esc: Escalator, now: Any, batch: int) -> dict[str, Any]:
    """What a tick reports (a store's name in a message said as "<store>": the two are copies)."""
    report = esc.tick_report(now, batch=batch).as_json()
    for bad in report["failed"]:
        bad["message"] = bad["message"].replace(esc.store.path, "<store>")
    return {key: report[key] for key in ("actions", "failed", "cases", "lag_seconds", "oldest_due_at")}


# ---- random scenarios: cases opened, events recorded, ticks -----------------------------------

step = st.one_of(
    st.tuples(st.just("tick"), st.integers(0, 60), st.integers(1, 4)),
    st.tuples(st.just("record"), st.integers(0, 30), st.sampled_from((*RECORDABLE, *("valid",) * 8)),
              st.sampled_from((None, "420202001", "420202001-scjg", "420202-scjg")), st.integers(0, 9)),
)
scenarios = st.tuples(
    st.lists(st.tuples(st.sampled_from(LEADS), st.sampled_from(list(Whistle))), min_size=1, max_size=10),
    st.lists(step, max_size=40),
)


def play(value: Any, escs: tuple[Escalator, Escalator]) -> None:
    """The same scenario on both escalators, tick by tick the same reports, then the same tables."""
    cases, steps = value
    prefix = f"X{next(_ids)}-"  # fresh ids: a PostgreSQL pair is shared by the examples
    for esc in escs:
        for i, (lead, whistle) in enumerate(cases):
            opened = decision(issue_id=f"{prefix}{i}", lead=lead, whistle=whistle,
                              respond_hours=4 if whistle is Whistle.DAILY else 0.5)
            esc.open_decision(opened, received_at=T0)
    clock = T0
    for item in steps:
        if item[0] == "tick":
            clock += timedelta(hours=item[1])
            reports = [ticked(esc, clock, item[2]) for esc in escs]
            assert reports[0] == reports[1]
            continue
        _, delta, event, by, which = item
        clock += timedelta(hours=delta)
        case_id = f"{prefix}{which % len(cases)}"
        if event == "valid":
            state = escs[0].case(case_id).state
            allowed = sorted(e.value for e in TRANSITIONS[state] if e.value in RECORDABLE)
            event = allowed[(delta + which) % len(allowed)]
        details = {"satisfaction": "满意"} if event == "evaluate" else {}
        for esc in escs:
            with suppress(TransitionError, InputError):  # refused alike: checked by the tables
                esc.record(case_id, event, clock, by=by, **details)
    assert tables(escs[0].store) == tables(escs[1].store)


@settings(max_examples=60, deadline=None)
@given(scenarios)
def test_random_scenarios_write_the_same_rows_batched_and_case_by_case(value: Any) -> None:
    play(value, escalators([SQLiteCaseStore(), SQLiteCaseStore()]))


@settings(max_examples=8, deadline=None)
@given(scenarios)
def test_random_scenarios_write_the_same_rows_on_durable_rules(value: Any) -> None:
    play(value, escalators([SQLiteCaseStore(), SQLiteCaseStore()], engine="durable"))


def test_random_scenarios_on_postgres(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    made = Pair("postgres", tmp_path, request)
    try:
        stores = [made.open(made.url()), made.open(made.url())]
        escs = escalators(stores)

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(scenarios)
        def check(value: Any) -> None:
            play(value, escs)

        check()
    finally:
        made.close()


# ---- random case histories (every state), ticked at random times -------------------------------

@settings(max_examples=50, deadline=None)
@given(st.lists(case_histories(max_events=10), min_size=1, max_size=8, unique_by=lambda h: h.case_id),
       st.lists(st.tuples(st.integers(0, 20 * 24), st.integers(1, 5)), min_size=1, max_size=4))
def test_random_case_histories_tick_alike_batched_and_case_by_case(histories: list[Any], ticks: list[Any]) -> None:
    escs = escalators([SQLiteCaseStore(), SQLiteCaseStore()])
    for esc in escs:
        for history in histories:
            history.store_into(esc.store)
    clock = max(unstamp(max(h.snapshot.last_at for h in histories)), T0)
    for hours, batch in sorted(ticks):
        now = clock + timedelta(hours=hours)
        assert ticked(escs[0], now, batch) == ticked(escs[1], now, batch)
    assert tables(escs[0].store) == tables(escs[1].store)


# ---- many due cases: findings counted across a batch, the sanction ladder ----------------------

@pytest.mark.parametrize("batch", [1, 7, 100])
def test_the_ladder_across_batches_is_counted_alike(pair: Pair, batch: int) -> None:
    base = pair.url()
    store = open_store(base)
    store.bulk_load(crash_cases(300, 100))
    store.close()
    escs = escalators([pair.open(pair.copy(base)), pair.open(pair.copy(base))])
    for hours in (30, 49, 80):
        now = T0 + timedelta(hours=hours)
        reports = [ticked(esc, now, batch) for esc in escs]
        assert reports[0] == reports[1] and reports[0]["actions"]
    sanctions = [a for a in escs[0].store.actions() if a.key.count("|") == 2]
    assert {a.action for a in sanctions} == {"criticise", "interview", "refer"}
    assert tables(escs[0].store) == tables(escs[1].store)


# ---- writes refused: the batch falls back to the reference -------------------------------------

def _opened(pair: Pair, n: int) -> str:
    url = pair.url()
    store = open_store(url)
    esc = Escalator(store, None, RULES, catalog=FakeCatalog())
    for i in range(n):
        esc.open_decision(decision(issue_id=f"C{i}"), received_at=T0)
    store.close()  # SQLite: checkpointed into the file that is copied
    return url


def _alike(pair: Pair, url: str, spoil: Callable[[CaseStore], None], now: Any, falls_back: bool) -> dict[str, Any]:
    """Tick copies of `url` spoilt by `spoil`, batched and case by case: the same report, the
    same tables; the batched one worked its batch case by case too if `falls_back`. The report."""
    stores = [pair.open(pair.copy(url)), pair.open(pair.copy(url))]
    for store in stores:
        spoil(store)
    escs = escalators(stores)
    by_case = escs[0]._case_batch
    fallbacks = []

    def counted(*args: Any) -> Any:
        fallbacks.append(args)
        return by_case(*args)

    escs[0]._case_batch = counted  # type: ignore[method-assign]
    reports = [ticked(esc, now, 100) for esc in escs]
    assert reports[0] == reports[1]
    assert tables(stores[0]) == tables(stores[1])
    assert bool(fallbacks) == falls_back
    return reports[0]


def test_an_action_already_recorded_makes_the_batch_fall_back(pair: Pair) -> None:
    url = _opened(pair, 4)
    probe = Escalator(pair.open(pair.copy(url)), None, RULES, catalog=FakeCatalog())
    taken = probe.tick(T0 + timedelta(hours=30))
    key = next(a.key for a in taken if a.case_id == "C2")  # what the tick would record for C2

    def recorded(store: CaseStore) -> None:
        store.load_records([ActionRow(key, "C2", "remind", None, None, "by hand", "", "2026-07-01T01:00:00.000000Z")],
                           [], {})

    report = _alike(pair, url, recorded, T0 + timedelta(hours=30), falls_back=True)
    assert {a["case_id"] for a in report["actions"]} == {"C0", "C1", "C3"}  # C2: its key is taken, as always


def test_a_write_the_database_refuses_makes_the_batch_fall_back_and_names_the_case(pair: Pair) -> None:
    url = _opened(pair, 3)

    def narrowed(store: CaseStore) -> None:
        """Another program narrows the window in the database (the store keeps the one it read):
        the database refuses the tick's events, the store's own checks do not."""
        db = store._db  # type: ignore[attr-defined]
        if pair.kind == "sqlite":
            db.execute("UPDATE meta SET value = '2026-07-02T05:00:00.000000Z' WHERE key = 'latest'")
        else:
            db.execute("ALTER TABLE events DROP CONSTRAINT events_window")
            db.execute("ALTER TABLE events ADD CONSTRAINT events_window CHECK (at < '2026-07-02T05:00:00.000000Z')")

    report = _alike(pair, url, narrowed, T0 + timedelta(hours=30), falls_back=True)
    assert report["actions"] == [] and sorted(f["case_id"] for f in report["failed"]) == ["C0", "C1", "C2"]
    assert all("store-refused" in f["message"] or "拒绝" in f["message"] for f in report["failed"])


def test_an_unreadable_row_is_named_alone_in_both_ways(pair: Pair) -> None:
    url = _opened(pair, 3)

    def broken(store: CaseStore) -> None:
        db = store._db  # type: ignore[attr-defined]
        db.execute("UPDATE cases SET snapshot = '{\"broken\": ' WHERE case_id = 'C1'")
        db.execute("UPDATE cases SET snapshot = replace(snapshot, '\"level\":\"street\"', '\"level\":\"nowhere\"') "
                   "WHERE case_id = 'C2'")

    report = _alike(pair, url, broken, T0 + timedelta(hours=30), falls_back=False)
    assert [f["case_id"] for f in report["failed"]] == ["C1", "C2"]
    assert [a["case_id"] for a in report["actions"]] == ["C0"]
