"""The audited workbook, copied into the report and marked — 原表批注: each visible sheet as
原表-<sheet>, looking as the clerk made it (fonts, fills, borders, alignment, number formats,
merged cells, column widths, row heights, frozen panes), with every located finding's cell
filled by its worst severity and commented with every finding there.

A finding located in a merged cell (事项名称 merged over three street rows) marks the merged
range's top-left cell, the one a spreadsheet program shows and lets a comment sit on. Values are
the cached values (formulas are never copied) and every text is written inert
(`powerlist.sheets.cells`).
"""

from __future__ import annotations

from collections import defaultdict
from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..sheets.cells import write_xlsx_cell
from ..sheets.package import check_package
from .findings import Finding, Severity

FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    Severity.INFO: PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
}
RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
COPY_PREFIX = "原表-"


def copy_marked(book: Workbook, source: Path, name: str, findings: list[Finding]) -> None:
    """Add a marked copy of every visible sheet of `source` to `book`."""
    check_package(source, name)
    original = load_workbook(source, data_only=True)
    marks: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.sheet and finding.cell:
            marks[(finding.sheet, finding.cell)].append(finding)
    try:
        for src in original.worksheets:
            if src.sheet_state != "visible":
                continue
            ws = book.create_sheet((COPY_PREFIX + src.title)[:31])
            _copy_sheet(src, ws)
            anchored: dict[str, list[Finding]] = defaultdict(list)
            for (sheet, ref), found in sorted(marks.items()):
                if sheet == src.title:
                    anchored[_anchor(src, ref)].extend(found)
            for ref, found in anchored.items():
                _mark(ws, ref, found)
    finally:
        original.close()


def _copy_sheet(src: Worksheet, ws: Worksheet) -> None:
    for row in src.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell):
                continue  # the range's top-left cell holds its value and look
            if cell.value is not None:
                target = write_xlsx_cell(ws, cell.row, cell.column, cell.value)
            elif cell.has_style:
                target = ws.cell(row=cell.row, column=cell.column)
            else:
                continue
            if cell.has_style:
                _copy_style(cell, target)
    for merged in src.merged_cells.ranges:
        ws.merge_cells(str(merged))
    for key, column in src.column_dimensions.items():
        if column.width:
            ws.column_dimensions[key].width = column.width
        if column.hidden:
            ws.column_dimensions[key].hidden = True
    for number, row_dim in src.row_dimensions.items():
        if row_dim.height:
            ws.row_dimensions[number].height = row_dim.height
    if src.freeze_panes:
        ws.freeze_panes = src.freeze_panes


def _copy_style(cell: Cell, target: Cell) -> None:
    # Style objects belong to their workbook: copy each, never the shared style index. (The
    # stubs type the cell's style attributes as proxies on read and plain objects on write.)
    target.font = copy(cell.font)  # type: ignore[assignment]
    target.fill = copy(cell.fill)  # type: ignore[assignment]
    target.border = copy(cell.border)  # type: ignore[assignment]
    target.alignment = copy(cell.alignment)  # type: ignore[assignment]
    target.number_format = cell.number_format
    target.protection = copy(cell.protection)  # type: ignore[assignment]


def _anchor(src: Worksheet, ref: str) -> str:
    """`ref`, or the top-left cell of the merged range holding it."""
    for merged in src.merged_cells.ranges:
        if ref in merged:
            return str(merged.start_cell.coordinate)
    return ref


def _mark(ws: Worksheet, ref: str, found: list[Finding]) -> None:
    cell = ws[ref]
    worst = min((f.severity for f in found), key=RANK.__getitem__)
    cell.fill = FILLS[worst]
    text = "\n".join(f"[{f.code} {f.severity.label} {f.severity.value}] {f.message_zh}\n{f.message_en}"
                     for f in found)
    cell.comment = Comment(text[:30000], "powerlist 审核 audit", width=420, height=220)


__all__ = ["COPY_PREFIX", "FILLS", "copy_marked"]
