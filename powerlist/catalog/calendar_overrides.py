"""Reading calendar_overrides.xlsx: working days and days off (调休) that the installed holiday
calendar does not know yet.

Checks: dates are ISO dates (YYYY-MM-DD), each given once; 类型 is 上班 (also 补班, 调休上班:
an extra working day) or 休息 (also 放假, 休: a day off).
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import ProblemCollector
from ..sheets.rows import row_text
from ..sheets.text import clean_token
from .catalog_tables import Table, required
from .files import SHEET_REQUIRED
from .models import CalendarOverride

_WORKDAY = {"上班": True, "补班": True, "调休上班": True, "休息": False, "放假": False, "休": False}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_overrides(rows: Table, problems: ProblemCollector) -> list[CalendarOverride]:
    """The overrides of the 调休调整 sheet's rows, by date."""
    out: list[CalendarOverride] = []
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["调休调整"])
        if not v:
            continue
        day = clean_token(v["day"])
        ok = bool(_ISO_DATE.match(day))
        if ok:
            try:
                date.fromisoformat(day)
            except ValueError:
                ok = False
        cell = header.cell("day", row.number)
        if not ok:
            problems.add("日期 must be a date written YYYY-MM-DD", sheet=header.sheet,
                         cell=cell, row=row.number, field="day", value=v["day"],
                         code="bad-date")
            continue
        if day in seen:
            problems.add(f"date given twice, first at {seen[day]}", sheet=header.sheet,
                         cell=cell, row=row.number, field="day", value=day,
                         code="duplicate-date")
            continue
        seen[day] = f"{header.sheet}!{cell}"
        workday = _WORKDAY.get(clean_token(v["type"]))
        if workday is None:
            problems.add("类型 must be 上班 (an extra working day) or 休息 (a day off)",
                         sheet=header.sheet, cell=header.cell("type", row.number),
                         row=row.number, field="type", value=v["type"], code="bad-value")
            continue
        out.append(CalendarOverride(day=day, workday=workday, note=row_text(row, "note") or "",
                                    source=row_text(row, "source") or ""))
    return sorted(out, key=lambda o: o.day)
