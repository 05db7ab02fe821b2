"""Reading named columns of a CSV, XLSX or JSONL file (for `powerlist match`): a city's 工单
history exported with its own headers, e.g. 诉求内容 and 问题分类.

Columns are found by the names given (matched after NFKC, without spaces, "(必填)" remarks or
"*"); a missing column is an `InputError` naming the columns the file has. Every row is
returned with its row (line) number, blank cells as ""; blank lines (CSV, JSONL) and sheet rows
whose named columns are all blank (XLSX, as every powerlist workbook reader) are not rows.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, ProblemCollector
from ..sheets.cell_checks import is_refused
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary, normalise_header
from ..sheets.text import cell_text
from ..sheets.workbook import Workbook

SUMMARY = "无法读取文件 (cannot read the file)"


@dataclass(frozen=True)
class TableRow:
    row: int  # line (CSV, JSONL) or sheet row (XLSX), 1-based
    values: dict[str, str]  # column name as given → text ("" when blank)
    sheet: str | None = None


def _text(value: Any) -> str:
    if value is None or is_refused(value):
        return ""
    if isinstance(value, str):
        return value.strip()
    return (cell_text(value) or "").strip()


def _missing(columns: list[str], found: list[str], file: str, sheet: str | None = None) -> InputError:
    have = "、".join(h for h in found if h) or "(none)"
    return InputError([Problem(message=f"没有这一列 (no such column); the file has: {have}", file=file, sheet=sheet,
                               row=1, field=name, code="missing-column") for name in columns], SUMMARY)


def read_table(path: str | Path, columns: list[str], encoding: str = "utf-8") -> list[TableRow]:
    """The given columns of every non-blank row, in file order."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError([Problem(message="没有这个文件 (no such file)", file=file, code="not-found")], SUMMARY)
    wanted = list(dict.fromkeys(columns))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx(path, file, wanted)
    elif suffix in (".csv", ".txt"):
        rows = _csv(path, file, wanted, encoding)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        rows = _jsonl(path, file, wanted, encoding)
    else:
        raise InputError([Problem(message="未知的文件类型，应为 .csv、.xlsx 或 .jsonl (unknown file type; expected "
                                  ".csv, .xlsx or .jsonl)", file=file, value=suffix, code="unknown-format")], SUMMARY)
    return rows


def _xlsx(path: Path, file: str, columns: list[str]) -> list[TableRow]:
    fields = {f"c{i}": (name,) for i, name in enumerate(columns)}
    vocabulary = Vocabulary(fields, required=tuple(fields), near_miss=1, free_text=tuple(fields))
    problems = ProblemCollector(file)
    out: list[TableRow] = []
    with Workbook(path, file) as book:
        tables = list(book.tables(vocabulary, problems))
        if not tables and not problems.problems:
            raise _missing(columns, [], file)
        problems.raise_if_any(SUMMARY)
        for sheet, _, rows in tables:
            for row in rows:
                values = {name: _text(row.values.get(f"c{i}")) for i, name in enumerate(columns)}
                out.append(TableRow(row.number, values, sheet))
    problems.raise_if_any(SUMMARY)
    return out


def _csv(path: Path, file: str, columns: list[str], encoding: str) -> list[TableRow]:
    text = decode(path, file, encoding, SUMMARY)
    header, reader = open_csv(text, file, SUMMARY)
    index = {normalise_header(h): i for i, h in reversed(list(enumerate(header)))}
    missing = [c for c in columns if normalise_header(c) not in index]
    if missing:
        raise _missing(missing, header, file)
    out: list[TableRow] = []
    for number, values in data_rows(reader):
        if isinstance(values, csv.Error):
            raise InputError([Problem(message=f"CSV 行无法读取 (unreadable CSV row: {values})", file=file, row=number,
                                      code="csv")], SUMMARY)
        cells = {c: values[index[normalise_header(c)]] if index[normalise_header(c)] < len(values) else ""
                 for c in columns}
        out.append(TableRow(number, {c: v.strip() for c, v in cells.items()}))
    return out


def _jsonl(path: Path, file: str, columns: list[str], encoding: str) -> list[TableRow]:
    text = decode(path, file, encoding, SUMMARY)
    out: list[TableRow] = []
    keys: set[str] = set()
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError) as error:
            problems.append(Problem(message=f"不是有效的 JSON (not valid JSON: {error})", file=file, row=number,
                                    code="json"))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(message="每行应为一个 JSON 对象 (a line must be one JSON object)", file=file,
                                    row=number, code="json"))
            continue
        by_name = {normalise_header(k): v for k, v in raw.items()}
        keys.update(raw)
        out.append(TableRow(number, {c: _text(by_name.get(normalise_header(c))) for c in columns}))
    if problems:
        raise InputError(problems, SUMMARY)
    normal_keys = {normalise_header(k) for k in keys}
    missing = [c for c in columns if normalise_header(c) not in normal_keys]
    if out and missing:
        raise _missing(missing, sorted(keys), file)
    return out
