"""Two-way scoring — 双向考评: streets score departments, departments score streets.

一哨一考核 (every whistle scored): for each whistle a department answered, three components,
each 0–100, and for each street and period three more; weights from named profiles in
`rules/scoring.toml` (default: the report's); an annual assessment folding the whistle score into
the unit's other assessment with the report's floors; and the one-vote veto (一票否决).

Component definitions (parameters in `rules/scoring.toml` `[params.components]`, all illustrative —
the report gives the weights, not how a component is measured):

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

Aggregation: `tally(records, period)` gives `Tallies` — per unit and per street, counts and exact
sums with the whistle ids behind them — and `tally(a) + tally(b) == tally(a + b)` for disjoint
whistles, in any order. `results` turns tallies into rankings (晒单); `score_period` does both.
A whistle whose responding unit is the street's own office counts for the street only.

Annual: `annual_result` folds a whistle score into the other assessment (w ≥ 0.30 departments,
w ≥ 0.15 streets) and fails the unit on any veto dated in the period, or below `pass_mark`.

Arithmetic is exact and never touches float: caller-given values and weights are Decimals; a
definition that divides (a lateness ratio, a mean) yields an exact rational (`fractions.Fraction`).
The one rounding rule, applied only at publication by `publish`, is ROUND_HALF_UP to 2 decimals.
`department_score`, `street_score` and `annual_score` return an exact Decimal for Decimal/int/str
inputs and an exact Fraction if any input is a Fraction.

Limitations: lateness is elapsed time, not working days (the deadlines themselves are working-day
deadlines set by the router); the calls band and every component parameter are illustrative.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from ..cases.lifecycle import SATISFACTION_LABELS, Satisfaction
from ..catalog.models import Grade
from ..errors import InputError, PowerlistError, Problem, ProblemCollector
from ..routing.decision import WHISTLE_LABELS, Whistle
from ..routing.issue import SHANGHAI, code_text

Number = Decimal | int | str | Fraction

HUNDRED = Fraction(100)
DEPARTMENT_FLOOR = Decimal("0.30")  # the report: at least 30% of a department's annual assessment
STREET_FLOOR = Decimal("0.15")  # the report: at least 15% of a street's year-end assessment
FLOORS = {"department": DEPARTMENT_FLOOR, "street": STREET_FLOOR}
SubjectKind = Literal["department", "street"]

DEPARTMENT_COMPONENTS = ("response", "completion", "satisfaction")
STREET_COMPONENTS = ("mechanism", "calls", "quality")
COMPONENT_LABELS = {
    "response": "响应度",
    "completion": "办结度",
    "satisfaction": "满意度",
    "mechanism": "呼叫机制",
    "calls": "呼叫次数",
    "quality": "呼叫质效",
}


class ScoringError(PowerlistError):
    """A score, weight or period that the scoring rules do not allow (e.g. w below the floor)."""


# ---------------------------------------------------------------- exact numbers and publication


def exact(value: Number, name: str = "value") -> Fraction:
    """`value` as an exact rational; floats are refused (they carry binary drift)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name}: {type(value).__name__} is not accepted; use Decimal, int or str")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringError(f"{name}: {value!r} is not a number") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ScoringError(f"{name}: {value} is not a finite number")
        return Fraction(value)
    raise TypeError(f"{name}: {type(value).__name__} is not a number")


def _as_decimal(value: Fraction) -> Decimal:
    """An exact Decimal for a rational whose denominator divides a power of ten."""
    with localcontext() as ctx:
        ctx.prec = 200
        ctx.traps[Inexact] = True
        return Decimal(value.numerator) / Decimal(value.denominator)


def _returned(value: Fraction, inputs: Iterable[Any]) -> Fraction | Decimal:
    return value if any(isinstance(v, Fraction) for v in inputs) else _as_decimal(value)


PUBLISH_PLACES = 2


def publish(value: Number | None) -> Decimal | None:
    """The one rounding rule: ROUND_HALF_UP to 2 decimals, applied at publication only."""
    if value is None:
        return None
    q = exact(value) * 10**PUBLISH_PLACES
    n, d = abs(q.numerator), q.denominator
    cents = (2 * n + d) // (2 * d)  # half away from zero == ROUND_HALF_UP
    if q < 0:
        cents = -cents
    return Decimal(cents).scaleb(-PUBLISH_PLACES)


def published_text(value: Number | None) -> str | None:
    shown = publish(value)
    return None if shown is None else str(shown)


def _score_arg(value: Number, name: str) -> Fraction:
    number = exact(value, name)
    if not 0 <= number <= 100:
        raise ScoringError(f"{name} must be within 0..100, got {_show(number)}")
    return number


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(publish(value))


# ---------------------------------------------------------------- periods


_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*-?\s*(?:[Qq]\s*([1-4])|(\d{1,2})))?\s*$")


class Period(BaseModel):
    """A scoring period — 考核周期: a month, a quarter or a year, in Asia/Shanghai time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["month", "quarter", "year"]
    year: int = Field(ge=1900, le=9999)
    number: int = Field(default=1, ge=1, le=12)

    @model_validator(mode="after")
    def _number_fits(self) -> Period:
        limit = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.number > limit:
            raise ValueError(f"a {self.kind} number is 1..{limit}")
        return self

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026Q3' (or 2026-Q3), '2026-07' (or 202607), '2026'."""
        found = _PERIOD.match(str(text))
        problem = Problem(
            message="a period is a year (2026), a quarter (2026Q3) or a month (2026-07)",
            field="period",
            value=str(text),
            code="bad-period",
        )
        if not found:
            raise InputError([problem], "invalid period")
        year, quarter, month = found.groups()
        if quarter:
            return cls(kind="quarter", year=int(year), number=int(quarter))
        if month:
            if not 1 <= int(month) <= 12:
                raise InputError([problem], "invalid period")
            return cls(kind="month", year=int(year), number=int(month))
        return cls(kind="year", year=int(year))

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first_month, 1, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """Exclusive end."""
        month = self.first_month + self.months
        return datetime(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=SHANGHAI)

    def contains(self, moment: datetime | date) -> bool:
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
            return self.start <= aware < self.end
        return self.start.date() <= moment < self.end.date()

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    def __str__(self) -> str:
        return self.label


