"""The audit's Excel report — 审核报告.

Sheets: 汇总 (counts per check × severity, with a native bar chart); one sheet per check listing
its findings; a copy of every visible input sheet (named 原表-<sheet>) with each finding's cell
filled by severity and commented; with a what-if, 模拟-街道 and 模拟-部门 with before/after bar
charts. Every text cell is written through `powerlist.sheets.cells`, so nothing in the report is ever
run as a formula (an input cell holding "=…" is copied as inert text).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..sheets.cells import append_row, write_xlsx_cell
from ..sheets.output import check_outputs, save_workbook
from ..sheets.package import check_package
from .findings import CHECKS, Finding, Severity, counts
from .whatif import WhatIf

FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    Severity.INFO: PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7"),
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
SUMMARY = "汇总"
COPY_PREFIX = "原表-"
FINDING_HEADER = ["编码 code", "严重性 severity", "工作表 sheet", "单元格 cell", "事项 item",
                  "街道 street", "说明", "message"]


def write_report(path: str | Path, findings: list[Finding], *, source: str | Path | None = None,
                 source_name: str | None = None, what_if: WhatIf | None = None,
                 checks: tuple[str, ...] = CHECKS) -> Path:
    """Write the report to `path` (atomically; never onto `source`); `source` is the audited
    workbook to copy and mark."""
    check_outputs([path], [source])
    book = Workbook()
    summary = book.worksheets[0]  # the one sheet of a new workbook
    summary.title = SUMMARY
    _summary(summary, findings, checks, source_name)
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    for check in checks:
        ws = book.create_sheet(check[:31])
        _header(ws, FINDING_HEADER)
        for f in by_check.get(check, []):
            append_row(ws, [f.code, f.severity.value, f.sheet or "", f.cell or "", f.item or "",
                            f.street or "", f.message_zh, f.message_en])
        _widths(ws, [10, 10, 14, 10, 16, 12, 80, 80])
    if source is not None:
        _copy_marked(book, Path(source), source_name or str(source), findings)
    if what_if is not None:
        _what_if(book, what_if)
    return save_workbook(book, path)


def _header(ws: Worksheet, names: list[str]) -> None:
    append_row(ws, names)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _summary(ws: Worksheet, findings: list[Finding], checks: tuple[str, ...],
             source_name: str | None) -> None:
    tally = counts(findings, checks)
    append_row(ws, ["职责准入审核 audit of " + (source_name or "-")])
    ws["A1"].font = Font(bold=True, size=13)
    _header(ws, ["检查 check", "错误 error", "警告 warning", "提示 info", "合计 total"])
    first = ws.max_row + 1
    for check in checks:
        row = tally["by_check"].get(check, {})
        values = [row.get(s.value, 0) for s in Severity]
        append_row(ws, [check, *values, sum(values)])
    last = ws.max_row
    append_row(ws, ["合计 total", tally["error"], tally["warning"], tally["info"], tally["total"]])
    _widths(ws, [30, 12, 12, 12, 12])
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各检查发现数 findings per check"
    chart.y_axis.title = "发现 findings"
    data = Reference(ws, min_col=2, max_col=4, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, "G2")


def _copy_marked(book: Workbook, source: Path, name: str, findings: list[Finding]) -> None:
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
            for row in src.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        write_xlsx_cell(ws, cell.row, cell.column, cell.value)
            for merged in src.merged_cells.ranges:
                ws.merge_cells(str(merged))
            for key, dim in src.column_dimensions.items():
                if dim.width:
                    ws.column_dimensions[key].width = dim.width
            for (sheet, ref), found in marks.items():
                if sheet != src.title:
                    continue
                worst = min((f.severity for f in found), key=_RANK.__getitem__)
                cell = ws[ref]
                cell.fill = FILLS[worst]
                text = "\n".join(f"[{f.code} {f.severity.value}] {f.message_zh}\n{f.message_en}"
                                 for f in found)
                cell.comment = Comment(text[:30000], "powerlist audit", width=420, height=220)
    finally:
        original.close()


def _what_if(book: Workbook, result: WhatIf) -> None:
    ws = book.create_sheet("模拟-街道")
    append_row(ws, [f"承接模拟 what-if: {result.proposed} × {result.history}（{result.issues} 条诉求，"
                    f"{result.months} 个月；阈值 人均月吹哨 {result.threshold:g}）"])
    _header(ws, ["街道编码 street", "街道 name", "编制 staff", "调整前吹哨 before", "调整后吹哨 after",
                 "调整前人均月 before/staff/month", "调整后人均月 after/staff/month",
                 "调整后超阈值 over after", "因调整超阈值 pushed over"])
    first = ws.max_row + 1
    for s in result.streets:
        append_row(ws, [s.street, s.name, s.staff, s.before, s.after,
                        s.before_monthly_per_staff, s.after_monthly_per_staff,
                        "是" if s.over_after else "否", "是" if s.pushed_over else "否"])
    _bar(ws, "各街道吹哨量（调整前后）whistles per street, before and after", first, ws.max_row,
         category_col=2, data_cols=(4, 5), anchor="K2")
    _widths(ws, [12, 14, 8, 12, 12, 16, 16, 12, 12])
    ws = book.create_sheet("模拟-部门")
    _header(ws, ["部门编码 department", "部门 name", "调整前吹哨 before", "调整后吹哨 after"])
    first = ws.max_row + 1
    for d in result.departments:
        append_row(ws, [d.department, d.name, d.before, d.after])
    _bar(ws, "各部门牵头吹哨量（调整前后）whistles per department, before and after", first,
         ws.max_row, category_col=2, data_cols=(3, 4), anchor="F2")
    _widths(ws, [12, 16, 12, 12])


def _bar(ws: Worksheet, title: str, first: int, last: int, *, category_col: int,
         data_cols: tuple[int, int], anchor: str) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = "吹哨 whistles"
    data = Reference(ws, min_col=data_cols[0], max_col=data_cols[1], min_row=first - 1,
                     max_row=max(last, first))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=category_col, min_row=first,
                                   max_row=max(last, first)))
    chart.width, chart.height = 28, 12
    ws.add_chart(chart, anchor)
