"""Period results — 晒单: each unit's and street's figures, scores and rank, traceable to whistles.

`results(tallies, period)` turns tallies into rankings; `score_period(records, period)` scores the
whistles, tallies them and ranks in one step. A unit's period component is the mean over its
whistles where the component is scorable, each with its count; a unit with a component no whistle
could score gets no score and no rank. Equal scores share a rank (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any, TypeVar

from .arithmetic import PUBLISH_PLACES, published_text
from .components import WhistleScore, calls_component, mechanism_component, quality_component
from .config import ScoringConfig, load_config
from .formulas import department_score, street_score
from .period import Period
from .profiles import COMPONENT_LABELS, DEPARTMENT_COMPONENTS, Profile
from .record import WhistleRecord
from .tally import StreetTally, Tallies, scored_whistles, tally_scored
from .veto import Veto, vetoes_for


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


_Result = TypeVar("_Result", DepartmentResult, StreetResult)


def _ranked(items: list[_Result], code: Callable[[_Result], str]) -> list[_Result]:
    """Best score first, ties by code; equal scores share a rank; the unscored last, unranked."""
    scored = sorted(
        items,
        key=lambda r: (r.score is None, -(r.score if r.score is not None else 0), code(r)),
    )
    ranked: list[_Result] = []
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
    for unit, own in tallies.departments.items():
        sums = {"response": own.response, "completion": own.completion, "satisfaction": own.satisfaction}
        response, completion, satisfaction = own.response.mean, own.completion.mean, own.satisfaction.mean
        missing = [COMPONENT_LABELS[c] for c in DEPARTMENT_COMPONENTS if sums[c].mean is None]
        score = (
            None
            if response is None or completion is None or satisfaction is None
            else department_score(response, completion, satisfaction, profile=chosen)
        )
        departments.append(
            DepartmentResult(
                unit=unit,
                name=own.name,
                department=own.department,
                whistles=own.whistles,
                response=response,
                completion=completion,
                satisfaction=satisfaction,
                counts={c: sums[c].count for c in DEPARTMENT_COMPONENTS},
                score=score,
                rank=None,
                vetoes=vetoes_for(unit, vetoes, period),
                cases=tuple(sorted(own.cases)),
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
        mechanism = mechanism_component(t.whistles, t.complete, p)
        quality = quality_component(t.whistles, t.poor, p)
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
                score=street_score(mechanism, calls, quality, profile=chosen),
                rank=None,
                vetoes=vetoes_for(code, vetoes, period),
                cases=tuple(sorted(t.cases)),
                notes=notes,
            )
        )
    return PeriodScores(
        period=period,
        profile=chosen,
        departments=tuple(_ranked(departments, lambda d: d.unit)),
        streets=tuple(_ranked(streets, lambda s: s.street)),
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
    scored = scored_whistles(given, period, cfg.params, as_of)
    scores = results(
        tally_scored(scored),
        period,
        profile,
        config=cfg,
        staff=staff,
        street_names=street_names,
        vetoes=vetoes,
        whistles=tuple(s for _, s in scored),
    )
    return replace(scores, outside=len(given) - len(scored))