# ---------------------------------------------------------------- whistles


# Satisfaction (满意度) is the lifecycle's one concept; whistle spreadsheets also write it in the
# words call-back staff use (非常满意, 比较满意, "basic"), which only this reader accepts.
_SATISFACTION_NAMES = {v: k for k, v in SATISFACTION_LABELS.items()} | {
    "非常满意": Satisfaction.SATISFIED,
    "比较满意": Satisfaction.BASICALLY_SATISFIED,
    "basic": Satisfaction.BASICALLY_SATISFIED,
    "basically": Satisfaction.BASICALLY_SATISFIED,
    "unsatisfied": Satisfaction.DISSATISFIED,
}


def _read_satisfaction(text: Any) -> Satisfaction | None:
    """A whistle cell's satisfaction: a label, a value or a synonym (case and spaces ignored)."""
    if text is None:
        return None
    key = str(text).strip().lower().replace(" ", "_")
    if not key:
        return None
    if key in _SATISFACTION_NAMES:
        return _SATISFACTION_NAMES[key]
    try:
        return Satisfaction(key)
    except ValueError:
        return None


_WHISTLE_NAMES = {v: k for k, v in WHISTLE_LABELS.items()}


class WhistleRecord(BaseModel):
    """One whistle (吹哨) and how the responding unit handled it: the unit of 一哨一考核.

    Naive datetimes are read as Asia/Shanghai. `unit` is the responding unit (责任单位) that is
    scored; `street` is the street that whistled (吹哨街道) and is scored as the caller. A whistle
    whose `unit` is the street itself (its own office held the power) counts for the street only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    case_id: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=100)
    street_name: str | None = None
    unit: str = Field(min_length=1, max_length=100)
    unit_name: str | None = None
    department: str | None = None
    kind: Whistle | None = None
    grade: Grade | None = None
    received_at: datetime
    respond_by: datetime | None = None
    responded_at: datetime | None = None
    complete_by: datetime | None = None
    completed_at: datetime | None = None
    satisfaction: Satisfaction | None = None
    third_party: Decimal | None = Field(default=None, ge=0, le=100)
    extensions: int = Field(default=0, ge=0, le=1000)
    reopened: int = Field(default=0, ge=0, le=1000)
    street_held_power: bool = False  # the street held the power itself: a poor-quality whistle
    returned: bool = False  # returned by the unit as wrongly routed (退回/错派)
    buck_passing: bool = False  # 推诿, found by supervision
    via_platform: bool = True  # raised and recorded through the platform (吹哨全留痕)

    @field_validator("case_id", "street", "unit", "department", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        return code_text(value)

    @field_validator("street_name", "unit_name", "department", mode="before")
    @classmethod
    def _blank_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        return _WHISTLE_NAMES.get(text, _WHISTLE_NAMES.get(text + "哨", text.lower()))

    @field_validator("grade", mode="before")
    @classmethod
    def _grade(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return str(value).strip().upper().removesuffix("级")

    @field_validator("satisfaction", mode="before")
    @classmethod
    def _satisfaction(cls, value: Any) -> Any:
        if value is None or isinstance(value, Satisfaction):
            return value
        if isinstance(value, str) and not value.strip():
            return None
        parsed = _read_satisfaction(value)
        if parsed is None:
            raise ValueError("satisfaction is 满意, 基本满意, 不满意 or blank")
        return parsed

    @field_validator("third_party", mode="before")
    @classmethod
    def _third_party(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float):
            return Decimal(repr(value))  # parsing a spreadsheet cell, not arithmetic
        return value

    @field_validator("received_at", "respond_by", "responded_at", "complete_by", "completed_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)

    @field_validator("respond_by", "responded_at", "complete_by", "completed_at")
    @classmethod
    def _after_receipt(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # A deadline or a response before the whistle was received, or a completion before the
        # response, is a broken record: scored as it stands it earns full marks.
        if value is None:
            return None
        received = info.data.get("received_at")
        if received is not None and value < received:
            raise ValueError(f"{value.isoformat()} is before the whistle was received ({received.isoformat()})")
        responded = info.data.get("responded_at")
        if info.field_name == "completed_at" and responded is not None and value < responded:
            raise ValueError(f"completed {value.isoformat()} before the response ({responded.isoformat()})")
        return value

    @property
    def record_complete(self) -> bool:
        """吹哨全留痕: a whistle whose record lets it be scored end to end (呼叫机制)."""
        evaluated = self.completed_at is None or self.satisfaction is not None or self.third_party is not None
        return (
            self.via_platform
            and self.kind is not None
            and self.grade is not None
            and self.respond_by is not None
            and self.complete_by is not None
            and evaluated
        )

    @property
    def poor_quality(self) -> bool:
        """A whistle no department could act on (呼叫质效)."""
        return self.street_held_power or self.returned


# ---------------------------------------------------------------- profiles and parameters


class DepartmentWeights(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    response: Decimal
    completion: Decimal
    satisfaction: Decimal


class StreetWeights(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    mechanism: Decimal
    calls: Decimal
    quality: Decimal


class Profile(BaseModel):
    """A named set of weights — 权重方案. Weights are >= 0 and sum to exactly 1 per subject."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    department: DepartmentWeights
    street: StreetWeights

    @classmethod
    def build(
        cls,
        name: str,
        department: Mapping[str, Any],
        street: Mapping[str, Any],
        description: str = "",
        *,
        file: str | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> Profile:
        """Validate weights; every problem is reported at once, located by field (and line)."""
        problems = ProblemCollector(file)
        lines = lines or {}
        parsed: dict[str, dict[str, Decimal]] = {}
        for subject, raw, names in (
            ("department", department, DEPARTMENT_COMPONENTS),
            ("street", street, STREET_COMPONENTS),
        ):
            where = f"params.profiles.{name}.{subject}"
            row = lines.get(subject)
            if not isinstance(raw, Mapping):
                problems.add(f"{subject} weights must be a table of {', '.join(names)}", field=where, row=row)
                continue
            weights: dict[str, Decimal] = {}
            for key in raw:
                if key not in names:
                    problems.add(
                        f"unknown {subject} component {key!r}; expected {', '.join(names)}",
                        field=f"{where}.{key}",
                        row=row,
                        code="unknown-component",
                    )
            for key in names:
                value = raw.get(key)
                if value is None:
                    problems.add(f"missing weight {key!r}", field=f"{where}.{key}", row=row, code="missing-weight")
                    continue
                weight = _weight(value)
                if weight is None:
                    problems.add(
                        "a weight is a decimal number such as 0.40",
                        field=f"{where}.{key}",
                        row=row,
                        value=str(value),
                        code="bad-weight",
                    )
                    continue
                if weight < 0:
                    problems.add(
                        "a weight must not be negative",
                        field=f"{where}.{key}",
                        row=row,
                        value=str(value),
                        code="negative-weight",
                    )
                weights[key] = weight
            if len(weights) == len(names):
                total = sum(weights.values(), Decimal(0))
                if total != 1:
                    problems.add(
                        f"{subject} weights of profile {name!r} sum to {total}, not exactly 1",
                        field=where,
                        row=row,
                        value=" + ".join(str(weights[k]) for k in names),
                        code="weights-not-one",
                    )
                parsed[subject] = weights
        problems.raise_if_any(f"invalid scoring profile {name!r}")
        return cls(
            name=name,
            description=description,
            department=DepartmentWeights(**parsed["department"]),
            street=StreetWeights(**parsed["street"]),
        )


def _weight(value: Any) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, float):
        return None  # the rules file is parsed with Decimal floats; a float here is a bug upstream
    if isinstance(value, (int, Decimal)):
        return Decimal(value) if Decimal(value).is_finite() else None
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None


