"""Stage 3 of routing — a sketch made a decision: the place's units, and the clock.

`units_of` (3a) turns the sketch's roles into the place's units; a `Plan` is the decision for
one place and sketch less what is the issue's own — its id and two deadlines — which
`Plan.stamp` (3b) fills in from `received_at` on the working-day calendar. Every decision, of
either engine, is a stamped plan; the compiled engine keeps plans and stamps each again, so an
issue seen before in all but its id and clock costs one dict lookup, its deadlines and the
Decision value.

A deadline counted over a year the calendar knows only by its "statutory" fallback is
provisional: the decision's trace then ends with the step `calendar.unknown_year`
(`uses_unknown_year`).

The powers' legal basis is also the issue's own: `stamp` cites each power's basis as in force on
the day of `received_at` (Asia/Shanghai) — a text the catalog's statutes table models in the
version then in force, with its label — and, when that left a version out, adds the step
`statutes.in_force` saying which day and which texts (`cite_powers`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from ..catalog.models import Grade, Level
from ..catalog.statutes import Statutes
from ..errors import CalendarError, Problem
from .calendar import WorkCalendar
from .decision import Decision, PowerRef, TraceStep, UnitRef, Whistle, trace_step
from .decision_json import routed_json
from .issue import SHANGHAI, Issue
from .place import Located, Units
from .sketch import Sketch

UNKNOWN_YEAR_RULE = "calendar.unknown_year"
IN_FORCE_RULE = "statutes.in_force"


def units_of(located: Located, drawn: Sketch) -> Units:
    """Stage 3a: the sketch's roles made the place's units — (lead, co-units, escalation path).
    Co-units: every holder of a principal or related power and every unit the sketch names, but the lead,
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


# A plan's decision fields: category, street, whistle, whistle label, grade, level, lead,
# co-units, escalation path, powers, trace, rules version.
PlanFields = tuple[str, str, Whistle, str, Grade, Level, UnitRef, tuple[UnitRef, ...], tuple[UnitRef, ...],
                   tuple[PowerRef, ...], tuple[TraceStep, ...], str]


