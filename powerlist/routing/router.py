"""The router — 派单: the power list, not a person, decides who must respond.

`decide` is one pure function: (issue, catalog, rules, calendar, table evaluator) → Decision.
It runs in three stages, each pure:

1. `locate` — what depends only on (category, location): the category and its scope, the street,
   the community, and for each candidate power item the unit holding it for that street and how
   (下放/委托/派驻/保留区级/保留市级), from the catalog; and the enumerable `Profile` of all this
   that the rules may read;
2. `sketch` — the rules tables, in order: whistle → lead → emergency_floor → repeat → escalation
   → deadline (rules/README.md explains each), deciding in *roles* (community, street office,
   stationed unit, district or city department), from the profile and the issue's flags;
3. `finish` — the roles made the place's units (`units_of`), and the clock: time limits from
   received_at on the working-day calendar.

Both engines run this same function; they differ only in how a table is evaluated
(`powerlist.routing.engines`). The compiled engine also memoises each stage by its inputs, which is
sound because each is pure: stage 1 by (category, location), stage 2 by (profile, flags), a
small enumerable key, and the decision itself as a `Plan` — every field but the issue's id and
its two deadlines — by (category, location, flags), so that an issue seen before in all but its
id and clock costs one dict lookup, its deadlines and the Decision value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from ..catalog.catalog import Catalog
from ..catalog.models import Category, DelegationMode, Grade, Level, PowerItem, Street, Unit, UnitKind
from ..errors import CalendarError, InputError, Problem
from .calendar import UNKNOWN_YEAR_MODES, WorkCalendar
from .decision import Decision, PowerRef, TraceStep, UnitRef, Whistle
from .engines import ENGINES, TableEvaluator, make_evaluator
from .issue import Issue, code_text
from .tables import DecisionTable, RuleSet

ROUTING = "routing"
DEADLINES = "deadlines"
UNKNOWN_YEAR_RULE = "calendar.unknown_year"
# Which power decides the lead when a category has several: the one held highest up (the
# level that holds the power must act), ties broken by the category's own order.
_MODE_RANK = {
    DelegationMode.DELEGATED: 0,
    DelegationMode.ENTRUSTED: 1,
    DelegationMode.STATIONED: 2,
    DelegationMode.DISTRICT: 3,
    DelegationMode.CITY: 4,
}
_GRADES = "ABCD"


@dataclass(frozen=True)
class Holding:
    """One candidate power item and who holds it for the issue's street."""

    item: PowerItem
    unit: Unit
    mode: DelegationMode
    department: str | None


# Roles — who a rule can name without knowing the street: 社区, 街道办事处, the stationed unit
# holding the deciding power, the district and the city department of its department.
ROLE_LABELS = {
    "community": "社区居委会 community",
    "street": "街道办事处 street office",
    "stationed": "派驻机构 stationed unit",
    "district": "区直部门 district department",
    "city": "市直部门 city department",
}
_ROLE_OF_KIND = {
    UnitKind.COMMUNITY: "community",
    UnitKind.STREET_OFFICE: "street",
    UnitKind.STATIONED_UNIT: "stationed",
    UnitKind.DISTRICT_DEPARTMENT: "district",
    UnitKind.CITY_DEPARTMENT: "city",
}
_STEP_ROLES = {"street": ("street", Grade.B), "district_department": ("district", Grade.C), "city_department": ("city", Grade.D)}


class Profile(NamedTuple):
    """What the rules may read of an issue's category and place (all enumerable)."""

    scope: str
    several_departments: bool
    mode: str  # the deciding power's DelegationMode value, or "none"
    has_community: bool
    has_department: bool
    primary_role: str | None  # the role of the unit holding the deciding power
    roles: frozenset[str]  # the roles that exist for this place


