"""The whistle record — 一哨一考核's unit: one whistle (吹哨) and how the responding unit handled it.

The facts only (times, the call-back, extensions, findings); what they score is `components`.
Spreadsheet cells are read leniently here (whistle kinds, grades and satisfaction in the words
call-back staff write), and every broken record is refused with the field that is wrong.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..cases.lifecycle import SATISFACTION_LABELS, Satisfaction
from ..catalog.models import Grade
from ..routing.decision import WHISTLE_LABELS, Whistle
from ..routing.issue import checked_code, checked_instant, checked_text

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
        return checked_code(value)

    @field_validator("street_name", "unit_name", "department", mode="before")
    @classmethod
    def _blank_none(cls, value: Any) -> Any:
        # names are kept as written: the one text policy applies (codes get it in checked_code)
        return None if isinstance(value, str) and not value.strip() else checked_text(value)

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
            raise ValueError("满意度应为 满意、基本满意、不满意 或留空 "
                             "(satisfaction is 满意, 基本满意, 不满意 or blank)")
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
        return None if value is None else checked_instant(value)

    @field_validator("respond_by", "responded_at", "complete_by", "completed_at")
    @classmethod
    def _after_receipt(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # A deadline or a response before the whistle was received, or a completion before the
        # response, is a broken record: scored as it stands it earns full marks.
        if value is None:
            return None
        received = info.data.get("received_at")
        if received is not None and value < received:
            raise ValueError(f"{value.isoformat()} 早于受理时间 {received.isoformat()} "
                             f"({value.isoformat()} is before the whistle was received)")
        responded = info.data.get("responded_at")
        if info.field_name == "completed_at" and responded is not None and value < responded:
            raise ValueError(f"办结时间 {value.isoformat()} 早于响应时间 {responded.isoformat()} "
                             f"(completed before the response)")
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
