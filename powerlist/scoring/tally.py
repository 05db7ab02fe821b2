"""Mergeable period tallies: per responding unit and per calling street, counts and exact sums.

`tally(records, period)` gives `Tallies` — per unit and per street, counts and exact sums with
the whistle ids behind them — and `tally(a) + tally(b) == tally(a + b)` for disjoint whistles, in
any order (a whistle counted in both is refused). A whistle whose responding unit is the street's
own office counts for the street only. `results` turns tallies into rankings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import TypeVar

from ..errors import ProblemCollector
from .arithmetic import ScoringError
from .components import WhistleScore, score_whistle
from .config import ComponentParams, load_config
from .period import Period
from .record import WhistleRecord


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


_Tally = TypeVar("_Tally", DepartmentTally, StreetTally)


def _merge(a: Mapping[str, _Tally], b: Mapping[str, _Tally]) -> dict[str, _Tally]:
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
    scores = scored_whistles(records, period, params, as_of)
    return tally_scored(scores)


def scored_whistles(
    records: Iterable[WhistleRecord],
    period: Period | None,
    params: ComponentParams | None,
    as_of: datetime | None,
) -> list[tuple[WhistleRecord, WhistleScore]]:
    """The whistles received in `period` (all if None), each with its figures, by case id; a case
    id given twice is an InputError."""
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


def tally_scored(scored: Iterable[tuple[WhistleRecord, WhistleScore]]) -> Tallies:
    """The tallies of whistles already scored (`scored_whistles`)."""
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