class Plan:
    """Stage 3a's result: a routed decision for one place and sketch, less what is the issue's
    own — its id and two deadlines, which `stamp` (stage 3b) fills in. A plan holds its values
    as one tuple (a kept dict would weigh ~1 KB per plan, and a busy router keeps tens of
    thousands)."""

    __slots__ = ("fields", "respond_delta", "respond_days", "complete_delta", "complete_days", "statutes", "dated")

    def __init__(self, located: Located, drawn: Sketch, rules_version: str) -> None:
        lead, co_units, path = units_of(located, drawn)
        self.fields: PlanFields = (
            located.category.code, located.street.code, drawn.whistle, drawn.whistle_label,
            drawn.grade, drawn.level, lead, co_units, path, located.powers.powers,
            located.resolved + located.powers.trace + drawn.trace, rules_version,
        )
        self.respond_delta = drawn.respond_delta
        self.respond_days = drawn.respond[0]
        self.complete_delta = drawn.complete_delta
        self.complete_days = drawn.complete[0]
        self.statutes = located.powers.statutes
        # day → (powers as cited that day, the statutes.in_force step or None); a plan sees few days
        self.dated: dict[date, tuple[tuple[PowerRef, ...], TraceStep | None]] = {}

    def times(self, issue: Issue, calendar: WorkCalendar) -> tuple[datetime, datetime, tuple[int, ...]]:
        """(respond_by, complete_by, the years the calendar's "statutory" fallback counted them
        over) for `issue`. Raises CalendarError for a day-based limit in a year the calendar
        does not know, or past the last date a calendar can hold."""
        received = issue.received_at
        try:
            delta = self.respond_delta
            respond_by = (received + delta if delta is not None
                          else calendar.end_of_working_days(received, self.respond_days))
            delta = self.complete_delta
            complete_by = (received + delta if delta is not None
                           else calendar.end_of_working_days(received, self.complete_days))
        except OverflowError:  # received near 9999-12-31: a limit past the last date there is
            raise CalendarError([Problem(
                message="时限超出日历能表示的最后日期 9999-12-31 (the time limits run past the last date a calendar "
                "can hold)",
                field="received_at", value=received.isoformat(), code="date-out-of-range",
            )], "无法计算时限 (cannot count the time limits)") from None
        first = calendar.provisional_from
        if ((self.complete_delta is None and complete_by.year >= first)
                or (self.respond_delta is None and respond_by.year >= first)):
            # The latest day a working-day count reached; both counts start the day after receipt.
            last = complete_by if self.complete_delta is None else respond_by
            if self.respond_delta is None and respond_by > last:
                last = respond_by
            return respond_by, complete_by, calendar.provisional_years(received.date() + timedelta(days=1),
                                                                       last.date())
        return respond_by, complete_by, ()

    def cited(self, issue: Issue) -> tuple[tuple[PowerRef, ...], TraceStep | None]:
        """The plan's powers with their legal basis as in force on the day `issue` was received
        (Asia/Shanghai), and the `statutes.in_force` step when a version was left out. Kept per
        day (one tuple per plan and day, so its JSON text is kept by identity too)."""
        day = issue.received_at.astimezone(SHANGHAI).date()
        dated = self.dated.get(day)
        if dated is None:
            dated = cite_powers(self.fields[9], self.statutes, day)
            if len(self.dated) >= 64:
                self.dated.clear()
            self.dated[day] = dated
        return dated

    def stamp(self, issue: Issue, calendar: WorkCalendar) -> Decision:
        """The decision for `issue`: clock times from received_at, on the working-day calendar.
        Raises CalendarError for a day-based limit in a year the calendar does not know; a
        limit counted over a year of the calendar's "statutory" fallback adds the trace step
        `calendar.unknown_year` (computed here, per issue, so cached plans stay exact)."""
        category, street, whistle, label, grade, level, lead, co_units, path, powers, trace, version = self.fields
        respond_by, complete_by, years = self.times(issue, calendar)
        powers, in_force = self.cited(issue)
        if in_force is not None:
            trace = trace + (in_force,)
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

    def stamp_json(self, issue: Issue, calendar: WorkCalendar) -> str:
        """`decision_json(self.stamp(issue, calendar))`, without making the Decision: the plan's
        own part of the text is kept (`decision_json.plan_text`). Raises what `stamp` raises."""
        respond_by, complete_by, years = self.times(issue, calendar)
        powers, in_force = self.cited(issue)
        return routed_json(issue.id, self.fields, powers, respond_by, complete_by,
                           in_force, unknown_year_step(years) if years else None)


def cite_powers(powers: tuple[PowerRef, ...], statutes: Statutes, day: date
                ) -> tuple[tuple[PowerRef, ...], TraceStep | None]:
    """`powers` with each legal basis cited as in force on `day`, and the `statutes.in_force`
    step when a version was left out (not yet or no longer in force), else None."""
    if not statutes:
        return powers, None
    out: list[PowerRef] = []
    chosen: dict[str, str] = {}
    left_out = 0
    for power in powers:
        cited = statutes.cited_on(power.legal_basis, day)
        left_out += len(power.legal_basis) - len(cited)
        for c in cited:
            if c.version is not None:
                chosen.setdefault(c.version.id, c.version.citation_title)
        values = dict(power.__dict__)
        values["legal_basis"] = tuple(c.text for c in cited)
        out.append(PowerRef.model_construct(**values))
    if not left_out:
        return tuple(out), None
    shown = "、".join(chosen.values())
    return tuple(out), trace_step(
        IN_FORCE_RULE,
        f"实施依据按受理日 {day.isoformat()} 施行的版本引用：{shown}；未施行或已废止的 {left_out} 条引文未引用 "
        f"(the legal basis is cited as in force on the day received, {day.isoformat()}: {shown}; {left_out} "
        f"citation(s) of versions not in force that day left out)",
    )


def finish(issue: Issue, located: Located, drawn: Sketch, calendar: WorkCalendar, rules_version: str) -> Decision:
    """Stage 3: the units, and clock times on the working-day calendar; the Decision value."""
    return Plan(located, drawn, rules_version).stamp(issue, calendar)


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


def uses_unknown_year(decision: Decision) -> bool:
    """True if a deadline of `decision` was counted on the calendar's "statutory" fallback."""
    return any(step.rule == UNKNOWN_YEAR_RULE for step in decision.trace)