class ComponentParams(BaseModel):
    """Parameters of the component definitions (see the module docstring and rules/scoring.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    response_zero_after_hours: Decimal = Field(default=Decimal(24), gt=0)
    completion_zero_after_hours: Decimal = Field(default=Decimal(240), gt=0)
    extension_penalty: Decimal = Field(default=Decimal(5), ge=0, le=100)
    reopen_penalty: Decimal = Field(default=Decimal(10), ge=0, le=100)
    buck_passing_penalty: Decimal = Field(default=Decimal(20), ge=0, le=100)
    satisfied: Decimal = Field(default=Decimal(100), ge=0, le=100)
    basically_satisfied: Decimal = Field(default=Decimal(80), ge=0, le=100)
    dissatisfied: Decimal = Field(default=Decimal(0), ge=0, le=100)
    third_party_weight: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    unresolved_satisfaction: Decimal = Field(default=Decimal(0), ge=0, le=100)
    calls_low_per_staff_year: Decimal = Field(default=Decimal(1), ge=0)
    calls_high_per_staff_year: Decimal = Field(default=Decimal(6), gt=0)
    calls_over_floor: Decimal = Field(default=Decimal(60), ge=0, le=100)
    default_staff: int = Field(default=30, gt=0)
    empty_mechanism: Decimal = Field(default=Decimal(0), ge=0, le=100)
    empty_quality: Decimal = Field(default=Decimal(0), ge=0, le=100)
    pass_mark: Decimal = Field(default=Decimal(60), ge=0, le=100)

    @model_validator(mode="after")
    def _band(self) -> ComponentParams:
        if self.calls_high_per_staff_year <= self.calls_low_per_staff_year:
            raise ValueError("calls_high_per_staff_year must be above calls_low_per_staff_year")
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError("floats are not accepted; write the number as a decimal")
        return value


@dataclass(frozen=True)
class ScoringConfig:
    """Profiles and component parameters, from one rules file."""

    profiles: Mapping[str, Profile]
    default_profile: str
    params: ComponentParams
    file: str | None = None

    def profile(self, profile: str | Profile | None = None) -> Profile:
        if isinstance(profile, Profile):
            return profile
        name = profile or self.default_profile
        if name not in self.profiles:
            raise InputError(
                [
                    Problem(
                        message=f"unknown scoring profile; known: {', '.join(sorted(self.profiles))}",
                        file=self.file,
                        field="profile",
                        value=name,
                        code="unknown-profile",
                    )
                ],
                "unknown scoring profile",
            )
        return self.profiles[name]


def _section_lines(text: str, profile: str) -> dict[str, int]:
    """Line numbers of a profile's header and its department/street keys, for located errors."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[] ")
            inside = header == f"params.profiles.{profile}"
            if inside:
                lines["profile"] = number
            elif header.startswith(f"params.profiles.{profile}."):
                lines[header.rsplit(".", 1)[-1]] = number
            continue
        if inside:
            key = stripped.split("=", 1)[0].strip()
            if key in ("department", "street"):
                lines[key] = number
    return lines


