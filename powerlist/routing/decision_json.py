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
_U = TypeVar("_U")


def _text(value: str) -> str:
    # json's own string encoder, then U+2028, U+2029 and U+0085 as escapes (a JSONL line stays
    # one line: `sheets.inbound.escape_line_breaks`, what every JSON line powerlist writes gets).
    return escape_line_breaks(encode_basestring(value))


def _json(value: Any) -> str:
    return escape_line_breaks(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# Texts kept by the identity of the value they encode (id → text), each cache with the list of
# its values (held, so that an id cannot be reused while its text is kept: an id found is the
# value's own), both cleared when full. No per-entry tuple: fewer objects for the cyclic collector.
_cache: dict[int, str] = {}
_cache_values: list[object] = []
_traces: dict[int, str] = {}
_trace_values: list[object] = []
_moments: dict[int, str] = {}
_moment_values: list[object] = []


def _cached(value: _T, encode: Callable[[_T], str]) -> str:
    text = _cache.get(id(value))
    if text is None:
        text = encode(value)  # may itself keep texts (and clear the cache when full)
        if len(_cache) >= CACHE_LIMIT:
            _cache.clear()
            _cache_values.clear()
        _cache[id(value)] = text
        _cache_values.append(value)
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


# The fields of the values a decision holds, in model order: each is encoded by hand below,
# checked against these lists at import and against pydantic's dump by tests/test_decision_json.py.
UNIT_FIELDS = ("code", "name", "level")
POWER_FIELDS = ("code", "name", "kind", "legal_basis", "role", "mode", "holder", "delegation")
STEP_FIELDS = ("rule", "reason")
if (tuple(UnitRef.model_fields), tuple(PowerRef.model_fields), tuple(TraceStep.model_fields)) != (
        UNIT_FIELDS, POWER_FIELDS, STEP_FIELDS):  # pragma: no cover
    raise RuntimeError("a decision value's fields changed: powerlist.routing.decision_json must be changed with them")


def _optional(value: str | None) -> str:
    return "null" if value is None else _text(value)


def _unit(unit: UnitRef | None) -> str:
    # Each of these values is encoded once and kept by identity (`_cached`).
    if unit is None:
        return "null"
    get = unit.__dict__
    return f'{{"code":{_text(get["code"])},"name":{_text(get["name"])},"level":{_member(get["level"])}}}'


def _power(power: PowerRef) -> str:
    get = power.__dict__
    holder = get["holder"]
    return (f'{{"code":{_text(get["code"])},"name":{_text(get["name"])},"kind":{_text(get["kind"])},'
            f'"legal_basis":[{",".join(map(_text, get["legal_basis"]))}],"role":{_text(get["role"])},'
            f'"mode":{_optional(get["mode"])},"holder":{"null" if holder is None else _cached(holder, _unit)},'
            f'"delegation":{_optional(get["delegation"])}}}')


def _step(step: TraceStep) -> str:
    get = step.__dict__
    return f'{{"rule":{_text(get["rule"])},"reason":{_text(get["reason"])}}}'


def _units(units: tuple[UnitRef, ...]) -> str:
    return "[" + ",".join(_cached(u, _unit) for u in units) + "]"


def _powers(powers: tuple[PowerRef, ...]) -> str:
    return "[" + ",".join(_cached(p, _power) for p in powers) + "]"


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
    text = _moments.get(id(value))
    if text is None:
        text = _moment_text(value)
        if len(_moments) >= MOMENT_LIMIT:
            _moments.clear()
            _moment_values.clear()
        _moments[id(value)] = text
        _moment_values.append(value)
    return text


def _trace(trace: tuple[TraceStep, ...]) -> str:
    # A plan's trace is one tuple shared by every decision stamped from it: kept whole (in a
    # smaller cache: a trace is the bulk of a decision), else joined from its steps.
    joined = _traces.get(id(trace))
    if joined is None:
        joined = ",".join([_cached(step, _step) for step in trace])
        if len(_traces) >= TRACE_LIMIT:
            _traces.clear()
            _trace_values.clear()
        _traces[id(trace)] = joined
        _trace_values.append(trace)
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

# A plan's text is made of parts shared with other plans, each made once and kept by the
# identity of what it encodes (`kept`): its place's (category, street and the place's trace
# steps: resolved names, the powers), its sketch's (whistle, label, grade, level and the
# sketch's steps), its units' (lead, co-units, escalation path), and the rules version. A plan
# holds only references to them (a busy router keeps 100,000 plans).
PlaceText = tuple[str, str]
SketchText = tuple[str, str]
UnitsText = tuple[str, str, str]
PlanText = tuple[PlaceText, SketchText, UnitsText, str]

_parts: dict[int, Any] = {}
_part_values: list[object] = []


def kept(key: object, encode: Callable[[_T], _U], value: _T) -> _U:
    """`encode(value)`, made once per `key` (whatever `value` is for it) and kept by the key's
    identity (bounded: `CACHE_LIMIT`)."""
    text: _U | None = _parts.get(id(key))
    if text is None:
        text = encode(value)
        if len(_parts) >= CACHE_LIMIT:
            _parts.clear()
            _part_values.clear()
        _parts[id(key)] = text
        _part_values.append(key)
    return text


def place_text(category: str | None, street: str | None, steps: tuple[tuple[TraceStep, ...], ...]) -> PlaceText:
    """The place's part of a plan's text: its category and street, and its trace `steps`."""
    return (f'"category":{"null" if category is None else _text(category)},'
            f'"street":{"null" if street is None else _text(street)}',
            ",".join(_trace(part) for part in steps if part))


def sketch_text(whistle: Whistle | None, label: str | None, grade: Grade | None, level: Level | None,
                steps: tuple[TraceStep, ...]) -> SketchText:
    """The sketch's part of a plan's text: whistle, its label, grade and level, and its trace `steps`."""
    return (f'"whistle":{_member(whistle)},"whistle_label":{"null" if label is None else _text(label)},'
            f'"grade":{_member(grade)},"level":{_member(level)}', _trace(steps) if steps else "")


def units_text(units: tuple[UnitRef, tuple[UnitRef, ...], tuple[UnitRef, ...]]) -> UnitsText:
    """The units' part of a plan's text: its lead, co-units and escalation path."""
    lead, co_units, path = units
    return _cached(lead, _unit), _cached(co_units, _units), _cached(path, _units)


def moment_text(value: datetime) -> str:
    """A deadline's text, for a deadline no other decision shares (received_at plus a clock limit)."""
    return _moment_text(value)


def routed_json(issue_id: str, text: PlanText, powers: tuple[PowerRef, ...], respond_by: str, complete_by: str,
                *extra: TraceStep | None) -> str:
    """The text `decision_json` writes for the routed decision of a plan whose text is `text`,
    with `powers` as cited that day, stamped with `issue_id` and its deadlines (their texts:
    `moment`, `moment_text`), its trace ended by the `extra` steps that are not None."""
    (category, placed), (whistle, drawn), (lead, co_units, path), version = text
    joint = "," if placed and drawn else ""
    more = ""
    for step in extra:
        if step is not None:
            more += f",{_cached(step, _step)}"
    if more and not (placed or drawn):
        more = more[1:]
    return (f'{{"issue_id":{_text(issue_id)},"status":"routed",{category},{whistle},"lead":{lead},'
            f'"co_units":{co_units},"escalation_path":{path},"powers":{_cached(powers, _powers)},'
            f'"respond_by":{respond_by},"complete_by":{complete_by},"trace":[{placed}{joint}{drawn}{more}],'
            f'"rules_version":{version},"errors":[]}}')


# ---- the same, as UTF-8 bytes (`powerlist route` writes them: encoding each 3 KB line again costs more than
# assembling it) ------------------------------------------------------------------------------------------

PlanBytes = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes]
_encoded: dict[int, bytes] = {}
_encoded_values: list[object] = []


