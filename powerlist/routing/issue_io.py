"""Issue files in — JSONL, JSON, CSV and XLSX read into raw rows, each row located for its problems.

This module reads files; what a row's keys and cells mean is `powerlist.routing.issue`'s
`canonical` (the `Issue` field names or the Chinese headers of hotline exports, yes/no cells,
dates), the same rules `Router.route` applies to a dict.

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
(each row located by its sheet), and an id is unique across the sheets of one file. Parquet files are read by
`powerlist.routing.issue_parquet`. JSONL is split at "\n" only. The pieces (`jsonl_records`,
`csv_header`/`csv_records`, `unique_ids`/`check_id`) also read a file part by part
(`powerlist.routing.partitions`); `json_object` is the one place a JSON line is parsed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import InputError, Problem, ProblemCollector, escape_surrogates
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary
from ..sheets.inbound import input_lines, text_problem
from ..sheets.rows import SheetRow
from ..sheets.workbook import Workbook
from .issue import FIELD_ALIASES, Issue, canonical, field_name
from .issue_fast import plain_issue
from .issue_parquet import CANNOT_READ as CANNOT_READ  # the header of a file that cannot be read
from .issue_parquet import ParquetRow, read_parquet

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns; the csv module does not name it

INTAKE_KEYS = frozenset({"match", "place", "duplicate_of", "trace", "source", "problems"})
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
    intake: dict[str, Any] = field(default_factory=dict)  # INTAKE_KEYS of a `powerlist intake` line
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
        if path.exists():
            message = "不是普通文件（是目录？）(not a regular file: a directory?)"
            raise InputError([Problem(message=message, file=file, code="not-a-file")], CANNOT_READ)
        raise InputError([Problem(message="文件不存在 (no such file)", file=file, code="not-found")], CANNOT_READ)
    suffix = path.suffix.lower()
    if suffix not in (*JSONL_SUFFIXES, *CSV_SUFFIXES, *XLSX_SUFFIXES, *PARQUET_SUFFIXES):
        message = (f"不支持的诉求文件类型 {suffix or '（无扩展名）'}，应为 .jsonl、.csv、.xlsx 或 .parquet "
                   f"(unknown issue file type {suffix or '(none)'}; expected .jsonl, .csv, .xlsx or .parquet)")
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
        return unique_ids(parquet_records(read_parquet(path, file), file))
    return unique_ids(_read_xlsx(path, file))


def _json_record(file: str, number: int, raw: dict[str, Any], problems: tuple[Problem, ...],
                 surrogates: bool) -> IssueRecord:
    """The record of one JSON object, the keys `powerlist intake` adds kept aside."""
    if not INTAKE_KEYS.intersection(raw):
        return record_of(file, number, raw, problems, surrogates=surrogates)
    issue = {k: v for k, v in raw.items() if k not in INTAKE_KEYS}
    record = record_of(file, number, issue, problems, surrogates=surrogates)
    return replace(record, intake={k: v for k, v in raw.items() if k in INTAKE_KEYS})


def record_of(file: str, number: int, raw: Mapping[str, Any], problems: tuple[Problem, ...] = (),
              sheet: str | None = None, cells: dict[str, str] | None = None, surrogates: bool = False) -> IssueRecord:
    """The record of one raw row: its canonical values, and a problem for each field given twice.
    `surrogates`: the row may hold lone surrogates (a JSON line with a \\uD800–\\uDFFF escape; CSV
    text is checked as decoded, and XML cannot hold one). A row already in canonical form of
    plain shape keeps its Issue (`IssueRecord.issue`), made once here."""
    if not problems and not surrogates and type(raw) is dict:
        issue = plain_issue(raw)
        if issue is not None:  # already its own canonical data
            return IssueRecord(file, number, raw, (), sheet, cells or {}, issue=issue)
    data, twice = canonical(raw)
    cells = cells or {}
    problems += tuple(
        Problem(message=message, file=file, sheet=sheet, row=number, cell=cells.get(name), field=name,
                code="duplicate-field")
        for name, message in twice
    )
    # The one text policy (powerlist.sheets.inbound): a lone surrogate in a key or a value
    # rejects the row here, before its id is used anywhere (a case store, an output), and the
    # row keeps it only escaped.
    for name, value in list(data.items()) if surrogates else ():
        found = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if found is not None:
            problems += (Problem(message=found[1], file=file, sheet=sheet, row=number, cell=cells.get(name),
                                 field=name, code=found[0]),)
            del data[name]
            data[escape_surrogates(name)] = escape_surrogates(value) if isinstance(value, str) else value
    return IssueRecord(file, number, data, problems, sheet=sheet, cells=cells)


def parquet_records(rows: Iterable[ParquetRow], file: str) -> Iterator[IssueRecord]:
    """The records of Parquet rows (`issue_parquet`; pyarrow cells keep their types). Parquet
    text is UTF-8 and holds no lone surrogate; each string is checked all the same."""
    for row, raw, problems in rows:
        yield record_of(file, row, raw, problems, surrogates=True)


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
    if not has_id(record):  # no id: validation names it
        return record
    issue_id = record.issue_id(record.row)
    where = f"{record.sheet}!row {record.row}" if record.sheet else f"row {record.row}"
    earlier = first.setdefault(issue_id, where)
    if earlier == where:
        return record
    problem = Problem(message=f"编号重复：{earlier} 已用编号 {issue_id!r} (duplicate id: {earlier} already has the id "
                      f"{issue_id!r})", file=record.file,
                      sheet=record.sheet, row=record.row, cell=record.cells.get("id"), field="id",
                      value=issue_id, code="duplicate-id")
    return IssueRecord(record.file, record.row, record.data, record.problems + (problem,), record.sheet,
                       record.cells, record.intake)


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


class _Keys(dict[str, Any]):
    """A JSON object that was given a key more than once (json keeps the last silently: a second
    "emergency": false would drop the first's true), with the keys repeated."""

    twice: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    keys = _Keys(pairs)
    seen: set[str] = set()
    twice: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in twice:
            twice.append(key)
        seen.add(key)
    keys.twice = tuple(twice)
    return keys


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs)  # built once: json.loads(hook=…) builds one a call


