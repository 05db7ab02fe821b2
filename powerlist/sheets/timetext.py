"""Times as people write them — 时间文本: the one parser every reader uses.

Issue files, whistle sheets, veto lists, scenario workbooks, the calendar overrides and the
command line's --at / --now / --until / --as-of all read a time through `parse_time` (or a day
through `parse_date`), so a time accepted in one place is accepted everywhere. Accepted, after
NFKC (full-width digits and colons are read as ASCII) and with runs of spaces as one:

| written | read as |
|---|---|
| ``2026-08-01T09:00:00+08:00``, ``2026-08-01 09:00``, ``2026-08-01`` (ISO 8601) | as written |
| ``2026/11/23 9:05`` (Excel zh-CN), ``2026/8/1`` | 2026-11-23 09:05, 2026-08-01 00:00 |
| ``2026.8.1``, ``2026.08.01 14:30`` | 2026-08-01 00:00, 2026-08-01 14:30 |
| ``2026年8月1日 9时00分``, ``2026年8月1日9时``, ``2026年8月1号 9点30分15秒`` | 09:00, 09:00, 09:30:15 |
| ``9点半``, ``9点05`` | 09:30, 09:05 |
| ``上午9:00``, ``下午3时``, ``晚上8点``, ``中午12点``, ``凌晨1点`` | 09:00, 15:00, 20:00, 12:00, 01:00 |
| ``9:00 PM``, ``12:30 AM`` | 21:00, 00:30 |
| ``2026年8月1日（星期六）9:00``, ``2026-08-01 周六 09:00`` | the weekday is ignored |
| a date cell or a date-time cell of a spreadsheet | as stored |

A day without a time is midnight. A time without an offset is naive here; every caller reads a
naive time as Asia/Shanghai (`SHANGHAI`, `aware`). Refused, with a message saying what is
expected (`TimeTextError`, a ValueError): numbers (a spreadsheet date serial such as 45843 is
not a Unix timestamp), impossible dates (2026-02-30), hours past 23 (``24:00``), minutes and
seconds past 59, one-digit minutes after a colon (``9:5``), and anything else. Not read: dates
in Chinese numerals (二〇二六年八月一日), two-digit years, and day-first or month-first orders
(01/08/2026), which are ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import escape_surrogates

SHANGHAI = ZoneInfo("Asia/Shanghai")

EXAMPLES = "2026-08-01 09:00、2026/8/1 9:05、2026.8.1、2026年8月1日 9时00分、上午9:00"
EXPECTED = (f"应为时间，如 {EXAMPLES} (expected a time: ISO 8601 such as 2026-08-01T09:00, "
            "or 2026/8/1 9:05, 2026年8月1日 9时)")


_EXAMPLES_TEXT = EXPECTED.removeprefix("应为时间，")


class TimeTextError(ValueError):
    """Text that is not a time; the message says, in Chinese and English, what is expected. The
    text quoted in it has every lone surrogate escaped (`errors.escape_surrogates`): the message
    goes to every writer, and nothing can encode one."""

    def __init__(self, message: str) -> None:
        super().__init__(escape_surrogates(message))


_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
                   r"| ?年 ?(?P<mo2>\d{1,2}) ?月 ?(?P<d2>\d{1,2}) ?[日号]?)")
_WEEKDAY = re.compile(r" ?[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]? ?")
_PERIODS = {
    "凌晨": "night", "早上": "am", "早晨": "am", "上午": "am", "中午": "noon", "下午": "pm",
    "傍晚": "pm", "晚上": "pm", "晚间": "pm", "夜间": "pm", "夜里": "pm", "AM": "am", "PM": "pm",
}
_PERIOD = re.compile(r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|夜间|夜里|AM|PM|A\.M\.|P\.M\.)", re.IGNORECASE)
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})(?:"
    r":(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?"  # 9:05, 09:05:30.5
    r"| ?[时点](?: ?(?:(?P<half>半)|(?P<m2>\d{1,2}) ?分?(?: ?(?P<s2>\d{1,2}) ?秒?)?))?"  # 9时, 9点30分15秒, 9点半
    r")"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_time(value: Any) -> datetime:
    """A time cell or text as a datetime (naive when no offset is written). Raises
    `TimeTextError` saying what is expected."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if is_number(value):
        raise TimeTextError(_number_message(value))
    if not isinstance(value, str):
        raise TimeTextError(EXPECTED)
    text = value.strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:  # ISO 8601, the common case: the C parser, no regular expression
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    return _parse_text(text)


