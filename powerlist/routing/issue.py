"""An issue in: a resident complaint or task from any intake channel — 诉求/事件."""

from __future__ import annotations

import math
import re
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Channel(StrEnum):
    """Intake channel — 受理渠道 (多网合一: 12345 is the base)."""

    HOTLINE = "12345"
    DIGITAL_CITY = "数字城管"
    VIDEO = "雪亮工程"
    PETITION = "阳光信访"
    POLICE = "110"
    GRID = "网格"
    NEW_MEDIA = "部门新媒体"
    OTHER = "其他"


class RequestKind(StrEnum):
    """Hotline request kind — 诉求类型."""

    CONSULT = "consult"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议

    @property
    def label(self) -> str:
        return REQUEST_KIND_LABELS[self]


REQUEST_KIND_LABELS = {
    RequestKind.CONSULT: "咨询",
    RequestKind.HELP: "求助",
    RequestKind.COMPLAINT: "投诉",
    RequestKind.REPORT: "举报",
    RequestKind.SUGGESTION: "建议",
}
_REQUEST_KIND_BY_LABEL = {v: k for k, v in REQUEST_KIND_LABELS.items()}
_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?")
_CHANNEL_ALIASES = {"12345热线": "12345", "黄石110": "110", "网格化服务管理中心": "网格", "其它": "其他"}


def code_text(value: Any) -> Any:
    """A code cell as text: spreadsheets store codes as numbers, and 420202001.0 must read back
    as "420202001". Anything else (text, a bool, a fraction) is left for validation to judge."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


class Issue(BaseModel):
    """One issue to route. A naive `received_at` is read as Asia/Shanghai time."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200)
    received_at: datetime
    category: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=100)
    channel: Channel | None = None
    request_kind: RequestKind | None = None
    emergency: bool = False
    key_work: bool = False
    needs_enforcement: bool = False
    cross_department: bool = False
    repeat_count: int = Field(default=0, ge=0, le=1_000_000)
    description: str | None = Field(default=None, max_length=20_000)

    @field_validator("id", "category", "location", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return code_text(value)

    @field_validator("received_at", mode="before")
    @classmethod
    def _not_a_number(cls, value: Any) -> Any:
        # pydantic would read a number as a Unix timestamp; from a spreadsheet it is almost
        # always an unformatted date serial, so 45843 would silently become 1970.
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
            raise ValueError(
                "expected an ISO 8601 date-time such as 2026-11-23T09:12:00 (or a date cell), not a number"
            )
        return value

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        # int(inf) raises OverflowError: a non-finite number is text, and fails as an unknown channel.
        text = str(int(value)) if number and math.isfinite(value) else str(value).strip()
        return _CHANNEL_ALIASES.get(text, text)

    @field_validator("request_kind", mode="before")
    @classmethod
    def _request_kind(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        text = str(value).strip()
        return _REQUEST_KIND_BY_LABEL.get(text, text)

    @field_validator("description", mode="before")
    @classmethod
    def _empty_description(cls, value: Any) -> Any:
        return None if value == "" else value
