"""The 晒单 workbook — the period's rankings as an Excel report.

`write_report(scores, path, annual=None)`: one sheet per subject kind (部门, 街道) with every
figure's whistle count, a whistle-detail sheet (哨明细) with each whistle's facts and figures, a
年度考核 sheet when annual results are given, a notes sheet (说明), a colour scale on the score
column, data bars on the whistle counts and a native bar chart per ranking. Text never becomes a
formula (`powerlist.sheets.cells`); numbers are published (ROUND_HALF_UP, 2 decimals). The row
builders (`department_rows`, `street_rows`, `whistle_rows`, `annual_rows`) give the same cells to
other front ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook as NewWorkbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..routing.issue import SHANGHAI
from ..sheets.cells import write_xlsx_cell
from ..sheets.output import save_workbook
from .annual import AnnualResult
from .arithmetic import Number, publish
from .profiles import COMPONENT_LABELS
from .record import WhistleRecord
from .results import PeriodScores
from .veto import Veto


def _number(value: Number | None) -> Decimal | None:
    return publish(value)


def _veto_text(vetoes: Iterable[Veto]) -> str:
    return "；".join(v.reason for v in vetoes)


DEPARTMENT_COLUMNS = [
    "排名", "单位编码", "单位名称", "部门", "哨数", "得分",
    "响应度", "响应度哨数", "办结度", "办结度哨数", "满意度", "满意度哨数",
    "一票否决", "说明", "案件编号",
]
STREET_COLUMNS = [
    "排名", "街道编码", "街道名称", "哨数", "得分",
    "呼叫机制", "呼叫次数", "呼叫质效", "编制人数", "预期哨数下限", "预期哨数上限",
    "记录完整哨数", "不可办哨数", "街道自有权力", "错派退回", "一票否决", "说明", "案件编号",
]
WHISTLE_COLUMNS = [
    "案件编号", "吹哨街道", "责任单位", "响应度", "办结度", "满意度", "记录完整", "不可办", "说明",
    "哨类", "等级", "受理时间", "响应时限", "响应时间", "办结时限", "办结时间", "回访满意度", "第三方回访得分",
    "延期次数", "重办次数", "街道自有权力", "错派退回", "推诿",
]


def department_rows(scores: PeriodScores) -> list[list[Any]]:
    return [
        [
            d.rank, d.unit, d.name, d.department, d.whistles, _number(d.score),
            _number(d.response), d.counts["response"], _number(d.completion), d.counts["completion"],
            _number(d.satisfaction), d.counts["satisfaction"],
            _veto_text(d.vetoes), "；".join(d.notes), "、".join(d.cases),
        ]
        for d in scores.departments
    ]


def street_rows(scores: PeriodScores) -> list[list[Any]]:
    return [
        [
            s.rank, s.street, s.name, s.whistles, _number(s.score),
            _number(s.mechanism), _number(s.calls), _number(s.quality), s.staff,
            _number(s.band[0]), _number(s.band[1]), s.complete, s.poor, s.held, s.returned,
            _veto_text(s.vetoes), "；".join(s.notes), "、".join(s.cases),
        ]
        for s in scores.streets
    ]


def whistle_rows(scores: PeriodScores) -> list[list[Any]]:
    return [
        [
            w.case_id, w.street, w.unit, _number(w.response), _number(w.completion), _number(w.satisfaction),
            "是" if w.record_complete else "否", "是" if w.poor_quality else "否", "；".join(w.notes),
            *_facts(w.record),
        ]
        for w in scores.whistles
    ]


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _facts(r: WhistleRecord | None) -> list[Any]:
    if r is None:
        return []
    yes = {True: "是", False: "否"}
    return [
        r.kind.label if r.kind else None, r.grade.value if r.grade else None,
        _when(r.received_at), _when(r.respond_by), _when(r.responded_at), _when(r.complete_by), _when(r.completed_at),
        r.satisfaction.label if r.satisfaction else None, r.third_party,
        r.extensions, r.reopened, yes[r.street_held_power], yes[r.returned], yes[r.buck_passing],
    ]


def _write_table(ws: Worksheet, title: str, columns: list[str], rows: list[list[Any]]) -> int:
    """Title in row 1, header in row 2, data from row 3; returns the last data row."""
    write_xlsx_cell(ws, 1, 1, title).font = Font(bold=True, size=13)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, name in enumerate(columns, start=1):
        cell = write_xlsx_cell(ws, 2, col, name)
        cell.font = Font(bold=True)
        cell.fill = fill
    for r, values in enumerate(rows, start=3):
        for col, value in enumerate(values, start=1):
            cell = write_xlsx_cell(ws, r, col, value)
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
    ws.freeze_panes = "A3"
    for col, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(40, 2 * len(name) + 4))
    return 2 + len(rows)


def _decorate(ws: Worksheet, score_col: int, label_col: int, last: int, title: str, anchor: str) -> None:
    if last < 3:
        return
    letter = get_column_letter(score_col)
    # The ignores below: types-openpyxl leaves the conditional-format rule factories unannotated.
    ws.conditional_formatting.add(
        f"{letter}3:{letter}{last}",
        ColorScaleRule(  # type: ignore[no-untyped-call]
            start_type="num", start_value=0, start_color="F8696B",
            mid_type="num", mid_value=60, mid_color="FFEB84",
            end_type="num", end_value=100, end_color="63BE7B",
        ),
    )
    ws.conditional_formatting.add(
        f"{get_column_letter(score_col - 1)}3:{get_column_letter(score_col - 1)}{last}",
        DataBarRule(start_type="min", end_type="max", color="5B9BD5"),  # type: ignore[no-untyped-call]
    )
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = "得分"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.add_data(Reference(ws, min_col=score_col, min_row=2, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=label_col, min_row=3, max_row=last))
    chart.height = max(7.5, 0.6 * (last - 2) + 3)
    chart.width = 18
    ws.add_chart(chart, anchor)


ANNUAL_COLUMNS = ["对象", "名称", "类别", "吹哨考评得分", "其他考核得分", "权重 w", "年度得分", "结果", "原因"]


def annual_rows(annual: Iterable[AnnualResult]) -> list[list[Any]]:
    return [
        [
            a.subject, a.name, "部门" if a.kind == "department" else "街道", _number(a.whistle_score),
            _number(a.other_score), a.weight, _number(a.score), a.outcome, "；".join(a.reasons),
        ]
        for a in annual
    ]


def write_report(scores: PeriodScores, path: str | Path, annual: Iterable[AnnualResult] | None = None) -> Path:
    """The 晒单 workbook: 部门, 街道, 哨明细 and 说明 sheets (see the module docstring), and a
    年度考核 sheet when annual results are given."""
    path = Path(path)
    book = NewWorkbook()
    period = scores.period.label
    ws = book.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "部门"
    last = _write_table(ws, f"{period} 部门考评排名（街道评部门）", DEPARTMENT_COLUMNS, department_rows(scores))
    _decorate(ws, DEPARTMENT_COLUMNS.index("得分") + 1, DEPARTMENT_COLUMNS.index("单位名称") + 1
              if all(d.name for d in scores.departments) else 2, last, f"{period} 部门得分", "Q2")
    ws = book.create_sheet("街道")
    last = _write_table(ws, f"{period} 街道考评排名（部门评街道）", STREET_COLUMNS, street_rows(scores))
    _decorate(ws, STREET_COLUMNS.index("得分") + 1, STREET_COLUMNS.index("街道名称") + 1
              if all(s.name for s in scores.streets) else 2, last, f"{period} 街道得分", "S2")
    ws = book.create_sheet("哨明细")
    _write_table(ws, f"{period} 一哨一考核明细", WHISTLE_COLUMNS, whistle_rows(scores))
    if annual is not None:
        ws = book.create_sheet("年度考核")
        last = _write_table(ws, f"{period} 年度考核（一票否决）", ANNUAL_COLUMNS, annual_rows(annual))
        if last >= 3:
            # The ignore: types-openpyxl leaves the conditional-format rule factories unannotated.
            ws.conditional_formatting.add(
                f"H3:H{last}",
                CellIsRule(  # type: ignore[no-untyped-call]
                    operator="notEqual", formula=['"合格"'], fill=PatternFill("solid", bgColor="F8CBAD")
                ),
            )
    ws = book.create_sheet("说明")
    _write_notes(ws, scores)
    return save_workbook(book, path)


def _write_notes(ws: Worksheet, scores: PeriodScores) -> None:
    p, period = scores.profile, scores.period
    lines: list[tuple[str, str]] = [
        ("考核周期", f"{period.label}（{period.start.date()} 至 {period.end.date()} 前，按受理时间归属）"),
        ("权重方案", f"{p.name} {p.description}"),
        ("部门权重", "；".join(f"{COMPONENT_LABELS[k]} {v}" for k, v in p.department.model_dump().items())),
        ("街道权重", "；".join(f"{COMPONENT_LABELS[k]} {v}" for k, v in p.street.model_dump().items())),
        ("舍入规则", f"{scores.rounding}（计算全程精确，仅发布时四舍五入到 2 位小数）"),
        ("年度折算", "年度考核 = w × 吹哨考评得分 + (1 − w) × 其他考核得分；部门 w ≥ 30%，街道 w ≥ 15%"),
        ("一票否决", "安全生产、环境保护、党风廉政、综治维稳：周期内有否决事件的单位年度考核不合格"),
        ("响应度", "按时响应 100 分，超时按超时时长线性递减至 0，未响应 0 分"),
        ("办结度", "按时办结 100 分，超时线性递减；每次延期、重办及推诿另扣分，最低 0 分"),
        ("满意度", "回访：满意 100、基本满意 80、不满意 0；有第三方回访得分时按权重合成"),
        ("呼叫机制", "记录完整（平台吹哨、哨类与等级、两项时限、办结后有回访）的哨占比 × 100"),
        ("呼叫次数", "哨数相对于按编制人数与周期月数折算的预期区间：区间内 100 分，不足按比例，过多递减"),
        ("呼叫质效", "部门可办的哨（非街道自有权力、非错派退回）占比 × 100"),
        ("说明", "各项定义的参数见 rules/scoring.toml；除权重外均为示意默认值"),
    ]
    for r, (key, text) in enumerate(lines, start=1):
        write_xlsx_cell(ws, r, 1, key)
        write_xlsx_cell(ws, r, 2, text)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 100
