"""The scoring period — 考核周期: a month, a quarter or a year, in Asia/Shanghai time.

Whistles are attributed to a period by when they were received (受理时间); vetoes by their date.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InputError, Problem
from ..routing.issue import SHANGHAI

# A month is 2026-7, 2026-07, 2026 07 or 202607: run on to the year it has two digits, so 99999 is no
# period (it used to read as 9999-09).
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*-?\s*[Qq]\s*([1-4])|(?:\s*-\s*|\s+)(\d{1,2})|(\d{2}))?\s*$")
FIRST_YEAR = 1900
LAST_YEAR = 2999  # far enough for any assessment, near enough that 9999Q4 is a typing error


class Period(BaseModel):
    """A scoring period — 考核周期: a month, a quarter or a year, in Asia/Shanghai time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["month", "quarter", "year"]
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    number: int = Field(default=1, ge=1, le=12)

    @model_validator(mode="after")
    def _number_fits(self) -> Period:
        limit = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.number > limit:
            raise ValueError(f"a {self.kind} number is 1..{limit}")
        return self

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026Q3' (or 2026-Q3), '2026-07' (or 202607), '2026'."""
        found = _PERIOD.match(str(text))
        problem = Problem(
            message="考核周期应为年（2026）、季度（2026Q3）或月（2026-07） (a period is a year, a quarter or a month)",
            field="period",
            value=str(text),
            code="bad-period",
        )
        if not found:
            raise InputError([problem], "考核周期无效 (invalid period)")
        year, quarter, dashed, month = found.groups()
        month = dashed or month
        if not FIRST_YEAR <= int(year) <= LAST_YEAR or year.startswith("0"):
            raise InputError([problem.model_copy(update={
                "message": f"考核周期的年份须在 {FIRST_YEAR}–{LAST_YEAR} 之间，是否输错了？(the year of a period is "
                           f"{FIRST_YEAR}–{LAST_YEAR}: a typing error?)", "code": "bad-period-year"})],
                "考核周期无效 (invalid period)")
        if quarter:
            return cls(kind="quarter", year=int(year), number=int(quarter))
        if month:
            if not 1 <= int(month) <= 12:
                raise InputError([problem], "考核周期无效 (invalid period)")
            return cls(kind="month", year=int(year), number=int(month))
        return cls(kind="year", year=int(year))

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first_month, 1, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """Exclusive end."""
        month = self.first_month + self.months
        return datetime(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=SHANGHAI)

    def contains(self, moment: datetime | date) -> bool:
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
            return self.start <= aware < self.end
        return self.start.date() <= moment < self.end.date()

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    def __str__(self) -> str:
        return self.label
