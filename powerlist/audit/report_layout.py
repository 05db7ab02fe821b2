"""How the audit report's sheets are laid out for a clerk — 报表版式: a bold header row that stays
in view (frozen) with filters, and column widths that fit what the columns hold.

Widths are counted in display columns: a Chinese character is two, like a spreadsheet program
shows it; a column is as wide as its widest line (first 2,000 rows), within `MIN_WIDTH` and
`MAX_WIDTH`; a column of long text wraps instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..sheets.cells import append_row

MIN_WIDTH = 6
MAX_WIDTH = 60
SAMPLED_ROWS = 2_000
HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def display_width(text: str) -> int:
    """Columns a line takes on screen: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def header_row(ws: Worksheet, names: list[str]) -> int:
    """Append a bold, shaded header row; its row number."""
    append_row(ws, names)
    row = ws.max_row
    for cell in ws[row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    return row


def table_sheet(ws: Worksheet, header: int, columns: int) -> None:
    """Freeze the rows down to `header`, filter the table below it, fit the widths."""
    ws.freeze_panes = f"A{header + 1}"
    last = max(ws.max_row, header)
    ws.auto_filter.ref = f"A{header}:{get_column_letter(columns)}{last}"
    fit_widths(ws, header, columns)


def fit_widths(ws: Worksheet, first_row: int, columns: int, last_row: int | None = None) -> None:
    """Each column as wide as its widest line from `first_row` (to `last_row`); long text wraps."""
    widths = [MIN_WIDTH] * columns
    # never past the last row: iter_rows creates the cells it is asked for
    last = min(ws.max_row if last_row is None else last_row, first_row + SAMPLED_ROWS)
    rows: Iterable[tuple[Any, ...]] = ws.iter_rows(min_row=first_row, max_row=last, max_col=columns,
                                                   values_only=True)
    for values in rows:
        for index, value in enumerate(values):
            if value is None:
                continue
            longest = max((display_width(line) for line in str(value).split("\n")), default=0)
            widths[index] = max(widths[index], longest + 2)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(width, MAX_WIDTH)
        if width > MAX_WIDTH:
            for (cell,) in ws.iter_rows(min_row=first_row + 1, max_row=last, min_col=index, max_col=index):
                cell.alignment = WRAP


__all__ = ["BOLD", "display_width", "fit_widths", "header_row", "table_sheet"]
