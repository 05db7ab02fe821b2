"""A tick's batch, worked in memory — 批量督办: read the due cases at once, decide and fold every
action in Python, write every row at once.

Working a due case one by one (`Escalator(bulk=False)`, the reference) costs a savepoint and a
statement per action, a read of the case's history for a late response, and a snapshot written
per action. Here a batch of due cases is read in one statement (`CaseStore.due`), each case is
worked in memory by the very functions the reference uses (`EscalationRules`, `actions.plan`,
`store.appended` with every invariant, `accountability.sanctions`), and the batch's rows go to the
store in one `write_tick`: its actions, its events, one final row per case, its findings and
the running counts. What the cases of a batch share — the count of findings of a unit in a
period, the sanctions already issued — is kept by a `Ledger`, read from the store once per unit
and period (and held there against other workers) and counted on in memory, case after case.

Equal to the reference, row for row, by construction and by test
(tests/test_tick_batch.py): the same decisions in the same order, the same rows in the same
order, the same bytes (`canonical`). Where the reference would behave differently:

- a case whose row cannot be worked raises in Python, as in the reference: its work and its
  counts are dropped, it is named (`BadCase`) and the batch goes on without it;
- a key that is already recorded (a case's action, or its finding: a store that was edited or
  half-copied) or a write the database refuses: `write_tick` says so, the escalator rolls the
  whole batch back and works it again case by case, each case in its own savepoint — the
  reference, which skips or names exactly the cases it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import PowerlistError
from . import canonical
from .accountability import period, sanctions
from .actions import Action, late_response, plan
from .escalation_rules import TABLE_BY_KIND, TABLES, EscalationRules
from .instants import TimeWindow
from .lifecycle import EventRecord, Snapshot
from .report import BadCase
from .store import ActionRow, CaseStore, DueRow, NewEvent, TickWrites, action_values, appended, event_record
from .units import is_community

STEP_LIMIT = 16  # actions per case per tick; the rules never need more than a handful
# What a case's row can raise when it cannot be worked; anything else is a bug and stops the tick.
CASE_ERRORS = (PowerlistError, ValueError, KeyError, TypeError)


class Ledger:
    """What the cases of one batch share: each (unit, period)'s running count of findings, read
    once from the store (`counts_for_update`) and counted on in memory, and which sanction keys
    are taken. A case's own changes stay pending until it is worked whole (`commit`); a case
    that fails leaves nothing (`drop`)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store
        self.counts: dict[tuple[str, str], int] = {}  # committed counts that grew, in first-grown order
        self.held: set[tuple[str, str]] = set()
        self._read: dict[tuple[str, str], int] = {}  # counts as the store had them
        self._stored: dict[str, bool] = {}  # sanction key → recorded before the batch
        self._taken: set[str] = set()
        self._pending: dict[tuple[str, str], int] = {}
        self._pending_keys: set[str] = set()

    def count(self, unit: str, term: str) -> int:
        pair = (unit, term)
        if pair in self._pending:
            return self._pending[pair]
        if pair in self.counts:
            return self.counts[pair]
        if pair not in self._read:
            self._read[pair] = self._store.counts_for_update(unit, term)
            self.held.add(pair)
        return self._read[pair]

    def add(self, unit: str, term: str) -> int:
        """One more finding of `unit` in `term`; the count after it."""
        count = self.count(unit, term) + 1
        self._pending[(unit, term)] = count
        return count

    def take(self, key: str) -> bool:
        """Take a sanction key for the case being worked; False if it is already taken."""
        if key in self._taken or key in self._pending_keys:
            return False
        if key not in self._stored:
            self._stored[key] = bool(self._store.stored_keys([key]))
        if self._stored[key]:
            return False
        self._pending_keys.add(key)
        return True

    def commit(self) -> None:
        self.counts.update(self._pending)
        self._taken.update(self._pending_keys)
        self.drop()

    def drop(self) -> None:
        self._pending.clear()
        self._pending_keys.clear()


@dataclass
class _Work:
    """One case's work, pending until the case is worked whole."""

    exact: bool
    window: TimeWindow
    actions: list[ActionRow] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    findings: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    taken: list[Action] = field(default_factory=list)


@dataclass
class Batch:
    """A batch worked in memory: its writes, the actions taken, the cases it could not work."""

    writes: TickWrites
    taken: list[Action]
    failed: list[BadCase]


