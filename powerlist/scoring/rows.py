"""Scoring input files as located rows: an .xlsx or .csv file → `Row`s, and cell values → Python.

`read_rows(path, fields, required, what)` finds the header (by each field's aliases; in a
workbook through `powerlist.sheets.workbook`: safe opening, header found under title rows) and
yields each data row's values by field with the cell each came from, so that every problem can be
located (file, sheet, cell, row, field); `row_problem` adds one. The parsers turn a cell into a
datetime, a whole number, a yes/no or a Decimal, raising ValueError with what was expected.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import get_column_letter

from ..errors import InputError, Problem, ProblemCollector
from ..sheets.cells import yes_no
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary, normalise_header
from ..sheets.workbook import Workbook

Fields = Mapping[str, tuple[str, ...]]  # field name → its header aliases, the first one shown

_DATETIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?秒?)?$"
)


class Row:
    """One input row: its values by field and where each came from."""

    def __init__(
        self, number: int, values: Mapping[str, Any], cells: Mapping[str, str | None], sheet: str | None
    ) -> None:
        self.number = number
        self.values = dict(values)
        self.cells = dict(cells)
        self.sheet = sheet


def blank(value: Any) -> bool:
    """No value: an empty cell or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        text = value.strip()
        found = _DATETIME.match(text)
        if found:
            y, mo, d, h, mi, s = found.groups()
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError("a date and time such as 2026-07-01 09:30")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*", value):
        return int(Decimal(value.strip()))
    raise ValueError("a whole number such as 0 or 2")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    answer = yes_no(value)
    if answer is None:
        raise ValueError("是 or 否")
    return answer


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a number")
    if isinstance(value, float):
        return Decimal(repr(value))  # the cell's shortest decimal form: parsing, not arithmetic
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("a number such as 85 or 92.5") from None
    if not number.is_finite():
        raise ValueError("a number such as 85 or 92.5")
    return number


def row_problem(
    problems: ProblemCollector, row: Row, field: str | None, message: str, value: Any, code: str
) -> None:
    """Add a problem located at `row` (and at the field's cell, when the row has it)."""
    problems.add(
        message,
        sheet=row.sheet,
        cell=row.cells.get(field) if field else None,
        row=row.number,
        field=field,
        value=None if value is None else str(value),
        code=code,
    )


def _csv_rows(path: Path, file: str, fields: Fields, required: tuple[str, ...], encoding: str) -> Iterator[Row]:
    text = decode(path, file, encoding, f"cannot read {file}")
    lookup = {normalise_header(a): name for name, aliases in fields.items() for a in aliases}
    header, reader = open_csv(text, file, f"cannot read {file}")
    columns: dict[str, int] = {}
    problems = ProblemCollector(file)
    for index, title in enumerate(header):
        name = lookup.get(normalise_header(title))
        if name is None:
            continue
        if name in columns:
            problems.add(f"two columns for {fields[name][0]}", row=1, field=name, value=title, code="duplicate-column")
        columns[name] = index
    missing = [fields[n][0] for n in required if n not in columns]
    if missing:
        problems.add(f"header row lacks a required column: {'、'.join(missing)}", row=1, code="missing-column")
    problems.raise_if_any(f"cannot read {file}")
    letters = {name: get_column_letter(i + 1) for name, i in columns.items()}
    for number, values in data_rows(reader):
        if isinstance(values, csv.Error):
            problem = Problem(message=f"unreadable CSV row: {values}", file=file, row=number, code="csv")
            raise InputError([problem], f"cannot read {file}")
        row = {name: (values[i] if i < len(values) else None) for name, i in columns.items()}
        yield Row(number, row, {n: f"{letters[n]}{number}" for n in columns}, None)


def _xlsx_rows(path: Path, file: str, fields: Fields, required: tuple[str, ...], what: str) -> Iterator[Row]:
    vocabulary = Vocabulary(fields=fields, required=required, near_miss=2)
    problems = ProblemCollector(file)
    with Workbook(path, file) as book:
        found = False
        for sheet, header, rows in book.tables(vocabulary, problems):
            found = True
            for sheet_row in rows:
                cells = {name: header.cell(name, sheet_row.number) for name in header.columns}
                yield Row(sheet_row.number, sheet_row.values, cells, sheet)
        if not found and not problems:
            labels = "、".join(fields[n][0] for n in required)
            problems.add(f"no sheet with a {what} header (needs {labels})", code="missing-column")
    problems.raise_if_any(f"cannot read {file}")


def read_rows(
    path: str | Path, fields: Fields, required: tuple[str, ...], what: str, encoding: str
) -> tuple[str, Iterator[Row]]:
    """(the file's name, its data rows): .csv/.txt in `encoding`, or .xlsx/.xlsm; a file or a
    header that cannot be read is an InputError, raised here or while the rows are read."""
    path = Path(path)
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        if not path.is_file():
            raise InputError([Problem(message="no such file", file=file, code="not-found")], f"cannot read {file}")
        return file, _csv_rows(path, file, fields, required, encoding)
    if suffix in (".xlsx", ".xlsm"):
        return file, _xlsx_rows(path, file, fields, required, what)
    raise InputError(
        [
            Problem(
                message=f"unknown file type {suffix or '(none)'}; expected .xlsx or .csv",
                file=file,
                code="unknown-format",
            )
        ],
        f"cannot read {file}",
    )
