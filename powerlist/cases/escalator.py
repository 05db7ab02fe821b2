"""Escalation over time — 督办: cases opened from routing decisions, moved on by clock ticks.

    escalator = Escalator(SQLiteCaseStore("cases.db"), Router.default(), RuleSet.load())
    case = escalator.open(issue)                     # route, then 受理 + 派单 to the lead
    escalator.record(case.case_id, "respond", at)    # 报到, 处置, 办结, 退单, 延期, 评价 …
    actions = escalator.tick(now)                    # reminders, escalations, supervision …
    escalator.case(case.case_id)                     # state and full history

Choices where the issue is silent (documented here and in the report):
- A case's id is the issue's id. Opening an issue id that already has a case returns the
  existing case unchanged (no second case, no re-routing), even if the issue's other fields
  differ; a rejected routing decision raises InputError and opens nothing.
- There are no timers. `tick(now)` takes the caller's clock (a naive time is Asia/Shanghai),
  finds due cases through the store's `next_due_at` index and runs, in ONE transaction, the
  escalation tables of `rules/escalation.toml` on each due case's snapshot, on the durable-rules
  engine (one session per table). A case is worked until nothing more is due at `now`, so a
  second tick at the same `now` finds nothing to do; actions are stamped `max(now, the case's
  last event)` so history stays in time order.
- Deadlines that follow from a deadline (end of the reminder grace, an extension) count from the
  missed deadline, so the actions do not depend on how often ticks run. A unit that newly takes
  a case (escalation, re-dispatch, supervision of a dispute, reopening) gets the decision's
  response and completion windows again, counted from the action. Windows, grace periods and
  extensions are wall-clock hours: the router's working-day calendar (powerlist.routing.calendar)
  decides the first deadlines, later ones reuse their lengths. Ticks deliberately do not count
  working days: a year the calendar does not know raises CalendarError, and one such case
  would stop every tick of the whole store.
- Whether an extension or a reopening makes a case 疑难 (`hard_extensions`, `hard_reopens`) is
  decided when the event is appended and kept in the event, so replaying never needs the rules.
- Escalation goes to the first unit on the decision's escalation path above the level of the
  unit holding the case (never to the same or a lower level); with nobody above, the city
  supervision office lists the case (挂牌督办), and under supervision an overdue case is urged
  with new deadlines. A case's `level` is the highest level it has reached.
- Only the unit holding a case can return it (退单), and an extension must end after the current
  completion deadline; an evaluation may carry a third-party survey score (`third_party`, 0–100).
- The power list arbitrates returns (退单). When a case opens, the holder of each of the
  category's powers for the issue's street (`catalog.holder`) is kept in its open event, with
  the power's legal basis; a return by a holder is 推诿 and the case goes back to it, a return
  by anyone else re-dispatches the case to the holder, and returns by `dispute_units` units or
  `dispute_returns` times are 争议, listed by the supervision office with the holder named.
- An action's idempotency key is `case|deadline|events so far|action`: the deadline alone is
  not enough (two returns may fall on the same second), the case's event count pins it.
- Findings (不到位, 慢到位, 到位不作为, 推诿) count against the unit at fault in the period
  (`accountability_period`); each sanction of the ladder (通报批评, 约谈, 问责) is issued once per
  unit per period, its key being unit + period + sanction.
- Every action names the table row that produced it (`rule`, e.g. "esc_response_due.escalate")
  and why (`reason`); its event's actor is the city supervision office (the 督办 machinery acts on
  its behalf; the unit acted upon is the action's `from`). It is recorded twice: as an event in the case's log and as a row of the
  store's actions table under a unique idempotency key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from ..catalog.models import DelegationMode
from ..errors import InputError, PowerlistError, Problem, TransitionError
from ..routing.durable_tables import durable_table
from ..routing.engines import DurableEvaluator
from ..routing.issue import SHANGHAI, Issue, validation_problems
from ..routing.tables import Row, RuleSet
from .lifecycle import (
    Event,
    Satisfaction,
    Snapshot,
    State,
    aware,
    local,
    rank,
    stamp,
    unstamp,
)
from .store import ActionRow, CaseRecord, CaseStore, NewEvent

RULES_FILE = "escalation"
SUPERVISION_DEFAULT = {"code": "420200-supervision", "name": "市委督查室、市政府政务督查室", "level": "city"}
_STEP_LIMIT = 16  # actions per case per tick; the rules never need more than a handful
_PARAMS: dict[str, type | tuple[type, ...]] = {
    "max_extensions": int,
    "extension_hours": (int, float),
    "dispute_returns": int,
    "dispute_units": int,
    "hard_extensions": int,
    "hard_reopens": int,
    "accountability_period": str,
    "criticism_findings": int,
    "interview_findings": int,
    "referral_findings": int,
    "accountable_findings": list,
}
_TABLES = (
    "esc_response_due",
    "esc_response_late",
    "esc_completion_due",
    "esc_review",
    "esc_accountability",
)
_MODE_LABELS = {mode.value: mode.label for mode in DelegationMode}
_ACTIONS = frozenset({"remind", "note", "extend", "escalate", "send_back", "redispatch", "supervise", "urge"})
_TARGETS = frozenset({"self", "next", "city", "holder", "lead"})
_TABLE_BY_KIND = {
    "review": "esc_review",
    "late": "esc_response_late",
    "response": "esc_response_due",
    "completion": "esc_completion_due",
}
USER_EVENTS = frozenset(
    {
        Event.DISPATCH,
        Event.RESPOND,
        Event.HANDLE,
        Event.COMPLETE,
        Event.FEED_BACK,
        Event.EVALUATE,
        Event.CLOSE,
        Event.RETURN,
        Event.EXTEND,
        Event.REOPEN,
        Event.ESCALATE,
        Event.SUPERVISE,
    }
)


@dataclass(frozen=True)
class Action:
    """What a tick decided for one case — 督办动作. `key` is its idempotency key."""

    case_id: str
    action: str
    from_unit: str | None
    to_unit: str | None
    rule: str
    reason: str
    at: datetime
    key: str
    finding: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "action": self.action,
            "from": self.from_unit,
            "to": self.to_unit,
            "rule": self.rule,
            "reason": self.reason,
        }


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

    def __init__(self, store: CaseStore, router: Any = None, rules: RuleSet | None = None, *, catalog: Any = None) -> None:
        self.store = store
        self.router = router
        self.rules = rules if rules is not None else RuleSet.load()
        self.catalog = catalog if catalog is not None else getattr(router, "catalog", None)
        self.params = _check_rules(self.rules)
        # The durable-rules engine, one ruleset (and session) per table, never one per case;
        # DurableEvaluator reads "no rule matched" as no row.
        self._durable = DurableEvaluator(self.rules)
        for name in _TABLES:
            durable_table(self.rules.table(name), self.rules.version)  # compile once, up front

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

    def open_decision(self, decision: Any, *, received_at: datetime) -> Case:
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
            "lead": _unit(decision.lead),
            "co_units": [_unit(u) for u in decision.co_units],
            "path": [_unit(u) for u in decision.escalation_path],
            "holders": self._holders(decision),
            "supervision_office": self._supervision_office(),
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
        try:
            self.store.create(decision.issue_id, at, details, [dispatch])
        except KeyError:
            pass  # opened concurrently by another process: the existing case is the answer
        return self.case(decision.issue_id)

    def _holders(self, decision: Any) -> list[dict[str, Any]]:
        if self.catalog is None or not decision.street:
            return []
        holders = []
        for power in decision.powers:
            if power.code not in self.catalog.items:
                continue
            unit, mode = self.catalog.holder(power.code, decision.street)
            holders.append(
                {
                    "power": power.code,
                    "name": power.name,
                    "legal_basis": list(power.legal_basis),
                    "unit": {"code": unit.code, "name": unit.name, "level": unit.level.value},
                    "mode": mode.value,
                }
            )
        return holders

    def _supervision_office(self) -> dict[str, Any]:
        if self.catalog is None:
            return dict(SUPERVISION_DEFAULT)
        office = self.catalog.supervision_office
        return {"code": office.code, "name": office.name, "level": office.level.value}

    # ---- reading ----------------------------------------------------------------------------

    def case(self, case_id: str) -> Case:
        snapshot = self.store.get(case_id)
        if snapshot is None:
            raise PowerlistError(f"no case {case_id!r} in the store")
        return Case(snapshot, self.store.history(case_id))

    # ---- recording ---------------------------------------------------------------------------

    def record(self, case_id: str, event: str | Event, at: datetime, by: str | None = None, **details: Any) -> Case:
        """Append what a unit or the platform did. TransitionError (nothing written) if the
        lifecycle does not allow it; `by` defaults to the unit now holding the case."""
        try:
            ev = Event(event)
        except ValueError:
            raise TransitionError(
                f"unknown event {event!r}; events: {', '.join(sorted(e.value for e in USER_EVENTS))}"
            ) from None
        if ev not in USER_EVENTS:
            raise TransitionError(f"event {ev.value!r} is written by ticks, not recorded by hand")
        when = stamp(at)
        with self.store.transaction():
            snapshot = self.store.get(case_id)
            if snapshot is None:
                raise PowerlistError(f"no case {case_id!r} in the store")
            # A mistyped acting unit would count as one more unit returning the case (争议):
            # it must be a unit of the case or of the catalog.
            actor = self._resolve_unit(snapshot, by, field="by")["code"] if by else snapshot.assignee["code"]
            if ev is Event.RETURN and actor != snapshot.assignee["code"]:
                # Only the unit the case is dispatched to can send it back (退单); a return by any
                # other unit would count it among the units returning the case (争议) and could
                # make it 推诿 for a case it never held.
                raise InputError(
                    [Problem(message=f"only the unit holding the case ({snapshot.assignee['code']} "
                             f"{snapshot.assignee['name']}) can return it", field="by", value=actor,
                             code="not-holding")],
                    "invalid return",
                )
            data = {key: _plain(value) for key, value in details.items() if value is not None}
            if ev is Event.EVALUATE:
                satisfaction = Satisfaction.parse(details.get("satisfaction", ""))
                if satisfaction is None:
                    raise InputError(
                        [
                            Problem(
                                message="evaluate needs a satisfaction: 满意, 基本满意 or 不满意 "
                                "(satisfied, basically_satisfied, dissatisfied)",
                                field="satisfaction",
                                value=str(details.get("satisfaction")),
                            )
                        ],
                        "invalid evaluation",
                    )
                data["satisfaction"] = satisfaction.value
                if "third_party" in data:
                    data["third_party"] = _survey_score(data["third_party"])
            elif ev is Event.EXTEND:
                until = details.get("until")
                data["complete_by"] = stamp(until) if isinstance(until, datetime) else self._extended(snapshot)
                if snapshot.complete_by is not None and data["complete_by"] <= snapshot.complete_by:
                    raise InputError(
                        [Problem(message=f"an extension must end after the current completion deadline "
                                 f"{local(snapshot.complete_by)}", field="until", value=local(data["complete_by"]),
                                 code="not-an-extension")],
                        "invalid extension",
                    )
                data.pop("until", None)
                data["hard"] = snapshot.extensions + 1 >= self.params["hard_extensions"]
            elif ev is Event.REOPEN:
                data["hard"] = snapshot.reopens + 1 >= self.params["hard_reopens"]
            elif ev in (Event.DISPATCH, Event.ESCALATE, Event.SUPERVISE):
                target = details.get("to")
                if target is None:
                    unit = self._next_unit(snapshot, "next") if ev is Event.ESCALATE else snapshot.assignee
                else:
                    unit = self._resolve_unit(snapshot, str(target))
                if unit is None:
                    raise TransitionError(f"case {case_id!r} has no unit above {snapshot.assignee['code']} to escalate to")
                data["to"] = unit
                if ev is Event.SUPERVISE:
                    data["office"] = snapshot.supervision_office
                # by hand: the unit named by `by`, else the unit holding the case (it hands the
                # case on, as the docstring says); a listing (挂牌督办) is the supervision office's
                if ev is Event.SUPERVISE and not by:
                    actor = snapshot.supervision_office["code"]
            self.store.append(case_id, [NewEvent(when, ev, actor, None, data)])
        return self.case(case_id)

    def _resolve_unit(self, snapshot: Snapshot, code: str, field: str = "to") -> dict[str, Any]:
        known = [snapshot.lead, snapshot.assignee, *snapshot.path, *(h["unit"] for h in snapshot.holders)]
        for unit in known:
            if unit["code"] == code:
                return dict(unit)
        if self.catalog is not None and code in self.catalog.units:
            unit = self.catalog.units[code]
            return {"code": unit.code, "name": unit.name, "level": unit.level.value}
        raise InputError(
            [Problem(message="unknown unit: not a unit of this case nor of the catalog", field=field,
                     value=code, code="unknown-unit")],
            "invalid unit",
        )

    # ---- ticking -----------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[Action]:
        """Act on every case due at `now`, in one transaction; the actions taken, in order."""
        now_s = stamp(now)
        taken: list[Action] = []
        with self.store.transaction():
            after: tuple[str, str] | None = None
            while True:
                batch = self.store.due(now_s, after, 500)
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
        p = self.params
        current = rank(s.assignee["level"])
        facts: dict[str, Any] = {
            "whistle": s.whistle,
            "reminded": s.reminded,
            "supervised": s.supervised,
            "at_street_level": s.assignee["level"] == "street",
            "has_higher": any(rank(u["level"]) > current for u in s.path),
            "extension_allowed": s.extensions < p["max_extensions"],
        }
        if kind == "review":
            returner = s.returned_by
            facts.update(
                trigger="return" if s.state is State.RETURNED else "hard",
                dispute=s.returns >= p["dispute_returns"] or len(s.return_units) >= p["dispute_units"],
                returner_holds_power=any(h["unit"]["code"] == returner for h in s.holders),
                has_holder=bool(s.holders),
            )
        return facts

    def _evaluate(self, table: str, facts: Mapping[str, Any]) -> list[Row]:
        return self._durable(self.rules.table(table), facts)

    def _step(self, s: Snapshot, when: str, kind: str, at: str) -> tuple[Snapshot, list[Action]] | None:
        facts = self.facts(s, kind)
        rows = self._evaluate(_TABLE_BY_KIND[kind], facts)
        if not rows:
            return None
        row = rows[0]
        out = row.then
        action = out["action"]
        finding = out.get("finding") or None
        label = out.get("label") or None
        target = out.get("target", "self")
        current = s.assignee
        missed = s.respond_by
        if kind == "late":
            # 慢到位 is the fault of the unit that responded late, against the deadline it had
            # then — not of whoever holds the case when the tick comes (it may have moved on).
            current, missed = self._late_response(s)
        blamed = s.returned_by if kind == "review" else current["code"]
        details: dict[str, Any] = {"action": action, "from": current}
        if finding:
            details["finding"] = finding
            details["unit"] = blamed
        if label:
            details["label"] = label
        extra = ""
        if action == "remind":
            details["escalate_at"] = stamp(unstamp(when) + timedelta(hours=out["grace_hours"]))
            event, to = Event.REMIND, current
            extra = f"报到时限 {local(s.respond_by)}，宽限至 {local(details['escalate_at'])}"
        elif action == "note":
            details["clears"] = "late"
            event, to = Event.NOTE, current
            extra = f"{current['name']} 报到时限 {local(missed)}，实际报到 {local(s.late_response_at)}"
        elif action == "extend":
            details["complete_by"] = self._extended(s)
            details["hard"] = s.extensions + 1 >= self.params["hard_extensions"]
            event, to = Event.EXTEND, current
            extra = f"办结时限 {local(s.complete_by)} 延至 {local(details['complete_by'])}"
        elif action == "escalate":
            to = self._next_unit(s, target)
            if to is None:
                return None
            details["to"] = to
            event = Event.ESCALATE
            extra = f"{current['name']}（{current['level']}）→ {to['name']}（{to['level']}）"
        elif action in ("send_back", "redispatch"):
            to = self._holder_unit(s, target)
            details["to"] = to
            event = Event.DISPATCH
            extra = self._citation(s, s.returned_by) if finding == "推诿" else f"改派 {to['name']}"
        elif action == "supervise":
            to = self._holder_unit(s, target) if target in ("holder", "lead") else current
            details["to"] = to
            details["office"] = s.supervision_office
            # A unit newly owing a response starts the windows again; a unit already at work
            # (疑难, or 到位不作为 at the top of the path) keeps its response and gets a new
            # completion deadline.
            details["restart"] = kind == "response" or facts.get("trigger") == "return"
            event = Event.SUPERVISE
            extra = f"{s.supervision_office['name']}挂牌督办，承办单位 {to['name']}"
            if kind == "review" and facts.get("trigger") == "return":
                extra += "；" + self._citation(s, to["code"])
        elif action == "urge":
            to = current
            if kind == "response":
                details["respond_by"] = stamp(unstamp(at) + timedelta(seconds=s.respond_window))
            details["complete_by"] = stamp(unstamp(at) + timedelta(seconds=s.complete_window))
            details["office"] = s.supervision_office
            event = Event.REMIND
            extra = f"{s.supervision_office['name']}督办催办，新时限 {local(details['complete_by'])}"
        else:
            raise PowerlistError(f"rules table {row.id} names an unknown action {action!r}")
        reason = f"{row.why}：{extra}" if extra else row.why
        details["reason"] = reason
        key = f"{s.case_id}|{when}|{s.n}|{action}"
        from_unit = current["code"] if action != "urge" else s.supervision_office["code"]
        row_out = ActionRow(
            key=key,
            case_id=s.case_id,
            action=action,
            from_unit=from_unit,
            to_unit=to["code"],
            rule=row.id,
            reason=reason,
            at=at,
            finding=finding,
            rules_version=self.rules.version,
        )
        # Every event names its actor unit: a tick's actions (催办, 升级, 延期, 改派, 督办 …) are the
        # supervision machinery's, taken on behalf of the city supervision office.
        actor = s.supervision_office["code"]
        new = self.store.act(row_out, [NewEvent(at, event, actor, row.id, details)], s)
        if new is None:
            return None
        actions = [_action(row_out)]
        if finding and blamed and finding in self.params["accountable_findings"]:
            new, more = self._account(new, blamed, finding, key, at)
            actions.extend(more)
        return new, actions

    def _account(self, s: Snapshot, unit: str, finding: str, key: str, at: str) -> tuple[Snapshot, list[Action]]:
        period = _period(at, self.params["accountability_period"])
        self.store.add_finding(unit, period, finding, s.case_id, at, key)
        count = self.store.count_findings(unit, period)
        p = self.params
        thresholds = (p["criticism_findings"], p["interview_findings"], p["referral_findings"])
        if count not in thresholds:
            # Counts rise one finding at a time and every sanction is issued once per unit and
            # period (its key), so a new sanction can only start at a threshold: asking the
            # engine at any other count could only repeat one already issued.
            return s, []
        facts = {
            "criticism_due": count >= p["criticism_findings"],
            "interview_due": count >= p["interview_findings"],
            "referral_due": count >= p["referral_findings"],
        }
        actions = []
        for row in self._evaluate("esc_accountability", facts):
            sanction, label = row.then["action"], row.then["label"]
            reason = f"{row.why}：{unit} 在 {period} 累计 {count} 次（最近一次 {finding}，案件 {s.case_id}）"
            row_out = ActionRow(
                key=f"{unit}|{period}|{sanction}",
                case_id=s.case_id,
                action=sanction,
                from_unit=s.supervision_office["code"],
                to_unit=unit,
                rule=row.id,
                reason=reason,
                at=at,
                finding=finding,
                rules_version=self.rules.version,
            )
            details = {"action": sanction, "label": label, "unit": unit, "period": period, "findings": count, "reason": reason}
            new = self.store.act(row_out, [NewEvent(at, Event.SANCTION, s.supervision_office["code"], row.id, details)], s)
            if new is not None:
                s = new
                actions.append(_action(row_out))
        return s, actions

    def _late_response(self, s: Snapshot) -> tuple[dict[str, Any], str | None]:
        """The unit whose response came late (the one that owed it: the case was with it when the
        response came) and the respond_by it missed, from the case's history."""
        from .lifecycle import apply

        before: Snapshot | None = None
        for record in self.store.history(s.case_id):
            if record.event is Event.RESPOND and record.at == s.late_response_at and before is not None:
                return dict(before.assignee), before.respond_by
            before = apply(before, record)
        return dict(s.assignee), s.respond_by

    # ---- targets ----------------------------------------------------------------------------

    def _next_unit(self, s: Snapshot, target: str) -> dict[str, Any] | None:
        current = rank(s.assignee["level"])
        above = [u for u in s.path if rank(u["level"]) > current]
        if target == "city":
            city = [u for u in above if u["level"] == "city"]
            if city:
                return dict(city[0])
        return dict(above[0]) if above else None

    def _holder_unit(self, s: Snapshot, target: str) -> dict[str, Any]:
        if target == "holder":
            for h in s.holders:
                if h["unit"]["code"] == s.returned_by:
                    return dict(h["unit"])
            others = [h for h in s.holders if h["unit"]["code"] != s.returned_by]
            if others:
                return dict(others[0]["unit"])
            if s.holders:
                return dict(s.holders[0]["unit"])
        if target == "self":
            return dict(s.assignee)
        return dict(s.lead)

    def _citation(self, s: Snapshot, unit: str | None) -> str:
        held = [h for h in s.holders if h["unit"]["code"] == unit] or list(s.holders[:1])
        if not held:
            return "清单中无持有单位"
        h = held[0]
        basis = "；".join(h["legal_basis"]) or "（清单未载实施依据）"
        mode = _MODE_LABELS.get(h.get("mode", ""), h.get("mode", ""))
        return f"依权责清单，事项 {h['power']} {h['name']} 由 {h['unit']['name']} 承接（{mode}），实施依据：{basis}"

    def _extended(self, s: Snapshot) -> str:
        base = s.complete_by or s.last_at
        return stamp(unstamp(base) + timedelta(hours=self.params["extension_hours"]))


