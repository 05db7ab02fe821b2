"""The evaluation as an Excel report: a summary, per-label scores with a chart, and the confusion
matrix as a coloured grid (white → dark blue by count; the diagonal, correct answers, outlined).
Text cells are written as plain strings (never formulas)."""

from __future__ import annotations

from pathlib import Path

from .evaluation import Evaluation


def write_report(path: str | Path, evaluation: Evaluation, names: dict[str, str] | None = None,
                 source: str = "") -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ..sheets.cells import write_xlsx_cell

    names = names or {}
    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="DDEBF7")
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概要"
    rows = [
        ("评估方式 mode", "给定模型 (given model)" if evaluation.mode == "model"
         else f"{evaluation.folds} 折交叉验证 (K-fold)"),
        ("数据 data", source),
        ("行数 rows", evaluation.rows),
        ("准确率 accuracy", round(evaluation.accuracy, 4)),
        (f"前 {evaluation.top_k} 准确率 top-{evaluation.top_k} accuracy", round(evaluation.top_k_accuracy, 4)),
        ("宏平均 F1 macro-F1", round(evaluation.macro_f1, 4)),
        ("需复核比例 needs review", round(evaluation.needs_review, 4)),
        ("免复核部分准确率 accuracy without review",
         "" if evaluation.accuracy_confident is None else round(evaluation.accuracy_confident, 4)),
        ("标签数 labels", len(evaluation.labels)),
    ]
    for number, (label, value) in enumerate(rows, start=1):
        write_xlsx_cell(summary, number, 1, label).font = bold
        write_xlsx_cell(summary, number, 2, value)
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 40

    scores = book.create_sheet("各类指标")
    header = ["标签 label", "名称 name", "精确率 precision", "召回率 recall", "F1", "样本数 support"]
    for column, text in enumerate(header, start=1):
        cell = write_xlsx_cell(scores, 1, column, text)
        cell.font, cell.fill = bold, head
    for number, s in enumerate(evaluation.per_label, start=2):
        for column, value in enumerate([s.label, names.get(s.label, ""), round(s.precision, 4), round(s.recall, 4),
                                        round(s.f1, 4), s.support], start=1):
            write_xlsx_cell(scores, number, column, value)
    for letter, width in zip("ABCDEF", (14, 30, 16, 14, 10, 14), strict=True):
        scores.column_dimensions[letter].width = width
    last = len(evaluation.per_label) + 1
    if evaluation.per_label:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各类精确率与召回率 precision and recall per label"
        chart.y_axis.title = "0–1"
        chart.add_data(Reference(scores, min_col=3, max_col=4, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(scores, min_col=1, min_row=2, max_row=last))
        chart.height = max(8.0, 0.45 * len(evaluation.per_label))
        chart.width = 18
        scores.add_chart(chart, "H2")

    grid = book.create_sheet("混淆矩阵")
    write_xlsx_cell(grid, 1, 1, "真实 ↓ / 预测 → (true ↓ / predicted →)").font = bold
    labels = evaluation.labels
    for i, label in enumerate(labels):
        top = write_xlsx_cell(grid, 1, i + 2, label)
        top.font, top.fill = bold, head
        top.alignment = Alignment(text_rotation=90)
        side = write_xlsx_cell(grid, i + 2, 1, label if label not in names else f"{label} {names[label]}")
        side.font, side.fill = bold, head
    outline = Side(style="thin", color="C00000")
    for i, row in enumerate(evaluation.confusion):
        for j, count in enumerate(row):
            cell = write_xlsx_cell(grid, i + 2, j + 2, count)
            if i == j:
                cell.border = Border(left=outline, right=outline, top=outline, bottom=outline)
    if labels:
        end = f"{get_column_letter(len(labels) + 1)}{len(labels) + 1}"
        scale = ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF",  # type: ignore[no-untyped-call]
                               end_type="max", end_color="1F4E79")
        grid.conditional_formatting.add(f"B2:{end}", scale)
    grid.column_dimensions["A"].width = 28
    for j in range(len(labels)):
        grid.column_dimensions[get_column_letter(j + 2)].width = 4
    grid.freeze_panes = "B2"
    book.save(path)