def _loads(text: str) -> Any:
    """`json.loads`; an object that repeats a key comes as `_Keys`."""
    return _DECODER.decode(text)


# JSON writes a lone surrogate only as a \u escape of D800–DFFF: a line without one holds none.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _twice(raw: Any, file: str, number: int) -> tuple[Problem, ...]:
    """A problem for each key given twice in an issue's JSON object. (A nested object is no
    issue value at all, and its row is refused for its type.)"""
    if type(raw) is not _Keys:
        return ()
    return tuple(Problem(message=f"同一 JSON 对象中键 {key!r} 出现了两次：只能保留一个 "
                                 f"(the key {key!r} is given twice in one JSON object: json would "
                                 "silently keep the last)",
                         file=file, row=number, field=key, code="duplicate-key")
                 for key in raw.twice)


def _json_array_records(text: str, file: str) -> Iterator[IssueRecord]:
    """A .json file holding one array of issue objects; `row` is the element's number."""
    try:
        items = _loads(text)
    except (ValueError, RecursionError) as error:
        row = error.lineno if isinstance(error, json.JSONDecodeError) else None
        problem = Problem(message=_json_problem(error), file=file, row=row, code="json")
        raise InputError([problem], CANNOT_READ) from None
    surrogates = _ESCAPED_SURROGATE.search(text) is not None
    for number, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            yield _unreadable(file, number, "每个元素应为一个 JSON 对象 (each element must be one JSON object)", "json")
            continue
        yield _json_record(file, number, raw, _twice(raw, file, number), surrogates)


def _json_problem(error: BaseException) -> str:
    # json raises JSONDecodeError for bad syntax, RecursionError for arrays nested thousands
    # deep, and ValueError for integers of more than 4,300 digits: each is the file's fault.
    if isinstance(error, json.JSONDecodeError):
        return f"不是有效的 JSON (not valid JSON: {error.msg} at column {error.colno})"
    if isinstance(error, RecursionError):
        return "JSON 嵌套过深，不是一条诉求 (JSON nested too deeply to be an issue)"
    return f"无法读取的 JSON 值 (unreadable JSON value: {error})"


def lines(text: str) -> Iterator[str]:
    """The lines of JSONL text: split at "\n" only ("\r\n" ends a line too), so that a U+2028,
    U+0085 or lone "\r" inside a JSON string never splits its line (`sheets.inbound.input_lines`)."""
    for _, line in input_lines(text):
        yield line