def _component_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == "params.components"
        elif inside and "=" in stripped and not stripped.startswith("#"):
            lines.setdefault(stripped.split("=", 1)[0].strip(), number)
    return lines


def load_config(path: str | Path | None = None) -> ScoringConfig:
    """Read a scoring rules file (None: the shipped `rules/scoring.toml`); all problems at once."""
    if path is None:
        from ..resources import rules_dir

        path = rules_dir() / "scoring.toml"
    return _load_config(str(Path(path).resolve()))


@lru_cache(maxsize=16)
def _load_config(path: str) -> ScoringConfig:
    problems = ProblemCollector(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text, parse_float=Decimal)
    except (OSError, UnicodeDecodeError) as error:
        problems.add(f"cannot read scoring rules: {error}")
        problems.raise_if_any("invalid scoring rules")
        raise AssertionError("unreachable") from None
    except tomllib.TOMLDecodeError as error:
        problems.add(f"not valid TOML: {error}")
        problems.raise_if_any("invalid scoring rules")
        raise AssertionError("unreachable") from None
    params = raw.get("params", {})
    raw_profiles = params.get("profiles", {}) if isinstance(params, dict) else {}
    profiles: dict[str, Profile] = {}
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        problems.add("no scoring profiles: add [params.profiles.NAME] tables", field="params.profiles")
        raw_profiles = {}
    for name, body in raw_profiles.items():
        lines = _section_lines(text, name)
        if not isinstance(body, dict):
            problems.add("a profile is a table with department and street weights", field=f"params.profiles.{name}")
            continue
        for key in body:
            if key not in ("description", "department", "street"):
                problems.add(
                    f"unknown profile key {key!r}; expected description, department, street",
                    field=f"params.profiles.{name}.{key}",
                    row=lines.get("profile"),
                )
        try:
            profiles[name] = Profile.build(
                name,
                body.get("department"),  # type: ignore[arg-type]
                body.get("street"),  # type: ignore[arg-type]
                str(body.get("description", "")),
                file=path,
                lines=lines,
            )
        except InputError as error:
            problems.problems.extend(error.problems)
    default = params.get("default_profile", "default") if isinstance(params, dict) else "default"
    if raw_profiles and default not in raw_profiles:
        problems.add(f"default_profile {default!r} is not a profile", field="params.default_profile", value=str(default))
    component_params = ComponentParams()
    raw_components = params.get("components", {}) if isinstance(params, dict) else {}
    try:
        component_params = ComponentParams(**raw_components)
    except ValidationError as error:
        lines = _component_lines(text)
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"])
            problems.add(
                item["msg"].removeprefix("Value error, "),
                field=f"params.components{'.' + where if where else ''}",
                row=lines.get(where),
                value=None if item.get("input") is None or isinstance(item.get("input"), dict) else str(item["input"]),
                code="bad-parameter",
            )
    except TypeError as error:
        problems.add(f"[params.components] must be a table: {error}", field="params.components")
    problems.raise_if_any(f"invalid scoring rules {Path(path).name}")
    return ScoringConfig(profiles=profiles, default_profile=str(default), params=component_params, file=path)


def _profile(profile: str | Profile | None) -> Profile:
    return profile if isinstance(profile, Profile) else load_config().profile(profile)


# ---------------------------------------------------------------- the report's formulas


def department_score(
    response: Number, completion: Number, satisfaction: Number, profile: str | Profile | None = None
) -> Decimal | Fraction:
    """Streets score a department: default 10% 响应度 + 40% 办结度 + 50% 满意度 (exact)."""
    w = _profile(profile).department
    return _weighted(
        (w.response, response, "response"), (w.completion, completion, "completion"),
        (w.satisfaction, satisfaction, "satisfaction"),
    )


def street_score(
    mechanism: Number, calls: Number, quality: Number, profile: str | Profile | None = None
) -> Decimal | Fraction:
    """Departments score a street: default 10% 呼叫机制 + 50% 呼叫次数 + 40% 呼叫质效 (exact)."""
    w = _profile(profile).street
    return _weighted((w.mechanism, mechanism, "mechanism"), (w.calls, calls, "calls"), (w.quality, quality, "quality"))


def _weighted(*parts: tuple[Number, Number, str]) -> Decimal | Fraction:
    """Σ weight × component, exactly; each component (named for its error) within 0..100."""
    value = sum((Fraction(weight) * _score_arg(score, name) for weight, score, name in parts), Fraction(0))
    return _returned(value, [score for _, score, _ in parts])


def annual_score(
    whistle_score: Number,
    other_score: Number,
    weight: Number,
    subject: SubjectKind = "department",
) -> Decimal | Fraction:
    """Annual assessment = w × whistle score + (1 − w) × the unit's other assessment score.

    w must be at least the report's floor: 0.30 for departments, 0.15 for streets, and at most 1.
    """
    if subject not in FLOORS:
        raise ScoringError(f"subject must be 'department' or 'street', got {subject!r}")
    w = exact(weight, "weight")
    floor = FLOORS[subject]
    if w < Fraction(floor):
        label = "部门" if subject == "department" else "街道"
        raise ScoringError(
            f"weight {weight} is below the floor {floor} for a {subject} "
            f"({label}: the whistle score counts for at least {int(floor * 100)}% of the annual assessment)"
        )
    if w > 1:
        raise ScoringError(f"weight must be at most 1, got {weight}")
    a = _score_arg(whistle_score, "whistle_score")
    b = _score_arg(other_score, "other_score")
    value = w * a + (1 - w) * b
    return _returned(value, (whistle_score, other_score, weight))