@dataclass(frozen=True)
class Located:
    """Stage 1: everything that depends only on the issue's category and location."""

    category: Category
    street: Street
    powers: Powers
    refs: dict[str, UnitRef]  # role → unit, the community included when there is one
    profile: Profile
    # (lead, co_roles, path) → (lead, co_units, escalation_path): a place sees few variants
    units_of: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Sketch:
    """Stage 2: the decision in roles (no unit, no clock) — what the rules decided."""

    whistle: Whistle
    grade: Grade
    lead: str
    co_roles: tuple[str, ...]  # besides every other holder of a candidate power
    path: tuple[str, ...]  # roles after the lead
    respond: tuple[int, str]
    complete: tuple[int, str]
    trace: tuple[TraceStep, ...]
    whistle_label: str  # whistle.label and grade.level, kept to spare a lookup per issue
    level: Level
    # respond/complete as either a clock delta or a number of working days (≥ 1)
    respond_delta: timedelta | None
    complete_delta: timedelta | None


def unit_ref(unit: Unit) -> UnitRef:
    return _unit_ref(unit.code, unit.name, unit.level)


@lru_cache(maxsize=65_536)
def _unit_ref(code: str, name: str, level: Level) -> UnitRef:
    # Keyed by plain values: hashing a whole pydantic Unit costs more than building the ref.
    return UnitRef.model_construct(code=code, name=name, level=level)


@lru_cache(maxsize=65_536)
def trace_step(rule: str, reason: str) -> TraceStep:
    # Frozen values: equal steps may be shared between decisions.
    return TraceStep.model_construct(rule=rule, reason=reason)


def _problem(message: str, field: str | None = None, value: Any = None, code: str | None = None) -> Problem:
    return Problem(message=message, field=field, value=None if value is None else str(value), code=code)


@lru_cache(maxsize=65_536)
def power_ref(item: PowerItem) -> PowerRef:
    return PowerRef.model_construct(code=item.code, name=item.full_name, kind=item.kind.value, legal_basis=item.legal_basis)


@dataclass(frozen=True)
class Powers:
    """Stage 1a: a category's candidate powers for one street — who holds each, and how."""

    holdings: tuple[Holding, ...]
    primary: Holding | None
    powers: tuple[PowerRef, ...]
    trace: tuple[TraceStep, ...]
    several_departments: bool
    units: dict[str, Unit]  # role → unit: street, and stationed/district/city when they exist
    holder_refs: dict[str, UnitRef]  # every holding unit, by code


def powers_at(catalog: Catalog, category: Category, street: Street) -> Powers:
    """Stage 1a. Raises InputError when the catalog cannot resolve a power of the category."""
    problems: list[Problem] = []
    holdings: list[Holding] = []
    trace: list[TraceStep] = []
    for code in category.powers:
        item = catalog.items.get(code)
        if item is None:
            problems.append(_problem(
                f"category {category.code} lists power item {code}, which is not in the power list",
                "category", category.code, "catalog-unknown-item"))
            continue
        try:
            unit, mode = catalog.holder(code, street.code)
        except KeyError as error:
            problems.append(_problem(
                f"the catalog names no unit holding power item {code} for street {street.code} ({error})",
                "category", category.code, "catalog-no-holder"))
            continue
        holdings.append(Holding(item, unit, mode, catalog.department_code(item.department)))
        trace.append(trace_step(
            f"power_list.{code}",
            f"{item.full_name}：{street.name}{mode.label}，由{unit.name}行使 "
            f"(item {code} for {street.code}: {mode.value}, held by {unit.code})",
        ))
    if problems:
        raise InputError(problems, "the catalog cannot route this category")
    primary = None
    for holding in holdings:
        if primary is None or _MODE_RANK[holding.mode] > _MODE_RANK[primary.mode]:
            primary = holding
    department = primary.department if primary else None
    units: dict[str, Unit] = {"street": catalog.units[street.code]}
    if department:
        for role, code in (("district", catalog.district_department_code(street.district, department)),
                           ("city", catalog.city_department_code(department))):
            if code in catalog.units:
                units[role] = catalog.units[code]
    if primary is not None:
        units.setdefault(_ROLE_OF_KIND[primary.unit.kind], primary.unit)
    return Powers(
        holdings=tuple(holdings),
        primary=primary,
        powers=tuple(power_ref(h.item) for h in holdings),
        trace=tuple(trace),
        several_departments=len({h.department or h.unit.code for h in holdings}) > 1,
        units=units,
        holder_refs={h.unit.code: unit_ref(h.unit) for h in holdings},
    )


