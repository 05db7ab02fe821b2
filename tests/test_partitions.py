"""An issue file read in parts gives exactly the records of one reader (`read_issues`): the same
lines and rows, the same "#N" positions, the same duplicate-id rejections across parts — on
random JSONL and CSV files (blank and broken lines, CRLF, U+2028 and lone CR inside strings,
quoted line breaks, extra cells), cut at random sizes, and on Parquet, XLSX and JSON arrays.
No cluster here: the parts are read in order as `parallel.run` reads them (tests/test_dask.py
runs them on a real one): the records, the routed output of every kind and the what-if's
tallies, with the records whose id an earlier part used decided again where the parts meet."""

from __future__ import annotations

import csv
import io
import json
import os
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.audit.history import HistorySpec, HistoryTally, Tally, tally_part, tally_records
from powerlist.errors import InputError
from powerlist.routing.batch import OUTPUTS, RouteCounts, RouterSpec, encode, route_part
from powerlist.routing.issue_io import IssueRecord, lines, read_issues
from powerlist.routing.parallel import FirstUse
from powerlist.routing.partitions import Partition, Unreadable, split, uses_of, visible
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

RULES = RuleSet.load()


def read_in_parts(path: Path, rows: int, encoding: str = "utf-8",
                  tail: int = 0) -> tuple[int, list[Partition], list[IssueRecord]]:
    total, parts = split(path, encoding, rows, tail)
    first_use = FirstUse()
    records: list[IssueRecord] = []
    for part in parts:
        found = list(part.records())
        if not part.checked:
            uses = uses_of(part.base_records(), part.file)
            seen = first_use.seen(uses)
            if seen:
                found = list(part.records(seen))
            first_use.add(uses)
        assert part.first_position == len(records) + 1
        assert part.count == len(found)
        records.extend(found)
    return total, parts, records


ROUTER = Router.default()


def in_order(parts: list[Partition], task: Any, context: Any) -> list[Any]:
    """The parts' task results, put together as `parallel.run` puts them (without a cluster);
    every part is also sent as to a worker that cannot see the file (`detached`)."""
    first_use = FirstUse()
    results = []
    for part in parts:
        result = task(part, context)
        alone = task(part.detached(), context)
        assert (alone.patched(), alone.decisions) == (result.patched(), result.decisions) if hasattr(
            result, "patched") else alone.tallies == result.tallies
        if result.uses is not None:
            seen = first_use.seen(result.uses)
            if seen:
                result = result.with_earlier(seen)
            first_use.add(result.uses)
        results.append(result)
    return results


def _check(path: Path, rows: int, encoding: str = "utf-8", tail: int = 0) -> list[Partition]:
    expected = list(read_issues(path, encoding))
    total, parts, got = read_in_parts(path, rows, encoding, tail)
    assert got == expected
    assert total == len(expected)
    assert [p.index for p in parts] == list(range(len(parts)))
    for part, after in pairwise(parts):  # the lines each part names in messages
        assert part.checked or part.first_line + part.lines <= after.first_line
    # the decisions ("#N" names included), as JSONL, CSV rows and values, and the run's counts
    one = list(ROUTER.route_many(expected))
    counts = RouteCounts()
    for decision in one:
        counts.add(decision, ROUTER.calendar)
    for output in OUTPUTS:
        routed = in_order(parts, route_part, RouterSpec.of(ROUTER, output))
        merged = RouteCounts()
        for part_result in routed:
            merged.merge(part_result.counts)
        assert (merged.total, merged.rejected, merged.provisional, merged.years) == (
            counts.total, counts.rejected, counts.provisional, counts.years)
        if output == "decisions":
            assert [d for r in routed for d in r.decisions] == one
        else:
            assert b"".join(r.patched() for r in routed) == b"".join(encode(d, output) for d in one)
    # and the what-if's tallies
    catalogs = [ROUTER.catalog]
    alone = tally_records(catalogs, RULES, expected)
    together = HistoryTally([Tally()])
    spec = HistorySpec(tuple(catalogs), RULES, (ROUTER.rules_version,))
    for part_result in in_order(parts, tally_part, spec):
        together.merge(part_result)
    assert together.tallies == alone.tallies
    assert (together.issues, together.month_counts, together.months) == (alone.issues, alone.month_counts,
                                                                         alone.months)
    return parts


