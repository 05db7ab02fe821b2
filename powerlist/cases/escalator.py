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
- There are no timers. `tick(now)` takes the caller's clock (a naive time is Asia/Shanghai),
  finds due cases through the store's `next_due_at` index and runs, in ONE transaction, the
  escalation tables of `rules/escalation.toml` on each due case's snapshot. A case is worked
  until nothing more is due at `now`, so a second tick at the same `now` finds nothing to do;
  actions are stamped `max(now, the case's last event)` so history stays in time order.
- A case's `level` is the highest level it has reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, PowerlistError, Problem
from ..routing.decision import Decision
from ..routing.issue import Issue, validation_problems
from ..routing.router import Router
from ..routing.tables import Row, RuleSet
from .accountability import account
from .actions import Action, late_response, plan
from .escalation_rules import TABLE_BY_KIND, EscalationRules
from .lifecycle import Event, Snapshot, State, aware, local, stamp, unstamp
from .recording import recorded, user_event
from .store import CaseRecord, CaseStore, NewEvent
from .units import UnitCatalog, holders, supervision_office, unit_dict

_STEP_LIMIT = 16  # actions per case per tick; the rules never need more than a handful
_BATCH = 500  # due cases read at a time


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
    ) -> None:
        """`engine` evaluates the escalation tables: "compiled" (default) or "durable" (the
        durable-rules reference; both decide the same, see `escalation_rules`)."""
        self.store = store
        self.router = router
        self.escalation = EscalationRules(rules if rules is not None else RuleSet.load(), engine)
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
                raise InputError(validation_problems(error), "invalid issue") from None
        if self.store.get(issue.id) is not None:
            return self.case(issue.id)
        if self.router is None:
            raise PowerlistError("opening a case needs a router: Escalator(store, router, rules)")
        decision = self.router.route(issue)
        return self.open_decision(decision, received_at=issue.received_at)

    def open_decision(self, decision: Decision, *, received_at: datetime) -> Case:
        """Open a case from a routing decision already made (the router is not consulted)."""
        if self.store.get(decision.issue_id) is not None:
            return self.case(decision.issue_id)
        if decision.status != "routed" or decision.lead is None:
            problems = list(decision.errors) or [
                Problem(message="the issue was not routed: no lead unit", field="issue", value=decision.issue_id)
            ]
            raise InputError(problems, f"cannot open a case for issue {decision.issue_id!r}")
        if decision.respond_by is None or decision.complete_by is None:
            raise InputError(
                [Problem(message="a routed decision needs respond_by and complete_by", value=decision.issue_id)],
                f"cannot open a case for issue {decision.issue_id!r}",
            )
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
            raise PowerlistError(f"no case {case_id!r} in the store")
        return Case(snapshot, self.store.history(case_id))

    # ---- recording ---------------------------------------------------------------------------

    def record(self, case_id: str, event: str | Event, at: datetime, by: str | None = None, **details: Any) -> Case:
        """Append what a unit or the platform did (see `powerlist.cases.recording`).
        TransitionError (nothing written) if the lifecycle does not allow it; `by` defaults to
        the unit now holding the case."""
        ev = user_event(event)
        when = stamp(at)
        with self.store.transaction():
            snapshot = self.store.get(case_id)
            if snapshot is None:
                raise PowerlistError(f"no case {case_id!r} in the store")
            actor, data = recorded(snapshot, ev, by, details, params=self.params, catalog=self.catalog)
            self.store.append(case_id, [NewEvent(when, ev, actor, None, data)])
        return self.case(case_id)

    # ---- ticking -----------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[Action]:
        """Act on every case due at `now`, in one transaction; the actions taken, in order."""
        now_s = stamp(now)
        taken: list[Action] = []
        with self.store.transaction():
            after: tuple[str, str] | None = None
            while True:
                batch = self.store.due(now_s, after, _BATCH)
                if not batch:
                    break
                for snapshot in batch:
                    taken.extend(self._work(snapshot, now_s))
                last = batch[-1]
                due = last.due()
                assert due is not None
                after = (due[0], last.case_id)
        return taken

    def _work(self, snapshot: Snapshot, now: str) -> list[Action]:
        taken: list[Action] = []
        for _ in range(_STEP_LIMIT):
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
        if finding and blamed and finding in self.params["accountable_findings"]:
            new, more = account(self.store, self.escalation, new, blamed, finding, planned.row.key, at)
            actions.extend(more)
        return new, actions


__all__ = ["Action", "Case", "Escalator"]
