"""Chinese working days — 工作日 — for time limits (限时办结).

China moves working days around public holidays (调休): a Saturday can be a working day and a
Tuesday a holiday, so weekends alone are wrong. `WorkCalendar` answers from three sources,
strongest first:

1. the catalog's override sheet (`calendar_overrides.xlsx`, sheet 调休调整): a row for a date
   always wins (a State Council notice the package does not know yet, or a local change);
2. the `chinese-calendar` package, which knows the State Council notices for 2004–2026;
3. for a year that package does not know:
   - **if the override sheet has at least one row for that year**, weekends plus that year's
     override rows. The sheet is then taken as the complete notice for that year (every
     holiday and every make-up workday of the year must be entered);
   - otherwise it depends on `unknown_year` (the router reads it from `rules/deadlines.toml`,
     `[params] unknown_year`; the shipped value is "statutory"; `WorkCalendar()` on its own
     defaults to "error"):
     - "error": `CalendarError` naming the year and the sheet to fill;
     - "statutory" (an explicit, documented fallback, never a silent guess): for a year after
       the last one chinese-calendar knows, through 2030, working days are Monday–Friday less the
       statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, in force 2025-01-01)
       whose dates can be known in advance — see `statutory_holidays`:
         元旦 New Year's Day, 1 January;
         清明节 Qingming, the day of the solar term 清明 (4 or 5 April), from
           chinese-calendar's solar-term table (checked against every year's State Council
           holidays 2008–2026 and against the published dates for 2027–2030);
         劳动节 Labour Day, 1–2 May;
         国庆节 National Day, 1–3 October.
       Not known, so NOT in the fallback: 春节 Spring Festival (除夕–初三), 端午节 Dragon Boat
       Festival and 中秋节 Mid-Autumn Festival, which follow the lunar calendar (chinese-calendar
       has no lunar conversion), and every make-up workday (调休) and bridged day, which only
       the State Council's yearly notice fixes. A deadline counted over such a year is
       therefore *provisional*: `provisional_years` names the years, and the router adds the
       trace step `calendar.unknown_year` to every decision whose deadline used it. A year
       before chinese-calendar's first (2004) or after 2030 still raises `CalendarError` (the
       law may be revised by then, and a year that far off is more likely a typing error).

How a time limit of N working days is computed (the rule `add_working_days` implements):

- The day the issue is received never counts, whatever the time of day (期间开始之日不计算在期间内,
  as in China's procedure laws); counting starts with the first working day after it. An issue
  received on a Saturday, or on a holiday, therefore also counts from the next working day.
- The limit ends at the end of the N-th working day, 23:59:59 Asia/Shanghai (期间届满日的二十四时).
- N = 0 means "no time allowed": the start itself is returned.

Clock-time limits (emergencies: respond in 30 minutes, answer in 24 hours) use `add_hours` /
`add_minutes`: plain elapsed time, holidays included, because an emergency does not wait.

Limitations: the calendar is national; a local holiday must be entered in the override sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import chinese_calendar

from ..catalog.models import CalendarOverride
from ..errors import CalendarError, Problem
from .instants import overflow_problem
from .issue import SHANGHAI

OVERRIDE_SHEET = "catalogs/calendar_overrides.xlsx, sheet 调休调整"
END_OF_DAY = time(23, 59, 59)
_KNOWN_YEARS = range(
    min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1
)
_WORKDAYS, _HOLIDAYS = chinese_calendar.workdays, chinese_calendar.holidays
# What to do for a year neither chinese-calendar nor the override sheet knows.
UNKNOWN_YEAR_MODES = ("statutory", "error")
# The years the "statutory" fallback covers: after the package's data, through 2030 — the years
# whose 清明 dates were checked against published ones, and a horizon that still refuses a
# mistyped year (2099) instead of giving it a deadline.
FALLBACK_LAST_YEAR = 2030
_FALLBACK_YEARS = range(_KNOWN_YEARS.stop, FALLBACK_LAST_YEAR + 1)
# 《全国年节及纪念日放假办法》 (2024 revision): the holidays on fixed solar dates.
_FIXED_HOLIDAYS = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"), (5, 2, "劳动节"),
    (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节"),
)


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of `year` known without the State Council's notice: 元旦 (1 Jan),
    清明节 (the solar term 清明), 劳动节 (1–2 May), 国庆节 (1–3 Oct). The lunar holidays (春节,
    端午节, 中秋节) and make-up workdays are not included: they cannot be known in advance here."""
    found = {date(year, month, day): name for month, day, name in _FIXED_HOLIDAYS}
    for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)):
        if name == "清明":
            found[day] = "清明节"
    return found


