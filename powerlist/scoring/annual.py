"""The annual assessment — 年度考核: the whistle score folded into the unit's other assessment.

`annual_result` folds one unit's whistle score into its other assessment score (w ≥ 0.30
departments, w ≥ 0.15 streets; see `formulas.annual_score`) and fails the unit on any veto dated
in the period (一票否决), or below `pass_mark`. `annual_results` does it for every unit and street
of a year's `PeriodScores`; a unit vetoed in the year is always listed, as failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from .arithmetic import Number, exact, publish, published_text
from .config import load_config
from .formulas import DEPARTMENT_FLOOR, STREET_FLOOR, SubjectKind, annual_score
from .period import Period
from .results import PeriodScores
from .veto import Veto, vetoes_for


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