# ---------------------------------------------------------------- one-vote veto


class VetoItem(StrEnum):
    """One-vote veto item — 一票否决事项 (the report keeps 4)."""

    SAFETY = "safety"  # 安全生产
    ENVIRONMENT = "environment"  # 环境保护
    INTEGRITY = "integrity"  # 党风廉政
    STABILITY = "stability"  # 综治维稳

    @property
    def label(self) -> str:
        return VETO_LABELS[self]

    @classmethod
    def parse(cls, text: Any) -> VetoItem | None:
        key = str(text or "").strip()
        if key in _VETO_BY_LABEL:
            return _VETO_BY_LABEL[key]
        try:
            return cls(key.lower())
        except ValueError:
            return None


VETO_LABELS = {
    VetoItem.SAFETY: "安全生产",
    VetoItem.ENVIRONMENT: "环境保护",
    VetoItem.INTEGRITY: "党风廉政",
    VetoItem.STABILITY: "综治维稳",
}
_VETO_BY_LABEL = {v: k for k, v in VETO_LABELS.items()}


class Veto(BaseModel):
    """A veto event against a unit or street: its annual result fails whatever its score."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=100)  # unit code or street code
    item: VetoItem
    date: date
    note: str = ""

    @field_validator("subject", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return code_text(value)

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, value: Any) -> Any:
        if isinstance(value, VetoItem):
            return value
        parsed = VetoItem.parse(value)
        if parsed is None:
            raise ValueError("a veto item is one of 安全生产, 环境保护, 党风廉政, 综治维稳")
        return parsed

    @property
    def reason(self) -> str:
        note = f"：{self.note}" if self.note else ""
        return f"一票否决 {self.item.label} ({self.date.isoformat()}){note}"

    def as_json(self) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), "label": self.item.label, "reason": self.reason}


def vetoes_for(subject: str, vetoes: Iterable[Veto], period: Period | None = None) -> tuple[Veto, ...]:
    found = [v for v in vetoes if v.subject == subject and (period is None or period.contains(v.date))]
    return tuple(sorted(found, key=lambda v: (v.date, v.item.value, v.note)))


class AnnualResult(BaseModel):
    """An annual assessment — 年度考核结果, with the reasons when it fails."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    subject: str
    kind: SubjectKind
    score: Fraction | Decimal | None  # None only for a vetoed unit without both scores
    passed: bool
    vetoed: bool
    reasons: tuple[str, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    whistle_score: Fraction | Decimal | None = None
    other_score: Fraction | Decimal | None = None
    weight: Fraction | Decimal | None = None
    name: str | None = None

    @property
    def outcome(self) -> str:
        return "合格" if self.passed else ("不合格（一票否决）" if self.vetoed else "不合格")

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "name": self.name,
            "kind": self.kind,
            "score": published_text(self.score),
            "whistle_score": published_text(self.whistle_score),
            "other_score": published_text(self.other_score),
            "weight": None if self.weight is None else str(self.weight),
            "passed": self.passed,
            "vetoed": self.vetoed,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "vetoes": [v.as_json() for v in self.vetoes],
        }


def annual_result(
    subject: str,
    whistle_score: Number,
    other_score: Number,
    weight: Number,
    kind: SubjectKind = "department",
    vetoes: Iterable[Veto] = (),
    period: Period | None = None,
    pass_mark: Number | None = None,
) -> AnnualResult:
    """The annual result of one unit: the folded score, failed by any veto in the period."""
    score = annual_score(whistle_score, other_score, weight, kind)
    mark = exact(pass_mark if pass_mark is not None else load_config().params.pass_mark, "pass_mark")
    own = vetoes_for(subject, vetoes, period)
    reasons = [v.reason for v in own]
    below = exact(score) < mark
    if below:
        reasons.append(f"年度得分 {publish(score)} 低于合格线 {publish(mark)}")
    return AnnualResult(
        subject=subject,
        kind=kind,
        score=score,
        passed=not own and not below,
        vetoed=bool(own),
        reasons=tuple(reasons),
        vetoes=own,
        whistle_score=_kept(whistle_score),
        other_score=_kept(other_score),
        weight=_kept(weight),
    )


def _kept(value: Number) -> Fraction | Decimal:
    return value if isinstance(value, (Fraction, Decimal)) else Decimal(value)


# ---------------------------------------------------------------- per whistle


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


# ---------------------------------------------------------------- mergeable period tallies


@dataclass(frozen=True)
class Sum:
    """A mergeable sum: count and exact total of one component over whistles."""

    count: int = 0
    total: Fraction = Fraction(0)

    def __add__(self, other: Sum) -> Sum:
        return Sum(self.count + other.count, self.total + other.total)

    @property
    def mean(self) -> Fraction | None:
        return None if self.count == 0 else self.total / self.count


def _name(a: str | None, b: str | None) -> str | None:
    # Order-independent choice when records disagree on a display name.
    names = [n for n in (a, b) if n]
    return min(names) if names else None


