"""The SQLite case store — `SQLiteCaseStore`, the `CaseStore` on one SQLite file (or ":memory:"
for tests), in WAL mode.

The layout, the records and their rows are the backend-neutral part, in `powerlist.cases.store`;
this module holds only the SQL. Every write runs in `BEGIN IMMEDIATE … COMMIT` (a tick is one
transaction), and triggers refuse UPDATE and DELETE on `events`, so the log is append-only
whatever code writes to the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .lifecycle import Event, EventRecord, Snapshot, State, apply
from .store import (
    SCHEMA_VERSION,
    ActionRow,
    CaseRecord,
    CaseStore,
    NewEvent,
    active_in,
    case_row,
    event_record,
    event_row,
    involves,
    period_bounds,
    wanted_states,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT,
    rule TEXT,
    details TEXT NOT NULL,
    UNIQUE (case_id, n)
);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    level TEXT NOT NULL,
    lead TEXT NOT NULL,
    assignee TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    next_due_at TEXT,
    n INTEGER NOT NULL,
    snapshot TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_due ON cases (next_due_at, case_id) WHERE next_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_opened ON cases (opened_at);
CREATE TABLE IF NOT EXISTS actions (
    key TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL,
    action TEXT NOT NULL,
    from_unit TEXT,
    to_unit TEXT,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    finding TEXT,
    rules_version TEXT
);
CREATE INDEX IF NOT EXISTS actions_case ON actions (case_id);
CREATE TABLE IF NOT EXISTS findings (
    key TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_unit ON findings (unit, period);
CREATE TABLE IF NOT EXISTS finding_counts (
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (unit, period)
);
"""
_INSERT_EVENT = "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,?)"
_INSERT_CASE = (
    "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
    "VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_UPDATE_CASE = (
    "UPDATE cases SET state=?, level=?, lead=?, assignee=?, opened_at=?, last_at=?, next_due_at=?, n=?, snapshot=? "
    "WHERE case_id=?"
)
_INSERT_ACTION = (
    "INSERT OR IGNORE INTO actions "
    "(key, case_id, action, from_unit, to_unit, rule, reason, at, finding, rules_version) "
    "VALUES (?,?,?,?,?,?,?,?,?,?)"
)


