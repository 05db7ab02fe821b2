"""Exact numbers in, published decimals out — the scoring's arithmetic.

Arithmetic is exact and never touches float: caller-given values and weights are Decimals; a
definition that divides (a lateness ratio, a mean) yields an exact rational (`fractions.Fraction`).
The one rounding rule, applied only at publication by `publish`, is ROUND_HALF_UP to 2 decimals.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ..errors import PowerlistError

Number = Decimal | int | str | Fraction

HUNDRED = Fraction(100)
PUBLISH_PLACES = 2


class ScoringError(PowerlistError):
    """A score, weight or period that the scoring rules do not allow (e.g. w below the floor)."""


def exact(value: Number, name: str = "value") -> Fraction:
    """`value` as an exact rational; floats are refused (they carry binary drift)."""
    if isinstance(value, bool | float):
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
