"""Stage 2 of routing — the sketch: what the rules decide, in roles, from a place's `Profile` and
the issue's `Flags`.

`sketch` runs the rules tables in order: whistle → lead → emergency_floor → repeat → escalation
→ deadline (rules/README.md explains each), naming the community, the street office, the
stationed unit, the district or the city department by role — no unit, no clock. It depends only
on (profile, flags), a small enumerable key, so the compiled engine keeps each sketch it draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from ..catalog.models import Grade, Level
from ..errors import InputError, Problem
from .decision import TraceStep, Whistle, trace_step
from .engines import TableEvaluator
from .issue import RequestKind
from .place import ROLE_LABELS, Profile
from .tables import DecisionTable, Row, RuleSet

ROUTING = "routing"  # the rules file (rules/routing.toml) whose [params] the router reads
TABLES = ("whistle", "lead", "emergency_floor", "repeat", "escalation", "deadline")  # the tables `sketch` runs
_GRADES = "ABCD"
# The escalation table's steps as roles, each with the grade of the level it stands for.
_STEP_ROLES = {
    "street": ("street", Grade.B),
    "district_department": ("district", Grade.C),
    "city_department": ("city", Grade.D),
}


class IssueFacts(Protocol):
    """What `flags_of` reads of an issue (an `Issue`, or the rules check's enumerated values)."""

    @property
    def emergency(self) -> bool: ...
    @property
    def key_work(self) -> bool: ...
    @property
    def needs_enforcement(self) -> bool: ...
    @property
    def cross_department(self) -> bool: ...
    @property
    def repeat_count(self) -> int: ...
    @property
    def request_kind(self) -> RequestKind | None: ...


@dataclass(frozen=True)
class Flags:
    """The issue's own facts that the rules read (everything but its id and clock)."""

    emergency: bool
    key_work: bool
    needs_enforcement: bool
    cross_department: bool
    repeated: bool
    request_kind: str  # a RequestKind value or "unspecified"


def flags_of(issue: IssueFacts, rules: RuleSet) -> Flags:
    return Flags(
        emergency=issue.emergency,
        key_work=issue.key_work,
        needs_enforcement=issue.needs_enforcement,
        cross_department=issue.cross_department,
        repeated=issue.repeat_count >= int(rules.param(ROUTING, "repeat_threshold")),
        request_kind=issue.request_kind.value if issue.request_kind else "unspecified",
    )


@dataclass(frozen=True)
class Sketch:
    """Stage 2: the decision in roles (no unit, no clock) — what the rules decided."""

    whistle: Whistle
    grade: Grade
    lead: str
    co_roles: tuple[str, ...]  # besides every other holder of a principal or related power
    path: tuple[str, ...]  # roles after the lead
    respond: tuple[int, str]
    complete: tuple[int, str]
    trace: tuple[TraceStep, ...]
    whistle_label: str  # whistle.label and grade.level, kept to spare a lookup per issue
    level: Level
    # respond/complete as either a clock delta or a number of working days (≥ 1)
    respond_delta: timedelta | None
    complete_delta: timedelta | None


def _select(evaluate: TableEvaluator, table: DecisionTable, facts: Mapping[str, Any], *, one: bool = True) -> list[Row]:
    rows = evaluate(table, facts)
    if one and len(rows) != 1:
        shown = ", ".join(f"{k}={v!r}" for k, v in facts.items())
        message = (
            f"规则表 {table.name!r} 没有匹配的行 (no row of rules table {table.name!r} matches {shown})"
            if not rows else
            f"规则表 {table.name!r} 应只选出一行，却选出 {len(rows)} 行 (rules table {table.name!r} must decide one "
            f"row, but its hit policy {table.hit_policy.value!r} selected {len(rows)} for {shown}: "
            + ", ".join(r.id for r in rows) + ")"
        )
        raise InputError(
            [Problem(message=message, file=table.file, field=table.name,
                     code="rules-gap" if not rows else "rules-many")],
            "规则不能决定此诉求 (the rules do not decide this issue)",
        )
    return rows


def sketch(profile: Profile, flags: Flags, rules: RuleSet, evaluate: TableEvaluator) -> Sketch:
    """Stage 2: run the rules tables in order, in roles. Pure."""
    trace: list[TraceStep] = []

    def step(row: Row, detail: str = "") -> None:
        trace.append(trace_step(row.id, row.why + (f" — {detail}" if detail else "")))

    mode = profile.mode
    (row,) = _select(evaluate, rules.table("whistle"), {
        "emergency": flags.emergency,
        "scope": profile.scope,
        "needs_enforcement": flags.needs_enforcement,
        "cross_department": flags.cross_department,
        "several_departments": profile.several_departments,
        "key_work": flags.key_work,
    })
    whistle = Whistle(row.then["whistle"])
    step(row)

    lead_facts = {"whistle": whistle.value, "mode": mode, "has_community": profile.has_community,
                  "holder": profile.primary_role or "none"}
    (row,) = _select(evaluate, rules.table("lead"), lead_facts)
    role = row.then["lead"]
    if role == "holder" and profile.primary_role is not None:
        lead = profile.primary_role
    elif role == "community" and profile.has_community:
        lead = "community"
    else:
        lead = "street"
    grade = Grade(row.then["grade"])
    co: list[str] = ["street"] if row.then["street_coordinates"] else []
    step(row, f"牵头 lead: {ROLE_LABELS[lead]}, {grade.value}级")

    # The escalation table gives the chain above a grade; a raised grade (emergency floor,
    # 主动治理) hands the lead to the first unit of that chain at or above the new grade, so a
    # city-retained power goes from the street straight to the city, as escalation does.
    def chain(at: Grade) -> list[tuple[Row, str, Grade]]:
        found = []
        facts = {"grade": at.value, "mode": mode, "has_department": profile.has_department}
        for chain_row in _select(evaluate, rules.table("escalation"), facts, one=False):
            step_role, step_grade = _STEP_ROLES.get(chain_row.then["step"], ("", grade))
            if step_role in profile.roles:
                found.append((chain_row, step_role, step_grade))
        return found

    def lift(target: Grade) -> str:
        nonlocal lead, grade
        for chain_row, step_role, step_grade in chain(grade):
            if step_role != lead and _GRADES.index(step_grade.value) >= _GRADES.index(target.value):
                co.append(lead)
                lead, grade = step_role, step_grade
                return f"牵头改为 lead now: {ROLE_LABELS[lead]}, {grade.value}级, via {chain_row.id}"
        return "上级无可承接单位，等级不变 (no unit above to take it: grade kept)"

    (row,) = _select(evaluate, rules.table("emergency_floor"), {"whistle": whistle.value})
    floor = Grade(row.then["min_grade"])
    step(row, lift(floor) if _GRADES.index(floor.value) > _GRADES.index(grade.value) else "")

    (row,) = _select(evaluate, rules.table("repeat"), {"repeated": flags.repeated, "grade": grade.value})
    step(row, lift(grade.raised()) if row.then["raise"] else "")

    path: list[str] = [lead]
    for row, step_role, _ in chain(grade):
        if step_role not in path:
            path.append(step_role)
            step(row, f"→ {ROLE_LABELS[step_role]}")

    deadline_facts = {"whistle": whistle.value, "request_kind": flags.request_kind, "grade": grade.value}
    (row,) = _select(evaluate, rules.table("deadline"), deadline_facts)
    step(row)
    respond = (int(row.then["respond"]), str(row.then["respond_unit"]))
    complete = (int(row.then["complete"]), str(row.then["complete_unit"]))
    return Sketch(
        whistle=whistle,
        grade=grade,
        lead=lead,
        co_roles=tuple(co),
        path=tuple(path[1:]),
        respond=respond,
        complete=complete,
        trace=tuple(trace),
        whistle_label=whistle.label,
        level=grade.level,
        respond_delta=_clock(respond),
        complete_delta=_clock(complete),
    )


def _clock(limit: tuple[int, str]) -> timedelta | None:
    """A time limit as elapsed clock time, or None for a limit in working days (≥ 1)."""
    amount, unit = limit
    if unit == "working_days":
        return timedelta(0) if amount == 0 else None
    if unit == "hours":
        return timedelta(hours=amount)
    if unit == "minutes":
        return timedelta(minutes=amount)
    raise InputError([Problem(message=f"不认识的时限单位 {unit!r}，应为 minutes、hours 或 working_days "
                              f"(unknown time-limit unit; expected minutes, hours or working_days)",
                              field="deadline", value=unit, code="unknown-unit")], "规则有误 (invalid rules)")
