"""Instants in the case store — 时间戳: one fixed-width, comparable form, inside a plausible window.

Every time the store keeps (an event's `at`, a deadline, `next_due_at`, an action's `at` and
`due_at`) is a *stamp*: UTC, always 27 characters, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so that text
order is time order in SQLite and PostgreSQL alike, and an index on the text is an index on time.
`stamp()` writes one (the year always four digits: year 226 is `0226-…`, never `226-…`, which
would sort after `2026-…`); `is_stamp()` recognises one; `unstamp()` reads one back.

**The plausible window.** A store refuses, before anything is written, any instant outside its
window `[earliest, latest)`: a mistyped year (`0226-11-23`, `2206-…`) would otherwise be stored and
poison the case (a response "before" the dispatch, an extension that ends in the past, a deadline
no tick ever reaches). The default window is 2000-01-01 00:00 to 2100-01-01 00:00 Asia/Shanghai:
nothing a 吹哨报到 platform records happened before 2000, and no deadline runs decades ahead. A
store keeps its own window (in its `meta` table, so every process writing to it applies the
same one); `powerlist cases window --db … --earliest … --latest …` shows or changes it
(`CaseStore.set_window`), and a new window must still hold every instant already stored.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..errors import InputError, Problem
from ..routing.issue import SHANGHAI

STAMP_WIDTH = 27
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
# SQLite GLOB and PostgreSQL regular expression for the same form, for checks in the database.
_D = "[0-9]"
STAMP_GLOB = f"{_D * 4}-{_D * 2}-{_D * 2}T{_D * 2}:{_D * 2}:{_D * 2}.{_D * 6}Z"
STAMP_REGEX = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"


def aware(moment: datetime) -> datetime:
    """An aware datetime; a naive one is read as Asia/Shanghai time."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def stamp(moment: datetime) -> str:
    """Fixed-width UTC text, so that text order is time order (the store's index relies on it).
    InputError for a time that has no UTC form (year 1 with a positive offset, year 9999 with a
    negative one)."""
    try:
        t = aware(moment).astimezone(UTC)
    except OverflowError:
        raise InputError(
            [
                Problem(
                    message="时间超出可表示的范围 (the time cannot be expressed in UTC: out of range)",
                    value=moment.isoformat(),
                    code="time-out-of-range",
                )
            ],
            "无效时间 (invalid time)",
        ) from None
    # one %-format costs half of seven format specs, and a tick writes stamps for every due case
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond)


def is_stamp(text: object) -> bool:
    """Whether `text` is a stamp: a string of exactly the fixed-width form."""
    return isinstance(text, str) and len(text) == STAMP_WIDTH and _STAMP.fullmatch(text) is not None


def unstamp(text: str) -> datetime:
    """The aware (UTC) datetime of a stamp. ValueError for text that is not a time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local(text: str | None) -> str | None:
    """A stamp shown as Asia/Shanghai ISO 8601 (+08:00, seconds). Text that is not a time (a bad
    row written by an old version) is shown as it is: showing a case must never fail on it."""
    if text is None:
        return None
    if type(text) is str:
        return _local(text)
    return _shown_local(text)


@functools.lru_cache(maxsize=4096)  # a tick writes the same few instants into many reasons
def _local(text: str) -> str:
    return _shown_local(text)


def _shown_local(text: object) -> str:
    try:
        moment = unstamp(text).astimezone(SHANGHAI)  # type: ignore[arg-type]
    except (ValueError, OverflowError, TypeError):
        return str(text)
    # = moment.isoformat(timespec="seconds"): its offset part ("+08:00", after the 19 characters
    # of date and time) depends on the UTC offset alone, so it is written once per offset, and
    # the rest by one %-format (a tick shows deadlines in the reason of every action it takes)
    offset = moment.utcoffset()
    tail = _OFFSETS.get(offset)
    if tail is None:
        tail = _OFFSETS[offset] = moment.isoformat(timespec="seconds")[19:]
    return "%04d-%02d-%02dT%02d:%02d:%02d%s" % (  # noqa: UP031
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, tail)


_OFFSETS: dict[timedelta | None, str] = {}


def shown(text: str) -> str:
    """A stored instant for a message: Asia/Shanghai if it reads as a time, else as it is."""
    return local(text) or text


@dataclass(frozen=True)
class TimeWindow:
    """The instants a store accepts: `earliest <= t < latest`, both stamps."""

    earliest: str
    latest: str

    @classmethod
    def of(cls, earliest: datetime, latest: datetime) -> TimeWindow:
        """The window between two times (naive = Asia/Shanghai); InputError unless earliest < latest."""
        low, high = stamp(earliest), stamp(latest)
        if not low < high:
            raise InputError(
                [
                    Problem(
                        message="时间窗口的起点须早于终点 (the window's earliest time must be before its latest)",
                        field="--earliest",
                        value=f"{local(low)} / {local(high)}",
                        code="bad-window",
                    )
                ],
                "无效时间窗口 (invalid time window)",
            )
        return cls(low, high)

    def contains(self, at: object) -> bool:
        """Whether `at` is a stamp inside the window."""
        return (isinstance(at, str) and len(at) == STAMP_WIDTH and self.earliest <= str(at) < self.latest
                and _STAMP.fullmatch(at) is not None)

    def problem(self, at: object, *, field: str | None = None, case_id: str | None = None) -> Problem | None:
        """The located problem of a stored or to-be-stored instant outside the window (None: fine)."""
        if self.contains(at):
            return None
        where = f"案件 {case_id} " if case_id else ""
        if not is_stamp(at):
            message = f"{where}时间不是案件库的定宽时间戳 (not a fixed-width case-store instant)"
        else:
            message = (
                f"{where}时间不在案件库的合理时间范围 [{local(self.earliest)}, {local(self.latest)}) 内，"
                "可能是年份输错 (the time is outside the store's plausible window; a mistyped year? "
                "see `powerlist cases window`)"
            )
        return Problem(
            message=message,
            field=field,
            value=shown(at) if isinstance(at, str) else str(at),
            code="implausible-time",
        )

    def check(self, moment: datetime, *, field: str, case_id: str | None = None) -> str:
        """The stamp of `moment`, or InputError (located at `field`) if it is outside the window.
        Compared as aware datetimes first, so that year 1 or 9999 raise no OverflowError."""
        low, high = unstamp(self.earliest), unstamp(self.latest)
        moment = aware(moment)
        if not low <= moment < high:
            problem = self.problem(_clamped(moment), field=field, case_id=case_id)
            assert problem is not None
            located = problem.model_copy(update={"value": moment.isoformat()})
            raise InputError([located], "时间不合理 (implausible time)")
        return stamp(moment)

    def as_json(self) -> dict[str, str | None]:
        return {"earliest": local(self.earliest), "latest": local(self.latest)}


def _clamped(moment: datetime) -> str:
    """A stamp of a time already known to be outside the window (its value only names it)."""
    try:
        return stamp(moment)
    except InputError:
        return "9999-12-31T23:59:59.999999Z" if moment.year > 5000 else "0001-01-01T00:00:00.000000Z"


DEFAULT_WINDOW = TimeWindow.of(datetime(2000, 1, 1, tzinfo=SHANGHAI), datetime(2100, 1, 1, tzinfo=SHANGHAI))

__all__ = [
    "DEFAULT_WINDOW",
    "STAMP_GLOB",
    "STAMP_REGEX",
    "STAMP_WIDTH",
    "TimeWindow",
    "aware",
    "is_stamp",
    "local",
    "shown",
    "stamp",
    "unstamp",
]
