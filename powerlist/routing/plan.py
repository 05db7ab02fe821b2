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

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from ..errors import CalendarError, Problem
from .calendar import WorkCalendar
from .citing import IN_FORCE_RULE, Citer, cite_powers
from .decision import Decision, PowerRef, TraceStep, built, trace_step
from .issue import SHANGHAI, Issue
from .place import Located, Units
from .sketch import Sketch

UNKNOWN_YEAR_RULE = "calendar.unknown_year"


def units_of(located: Located, drawn: Sketch) -> Units:
    """Stage 3a: the sketch's roles made the place's units — (lead, co-units, escalation path).
    Co-units: every holder of a principal or related power and every unit the sketch names, but the lead,
    sorted by code. Kept per category and street (`Powers.units_of`): the units of every place of
    the street are the same tuples unless a role is the community."""
    lead_role, co_roles, path = drawn.lead, drawn.co_roles, drawn.path
    refs = located.refs
    community = (refs["community"].code if "community" in refs and (
        lead_role == "community" or "community" in co_roles or "community" in path) else None)
    key = (community, lead_role, co_roles, path)
    kept = located.powers.units_of
    found = kept.get(key)
    if found is None:
        lead = refs[lead_role]
        co = dict(located.powers.holder_refs)
        for role in co_roles:
            co[refs[role].code] = refs[role]
        co.pop(lead.code, None)
        found = (lead, tuple(co[code] for code in sorted(co)), (lead, *(refs[role] for role in path)))
        kept[key] = found
    return found


def _built(values: dict[str, Any]) -> Decision:
    # What `Decision.model_construct` does (`decision.built`): every value was built from
    # validated values by this module; tests round-trip decisions through
    # `Decision.model_validate_json` and compare them with validated ones to keep this honest.
    return built(Decision, values)


class Plan:
    """Stage 3a's result: a routed decision for one place and sketch, less what is the issue's
    own — its id and two deadlines, which `stamp` (stage 3b) fills in. A plan refers to what it
    shares with other plans (its place, its sketch, its units, its text's parts) and holds
    little of its own: a busy router keeps tens of thousands, and the cyclic garbage collector
    walks every object they hold."""

    __slots__ = ("located", "drawn", "units", "rules_version", "citer")

    def __init__(self, located: Located, drawn: Sketch, rules_version: str) -> None:
        self.located = located
        self.drawn = drawn
        self.units = units_of(located, drawn)
        self.rules_version = rules_version
        powers = located.powers
        # the powers as cited on a day: one Citer per category and street, shared by its plans
        self.citer = powers.citer or Citer(powers.powers, powers.statutes)

    def times(self, issue: Issue, calendar: WorkCalendar) -> tuple[datetime, datetime, tuple[int, ...]]:
        """(respond_by, complete_by, the years the calendar's "statutory" fallback counted them
        over) for `issue` (`deadlines`)."""
        drawn = self.drawn
        return deadlines(issue.received_at, drawn.respond_delta, drawn.respond[0], drawn.complete_delta,
                         drawn.complete[0], calendar)

    def cited(self, issue: Issue) -> tuple[tuple[PowerRef, ...], TraceStep | None]:
        """The plan's powers with their legal basis as in force on the day `issue` was received
        (Asia/Shanghai), and the `statutes.in_force` step when a version was left out: the same
        tuple for every plan of the place and day between two version days (`citing.Citer`), so
        its JSON text is kept by identity too."""
        received = issue.received_at
        return self.citer.on((received if received.tzinfo is SHANGHAI else received.astimezone(SHANGHAI)).date())

    def stamp(self, issue: Issue, calendar: WorkCalendar) -> Decision:
        """The decision for `issue`: clock times from received_at, on the working-day calendar.
        Raises CalendarError for a day-based limit in a year the calendar does not know; a
        limit counted over a year of the calendar's "statutory" fallback adds the trace step
        `calendar.unknown_year` (computed here, per issue, so cached plans stay exact)."""
        located, drawn = self.located, self.drawn
        lead, co_units, path = self.units
        respond_by, complete_by, years = self.times(issue, calendar)
        powers, in_force = self.cited(issue)
        trace = located.resolved + located.powers.trace + drawn.trace
        if in_force is not None:
            trace = trace + (in_force,)
        if years:
            trace = trace + (unknown_year_step(years),)
        return _built({
            "issue_id": issue.id,
            "status": "routed",
            "category": located.category.code,
            "street": located.street.code,
            "whistle": drawn.whistle,
            "whistle_label": drawn.whistle_label,
            "grade": drawn.grade,
            "level": drawn.level,
            "lead": lead,
            "co_units": co_units,
            "escalation_path": path,
            "powers": powers,
            "respond_by": respond_by,
            "complete_by": complete_by,
            "trace": trace,
            "rules_version": self.rules_version,
            "errors": (),
        })


def deadlines(received: datetime, respond_delta: timedelta | None, respond_days: int, complete_delta: timedelta | None,
              complete_days: int, calendar: WorkCalendar) -> tuple[datetime, datetime, tuple[int, ...]]:
    """(respond_by, complete_by, the years the calendar's "statutory" fallback counted them
    over) of limits received at `received` — each a clock delta, or (delta None) a number of
    working days. Raises CalendarError for a day-based limit in a year the calendar does not
    know, or past the last date a calendar can hold."""
    try:
        respond_by = (received + respond_delta if respond_delta is not None
                      else calendar.end_of_working_days(received, respond_days))
        complete_by = (received + complete_delta if complete_delta is not None
                       else calendar.end_of_working_days(received, complete_days))
    except OverflowError:  # received near 9999-12-31: a limit past the last date there is
        raise CalendarError([Problem(
            message="时限超出日历能表示的最后日期 9999-12-31 (the time limits run past the last date a calendar "
            "can hold)",
            field="received_at", value=received.isoformat(), code="date-out-of-range",
        )], "无法计算时限 (cannot count the time limits)") from None
    first = calendar.provisional_from
    if ((complete_delta is None and complete_by.year >= first)
            or (respond_delta is None and respond_by.year >= first)):
        # The latest day a working-day count reached; both counts start the day after receipt.
        last = complete_by if complete_delta is None else respond_by
        if respond_delta is None and respond_by > last:
            last = respond_by
        return respond_by, complete_by, calendar.provisional_years(received.date() + timedelta(days=1), last.date())
    return respond_by, complete_by, ()


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


__all__ = ["IN_FORCE_RULE", "UNKNOWN_YEAR_RULE", "Plan", "cite_powers", "deadlines", "finish", "units_of",
           "unknown_year_step", "uses_unknown_year"]