class WorkCalendar:
    """Working days in mainland China, with the catalog's overrides winning."""

    def __init__(self, overrides: Iterable[CalendarOverride] = (), unknown_year: str = "error") -> None:
        if unknown_year not in UNKNOWN_YEAR_MODES:
            raise ValueError(f"unknown_year must be one of {', '.join(UNKNOWN_YEAR_MODES)}, not {unknown_year!r}")
        self.unknown_year = unknown_year
        # The first year whose days may come from the fallback (a plain int for hot paths).
        self.provisional_from = _FALLBACK_YEARS.start if unknown_year == "statutory" else 10_000
        self.overrides: tuple[CalendarOverride, ...] = tuple(overrides)
        self._override_days: dict[date, bool] = {}
        for row in self.overrides:
            self._override_days[date.fromisoformat(row.day)] = row.workday
        self._override_years = {d.year for d in self._override_days}
        self._workday: dict[date, bool] = {}
        self._after: dict[tuple[date, int], date] = {}
        self._due: dict[tuple[date, int], datetime] = {}
        self._statutory: dict[int, dict[date, str]] = {}

    def is_workday(self, day: date | datetime) -> bool:
        """True if `day` is a working day (make-up Saturdays included, holidays excluded)."""
        if isinstance(day, datetime):
            day = day.astimezone(SHANGHAI).date() if day.tzinfo else day.date()
        found = self._workday.get(day)
        if found is None:
            found = self._compute(day)
            self._workday[day] = found
        return found

    def _compute(self, day: date) -> bool:
        override = self._override_days.get(day)
        if override is not None:
            return override
        if day.year in _KNOWN_YEARS:
            # chinese_calendar.is_workday without its per-call range check (min and max over
            # every holiday it knows: 30 µs a day), from the same two tables
            return day in _WORKDAYS or (day.weekday() <= 4 and day not in _HOLIDAYS)
        if day.year in self._override_years:
            # Documented fallback: the sheet's rows are that year's complete notice.
            return day.weekday() < 5
        if self.unknown_year == "statutory" and day.year in _FALLBACK_YEARS:
            # Documented fallback: weekdays less the fixed-date statutory holidays; provisional.
            holidays = self._statutory.get(day.year)
            if holidays is None:
                holidays = self._statutory[day.year] = statutory_holidays(day.year)
            return day.weekday() < 5 and day not in holidays
        raise CalendarError(
            [
                # The issue's received_at is what reached the year: located at the issue's
                # field (its file, row and cell are added where the issue was read), with the
                # sheet to fill named in the message, not as the place of the problem.
                Problem(
                    message=(
                        f"工作日历没有 {day.year} 年的放假安排（chinese-calendar 收录 {_KNOWN_YEARS.start}–"
                        f"{_KNOWN_YEARS.stop - 1} 年）：请核对受理时间，或将该年国务院办公厅的放假和调休通知录入 "
                        f"{OVERRIDE_SHEET} (the working-day calendar does not know the year {day.year}; check "
                        f"received_at, or enter that year's State Council notice in {OVERRIDE_SHEET})"
                    ),
                    field="received_at",
                    value=day.isoformat(),
                    code="calendar-unknown-year",
                )
            ],
            f"工作日历没有 {day.year} 年 (no working-day calendar for {day.year})",
        )

    def is_provisional_year(self, year: int) -> bool:
        """True if the days of `year` come from the "statutory" fallback (neither
        chinese-calendar nor the override sheet knows the year)."""
        return (
            self.unknown_year == "statutory"
            and year in _FALLBACK_YEARS
            and year not in self._override_years
        )

    def provisional_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years of the days `first`..`last` (inclusive) whose working days came from the
        "statutory" fallback: a limit counted over these days is provisional."""
        if self.unknown_year != "statutory" or last.year < _FALLBACK_YEARS.start:
            return ()
        return tuple(y for y in range(first.year, last.year + 1) if self.is_provisional_year(y))

    def working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (the day itself never counts); n ≥ 1."""
        key = (day, n)
        found = self._after.get(key)
        if found is None:
            current, left = day, n
            known, one = self._workday, timedelta(days=1)
            try:
                while left > 0:
                    current += one
                    workday = known.get(current)  # is_workday, without its call for a day seen before
                    if workday is None:
                        workday = self.is_workday(current)
                    if workday:
                        left -= 1
            except OverflowError:
                raise _overflow(datetime.combine(day, time())) from None
            found = current
            self._after[key] = found
        return found

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End (23:59:59 Asia/Shanghai) of the n-th working day after the day of `start`."""
        if n < 0:
            raise ValueError("a time limit cannot be negative")
        try:
            start = _aware(start)
        except OverflowError:
            raise _overflow(start) from None
        if n == 0:
            return start
        last = self.working_day_after(start.date(), n)
        return datetime.combine(last, END_OF_DAY, tzinfo=SHANGHAI)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """`start` plus elapsed clock hours (holidays included)."""
        try:
            return _aware(start) + timedelta(hours=hours)
        except OverflowError:
            raise _overflow(start) from None

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """`start` plus elapsed clock minutes (holidays included)."""
        try:
            return _aware(start) + timedelta(minutes=minutes)
        except OverflowError:
            raise _overflow(start) from None

    def add(self, start: datetime, amount: int, unit: str) -> datetime:
        """A time limit in `unit`: "working_days", "hours" or "minutes"."""
        if unit == "working_days":
            return self.add_working_days(start, amount)
        if unit == "hours":
            return self.add_hours(start, amount)
        if unit == "minutes":
            return self.add_minutes(start, amount)
        raise ValueError(f"unknown time-limit unit {unit!r}")

    def due(self, start: datetime, amount: int, unit: str) -> datetime:
        """`add` for a `start` already in Asia/Shanghai (an Issue's received_at): the router's
        per-issue path, with the end of each (day, n) working-day limit computed once."""
        if unit == "working_days" and amount > 0:
            return self.end_of_working_days(start, amount)
        return self.add(start, amount, unit)

    def end_of_working_days(self, start: datetime, n: int) -> datetime:
        """`add_working_days(start, n)` for n ≥ 1 and `start` in Asia/Shanghai, memoised."""
        key = (start.date(), n)
        found = self._due.get(key)
        if found is None:
            found = datetime.combine(self.working_day_after(key[0], n), END_OF_DAY, SHANGHAI)
            self._due[key] = found
        return found


def _overflow(start: datetime) -> CalendarError:
    code, message = overflow_problem(start)
    return CalendarError([Problem(message=message, value=start.isoformat(), code=code)],
                         "时限超出可计算的范围 (a time limit out of range)")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)