UNKNOWN_CATEGORY = "unknown category: not in the taxonomy (taxonomy.xlsx, sheet 问题分类)"
UNKNOWN_LOCATION = "unknown location: neither a street nor a community code of the catalog (organisation.xlsx)"


def reference_problems(catalog: Catalog, raw: Any, failed: Iterable[str | None] = ()) -> list[Problem]:
    """The unknown category or location of an issue that failed validation on other fields, so
    that one rejection names every problem, not only the first kind found. Fields that failed
    validation themselves (listed in `failed`) are not judged again."""
    from .issue_io import canonical

    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    if not isinstance(raw, Mapping):
        return []
    data, _ = canonical(dict(raw))
    skip = set(failed)
    problems: list[Problem] = []
    category = code_text(data.get("category"))
    if "category" not in skip and isinstance(category, str) and category.strip() and category.strip() not in catalog.categories:
        problems.append(_problem(UNKNOWN_CATEGORY, "category", category.strip(), "unknown-category"))
    location = code_text(data.get("location"))
    if "location" not in skip and isinstance(location, str) and location.strip() and catalog.street_of(location.strip()) is None:
        problems.append(_problem(UNKNOWN_LOCATION, "location", location.strip(), "unknown-location"))
    return problems


def locate(catalog: Catalog, category_code: str, location: str, powers: Callable[[Catalog, Category, Street], Powers] = powers_at) -> Located:
    """Stage 1. Raises InputError naming an unknown category or location. `powers` computes
    stage 1a (the compiled engine passes a memoised `powers_at`)."""
    problems: list[Problem] = []
    category = catalog.categories.get(category_code)
    if category is None:
        problems.append(_problem(UNKNOWN_CATEGORY, "category", category_code, "unknown-category"))
    street = catalog.street_of(location)
    if street is None:
        problems.append(_problem(UNKNOWN_LOCATION, "location", location, "unknown-location"))
    if problems:
        raise InputError(problems, "cannot route the issue")
    assert category is not None and street is not None
    found = powers(catalog, category, street)
    units = dict(found.units)
    community = catalog.community_unit(location)
    if community is not None:
        units["community"] = community
    primary = found.primary
    return Located(
        category=category,
        street=street,
        powers=found,
        refs={role: unit_ref(unit) for role, unit in units.items()},
        profile=Profile(
            scope=category.scope.value,
            several_departments=found.several_departments,
            mode=primary.mode.value if primary else "none",
            has_community=community is not None,
            has_department=primary is not None and primary.department is not None,
            primary_role=_ROLE_OF_KIND[primary.unit.kind] if primary else None,
            roles=frozenset(units),
        ),
    )


@dataclass(frozen=True)
class Flags:
    """The issue's own facts that the rules read (everything but its id and clock)."""

    emergency: bool
    key_work: bool
    needs_enforcement: bool
    cross_department: bool
    repeated: bool
    request_kind: str  # a RequestKind value or "unspecified"


def flags_of(issue: Issue, rules: RuleSet) -> Flags:
    return Flags(
        emergency=issue.emergency,
        key_work=issue.key_work,
        needs_enforcement=issue.needs_enforcement,
        cross_department=issue.cross_department,
        repeated=issue.repeat_count >= int(rules.param(ROUTING, "repeat_threshold")),
        request_kind=issue.request_kind.value if issue.request_kind else "unspecified",
    )


def _select(evaluate: TableEvaluator, table: DecisionTable, facts: dict[str, Any], *, one: bool = True) -> list[Any]:
    rows = evaluate(table, facts)
    if one and len(rows) != 1:
        shown = ", ".join(f"{k}={v!r}" for k, v in facts.items())
        message = (
            f"no row of rules table {table.name!r} matches {shown}" if not rows else
            f"rules table {table.name!r} must decide one row, but its hit policy {table.hit_policy.value!r} "
            f"selected {len(rows)} for {shown}: " + ", ".join(r.id for r in rows)
        )
        raise InputError(
            [Problem(message=message, file=table.file, field=table.name, code="rules-gap" if not rows else "rules-many")],
            "the rules do not decide this issue",
        )
    return rows


