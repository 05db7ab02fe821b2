"""Escalation over time — 督办: cases opened from routing decisions, moved on by clock ticks.

    escalator = Escalator(SQLiteCaseStore("cases.db"), Router.default(), RuleSet.load())
    case = escalator.open(issue)                     # route, then 受理 + 派单 to the lead
    escalator.record(case.case_id, "respond", at)    # 报到, 处置, 办结, 退单, 延期, 评价 …
    actions = escalator.tick(now)                    # reminders, escalations, supervision …
    escalator.case(case.case_id)                     # state and full history

The `Escalator` is the API; the rest of the machinery lives beside it, one concept a module:
`escalation_rules` (the checked rules, the facts of a due case, their evaluation on the
compiled tables or on the durable-rules reference engine), `actions` (what each action does
and how it is recorded), `accountability` (findings and the sanction ladder), `recording`
(the checks on events recorded by hand) and `units` (the units of a case and where it may go). Choices where the
issue is silent are documented in each of them; the API's own are:

- A case's id is the issue's id. Opening an issue id that already has a case returns the
  existing case unchanged (no second case, no re-routing), even if the issue's other fields
  differ; a rejected routing decision raises InputError and opens nothing.
- There are no timers. `tick(now)` takes the caller's clock (a naive time is Asia/Shanghai,
  refused outside the store's plausible window), finds due cases through the store's
  `next_due_at` index and runs the escalation tables of `rules/escalation.toml` on each due
  case's snapshot, in committed batches of `batch` cases (each atomic; see `tick_report`). A case
  is worked until nothing more is due at `now`, so a second tick at the same `now` finds nothing
  to do; actions are stamped `at = max(now, the case's last event)` so history stays in time
  order, and carry `due_at`, the deadline that fell due: a late ticker is visible (the tick's
  `lag`), and its lateness is nobody's fault — a unit's windows start at its own notification.
- Times given to `open`, `record` and `tick` are checked against the store's window before
  anything is written (InputError located at the field), and every event against the case's
  invariants (`powerlist.cases.invariants`).
- A case's `level` is the highest level it has reached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, PowerlistError, Problem, StoreError
from ..routing.decision import Decision
from ..routing.issue import Issue, validation_problems
from ..routing.router import Router
from ..routing.tables import Row, RuleSet
from .accountability import account
from .actions import Action, late_response, plan
from .batch import CASE_ERRORS, STEP_LIMIT, BatchWorker
from .escalation_rules import TABLE_BY_KIND, EscalationRules
from .instants import TimeWindow
from .lifecycle import Event, Snapshot, State, aware, local, stamp, unstamp
from .recording import recorded, user_event
from .report import BadCase, TickReport
from .store import CaseRecord, CaseStore, DueRow, NewEvent
from .units import UnitCatalog, holders, is_community, supervision_office, unit_dict

_BATCH = 100  # due cases per committed batch (~0.1 s of work: what a waiting writer waits for)
_RETRIES = 5  # attempts at a batch that lost a deadlock to another worker


@dataclass(frozen=True)
class Case(CaseRecord):
    """A case and its full history (留痕): the store's `CaseRecord`, with its snapshot's facts
    as properties and a JSON form."""

    @property
    def state(self) -> State:
        return self.snapshot.state

    @property
    def level(self) -> str:
        return self.snapshot.level

    @property
    def lead(self) -> dict[str, Any]:
        return self.snapshot.lead

    @property
    def assignee(self) -> dict[str, Any]:
        return self.snapshot.assignee

    def as_json(self) -> dict[str, Any]:
        s = self.snapshot
        due = s.due()
        return {
            "case_id": s.case_id,
            "state": s.state.value,
            "state_label": s.state.label,
            "level": s.level,
            "lead": s.lead,
            "assignee": s.assignee,
            "respond_by": local(s.respond_by),
            "complete_by": local(s.complete_by),
            "next_due_at": local(due[0]) if due else None,
            "supervised": s.supervised,
            "labels": list(s.labels),
            "satisfaction": s.satisfaction,
            "history": [record.as_json() for record in self.history],
        }


class Escalator:
    """Opens cases from routing decisions and escalates them as the caller's clock moves."""

    def __init__(
        self,
        store: CaseStore,
        router: Router | None = None,
        rules: RuleSet | None = None,
        *,
        catalog: UnitCatalog | None = None,
        engine: str = "compiled",
        bulk: bool = True,
    ) -> None:
        """`engine` evaluates the escalation tables: "compiled" (default) or "durable" (the
        durable-rules reference; both decide the same, see `escalation_rules`). `bulk` (default)
        works a tick's batch in memory and writes it at once (`powerlist.cases.batch`);
        `bulk=False` works each due case on its own, in its own savepoint — the reference the
        batched tick is proven equal to, and what it falls back to for a batch whose writes the
        store refuses."""
        self.store = store
        self.router = router
        self.bulk = bulk
        self.escalation = EscalationRules(rules if rules is not None else RuleSet.load(), engine)
        self._worker = BatchWorker(self.escalation)
        self.rules = self.escalation.rules
        self.params = self.escalation.params
        self.catalog: UnitCatalog | None = catalog if catalog is not None else (router.catalog if router else None)

    # ---- opening ----------------------------------------------------------------------------

    def open(self, issue: Issue | Mapping[str, Any]) -> Case:
        """Route `issue` and open its case; the existing case if the issue id has one."""
        if not isinstance(issue, Issue):
            try:
                issue = Issue.model_validate(issue)
            except ValidationError as error:
                raise InputError(validation_problems(error), "诉求无效 (invalid issue)") from None
        if self.store.get(issue.id) is not None:
            return self.case(issue.id)
        if self.router is None:
            raise PowerlistError("立案需要派单程序 (opening a case needs a router: Escalator(store, router, rules))")
        decision = self.router.route(issue)
        return self.open_decision(decision, received_at=issue.received_at)

    def open_decision(self, decision: Decision, *, received_at: datetime) -> Case:
        """Open a case from a routing decision already made (the router is not consulted)."""
        if self.store.get(decision.issue_id) is not None:
            return self.case(decision.issue_id)
        if decision.status != "routed" or decision.lead is None:
            problems = list(decision.errors) or [
                Problem(message="诉求未派单，没有牵头单位 (the issue was not routed: no lead unit)", field="issue",
                        value=decision.issue_id)
            ]
            raise InputError(problems, f"诉求 {decision.issue_id!r} 无法立案 (cannot open a case for the issue)")
        if decision.respond_by is None or decision.complete_by is None:
            raise InputError(
                [Problem(message="派单结果缺少报到时限和办结时限 (a routed decision needs respond_by and complete_by)",
                         value=decision.issue_id)],
                f"诉求 {decision.issue_id!r} 无法立案 (cannot open a case for the issue)",
            )
        window, case_id = self.store.window, decision.issue_id
        problems = [
            problem
            for moment, name in ((received_at, "received_at"), (decision.respond_by, "respond_by"),
                                 (decision.complete_by, "complete_by"))
            if (problem := _outside(window, moment, name, case_id)) is not None
        ]
        if problems:
            raise InputError(problems, f"诉求 {case_id!r} 无法立案：时间不合理 "
                                       "(cannot open a case for the issue: implausible time)")
        at = stamp(received_at)
        received = unstamp(at)
        details = {
            "issue_id": decision.issue_id,
            "category": decision.category,
            "street": decision.street,
            "whistle": decision.whistle.value if decision.whistle else None,
            "grade": decision.grade.value if decision.grade else None,
            "level": (decision.level or decision.lead.level).value,
            "lead": unit_dict(decision.lead),
            "co_units": [unit_dict(u) for u in decision.co_units],
            "path": [unit_dict(u) for u in decision.escalation_path],
            "holders": holders(decision, self.catalog),
            "supervision_office": supervision_office(self.catalog),
            "respond_by": stamp(decision.respond_by),
            "complete_by": stamp(decision.complete_by),
            "respond_window": max(0, int((aware(decision.respond_by) - received).total_seconds())),
            "complete_window": max(0, int((aware(decision.complete_by) - received).total_seconds())),
            "rules_version": decision.rules_version,
        }
        dispatch = NewEvent(
            at,
            Event.DISPATCH,
            None,
            None,
            {"to": details["lead"], "respond_by": details["respond_by"], "complete_by": details["complete_by"]},
        )
        # KeyError: opened concurrently by another process, and the existing case is the answer.
        with suppress(KeyError):
            self.store.create(decision.issue_id, at, details, [dispatch])
        return self.case(decision.issue_id)

    # ---- reading ----------------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        snapshot = self.store.get(case_id)
        if snapshot is None:
            raise PowerlistError(f"案件库中没有案件 {case_id!r} (no case {case_id!r} in the store)")
        return Case(snapshot, self.store.history(case_id))

    # ---- recording ---------------------------------------------------------------------------

    def record(self, case_id: str, event: str | Event, at: datetime, by: str | None = None, **details: Any) -> Case:
        """Append what a unit or the platform did (see `powerlist.cases.recording`).
        TransitionError (nothing written) if the lifecycle does not allow it; `by` defaults to
        the unit now holding the case."""
        ev = user_event(event)
        when = self.store.window.check(at, field="at", case_id=case_id)
        if isinstance(details.get("until"), datetime):
            self.store.window.check(details["until"], field="until", case_id=case_id)
        with self.store.transaction():
            snapshot = self.store.lock(case_id)
            if snapshot is None:
                raise PowerlistError(f"案件库中没有案件 {case_id!r} (no case {case_id!r} in the store)")
            actor, data = recorded(snapshot, ev, by, details, params=self.params, catalog=self.catalog)
            self.store.append(case_id, [NewEvent(when, ev, actor, None, data)])
        return self.case(case_id)

    # ---- ticking -----------------------------------------------------------------------------

    def tick(self, now: datetime, *, batch: int = _BATCH) -> list[Action]:
        """Act on every case due at `now`; the actions taken, in order (see `tick_report`)."""
        return self.tick_report(now, batch=batch).actions

    def tick_report(
        self, now: datetime, *, batch: int = _BATCH, progress: Callable[[TickReport], None] | None = None
    ) -> TickReport:
        """Act on every case due at `now`, `batch` due cases per committed transaction.

        Each batch is atomic and the tick is idempotent as a whole: a case is worked until
        nothing more is due at `now`, and every action has a unique key, so a tick killed between
        (or during) batches and run again at the same `now` ends exactly like one clean tick, and
        a writer waits for one batch, not for the whole tick. A case whose stored row cannot be
        worked (unreadable, or an event the store refuses) is rolled back alone and named in
        `failed`; every other case is still ticked. On a concurrent store (PostgreSQL) several
        workers share the due cases (`CaseStore.due` locks and skips); a worker makes another pass
        for cases a failed worker left, and retries a batch that lost a deadlock.
        `progress(report)` is called after each committed batch."""
        now_s = self.store.window.check(now, field="now")
        report = TickReport(now_s)
        seen: set[str] = set()
        while True:
            after: tuple[str, str] | None = None
            fresh = 0
            while True:
                rows, taken, failed = self._batch(now_s, after, batch, seen)
                if not rows:
                    break
                fresh += sum(row.case_id not in seen for row in rows)
                report.add(rows, taken, failed, seen)
                if progress is not None:
                    progress(report)
                after = (rows[-1].next_due_at, rows[-1].case_id)
                self.store.between_batches()
            if not self.store.concurrent or not fresh:
                return report

    def _batch(
        self, now: str, after: tuple[str, str] | None, limit: int, seen: set[str]
    ) -> tuple[list[DueRow], list[Action], list[BadCase]]:
        """One committed batch of due cases: the rows read, the actions taken, the bad cases.
        Worked in memory and written at once (`bulk`); worked case by case, each case in its own
        savepoint, otherwise — and for a batch whose writes the store refuses (a key already
        recorded, a row the database will not take), which then names exactly the bad cases."""
        bulk = self.bulk
        for attempt in range(1, _RETRIES + 1):
            try:
                if bulk:
                    try:
                        return self._bulk_batch(now, after, limit, seen)
                    except _Refused:
                        bulk = False
                    except StoreError as error:
                        if error.problems[0].code != "store-refused":
                            raise
                        bulk = False
                return self._case_batch(now, after, limit, seen)
            except StoreError as error:
                if attempt == _RETRIES or not self.store.retryable(error):
                    raise
        raise AssertionError("unreachable")

    def _bulk_batch(
        self, now: str, after: tuple[str, str] | None, limit: int, seen: set[str]
    ) -> tuple[list[DueRow], list[Action], list[BadCase]]:
        with self.store.transaction():
            rows = self.store.due(now, after, limit)
            worked = self._worker.work(self.store, [row for row in rows if row.case_id not in seen], now)
            if not self.store.write_tick(worked.writes):
                raise _Refused  # rolls the batch back
        return rows, worked.taken, worked.failed

    def _case_batch(
        self, now: str, after: tuple[str, str] | None, limit: int, seen: set[str]
    ) -> tuple[list[DueRow], list[Action], list[BadCase]]:
        with self.store.transaction():
            rows = self.store.due(now, after, limit)
            taken: list[Action] = []
            failed: list[BadCase] = []
            for row in rows:
                if row.case_id in seen:
                    continue
                try:
                    with self.store.savepoint():
                        taken.extend(self._work(Snapshot.loads(row.snapshot), now))
                except StoreError as error:
                    if error.problems[0].code != "store-refused":
                        raise  # busy, full, unreachable…: the batch rolls back, the tick stops
                    failed.append(BadCase.of(row.case_id, error))  # the database refused this case's write
                except CASE_ERRORS as error:
                    failed.append(BadCase.of(row.case_id, error))
        return rows, taken, failed

    def _work(self, snapshot: Snapshot, now: str) -> list[Action]:
        taken: list[Action] = []
        for _ in range(STEP_LIMIT):
            due = snapshot.due()
            if due is None or due[0] > now:
                break
            step = self._step(snapshot, due[0], due[1], max(now, snapshot.last_at))
            if step is None:
                break
            snapshot, actions = step
            taken.extend(actions)
        return taken

    def facts(self, s: Snapshot, kind: str) -> dict[str, Any]:
        """The facts the escalation tables see for one due case (see rules/escalation.toml)."""
        return self.escalation.facts(s, kind)

    def _evaluate(self, table: str, facts: Mapping[str, Any]) -> list[Row]:
        return self.escalation.evaluate(table, facts)

    def _step(self, s: Snapshot, when: str, kind: str, at: str) -> tuple[Snapshot, list[Action]] | None:
        """One action on a case due at `when` for `kind`: decided, written, accounted for."""
        facts = self.facts(s, kind)
        rows = self._evaluate(TABLE_BY_KIND[kind], facts)
        if not rows:
            return None
        late = late_response(s, self.store.history(s.case_id)) if kind == "late" else None
        planned = plan(
            s,
            rows[0],
            kind=kind,
            facts=facts,
            when=when,
            at=at,
            params=self.params,
            rules_version=self.escalation.version,
            late=late,
        )
        if planned is None:
            return None
        new = self.store.act(planned.row, [planned.event], s)
        if new is None:
            return None
        actions = [Action.from_row(planned.row)]
        finding, blamed = planned.row.finding, planned.blamed
        # The ladder 通报批评 → 约谈 → 问责 is for the departments and units that report for duty;
        # plan() records no finding against a residents' committee, and this guard keeps it so.
        if finding and blamed and finding in self.params["accountable_findings"] and not is_community(new, blamed):
            new, more = account(self.store, self.escalation, new, blamed, finding, planned.row.key, at, due_at=when)
            actions.extend(more)
        return new, actions


class _Refused(Exception):
    """A batch's writes were refused as a whole (`CaseStore.write_tick`): roll back, redo it case
    by case."""


def _outside(window: TimeWindow, moment: datetime, name: str, case_id: str) -> Problem | None:
    """The problem of a time outside the store's window (None: inside)."""
    try:
        window.check(moment, field=name, case_id=case_id)
    except InputError as error:
        return error.problems[0]
    return None


__all__ = ["Action", "BadCase", "Case", "Escalator", "TickReport"]
