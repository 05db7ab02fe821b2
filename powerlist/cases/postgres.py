"""The PostgreSQL case store — `PostgresCaseStore`, the `CaseStore` on a PostgreSQL database
(psycopg 3), for a platform where several service processes and tick workers share one store.

    store = PostgresCaseStore("postgresql://powerlist@db.example/cases")
    store = open_store("postgresql://…")      # what every --db does

The same layout and semantics as the SQLite store (`powerlist.cases.store`; SQL in
`postgres_schema`): an append-only event log enforced by triggers, a `cases` row per case equal
to the replay of its events, unique idempotency keys, fixed-width stamps checked by the
database, the plausible window in `meta`.

**Concurrent tick workers.** Inside a tick's batch transaction `due()` reads due cases with
`SELECT … FOR UPDATE SKIP LOCKED`: each row is locked by the worker that read it until the
batch commits, and a worker skips rows another worker holds, so two workers never work the same
case at once, and none waits for the other. Everything a worker writes for a case (its events,
its row, its actions, the findings it counts) commits with the batch or not at all: a worker
killed mid-batch leaves its cases exactly as they were, unlocked, and the next pass (of any
worker) works them. Finding counts are one row per unit and period, updated in place (a row
lock), so two workers counting findings against one unit serialise on it and each sees the
exact count; the rare deadlock between two batches is rolled back by PostgreSQL and the batch is
retried (`retryable`). A recorded event (`record`) locks its case's row (`lock`, FOR UPDATE) and
so waits for the batch holding it, at most one batch.

Why row locks and not SERIALIZABLE or advisory locks: SKIP LOCKED is the queue PostgreSQL
documents for exactly this (workers taking distinct rows), with no retry storm under contention;
the due index makes it cheap, and the locks vanish with the session if a worker dies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg

from ..errors import StoreError
from .faults import guarded, store_error, without_password
from .instants import DEFAULT_WINDOW, TimeWindow
from .lifecycle import EventRecord, Snapshot, State
from .postgres_schema import (
    ADD_FINDING,
    DUE,
    EVENT_COLUMNS,
    HOLD_COUNT,
    INSERT_ACTION,
    INSERT_CASE,
    INSERT_EVENT,
    SCHEMA,
    TABLES,
    UPDATE_CASE,
    WRITE_TICK,
    act_sql,
    window_check,
)
from .queries import FINDING_COUNTS, WINDOW_EXTREMES, Queries, finding_row
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

_SCHEMA_LOCK = 0x706F7765726C6973  # "powerlis": the advisory lock held while creating the tables
_RETRY = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
_BUSY = frozenset({"55P03", "57014", "53300"})  # lock timeout, statement timeout, too many connections
_READ_ONLY = frozenset({"25006", "42501"})
_FULL = frozenset({"53100", "53200"})
_CORRUPT = frozenset({"XX001", "XX002"})
_Q = Queries("%s", "seq")


@guarded((psycopg.Error,))
class PostgresCaseStore(CaseStore):
    """The PostgreSQL case store at `url` (a libpq URL or connection string)."""

    concurrent = True

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        create: bool = True,
        read_only: bool = False,
        window: TimeWindow | None = None,
    ) -> None:
        self.url = url
        self.path = without_password(url)
        self.timeout = timeout
        self.read_only = read_only
        self._depth = 0
        self._released = True  # no savepoint of ours is open
        self._counts: dict[tuple[str, str], int] = {}
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        except psycopg.Error as error:
            raise self._fault(error) from None
        try:
            self._db.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            self._prepare(create, window)
        except psycopg.Error as error:
            self._db.close()
            raise self._fault(error) from None
        except BaseException:
            self._db.close()
            raise

    def _prepare(self, create: bool, window: TimeWindow | None) -> None:
        found = self._schema()
        if found is None:
            if not create or self.read_only:
                raise store_error(self.path, "该数据库中没有案件库 (the database holds no case store)", "not-found")
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                if self._schema() is None:  # another process may have created it meanwhile
                    for statement in SCHEMA:
                        self._db.execute(statement)
                    chosen = window or DEFAULT_WINDOW
                    self._db.execute(
                        "INSERT INTO meta VALUES ('schema', %s), ('earliest', %s), ('latest', %s)",
                        (SCHEMA_VERSION, chosen.earliest, chosen.latest),
                    )
                    self._db.execute(window_check(chosen.earliest, chosen.latest))
            found = self._schema()
        if found != SCHEMA_VERSION:
            raise store_error(self.path, f"案件库版本 {found}，本程序需要 {SCHEMA_VERSION} "
                              f"(case store schema {found}, this powerlist reads {SCHEMA_VERSION})", "bad-schema",
                              value=str(found))
        self.window = self._read_window()

    def _schema(self) -> str | None:
        """The schema version in `meta`, None for a database without our tables; StoreError for
        a database where tables of ours are missing or taken by something else."""
        rows = self._db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = ANY(%s)",
            (list(TABLES),),
        ).fetchall()
        present = {row[0] for row in rows}
        if not present:
            return None
        row = None
        if "meta" in present:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or present != set(TABLES):
            shown = "、".join(sorted(present))
            raise store_error(self.path, f"数据库中已有同名的表（{shown}），但不是完整的案件库，未作任何修改 "
                              "(the database has tables of these names but no powerlist case store; left untouched)",
                              "foreign-database", value=shown)
        return str(row[0])

    def _read_window(self) -> TimeWindow:
        found = self._db.execute("SELECT key, value FROM meta WHERE key IN ('earliest', 'latest')").fetchall()
        rows: dict[str, str] = {str(key): str(value) for key, value in found}
        return TimeWindow(rows["earliest"], rows["latest"]) if len(rows) == 2 else DEFAULT_WINDOW

    def _fault(self, error: BaseException) -> BaseException:
        """What a psycopg error means, as one located StoreError (or the error itself: a bug)."""
        state = getattr(error, "sqlstate", None) or ""
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if state in _RETRY:
            return store_error(self.path, f"与另一个督办进程冲突，本批已回滚 (conflict with another worker; the "
                               f"batch was rolled back): {text}", "store-retry")
        if state in _BUSY:
            return store_error(self.path, f"案件库正忙，等待超过 {self.timeout:g} 秒 (the case store is busy: "
                               f"waited more than {self.timeout:g} s): {text}", "store-busy")
        if state in _READ_ONLY:
            return store_error(self.path, f"案件库只读或无写权限 (the case store is read-only or not writable "
                               f"by this user): {text}", "store-read-only")
        if state in _FULL:
            return store_error(self.path, f"数据库服务器磁盘或内存已满，本次写入未保存 (the database server is out "
                               f"of disk or memory; this write was not saved): {text}", "store-full")
        if state in _CORRUPT:
            return store_error(self.path, f"数据库文件已损坏 (the database is corrupted): {text}", "store-corrupt")
        if state == "P0001" or isinstance(error, pg.CheckViolation):
            return store_error(self.path, f"案件库拒绝了这次写入 (the case store refused the write): {text}",
                               "store-refused")
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError) or state.startswith(("08", "57")):
            return store_error(self.path, f"无法连接或已断开 PostgreSQL 案件库 (cannot reach the PostgreSQL case "
                               f"store): {text}", "store-unreachable")
        return error

    def retryable(self, error: BaseException) -> bool:
        return isinstance(error, StoreError) and error.problems[0].code == "store-retry"

    # ---- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT; nested use joins the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self.read_only:
            raise store_error(self.path, "案件库以只读方式打开，不能写入 (the case store was opened read-only)",
                              "store-read-only")
        self._depth = 1
        self._released = True
        try:
            with self._db.transaction():
                yield
        except psycopg.Error as error:
            raise self._fault(error) from None
        finally:
            self._depth = 0
            self._counts.clear()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One round trip a case: the previous case's savepoint is released together with this
        one's creation (a tick takes a savepoint per case; COMMIT releases the last)."""
        if self._released:
            self._db.execute("SAVEPOINT powerlist_case")
        else:
            self._db.execute("RELEASE SAVEPOINT powerlist_case; SAVEPOINT powerlist_case")
        self._released = False
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO SAVEPOINT powerlist_case; RELEASE SAVEPOINT powerlist_case")
            self._released = True
            raise

    def close(self) -> None:
        self._db.close()

    def set_window(self, window: TimeWindow) -> None:
        extremes = self._db.execute(WINDOW_EXTREMES).fetchone()
        problems = window_problems(window, extremes or ())
        if problems:
            raise StoreError(problems, "新的时间窗口不包含已存的时间 (the new window excludes instants already stored)")
        with self.transaction():
            self._db.execute("UPDATE meta SET value = %s WHERE key = 'earliest'", (window.earliest,))
            self._db.execute("UPDATE meta SET value = %s WHERE key = 'latest'", (window.latest,))
            self._db.execute("ALTER TABLE events DROP CONSTRAINT events_window")
            self._db.execute(window_check(window.earliest, window.latest))
        self.window = window

    # ---- reads ----------------------------------------------------------------------------

    def get(self, case_id: str) -> Snapshot | None:
        row = self._db.execute("SELECT snapshot FROM cases WHERE case_id = %s", (case_id,)).fetchone()
        return Snapshot.loads(row[0]) if row else None

    def lock(self, case_id: str) -> Snapshot | None:
        row = self._db.execute("SELECT snapshot FROM cases WHERE case_id = %s FOR UPDATE", (case_id,)).fetchone()
        return Snapshot.loads(row[0]) if row else None

    def history(self, case_id: str) -> tuple[EventRecord, ...]:
        return tuple(event_record(row) for row in self._db.execute(_Q.history(1), (case_id,)).fetchall())

    def history_rows(self, case_ids: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {case_id: [] for case_id in case_ids}
        rows = self._db.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id = ANY(%s) ORDER BY case_id, n", (list(found),)
        )
        for row in rows:
            found[row[0]].append(row)
        return found

    def counts_for_update(self, unit: str, period: str) -> int:
        """The count, its row locked (created at 0 if absent, so that a worker counting the same
        unit's first finding waits for this one): what `add_finding` does, without the +1."""
        return int(self._one(HOLD_COUNT, (unit, period)))

    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        rows = self._db.execute("SELECT key FROM actions WHERE key = ANY(%s)", (list(keys),)).fetchall()
        return {str(row[0]) for row in rows}

    def write_tick(self, writes: TickWrites) -> bool:
        """One statement, one round trip, whatever the batch's size (`postgres_schema.WRITE_TICK`)."""
        if not writes.actions and not writes.held:
            return True
        events = [(*row[:6], row[6].decode()) for row in writes.events]
        cases = [(*row[:6], row[6].decode(), row[7]) for row in writes.cases]
        unheld = sorted(writes.held - writes.counts.keys())
        args = [
            *_columns(writes.actions, len(ACTION_COLUMNS)),
            *_columns(events, 7),
            *_columns(cases, 8),
            *_columns(writes.findings, 6),
            *_columns([(*pair, count) for pair, count in writes.counts.items()], 3),
            *_columns(unheld, 2),
        ]
        actions, findings = self._db.execute(WRITE_TICK, args).fetchone() or (0, 0)
        return int(actions) == len(writes.actions) and int(findings) == len(writes.findings)

    def due(self, now: str, after: tuple[str, str] | None, limit: int) -> list[DueRow]:
        if after is None:
            rows = self._db.execute(DUE.format(after=""), (now, limit)).fetchall()
        else:
            sql = DUE.format(after=" AND (next_due_at, case_id) > (%s, %s)")
            rows = self._db.execute(sql, (now, after[0], after[1], limit)).fetchall()
        return [DueRow(*row) for row in rows]

    def count_due(self, now: str) -> int:
        return int(self._one(_Q.count_due, (now,)))

    def count_findings(self, unit: str, period: str) -> int:
        if (unit, period) in self._counts:
            return self._counts[(unit, period)]
        row = self._db.execute(_Q.count_findings, (unit, period)).fetchone()
        return int(row[0]) if row else 0

    def finding_counts(self) -> dict[tuple[str, str], int]:
        return {(unit, period): int(count) for unit, period, count in self._db.execute(FINDING_COUNTS)}

    def findings(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        return [finding_row(row) for row in self._db.execute(*_Q.findings(unit, period)).fetchall()]

    def actions(self, case_id: str | None = None) -> list[ActionRow]:
        return [ActionRow(*row) for row in self._db.execute(*_Q.actions(case_id, ACTION_COLUMNS)).fetchall()]

    def count_cases(self) -> int:
        return int(self._one("SELECT count(*) FROM cases", ()))

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
        where = "".join(f" AND {column} {operator} %s" for column, operator, _ in bounds)
        args = [value for _, _, value in bounds]
        last = ""
        while True:
            rows = self._db.execute(
                f"SELECT case_id, snapshot FROM cases WHERE case_id > %s{where} ORDER BY case_id LIMIT %s",
                (last, *args, batch),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            snapshots = [Snapshot.loads(text) for _, text in rows]
            kept = [s for s in snapshots if wanted is None or s.state in wanted]
            histories = self.history_rows([s.case_id for s in kept]) if kept else {}
            for snapshot in kept:
                history = tuple(event_record(row) for row in histories[snapshot.case_id])
                if by == "active" and not active_in(history, since, until):
                    continue
                if unit is not None and not involves(snapshot, history, unit):
                    continue
                yield CaseRecord(snapshot, history)

    def _one(self, sql: str, args: Sequence[Any]) -> Any:
        row = self._db.execute(sql, args).fetchone()
        return row[0] if row else None

    # ---- writes ---------------------------------------------------------------------------

    def create(self, case_id: str, at: str, details: dict[str, Any], then: Sequence[NewEvent] = ()) -> Snapshot:
        with self.transaction():
            if self._one("SELECT 1 FROM cases WHERE case_id = %s", (case_id,)):
                raise KeyError(case_id)
            snapshot, records = opened(case_id, at, details, then, self.window)
            try:
                with self._db.transaction():  # a savepoint: a concurrent create of the case loses cleanly
                    with self._db.cursor() as cursor:
                        cursor.executemany(INSERT_EVENT, [event_row(r) for r in records])
                    self._db.execute(INSERT_CASE, case_row(snapshot))
            except pg.UniqueViolation:
                raise KeyError(case_id) from None
        return snapshot

    def append(self, case_id: str, events: Sequence[NewEvent]) -> Snapshot:
        with self.transaction():
            snapshot = self.lock(case_id)
            if snapshot is None:
                raise KeyError(case_id)
            return self._append(snapshot, events)

    def act(self, action: ActionRow, events: Sequence[NewEvent], snapshot: Snapshot | None = None) -> Snapshot | None:
        """One round trip: the action row, its events and the case row in one statement, the
        events and the row written only if the action's key was new."""
        with self.transaction():
            if snapshot is None or snapshot.case_id != action.case_id:
                snapshot = self.lock(action.case_id)
            if snapshot is None:
                raise KeyError(action.case_id)
            if not events:
                return snapshot if self._db.execute(INSERT_ACTION, action_values(action)).rowcount else None
            new, records = appended(snapshot, events, self.window)  # refused: nothing written
            row = case_row(new)
            args = [*action_values(action), *(v for r in records for v in event_row(r)), *row[1:], row[0]]
            written = self._one(act_sql(len(records)), args)
            return new if written else None

    def add_finding(self, unit: str, period: str, kind: str, case_id: str, at: str, key: str) -> bool:
        """One round trip: the finding, and its unit's running count if it was new (the count is
        kept for `count_findings` until the transaction ends: the row is locked by it)."""
        row = self._db.execute(ADD_FINDING, (key, unit, period, kind, case_id, at)).fetchone()
        if row is None:
            return False
        self._counts[(unit, period)] = int(row[0])
        return True

    def _append(self, snapshot: Snapshot, events: Sequence[NewEvent]) -> Snapshot:
        snapshot, records = appended(snapshot, events, self.window)  # refused: nothing written
        with self._db.cursor() as cursor:
            cursor.executemany(INSERT_EVENT, [event_row(r) for r in records])
        row = case_row(snapshot)
        self._db.execute(UPDATE_CASE, (*row[1:], row[0]))
        return snapshot

    # ---- bulk (benchmarks, migrations) ----------------------------------------------------

    def bulk_load(self, cases: Iterable[tuple[Snapshot, Sequence[EventRecord]]]) -> int:
        """Insert many already-folded cases in one transaction (COPY, 5,000 cases at a time).
        The caller guarantees each snapshot is the replay of its events."""
        count = 0
        with self.transaction():
            chunk: list[tuple[Snapshot, Sequence[EventRecord]]] = []
            for item in cases:
                chunk.append(item)
                count += 1
                if len(chunk) >= 5_000:
                    self._copy(chunk)
            self._copy(chunk)
        return count

    def _copy(self, chunk: list[tuple[Snapshot, Sequence[EventRecord]]]) -> None:
        with self._db.cursor() as cursor:
            with cursor.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for _, records in chunk:
                    for record in records:
                        copy.write_row(event_row(record))
            columns = "case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot"
            with cursor.copy(f"COPY cases ({columns}) FROM STDIN") as copy:
                for snapshot, _ in chunk:
                    copy.write_row(case_row(snapshot))
        chunk.clear()

    def load_records(
        self, actions: Sequence[ActionRow], findings: Sequence[Mapping[str, Any]], counts: Mapping[tuple[str, str], int]
    ) -> None:
        with self.transaction(), self._db.cursor() as cursor:
            with cursor.copy(f"COPY actions ({', '.join(ACTION_COLUMNS)}) FROM STDIN") as copy:
                for action in actions:
                    copy.write_row(action_values(action))
            with cursor.copy("COPY findings (key, unit, period, kind, case_id, at) FROM STDIN") as copy:
                for f in findings:
                    copy.write_row((f["key"], f["unit"], f["period"], f["kind"], f["case_id"], f["at"]))
            with cursor.copy("COPY finding_counts (unit, period, count) FROM STDIN") as copy:
                for (unit, period), number in counts.items():
                    copy.write_row((unit, period, number))


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as `width` columns, each a list (an array parameter for unnest)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


__all__ = ["PostgresCaseStore"]
