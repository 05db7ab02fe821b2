"""The escalation rules — 督办规则: `rules/escalation.toml` checked, the facts a due case shows
its tables, and their evaluation on either engine.

Each kind of due case (`Snapshot.due()`) has its table: `review` → `esc_review` (a return, or
a case that became 疑难), `late` → `esc_response_late`, `response` → `esc_response_due`,
`completion` → `esc_completion_due`; `esc_accountability` decides sanctions. The tables see
only the facts `facts()` computes from the case's snapshot, so a tick decides from the store's
`cases` row alone. They run on one of routing's two table engines (`powerlist.routing.engines`):
"compiled" (the default) indexes each table and keeps the rows selected for each input tuple —
every escalation input is a bool or a small enumeration, so a due case costs one dict lookup per
table; "durable" is the durable-rules reference, one ruleset (and session) per table compiled
once when the rules are loaded, never one per case. tests/test_escalation_engines.py proves them
equal: table by table over the inputs' domains, and tick by tick over random case histories.

Everything a tick could trip over is refused when the rules are loaded (`check_rules`), with
the file, row and field: a missing or mistyped `[params]` value, a ladder that is not
increasing, a missing table, an unknown action or target, a reminder without `grace_hours`,
an accountable finding no table records. An unknown action found in the middle of a tick would
abort it for every due case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from ..errors import InputError, Problem
from ..routing.durable_tables import durable_table
from ..routing.engines import ENGINES, make_evaluator
from ..routing.tables import Row, RuleSet
from .lifecycle import Snapshot, State, rank

RULES_FILE = "escalation"
PARAMS: dict[str, type | tuple[type, ...]] = {
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
_COUNTS = (
    "criticism_findings",
    "interview_findings",
    "referral_findings",
    "dispute_returns",
    "dispute_units",
    "hard_extensions",
    "hard_reopens",
)
_LADDER = ("criticism_findings", "interview_findings", "referral_findings")
TABLES = (
    "esc_response_due",
    "esc_response_late",
    "esc_completion_due",
    "esc_review",
    "esc_accountability",
)
TABLE_BY_KIND = {
    "review": "esc_review",
    "late": "esc_response_late",
    "response": "esc_response_due",
    "completion": "esc_completion_due",
}
ACTIONS = frozenset({"remind", "note", "extend", "escalate", "send_back", "redispatch", "supervise", "urge"})
TARGETS = frozenset({"self", "next", "city", "holder", "lead"})


class EscalationRules:
    """The checked escalation rules of a rules directory, ready to evaluate."""

    def __init__(self, rules: RuleSet, engine: str = "compiled") -> None:
        """`engine`: "compiled" (indexed tables) or "durable" (the durable-rules reference)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
        self.rules = rules
        self.engine = engine
        self.params = check_rules(rules)
        # Both evaluators read "no rule matched" as no row.
        self._evaluate = make_evaluator(engine, rules)
        if engine == "durable":
            for name in TABLES:
                durable_table(rules.table(name), rules.version)  # compile once, up front

    @property
    def version(self) -> str:
        return self.rules.version

    def facts(self, s: Snapshot, kind: str) -> dict[str, Any]:
        """The facts the escalation tables see for one due case (see rules/escalation.toml)."""
        p = self.params
        current = rank(s.assignee["level"])
        higher = False
        for unit in s.path:
            if rank(unit["level"]) > current:
                higher = True
                break
        facts: dict[str, Any] = {
            "whistle": s.whistle,
            "reminded": s.reminded,
            "supervised": s.supervised,
            "at_street_level": s.assignee["level"] == "street",
            "has_higher": higher,
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

    def evaluate(self, table: str, facts: Mapping[str, Any]) -> list[Row]:
        """The rows of `table` that `facts` select (its hit policy applied), on this engine."""
        return self._evaluate(self.rules.table(table), facts)


def check_rules(rules: RuleSet) -> dict[str, Any]:
    """The `[params]` of escalation.toml, once every check passes; InputError listing every
    problem otherwise."""
    if RULES_FILE not in rules.files:
        raise InputError(
            [Problem(message="no escalation.toml in the rules directory", code="missing-rules")], "invalid rules"
        )
    path = rules.files[RULES_FILE].path
    params = rules.params(RULES_FILE)
    problems = _param_problems(params, path)
    for name in TABLES:
        if name not in rules.tables:
            problems.append(Problem(message=f"table {name!r} is missing", file=path, field=name))
    if not problems:
        problems.extend(_row_problems(rules, path))
    accountable = params.get("accountable_findings")
    if isinstance(accountable, list) and not problems:
        problems.extend(_accountable_problems(rules, accountable, path))
    if problems:
        raise InputError(problems, "invalid escalation rules")
    return dict(params)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _param_problems(params: Mapping[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    for key, kind in PARAMS.items():
        value = params.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, kind):
            problems.append(
                Problem(
                    message=f"[params] {key} is missing or of the wrong type", file=path, field=key, value=str(value)
                )
            )
        elif isinstance(value, (int, float)) and value < 0:
            problems.append(
                Problem(message=f"[params] {key} must not be negative", file=path, field=key, value=str(value))
            )
    for key in _COUNTS:
        value = params.get(key)
        if _is_count(value) and value < 1:
            problems.append(
                Problem(
                    message=f"[params] {key} is a count and must be at least 1", file=path, field=key, value=str(value)
                )
            )
    if params.get("accountability_period") not in ("month", "quarter", "year"):
        problems.append(
            Problem(
                message="accountability_period is month, quarter or year", file=path, field="accountability_period"
            )
        )
    ladder = [(key, value) for key in _LADDER if _is_count(value := params.get(key))]
    if len(ladder) == len(_LADDER):
        for (low_key, low), (high_key, high) in zip(ladder, ladder[1:], strict=False):
            if high <= low:
                # The ladder is 通报批评 → 约谈 → 问责: a later step must need more findings, or a
                # unit would be interviewed or referred before (or without) being criticised.
                problems.append(
                    Problem(
                        message=f"[params] {high_key} ({high}) must be greater than "
                        f"{low_key} ({low}): 通报批评 → 约谈 → 问责 is a ladder",
                        file=path,
                        field=high_key,
                        value=str(high),
                    )
                )
    return problems


def _row_problems(rules: RuleSet, path: str) -> list[Problem]:
    """Unknown actions and targets, reminders without grace hours, named by row."""
    problems: list[Problem] = []
    for name in TABLES[:-1]:
        for row in rules.table(name).rows:
            then = row.then
            where: dict[str, Any] = {"file": path, "row": row.line, "field": f"{name}.{row.id}"}
            if then.get("action") not in ACTIONS:
                problems.append(
                    Problem(
                        message=f"unknown action; actions: {', '.join(sorted(ACTIONS))}",
                        value=str(then.get("action")),
                        **where,
                    )
                )
            if "target" in then and then["target"] not in TARGETS:
                problems.append(
                    Problem(
                        message=f"unknown target; targets: {', '.join(sorted(TARGETS))}",
                        value=str(then.get("target")),
                        **where,
                    )
                )
            if then.get("action") == "remind":
                hours = then.get("grace_hours")
                if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
                    problems.append(
                        Problem(
                            message="a reminder needs grace_hours, a number of hours ≥ 0", value=str(hours), **where
                        )
                    )
    return problems


def _accountable_problems(rules: RuleSet, accountable: list[Any], path: str) -> list[Problem]:
    """Accountable findings that no table records (they would silently never count)."""
    produced = {
        str(row.then.get("finding")) for name in TABLES for row in rules.table(name).rows if row.then.get("finding")
    }
    return [
        Problem(
            message="[params] accountable_findings names a finding no "
            f"escalation table records; findings: {'、'.join(sorted(produced))}",
            file=path,
            field="accountable_findings",
            value=str(value),
        )
        for value in accountable
        if not isinstance(value, str) or value not in produced
    ]


__all__ = [
    "ACTIONS",
    "PARAMS",
    "RULES_FILE",
    "TABLES",
    "TABLE_BY_KIND",
    "TARGETS",
    "EscalationRules",
    "check_rules",
]