def sketch(profile: Profile, flags: Flags, rules: RuleSet, evaluate: TableEvaluator) -> Sketch:
    """Stage 2: run the rules tables in order, in roles. Pure."""
    trace: list[TraceStep] = []

    def step(row: Any, detail: str = "") -> None:
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

    (row,) = _select(evaluate, rules.table("lead"), {"whistle": whistle.value, "mode": mode, "has_community": profile.has_community})
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
    def chain(at: Grade) -> list[tuple[Any, str, Grade]]:
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

    (row,) = _select(evaluate, rules.table("deadline"), {"whistle": whistle.value, "request_kind": flags.request_kind, "grade": grade.value})
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
    raise InputError([Problem(message=f"unknown time-limit unit {unit!r}; expected minutes, hours or working_days",
                              field="deadline", value=unit, code="unknown-unit")], "invalid rules")


def units_of(located: Located, drawn: Sketch) -> tuple[UnitRef, tuple[UnitRef, ...], tuple[UnitRef, ...]]:
    """Stage 3a: the sketch's roles made the place's units — (lead, co-units, escalation path).
    Co-units: every holder of a candidate power and every unit the sketch names, but the lead,
    sorted by code."""
    key = (drawn.lead, drawn.co_roles, drawn.path)
    found = located.units_of.get(key)
    if found is None:
        refs = located.refs
        lead = refs[drawn.lead]
        co = dict(located.powers.holder_refs)
        for role in drawn.co_roles:
            co[refs[role].code] = refs[role]
        co.pop(lead.code, None)
        found = (lead, tuple(co[code] for code in sorted(co)), (lead, *(refs[role] for role in drawn.path)))
        located.units_of[key] = found
    return found


_DECISION_FIELDS = frozenset(Decision.model_fields)
# pydantic's BaseModel keeps an instance's state in four slots; their descriptors, called
# directly, skip the attribute lookup `object.__setattr__` makes (3× faster per decision).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_new_decision = Decision.__new__


def _built(values: dict[str, Any]) -> Decision:
    # What `Decision.model_construct` does, without its per-field loop (15× faster): every
    # value was built from validated values by this module; tests round-trip decisions through
    # `Decision.model_validate_json` and compare them with validated ones to keep this honest.
    decision = _new_decision(Decision)
    _set_dict(decision, values)
    _set_fields_set(decision, _DECISION_FIELDS)
    _set_extra(decision, None)
    _set_private(decision, None)
    return decision


class Plan:
    """Stage 3a's result: a routed decision for one place and sketch, less what is the issue's
    own — its id and two deadlines, which `stamp` (stage 3b) fills in. Every decision, of
    either engine, is a stamped plan; the compiled engine keeps plans and stamps each again.
    A plan holds its values as one tuple (a kept dict would weigh ~1 KB per plan, and a busy
    router keeps tens of thousands)."""

    __slots__ = ("fields", "respond_delta", "respond_days", "complete_delta", "complete_days")

    def __init__(self, located: Located, drawn: Sketch, rules_version: str) -> None:
        lead, co_units, path = units_of(located, drawn)
        self.fields = (
            located.category.code, located.street.code, drawn.whistle, drawn.whistle_label,
            drawn.grade, drawn.level, lead, co_units, path, located.powers.powers,
            located.powers.trace + drawn.trace, rules_version,
        )
        self.respond_delta = drawn.respond_delta
        self.respond_days = drawn.respond[0]
        self.complete_delta = drawn.complete_delta
        self.complete_days = drawn.complete[0]

    def stamp(self, issue: Issue, calendar: WorkCalendar) -> Decision:
        """The decision for `issue`: clock times from received_at, on the working-day calendar.
        Raises CalendarError for a day-based limit in a year the calendar does not know; a
        limit counted over a year of the calendar's "statutory" fallback adds the trace step
        `calendar.unknown_year` (computed here, per issue, so cached plans stay exact)."""
        category, street, whistle, label, grade, level, lead, co_units, path, powers, trace, version = self.fields
        received = issue.received_at
        try:
            delta = self.respond_delta
            respond_by = received + delta if delta is not None else calendar.end_of_working_days(received, self.respond_days)
            delta = self.complete_delta
            complete_by = received + delta if delta is not None else calendar.end_of_working_days(received, self.complete_days)
        except OverflowError:  # received near 9999-12-31: a limit past the last date there is
            raise CalendarError([Problem(
                message="the time limits run past the last date a calendar can hold (9999-12-31)",
                field="received_at", value=received.isoformat(), code="date-out-of-range",
            )], "cannot count the time limits") from None
        first = calendar.provisional_from
        if ((self.complete_delta is None and complete_by.year >= first)
                or (self.respond_delta is None and respond_by.year >= first)):
            # The latest day a working-day count reached; both counts start the day after receipt.
            last = complete_by if self.complete_delta is None else respond_by
            if self.respond_delta is None and respond_by > last:
                last = respond_by
            years = calendar.provisional_years(received.date() + timedelta(days=1), last.date())
            if years:
                trace = trace + (unknown_year_step(years),)
        return _built({
            "issue_id": issue.id,
            "status": "routed",
            "category": category,
            "street": street,
            "whistle": whistle,
            "whistle_label": label,
            "grade": grade,
            "level": level,
            "lead": lead,
            "co_units": co_units,
            "escalation_path": path,
            "powers": powers,
            "respond_by": respond_by,
            "complete_by": complete_by,
            "trace": trace,
            "rules_version": version,
            "errors": (),
        })