@dataclass(frozen=True)
class DepartmentTally:
    """Per responding unit: component sums over its whistles, and the whistle ids behind them."""

    unit: str
    name: str | None = None
    department: str | None = None
    whistles: int = 0
    response: Sum = Sum()
    completion: Sum = Sum()
    satisfaction: Sum = Sum()
    cases: frozenset[str] = frozenset()

    def __add__(self, other: DepartmentTally) -> DepartmentTally:
        if other.unit != self.unit:
            raise ValueError("cannot merge tallies of different units")
        return DepartmentTally(
            unit=self.unit,
            name=_name(self.name, other.name),
            department=_name(self.department, other.department),
            whistles=self.whistles + other.whistles,
            response=self.response + other.response,
            completion=self.completion + other.completion,
            satisfaction=self.satisfaction + other.satisfaction,
            cases=self.cases | other.cases,
        )


@dataclass(frozen=True)
class StreetTally:
    """Per calling street: counts over its whistles, and the whistle ids behind them."""

    street: str
    name: str | None = None
    whistles: int = 0
    complete: int = 0  # whistles with a complete record (呼叫机制)
    poor: int = 0  # whistles no department could act on (呼叫质效)
    held: int = 0  # of which: the street held the power itself
    returned: int = 0  # of which: returned as wrongly routed
    cases: frozenset[str] = frozenset()

    def __add__(self, other: StreetTally) -> StreetTally:
        if other.street != self.street:
            raise ValueError("cannot merge tallies of different streets")
        return StreetTally(
            street=self.street,
            name=_name(self.name, other.name),
            whistles=self.whistles + other.whistles,
            complete=self.complete + other.complete,
            poor=self.poor + other.poor,
            held=self.held + other.held,
            returned=self.returned + other.returned,
            cases=self.cases | other.cases,
        )


@dataclass(frozen=True)
class Tallies:
    """Mergeable sums of a period: `tally(a) + tally(b) == tally(a ∪ b)` for disjoint whistles."""

    departments: Mapping[str, DepartmentTally] = field(default_factory=dict)
    streets: Mapping[str, StreetTally] = field(default_factory=dict)

    def __add__(self, other: Tallies) -> Tallies:
        overlap = _cases(self) & _cases(other)
        if overlap:
            raise ScoringError(f"whistle(s) counted in both tallies: {', '.join(sorted(overlap)[:5])}")
        return Tallies(_merge(self.departments, other.departments), _merge(self.streets, other.streets))


def _cases(t: Tallies) -> frozenset[str]:
    return frozenset().union(*(s.cases for s in t.streets.values()))


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = merged[key] + value if key in merged else value
    return {k: merged[k] for k in sorted(merged)}


def tally(
    records: Iterable[WhistleRecord],
    period: Period | None = None,
    params: ComponentParams | None = None,
    as_of: datetime | None = None,
) -> Tallies:
    """Sum the whistles received in `period` (all if None) per unit and per street."""
    scores = _scored(records, period, params, as_of)
    return _tally_scored(scores)


def _scored(
    records: Iterable[WhistleRecord],
    period: Period | None,
    params: ComponentParams | None,
    as_of: datetime | None,
) -> list[tuple[WhistleRecord, WhistleScore]]:
    p = params or load_config().params
    seen: dict[str, WhistleRecord] = {}
    problems = ProblemCollector()
    for record in records:
        if period is not None and not period.contains(record.received_at):
            continue
        if record.case_id in seen:
            problems.add("the same whistle appears twice", field="case_id", value=record.case_id, code="duplicate-case")
            continue
        seen[record.case_id] = record
    problems.raise_if_any("duplicate whistles")
    return [(seen[k], score_whistle(seen[k], p, as_of)) for k in sorted(seen)]


def _tally_scored(scored: Iterable[tuple[WhistleRecord, WhistleScore]]) -> Tallies:
    # Group first, then build each tally once: merging one whistle at a time would copy the
    # growing set of case ids on every step (quadratic in a unit's whistles).
    by_unit: dict[str, list[tuple[WhistleRecord, WhistleScore]]] = {}
    by_street: dict[str, list[WhistleRecord]] = {}
    for record, score in scored:
        by_street.setdefault(record.street, []).append(record)
        if record.unit != record.street:  # the street's own office held it: a street does not score itself
            by_unit.setdefault(record.unit, []).append((record, score))
    departments = {unit: _department_tally(unit, by_unit[unit]) for unit in sorted(by_unit)}
    streets = {street: _street_tally(street, by_street[street]) for street in sorted(by_street)}
    return Tallies(departments, streets)


def _sum(values: Iterable[Fraction | None]) -> Sum:
    present = [v for v in values if v is not None]
    return Sum(len(present), sum(present, Fraction(0)))


def _first_name(names: Iterable[str | None]) -> str | None:
    present = [n for n in names if n]
    return min(present) if present else None


def _department_tally(unit: str, items: list[tuple[WhistleRecord, WhistleScore]]) -> DepartmentTally:
    return DepartmentTally(
        unit=unit,
        name=_first_name(r.unit_name for r, _ in items),
        department=_first_name(r.department for r, _ in items),
        whistles=len(items),
        response=_sum(s.response for _, s in items),
        completion=_sum(s.completion for _, s in items),
        satisfaction=_sum(s.satisfaction for _, s in items),
        cases=frozenset(r.case_id for r, _ in items),
    )


def _street_tally(street: str, records: list[WhistleRecord]) -> StreetTally:
    return StreetTally(
        street=street,
        name=_first_name(r.street_name for r in records),
        whistles=len(records),
        complete=sum(r.record_complete for r in records),
        poor=sum(r.poor_quality for r in records),
        held=sum(r.street_held_power for r in records),
        returned=sum(r.returned for r in records),
        cases=frozenset(r.case_id for r in records),
    )