class BatchWorker:
    """Works batches of due cases in memory with the escalation rules of one `Escalator`."""

    def __init__(self, escalation: EscalationRules) -> None:
        self.escalation = escalation
        self.accountable = frozenset(escalation.params["accountable_findings"])
        # Event details hold the rules' action, finding and label: exact JSON only for strings.
        self.plain = all(
            isinstance(row.then.get(key, ""), str)
            for name in TABLES
            for row in escalation.rules.table(name).rows
            for key in ("action", "finding", "label")
        )

    def work(self, store: CaseStore, rows: Sequence[DueRow], now: str) -> Batch:
        """Work `rows` (due at `now`, in order) against `store` (read only: counts, keys and the
        histories of late responses)."""
        ledger = Ledger(store)
        read: list[tuple[Snapshot, bool] | BaseException] = []
        for row in rows:
            try:
                read.append(Snapshot.read(row.snapshot))
            except CASE_ERRORS as error:
                read.append(error)
        late = [r[0].case_id for r in read if isinstance(r, tuple) and r[0].late_response_at is not None]
        histories = store.history_rows(late) if late else {}
        window = store.window
        writes, taken, failed = TickWrites(), [], []
        for row, got in zip(rows, read, strict=True):
            try:
                if isinstance(got, BaseException):
                    raise got
                snapshot, exact = got
                history = histories.get(snapshot.case_id, [])
                final, work = self._case(snapshot, exact and self.plain, now, window, ledger, history)
            except CASE_ERRORS as error:
                ledger.drop()
                failed.append(BadCase.of(row.case_id, error))
                continue
            ledger.commit()
            if not work.actions:
                continue
            writes.actions.extend(action_values(a) for a in work.actions)
            writes.events.extend(
                (r.case_id, r.n, r.at, r.event.value, r.actor, r.rule, canonical.dump(dict(r.details), work.exact))
                for r in work.events
            )
            due = final.due()
            writes.cases.append((final.state.value, final.level, final.assignee["code"], final.last_at,
                                 due[0] if due else None, final.n, final.dump(work.exact), final.case_id))
            writes.findings.extend(work.findings)
            taken.extend(work.taken)
        writes.counts = ledger.counts
        writes.held = ledger.held
        return Batch(writes, taken, failed)

    def _case(
        self, s: Snapshot, exact: bool, now: str, window: TimeWindow, ledger: Ledger, history: list[tuple[Any, ...]]
    ) -> tuple[Snapshot, _Work]:
        """One case worked until nothing more is due at `now` (`Escalator._work`, in memory)."""
        work = _Work(exact, window)

        def stored_history() -> tuple[EventRecord, ...]:
            work.exact = False  # the history's units go into details: not checked for exactness
            return tuple(event_record(row) for row in history)

        for _ in range(STEP_LIMIT):
            due = s.due()
            if due is None or due[0] > now:
                break
            new = self._step(s, due[0], due[1], max(now, s.last_at), work, ledger, stored_history)
            if new is None:
                break
            s = new
        return s, work

    def _step(
        self,
        s: Snapshot,
        when: str,
        kind: str,
        at: str,
        work: _Work,
        ledger: Ledger,
        history: Callable[[], tuple[EventRecord, ...]],
    ) -> Snapshot | None:
        """One action on a case due at `when` for `kind` (`Escalator._step`, in memory)."""
        escalation = self.escalation
        facts = escalation.facts(s, kind)
        rows = escalation.evaluate(TABLE_BY_KIND[kind], facts)
        if not rows:
            return None
        late = late_response(s, history()) if kind == "late" else None
        planned = plan(s, rows[0], kind=kind, facts=facts, when=when, at=at, params=escalation.params,
                       rules_version=escalation.version, late=late)
        if planned is None:
            return None
        new = self._act(work, planned.row, planned.event, s)
        finding, blamed = planned.row.finding, planned.blamed
        if finding and blamed and finding in self.accountable and not is_community(new, blamed):
            term = period(at, escalation.params["accountability_period"])
            work.findings.append((planned.row.key, blamed, term, finding, new.case_id, at))
            count = ledger.add(blamed, term)
            for action_row, event in sanctions(escalation, new, blamed, finding, term, count, at, due_at=when):
                if ledger.take(action_row.key):
                    new = self._act(work, action_row, event, new)
        return new

    def _act(self, work: _Work, row: ActionRow, event: NewEvent, s: Snapshot) -> Snapshot:
        """`CaseStore.act` in memory: the event checked and folded in (InputError or
        TransitionError if refused), the action and its event kept for writing."""
        new, records = appended(s, [event], work.window)
        work.actions.append(row)
        work.events.extend(records)
        work.taken.append(Action.from_row(row))
        return new


__all__ = ["CASE_ERRORS", "STEP_LIMIT", "Batch", "BatchWorker", "Ledger"]
