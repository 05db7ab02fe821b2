"""Working days: real 2026 holidays and make-up days, overrides, unknown years, the N-day rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlist.catalog.models import CalendarOverride
from powerlist.errors import CalendarError, InputError
from powerlist.routing.calendar import WorkCalendar
from powerlist.routing.issue import SHANGHAI

CAL = WorkCalendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_national_day_2026() -> None:
    # State Council notice for 2026: 10-01..07 off; Sunday 09-20 and Saturday 10-10 worked.
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(date(2026, 10, 8))
    assert CAL.is_workday(date(2026, 10, 10))  # a Saturday, make-up workday (调休上班)
    assert CAL.is_workday(date(2026, 9, 20))  # a Sunday, make-up workday
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026() -> None:
    assert not CAL.is_workday(date(2026, 2, 23))  # a Monday inside the holiday
    assert CAL.is_workday(date(2026, 2, 14))  # a Saturday worked
    assert CAL.is_workday(date(2026, 2, 24))


def test_datetime_is_read_in_shanghai() -> None:
    # 2026-10-08 01:00 in Shanghai is still 10-07 in UTC: the Shanghai date decides.
    assert CAL.is_workday(at(2026, 10, 8, 1, 0))
    assert CAL.is_workday(datetime(2026, 10, 7, 17, 0, tzinfo=SHANGHAI).astimezone(SHANGHAI)) is False


def test_receipt_day_never_counts_and_limit_ends_at_end_of_day() -> None:
    assert CAL.add_working_days(at(2026, 11, 23, 9, 0), 1) == at(2026, 11, 24, 23, 59, 59)
    # received on a Saturday: day 1 is Monday
    assert CAL.add_working_days(at(2026, 11, 28, 15, 0), 1) == at(2026, 11, 30, 23, 59, 59)
    # received on a holiday: counting starts after it, the make-up Saturday counts
    assert CAL.add_working_days(at(2026, 10, 2, 8, 0), 3) == at(2026, 10, 10, 23, 59, 59)
    assert CAL.add_working_days(at(2026, 11, 23, 9, 0), 0) == at(2026, 11, 23, 9, 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(at(2026, 11, 23, 9, 0), -1)


def test_naive_start_is_shanghai_time() -> None:
    assert CAL.add_working_days(datetime(2026, 11, 23, 9, 0), 1) == at(2026, 11, 24, 23, 59, 59)
    assert CAL.add_hours(datetime(2026, 10, 1, 23, 30), 2) == at(2026, 10, 2, 1, 30)


def test_clock_limits_ignore_holidays() -> None:
    assert CAL.add_minutes(at(2026, 10, 1, 23, 50), 30) == at(2026, 10, 2, 0, 20)
    assert CAL.add(at(2026, 10, 1, 8, 0), 24, "hours") == at(2026, 10, 2, 8, 0)
    with pytest.raises(ValueError):
        CAL.add(at(2026, 10, 1, 8, 0), 1, "fortnights")


def test_override_wins_over_the_package() -> None:
    cal = WorkCalendar((
        CalendarOverride(day="2026-10-09", workday=False, note="local holiday"),
        CalendarOverride(day="2026-10-11", workday=True, note="local make-up"),
    ))
    assert not cal.is_workday(date(2026, 10, 9))
    assert cal.is_workday(date(2026, 10, 11))
    assert cal.add_working_days(at(2026, 9, 30, 10, 0), 3) == at(2026, 10, 11, 23, 59, 59)


def test_unknown_year_is_an_error_naming_the_year_and_sheet() -> None:
    with pytest.raises(CalendarError) as caught:
        CAL.is_workday(date(2027, 1, 4))
    assert isinstance(caught.value, InputError)
    problem = caught.value.problems[0]
    assert "2027" in problem.message and "调休调整" in problem.message
    assert problem.code == "calendar-unknown-year"
    with pytest.raises(CalendarError):
        CAL.add_working_days(at(2026, 12, 28, 10, 0), 10)  # runs into 2027


def test_unknown_year_with_override_rows_uses_weekends_plus_rows() -> None:
    cal = WorkCalendar((
        CalendarOverride(day="2027-01-01", workday=False, note="元旦"),
        CalendarOverride(day="2027-01-09", workday=True, note="调休上班 (Saturday)"),
    ))
    assert not cal.is_workday(date(2027, 1, 1))  # a Friday, holiday by the sheet
    assert cal.is_workday(date(2027, 1, 4))  # a plain Monday
    assert not cal.is_workday(date(2027, 1, 10))  # a plain Sunday
    assert cal.is_workday(date(2027, 1, 9))
    # 2026 is still the package's: the overrides for 2027 change nothing in 2026
    assert not cal.is_workday(date(2026, 10, 1))
    assert cal.add_working_days(at(2026, 12, 31, 12, 0), 1) == at(2027, 1, 4, 23, 59, 59)
    with pytest.raises(CalendarError, match="2028"):
        cal.is_workday(date(2028, 3, 1))


@given(st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2026, 11, 30)), st.integers(0, 20))
def test_n_working_days_property(start: datetime, n: int) -> None:
    start = start.replace(tzinfo=SHANGHAI)
    due = CAL.add_working_days(start, n)
    if n == 0:
        assert due == start
        return
    assert CAL.is_workday(due.date()) and due.time().isoformat() == "23:59:59"
    days = [start.date() + timedelta(days=k) for k in range(1, (due.date() - start.date()).days + 1)]
    assert sum(CAL.is_workday(d) for d in days) == n


# ---- unknown_year = "statutory": the documented fallback ------------------------------------------

from powerlist.routing.calendar import FALLBACK_LAST_YEAR, statutory_holidays  # noqa: E402

STATUTORY = WorkCalendar(unknown_year="statutory")


def test_the_mode_is_checked() -> None:
    assert WorkCalendar().unknown_year == "error"
    with pytest.raises(ValueError, match="statutory"):
        WorkCalendar(unknown_year="weekends")


def test_statutory_holidays_are_the_fixed_dates_and_qingming() -> None:
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }
    # 清明 from the solar-term table, checked against published dates
    qingming = {y: d for y in range(2027, 2031) for d, name in statutory_holidays(y).items() if name == "清明节"}
    assert qingming == {2027: date(2027, 4, 5), 2028: date(2028, 4, 4), 2029: date(2029, 4, 4), 2030: date(2030, 4, 5)}


def test_qingming_from_solar_terms_matches_every_known_notice() -> None:
    # 清明 has been a public holiday since 2008: each year's solar-term day is a State Council holiday.
    for year in range(2008, 2027):
        (day,) = [d for d, name in statutory_holidays(year).items() if name == "清明节"]
        assert not CAL.is_workday(day), year


def test_statutory_fallback_days() -> None:
    assert not STATUTORY.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert STATUTORY.is_workday(date(2027, 1, 4))  # a Monday
    assert not STATUTORY.is_workday(date(2027, 4, 5))  # 清明, a Monday
    assert not STATUTORY.is_workday(date(2028, 5, 1)) and not STATUTORY.is_workday(date(2028, 5, 2))
    assert STATUTORY.is_workday(date(2028, 5, 3))  # no bridged days: the notice is unknown
    assert not STATUTORY.is_workday(date(2029, 10, 3)) and STATUTORY.is_workday(date(2029, 10, 4))
    # The lunar holidays are not known: 2027-02-08 (Mon, 春节 初三) counts as a working day.
    assert STATUTORY.is_workday(date(2027, 2, 8))
    # Known years are untouched
    assert CAL.is_workday(date(2026, 10, 10)) and STATUTORY.is_workday(date(2026, 10, 10))
    # Beyond the horizon, and before the package's first year, still an error
    with pytest.raises(CalendarError, match=str(FALLBACK_LAST_YEAR + 1)):
        STATUTORY.is_workday(date(FALLBACK_LAST_YEAR + 1, 3, 3))
    with pytest.raises(CalendarError):
        STATUTORY.is_workday(date(2003, 3, 3))


def test_statutory_limits_into_2027() -> None:
    # Sunday 2026-12-20, 15 working days: 元旦 (Fri 2027-01-01) skipped.
    assert STATUTORY.add_working_days(at(2026, 12, 20, 10, 0), 15) == at(2027, 1, 11, 23, 59, 59)
    assert STATUTORY.end_of_working_days(at(2026, 12, 20, 10, 0), 15) == at(2027, 1, 11, 23, 59, 59)
    # 2027-04-28 across 劳动节 (Sat/Sun in 2027): Apr 29, 30, May 3.
    assert STATUTORY.add_working_days(at(2027, 4, 28, 10, 0), 3) == at(2027, 5, 3, 23, 59, 59)


def test_provisional_years() -> None:
    assert STATUTORY.provisional_years(date(2026, 12, 21), date(2027, 1, 11)) == (2027,)
    assert STATUTORY.provisional_years(date(2026, 12, 1), date(2026, 12, 31)) == ()
    assert STATUTORY.provisional_years(date(2027, 12, 1), date(2028, 1, 5)) == (2027, 2028)
    assert CAL.provisional_years(date(2026, 12, 21), date(2027, 1, 11)) == ()
    with_rows = WorkCalendar((CalendarOverride(day="2027-01-01", workday=False, note="元旦"),),
                             unknown_year="statutory")
    assert with_rows.provisional_years(date(2027, 12, 1), date(2028, 1, 5)) == (2028,)
    assert not with_rows.is_provisional_year(2027) and with_rows.is_provisional_year(2028)


def test_override_rows_win_over_the_fallback() -> None:
    # A year with rows is the sheet's complete notice, as in "error" mode: 清明 is not added.
    cal = WorkCalendar((
        CalendarOverride(day="2027-02-08", workday=False, note="春节"),
        CalendarOverride(day="2027-02-20", workday=True, note="调休上班"),
    ), unknown_year="statutory")
    assert not cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 2, 20))
    assert cal.is_workday(date(2027, 4, 5))  # the sheet did not list 清明: weekday
    assert not cal.is_workday(date(2028, 4, 4))  # 2028 has no rows: the fallback


@given(st.datetimes(min_value=datetime(2026, 6, 1), max_value=datetime(2030, 11, 30)), st.integers(1, 20))
def test_statutory_n_working_days_property(start: datetime, n: int) -> None:
    start = start.replace(tzinfo=SHANGHAI)
    due = STATUTORY.add_working_days(start, n)
    assert STATUTORY.is_workday(due.date()) and due.time().isoformat() == "23:59:59"
    days = [start.date() + timedelta(days=k) for k in range(1, (due.date() - start.date()).days + 1)]
    assert sum(STATUTORY.is_workday(d) for d in days) == n
    assert all(d.weekday() < 5 for d in days if d.year > 2026 and STATUTORY.is_workday(d))


def test_every_day_chinese_calendar_knows_is_its_answer() -> None:
    """WorkCalendar reads chinese-calendar's tables itself (its is_workday checks the range of
    years on every call): the same answer for every day of every year it knows."""
    import chinese_calendar

    calendar = WorkCalendar()
    day = min(chinese_calendar.holidays)
    day = date(day.year, 1, 1)
    while day.year <= max(chinese_calendar.holidays).year:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
