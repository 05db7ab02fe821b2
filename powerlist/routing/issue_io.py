"""Issues in from files — JSONL, CSV and XLSX — each row located for its problems.

Every format uses the `Issue` field names; tabular files (CSV, XLSX) and JSONL keys may also use
the Chinese headers of hotline exports (工单编号, 受理时间, 问题分类, 发生地点/街道/社区, 渠道, 诉求类型,
是否紧急, 重点工作, 需要执法, 跨部门, 重复次数, 问题描述). Yes/no cells read 是/否, true/false, 1/0,
Y/N, √/×.

JSONL lines written by `powerlist intake` carry more than the issue: their `match`, `place`,
`duplicate_of`, `trace`, `source` and `problems` keys are kept aside in `IssueRecord.intake`
(never validated as issue fields), so intake output routes and opens cases as it is.

`read_issues(path)` yields one `IssueRecord` per non-blank row (a .json file may also hold one
array of issue objects: its elements are numbered as rows); a row that cannot become an
issue carries its problems (file, line or row, cell, field), and `Router.route_many` turns it
into a `rejected` decision. A file that cannot be read at all (missing, not UTF-8, not a
workbook, no header) raises `InputError`.

XLSX files are opened through `powerlist.sheets.workbook` (size and zip-bomb checks, header found under
title rows, merged cells); every visible sheet with an issue header is read, in workbook order
(each row located by its sheet), and an id is unique across the sheets of one file.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, ProblemCollector
from ..sheets.cells import yes_no
from ..sheets.csvfiles import data_rows, decode, open_csv

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "工单编号", "工单号", "诉求编号", "事件编号"),
    "received_at": ("received_at", "受理时间", "接收时间", "登记时间", "上报时间"),
    "category": ("category", "问题分类", "分类编码", "问题分类编码", "分类"),
    "location": ("location", "发生地点", "地点", "地点编码", "发生地点编码"),
    "community": ("社区", "社区编码", "所属社区"),
    "street": ("街道", "街道编码", "所属街道"),
    "channel": ("channel", "渠道", "受理渠道", "来源渠道"),
    "request_kind": ("request_kind", "诉求类型", "工单类型"),
    "emergency": ("emergency", "是否紧急", "紧急"),
    "key_work": ("key_work", "重点工作", "是否重点工作"),
    "needs_enforcement": ("needs_enforcement", "需要执法", "是否需要执法"),
    "cross_department": ("cross_department", "跨部门", "是否跨部门"),
    "repeat_count": ("repeat_count", "重复次数", "重复"),
    "description": ("description", "问题描述", "描述", "诉求内容"),
}
BOOL_FIELDS = ("emergency", "key_work", "needs_enforcement", "cross_department")
INTAKE_KEYS = frozenset({"match", "place", "duplicate_of", "trace", "source", "problems"})
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(.*)$")
_SHORT_HOUR = re.compile(r"^ (\d)(:\d{2}(:\d{2})?)$")


def _normal(name: str) -> str:
    return "".join(str(name).split()).lower().replace("（", "(").split("(")[0]


_LOOKUP = {_normal(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class IssueRecord:
    """One row of an issue file: its field values, where it came from, what is wrong."""

    file: str
    row: int  # 1-based line (JSONL, CSV) or sheet row (XLSX)
    data: dict[str, Any]
    problems: tuple[Problem, ...] = ()
    sheet: str | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field → cell ("D17"), XLSX only
    intake: dict[str, Any] = field(default_factory=dict)  # INTAKE_KEYS of a `powerlist intake` line

    def issue_id(self, position: int) -> str:
        value = self.data.get("id")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        return text or f"#{position}"

    def locate(self, problem: Problem) -> Problem:
        """`problem` with this row's file, sheet, row and cell filled in."""
        cell = self.cells.get((problem.field or "").split(".")[0])
        return problem.model_copy(update={
            "file": problem.file or self.file,
            "sheet": problem.sheet or self.sheet,
            "row": problem.row if problem.row is not None else self.row,
            "cell": problem.cell or cell,
        })


