"""Issue files in — JSONL, JSON, CSV, XLSX and Parquet read into raw rows, each row located for its problems.

This module reads files; what a row's keys and cells mean is `powerlist.routing.issue`'s
`canonical` (the `Issue` field names or the Chinese headers of hotline exports, yes/no cells,
dates), the same rules `Router.route` applies to a dict.

`read_issues(path)` yields one `IssueRecord` per non-blank row (a .json file may also hold one
array of issue objects: its elements are numbered as rows); a row that cannot become an
issue carries its problems (file, line or row, cell, field), and `Router.route_many` turns it
into a `rejected` decision. A file that cannot be read at all (missing, not UTF-8, not a
workbook, no header) raises `InputError`.

XLSX files are opened through `powerlist.sheets.workbook` (size and zip-bomb checks, header found under
title rows, merged cells); every visible sheet with an issue header is read, in workbook order
(each row located by its sheet), and an id is unique across the sheets of one file. JSONL is
split at "\n" only (`lines`). The pieces (`jsonl_records`, `csv_header`/`csv_records`,
`parquet_records`, `unique_ids`) also read a file part by part (`powerlist.routing.partitions`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PowerlistError, Problem, ProblemCollector
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary
from ..sheets.rows import SheetRow
from ..sheets.workbook import Workbook
from .issue import FIELD_ALIASES, Issue, canonical, field_name
from .issue_fast import plain_issue

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns; the csv module does not name it

CANNOT_READ = "cannot read issues"
_VOCABULARY = Vocabulary(fields=FIELD_ALIASES, required=("category",), near_miss=2, free_text=("description",))


@dataclass(frozen=True)
class IssueRecord:
    """One row of an issue file: its field values, where it came from, what is wrong."""

    file: str
    row: int  # 1-based line (JSONL, CSV) or sheet row (XLSX)
    data: dict[str, Any]
    problems: tuple[Problem, ...] = ()
    sheet: str | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field → cell ("D17"), XLSX only
    # The Issue of `data`, when reading found it plain (`issue_fast.plain_issue`): not validated twice.
    issue: Issue | None = field(default=None, compare=False, repr=False)

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


JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


def issue_file(path: str | Path) -> tuple[Path, str, str]:
    """(path, file name as problems name it, suffix) of an existing issue file of a known type;
    InputError otherwise."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(message="no such file", file=file, code="not-found")], CANNOT_READ)
    suffix = path.suffix.lower()
    if suffix not in (*JSONL_SUFFIXES, *CSV_SUFFIXES, *XLSX_SUFFIXES, *PARQUET_SUFFIXES):
        message = f"unknown issue file type {suffix or '(none)'}; expected .jsonl, .csv, .xlsx or .parquet"
        raise InputError([Problem(message=message, file=file, code="unknown-format")], CANNOT_READ)
    return path, file, suffix


def read_issues(path: str | Path, encoding: str = "utf-8") -> Iterator[IssueRecord]:
    """Issue records from a .jsonl/.json, .csv, .xlsx or .parquet file, in file order.

    An id already used by an earlier row of the file makes its row a problem record (code
    "duplicate-id", naming the first row): one file, one decision per issue id."""
    path, file, suffix = issue_file(path)
    if suffix in JSONL_SUFFIXES:
        return unique_ids(_read_jsonl(path, file, encoding))
    if suffix in CSV_SUFFIXES:
        return unique_ids(_read_csv(path, file, encoding))
    if suffix in PARQUET_SUFFIXES:
        return unique_ids(read_parquet(path, file))
    return unique_ids(_read_xlsx(path, file))


def record_of(file: str, number: int, raw: Mapping[str, Any], problems: tuple[Problem, ...] = (),
              sheet: str | None = None, cells: dict[str, str] | None = None) -> IssueRecord:
    """The record of one raw row: its canonical values, and a problem for each field given twice."""
    if not problems and type(raw) is dict:
        issue = plain_issue(raw)
        if issue is not None:  # already its own canonical data
            return IssueRecord(file, number, raw, (), sheet, cells or {}, issue)
    data, twice = canonical(raw)
    cells = cells or {}
    problems += tuple(
        Problem(message=message, file=file, sheet=sheet, row=number, cell=cells.get(name), field=name,
                code="duplicate-field")
        for name, message in twice
    )
    return IssueRecord(file, number, data, problems, sheet=sheet, cells=cells)


def _unreadable(file: str, number: int, message: str, code: str) -> IssueRecord:
    return IssueRecord(file, number, {}, (Problem(message=message, file=file, row=number, code=code),))


def unique_ids(records: Iterable[IssueRecord], seen: Mapping[str, str] | None = None,
               first: dict[str, str] | None = None) -> Iterator[IssueRecord]:
    """`records`, each whose id an earlier one used made a "duplicate-id" problem record.

    `seen` (id → where, "row 7") names ids used before these records (by an earlier part of
    the same file, read elsewhere); `first` collects where each id is first used here."""
    first = {} if first is None else first
    if seen:
        first.update(seen)
    for record in records:
        yield check_id(record, first)


