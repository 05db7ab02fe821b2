"""A decision as one JSON text — 派单结果 JSON, fast, byte for byte what `model_dump` + `json.dumps` give.

`decision_json(decision)` is exactly

    escape_line_breaks(json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")))

(what `powerlist route` writes, one line per decision; U+2028, U+2029 and U+0085 escaped so the
line stays one line, `sheets.inbound.escape_line_breaks`), built without the dict: most of a
routed decision is shared with every other decision of its plan — the category and street, the
lead, co-units and escalation path (one tuple per place and sketch), the powers with their legal
basis (one tuple per category and street), the trace steps (one value per rule and reason) — so
each of those values is encoded once, kept by identity, and a decision costs its id, its two
deadlines and a join. Strings go through `json.encoder.encode_basestring`, the very function
`json.dumps(..., ensure_ascii=False)` uses, so escaping cannot differ; a rejected decision (its
`errors` are per issue) takes the plain path.

The identity caches hold the values they encoded (so an id cannot be reused while cached) and
are cleared when they reach their limits: `CACHE_LIMIT` entries; `TRACE_LIMIT` whole traces (a
plan's trace tuple is shared by the decisions stamped from it, and is the bulk of their text);
`MOMENT_LIMIT` deadlines (one value per day and working-day limit, see `_moment`).
tests/test_decision_json.py proves the equality on routed, provisional and rejected decisions
of random catalogs, and on decisions read back through full validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from json.encoder import encode_basestring
from typing import Any, TypeVar

from ..catalog.models import Grade, Level
from ..sheets.inbound import escape_line_breaks
from .decision import Decision, PowerRef, TraceStep, UnitRef, Whistle
from .issue import SHANGHAI

CACHE_LIMIT = 100_000
TRACE_LIMIT = 10_000  # whole traces kept (~2 KB each: ≤ ~20 MB)
MOMENT_LIMIT = 50_000
# The fields of a Decision in model order: encoding them by hand is checked against this list
# (tests/test_decision_json.py), so a new field cannot be silently left out.
FIELDS = ("issue_id", "status", "category", "street", "whistle", "whistle_label", "grade", "level", "lead",
          "co_units", "escalation_path", "powers", "respond_by", "complete_by", "trace", "rules_version",
          "errors")

_T = TypeVar("_T")


def _text(value: str) -> str:
    # json's own string encoder, then U+2028, U+2029 and U+0085 as escapes (a JSONL line stays
    # one line: `sheets.inbound.escape_line_breaks`, what every JSON line powerlist writes gets).
    return escape_line_breaks(encode_basestring(value))


def _json(value: Any) -> str:
    return escape_line_breaks(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_cache: dict[int, tuple[object, str]] = {}
_traces: dict[int, tuple[object, str]] = {}
_moments: dict[int, tuple[object, str]] = {}


def _cached(value: _T, encode: Callable[[_T], str]) -> str:
    hit = _cache.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = encode(value)
    if len(_cache) >= CACHE_LIMIT:
        _cache.clear()
    _cache[id(value)] = (value, text)
    return text


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Enum):
        value = value.value
    return str(_text(value))


def _member(value: Any) -> str:
    # Enum members (and None) are singletons: encoded once each.
    hit = _members.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    return _cached(value, _scalar)


_members: dict[int, tuple[object, str]] = {id(m): (m, _scalar(m)) for kind in (Whistle, Grade, Level) for m in kind}
_members[id(None)] = (None, "null")


def _dumped(value: UnitRef | PowerRef | TraceStep) -> str:
    # Each of these is encoded once and kept by identity (`_cached`): pydantic's own dump, so a
    # field added to the model cannot be left out of the text.
    return _json(value.model_dump(mode="json"))


def _unit(unit: UnitRef | None) -> str:
    return "null" if unit is None else _dumped(unit)


def _units(units: tuple[UnitRef, ...]) -> str:
    return "[" + ",".join(_cached(u, _unit) for u in units) + "]"


def _powers(powers: tuple[PowerRef, ...]) -> str:
    return "[" + ",".join(_cached(p, _dumped) for p in powers) + "]"


_step = _dumped


def _moment_text(value: datetime) -> str:
    # Decision's own serialiser: Asia/Shanghai, seconds precision. Without microseconds the
    # default isoformat() is the same text, and cheaper than parsing a timespec.
    local = value if value.tzinfo is SHANGHAI else value.astimezone(SHANGHAI)
    return '"' + (local.isoformat() if not local.microsecond else local.isoformat(timespec="seconds")) + '"'


def _moment(value: datetime | None) -> str:
    # A deadline counted in working days is one value per (day, limit), shared by every issue
    # received that day (`WorkCalendar.end_of_working_days`): its text is kept by identity.
    if value is None:
        return "null"
    hit = _moments.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _moment_text(value)
    if len(_moments) >= MOMENT_LIMIT:
        _moments.clear()
    _moments[id(value)] = (value, text)
    return text


def _trace(trace: tuple[TraceStep, ...]) -> str:
    # A plan's trace is one tuple shared by every decision stamped from it: kept whole (in a
    # smaller cache: a trace is the bulk of a decision), else joined from its steps.
    hit = _traces.get(id(trace))
    if hit is not None and hit[0] is trace:
        return hit[1]
    cache = _cache
    parts = []
    for step in trace:
        found = cache.get(id(step))
        if found is None or found[0] is not step:
            text = _step(step)
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[id(step)] = (step, text)
        else:
            text = found[1]
        parts.append(text)
    joined = ",".join(parts)
    if len(_traces) >= TRACE_LIMIT:
        _traces.clear()
    _traces[id(trace)] = (trace, joined)
    return joined


def decision_json(decision: Decision) -> str:
    """`decision` as compact JSON text, equal to `escape_line_breaks(json.dumps(decision.model_dump(
    mode="json"), ensure_ascii=False, separators=(",", ":")))`."""
    if decision.errors:
        return _json(decision.model_dump(mode="json"))
    get = decision.__dict__
    category, street, label = get["category"], get["street"], get["whistle_label"]
    return (
        f'{{"issue_id":{_text(get["issue_id"])},"status":{_text(get["status"])},'
        f'"category":{"null" if category is None else _text(category)},'
        f'"street":{"null" if street is None else _text(street)},'
        f'"whistle":{_member(get["whistle"])},"whistle_label":{"null" if label is None else _text(label)},'
        f'"grade":{_member(get["grade"])},"level":{_member(get["level"])},'
        f'"lead":{_cached(get["lead"], _unit)},"co_units":{_cached(get["co_units"], _units)},'
        f'"escalation_path":{_cached(get["escalation_path"], _units)},"powers":{_cached(get["powers"], _powers)},'
        f'"respond_by":{_moment(get["respond_by"])},"complete_by":{_moment(get["complete_by"])},'
        f'"trace":[{_trace(get["trace"])}],"rules_version":{_text(get["rules_version"])},"errors":[]}}'
    )


# ---- a routed decision straight from its plan (`plan.Plan.stamp_json`) ----------------------

PLAN_LIMIT = 16_384  # plans whose text is kept (~3 KB each)
_plans: dict[int, tuple[object, str, str]] = {}


def _plan_text(fields: tuple[Any, ...]) -> tuple[str, str]:
    """(the text from "status" to "escalation_path", the trace's steps) of a plan's fields, kept
    by the identity of the fields tuple (one per plan). The powers are not in it: their legal
    basis is cited as in force on the day received (`Plan.cited`)."""
    hit = _plans.get(id(fields))
    if hit is not None and hit[0] is fields:
        return hit[1], hit[2]
    category, street, whistle, label, grade, level, lead, co_units, path, _powers_, trace, version = fields
    middle = (
        f'"status":"routed","category":{"null" if category is None else _text(category)},'
        f'"street":{"null" if street is None else _text(street)},'
        f'"whistle":{_member(whistle)},"whistle_label":{"null" if label is None else _text(label)},'
        f'"grade":{_member(grade)},"level":{_member(level)},'
        f'"lead":{_cached(lead, _unit)},"co_units":{_cached(co_units, _units)},'
        f'"escalation_path":{_cached(path, _units)}'
    )
    steps = _trace(trace)
    if len(_plans) >= PLAN_LIMIT:
        _plans.clear()
    _plans[id(fields)] = (fields, middle, steps)
    return middle, steps


def routed_json(issue_id: str, fields: tuple[Any, ...], powers: tuple[PowerRef, ...], respond_by: datetime,
                complete_by: datetime, *extra: TraceStep | None) -> str:
    """The text `decision_json` writes for the routed decision of a plan's `fields` (category,
    street, whistle, label, grade, level, lead, co-units, path, powers, trace, rules version)
    with `powers` as cited that day, stamped with `issue_id` and its deadlines, its trace ended
    by the `extra` steps that are not None."""
    middle, steps = _plan_text(fields)
    for step in extra:
        if step is not None:
            steps = f"{steps},{_cached(step, _step)}" if steps else _cached(step, _step)
    return (f'{{"issue_id":{_text(issue_id)},{middle},"powers":{_cached(powers, _powers)},'
            f'"respond_by":{_moment(respond_by)},"complete_by":{_moment(complete_by)},"trace":[{steps}],'
            f'"rules_version":{_text(fields[11])},"errors":[]}}')


__all__ = ["CACHE_LIMIT", "FIELDS", "PLAN_LIMIT", "TRACE_LIMIT", "decision_json", "routed_json"]
