"""The audit's Excel report — 审核报告, made for the clerk who must act on it.

- 汇总 (summary) leads with the verdict and the errors that block delegation — each code with
  errors, its count and its first examples, located, with names beside codes — then what the
  workbook does not cover (scope findings, said once each), then the counts per check × severity
  and a chart that stays readable when one check dominates (log scale, or the checks without
  findings left out);
- one sheet per check, named in Chinese with its codes (要素缺失 PL101-105 …), listing its findings;
- 原表-<sheet>: the audited workbook's sheets as they look, marked (`powerlist.audit.report_copy`);
- with a what-if, 模拟-街道 and 模拟-部门 with before/after bar charts.

Every sheet but the copies has a bold frozen header with filters and fitted widths
(`powerlist.audit.report_layout`). Every text cell is written through `powerlist.sheets.cells`,
so nothing in the report is ever run as a formula (an input cell holding "=…" is copied as inert
text).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..sheets.cells import append_row
from ..sheets.output import check_outputs, save_workbook
from .findings import CHECK_TITLES, CHECKS, CODES, Finding, Severity, counts
from .report_copy import COPY_PREFIX, FILLS, copy_marked
from .report_layout import BOLD, fit_widths, header_row, table_sheet
from .whatif import WhatIf

SUMMARY = "汇总"
EXAMPLES = 3  # first examples of each blocking code on the summary
LOG_RATIO = 20  # the chart turns logarithmic when one check has this many times another's findings
FINDING_HEADER = ["编码 code", "严重性 severity", "工作表 sheet", "单元格 cell", "事项编码 item",
                  "事项名称 item name", "街道编码 street", "街道 street name", "部门 department", "说明",
                  "message"]


def check_sheet_name(check: str) -> str:
    """The Chinese sheet name of a check, with its codes: "要素缺失 PL101-105"."""
    title, codes = CHECK_TITLES.get(check, (check, ""))
    return f"{title} {codes}".strip()[:31]


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
        ws = book.create_sheet(check_sheet_name(check))
        header = header_row(ws, FINDING_HEADER)
        for f in by_check.get(check, []):
            append_row(ws, [f.code, f"{f.severity.label} {f.severity.value}", f.sheet or "", f.cell or "",
                            f.item or "", f.item_name or "", f.street or "", f.street_name or "",
                            _departments(f), f.message_zh, f.message_en])
        table_sheet(ws, header, len(FINDING_HEADER))
    if source is not None:
        copy_marked(book, Path(source), source_name or str(source), findings)
    if what_if is not None:
        _what_if(book, what_if)
    return save_workbook(book, path)


def _departments(finding: Finding) -> str:
    details = dict(finding.details)
    names = details.get("department_names") or ([details["department_name"]] if details.get("department_name")
                                                 else [])
    return "、".join(str(n) for n in names)


def _where(finding: Finding) -> str:
    """A finding's place in a few words: cell, item and street, names beside codes."""
    parts = []
    if finding.sheet and finding.cell:
        parts.append(f"{finding.sheet}!{finding.cell}")
    if finding.item:
        parts.append(f"{finding.item} {finding.item_name or ''}".strip())
    if finding.street:
        parts.append(f"{finding.street_name or ''}（{finding.street}）")
    return " ".join(parts) or finding.message_zh[:60]