def check_id(record: IssueRecord, first: dict[str, str]) -> IssueRecord:
    """`record`, or — when `first` (id → where it was first used) has its id from another row —
    the record with a "duplicate-id" problem naming that row. Records the id's first use."""
    value = record.data.get("id")
    if value is None or not str(value).strip():  # no id: validation names it
        return record
    issue_id = record.issue_id(record.row)
    where = f"{record.sheet}!row {record.row}" if record.sheet else f"row {record.row}"
    earlier = first.setdefault(issue_id, where)
    if earlier == where:
        return record
    problem = Problem(message=f"duplicate id: {earlier} already has the id {issue_id!r}", file=record.file,
                      sheet=record.sheet, row=record.row, cell=record.cells.get("id"), field="id",
                      value=issue_id, code="duplicate-id")
    return IssueRecord(record.file, record.row, record.data, record.problems + (problem,), record.sheet,
                       record.cells)


def has_id(record: IssueRecord) -> bool:
    """Whether `record` names an id (`check_id` looks at its uses)."""
    value = record.data.get("id")
    return value is not None and bool(str(value).strip())


def _read_jsonl(path: Path, file: str, encoding: str) -> Iterator[IssueRecord]:
    text = decode(path, file, encoding, CANNOT_READ)
    if is_json_array(path, text):
        return _json_array_records(text, file)
    return jsonl_records(text, file)


def is_json_array(path: Path, text: str) -> bool:
    """A .json file holding one array of issue objects (not one object a line)."""
    return path.suffix.lower() == ".json" and text.lstrip().startswith("[")


def _json_array_records(text: str, file: str) -> Iterator[IssueRecord]:
    """A .json file holding one array of issue objects; `row` is the element's number."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as error:
        row = error.lineno if isinstance(error, json.JSONDecodeError) else None
        problem = Problem(message=_json_problem(error), file=file, row=row, code="json")
        raise InputError([problem], CANNOT_READ) from None
    for number, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            yield _unreadable(file, number, "each element must be one JSON object", "json")
            continue
        yield record_of(file, number, raw)


def _json_problem(error: BaseException) -> str:
    # json raises JSONDecodeError for bad syntax, RecursionError for arrays nested thousands
    # deep, and ValueError for integers of more than 4,300 digits: each is the file's fault.
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON: {error.msg} at column {error.colno}"
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to be an issue"
    return f"unreadable JSON value: {error}"


def lines(text: str) -> Iterator[str]:
    """The lines of JSONL text: split at "\n" only ("\r\n" ends a line too), so that a U+2028,
    U+0085 or lone "\r" inside a JSON string never splits its line, and line numbers are the
    file's own (what an editor or `wc -l` counts)."""
    start = 0
    while True:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        yield line[:-1] if line.endswith("\r") else line
        if end < 0:
            return
        start = end + 1


def jsonl_records(text: str, file: str, first_line: int = 1) -> Iterator[IssueRecord]:
    """The records of JSONL text whose first line is line `first_line` of `file`."""
    for number, line in enumerate(lines(text), start=first_line):
        if not line.strip():
            continue
        raw = json_object(line)
        if isinstance(raw, str):
            yield _unreadable(file, number, raw, "json")
            continue
        yield record_of(file, number, raw)


def json_object(line: str | bytes) -> dict[str, Any] | str:
    """The JSON object one line holds, or why it holds none (the problem's message)."""
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError) as error:
        return _json_problem(error)
    if not isinstance(raw, dict):
        return "a line must be one JSON object"
    return raw


def _read_csv(path: Path, file: str, encoding: str) -> Iterator[IssueRecord]:
    text = decode(path, file, encoding, CANNOT_READ)
    header, known, reader = csv_header(text, file)
    return csv_records(data_rows(reader), header, known, file)


def csv_header(text: str, file: str) -> tuple[list[str], list[str | None], Reader]:
    """The header of CSV text, the field each column names, and a reader after the header;
    InputError when no column names an issue field."""
    header, reader = open_csv(text, file, CANNOT_READ)
    known = [field_name(h) for h in header]
    if not any(known):
        message = ("no issue column in the header row (expected id/编号, received_at/受理时间, "
                   "category/问题分类, location/发生地点 …)")
        raise InputError([Problem(message=message, file=file, row=1, code="missing-column")], CANNOT_READ)
    return header, known, reader


