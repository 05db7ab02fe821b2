"""The one time parser of every reader: the forms Chinese clerks and exports write, read alike
by issues, whistles, vetoes, scenarios, calendar overrides and the command line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from powerlist.routing.issue import SHANGHAI, Issue
from powerlist.scoring.readers import read_vetoes, read_whistles
from powerlist.sheets.timetext import TimeTextError, parse_date, parse_time

AUG1_9 = datetime(2026, 8, 1, 9, 0)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-08-01T09:00:00", AUG1_9),
    ("2026-08-01 09:00", AUG1_9),
    ("2026-08-01", datetime(2026, 8, 1)),
    ("2026/11/23 9:05", datetime(2026, 11, 23, 9, 5)),
    ("2026/8/1", datetime(2026, 8, 1)),
    ("2026.8.1", datetime(2026, 8, 1)),
    ("2026.08.01 14:30", datetime(2026, 8, 1, 14, 30)),
    ("2026年8月1日 9时00分", AUG1_9),
    ("2026年8月1日9时", AUG1_9),
    ("2026年8月1号 9点30分15秒", datetime(2026, 8, 1, 9, 30, 15)),
    ("2026年8月1日 9点半", datetime(2026, 8, 1, 9, 30)),
    ("2026年8月1日 9点05", datetime(2026, 8, 1, 9, 5)),
    ("2026年8月1日 上午9:00", AUG1_9),
    ("2026年8月1日上午9时", AUG1_9),
    ("2026年8月1日下午3时", datetime(2026, 8, 1, 15)),
    ("2026-08-01 晚上8点", datetime(2026, 8, 1, 20)),
    ("2026-08-01 中午12点", datetime(2026, 8, 1, 12)),
    ("2026-08-01 中午1点", datetime(2026, 8, 1, 13)),
    ("2026-08-01 凌晨1点", datetime(2026, 8, 1, 1)),
    ("2026-08-01 凌晨12点", datetime(2026, 8, 1, 0)),
    ("2026-08-01 9:00 PM", datetime(2026, 8, 1, 21)),
    ("2026-08-01 12:30 am", datetime(2026, 8, 1, 0, 30)),
    ("2026年8月1日（星期六）9:00", AUG1_9),
    ("2026-08-01 周六 09:00", AUG1_9),
    ("２０２６年８月１日　９：００", AUG1_9),
    ("  2026年8月1日   9时 ", AUG1_9),
])
def test_the_usual_forms_are_read(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_an_offset_is_kept_and_cells_pass_through() -> None:
    assert parse_time("2026-08-01T09:00:00+08:00") == AUG1_9.replace(tzinfo=SHANGHAI)
    assert parse_time("2026-08-01T01:00Z") == datetime(2026, 8, 1, 1, tzinfo=UTC)
    assert parse_time(AUG1_9) is not None and parse_time(date(2026, 8, 1)) == datetime(2026, 8, 1)


@pytest.mark.parametrize("text", [
    "45843", "45843.5", "2026/11/23 9:5", "2026-02-30", "2026年2月30日", "2026-08-01 24:00", "2026-08-01 9:60",
    "yesterday", "下周一", "2026年8月", "2026年7月1日上午", "01/08/2026", "2026-08-01 上午15:00", "",
])
def test_anything_else_is_refused_saying_what_is_expected(text: str) -> None:
    with pytest.raises(TimeTextError) as caught:
        parse_time(text)
    message = str(caught.value)
    assert message[0] in "“应" and "2026" in message  # Chinese first, with examples


def test_numbers_are_refused_as_spreadsheet_serials() -> None:
    for value in (45843, 45843.25, "45843"):
        with pytest.raises(TimeTextError, match="电子表格日期序列号"):
            parse_time(value)


def test_a_day_must_not_carry_a_time() -> None:
    assert parse_date("2026年10月8日") == date(2026, 10, 8) == parse_date("2026.10.8")
    with pytest.raises(TimeTextError):
        parse_date("2026-10-08 09:00")


_FORMS = [
    lambda t: t.isoformat(timespec="minutes"),
    lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}",
    lambda t: f"{t.year}.{t.month}.{t.day} {t.hour:02d}:{t.minute:02d}",
    lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}时{t.minute:02d}分",
    lambda t: f"{t.year}年{t.month}月{t.day}日{_period(t.hour)}:{t.minute:02d}",
]


def _period(hour: int) -> str:
    if hour < 6:
        return f"凌晨{hour}"
    if hour < 12:
        return f"上午{hour}"
    return "中午12" if hour == 12 else f"下午{hour - 12}"



@given(st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda t: t.replace(second=0, microsecond=0)), st.integers(min_value=0, max_value=len(_FORMS) - 1))
def test_every_form_reads_back_the_time_it_was_written_from(moment: datetime, form: int) -> None:
    assert parse_time(_FORMS[form](moment)) == moment


def test_every_reader_reads_the_same_forms(tmp_path: Path) -> None:
    # the issue model, the whistle reader and the veto reader agree, text or cell
    issue = Issue(id="T1", received_at="2026年8月1日 上午9:00", category="C01", location="L1")
    assert issue.received_at == AUG1_9.replace(tzinfo=SHANGHAI)
    book = Workbook()
    ws = book.active
    ws.append(["案件编号", "街道", "责任单位", "受理时间", "响应时间"])
    ws.append(["W1", "420202001", "420202-cg", "2026年8月1日 9时00分", "2026.8.1 10:30"])
    path = tmp_path / "w.xlsx"
    book.save(path)
    (record,) = read_whistles(path)
    assert record.received_at == AUG1_9.replace(tzinfo=SHANGHAI)
    assert record.responded_at == AUG1_9.replace(tzinfo=SHANGHAI) + timedelta(hours=1, minutes=30)
    vetoes = tmp_path / "v.csv"
    vetoes.write_text("对象,否决事项,日期\n420202001,安全生产,2026年8月1日\n", encoding="utf-8")
    assert read_vetoes(vetoes)[0].date == date(2026, 8, 1)
