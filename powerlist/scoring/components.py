"""The six components — what each figure measures, 0–100 (exact rationals).

Their parameters are in `rules/scoring.toml` `[params.components]` (`ComponentParams`), all
illustrative — the report gives the weights, not how a component is measured.

Department, per whistle (the responding unit, 责任单位):
- 响应度 response: 100 if `responded_at <= respond_by`; falls linearly with the lateness to 0 at
  `response_zero_after_hours` late; 0 if there is no response. Not scorable (None) when there is no
  `respond_by`, or no response yet and, at `as_of`, the time limit has not passed.
- 办结度 completion: the same against `complete_by` and `completed_at` with
  `completion_zero_after_hours`, then minus `extension_penalty` per extension (延期),
  `reopen_penalty` per reopening (重办) and `buck_passing_penalty` once if the unit passed the
  buck (推诿), never below 0.
- 满意度 satisfaction: the call-back (回访) 满意 / 基本满意 / 不满意 mapped to `satisfied`,
  `basically_satisfied`, `dissatisfied`, blended with the third-party survey score where present:
  (1 − t) × call-back + t × third-party with t = `third_party_weight`; either alone if only one
  is present. A whistle overdue and never completed scores `unresolved_satisfaction` (so a unit
  cannot escape the figure by never finishing); otherwise None while there is no result.
A unit's period component is the mean over its whistles where the component is scorable; each
figure carries its own count. A unit with a component that no whistle could score gets no score.

Street, per period (whistles attributed to the period by `received_at`, 受理时间):
- 呼叫机制 mechanism: 100 × the share of the street's whistles with a complete record — raised
  through the platform, whistle kind and grade recorded, both time limits set, and, once completed,
  a call-back or survey result recorded (吹哨全留痕, 件件评价). `empty_mechanism` with no whistles.
- 呼叫次数 calls: whistles raised, n, against the band [low, high] = [`calls_low_per_staff_year`,
  `calls_high_per_staff_year`] × staff (编制人数, else `default_staff`) × months / 12. 100 inside the
  band; below, 100 × n / low; above, linear from 100 at high to `calls_over_floor` at 2 × high,
  and `calls_over_floor` beyond (over-whistling pushes the street's own work onto departments).
- 呼叫质效 quality: 100 × the share of whistles a department could act on: not a power the street
  held itself (`street_held_power`) and not returned as wrongly routed (`returned`).
  `empty_quality` with no whistles.

`score_whistle` gives a whistle's department components; `calls_component`,
`mechanism_component` and `quality_component` give a street's from its period counts.
Limitations: lateness is elapsed time, not working days (the deadlines themselves are working-day
deadlines set by the router); the calls band and every component parameter are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from ..cases.lifecycle import Satisfaction
from ..routing.issue import SHANGHAI
from .arithmetic import HUNDRED, published_text
from .config import ComponentParams, load_config
from .period import Period
from .record import WhistleRecord


@dataclass(frozen=True)
class WhistleScore:
    """The department components of one whistle (None: not scorable, see `notes`)."""

    case_id: str
    unit: str
    street: str
    response: Fraction | None
    completion: Fraction | None
    satisfaction: Fraction | None
    record_complete: bool
    poor_quality: bool
    notes: tuple[str, ...] = ()
    record: WhistleRecord | None = None  # the facts the figures came from (traceability)

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "unit": self.unit,
            "street": self.street,
            "response": published_text(self.response),
            "completion": published_text(self.completion),
            "satisfaction": published_text(self.satisfaction),
            "record_complete": self.record_complete,
            "poor_quality": self.poor_quality,
            "notes": list(self.notes),
            "facts": None if self.record is None else self.record.model_dump(mode="json"),
        }


@dataclass(frozen=True)
class _Exact:
    """Component parameters as exact rationals, converted once per parameter set."""

    response_span: Fraction  # microseconds
    completion_span: Fraction
    extension: Fraction
    reopen: Fraction
    buck_passing: Fraction
    points: Mapping[Satisfaction, Fraction]
    third_party: Fraction
    unresolved: Fraction


@lru_cache(maxsize=32)
def _exact_params(p: ComponentParams) -> _Exact:
    return _Exact(
        response_span=Fraction(p.response_zero_after_hours) * 3_600_000_000,
        completion_span=Fraction(p.completion_zero_after_hours) * 3_600_000_000,
        extension=Fraction(p.extension_penalty),
        reopen=Fraction(p.reopen_penalty),
        buck_passing=Fraction(p.buck_passing_penalty),
        points={
            Satisfaction.SATISFIED: Fraction(p.satisfied),
            Satisfaction.BASICALLY_SATISFIED: Fraction(p.basically_satisfied),
            Satisfaction.DISSATISFIED: Fraction(p.dissatisfied),
        },
        third_party=Fraction(p.third_party_weight),
        unresolved=Fraction(p.unresolved_satisfaction),
    )


def _lateness_score(done: datetime, due: datetime, span: Fraction) -> Fraction:
    """100 on time, falling linearly to 0 at `span` (microseconds) late."""
    late = done - due
    if late <= timedelta(0):
        return HUNDRED
    micro = (late.days * 86400 + late.seconds) * 1_000_000 + late.microseconds
    if micro >= span:
        return Fraction(0)
    return HUNDRED - Fraction(100 * micro * span.denominator, span.numerator)


def _timed(
    done: datetime | None, due: datetime | None, span: Fraction, as_of: datetime | None, what: str
) -> tuple[Fraction | None, str | None]:
    if due is None:
        return None, f"{what}：未记录时限 (no time limit recorded)"
    if done is not None:
        return _lateness_score(done, due, span), None
    if as_of is not None and as_of <= due:
        return None, f"{what}：尚在时限内 (still within its time limit)"
    return Fraction(0), None


def score_whistle(
    record: WhistleRecord, params: ComponentParams | None = None, as_of: datetime | None = None
) -> WhistleScore:
    """The three department components of one whistle; `as_of` leaves not-yet-due work unscored."""
    p = _exact_params(params or load_config().params)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=SHANGHAI)
    notes: list[str] = []
    response, note = _timed(record.responded_at, record.respond_by, p.response_span, as_of, "响应度")
    if note:
        notes.append(note)
    completion, note = _timed(record.completed_at, record.complete_by, p.completion_span, as_of, "办结度")
    if note:
        notes.append(note)
    if completion is not None and (record.extensions or record.reopened or record.buck_passing):
        penalty = (
            p.extension * record.extensions
            + p.reopen * record.reopened
            + (p.buck_passing if record.buck_passing else 0)
        )
        completion = max(Fraction(0), completion - penalty)
    call_back = None if record.satisfaction is None else p.points[record.satisfaction]
    survey = None if record.third_party is None else Fraction(record.third_party)
    if call_back is not None and survey is not None:
        t = p.third_party
        satisfaction: Fraction | None = (1 - t) * call_back + t * survey
    else:
        satisfaction = call_back if call_back is not None else survey
    if satisfaction is None and completion is not None and record.completed_at is None:
        # Overdue and never completed: nobody can be called back, and a unit must not escape
        # the satisfaction figure (and with it the ranking) by never finishing.
        satisfaction = p.unresolved
        notes.append("满意度：逾期未办结，按未解决计 (overdue and not completed: counted as unresolved)")
    elif satisfaction is None:
        notes.append("满意度：无回访或第三方评价 (no call-back or survey result)")
    return WhistleScore(
        case_id=record.case_id,
        unit=record.unit,
        street=record.street,
        response=response,
        completion=completion,
        satisfaction=satisfaction,
        record_complete=record.record_complete,
        poor_quality=record.poor_quality,
        notes=tuple(notes),
        record=record,
    )


def calls_component(
    whistles: int, staff: int, period: Period, params: ComponentParams
) -> tuple[Fraction, tuple[Fraction, Fraction]]:
    """呼叫次数 of a street: (score, (expected low, expected high)) — see the module docstring."""
    share = Fraction(staff * period.months, 12)
    low = Fraction(params.calls_low_per_staff_year) * share
    high = Fraction(params.calls_high_per_staff_year) * share
    n = Fraction(whistles)
    floor = Fraction(params.calls_over_floor)
    if n < low:
        value = HUNDRED * n / low
    elif n <= high:
        value = HUNDRED
    elif n >= 2 * high:
        value = floor
    else:
        value = HUNDRED - (n - high) / high * (HUNDRED - floor)
    return value, (low, high)


def mechanism_component(whistles: int, complete: int, params: ComponentParams) -> Fraction:
    """呼叫机制 of a street: the share of its whistles with a complete record (吹哨全留痕)."""
    return HUNDRED * complete / whistles if whistles else Fraction(params.empty_mechanism)


def quality_component(whistles: int, poor: int, params: ComponentParams) -> Fraction:
    """呼叫质效 of a street: the share of its whistles a department could act on."""
    return HUNDRED * (whistles - poor) / whistles if whistles else Fraction(params.empty_quality)