# ---------------------------------------------------------------- period results (晒单)


@dataclass(frozen=True)
class DepartmentResult:
    """A responding unit's period figures: each component with the count of whistles behind it."""

    unit: str
    name: str | None
    department: str | None
    whistles: int
    response: Fraction | None
    completion: Fraction | None
    satisfaction: Fraction | None
    counts: Mapping[str, int]
    score: Fraction | None
    rank: int | None
    vetoes: tuple[Veto, ...]
    cases: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "unit": self.unit,
            "name": self.name,
            "department": self.department,
            "whistles": self.whistles,
            "score": published_text(self.score),
            "response": published_text(self.response),
            "completion": published_text(self.completion),
            "satisfaction": published_text(self.satisfaction),
            "counts": dict(self.counts),
            "vetoes": [v.as_json() for v in self.vetoes],
            "notes": list(self.notes),
            "cases": list(self.cases),
        }


@dataclass(frozen=True)
class StreetResult:
    """A calling street's period figures, with the counts behind them."""

    street: str
    name: str | None
    whistles: int
    staff: int
    band: tuple[Fraction, Fraction]
    mechanism: Fraction
    calls: Fraction
    quality: Fraction
    complete: int
    poor: int
    held: int
    returned: int
    score: Fraction
    rank: int | None
    vetoes: tuple[Veto, ...]
    cases: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "street": self.street,
            "name": self.name,
            "whistles": self.whistles,
            "score": published_text(self.score),
            "mechanism": published_text(self.mechanism),
            "calls": published_text(self.calls),
            "quality": published_text(self.quality),
            "staff": self.staff,
            "expected_calls": [published_text(self.band[0]), published_text(self.band[1])],
            "complete_records": self.complete,
            "poor_quality": self.poor,
            "street_held_power": self.held,
            "returned": self.returned,
            "vetoes": [v.as_json() for v in self.vetoes],
            "cases": list(self.cases),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PeriodScores:
    """The 晒单 of one period: rankings of departments and streets, and every whistle's figures."""

    period: Period
    profile: Profile
    departments: tuple[DepartmentResult, ...]
    streets: tuple[StreetResult, ...]
    whistles: tuple[WhistleScore, ...]
    rounding: str = f"ROUND_HALF_UP to {PUBLISH_PLACES} decimals, at publication only"
    outside: int = 0  # whistles given but received outside the period (not scored)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "outside_period": self.outside,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "profile": self.profile.name,
            "weights": {
                "department": {k: str(v) for k, v in self.profile.department.model_dump().items()},
                "street": {k: str(v) for k, v in self.profile.street.model_dump().items()},
            },
            "rounding": self.rounding,
            "departments": [d.as_json() for d in self.departments],
            "streets": [s.as_json() for s in self.streets],
            "whistles": [w.as_json() for w in self.whistles],
        }


def calls_component(whistles: int, staff: int, period: Period, params: ComponentParams) -> tuple[Fraction, tuple[Fraction, Fraction]]:
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


def _ranked(items: list[Any], key: str) -> list[Any]:
    scored = sorted(
        items,
        key=lambda r: (r.score is None, -(r.score if r.score is not None else 0), getattr(r, key)),
    )
    ranked: list[Any] = []
    previous: Fraction | None = None
    rank = 0
    for position, item in enumerate(scored, start=1):
        if item.score is None:
            ranked.append(item)
            continue
        if item.score != previous:
            rank, previous = position, item.score
        ranked.append(replace(item, rank=rank))
    return ranked


def results(
    tallies: Tallies,
    period: Period,
    profile: str | Profile | None = None,
    *,
    config: ScoringConfig | None = None,
    staff: Mapping[str, int] | None = None,
    street_names: Mapping[str, str] | None = None,
    vetoes: Iterable[Veto] = (),
    whistles: tuple[WhistleScore, ...] = (),
) -> PeriodScores:
    """Period figures and rankings from tallies. Streets in `staff` appear even with no whistle."""
    cfg = config or load_config()
    chosen = cfg.profile(profile)
    p = cfg.params
    vetoes = tuple(vetoes)
    departments: list[DepartmentResult] = []
    for unit, t in tallies.departments.items():
        means = {c: getattr(t, c).mean for c in DEPARTMENT_COMPONENTS}
        missing = [COMPONENT_LABELS[c] for c, v in means.items() if v is None]
        score = None if missing else department_score(*(means[c] for c in DEPARTMENT_COMPONENTS), profile=chosen)
        departments.append(
            DepartmentResult(
                unit=unit,
                name=t.name,
                department=t.department,
                whistles=t.whistles,
                response=means["response"],
                completion=means["completion"],
                satisfaction=means["satisfaction"],
                counts={c: getattr(t, c).count for c in DEPARTMENT_COMPONENTS},
                score=score,  # type: ignore[arg-type]
                rank=None,
                vetoes=vetoes_for(unit, vetoes, period),
                cases=tuple(sorted(t.cases)),
                notes=tuple(f"未评分：{m}无可评分的哨" for m in missing),
            )
        )
    street_tallies = dict(tallies.streets)
    for code in staff or {}:
        street_tallies.setdefault(code, StreetTally(street=code))
    streets: list[StreetResult] = []
    for code in sorted(street_tallies):
        t = street_tallies[code]
        known = (staff or {}).get(code)
        head = known or p.default_staff  # 0 or unknown: the default
        # 呼叫次数 is judged per member of staff: say when the head count is the default, so
        # that a figure resting on an assumed 编制人数 is not read as the street's own.
        notes = () if known else (f"编制人数未知，按默认 {head} 人计 (staff unknown: default {head})",)
        calls, band = calls_component(t.whistles, head, period, p)
        if t.whistles:
            mechanism = HUNDRED * t.complete / t.whistles
            quality = HUNDRED * (t.whistles - t.poor) / t.whistles
        else:
            mechanism, quality = Fraction(p.empty_mechanism), Fraction(p.empty_quality)
        streets.append(
            StreetResult(
                street=code,
                name=t.name or (street_names or {}).get(code),
                whistles=t.whistles,
                staff=head,
                band=band,
                mechanism=mechanism,
                calls=calls,
                quality=quality,
                complete=t.complete,
                poor=t.poor,
                held=t.held,
                returned=t.returned,
                score=street_score(mechanism, calls, quality, profile=chosen),  # type: ignore[arg-type]
                rank=None,
                vetoes=vetoes_for(code, vetoes, period),
                cases=tuple(sorted(t.cases)),
                notes=notes,
            )
        )
    return PeriodScores(
        period=period,
        profile=chosen,
        departments=tuple(_ranked(departments, "unit")),
        streets=tuple(_ranked(streets, "street")),
        whistles=whistles,
    )


