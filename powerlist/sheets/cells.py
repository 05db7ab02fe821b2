"""Cells in and out: the yes/no words an input cell may hold, and cells that a spreadsheet
program will never run (formula-injection defence for our outputs).

Issue files and whistle spreadsheets read a yes/no cell with `yes_no`: 是/否, true/false, yes/no,
y/n, t/f, 1/0 (also 1.0/0.0 from a number cell), √/×, ✓/✗, in any case.

Anything powerlist writes to CSV or XLSX passes through here. A text value that starts with
= + - @ (or a tab/CR that some programs strip first) would be run as a formula by Excel,
LibreOffice or WPS (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`, `@SUM(...)`). In CSV such text is
prefixed with an apostrophe (the OWASP advice); in XLSX it is stored as a typed string cell,
which no program evaluates, so the user sees the value unchanged. The trigger is looked for as
a spreadsheet program may see it: after NFKC (full-width ＝＋－＠ and the small ﹦﹢﹣﹫ are = + - @)
and after any invisible characters in front (a zero-width space or a byte-order mark before
"=" is still a formula to some programs).

XLSX cannot hold control characters other than tab, line feed and carriage return (openpyxl
refuses them); in a cell written here each is shown as its escape (\\x01), so no text an input
carried makes a report fail half-way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_LEADING_INVISIBLE = re.compile(
    "^[\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
_XLSX_ILLEGAL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f]")
YES = frozenset({"是", "true", "yes", "y", "1", "√", "✓", "t"})
NO = frozenset({"否", "false", "no", "n", "0", "×", "✗", "f"})


def yes_no(value: Any) -> bool | None:
    """A yes/no cell as a bool; None when the cell says neither."""
    text = str(value).strip().lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def is_dangerous(value: Any) -> bool:
    """True when a spreadsheet program could run `value` as a formula (see the module docstring)."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(_TRIGGERS):
        return True
    if value[0].isascii():
        return False  # the common case: an ASCII character is its own NFKC and never invisible
    head = _LEADING_INVISIBLE.sub("", unicodedata.normalize("NFKC", value[:32]))
    return head.startswith(_TRIGGERS)


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell can hold it: control characters other than tab, LF and CR escaped."""
    if _XLSX_ILLEGAL.search(value) is None:
        return value
    return _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def csv_cell(value: Any) -> Any:
    """The value to write in a CSV cell."""
    if is_dangerous(value):
        return "'" + value
    return value


def write_xlsx_cell(worksheet: Any, row: int, column: int, value: Any) -> Any:
    """Write `value` to an openpyxl worksheet cell so that text is never taken as a formula."""
    cell = worksheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        # openpyxl marks text starting with "=" as a formula; force a plain string cell.
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def append_row(worksheet: Any, values: list[Any]) -> None:
    """`worksheet.append(values)` (normal or write-only sheets) with text made inert."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(worksheet, value=xlsx_text(value))
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    worksheet.append(cells)
