"""The case store — 案件库: the interface the escalator needs, and what every backend keeps.

A case store is an append-only event log with a materialised row per case. `CaseStore` is the
interface; `powerlist.cases.sqlite.SQLiteCaseStore` implements it on SQLite and
`powerlist.cases.postgres.PostgresCaseStore` on PostgreSQL (`powerlist.cases.stores.open_store`
opens either from a `--db` value). This module holds everything that does not depend on the
database: the records read and written, the layout (`SCHEMA_VERSION`), the conversions between
records and rows, and the checked fold of new events (`opened`, `appended`: every event passes
`invariants.fold` before a backend writes it), so that a backend implements only its SQL.

Layout (schema 2):
- `meta(key, value)` — `schema`, and the plausible window `earliest`/`latest` (stamps).
- `events(seq, case_id, n, at, event, actor, rule, details)` — the log. Rows are only ever
  inserted, never updated or deleted (the database refuses it), so history is never rewritten.
- `cases(case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n, snapshot)` —
  the fold of each case's events (`lifecycle.replay`, row: `case_row`), kept for speed, written
  in the same transaction as the event. `next_due_at` is indexed (open cases only), so a tick
  reads only the due cases, whatever the number of open ones.
- `actions(key UNIQUE, …, at, due_at)` — what ticks decided (`ActionRow`): when each was taken
  and when it fell due. The key is case + deadline + action (plus the case's event count, which
  pins the deadline), so a tick re-run at the same `now`, or after a crash, cannot record an
  action twice.
- `findings(unit, period, kind, case_id, at, key UNIQUE)` — 不到位/慢到位/到位不作为/推诿 per
  unit and period, counted for accountability (问责), with a running `finding_counts(unit,
  period, count)`. Both are derived from events and written in the same transaction.
Every instant is a fixed-width UTC stamp (`instants`), checked by the database too.

Reading case histories (for scoring, 一哨一考核)::

    store = open_store("cases.db", read_only=True)
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
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from ..errors import Problem
from . import canonical
from .instants import DEFAULT_WINDOW, TimeWindow
from .invariants import fold
from .lifecycle import Event, EventRecord, Snapshot, State, replay, stamp

SCHEMA_VERSION = "2"
PERIOD_BY = ("opened", "active")


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
    """An event to append; the store gives it its case and number. An action's events are
    appended through `CaseStore.act`, which writes them only if the action's key is new."""

    at: str
    event: Event
    actor: str | None = None
    rule: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ActionRow:
    """A row of the `actions` table, its fields in the table's column order. `at` is when the
    tick took the action, `due_at` when it fell due (the deadline that passed); `at - due_at` is
    the ticker's lag for that action."""

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
    due_at: str | None = None


ACTION_COLUMNS = tuple(f.name for f in fields(ActionRow))


_ACTION_VALUES = operator.attrgetter(*ACTION_COLUMNS)


def action_values(action: ActionRow) -> tuple[Any, ...]:
    """An `actions` row's values, in `ACTION_COLUMNS` order."""
    values: tuple[Any, ...] = _ACTION_VALUES(action)
    return values


@dataclass(frozen=True)
class DueRow:
    """A due case as the store holds it: its id, its indexed `next_due_at` and its snapshot text
    (as UTF-8 bytes or text; parsed by the escalator, so that one unreadable row is named and
    skipped, not fatal)."""

    case_id: str
    next_due_at: str
    snapshot: str | bytes


@dataclass
class TickWrites:
    """Everything one batch of a tick writes, each table's rows in the order in which working the
    cases one by one writes them (so rowids and sequences come out the same):

    - `actions`: `action_values` rows, each key new;
    - `events`: `(case_id, n, at, event, actor, rule, details)`, the details as UTF-8 JSON;
    - `cases`: `(state, level, assignee, last_at, next_due_at, n, snapshot, case_id)` of each
      case worked, its final row (the snapshot as UTF-8 JSON; lead and opened_at never change);
    - `findings`: `(key, unit, period, kind, case_id, at)`, each key new;
    - `counts`: the running count of each (unit, period) that got findings, in the order it
      first got one; `held`: every (unit, period) whose count was read (`counts_for_update`)."""

    actions: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    held: set[tuple[str, str]] = field(default_factory=set)