def score_period(
    records: Iterable[WhistleRecord],
    period: Period,
    profile: str | Profile | None = None,
    *,
    config: ScoringConfig | None = None,
    staff: Mapping[str, int] | None = None,
    street_names: Mapping[str, str] | None = None,
    vetoes: Iterable[Veto] = (),
    as_of: datetime | None = None,
) -> PeriodScores:
    """Score a period from whistle records: per-whistle figures, tallies, rankings (晒单)."""
    cfg = config or load_config()
    given = list(records)
    scored = _scored(given, period, cfg.params, as_of)
    scores = results(
        _tally_scored(scored),
        period,
        profile,
        config=cfg,
        staff=staff,
        street_names=street_names,
        vetoes=vetoes,
        whistles=tuple(s for _, s in scored),
    )
    return replace(scores, outside=len(given) - len(scored))


def annual_results(
    scores: PeriodScores,
    other_scores: Mapping[str, Number],
    *,
    department_weight: Number = DEPARTMENT_FLOOR,
    street_weight: Number = STREET_FLOOR,
    vetoes: Iterable[Veto] = (),
    pass_mark: Number | None = None,
) -> tuple[AnnualResult, ...]:
    """Fold a year's whistle scores into the annual assessment of every unit with both scores;
    a unit vetoed in the period is always listed, as failed, even without a score to fold.

    `other_scores` maps a unit or street code to its other assessment score (0–100). The weights
    are checked against the floors before anything is computed; vetoes dated in the period fail.
    """
    annual_score(0, 0, department_weight, "department")
    annual_score(0, 0, street_weight, "street")
    vetoes = tuple(vetoes)
    found: list[AnnualResult] = []
    subjects: list[tuple[SubjectKind, str, str | None, Fraction | None, Number]] = [
        ("department", d.unit, d.name, d.score, department_weight) for d in scores.departments
    ]
    subjects += [("street", s.street, s.name, s.score, street_weight) for s in scores.streets]
    kinds: dict[str, tuple[SubjectKind, str | None, Fraction | None]] = {}
    for kind, code, name, whistle, weight in subjects:
        kinds.setdefault(code, (kind, name, whistle))
        if whistle is None or code not in other_scores:
            continue
        result = annual_result(code, whistle, other_scores[code], weight, kind, vetoes, scores.period, pass_mark)
        found.append(result.model_copy(update={"name": name}))
    # A veto fails the unit whatever its score — also when it has no score to fold (no scored
    # whistle in the year, or no other assessment score): it is listed as failed, not left out.
    assessed = {r.subject for r in found}
    for subject in sorted({v.subject for v in vetoes} - assessed):
        own = vetoes_for(subject, vetoes, scores.period)
        if not own:
            continue
        kind, name, whistle = kinds.get(subject, ("street" if subject.isdigit() else "department", None, None))
        other = other_scores.get(subject)
        missing = []
        if whistle is None:
            missing.append("无可评分的吹哨 (no scored whistle in the period)")
        if other is None:
            missing.append("无其他考核得分 (no other assessment score)")
        found.append(
            AnnualResult(
                subject=subject,
                kind=kind,
                score=None,
                passed=False,
                vetoed=True,
                reasons=(*(v.reason for v in own), "年度得分无法折算：" + "；".join(missing)),
                vetoes=own,
                whistle_score=whistle,
                other_score=None if other is None else _kept(other),
                name=name,
            )
        )
    return tuple(sorted(found, key=lambda r: (r.kind != "department", r.subject)))


__all__ = [
    "AnnualResult",
    "ComponentParams",
    "DEPARTMENT_FLOOR",
    "DepartmentResult",
    "DepartmentTally",
    "Period",
    "PeriodScores",
    "Profile",
    "STREET_FLOOR",
    "Satisfaction",
    "ScoringConfig",
    "ScoringError",
    "StreetResult",
    "StreetTally",
    "Sum",
    "Tallies",
    "Veto",
    "VetoItem",
    "WhistleRecord",
    "WhistleScore",
    "annual_result",
    "annual_results",
    "annual_score",
    "calls_component",
    "department_score",
    "load_config",
    "publish",
    "results",
    "score_period",
    "score_whistle",
    "street_score",
    "tally",
]