@lru_cache(maxsize=256)
def unknown_year_step(years: tuple[int, ...]) -> TraceStep:
    """The trace step of a decision whose deadline was counted on the calendar's "statutory"
    fallback for `years` (which neither chinese-calendar nor the override sheet knows)."""
    shown = "、".join(str(y) for y in years)
    english = ", ".join(str(y) for y in years)
    return trace_step(
        UNKNOWN_YEAR_RULE,
        f"工作日历未收录{shown}年的放假安排：时限按周一至周五、扣除《全国年节及纪念日放假办法》"
        f"固定日期的法定节假日（元旦1月1日、清明节、劳动节5月1日至2日、国庆节10月1日至3日）推算，"
        f"未计春节、端午节、中秋节和调休，为暂定时限；国务院办公厅公布{shown}年节假日安排后，"
        f"请录入 catalogs/calendar_overrides.xlsx 工作表“调休调整”"
        f" (the working-day calendar does not know {english}: the deadline is PROVISIONAL, counted "
        f"as Monday–Friday less the fixed-date statutory holidays (New Year's Day 1 Jan, Qingming, "
        f"Labour Day 1–2 May, National Day 1–3 Oct), without the Spring Festival, Dragon Boat and "
        f"Mid-Autumn holidays and make-up workdays; enter the State Council's notice for {english} "
        f"in catalogs/calendar_overrides.xlsx, sheet 调休调整)",
    )


def finish(issue: Issue, located: Located, drawn: Sketch, calendar: WorkCalendar, rules_version: str) -> Decision:
    """Stage 3: the units, and clock times on the working-day calendar; the Decision value."""
    return Plan(located, drawn, rules_version).stamp(issue, calendar)


def decide(issue: Issue, catalog: Catalog, rules: RuleSet, calendar: WorkCalendar, evaluate: TableEvaluator, rules_version: str) -> Decision:
    """The routing pipeline, one pure function. Raises InputError / CalendarError."""
    located = locate(catalog, issue.category, issue.location)
    drawn = sketch(located.profile, flags_of(issue, rules), rules, evaluate)
    return finish(issue, located, drawn, calendar, rules_version)


def unknown_year_mode(rules: RuleSet) -> str:
    """`[params] unknown_year` of rules/deadlines.toml: "statutory" (also when absent) or
    "error". Raises InputError naming the file and field for any other value."""
    rule_file = rules.files.get(DEADLINES)
    if rule_file is None or "unknown_year" not in rule_file.params:
        return "statutory"
    value = rule_file.params["unknown_year"]
    if value not in UNKNOWN_YEAR_MODES:
        raise InputError([Problem(
            message=(f"unknown_year must be one of {', '.join(repr(m) for m in UNKNOWN_YEAR_MODES)}: "
                     f"\"statutory\" counts a year the working-day calendar does not know on the fixed-date "
                     f"statutory holidays (provisional), \"error\" rejects the issue"),
            file=rule_file.path, field="params.unknown_year", value=str(value), code="rules-bad-param",
        )], "invalid rules")
    return str(value)