_ids = st.sampled_from(["A1", "A2", "A3", " A1", "A1 ", "", "0", "1.0"]) | st.integers(0, 3)
_issue = st.fixed_dictionaries({
    "received_at": st.sampled_from(["2026-03-02T09:00", "2026/3/2 9:05", "2027-12-30T16:00", "45843", "soon"]),
    "category": st.sampled_from(["RX0302", "BJ0104", "NOPE"]),
    "location": st.sampled_from(["420202001001", "420203001", "nowhere"]),
}, optional={"id": _ids, "description": st.text(max_size=6) | st.sampled_from(["a\u2028b", "c\rd", "e\x85f"]),
             "编号": _ids})
_jsonl_line = st.one_of(
    _issue.map(lambda d: json.dumps(d, ensure_ascii=False)),
    _issue.map(lambda d: json.dumps(d, ensure_ascii=True)),
    st.sampled_from(["", "   ", "\t", "\u3000", "{broken", "[1, 2]", "null", '{"id": "A1"}', "\x1c", "\u2028", "\x85",
                     "\r", " \u3000\x0b", "中{", "\ufeff", ' {"id": "A2"}', "\u3000{}"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_jsonl_line, max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.integers(1, 9),
       st.booleans(), st.integers(0, 3))
def test_jsonl_in_parts(tmp_path_factory: pytest.TempPathFactory, rows: list[str], newline: str, last_newline: bool,
                        size: int, bom: bool, tail: int) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "issues.jsonl"
    if bom:
        rows = ["\ufeff" + (rows[0] if rows else ""), *rows[1:]]
    path.write_bytes((newline.join(rows) + (newline if last_newline else "")).encode("utf-8"))
    parts = _check(path, size, tail=tail)
    assert all(part.source for part in parts)  # cut by bytes, read by the worker from the file
    assert not any(part.source for part in _check(path, size, "utf-8-sig", tail))  # the same codec, cut as text


_cell = st.sampled_from(["", " ", "A1", "A2", "RX0302", "420202001001", "2026-03-02 09:00", "是", "多行\n文字",
                         'say "hi"', "a,b", "\r", "=1+1"]) | st.text(max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cell, min_size=0, max_size=6), max_size=25), st.sampled_from(["\n", "\r\n"]),
       st.integers(1, 9), st.booleans(), st.integers(0, 3))