class SQLiteCaseStore(CaseStore):
    """The SQLite case store. `path` is a file or ":memory:"."""

    def __init__(self, path: str | Path = ":memory:", *, timeout: float = 30.0) -> None:
        self.path = str(path)
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            found = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as error:
            raise InputError(
                [Problem(message=f"not a usable case store: {error}", file=self.path, code="bad-store")],
                "cannot open the case store",
            ) from None
        if found is None:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise InputError(
                [Problem(message=f"case store schema {found[0]}, expected {SCHEMA_VERSION}", file=self.path)],
                "cannot open the case store",
            )
        self._depth = 0

    # ---- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT; nested use joins the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # ---- reads ----------------------------------------------------------------------------

    def get(self, case_id: str) -> Snapshot | None:
        row = self._db.execute("SELECT snapshot FROM cases WHERE case_id=?", (case_id,)).fetchone()
        return Snapshot.loads(row[0]) if row else None

    def history(self, case_id: str) -> tuple[EventRecord, ...]:
        rows = self._db.execute(
            "SELECT case_id, n, at, event, actor, rule, details FROM events WHERE case_id=? ORDER BY n",
            (case_id,),
        ).fetchall()
        return tuple(event_record(row) for row in rows)

    def due(self, now: str, after: tuple[str, str] | None, limit: int) -> list[Snapshot]:
        if after is None:
            rows = self._db.execute(
                "SELECT snapshot FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
                "ORDER BY next_due_at, case_id LIMIT ?",
                (now, limit),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT snapshot FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
                "AND (next_due_at, case_id) > (?, ?) ORDER BY next_due_at, case_id LIMIT ?",
                (now, after[0], after[1], limit),
            ).fetchall()
        return [Snapshot.loads(row[0]) for row in rows]

    def count_due(self, now: str) -> int:
        sql = "SELECT count(*) FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
        return int(self._db.execute(sql, (now,)).fetchone()[0])

    def count_findings(self, unit: str, period: str) -> int:
        # A running count kept beside the findings: counting rows would make a tick that finds
        # n faults in one unit cost n² (10,000 escalations from one department).
        sql = "SELECT count FROM finding_counts WHERE unit=? AND period=?"
        row = self._db.execute(sql, (unit, period)).fetchone()
        return int(row[0]) if row else 0

    def findings(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT unit, period, kind, case_id, at, key FROM findings WHERE 1=1"
        args: list[Any] = []
        if unit is not None:
            sql += " AND unit=?"
            args.append(unit)
        if period is not None:
            sql += " AND period=?"
            args.append(period)
        rows = self._db.execute(sql + " ORDER BY rowid", args).fetchall()
        return [dict(zip(("unit", "period", "kind", "case_id", "at", "key"), r, strict=True)) for r in rows]

    def actions(self, case_id: str | None = None) -> list[ActionRow]:
        sql = "SELECT key, case_id, action, from_unit, to_unit, rule, reason, at, finding, rules_version FROM actions"
        args: tuple[Any, ...] = ()
        if case_id is not None:
            sql += " WHERE case_id=?"
            args = (case_id,)
        return [ActionRow(*row) for row in self._db.execute(sql + " ORDER BY rowid", args).fetchall()]

    def count_cases(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM cases").fetchone()[0])

    def iter_cases(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        states: Iterable[State | str] | None = None,
        unit: str | None = None,
        by: str = "opened",
        batch: int = 500,
    ) -> Iterator[CaseRecord]:
        """Cases with their full history, streaming in case-id order (see the module doc)."""
        bounds = period_bounds(since, until, by)
        wanted = wanted_states(states)
        clauses = [f"{column} {operator} ?" for column, operator, _ in bounds]
        args = [value for _, _, value in bounds]
        where = (" AND " + " AND ".join(clauses)) if clauses else ""
        last = ""
        while True:
            rows = self._db.execute(
                f"SELECT case_id, snapshot FROM cases WHERE case_id > ?{where} ORDER BY case_id LIMIT ?",
                (last, *args, batch),
            ).fetchall()
            if not rows:
                return
            for case_id, text in rows:
                last = case_id
                snapshot = Snapshot.loads(text)
                if wanted is not None and snapshot.state not in wanted:
                    continue
                history = self.history(case_id)
                if by == "active" and not active_in(history, since, until):
                    continue
                if unit is not None and not involves(snapshot, history, unit):
                    continue
                yield CaseRecord(snapshot, history)

    # ---- writes ---------------------------------------------------------------------------

    def create(self, case_id: str, at: str, details: dict[str, Any], then: Sequence[NewEvent] = ()) -> Snapshot:
        with self.transaction():
            if self._db.execute("SELECT 1 FROM cases WHERE case_id=?", (case_id,)).fetchone():
                raise KeyError(case_id)
            first = EventRecord(case_id, 1, at, Event.OPEN, None, None, details)
            snapshot = apply(None, first)
            self._insert_event(first)
            records = []
            for new in then:
                record = EventRecord(case_id, snapshot.n + 1, new.at, new.event, new.actor, new.rule, new.details or {})
                snapshot = apply(snapshot, record)
                records.append(record)
            for record in records:
                self._insert_event(record)
            self._db.execute(
                _INSERT_CASE,
                case_row(snapshot),
            )
        return snapshot

    def append(self, case_id: str, events: Sequence[NewEvent]) -> Snapshot:
        with self.transaction():
            snapshot = self.get(case_id)
            if snapshot is None:
                raise KeyError(case_id)
            return self._append(snapshot, events)

    def act(self, action: ActionRow, events: Sequence[NewEvent], snapshot: Snapshot | None = None) -> Snapshot | None:
        with self.transaction():
            cursor = self._db.execute(
                _INSERT_ACTION,
                (
                    action.key,
                    action.case_id,
                    action.action,
                    action.from_unit,
                    action.to_unit,
                    action.rule,
                    action.reason,
                    action.at,
                    action.finding,
                    action.rules_version,
                ),
            )
            if cursor.rowcount == 0:
                return None
            if snapshot is None or snapshot.case_id != action.case_id:
                snapshot = self.get(action.case_id)
            if snapshot is None:
                raise KeyError(action.case_id)
            return self._append(snapshot, events) if events else snapshot

    def add_finding(self, unit: str, period: str, kind: str, case_id: str, at: str, key: str) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO findings (key, unit, period, kind, case_id, at) VALUES (?,?,?,?,?,?)",
            (key, unit, period, kind, case_id, at),
        )
        if cursor.rowcount != 1:
            return False
        self._db.execute(
            "INSERT INTO finding_counts (unit, period, count) VALUES (?, ?, 1) "
            "ON CONFLICT (unit, period) DO UPDATE SET count = count + 1",
            (unit, period),
        )
        return True

    def _append(self, snapshot: Snapshot, events: Sequence[NewEvent]) -> Snapshot:
        records = []
        for new in events:
            record = EventRecord(
                snapshot.case_id, snapshot.n + 1, new.at, new.event, new.actor, new.rule, new.details or {}
            )
            snapshot = apply(snapshot, record)  # TransitionError here writes nothing
            records.append(record)
        for record in records:
            self._insert_event(record)
        row = case_row(snapshot)
        self._db.execute(
            _UPDATE_CASE,
            (*row[1:], row[0]),
        )
        return snapshot

    def _insert_event(self, record: EventRecord) -> None:
        self._db.execute(
            _INSERT_EVENT,
            event_row(record),
        )

    # ---- bulk (benchmarks, migrations) ----------------------------------------------------

    def bulk_load(self, cases: Iterable[tuple[Snapshot, Sequence[EventRecord]]]) -> int:
        """Insert many already-folded cases in one transaction (executemany). The caller
        guarantees each snapshot is the replay of its events."""
        count = 0
        with self.transaction():
            event_rows: list[tuple[Any, ...]] = []
            case_rows: list[tuple[Any, ...]] = []
            for snapshot, records in cases:
                case_rows.append(case_row(snapshot))
                event_rows.extend(event_row(r) for r in records)
                count += 1
                if len(case_rows) >= 20_000:
                    self._flush(case_rows, event_rows)
            self._flush(case_rows, event_rows)
        return count

    def _flush(self, case_rows: list[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(_INSERT_EVENT, event_rows)
        self._db.executemany(
            _INSERT_CASE,
            case_rows,
        )
        case_rows.clear()
        event_rows.clear()


__all__ = ["SQLiteCaseStore"]