def encoded(value: str) -> bytes:
    """`value.encode("utf-8")`, made once per text kept elsewhere (by its identity, bounded)."""
    data = _encoded.get(id(value))
    if data is None:
        data = value.encode("utf-8")
        if len(_encoded) >= CACHE_LIMIT:
            _encoded.clear()
            _encoded_values.clear()
        _encoded[id(value)] = data
        _encoded_values.append(value)
    return data


def plan_bytes(text: PlanText) -> PlanBytes:
    """A plan's text parts as UTF-8: (category and street, the place's steps, whistle … level, the
    sketch's steps, lead, co-units, escalation path, rules version)."""
    (category, placed), (whistle, drawn), (lead, co_units, path), version = text
    return (encoded(category), encoded(placed), encoded(whistle), encoded(drawn), encoded(lead), encoded(co_units),
            encoded(path), encoded(version))


def routed_bytes(issue_id: str, text: PlanBytes, powers: tuple[PowerRef, ...], respond_by: str, complete_by: str,
                 *extra: TraceStep | None) -> bytes:
    """`routed_json(...)` encoded as UTF-8, assembled from the parts' own bytes."""
    category, placed, whistle, drawn, lead, co_units, path, version = text
    parts = [b'{"issue_id":', _text(issue_id).encode("utf-8"), b',"status":"routed",', category, b",", whistle,
             b',"lead":', lead, b',"co_units":', co_units, b',"escalation_path":', path, b',"powers":',
             encoded(_cached(powers, _powers)), b',"respond_by":', respond_by.encode("utf-8"), b',"complete_by":',
             complete_by.encode("utf-8"), b',"trace":[', placed]
    if placed and drawn:
        parts.append(b",")
    parts.append(drawn)
    first = not (placed or drawn)
    for step in extra:
        if step is not None:
            if not first:
                parts.append(b",")
            parts.append(encoded(_cached(step, _step)))
            first = False
    parts += (b'],"rules_version":', version, b',"errors":[]}')
    return b"".join(parts)


moment = _moment
text = _text

__all__ = ["CACHE_LIMIT", "FIELDS", "TRACE_LIMIT", "PlaceText", "PlanBytes", "PlanText", "SketchText", "UnitsText",
           "decision_json", "encoded", "kept", "moment", "moment_text", "place_text", "plan_bytes", "routed_bytes",
           "routed_json", "sketch_text", "text", "units_text"]
