"""Reading calendar_overrides.xlsx: working days and days off (调休) that the installed holiday
calendar does not know yet.

Checks: each 日期 is a day (a date cell, or text read by the one time parser of every reader,
`powerlist.sheets.timetext`: 2026-10-08, 2026/10/8, 2026.10.8, 2026年10月8日 …), each given
once; 类型 is 上班 (also 补班, 调休上班: an extra working day) or 休息 (also 放假, 休: a day off).
"""

from __future__ import annotations

from ..errors import ProblemCollector
from ..sheets.rows import row_text
from ..sheets.text import clean_token
from ..sheets.timetext import TimeTextError, parse_date
from .catalog_tables import Table, required
from .files import SHEET_REQUIRED
from .models import CalendarOverride

_WORKDAY = {"上班": True, "补班": True, "调休上班": True, "休息": False, "放假": False, "休": False}


def read_overrides(rows: Table, problems: ProblemCollector) -> list[CalendarOverride]:
    """The overrides of the 调休调整 sheet's rows, by date."""
    out: list[CalendarOverride] = []
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["调休调整"])
        if not v:
            continue
        cell = header.cell("day", row.number)
        try:
            day = parse_date(v["day"]).isoformat()
        except TimeTextError as error:
            problems.add(f"日期：{error}", sheet=header.sheet, cell=cell, row=row.number, field="day",
                         value=v["day"], code="bad-date")
            continue
        if day in seen:
            problems.add(f"日期重复，首次见 {seen[day]} (date given twice, first at {seen[day]})",
                         sheet=header.sheet, cell=cell, row=row.number, field="day", value=day,
                         code="duplicate-date")
            continue
        seen[day] = f"{header.sheet}!{cell}"
        workday = _WORKDAY.get(clean_token(v["type"]))
        if workday is None:
            problems.add("类型应为 上班（调休上班）或 休息（放假） "
                         "(类型 must be 上班, an extra working day, or 休息, a day off)",
                         sheet=header.sheet, cell=header.cell("type", row.number),
                         row=row.number, field="type", value=v["type"], code="bad-value")
            continue
        out.append(CalendarOverride(day=day, workday=workday, note=row_text(row, "note") or "",
                                    source=row_text(row, "source") or ""))
    return sorted(out, key=lambda o: o.day)