def _summary(ws: Worksheet, findings: list[Finding], checks: tuple[str, ...],
             source_name: str | None) -> None:
    tally = counts(findings, checks)
    append_row(ws, [f"职责准入审核报告 audit report — {source_name or '-'}"])
    ws["A1"].font = Font(bold=True, size=14)
    if tally["error"]:
        verdict = (f"未通过 failed：{tally['error']} 项错误须改正后方可下放"
                   f"（另有警告 {tally['warning']} 项、提示 {tally['info']} 项）")
    else:
        verdict = f"通过 passed：没有阻止下放的错误（警告 {tally['warning']} 项、提示 {tally['info']} 项）"
    append_row(ws, [verdict])
    ws["A2"].font = Font(bold=True, size=12, color="9C0006" if tally["error"] else "006100")
    append_row(ws, [])
    append_row(ws, ["须改正的错误 errors that block delegation"])
    ws.cell(ws.max_row, 1).font = BOLD
    errors_header = header_row(ws, ["检查 check", "编码 code", "说明 meaning", "数量 count", "首例 first examples"])
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.severity is Severity.ERROR:
            by_code[finding.code].append(finding)
    order = {check: n for n, check in enumerate(checks)}
    for code in sorted(by_code, key=lambda c: (order.get(CODES[c].check, len(order)), c)):
        found = by_code[code]
        info = CODES[code]
        append_row(ws, [check_sheet_name(info.check), code, f"{info.title_zh} ({info.title_en})", len(found),
                        "；".join(_where(f) for f in found[:EXAMPLES]) + ("；…" if len(found) > EXAMPLES else "")])
        ws.cell(ws.max_row, 2).fill = FILLS[Severity.ERROR]
    if not by_code:
        append_row(ws, ["无 none"])
    errors_end = ws.max_row
    append_row(ws, [])
    append_row(ws, ["未覆盖 not covered（本表未涉及，未做检查 not audited）"])
    ws.cell(ws.max_row, 1).font = BOLD
    scope = [f for f in findings if f.check == "scope"]
    for finding in scope:
        append_row(ws, [finding.code, finding.message_zh, finding.message_en])
    if not scope:
        append_row(ws, ["本表覆盖目录中的全部区县和部门 the workbook covers every district and department"])
    append_row(ws, [])
    count_header = header_row(ws, ["检查 check", "错误 error", "警告 warning", "提示 info", "合计 total",
                                   "须处理 to fix（错误+警告）"])
    rows = []
    for check in checks:
        row = tally["by_check"].get(check, {})
        rows.append((f"{check_sheet_name(check)} {check}", [row.get(s.value, 0) for s in Severity]))
    rows.sort(key=lambda r: (-r[1][0], -r[1][1], -r[1][2]))  # what blocks first; checks without findings last
    for name, values in rows:
        append_row(ws, [name, *values, sum(values), values[0] + values[1]])
    append_row(ws, ["合计 total", tally["error"], tally["warning"], tally["info"], tally["total"],
                    tally["error"] + tally["warning"]])
    ws.cell(ws.max_row, 1).font = BOLD
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A{errors_header}:E{errors_end}"
    fit_widths(ws, errors_header, 5, errors_end)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 40)
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 12)
    shown = [values[0] + values[1] for _, values in rows if values[0] + values[1]]
    if shown:
        _findings_chart(ws, count_header, len(shown), max(shown) >= LOG_RATIO * min(shown))


def _findings_chart(ws: Worksheet, header: int, rows: int, log: bool) -> None:
    """Errors and warnings per check, for the checks that have any (the table's first `rows`).
    When one check dominates, a log scale of their sum keeps the small checks visible;
    otherwise errors and warnings are stacked."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各检查须处理的发现 errors and warnings per check" + ("（对数刻度 log scale）" if log else "")
    chart.x_axis.title = "检查 check"
    chart.y_axis.title = "发现 findings"
    first, last = header + 1, header + rows
    if log:
        chart.add_data(Reference(ws, min_col=6, min_row=header, max_row=last), titles_from_data=True)
        chart.y_axis.scaling.logBase = 10
    else:
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # the largest at the top, as in the table
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 22, max(7.0, 1.2 * rows + 3)
    ws.add_chart(chart, "H4")


def _what_if(book: Workbook, result: WhatIf) -> None:
    ws = book.create_sheet("模拟-街道")
    append_row(ws, [f"承接模拟 what-if: {result.proposed} × {result.history}（{result.issues} 条诉求，"
                    f"{result.months} 个月；阈值 人均月吹哨 {result.threshold:g}）"])
    ws["A1"].font = BOLD
    header = header_row(ws, ["街道编码 street", "街道 name", "编制 staff", "调整前吹哨 before", "调整后吹哨 after",
                             "调整前人均月 before/staff/month", "调整后人均月 after/staff/month",
                             "调整后超阈值 over after", "因调整超阈值 pushed over"])
    for s in result.streets:
        append_row(ws, [s.street, s.name, s.staff, s.before, s.after,
                        s.before_monthly_per_staff, s.after_monthly_per_staff,
                        "是" if s.over_after else "否", "是" if s.pushed_over else "否"])
    _bar(ws, "各街道吹哨量（调整前后）whistles per street, before and after", header + 1, ws.max_row,
         category_col=2, data_cols=(4, 5), anchor="K2")
    table_sheet(ws, header, 9)
    ws = book.create_sheet("模拟-部门")
    header = header_row(ws, ["部门编码 department", "部门 name", "调整前吹哨 before", "调整后吹哨 after"])
    for d in result.departments:
        append_row(ws, [d.department, d.name, d.before, d.after])
    _bar(ws, "各部门牵头吹哨量（调整前后）whistles per department, before and after", header + 1,
         ws.max_row, category_col=2, data_cols=(3, 4), anchor="F2")
    table_sheet(ws, header, 4)


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


__all__ = ["COPY_PREFIX", "FILLS", "SUMMARY", "check_sheet_name", "write_report"]