def rules_version_of(rules: RuleSet, catalog: Catalog) -> str:
    return hashlib.sha256(f"{rules.version}:{catalog.fingerprint}".encode()).hexdigest()[:16]


SHOWN_VALUE = 200  # characters of an invalid value a problem repeats


def _shown_value(text: str) -> str:
    """An invalid value as a problem shows it: a 10 MB cell is named, not echoed into every
    decision's errors (JSONL, CSV, XLSX, whose cells hold at most 32,767 characters)."""
    if len(text) <= SHOWN_VALUE:
        return text
    return f"{text[:SHOWN_VALUE]}…（共 {len(text)} 字符 / {len(text)} characters in all）"


def validation_problems(error: ValidationError, file: str | None = None, row: int | None = None) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or None
        value = item.get("input")
        shown = None if isinstance(value, Mapping) else (None if value is None else _shown_value(str(value)))
        problems.append(Problem(message=item["msg"], file=file, row=row, field=field, value=shown, code=item["type"]))
    return problems


class Router:
    """Routes issues to the unit that holds the power to act. Pure: no clock, no I/O."""

    _CACHE_LIMIT = 200_000
    # A plan and its key weigh ~0.6 KB: at most ~60 MB of plans (100,000 generated issues over
    # the shipped catalogs hold ~77,000 distinct (place, flags) keys).
    _PLAN_LIMIT = 100_000

    def __init__(self, catalog: Catalog | str | Path | None, rules: RuleSet | str | Path | None = None,
                 engine: str = "compiled", calendar: WorkCalendar | None = None) -> None:
        """`catalog`: a `Catalog`, or a catalogs directory (None: the shipped catalogs);
        `rules`: a `RuleSet`, or a rules directory (None: the shipped rules)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
        if catalog is None or isinstance(catalog, (str, Path)):
            from ..catalog.loader import load_catalogs

            catalog = load_catalogs(catalog)
        elif not isinstance(catalog, Catalog):
            raise TypeError(f"catalog must be a Catalog or a catalogs directory, not {type(catalog).__name__}")
        if rules is None or isinstance(rules, (str, Path)):
            rules = RuleSet.load(rules)
        elif not isinstance(rules, RuleSet):
            raise TypeError(f"rules must be a RuleSet or a rules directory, not {type(rules).__name__}")
        for name in ("whistle", "lead", "emergency_floor", "repeat", "escalation", "deadline"):
            if name not in rules.tables:
                raise InputError([Problem(message=f"the rules have no table {name!r}", field=name, code="missing-table")], "incomplete rules")
        self.catalog = catalog
        self.rules = rules
        self.engine = engine
        self.unknown_year = unknown_year_mode(rules)
        # A calendar passed in is used as given (its own unknown_year); otherwise the rules decide.
        self.calendar = calendar if calendar is not None else WorkCalendar(catalog.data.calendar_overrides, unknown_year=self.unknown_year)
        self.rules_version = rules_version_of(rules, catalog)
        self._evaluate = make_evaluator(engine, rules)
        self._threshold = int(rules.param(ROUTING, "repeat_threshold"))
        self._located: dict[tuple[str, str], Located | InputError] = {}
        self._sketches: dict[tuple[Any, ...], Sketch | InputError] = {}
        self._powers: dict[tuple[str, str], Powers] = {}
        self._plans: dict[tuple[Any, ...], Plan | InputError] = {}

    @classmethod
    def default(cls, engine: str = "compiled", *, catalogs: str | Path | None = None, rules: str | Path | None = None) -> Router:
        """The shipped catalogs and rules (or the given directories)."""
        from ..catalog.loader import load_catalogs

        return cls(load_catalogs(catalogs), RuleSet.load(rules), engine=engine)

    # ---- routing ------------------------------------------------------------------------

    def _decide(self, issue: Issue) -> Decision:
        if self.engine == "durable":
            # `decide`, with stage 1 (the catalog's answer for the place) shared between
            # issues: every rules table is still evaluated by durable-rules for every issue.
            located = self._locate(issue.category, issue.location)
            if isinstance(located, InputError):
                raise InputError(located.problems, located.summary)
            drawn = sketch(located.profile, flags_of(issue, self.rules), self.rules, self._evaluate)
            return finish(issue, located, drawn, self.calendar, self.rules_version)
        # Everything a Plan depends on. Request kinds are enum singletons (or None): their id
        # is a key as exact as the member and cheaper to hash (Enum.__hash__ is Python code).
        key = (issue.category, issue.location, issue.emergency, issue.key_work, issue.needs_enforcement,
               issue.cross_department, issue.repeat_count >= self._threshold, id(issue.request_kind))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(issue)
            if len(self._plans) >= self._PLAN_LIMIT:
                self._plans.clear()
            self._plans[key] = plan
        if isinstance(plan, InputError):
            raise InputError(plan.problems, plan.summary)
        return plan.stamp(issue, self.calendar)

    def _locate(self, category: str, location: str) -> Located | InputError:
        """Stage 1, memoised by (category, location)."""
        where = (category, location)
        located = self._located.get(where)
        if located is None:
            try:
                located = locate(self.catalog, *where, powers=self._powers_at)
            except InputError as error:
                located = error
            if len(self._located) >= self._CACHE_LIMIT:
                self._located.clear()
            self._located[where] = located
        return located

    def _plan(self, issue: Issue) -> Plan | InputError:
        """The compiled engine's stages 1 and 2 (each memoised) and the plan they give."""
        located = self._locate(issue.category, issue.location)
        if isinstance(located, InputError):
            return located
        key = (located.profile, issue.emergency, issue.key_work, issue.needs_enforcement,
               issue.cross_department, issue.repeat_count >= self._threshold, issue.request_kind)
        drawn = self._sketches.get(key)
        if drawn is None:
            try:
                drawn = sketch(located.profile, flags_of(issue, self.rules), self.rules, self._evaluate)
            except InputError as error:
                drawn = error
            self._sketches[key] = drawn  # bounded: every part of the key is enumerable
        if isinstance(drawn, InputError):
            return drawn
        return Plan(located, drawn, self.rules_version)

    def _powers_at(self, catalog: Catalog, category: Category, street: Street) -> Powers:
        # Per (category, street): the powers, holders and modes, whatever the issue's flags.
        key = (category.code, street.code)
        found = self._powers.get(key)
        if found is None:
            found = self._powers[key] = powers_at(catalog, category, street)
        return found

    def route(self, issue: Issue | Mapping[str, Any]) -> Decision:
        """Route one issue; raise InputError (located) for an invalid or unknown issue."""
        if not isinstance(issue, Issue):
            try:
                issue = as_issue(issue)
            except ValidationError as error:
                problems = validation_problems(error)
                problems += reference_problems(self.catalog, issue, (p.field for p in problems))
                raise InputError(problems, "invalid issue") from None
        return self._decide(issue)

    def route_many(self, items: Iterable[Any]) -> Iterator[Decision]:
        """Route every item (Issue, dict, another pydantic model, or IssueRecord from
        `issue_io.read_issues`), in order. Never stops on a bad item: it becomes a `rejected`
        decision whose `errors` say what was wrong and where (file, row, cell, field); an item
        without a usable id is named by its position, "#3"."""
        from .issue_io import IssueRecord

        for position, item in enumerate(items, start=1):
            record = item if isinstance(item, IssueRecord) else None
            raw: Any = record.data if record else item
            if record and record.problems:
                yield self.rejected(record.issue_id(position), record.problems, raw)
                continue
            try:
                issue = raw if isinstance(raw, Issue) else as_issue(raw)
            except (ValidationError, InputError) as error:
                problems = validation_problems(error) if isinstance(error, ValidationError) else list(error.problems)
                problems += reference_problems(self.catalog, raw, (p.field for p in problems))
                issue_id = record.issue_id(position) if record else _raw_id(raw, position)
                yield self.rejected(issue_id, [record.locate(p) for p in problems] if record else problems, raw)
                continue
            try:
                yield self._decide(issue)
            except InputError as error:
                problems = [record.locate(p) if record and p.code != "rules-gap" else p for p in error.problems]
                yield self.rejected(issue.id, problems, raw)

    def rejected(self, issue_id: str, problems: Iterable[Problem], raw: Any = None) -> Decision:
        category = raw.get("category") if isinstance(raw, Mapping) else getattr(raw, "category", None)
        return Decision(
            issue_id=issue_id,
            status="rejected",
            category=str(category) if isinstance(category, (str, int)) and not isinstance(category, bool) else None,
            rules_version=self.rules_version,
            errors=tuple(problems),
        )

    # ---- explaining ---------------------------------------------------------------------

    def explain(self, issue: Issue | Mapping[str, Any]) -> str:
        """A readable explanation, in Chinese and English, citing rules, powers and legal basis."""
        decision = self.route(issue)
        return explain_decision(decision)


