"""Accountability — 问责: findings counted per unit and period, and the sanction ladder.

Findings (不到位, 慢到位, 到位不作为, 推诿) listed in `accountable_findings` count against the
unit at fault in the period (`accountability_period`: month, quarter or year, Asia/Shanghai).
When a unit's count reaches a step of the ladder 通报批评 → 约谈 → 问责 (`criticism_findings`,
`interview_findings`, `referral_findings`), the `esc_accountability` table decides the
sanctions; each is issued once per unit per period, its key being unit + period + sanction,
and is written as a `sanction` event on the case whose finding reached the step.
"""

from __future__ import annotations

import functools

from ..routing.issue import SHANGHAI
from .actions import Action
from .escalation_rules import EscalationRules
from .lifecycle import Event, Snapshot, unstamp
from .store import ActionRow, CaseStore, NewEvent


@functools.lru_cache(maxsize=1024)  # a tick's findings are mostly stamped with its `now`
def period(at: str, kind: str) -> str:
    """The accountability period of a stamp: "2026-07" (month), "2026Q3" (quarter), "2026" (year)."""
    moment = unstamp(at).astimezone(SHANGHAI)
    if kind == "month":
        return f"{moment.year}-{moment.month:02d}"
    if kind == "year":
        return str(moment.year)
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def account(
    store: CaseStore,
    rules: EscalationRules,
    s: Snapshot,
    unit: str,
    finding: str,
    key: str,
    at: str,
    *,
    due_at: str | None = None,
) -> tuple[Snapshot, list[Action]]:
    """Count `finding` (of the action `key`, on case `s`) against `unit`, and issue the sanctions
    its count now calls for. The case as it stands after them, and the sanctions issued; a
    sanction falls due when the finding's own deadline (`due_at`) did."""
    term = period(at, rules.params["accountability_period"])
    store.add_finding(unit, term, finding, s.case_id, at, key)
    count = store.count_findings(unit, term)
    actions = []
    for action_row, event in sanctions(rules, s, unit, finding, term, count, at, due_at=due_at):
        new = store.act(action_row, [event], s)
        if new is not None:
            s = new
            actions.append(Action.from_row(action_row))
    return s, actions


def sanctions(
    rules: EscalationRules,
    s: Snapshot,
    unit: str,
    finding: str,
    term: str,
    count: int,
    at: str,
    *,
    due_at: str | None = None,
) -> list[tuple[ActionRow, NewEvent]]:
    """The sanctions `unit`'s `count` of findings in `term` calls for, on case `s` (whose latest
    finding, `finding`, brought the count there), as actions-table rows and their events; each
    is issued unless its key (unit + period + sanction) is already recorded."""
    p = rules.params
    thresholds = (p["criticism_findings"], p["interview_findings"], p["referral_findings"])
    if count not in thresholds:
        # Counts rise one finding at a time and every sanction is issued once per unit and
        # period (its key), so a new sanction can only start at a threshold: asking the
        # engine at any other count could only repeat one already issued.
        return []
    facts = {
        "criticism_due": count >= p["criticism_findings"],
        "interview_due": count >= p["interview_findings"],
        "referral_due": count >= p["referral_findings"],
    }
    office = s.supervision_office["code"]
    issued = []
    for row in rules.evaluate("esc_accountability", facts):
        sanction, label = row.then["action"], row.then["label"]
        reason = f"{row.why}：{unit} 在 {term} 累计 {count} 次（最近一次 {finding}，案件 {s.case_id}）"
        action_row = ActionRow(
            key=f"{unit}|{term}|{sanction}",
            case_id=s.case_id,
            action=sanction,
            from_unit=office,
            to_unit=unit,
            rule=row.id,
            reason=reason,
            at=at,
            finding=finding,
            rules_version=rules.version,
            due_at=due_at,
        )
        details = {
            "action": sanction,
            "label": label,
            "unit": unit,
            "period": term,
            "findings": count,
            "reason": reason,
        }
        if due_at is not None:
            details["due_at"] = due_at
        issued.append((action_row, NewEvent(at, Event.SANCTION, office, row.id, details)))
    return issued


__all__ = ["account", "period", "sanctions"]
