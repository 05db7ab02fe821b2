"""The report's formulas: the weighted department and street scores and the annual fold.

- `department_score`: streets score a department, Σ weight × component over 响应度, 办结度, 满意度.
- `street_score`: departments score a street, Σ weight × component over 呼叫机制, 呼叫次数, 呼叫质效.
- `annual_score`: w × whistle score + (1 − w) × the unit's other assessment, with the report's
  floors on w (at least 0.30 for departments, 0.15 for streets).

Each returns an exact Decimal for Decimal/int/str inputs and an exact Fraction if any input is a
Fraction; every component is a score within 0..100.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from typing import Literal, overload

from .arithmetic import Number, ScoringError, exact, publish
from .config import load_config
from .profiles import Profile

DEPARTMENT_FLOOR = Decimal("0.30")  # the report: at least 30% of a department's annual assessment
STREET_FLOOR = Decimal("0.15")  # the report: at least 15% of a street's year-end assessment
FLOORS = {"department": DEPARTMENT_FLOOR, "street": STREET_FLOOR}
SubjectKind = Literal["department", "street"]


def _as_decimal(value: Fraction) -> Decimal:
    """An exact Decimal for a rational whose denominator divides a power of ten."""
    with localcontext() as ctx:
        ctx.prec = 200
        ctx.traps[Inexact] = True
        return Decimal(value.numerator) / Decimal(value.denominator)


def _returned(value: Fraction, inputs: Iterable[object]) -> Fraction | Decimal:
    return value if any(isinstance(v, Fraction) for v in inputs) else _as_decimal(value)


def _score_arg(value: Number, name: str) -> Fraction:
    number = exact(value, name)
    if not 0 <= number <= 100:
        raise ScoringError(f"{name} must be within 0..100, got {_show(number)}")
    return number


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(publish(value))


def _profile(profile: str | Profile | None) -> Profile:
    return profile if isinstance(profile, Profile) else load_config().profile(profile)


@overload
def department_score(
    response: Fraction, completion: Fraction, satisfaction: Fraction, profile: str | Profile | None = None
) -> Fraction: ...


@overload
def department_score(
    response: Number, completion: Number, satisfaction: Number, profile: str | Profile | None = None
) -> Decimal | Fraction: ...


def department_score(
    response: Number, completion: Number, satisfaction: Number, profile: str | Profile | None = None
) -> Decimal | Fraction:
    """Streets score a department: default 10% 响应度 + 40% 办结度 + 50% 满意度 (exact)."""
    w = _profile(profile).department
    return _weighted(
        (w.response, response, "response"), (w.completion, completion, "completion"),
        (w.satisfaction, satisfaction, "satisfaction"),
    )


@overload
def street_score(
    mechanism: Fraction, calls: Fraction, quality: Fraction, profile: str | Profile | None = None
) -> Fraction: ...


@overload
def street_score(
    mechanism: Number, calls: Number, quality: Number, profile: str | Profile | None = None
) -> Decimal | Fraction: ...


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
