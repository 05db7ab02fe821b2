"""A plan as its JSON text needs it — 派单结果的文本: what `Router.route_json` and `powerlist route`
stamp for an issue, without making the Decision.

`json_plan(located, drawn, rules_version)` is a `plan.Plan` reduced to plain values: its text's
parts (kept for its place, sketch and units: `decision_json.PlanText`), its two time limits (a
clock delta, or a number of working days) and its place's (category, street), where its powers
are found to be cited on the day (`place.Powers.citer`). A tuple of strings, numbers and
timedeltas only, so the cyclic garbage collector stops walking it once it has seen it (a busy
router keeps 100,000). `stamped` fills in an issue's id and deadlines: the text `decision_json`
gives for `Plan.stamp`'s Decision (tests/test_decision_json.py compares them on random issues).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .calendar import WorkCalendar
from .citing import Citer
from .decision_json import (
    PlaceText,
    PlanBytes,
    PlanText,
    SketchText,
    kept,
    moment,
    moment_text,
    place_text,
    plan_bytes,
    routed_bytes,
    routed_json,
    sketch_text,
    units_text,
)
from .issue import SHANGHAI, Issue
from .place import Located
from .plan import deadlines, units_of, unknown_year_step
from .sketch import Sketch

# (text, respond delta or None, respond working days, complete delta or None, complete working
# days, (category, street) of the place)
JsonPlan = tuple[PlanText, timedelta | None, int, timedelta | None, int, tuple[str, str]]
# A decision's JSON text with what a run counts of it: its deadlines, and whether one is provisional.
Stamped = tuple[str, datetime, datetime, bool]
# The same plan and stamp with the text as UTF-8 bytes.
BytesPlan = tuple[PlanBytes, timedelta | None, int, timedelta | None, int, tuple[str, str]]
StampedBytes = tuple[bytes, datetime, datetime, bool]


def json_plan(located: Located, drawn: Sketch, rules_version: str) -> JsonPlan:
    """The plan of `located` and `drawn` as its JSON text needs it; `rules_version` as JSON text
    (`decision_json.text`)."""
    units = units_of(located, drawn)
    # a place's text is its category and street's (their Powers), unless it was resolved by name
    text = (kept(located.powers if not located.resolved else located, _place_text, located),
            kept(drawn, _sketch_text, drawn), kept(units, units_text, units), rules_version)
    powers = located.powers
    return (text, drawn.respond_delta, drawn.respond[0], drawn.complete_delta, drawn.complete[0],
            powers.where if powers.where[0] else (located.category.code, located.street.code))


def stamped(plan: JsonPlan, issue: Issue, calendar: WorkCalendar, citer: Citer) -> Stamped:
    """(the JSON text of `plan` stamped for `issue`, respond_by, complete_by, whether a deadline
    is provisional: the trace then ends with `calendar.unknown_year`); `citer`: the place's
    powers (`Powers.citer`). Raises CalendarError as `Plan.stamp` does."""
    text, respond_delta, respond_days, complete_delta, complete_days, _ = plan
    values = issue.__dict__  # not through the model's __getattr__ hook
    received = values["received_at"]
    respond_by, complete_by, years = deadlines(received, respond_delta, respond_days, complete_delta, complete_days,
                                               calendar)
    powers, in_force = citer.on((received if received.tzinfo is SHANGHAI else received.astimezone(SHANGHAI)).date())
    # a working-day deadline is one value per day and limit (its text kept); a clock one the issue's own
    return (routed_json(values["id"], text, powers,
                        moment(respond_by) if respond_delta is None else moment_text(respond_by),
                        moment(complete_by) if complete_delta is None else moment_text(complete_by),
                        in_force, unknown_year_step(years) if years else None),
            respond_by, complete_by, bool(years))


def bytes_plan(plan: JsonPlan) -> BytesPlan:
    """`plan` with its text's parts as UTF-8 (`decision_json.plan_bytes`), for a writer of bytes."""
    return (plan_bytes(plan[0]), *plan[1:])


def stamped_bytes(plan: BytesPlan, issue: Issue, calendar: WorkCalendar, citer: Citer) -> StampedBytes:
    """`stamped`, its text as UTF-8."""
    text, respond_delta, respond_days, complete_delta, complete_days, _ = plan
    values = issue.__dict__  # not through the model's __getattr__ hook
    received = values["received_at"]
    respond_by, complete_by, years = deadlines(received, respond_delta, respond_days, complete_delta, complete_days,
                                               calendar)
    powers, in_force = citer.on((received if received.tzinfo is SHANGHAI else received.astimezone(SHANGHAI)).date())
    return (routed_bytes(values["id"], text, powers,
                         moment(respond_by) if respond_delta is None else moment_text(respond_by),
                         moment(complete_by) if complete_delta is None else moment_text(complete_by),
                         in_force, unknown_year_step(years) if years else None),
            respond_by, complete_by, bool(years))


def _place_text(located: Located) -> PlaceText:
    return place_text(located.category.code, located.street.code, (located.resolved, located.powers.trace))


def _sketch_text(drawn: Sketch) -> SketchText:
    return sketch_text(drawn.whistle, drawn.whistle_label, drawn.grade, drawn.level, drawn.trace)


__all__ = ["BytesPlan", "JsonPlan", "Stamped", "StampedBytes", "bytes_plan", "json_plan", "stamped", "stamped_bytes"]