class CaseStore(ABC):
    """What the escalator needs from a store. Every write happens inside `transaction()`.

    `window` is the store's plausible time window (`instants`); every event appended goes through
    `invariants.fold`. `concurrent` stores (PostgreSQL) let several tick workers share due cases:
    `due()` there locks the rows it returns and skips rows other workers hold."""

    path: str
    window: TimeWindow = DEFAULT_WINDOW
    read_only: bool = False
    concurrent: bool = False

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A context manager: one write transaction (all or nothing); nested use joins it."""

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """Inside a transaction: a part that rolls back alone if its block raises."""

    def retryable(self, error: BaseException) -> bool:
        """Whether a transaction that raised `error` may simply be run again (a deadlock or a
        serialization failure between concurrent workers); its changes were rolled back."""
        return False

    def between_batches(self) -> None:
        """Called by a tick between two committed batches (SQLite: lets a waiting writer in)."""
        return None

    @abstractmethod
    def set_window(self, window: TimeWindow) -> None:
        """Keep a new plausible window; InputError if a stored instant falls outside it."""

    @abstractmethod
    def get(self, case_id: str) -> Snapshot | None: ...

    def lock(self, case_id: str) -> Snapshot | None:
        """Inside a transaction: the case, held against concurrent writers until commit."""
        return self.get(case_id)

    @abstractmethod
    def history(self, case_id: str) -> tuple[EventRecord, ...]: ...

    def replay(self, case_id: str) -> Snapshot:
        """The case as its events give it (what the `cases` row must always equal)."""
        return replay(self.history(case_id))

    @abstractmethod
    def create(self, case_id: str, at: str, details: dict[str, Any], then: Sequence[NewEvent] = ()) -> Snapshot:
        """Open a case (its `open` event, then `then`). Raises KeyError if it exists."""

    @abstractmethod
    def append(self, case_id: str, events: Sequence[NewEvent]) -> Snapshot:
        """Append events (TransitionError or InputError, nothing written, if one is refused)."""

    @abstractmethod
    def act(self, action: ActionRow, events: Sequence[NewEvent], snapshot: Snapshot | None = None) -> Snapshot | None:
        """Record an action and its events, unless its key exists (then None, nothing written).
        `snapshot`, when given, is the case as the caller read it in this transaction."""

    @abstractmethod
    def due(self, now: str, after: tuple[str, str] | None, limit: int) -> list[DueRow]:
        """Open cases with next_due_at <= now, in (next_due_at, case_id) order, after `after`.
        In a concurrent store, inside a transaction: locked for it, skipping rows locked by others."""

    @abstractmethod
    def count_due(self, now: str) -> int:
        """How many open cases have next_due_at <= now."""

    # A tick's batch, worked in memory (`powerlist.cases.batch`): what it reads, and its writes.

    @abstractmethod
    def history_rows(self, case_ids: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
        """The `events` rows of these cases, `(case_id, n, at, event, actor, rule, details)` in
        order (`event_record` reads one), by case id; every id is a key."""

    @abstractmethod
    def counts_for_update(self, unit: str, period: str) -> int:
        """Inside a transaction: the running count of findings of (unit, period), held against
        other workers until the transaction ends (a concurrent store locks it)."""

    @abstractmethod
    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these action keys are recorded."""

    @abstractmethod
    def write_tick(self, writes: TickWrites) -> bool:
        """Inside a transaction: write a batch's rows (`TickWrites`). False when a key of an action
        or a finding was already recorded (rows may then have been written: roll back)."""

    @abstractmethod
    def add_finding(self, unit: str, period: str, kind: str, case_id: str, at: str, key: str) -> bool:
        """Record a finding unless its key exists; whether it was new (and counted)."""

    @abstractmethod
    def count_findings(self, unit: str, period: str) -> int: ...

    @abstractmethod
    def findings(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        """Findings in the order recorded: dicts of unit, period, kind, case_id, at, key."""

    @abstractmethod
    def finding_counts(self) -> dict[tuple[str, str], int]:
        """The running count of findings per (unit, period)."""

    @abstractmethod
    def iter_cases(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        states: Iterable[State | str] | None = None,
        unit: str | None = None,
        by: str = "opened",
    ) -> Iterator[CaseRecord]:
        """Cases with their full history, streaming in case-id order (see the module doc)."""

    @abstractmethod
    def raw_cases(self, after: str, limit: int) -> list[tuple[str, str]]:
        """`(case_id, snapshot text)` as stored, in case-id order after `after` (checks, migration)."""

    @abstractmethod
    def actions(self, case_id: str | None = None) -> list[ActionRow]: ...

    @abstractmethod
    def count_cases(self) -> int: ...

    @abstractmethod
    def bulk_load(self, cases: Iterable[tuple[Snapshot, Sequence[EventRecord]]]) -> int:
        """Insert many already-folded cases in one transaction; the caller guarantees each
        snapshot is the replay of its events (migration verifies it afterwards)."""

    @abstractmethod
    def load_records(
        self, actions: Sequence[ActionRow], findings: Sequence[Mapping[str, Any]], counts: Mapping[tuple[str, str], int]
    ) -> None:
        """Insert actions, findings and finding counts as another store holds them (migration)."""

    @abstractmethod
    def close(self) -> None: ...


def numbered(case_id: str, last_n: int, events: Sequence[NewEvent]) -> list[EventRecord]:
    """The records of `events` appended to a case whose last event is number `last_n`."""
    return [
        EventRecord(case_id, last_n + i, new.at, new.event, new.actor, new.rule, new.details or {})
        for i, new in enumerate(events, start=1)
    ]


def opened(case_id: str, at: str, details: dict[str, Any], then: Sequence[NewEvent], window: TimeWindow
           ) -> tuple[Snapshot, list[EventRecord]]:
    """A new case's records (its open event, then `then`) and its snapshot, every check passed."""
    records = [EventRecord(case_id, 1, at, Event.OPEN, None, None, details), *numbered(case_id, 1, then)]
    return fold(None, records, window), records


def appended(snapshot: Snapshot, events: Sequence[NewEvent], window: TimeWindow) -> tuple[Snapshot, list[EventRecord]]:
    """The records of `events` appended to `snapshot` and the case after them, every check passed."""
    records = numbered(snapshot.case_id, snapshot.n, events)
    return fold(snapshot, records, window), records


def window_problems(window: TimeWindow, extremes: Iterable[str | None]) -> list[Problem]:
    """The stored instants (the earliest and latest of each column) a new window would exclude."""
    return [
        problem
        for value in extremes
        if value is not None and (problem := window.problem(value, field="window")) is not None
    ]


# ---- rows: what a backend writes and reads back ----------------------------------------------


def details_json(details: Mapping[str, Any] | None) -> str:
    """Event details as stored: compact JSON, keys sorted, Chinese kept as it is (`canonical`)."""
    return canonical.dumps(dict(details or {}))


def event_row(record: EventRecord) -> tuple[Any, ...]:
    """An `events` row: (case_id, n, at, event, actor, rule, details)."""
    return (
        record.case_id,
        record.n,
        record.at,
        record.event.value,
        record.actor,
        record.rule,
        details_json(record.details),
    )


def event_record(row: Sequence[Any]) -> EventRecord:
    """The record of an `events` row read as (case_id, n, at, event, actor, rule, details)."""
    case_id, n, at, event, actor, rule, details = row
    return EventRecord(case_id, n, at, Event(event), actor, rule, json.loads(details))


def case_row(s: Snapshot) -> tuple[Any, ...]:
    """A `cases` row: (case_id, state, level, lead, assignee, opened_at, last_at, next_due_at, n,
    snapshot)."""
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


# ---- iter_cases: the period and filters, whatever the backend ---------------------------------


def period_bounds(since: datetime | None, until: datetime | None, by: str) -> list[tuple[str, str, str]]:
    """The coarse period filter on `cases` columns, as (column, operator, stamp) triples for a
    backend's WHERE clause. For `by="active"` it keeps every case that may have an event in
    `[since, until)` (opened before `until`, last event at or after `since`); `active_in` is
    the exact check on the history. ValueError for an unknown `by`."""
    if by not in PERIOD_BY:
        raise ValueError("by is 'opened' or 'active'")
    bounds: list[tuple[str, str, str]] = []
    if by == "opened":
        if since is not None:
            bounds.append(("opened_at", ">=", stamp(since)))
        if until is not None:
            bounds.append(("opened_at", "<", stamp(until)))
    else:
        if until is not None:
            bounds.append(("opened_at", "<", stamp(until)))
        if since is not None:
            bounds.append(("last_at", ">=", stamp(since)))
    return bounds


def wanted_states(states: Iterable[State | str] | None) -> frozenset[State] | None:
    """The `states` filter of `iter_cases` as states (None: every state)."""
    return frozenset(State(s) for s in states) if states is not None else None


def active_in(history: Sequence[EventRecord], since: datetime | None, until: datetime | None) -> bool:
    """Whether the case has an event in `[since, until)`."""
    low = stamp(since) if since is not None else ""
    high = stamp(until) if until is not None else "~"
    return any(low <= r.at < high for r in history)


def involves(snapshot: Snapshot, history: Sequence[EventRecord], unit: str) -> bool:
    """Whether `unit` leads or holds the case, acted on it, or was sent it."""
    if snapshot.lead["code"] == unit or snapshot.assignee["code"] == unit:
        return True
    for r in history:
        if r.actor == unit:
            return True
        to = r.details.get("to")
        if isinstance(to, dict) and to.get("code") == unit:
            return True
    return False


__all__ = [
    "ACTION_COLUMNS",
    "SCHEMA_VERSION",
    "ActionRow",
    "CaseRecord",
    "CaseStore",
    "DueRow",
    "NewEvent",
    "TickWrites",
    "action_values",
    "appended",
    "active_in",
    "case_row",
    "details_json",
    "event_record",
    "event_row",
    "involves",
    "numbered",
    "opened",
    "period_bounds",
    "wanted_states",
    "window_problems",
]