def canonical(raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Map aliased keys to Issue field names and normalise cell values.

    Returns the data and the (key, message) problems found (a key given twice)."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    place: dict[str, Any] = {}
    for key, value in raw.items():
        name = _LOOKUP.get(_normal(key), key)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        if value is None:
            continue
        if name in ("location", "community", "street"):
            place[name] = value
            continue
        if name in data:
            problems.append((name, f"the field {name!r} is given twice (as {key!r})"))
            continue
        data[name] = _cell_value(name, value)
    for name in ("community", "location", "street"):  # the most precise place wins
        if name in place:
            data["location"] = _cell_value("location", place[name])
            break
    return data, problems


def _cell_value(name: str, value: Any) -> Any:
    if name == "channel" and isinstance(value, float) and not math.isfinite(value):
        # Issue reads a numeric channel (12345) through int(), which raises OverflowError on
        # inf — not a validation error; as text it is refused as an unknown channel, located
        return str(value)
    if name in BOOL_FIELDS and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        answer = yes_no(value)
        return value if answer is None else answer
    if name == "received_at":
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, time())
        if isinstance(value, str):
            found = _SLASH_DATE.match(value)
            if found:
                y, m, d, rest = found.groups()
                # Excel's zh-CN CSV export writes "2026/11/23 9:05": pad the hour too
                clock = _SHORT_HOUR.match(rest)
                if clock:
                    rest = f" {int(clock.group(1)):02d}{clock.group(2)}"
                return f"{y}-{int(m):02d}-{int(d):02d}{rest}"
    return value


def read_issues(path: str | Path, encoding: str = "utf-8") -> Iterator[IssueRecord]:
    """Issue records from a .jsonl/.json, .csv or .xlsx file, in file order.

    An id already used by an earlier row of the file makes its row a problem record (code
    "duplicate-id", naming the first row): one file, one decision per issue id."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(message="no such file", file=file, code="not-found")], "cannot read issues")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _unique_ids(_read_jsonl(path, file, encoding))
    if suffix in (".csv", ".txt"):
        return _unique_ids(_read_csv(path, file, encoding))
    if suffix in (".xlsx", ".xlsm"):
        return _unique_ids(_read_xlsx(path, file))
    raise InputError(
        [Problem(message=f"unknown issue file type {suffix or '(none)'}; expected .jsonl, .csv or .xlsx", file=file, code="unknown-format")],
        "cannot read issues",
    )


def _unique_ids(records: Iterator[IssueRecord]) -> Iterator[IssueRecord]:
    first: dict[str, str] = {}
    for record in records:
        value = record.data.get("id")
        if value is None or not str(value).strip():  # no id: validation names it
            yield record
            continue
        issue_id = record.issue_id(record.row)
        where = f"{record.sheet}!row {record.row}" if record.sheet else f"row {record.row}"
        seen = first.setdefault(issue_id, where)
        if seen == where:
            yield record
            continue
        problem = Problem(message=f"duplicate id: {seen} already has the id {issue_id!r}", file=record.file,
                          sheet=record.sheet, row=record.row, cell=record.cells.get("id"), field="id",
                          value=issue_id, code="duplicate-id")
        yield IssueRecord(record.file, record.row, record.data, record.problems + (problem,), record.sheet, record.cells,
                          record.intake)


def _read_jsonl(path: Path, file: str, encoding: str) -> Iterator[IssueRecord]:
    text = decode(path, file, encoding, "cannot read issues")
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        return _json_array_records(text, file)
    return _jsonl_records(text, file)


def _json_array_records(text: str, file: str) -> Iterator[IssueRecord]:
    """A .json file holding one array of issue objects; `row` is the element's number."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as error:
        row = error.lineno if isinstance(error, json.JSONDecodeError) else None
        raise InputError([Problem(message=_json_problem(error), file=file, row=row, code="json")], "cannot read issues") from None
    for number, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            yield IssueRecord(file, number, {}, (Problem(message="each element must be one JSON object", file=file, row=number, code="json"),))
            continue
        raw, intake = _intake_aside(raw)
        data, dup = canonical(raw)
        yield IssueRecord(file, number, data, tuple(Problem(message=m, file=file, row=number, field=k, code="duplicate-field") for k, m in dup),
                          intake=intake)