def as_issue(raw: Any) -> Issue:
    """An Issue from a mapping (Issue field names or the Chinese aliases of issue files) or
    another pydantic model with the same fields. Raises pydantic's ValidationError."""
    from .issue_io import canonical

    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    if isinstance(raw, Mapping):
        raw, twice = canonical(dict(raw))
        if twice:
            raise InputError([Problem(message=m, field=k, code="duplicate-field") for k, m in twice], "invalid issue")
    return Issue.model_validate(raw)


def _raw_id(raw: Any, position: int) -> str:
    value = raw.get("id") if isinstance(raw, Mapping) else getattr(raw, "id", None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return f"#{position}"


def _unit(ref: UnitRef) -> str:
    return f"{ref.name}（{ref.code}，{ref.level.label}级 {ref.level.value}）"


def uses_unknown_year(decision: Decision) -> bool:
    """True if a deadline of `decision` was counted on the calendar's "statutory" fallback."""
    return any(step.rule == UNKNOWN_YEAR_RULE for step in decision.trace)


def explain_decision(decision: Decision) -> str:
    """The explanation text of a decision (routed or rejected)."""
    lines = [f"诉求 issue {decision.issue_id}"]
    if decision.status == "rejected":
        lines.append("未派单：输入有误 (rejected: the input is invalid or unknown)")
        lines += [f"  - {problem}" for problem in decision.errors]
        return "\n".join(lines)
    assert decision.whistle is not None and decision.grade is not None and decision.lead is not None
    lines += [
        f"哨类 whistle: {decision.whistle_label} ({decision.whistle.value})",
        f"分级 grade: {decision.grade.value}级，{decision.grade.level.label}级处置 (handled at {decision.grade.level.value} level)",
        f"牵头单位 lead: {_unit(decision.lead)}",
    ]
    if decision.co_units:
        lines.append("协办单位 co-units: " + "；".join(_unit(u) for u in decision.co_units))
    lines.append("呼叫链 escalation path: " + " → ".join(u.name for u in decision.escalation_path))
    lines.append(f"响应时限 respond by: {decision.respond_by.isoformat(timespec='seconds') if decision.respond_by else '-'}")
    lines.append(f"办结时限 complete by: {decision.complete_by.isoformat(timespec='seconds') if decision.complete_by else '-'}")
    if uses_unknown_year(decision):
        lines.append("  注意：暂定时限，见决策过程 [calendar.unknown_year] "
                     "(note: provisional deadline, see the step calendar.unknown_year below)")
    if decision.powers:
        lines.append("权力事项与实施依据 powers and legal basis:")
        for power in decision.powers:
            lines.append(f"  - {power.code} {power.name}（权力类型 kind {power.kind}）")
            for basis in power.legal_basis:
                lines.append(f"      依据 basis: {basis}")
    else:
        lines.append("权力事项 powers: 无需行政权力 (none needed)")
    lines.append("决策过程 how it was decided (rule — reason):")
    lines += [f"  {n}. [{step.rule}] {step.reason}" for n, step in enumerate(decision.trace, start=1)]
    lines.append(f"规则版本 rules version: {decision.rules_version}")
    return "\n".join(lines)


__all__ = ["Router", "decide", "explain_decision", "locate", "sketch", "units_of", "finish", "uses_unknown_year"]