def test_csv_in_parts(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], newline: str, size: int,
                      bom: bool, tail: int) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(["编号", "受理时间", "问题分类", "发生地点", "问题描述"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "issues.csv"
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8"))
    parts = _check(path, size, tail=tail)
    assert all(part.source for part in parts)  # UTF-8: read by the worker from the file


def test_the_last_parts_are_cut_finer(tmp_path: Path) -> None:
    path = tmp_path / "issues.jsonl"
    path.write_text("".join(json.dumps({"id": f"T{n:03d}", "category": "RX0302"}) + "\n" for n in range(100)),
                    encoding="utf-8")
    counts = [part.count for part in _check(path, 20, tail=2)]
    assert sum(counts) == 100 and counts[0] >= 15 and max(counts[-4:]) <= 6
    even = [part.count for part in _check(path, 20, tail=0)]
    assert len(even) < len(counts) and min(even[:-1]) >= 15


def test_a_csv_record_with_line_breaks_is_never_cut(tmp_path: Path) -> None:
    path = tmp_path / "issues.csv"
    text = "id,received_at,category,location,description\n"
    for n in range(40):
        text += f'Q{n},2026-03-02 09:00,RX0302,420202001001,"第一行\n第二行\r\n第三行"\n'
    path.write_text(text, encoding="utf-8")
    parts = _check(path, 3, tail=0)
    assert len(parts) == 14
    assert parts[1].first_line == 1 + 3 * 3 + 1  # the header, three records of three lines each


def test_a_csv_row_the_csv_module_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "issues.csv"
    rows = [f"Q{n},2026-03-02 09:00,RX0302,420202001001,描述{n}\n" for n in range(12)]
    rows[7] = "Q7,2026-03-02 09:00,RX0302,420202001001," + "长" * (csv.field_size_limit() + 5) + "\n"
    path.write_text("id,received_at,category,location,description\n" + "".join(rows), encoding="utf-8")
    assert any(record.problems and record.problems[0].code == "csv" for record in read_issues(path))
    assert not any(part.source for part in _check(path, 3))  # cut by the exact splitter, as text


def test_gb18030_csv_in_parts(tmp_path: Path) -> None:
    path = tmp_path / "issues.csv"
    text = "工单编号,受理时间,问题分类,发生地点,问题描述\r\n" + "".join(
        f"G{n % 7},2026-03-02 09:{n % 60:02d},RX0302,420202001001,楼道堆放杂物{n}\r\n" for n in range(30))
    path.write_bytes(text.encode("gb18030"))
    _check(path, 4, "gb18030")


def test_parquet_in_parts(tmp_path: Path) -> None:
    from datetime import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 50
    table = pa.table({
        "id": [f"P{i % 40}" if i % 9 else None for i in range(n)],
        "received_at": [datetime(2026, 3, 2, 9, i % 60) for i in range(n)],
        "category": ["RX0302" if i % 5 else "NOPE" for i in range(n)],
        "location": ["420202001001"] * n,
        "emergency": [i % 7 == 0 for i in range(n)],
        "repeat_count": [i % 4 for i in range(n)],
    })
    path = tmp_path / "issues.parquet"
    pq.write_table(table, path, row_group_size=12)
    _check(path, 5)
    _check(path, 100)
    sizes = [part.count for part in _check(path, 8, tail=2)]
    assert sizes[0] == 8 and sizes[-1] == 2  # the last parts cut finer, the row groups kept


def test_xlsx_and_json_arrays_are_read_whole_then_handed_out(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "受理时间", "问题分类", "发生地点"])
    for n in range(20):
        sheet.append([f"X{n % 15}", "2026-03-02 09:00", "RX0302", "420202001001"])
    path = tmp_path / "issues.xlsx"
    book.save(path)
    parts = _check(path, 6)
    assert {p.kind for p in parts} == {"records"}
    array = tmp_path / "issues.json"
    array.write_text(json.dumps([{"id": f"J{n % 4}", "received_at": "2026-03-02T09:00", "category": "RX0302",
                                  "location": "420202001001"} for n in range(9)] + [7]), encoding="utf-8")
    _check(array, 2)


def _read_split(path: Path) -> list[IssueRecord]:
    """Every part's records, an `Unreadable` part made the driver's error as `parallel.run` makes it."""
    records: list[IssueRecord] = []
    for part in split(path)[1]:
        try:
            records.extend(part.records())
        except Unreadable:
            part.unreadable()
    return records


def test_an_unreadable_file_raises_what_the_reader_raises(tmp_path: Path) -> None:
    cases: list[tuple[str, bytes]] = [
        ("bad.jsonl", b'{"id": "1"}\n\xff\xfe\n'),
        ("late.jsonl", b'{"id": "1"}\n' * 40 + b'{"id": "\xe6\x97"}\n' + b"\n" * 9),  # in a later part
        ("bom.jsonl", b"\xef\xbb\xbf\xff\n"),
        ("bad.ndjson", b"\xef\xbb\xbf\n\n\xc3(\n"),
        ("empty.csv", b""),
        ("noheader.csv", b"a,b\n1,2\n"),
        ("issues.txt2", b"x"),
    ]
    for name, data in cases:
        path = tmp_path / name
        path.write_bytes(data)
        errors: list[Any] = []
        for read in (read_issues, _read_split):
            try:
                list(read(path))
            except InputError as error:
                errors.append(error.as_json())
        assert len(errors) == 2 and errors[0] == errors[1], name


def test_a_file_changed_under_the_workers_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "issues.jsonl"
    path.write_text('{"id": "1"}\n' * 20, encoding="utf-8")
    _, parts = split(path, rows=5)
    assert all(visible(*part.source) for part in parts if part.source)
    path.write_text('{"id": "2"}\n' * 20, encoding="utf-8")
    os.utime(path, ns=(0, 0))
    assert not visible(*parts[0].source)  # type: ignore[misc]
    with pytest.raises(InputError) as raised:
        list(parts[1].records())
    assert raised.value.problems[0].code == "changed"
    path.unlink()
    with pytest.raises(InputError) as raised:
        list(parts[1].records())
    assert raised.value.problems[0].code == "io-error" and "cannot read the file" in str(raised.value)
    assert not visible(str(path), parts[1].source[1])  # type: ignore[index]


def test_jsonl_lines_split_at_newlines_only() -> None:
    assert list(lines("a\u2028b\r\nc\rd\n\x85\n")) == ["a\u2028b", "c\rd", "\x85", ""]