def parse_date(value: Any) -> date:
    """A day cell or text (a time of day, if written, must be midnight). Raises `TimeTextError`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    moment = parse_time(value)
    if moment.time() != time(0):
        raise TimeTextError("应为日期，不含时刻，如 2026-10-08 (expected a day without a time, such as 2026-10-08)")
    return moment.date()


def aware(moment: datetime) -> datetime:
    """`moment` as an aware Asia/Shanghai time: a naive time is read as Shanghai time."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)


def _number_message(value: Any) -> str:
    return (f"“{value}”是数字而不是时间（未设置格式的电子表格日期序列号？），应写成 2026-08-01 09:00 等 "
            "(a number is not a time: a spreadsheet date serial is not a Unix timestamp; write e.g. 2026-08-01T09:00)")


def _parse_text(text: str) -> datetime:
    normal = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if _NUMBER.fullmatch(normal):
        raise TimeTextError(_number_message(normal))
    if normal != text:
        try:
            return datetime.fromisoformat(normal)
        except ValueError:
            pass
    found = _DATE.match(normal)
    if found is None:
        raise TimeTextError(f"“{text}”不是可识别的时间，{_EXAMPLES_TEXT}")
    month, day = ("mo", "d") if found.group("sep") else ("mo2", "d2")
    when = _day(int(found.group("y")), int(found.group(month)), int(found.group(day)), text)
    rest = _WEEKDAY.sub(" ", normal[found.end():], count=1).strip()
    if rest.startswith("T"):
        rest = rest[1:]
    return datetime.combine(when, _clock(rest, text) if rest else time())


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeTextError(f"“{text}”不是存在的日期 "
                            f"({year}-{month:02d}-{day:02d} is not a date of the calendar)") from None


def _clock(rest: str, text: str) -> time:
    period = None
    found = _PERIOD.search(rest)
    if found is not None:
        word = found.group(1)
        period = _PERIODS[word.upper().replace(".", "") if word.isascii() else word]
        rest = (rest[: found.start()] + rest[found.end():]).strip()
    clock = _CLOCK.fullmatch(rest)
    if clock is None:
        raise TimeTextError(f"“{text}”的时刻无法识别，{_EXAMPLES_TEXT}")
    hour = int(clock.group("h"))
    minute = 30 if clock.group("half") else int(clock.group("m") or clock.group("m2") or 0)
    second = int(clock.group("s") or clock.group("s2") or 0)
    micro = int((clock.group("f") or "0").ljust(6, "0"))
    if found is not None:
        word = found.group(1)
        if hour > 12 and period != "pm":
            raise TimeTextError(f"“{text}”：{word}没有 {hour} 点 ({word} does not go with {hour} o'clock)")
        if period == "pm" and hour < 12 or period == "noon" and hour < 6:
            hour += 12
        elif hour == 12 and (period == "night" or period == "am" and word.isascii()):
            hour = 0  # 凌晨12点 and 12:30 AM are after midnight
    if hour > 23 or minute > 59 or second > 59:
        raise TimeTextError(f"“{text}”不是存在的时刻 ({hour:02d}:{minute:02d}:{second:02d} is not a time of day)")
    return time(hour, minute, second, micro)


__all__ = ["EXPECTED", "SHANGHAI", "TimeTextError", "aware", "is_number", "parse_date", "parse_time"]