def _intake_aside(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The issue keys of a JSON object, and the keys `powerlist intake` adds beside them."""
    if not INTAKE_KEYS.intersection(raw):
        return raw, {}
    return ({k: v for k, v in raw.items() if k not in INTAKE_KEYS},
            {k: v for k, v in raw.items() if k in INTAKE_KEYS})


def _json_problem(error: BaseException) -> str:
    # json raises JSONDecodeError for bad syntax, RecursionError for arrays nested thousands
    # deep, and ValueError for integers of more than 4,300 digits: each is the file's fault.
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} at column {error.colno}"
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to be an issue"
    return f"unreadable JSON value: {error}"


def _jsonl_records(text: str, file: str) -> Iterator[IssueRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield IssueRecord(file, number, {}, (Problem(message=_json_problem(error), file=file, row=number, code="json"),))
            continue
        if not isinstance(raw, dict):
            yield IssueRecord(file, number, {}, (Problem(message="a line must be one JSON object", file=file, row=number, code="json"),))
            continue
        raw, intake = _intake_aside(raw)
        data, dup = canonical(raw)
        yield IssueRecord(file, number, data, tuple(Problem(message=m, file=file, row=number, field=k, code="duplicate-field") for k, m in dup),
                          intake=intake)


def _read_csv(path: Path, file: str, encoding: str) -> Iterator[IssueRecord]:
    text = decode(path, file, encoding, "cannot read issues")
    header, reader = open_csv(text, file, "cannot read issues")
    known = [_LOOKUP.get(_normal(h)) for h in header]
    if not any(known):
        raise InputError(
            [Problem(message="no issue column in the header row (expected id/编号, received_at/受理时间, category/问题分类, location/发生地点 …)", file=file, row=1, code="missing-column")],
            "cannot read issues",
        )
    return _csv_records(reader, header, known, file)


def _csv_records(reader: Any, header: list[str], known: list[str | None], file: str) -> Iterator[IssueRecord]:
    for number, values in data_rows(reader):
        if isinstance(values, csv.Error):
            yield IssueRecord(file, number, {}, (Problem(message=f"unreadable CSV row: {values}", file=file, row=number, code="csv"),))
            continue
        raw = {header[i]: v for i, v in enumerate(values) if i < len(header) and known[i]}
        data, dup = canonical(raw)
        problems = [Problem(message=m, file=file, row=number, field=k, code="duplicate-field") for k, m in dup]
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            problems.append(Problem(message=f"{len(values)} cells but {len(header)} header columns", file=file, row=number, code="extra-cells"))
        yield IssueRecord(file, number, data, tuple(problems))


def _read_xlsx(path: Path, file: str) -> Iterator[IssueRecord]:
    from ..sheets.workbook import Vocabulary, Workbook

    vocabulary = Vocabulary(fields=FIELD_ALIASES, required=("category",), near_miss=2,
                            free_text=("description",))
    problems = ProblemCollector(file)
    book = Workbook(path, file)
    try:
        # Every visible sheet with an issue header (a month per sheet is common), each header
        # found before any row is given out, so a bad header anywhere refuses the whole file.
        tables = [(sheet, header.letters, rows) for sheet, header, rows in book.tables(vocabulary, problems)]
        if not tables:
            problems.add("no sheet with an issue header (expected a 问题分类/category column)", code="missing-column")
            problems.raise_if_any("cannot read issues")
        # A formula cell without a cached value rejects its row, not the whole file.
        by_row: dict[tuple[str | None, int], list[Problem]] = {}
        fatal = []
        for problem in problems.problems:
            number = _cell_row(problem.cell) if problem.code == "formula-no-value" else None
            if number is None:
                fatal.append(problem)
            else:
                by_row.setdefault((problem.sheet, number), []).append(problem.model_copy(update={"row": number}))
        problems.problems = fatal
        problems.raise_if_any("cannot read issues")
        return _xlsx_records(book, file, tables, problems, by_row)
    except BaseException:
        book.close()
        raise


def _cell_row(cell: str | None) -> int | None:
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return int(digits) if digits else None


def _xlsx_records(book: Any, file: str, tables: list[tuple[str, dict[str, str], Iterator[Any]]],
                  found: ProblemCollector, by_row: dict[tuple[str | None, int], list[Problem]]) -> Iterator[IssueRecord]:
    seen = len(found.problems)
    try:
        for sheet, letters, rows in tables:
            for row in rows:
                # Problems the sheet reader finds in this row's cells (too long, formula without a
                # cached value) reject the row they belong to.
                cell_problems = tuple(by_row.get((sheet, row.number), ())) + tuple(found.problems[seen:])
                seen = len(found.problems)
                data, dup = canonical(row.values)
                cells = {name: f"{letter}{row.number}" for name, letter in letters.items()}
                for place in ("community", "street"):
                    if place in cells and "location" not in cells:
                        cells["location"] = cells[place]
                problems = cell_problems + tuple(
                    Problem(message=m, file=file, sheet=sheet, row=row.number, cell=cells.get(k), field=k, code="duplicate-field") for k, m in dup
                )
                yield IssueRecord(file, row.number, data, problems, sheet=sheet, cells=cells)
    finally:
        book.close()