def jsonl_records(text: str, file: str, first_line: int = 1) -> Iterator[IssueRecord]:
    """The records of JSONL text whose first line is line `first_line` of `file`."""
    for number, line in input_lines(text):
        if not line.strip():
            continue
        yield jsonl_record(line, file, number + first_line - 1)


def jsonl_record(line: str, file: str, number: int, plain: dict[str, Any] | None = None) -> IssueRecord:
    """The record of a JSONL file's line `number`, not blank; `plain`: the line's object, when
    `plain_object` read it already."""
    if plain is not None:  # no key given twice, no escape (so no lone surrogate)
        return _json_record(file, number, plain, (), False)
    raw = json_object(line)
    if isinstance(raw, str):
        return _unreadable(file, number, raw, "json")
    return _json_record(file, number, raw, _twice(raw, file, number),
                        "\\" in line and _ESCAPED_SURROGATE.search(line) is not None)


def plain_object(line: str) -> dict[str, Any] | None:
    """The JSON object `line` holds when it is plain — no backslash (so no escape, and no lone
    surrogate: JSON writes one only as an escape), every value a string, an integer, a bool or
    null, and no key given twice — parsed by orjson; else None, and `json_object` parses it.

    For such a line orjson and json give the same object: json's decoder differs only where
    orjson refuses (NaN, Infinity, lone surrogates: None here) or gives a float (a number with
    a fraction or exponent, or an integer past 64 bits: None here, so json reads it). A repeated
    key is found without the pairs: in a line without a backslash every `"` opens or closes a
    string, so the line holds 2 × (keys + string values) quotes exactly when no key was given
    twice (a repeated key's lost value, a string or not, leaves more). tests/test_issue_io_fast.py
    checks all this against json on random lines."""
    if "\\" in line:
        return None
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(raw) is not dict:
        return None
    strings = len(raw)
    for value in raw.values():
        kind = type(value)
        if kind is str:
            strings += 1
        elif kind is not int and kind is not bool and value is not None:
            return None
    return raw if line.count('"') == 2 * strings else None


def json_object(line: str | bytes) -> dict[str, Any] | str:
    """The JSON object one line holds (`_Keys` when it repeats a key), or why it holds none
    (the problem's message)."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        raw = plain_object(text)
        if raw is None:
            raw = _loads(text)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        return _json_problem(error)
    if not isinstance(raw, dict):
        return "每行应为一个 JSON 对象 (a line must be one JSON object)"
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
        message = ("表头行没有诉求的列：应有 编号、受理时间、问题分类、发生地点 等 (no issue column in the header row: "
                   "expected id/编号, received_at/受理时间, category/问题分类, location/发生地点 …)")
        raise InputError([Problem(message=message, file=file, row=1, code="missing-column")], CANNOT_READ)
    return header, known, reader


def csv_records(rows: Iterator[tuple[int, list[str] | csv.Error]], header: list[str], known: list[str | None],
                file: str) -> Iterator[IssueRecord]:
    """The records of CSV rows, (line number, cells or the csv module's error) each."""
    for number, values in rows:
        if isinstance(values, csv.Error):
            yield _unreadable(file, number, f"无法读取的 CSV 行 (unreadable CSV row: {values})", "csv")
            continue
        raw = {header[i]: v for i, v in enumerate(values) if i < len(header) and known[i]}
        extra: tuple[Problem, ...] = ()
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            extra = (Problem(message=f"该行有 {len(values)} 个单元格，表头只有 {len(header)} 列 ({len(values)} cells "
                             f"but {len(header)} header columns)", file=file, row=number, code="extra-cells"),)
        record = record_of(file, number, raw)
        yield record if not extra else IssueRecord(file, number, record.data, record.problems + extra)


Tables = list[tuple[str, dict[str, str], Iterator[SheetRow]]]  # (sheet, field → column letter, rows)


def _read_xlsx(path: Path, file: str) -> Iterator[IssueRecord]:
    problems = ProblemCollector(file)
    book = Workbook(path, file)
    try:
        # Every visible sheet with an issue header (a month per sheet is common), each header
        # found before any row is given out, so a bad header anywhere refuses the whole file.
        tables = [(sheet, header.letters, rows) for sheet, header, rows in book.tables(_VOCABULARY, problems)]
        if not tables:
            problems.add("没有一个工作表有诉求表头：应有“问题分类”列 (no sheet with an issue header: expected a "
                         "问题分类/category column)", code="missing-column")
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
