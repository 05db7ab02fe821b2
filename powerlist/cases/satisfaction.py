"""The resident's evaluation of a closed case — 满意度评价 (recorded with `evaluate`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Satisfaction(StrEnum):
    """The resident's evaluation — 满意度评价."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意

    @property
    def label(self) -> str:
        return SATISFACTION_LABELS[self]

    @classmethod
    def parse(cls, text: Any) -> Satisfaction | None:
        t = "".join(str(text).split())
        if t in cls._value2member_map_:
            return cls(t)
        return {v: k for k, v in SATISFACTION_LABELS.items()}.get(t)


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


__all__ = ["SATISFACTION_LABELS", "Satisfaction"]