def csv_records(rows: Iterator[tuple[int, list[str] | csv.Error]], header: list[str], known: list[str | None],
                file: str) -> Iterator[IssueRecord]:
    """The records of CSV rows, (line number, cells or the csv module's error) each."""
    for number, values in rows:
        if isinstance(values, csv.Error):
            yield _unreadable(file, number, f"unreadable CSV row: {values}", "csv")
            continue
        raw = {header[i]: v for i, v in enumerate(values) if i < len(header) and known[i]}
        extra: tuple[Problem, ...] = ()
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            extra = (Problem(message=f"{len(values)} cells but {len(header)} header columns", file=file, row=number,
                             code="extra-cells"),)
        record = record_of(file, number, raw)
        yield IssueRecord(file, number, record.data, record.problems + extra)


Tables = list[tuple[str, dict[str, str], Iterator[SheetRow]]]  # (sheet, field → column letter, rows)


def _read_xlsx(path: Path, file: str) -> Iterator[IssueRecord]:
    problems = ProblemCollector(file)
    book = Workbook(path, file)
    try:
        # Every visible sheet with an issue header (a month per sheet is common), each header
        # found before any row is given out, so a bad header anywhere refuses the whole file.
        tables = [(sheet, header.letters, rows) for sheet, header, rows in book.tables(_VOCABULARY, problems)]
        if not tables:
            problems.add("no sheet with an issue header (expected a 问题分类/category column)", code="missing-column")
            problems.raise_if_any(CANNOT_READ)
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
        problems.raise_if_any(CANNOT_READ)
        return _xlsx_records(book, file, tables, problems, by_row)
    except BaseException:
        book.close()
        raise


def _cell_row(cell: str | None) -> int | None:
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return int(digits) if digits else None


def _xlsx_records(book: Workbook, file: str, tables: Tables, found: ProblemCollector,
                  by_row: dict[tuple[str | None, int], list[Problem]]) -> Iterator[IssueRecord]:
    seen = len(found.problems)
    try:
        for sheet, letters, rows in tables:
            for row in rows:
                # Problems the sheet reader finds in this row's cells (too long, formula without a
                # cached value) reject the row they belong to.
                cell_problems = tuple(by_row.get((sheet, row.number), ())) + tuple(found.problems[seen:])
                seen = len(found.problems)
                cells = {name: f"{letter}{row.number}" for name, letter in letters.items()}
                for place in ("community", "street"):
                    if place in cells and "location" not in cells:
                        cells["location"] = cells[place]
                yield record_of(file, row.number, row.values, cell_problems, sheet=sheet, cells=cells)
    finally:
        book.close()


# ---- Parquet: each row one issue, read with pyarrow -------------------------------------------
#
# Columns are named as in the other files (`FIELD_ALIASES`); cells keep Parquet's types (a
# timestamp without a time zone is Asia/Shanghai time, a date is midnight of its day) and each
# row goes through `canonical` like any other. Every row is one record, numbered from 1 in file
# order across row groups (there is no header line), so a file read in slices on several workers
# names its rows as one reader does. pyarrow is optional (`pip install 'powerlist[dask]'`).

INSTALL = "pip install 'powerlist[dask]'"


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise PowerlistError(
            f"读取 Parquet 文件需要 pyarrow：{INSTALL} (reading a .parquet issue file needs pyarrow: {INSTALL})"
        ) from None
    return pq


def parquet_file(path: Path, file: str) -> Any:
    """The opened `pyarrow.parquet.ParquetFile`; InputError for a file that is not Parquet."""
    pq = _pyarrow_parquet()
    try:
        return pq.ParquetFile(path)
    except Exception as error:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError … for a bad file
        raise InputError([Problem(message=f"not a readable Parquet file: {error}", file=file, code="parquet")],
                         CANNOT_READ) from None


def parquet_records(table: Any, file: str, first_row: int) -> Iterator[IssueRecord]:
    """The records of a pyarrow Table (a slice of the file) whose first row is row `first_row`."""
    names = table.column_names
    twice = sorted({name for name in names if names.count(name) > 1})
    columns = [column.to_pylist() for column in table.columns]
    for offset, values in enumerate(zip(*columns, strict=True)):
        row = first_row + offset
        raw: dict[str, Any] = {}
        for name, value in zip(names, values, strict=True):
            raw.setdefault(name, value)
        problems = tuple(Problem(message=f"the column {name!r} appears twice in the file", file=file, row=row,
                                 field=name, code="duplicate-field") for name in twice)
        yield record_of(file, row, raw, problems)


def read_parquet(path: Path, file: str) -> Iterator[IssueRecord]:
    handle = parquet_file(path, file)
    row = 1
    for group in range(handle.num_row_groups):
        table = read_row_group(handle, group, file)
        yield from parquet_records(table, file, row)
        row += table.num_rows


def read_row_group(handle: Any, group: int, file: str) -> Any:
    """Row group `group` as a pyarrow Table; InputError when its data cannot be read."""
    try:
        return handle.read_row_group(group)
    except Exception as error:  # noqa: BLE001 - corrupt pages raise ArrowInvalid, OSError …
        raise InputError([Problem(message=f"unreadable Parquet row group {group}: {error}", file=file,
                                  code="parquet")], CANNOT_READ) from None
