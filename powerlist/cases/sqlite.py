"""The SQLite case store — `SQLiteCaseStore`, the `CaseStore` on one SQLite file (or ":memory:"
for tests), in WAL mode.

The layout, the records and their rows are the backend-neutral part, in `powerlist.cases.store`;
this module holds only the SQL and what SQLite's faults mean. Every write runs in
`BEGIN IMMEDIATE … COMMIT`; triggers refuse UPDATE and DELETE on `events` (the log is
append-only whatever code writes to the file) and any instant that is not a fixed-width stamp
inside the store's window.

Opening is careful with files that are not ours: a file that is not SQLite, or a SQLite database
with tables but no powerlist `meta`, is refused before anything is written to it (no table is
created, the journal mode is left alone). A file the process cannot write is opened read-only:
it can be shown and scored, and any write is refused with a clear error. Busy (another process
holds the write lock longer than `timeout`), full, corrupted and I/O faults are `StoreError`s
naming the file (`powerlist.cases.faults`).

Waiting writers get their turn: a transaction polls for the write lock every few milliseconds
(instead of SQLite's back-off, which sleeps up to 100 ms and loses every race against a ticker
that commits batch after batch), and a tick pauses a few milliseconds between its batches.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .faults import guarded, store_error
from .instants import DEFAULT_WINDOW, STAMP_GLOB, TimeWindow
from .lifecycle import EventRecord, Snapshot, State
from .queries import FINDING_COUNTS, WINDOW_EXTREMES, Queries, finding_row
from .sqlite_files import connect, fault, must_read_only
from .sqlite_schema import (
    INSERT_ACTION,
    INSERT_CASE,
    INSERT_EVENT,
    INSERT_EVENT_JSON,
    INSERT_FINDING,
    SCHEMA,
    SET_COUNT,
    TRIGGER_NAMES,
    TRIGGERS,
    UPDATE_CASE,
    UPDATE_TICKED,
)
from .store import (
    ACTION_COLUMNS,
    SCHEMA_VERSION,
    ActionRow,
    CaseRecord,
    CaseStore,
    DueRow,
    NewEvent,
    TickWrites,
    action_values,
    active_in,
    appended,
    case_row,
    event_record,
    event_row,
    involves,
    opened,
    period_bounds,
    wanted_states,
    window_problems,
)

_POLL = 0.002  # seconds between attempts at the write lock
_PAUSE = 0.005  # seconds a tick leaves the lock free between batches
_KNOWN_SCHEMAS = ("1", SCHEMA_VERSION)
_Q = Queries("?", "rowid")


@guarded((sqlite3.Error,))
class SQLiteCaseStore(CaseStore):
    """The SQLite case store. `path` is a file or ":memory:"; `create=False` refuses a missing
    file; `read_only=True` (or a file the process cannot write) opens it for reading only;
    `window` is the plausible window of a new store (an existing store keeps its own)."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        timeout: float = 30.0,
        create: bool = True,
        read_only: bool = False,
        window: TimeWindow | None = None,
    ) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._depth = 0
        self._savepoints = 0
        unwritable = must_read_only(self.path, create)
        self.read_only = read_only or unwritable
        try:
            self._db = connect(self.path, self.read_only, timeout)
        except sqlite3.Error as error:
            raise self._fault(error) from None
        try:
            self._prepare(window)
        except sqlite3.Error as error:
            self._db.close()
            raise self._fault(error) from None
        except BaseException:
            self._db.close()
            raise

    # ---- opening ----------------------------------------------------------------------------

    def _fault(self, error: BaseException) -> BaseException:
        return fault(error, self.path, self.timeout)

    def _prepare(self, window: TimeWindow | None) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        tables.discard("sqlite_sequence")
        found = None
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            found = row[0] if row else None
        if tables and found is None:
            shown = "、".join(sorted(tables)[:5])
            raise store_error(self.path, f"这是另一个程序的 SQLite 数据库（含表 {shown}），不是案件库，未作任何修改 "
                              "(a SQLite database of something else, not a powerlist case store; left untouched)",
                              "foreign-database", value=shown)
        if found is not None and found not in _KNOWN_SCHEMAS:
            raise store_error(self.path, f"案件库版本 {found}，本程序需要 {SCHEMA_VERSION} "
                              f"(case store schema {found}, this powerlist reads {SCHEMA_VERSION})", "bad-schema",
                              value=found)
        if self.read_only:
            if found is None:
                raise store_error(self.path, "只读的空文件不是案件库 (an empty read-only file is not a case store)",
                                  "store-read-only")
            self._legacy = found != SCHEMA_VERSION
            self.window = self._read_window()
            return
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._legacy = False
        present = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        if found == SCHEMA_VERSION and present >= TRIGGER_NAMES:
            self.window = self._read_window()
            return  # nothing to write: opening a current store takes no write lock
        with self.transaction():
            if found is None:
                for statement in SCHEMA:
                    self._db.execute(statement)
            if found == "1":
                self._upgrade_from_1()
            for trigger in TRIGGERS:
                self._db.execute(trigger.replace("@GLOB@", STAMP_GLOB))
            if found != SCHEMA_VERSION:
                chosen = window or DEFAULT_WINDOW
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('earliest', ?)", (chosen.earliest,))
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('latest', ?)", (chosen.latest,))
        self.window = self._read_window()

    def _upgrade_from_1(self) -> None:
        """Schema 1 → 2: actions get `due_at`, read back from their key (case|deadline|n|action)."""
        self._db.execute("ALTER TABLE actions ADD COLUMN due_at TEXT")
        self._db.execute(
            "UPDATE actions SET due_at = substr(key, instr(key, '|') + 1, 27) "
            "WHERE substr(key, instr(key, '|') + 1, 27) GLOB ?",
            (STAMP_GLOB,),
        )

    def _read_window(self) -> TimeWindow:
        rows = dict(self._db.execute("SELECT key, value FROM meta WHERE key IN ('earliest', 'latest')").fetchall())
        if "earliest" in rows and "latest" in rows:
            return TimeWindow(rows["earliest"], rows["latest"])
        return DEFAULT_WINDOW

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
        if self.read_only:
            raise self._fault(sqlite3.OperationalError("attempt to write a readonly database"))
        try:
            self._begin()
        except sqlite3.Error as error:
            raise self._fault(error) from None
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            with suppress(sqlite3.Error):  # SQLITE_FULL may already have rolled it back
                self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise self._fault(error) from None

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, polling for the write lock every `_POLL` s until `timeout`."""
        deadline = time.monotonic() + self.timeout
        self._db.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                    time.sleep(_POLL)
        finally:
            self._db.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"case_{self._savepoints}"
        self._db.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            with suppress(sqlite3.Error):
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
            raise
        else:
            self._db.execute(f"RELEASE {name}")
        finally:
            self._savepoints -= 1

    def between_batches(self) -> None:
        time.sleep(_PAUSE)

    def close(self) -> None:
        self._db.close()

    def set_window(self, window: TimeWindow) -> None:
        extremes = self._db.execute(WINDOW_EXTREMES).fetchone()
        problems = window_problems(window, extremes)
        if problems:
            raise StoreError(problems, "新的时间窗口不包含已存的时间 (the new window excludes instants already stored)")
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('earliest', ?)", (window.earliest,))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('latest', ?)", (window.latest,))
        self.window = window

    # ---- reads ----------------------------------------------------------------------------

    def get(self, case_id: str) -> Snapshot | None:
        row = self._db.execute("SELECT snapshot FROM cases WHERE case_id=?", (case_id,)).fetchone()
        return Snapshot.loads(row[0]) if row else None

    def history(self, case_id: str) -> tuple[EventRecord, ...]:
        return tuple(event_record(row) for row in self._db.execute(_Q.history(1), (case_id,)).fetchall())

    def due(self, now: str, after: tuple[str, str] | None, limit: int) -> list[DueRow]:
        sql = (
            "SELECT case_id, next_due_at, CAST(snapshot AS BLOB) FROM cases "  # UTF-8 bytes, as stored
            "WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
        )
        if after is None:
            rows = self._db.execute(sql + " ORDER BY next_due_at, case_id LIMIT ?", (now, limit)).fetchall()
        else:
            rows = self._db.execute(
                sql + " AND (next_due_at, case_id) > (?, ?) ORDER BY next_due_at, case_id LIMIT ?",
                (now, after[0], after[1], limit),
            ).fetchall()
        return [DueRow(*row) for row in rows]

    def count_due(self, now: str) -> int:
        return int(self._db.execute(_Q.count_due, (now,)).fetchone()[0])

    def history_rows(self, case_ids: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {case_id: [] for case_id in case_ids}
        ids = list(found)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self._db.execute(_Q.history(len(chunk)), chunk):
                found[row[0]].append(row)
        return found

    def counts_for_update(self, unit: str, period: str) -> int:
        return self.count_findings(unit, period)  # BEGIN IMMEDIATE already holds the store

    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        sql = f"SELECT key FROM actions WHERE key IN ({','.join('?' * len(keys))})"
        return {row[0] for row in self._db.execute(sql, list(keys))}

    def count_findings(self, unit: str, period: str) -> int:
        row = self._db.execute(_Q.count_findings, (unit, period)).fetchone()
        return int(row[0]) if row else 0

    def finding_counts(self) -> dict[tuple[str, str], int]:
        return {(unit, period): int(count) for unit, period, count in self._db.execute(FINDING_COUNTS)}

    def findings(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        return [finding_row(row) for row in self._db.execute(*_Q.findings(unit, period)).fetchall()]

    def actions(self, case_id: str | None = None) -> list[ActionRow]:
        columns = [*ACTION_COLUMNS[:-1], "NULL" if self._legacy else "due_at"]
        return [ActionRow(*row) for row in self._db.execute(*_Q.actions(case_id, columns)).fetchall()]

    def count_cases(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM cases").fetchone()[0])

    def raw_cases(self, after: str, limit: int) -> list[tuple[str, str]]:
        return [(str(a), str(b)) for a, b in self._db.execute(_Q.raw_cases, (after, limit)).fetchall()]

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
            snapshot, records = opened(case_id, at, details, then, self.window)
            self._db.executemany(INSERT_EVENT, [event_row(r) for r in records])
            self._db.execute(INSERT_CASE, case_row(snapshot))
        return snapshot

    def append(self, case_id: str, events: Sequence[NewEvent]) -> Snapshot:
        with self.transaction():
            snapshot = self.get(case_id)
            if snapshot is None:
                raise KeyError(case_id)
            return self._append(snapshot, events)

    def act(self, action: ActionRow, events: Sequence[NewEvent], snapshot: Snapshot | None = None) -> Snapshot | None:
        with self.transaction():
            cursor = self._db.execute(INSERT_ACTION, action_values(action))
            if cursor.rowcount == 0:
                return None
            if snapshot is None or snapshot.case_id != action.case_id:
                snapshot = self.get(action.case_id)
            if snapshot is None:
                raise KeyError(action.case_id)
            return self._append(snapshot, events) if events else snapshot

    def write_tick(self, writes: TickWrites) -> bool:
        db = self._db
        if writes.actions and db.executemany(INSERT_ACTION, writes.actions).rowcount != len(writes.actions):
            return False
        if writes.events:
            db.executemany(INSERT_EVENT_JSON, writes.events)
        if writes.cases:
            db.executemany(UPDATE_TICKED, writes.cases)
        if writes.findings and db.executemany(INSERT_FINDING, writes.findings).rowcount != len(writes.findings):
            return False
        if writes.counts:
            db.executemany(SET_COUNT, [(unit, period, count) for (unit, period), count in writes.counts.items()])
        return True

    def add_finding(self, unit: str, period: str, kind: str, case_id: str, at: str, key: str) -> bool:
        cursor = self._db.execute(INSERT_FINDING, (key, unit, period, kind, case_id, at))
        if cursor.rowcount != 1:
            return False
        self._db.execute(
            "INSERT INTO finding_counts (unit, period, count) VALUES (?, ?, 1) "
            "ON CONFLICT (unit, period) DO UPDATE SET count = count + 1",
            (unit, period),
        )
        return True

    def _append(self, snapshot: Snapshot, events: Sequence[NewEvent]) -> Snapshot:
        snapshot, records = appended(snapshot, events, self.window)  # refused: nothing written
        self._db.executemany(INSERT_EVENT, [event_row(r) for r in records])
        row = case_row(snapshot)
        self._db.execute(UPDATE_CASE, (*row[1:], row[0]))
        return snapshot

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
        self._db.executemany(INSERT_EVENT, event_rows)
        self._db.executemany(INSERT_CASE, case_rows)
        case_rows.clear()
        event_rows.clear()

    def load_records(
        self, actions: Sequence[ActionRow], findings: Sequence[Mapping[str, Any]], counts: Mapping[tuple[str, str], int]
    ) -> None:
        with self.transaction():
            self._db.executemany(INSERT_ACTION, [action_values(a) for a in actions])
            self._db.executemany(
                "INSERT INTO findings (key, unit, period, kind, case_id, at) VALUES (?,?,?,?,?,?)",
                [(f["key"], f["unit"], f["period"], f["kind"], f["case_id"], f["at"]) for f in findings],
            )
            self._db.executemany(
                "INSERT INTO finding_counts (unit, period, count) VALUES (?,?,?)",
                [(unit, period, count) for (unit, period), count in counts.items()],
            )


__all__ = ["SQLiteCaseStore"]
