"""Instants powerlist can compute with — 可计算的时间范围.

Python's datetime ends at years 1 and 9999: converting 9999-12-31T23:59:59-12:00 to Asia/Shanghai,
or 0001-01-01T00:00 Asia/Shanghai to UTC, or adding a time limit to either, raises OverflowError,
which used to stop a whole batch half-way. Every instant that enters (an issue's received_at, a
command's --now, --at or --until) is checked here first: one whose wall-clock year is outside
`FIRST_YEAR`–`LAST_YEAR` is a located problem, and everything computed from one inside stays
representable (a conversion moves it by less than a day, a time limit by less than a year).

This is the technical bound only. Which instants are *plausible* (a mistyped 0226 for 2026) is
a narrower, configurable window the case store applies before anything is written.
"""

from __future__ import annotations

from datetime import datetime

FIRST_YEAR = 2
LAST_YEAR = 9997
CODE = "time-out-of-range"


def instant_problem(moment: datetime) -> tuple[str, str] | None:
    """(code, message) when `moment` lies outside the years powerlist can compute with, else None."""
    if FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return CODE, (f"时间 {moment.isoformat()} 超出可计算的范围（公元 {FIRST_YEAR}–{LAST_YEAR} 年），是否输错了年份？"
                  f"(the time {moment.isoformat()} is outside the years powerlist can compute with, "
                  f"{FIRST_YEAR}–{LAST_YEAR}: a mistyped year?)")


def overflow_problem(start: datetime) -> tuple[str, str]:
    """(code, message) for a time limit counted from `start` that runs past the end of the calendar."""
    return CODE, (f"从 {start.isoformat()} 起算的时限超出了可计算的范围 (a time limit counted from {start.isoformat()} "
                  "runs past the last time powerlist can compute with)")
