"""The case store — 案件库: an append-only event log with a materialised row per case.

`CaseStore` is the interface the escalator needs; `SQLiteCaseStore` implements it on SQLite
(a file, or ":memory:" for tests), in WAL mode. A server database can implement the same
interface later.

Schema (SQLite):
- `events(seq, case_id, n, at, event, actor, rule, details)` — the log. Rows are only ever
  inserted: triggers refuse UPDATE and DELETE, so history is never rewritten.
- `cases(case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot)` —
  the fold of each case's events (`lifecycle.replay`), kept for speed, written in the same
  transaction as the event. `next_due_at` is indexed (partial index, open cases only), so a
  tick reads only the due cases, whatever the number of open ones.
- `actions(key UNIQUE, …)` — what ticks decided. The key is case + deadline + action (plus the
  case's event count, which pins the deadline), so a tick re-run at the same `now`, or after a
  crash, cannot record an action twice.
- `findings(unit, period, kind, case_id, at, key UNIQUE)` — 不到位/慢到位/到位不作为/推诿 per
  unit and period, counted for accountability (问责), with a running `finding_counts(unit,
  period, count)`. Both are derived from events and written in the same transaction.

Reading case histories (for scoring, 一哨一考核)::

    store = SQLiteCaseStore("cases.db")
    for case in store.iter_cases(since=datetime(2026, 7, 1), until=datetime(2026, 10, 1)):
        case.snapshot.state, case.snapshot.lead, case.snapshot.satisfaction
        for event in case.history:      # EventRecord: n, at, event, actor, rule, details
            ...

`iter_cases(since=None, until=None, *, states=None, unit=None, by="opened")` yields
`CaseRecord(snapshot, history)` in case-id order, streaming (memory does not grow with the
store). The period is half-open `[since, until)` on the case's opening time (`by="opened"`)
or on the time of its last event (`by="active"`: any case with an event in the period);
`states` filters on the current state, `unit` on the lead or any unit that acted on the case.
Times in records are fixed-width UTC stamps; `lifecycle.unstamp` and `lifecycle.local` read
them. `store.actions(case_id=None)` lists recorded actions; `store.findings(unit=None,
period=None)` the accountability findings.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .lifecycle import Event, EventRecord, Snapshot, State, apply, replay, stamp

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class CaseRecord:
    """A case with its full history."""

    snapshot: Snapshot
    history: tuple[EventRecord, ...]

    @property
    def case_id(self) -> str:
        return self.snapshot.case_id


@dataclass(frozen=True)
class NewEvent:
    """An event to append. When `action_key` is given the event is an action's effect: it is
    written only if no action with that key exists (idempotency)."""

    at: str
    event: Event
    actor: str | None = None
    rule: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ActionRow:
    key: str
    case_id: str
    action: str
    from_unit: str | None
    to_unit: str | None
    rule: str
    reason: str
    at: str
    finding: str | None = None
    rules_version: str | None = None


class CaseStore(ABC):
    """What the escalator needs from a store. Every write happens inside `transaction()`."""

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager: one write transaction (all or nothing)."""

    @abstractmethod
    def get(self, case_id: str) -> Snapshot | None: ...

    @abstractmethod
    def history(self, case_id: str) -> tuple[EventRecord, ...]: ...

    @abstractmethod
    def create(self, case_id: str, at: str, details: dict[str, Any], then: Sequence[NewEvent] = ()) -> Snapshot:
        """Open a case (its `open` event, then `then`). Raises KeyError if it exists."""

    @abstractmethod
    def append(self, case_id: str, events: Sequence[NewEvent]) -> Snapshot:
        """Append events (TransitionError, nothing written, if one is not allowed)."""

    @abstractmethod
    def act(self, action: ActionRow, events: Sequence[NewEvent], snapshot: Snapshot | None = None) -> Snapshot | None:
        """Record an action and its events, unless its key exists (then None, nothing written).
        `snapshot`, when given, is the case as the caller read it in this transaction."""

    @abstractmethod
    def due(self, now: str, after: tuple[str, str] | None, limit: int) -> list[Snapshot]:
        """Open cases with next_due_at <= now, in (next_due_at, case_id) order, after `after`."""

    @abstractmethod
    def add_finding(self, unit: str, period: str, kind: str, case_id: str, at: str, key: str) -> bool: ...

    @abstractmethod
    def count_findings(self, unit: str, period: str) -> int: ...

    @abstractmethod
    def iter_cases(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        states: Iterable[State | str] | None = None,
        unit: str | None = None,
        by: str = "opened",
    ) -> Iterator[CaseRecord]: ...

    @abstractmethod
    def actions(self, case_id: str | None = None) -> list[ActionRow]: ...

    @abstractmethod
    def close(self) -> None: ...


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