def _action(row: ActionRow) -> Action:
    return Action(
        case_id=row.case_id,
        action=row.action,
        from_unit=row.from_unit,
        to_unit=row.to_unit,
        rule=row.rule,
        reason=row.reason,
        at=unstamp(row.at).astimezone(SHANGHAI),
        key=row.key,
        finding=row.finding,
    )


def _unit(ref: Any) -> dict[str, Any]:
    return {"code": ref.code, "name": ref.name, "level": ref.level.value}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _survey_score(value: Any) -> str:
    """A third-party call-back survey score (第三方回访得分), 0–100, kept as exact decimal text:
    scoring reads it, and a value it cannot read would silently be no survey at all."""
    from decimal import Decimal, InvalidOperation

    number: Decimal | None = None
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or not 0 <= number <= 100:
        raise InputError(
            [Problem(message="a third-party survey score is a number from 0 to 100", field="third_party",
                     value=str(value), code="bad-survey")],
            "invalid evaluation",
        )
    return str(number)


def _period(at: str, kind: str) -> str:
    moment = unstamp(at).astimezone(SHANGHAI)
    if kind == "month":
        return f"{moment.year}-{moment.month:02d}"
    if kind == "year":
        return str(moment.year)
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def _check_rules(rules: RuleSet) -> dict[str, Any]:
    problems: list[Problem] = []
    if RULES_FILE not in rules.files:
        raise InputError([Problem(message="no escalation.toml in the rules directory", code="missing-rules")], "invalid rules")
    path = rules.files[RULES_FILE].path
    params = rules.params(RULES_FILE)
    for key, kind in _PARAMS.items():
        value = params.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, kind):
            problems.append(Problem(message=f"[params] {key} is missing or of the wrong type", file=path, field=key, value=str(value)))
        elif isinstance(value, (int, float)) and value < 0:
            problems.append(Problem(message=f"[params] {key} must not be negative", file=path, field=key, value=str(value)))
    for key in ("criticism_findings", "interview_findings", "referral_findings", "dispute_returns", "dispute_units", "hard_extensions", "hard_reopens"):
        value = params.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            problems.append(Problem(message=f"[params] {key} is a count and must be at least 1", file=path, field=key, value=str(value)))
    if params.get("accountability_period") not in ("month", "quarter", "year"):
        problems.append(Problem(message="accountability_period is month, quarter or year", file=path, field="accountability_period"))
    ladder = [(key, params.get(key)) for key in ("criticism_findings", "interview_findings", "referral_findings")]
    if all(isinstance(v, int) and not isinstance(v, bool) for _, v in ladder):
        for (low_key, low), (high_key, high) in zip(ladder, ladder[1:]):
            if high <= low:
                # The ladder is 通报批评 → 约谈 → 问责: a later step must need more findings, or a
                # unit would be interviewed or referred before (or without) being criticised.
                problems.append(Problem(message=f"[params] {high_key} ({high}) must be greater than "
                                        f"{low_key} ({low}): 通报批评 → 约谈 → 问责 is a ladder",
                                        file=path, field=high_key, value=str(high)))
    for name in _TABLES:
        if name not in rules.tables:
            problems.append(Problem(message=f"table {name!r} is missing", file=path, field=name))
    if not problems:
        # An unknown action or target would only fail in the middle of a tick (and abort it for
        # every due case): refuse it when the rules are loaded, naming the row.
        for name in _TABLES[:-1]:
            for row in rules.table(name).rows:
                then = row.then
                where = dict(file=path, row=getattr(row, "line", None), field=f"{name}.{row.id}")
                if then.get("action") not in _ACTIONS:
                    problems.append(Problem(message=f"unknown action; actions: {', '.join(sorted(_ACTIONS))}",
                                            value=str(then.get("action")), **where))
                if "target" in then and then["target"] not in _TARGETS:
                    problems.append(Problem(message=f"unknown target; targets: {', '.join(sorted(_TARGETS))}",
                                            value=str(then.get("target")), **where))
                if then.get("action") == "remind":
                    hours = then.get("grace_hours")
                    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
                        problems.append(Problem(message="a reminder needs grace_hours, a number of hours ≥ 0",
                                                value=str(hours), **where))
    accountable = params.get("accountable_findings")
    if isinstance(accountable, list) and not problems:
        produced = {
            str(row.then.get("finding"))
            for name in _TABLES
            for row in rules.table(name).rows
            if row.then.get("finding")
        }
        for value in accountable:
            if not isinstance(value, str) or value not in produced:
                # A mistyped finding would silently never count towards the ladder.
                problems.append(Problem(message="[params] accountable_findings names a finding no "
                                        f"escalation table records; findings: {'、'.join(sorted(produced))}",
                                        file=path, field="accountable_findings", value=str(value)))
    if problems:
        raise InputError(problems, "invalid escalation rules")
    return dict(params)
