"""The one-vote veto — 一票否决: four items whose breach fails a unit's annual assessment.

A `Veto` is one event against a unit or a street (安全生产, 环境保护, 党风廉政, 综治维稳), dated;
`vetoes_for` picks a subject's vetoes dated in a period. The veto list is read by `readers`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..routing.issue import code_text
from .period import Period


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
