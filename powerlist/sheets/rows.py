"""A sheet's data rows below its header: blank rows skipped, unusable cells refused, merged
cells inherited.

Merged cells: every cell of a merged range reads the value of the range's top-left cell.
A row whose mapped cells are all empty (before inheritance) is blank and skipped. A text cell
that `cell_problem` refuses is reported (file, sheet, cell) and reads as `REFUSED`.

Footer rows — 表尾: hand-made sheets end with a signature block (填表人：张三  审核人：李四  日期：…,
单位（盖章）, 注：…). A row whose first non-empty cell starts with such a label (`FOOTER_LABELS`,
then a colon or （盖章）) is a footer when only footers and blank rows follow it: it is skipped,
with a note (code ``footer-row``) naming its cell, so that a signature block never fails a
sheet. The same row with data after it is data, and is read (and reported) as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ProblemCollector
from .cell_checks import REFUSED, cell_problem
from .cellrefs import get_column_letter
from .headers import Header, Rows, Vocabulary
from .text import cell_text, clean_line, is_blank


@dataclass
class SheetRow:
    """One non-blank data row: raw cell values (after merged-cell inheritance) by field.

    `merged[field]` is `(anchor, n)` when the field's cell lies in a merged range spanning
    several rows: `anchor` the range's top-left cell (e.g. "B5") and `n` this row's position
    (1-based) among the non-blank rows of that range."""

    number: int
    values: dict[str, Any]
    merged: dict[str, tuple[str, int]]
    extra: dict[str, tuple[Any, ...]]  # every column's value of a `multi` field


def row_text(row: SheetRow, name: str) -> str | None:
    """A one-line cell of `row`, cleaned (`clean_line`); None when empty."""
    text = cell_text(row.values.get(name))
    if text is None:
        return None
    return clean_line(text) or None


@dataclass
class _Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    anchor_value: Any = None
    seen: int = 0

    @property
    def anchor(self) -> str:
        return f"{get_column_letter(self.min_col)}{self.min_row}"


FOOTER_LABELS = (
    "填表人", "填报人", "制表人", "统计人", "经办人", "审核人", "复核人", "核对人", "审批人", "负责人",
    "单位负责人", "主要负责人", "分管领导", "主要领导", "联系人", "联系电话", "电话", "填表日期", "填报日期",
    "制表日期", "报送日期", "统计日期", "日期", "填报单位", "报送单位", "制表单位", "单位", "签字", "签名",
    "盖章", "注", "说明", "备注",
)
_FOOTER = re.compile(r"\s*(?:" + "|".join(sorted(FOOTER_LABELS, key=len, reverse=True))
                     + r")\s*(?:[(（]\s*(?:盖章|签字|签名|公章)\s*[)）]\s*)?[:：]|\s*[(（]\s*(?:盖章|公章)\s*[)）]")


def footer_text(row: SheetRow) -> str | None:
    """The row's first non-empty cell when it starts like a footer (填表人：…), else None."""
    for value in row.values.values():
        text = cell_text(value)
        if text is not None and text.strip():
            return text if _FOOTER.match(text) else None
    return None


def data_rows(sheet: str, header: Header, vocabulary: Vocabulary,
              merge_boxes: list[tuple[int, int, int, int]], rows: Rows,
              problems: ProblemCollector) -> Iterator[SheetRow]:
    """The non-blank `rows` below `header` as `SheetRow`s, less the footer rows after the
    data (each a note in `problems.notes`); `merge_boxes` are the sheet's merged ranges (min
    row, min column, max row, max column), refused cells go to `problems`."""
    held: list[tuple[SheetRow, str]] = []
    for row in _data_rows(sheet, header, vocabulary, merge_boxes, rows, problems):
        text = footer_text(row)
        if text is not None:
            held.append((row, text))
            continue
        for earlier, _ in held:  # data after it: not a footer after all
            yield earlier
        held = []
        yield row
    for row, text in held:
        column = next((header.letters[name] for name, value in row.values.items()
                       if cell_text(value) == text), "A")
        shown = " ".join(text.split())
        problems.note(f"已跳过表尾的签名、说明行 (skipped a footer row after the data: {shown[:60]})",
                      sheet=sheet, cell=f"{column}{row.number}", row=row.number, value=shown[:200],
                      code="footer-row")


def _data_rows(sheet: str, header: Header, vocabulary: Vocabulary,
               merge_boxes: list[tuple[int, int, int, int]], rows: Rows,
               problems: ProblemCollector) -> Iterator[SheetRow]:
    used = sorted({i for cols in header.columns.values() for i in cols})
    checked = [i for i in used if i not in {
        c for name in vocabulary.free_text for c in header.columns.get(name, ())}]
    wanted = {i + 1 for i in used}
    merges = sorted(
        (_Merge(*box) for box in merge_boxes
         if box[2] > header.row and box[0] > header.row and box[2] > box[0]
         and any(box[1] <= c <= box[3] for c in wanted)),
        key=lambda m: m.min_row,
    )
    single = [(name, cols[0]) for name, cols in header.columns.items()]
    multi = [(name, cols) for name, cols in header.columns.items() if len(cols) > 1]
    active: list[_Merge] = []
    pending = 0
    for number, values in rows:
        width = len(values)
        while pending < len(merges) and merges[pending].min_row <= number:
            active.append(merges[pending])
            pending += 1
        if active:
            active = [m for m in active if m.max_row >= number]
        blank = True
        for i in used:
            if i < width and not is_blank(values[i]):
                blank = False
                break
        if not blank:
            bad = None
            for i in checked:
                if i < width and isinstance(values[i], str):
                    found = cell_problem(values[i])
                    if found is not None:
                        problems.add(found[1], sheet=sheet, code=found[0],
                                     cell=f"{get_column_letter(i + 1)}{number}",
                                     value=values[i][:40])
                        bad = bad or list(values)
                        bad[i] = REFUSED
            if bad is not None:
                values = tuple(bad)
        for merge in active:
            if merge.min_row == number:
                anchor = values[merge.min_col - 1] if merge.min_col <= width else None
                if isinstance(anchor, str) and cell_problem(anchor) is not None:
                    anchor = REFUSED
                merge.anchor_value = anchor
        if blank:
            continue
        row = {name: (values[col] if col < width else None) for name, col in single}
        merged: dict[str, tuple[str, int]] = {}
        if active:
            values = _inherit(values, active, wanted)
            width = len(values)
            for merge in active:
                merge.seen += 1
            for name, col in single:
                for merge in active:
                    if merge.min_col <= col + 1 <= merge.max_col:
                        row[name] = values[col]
                        merged[name] = (merge.anchor, merge.seen)
                        break
        extra = {name: tuple(values[c] if c < width else None for c in cols)
                 for name, cols in multi}
        yield SheetRow(number, row, merged, extra)


def _inherit(values: tuple[Any, ...], active: list[_Merge], wanted: set[int]) -> tuple[Any, ...]:
    filled = list(values)
    need = max(m.max_col for m in active)
    if len(filled) < need:
        filled.extend([None] * (need - len(filled)))
    for merge in active:
        for col in range(merge.min_col, merge.max_col + 1):
            if col in wanted:
                filled[col - 1] = merge.anchor_value
    return tuple(filled)
