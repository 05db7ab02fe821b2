"""Weight profiles — 权重方案: how much each component counts in a department's or a street's score.

A `Profile` names one set of weights per subject; weights are >= 0 and sum to exactly 1 per
subject (the report's: departments 10% 响应度 + 40% 办结度 + 50% 满意度, streets 10% 呼叫机制 +
50% 呼叫次数 + 40% 呼叫质效). Profiles are read from `rules/scoring.toml` by `config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import ProblemCollector

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


class DepartmentWeights(BaseModel):
    """A department's weights (街道评部门), one per component."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    response: Decimal
    completion: Decimal
    satisfaction: Decimal


class StreetWeights(BaseModel):
    """A street's weights (部门评街道), one per component."""

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
        department: object,
        street: object,
        description: str = "",
        *,
        file: str | None = None,
        lines: Mapping[str, int] | None = None,
    ) -> Profile:
        """Validate weights (each subject's a table of its components' weights, as read from the rules
        file, so anything may arrive); every problem is reported at once, located by field (and line)."""
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
    if isinstance(value, bool | float):
        return None  # the rules file is parsed with Decimal floats; a float here is a bug upstream
    if isinstance(value, int | Decimal):
        return Decimal(value) if Decimal(value).is_finite() else None
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None