def _details_json(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


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
        return tuple(_record(row) for row in rows)

    def replay(self, case_id: str) -> Snapshot:
        return replay(self.history(case_id))

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
        return self._db.execute(
            "SELECT count(*) FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ?", (now,)
        ).fetchone()[0]

    def count_findings(self, unit: str, period: str) -> int:
        # A running count kept beside the findings: counting rows would make a tick that finds
        # n faults in one unit cost n² (10,000 escalations from one department).
        row = self._db.execute("SELECT count FROM finding_counts WHERE unit=? AND period=?", (unit, period)).fetchone()
        return row[0] if row else 0

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
        return self._db.execute("SELECT count(*) FROM cases").fetchone()[0]

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
        if by not in ("opened", "active"):
            raise ValueError("by is 'opened' or 'active'")
        wanted = {State(s) for s in states} if states is not None else None
        clauses, args = [], []
        if by == "opened":
            if since is not None:
                clauses.append("opened_at >= ?")
                args.append(stamp(since))
            if until is not None:
                clauses.append("opened_at < ?")
                args.append(stamp(until))
        else:
            # any event in [since, until): the case opened before `until` and its last event
            # is at or after `since`; the exact check runs on the history below.
            if until is not None:
                clauses.append("opened_at < ?")
                args.append(stamp(until))
            if since is not None:
                clauses.append("last_at >= ?")
                args.append(stamp(since))
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
                if by == "active" and not _active(history, since, until):
                    continue
                if unit is not None and not _involves(snapshot, history, unit):
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
                "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                _case_row(snapshot),
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
                "INSERT OR IGNORE INTO actions (key, case_id, action, from_unit, to_unit, rule, reason, at, finding, rules_version) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
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
        row = _case_row(snapshot)
        self._db.execute(
            "UPDATE cases SET state=?, level=?, lead=?, assignee=?, opened_at=?, last_at=?, next_due_at=?, n=?, snapshot=? "
            "WHERE case_id=?",
            (*row[1:], row[0]),
        )
        return snapshot

    def _insert_event(self, record: EventRecord) -> None:
        self._db.execute(
            "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,?)",
            (
                record.case_id,
                record.n,
                record.at,
                record.event.value,
                record.actor,
                record.rule,
                _details_json(dict(record.details)),
            ),
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
                case_rows.append(_case_row(snapshot))
                event_rows.extend(
                    (r.case_id, r.n, r.at, r.event.value, r.actor, r.rule, _details_json(dict(r.details)))
                    for r in records
                )
                count += 1
                if len(case_rows) >= 20_000:
                    self._flush(case_rows, event_rows)
            self._flush(case_rows, event_rows)
        return count

    def _flush(self, case_rows: list[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(
            "INSERT INTO events (case_id, n, at, event, actor, rule, details) VALUES (?,?,?,?,?,?,?)", event_rows
        )
        self._db.executemany(
            "INSERT INTO cases (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            case_rows,
        )
        case_rows.clear()
        event_rows.clear()


def _case_row(s: Snapshot) -> tuple[Any, ...]:
    due = s.due()
    return (
        s.case_id,
        s.state.value,
        s.level,
        s.lead["code"],
        s.assignee["code"],
        s.opened_at,
        s.last_at,
        due[0] if due else None,
        s.n,
        s.dumps(),
    )


def _record(row: Sequence[Any]) -> EventRecord:
    case_id, n, at, event, actor, rule, details = row
    return EventRecord(case_id, n, at, Event(event), actor, rule, json.loads(details))


def _active(history: Sequence[EventRecord], since: datetime | None, until: datetime | None) -> bool:
    low = stamp(since) if since is not None else ""
    high = stamp(until) if until is not None else "~"
    return any(low <= r.at < high for r in history)


def _involves(snapshot: Snapshot, history: Sequence[EventRecord], unit: str) -> bool:
    if snapshot.lead["code"] == unit or snapshot.assignee["code"] == unit:
        return True
    for r in history:
        if r.actor == unit:
            return True
        to = r.details.get("to")
        if isinstance(to, dict) and to.get("code") == unit:
            return True
    return False


__all__ = ["ActionRow", "CaseRecord", "CaseStore", "NewEvent", "SQLiteCaseStore"]
