"""Working days: real 2026 holidays and make-up days, overrides, unknown years, the N-day rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlist.calendar import WorkCalendar
from powerlist.errors import CalendarError, InputError
from powerlist.issue import SHANGHAI
from powerlist.models import CalendarOverride

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
