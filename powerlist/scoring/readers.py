"""Reading the scoring inputs: whistle sheets, veto lists and the other assessment scores.

- `read_whistles(path)`: a whistle spreadsheet (.xlsx or .csv) → `WhistleRecord`s. Chinese headers
  (案件编号, 街道, 责任单位, 部门, 哨类, 等级, 受理时间, 响应时限, 响应时间, 办结时限, 办结时间, 满意度,
  第三方回访得分, 延期次数, 重办次数, 街道自有权力, and optionally 街道名称, 责任单位名称, 退回, 推诿,
  平台吹哨) or their English field names. Every bad row and cell is reported at once, located.
- `read_vetoes(path)`: a veto list (对象, 否决事项, 日期, 说明) → `Veto`s.
- `read_other_scores(path)`: each unit's other assessment score (对象, 其他考核得分), for the
  annual fold.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, ProblemCollector
from .record import WhistleRecord
from .rows import Fields, Row, blank, parse_bool, parse_datetime, parse_decimal, parse_int, read_rows, row_problem
from .veto import Veto

WHISTLE_FIELDS: Fields = {
    "case_id": ("案件编号", "编号", "案件号", "哨号", "工单编号", "case_id", "id"),
    "street": ("街道", "街道编码", "吹哨街道", "street"),
    "street_name": ("街道名称", "street_name"),
    "unit": ("责任单位", "责任单位编码", "报到单位", "unit"),
    "unit_name": ("责任单位名称", "unit_name"),
    "department": ("部门", "部门编码", "department"),
    "kind": ("哨类", "哨种", "whistle", "kind"),
    "grade": ("等级", "分级", "grade"),
    "received_at": ("受理时间", "吹哨时间", "received_at"),
    "respond_by": ("响应时限", "respond_by"),
    "responded_at": ("响应时间", "报到时间", "responded_at"),
    "complete_by": ("办结时限", "complete_by"),
    "completed_at": ("办结时间", "completed_at"),
    "satisfaction": ("满意度", "回访满意度", "回访结果", "satisfaction"),
    "third_party": ("第三方回访得分", "第三方得分", "第三方评价", "third_party"),
    "extensions": ("延期次数", "延期", "extensions"),
    "reopened": ("重办次数", "重办", "reopened"),
    "street_held_power": ("街道自有权力", "街道自有", "street_held_power"),
    "returned": ("退回", "错派退回", "returned"),
    "buck_passing": ("推诿", "buck_passing"),
    "via_platform": ("平台吹哨", "平台留痕", "via_platform"),
}
WHISTLE_REQUIRED = ("case_id", "street", "unit", "received_at")
_DATETIME_FIELDS = ("received_at", "respond_by", "responded_at", "complete_by", "completed_at")
_INT_FIELDS = ("extensions", "reopened")
_BOOL_FIELDS = ("street_held_power", "returned", "buck_passing", "via_platform")

VETO_FIELDS: Fields = {
    "subject": ("对象", "对象编码", "单位", "单位编码", "街道", "subject"),
    "item": ("否决事项", "一票否决事项", "事项", "item"),
    "date": ("日期", "发生日期", "date"),
    "note": ("说明", "备注", "note"),
}
VETO_REQUIRED = ("subject", "item", "date")

OTHER_FIELDS: Fields = {
    "subject": ("对象", "对象编码", "单位", "单位编码", "街道", "subject"),
    "score": ("其他考核得分", "其他得分", "年度其他考核得分", "other_score", "score"),
}
OTHER_REQUIRED = ("subject", "score")


_CONVERT: dict[str, Callable[[Any], object]] = (
    {f: parse_datetime for f in _DATETIME_FIELDS}
    | {f: parse_int for f in _INT_FIELDS}
    | {f: parse_bool for f in _BOOL_FIELDS}
    | {"third_party": parse_decimal}
)


def _whistle(row: Row, problems: ProblemCollector) -> WhistleRecord | None:
    data: dict[str, Any] = {}
    bad: set[str] = set()
    for name, value in row.values.items():
        if blank(value):
            continue
        convert = _CONVERT.get(name)
        if convert is None:
            data[name] = value.strip() if isinstance(value, str) else value
            continue
        try:
            data[name] = convert(value)
        except ValueError as error:
            row_problem(problems, row, name, f"expected {error}", value, "bad-value")
            bad.add(name)
    for name in WHISTLE_REQUIRED:
        if name not in data and name not in bad:
            row_problem(problems, row, name, f"{WHISTLE_FIELDS[name][0]} is required", None, "missing-value")
            bad.add(name)
    # The record is validated even when a cell failed already, so that the row's other bad
    # cells (a whistle kind, a grade, a satisfaction) are reported in the same pass; a field
    # already reported is not reported again (as missing, say).
    try:
        record = WhistleRecord(**data)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else None
            if field in bad:
                continue
            raw = row.values.get(field) if field else None
            row_problem(problems, row, field, item["msg"].removeprefix("Value error, "), raw, "bad-value")
        return None
    return None if bad else record


def read_whistles(path: str | Path, encoding: str = "utf-8") -> list[WhistleRecord]:
    """Every whistle of a spreadsheet, or an InputError with every located problem."""
    file, rows = read_rows(path, WHISTLE_FIELDS, WHISTLE_REQUIRED, "whistle", encoding)
    problems = ProblemCollector(file)
    records: list[WhistleRecord] = []
    first: dict[str, Row] = {}
    try:
        for row in rows:
            record = _whistle(row, problems)
            if record is None:
                continue
            if record.case_id in first:
                earlier = first[record.case_id]
                where = earlier.cells.get("case_id") or f"row {earlier.number}"
                message = f"the same 案件编号 as {where}"
                row_problem(problems, row, "case_id", message, record.case_id, "duplicate-case")
                continue
            first[record.case_id] = row
            records.append(record)
    except InputError as error:
        problems.problems.extend(p for p in error.problems if p not in problems.problems)
    problems.raise_if_any(f"invalid whistles in {file}")
    return records


def read_vetoes(path: str | Path, encoding: str = "utf-8") -> list[Veto]:
    """A veto list (对象, 否决事项, 日期, 说明), or an InputError with every located problem."""
    file, rows = read_rows(path, VETO_FIELDS, VETO_REQUIRED, "veto", encoding)
    problems = ProblemCollector(file)
    vetoes: list[Veto] = []
    try:
        for row in rows:
            data = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.values.items() if not blank(v)}
            if "date" in data:
                try:
                    data["date"] = parse_datetime(data["date"]).date()
                except ValueError as error:
                    row_problem(problems, row, "date", f"expected {error}", data["date"], "bad-value")
                    continue
            try:
                vetoes.append(Veto(**data))
            except ValidationError as error:
                for item in error.errors():
                    name = str(item["loc"][0]) if item["loc"] else None
                    message = item["msg"].removeprefix("Value error, ")
                    row_problem(problems, row, name, message, row.values.get(name or ""), "bad-value")
    except InputError as error:
        problems.problems.extend(error.problems)
    problems.raise_if_any(f"invalid vetoes in {file}")
    return vetoes


def read_other_scores(path: str | Path, encoding: str = "utf-8") -> dict[str, Decimal]:
    """Each unit's other assessment score (对象, 其他考核得分; 0–100), for the annual fold."""
    file, rows = read_rows(path, OTHER_FIELDS, OTHER_REQUIRED, "other-score", encoding)
    problems = ProblemCollector(file)
    scores: dict[str, Decimal] = {}
    try:
        for row in rows:
            subject = row.values.get("subject")
            raw = row.values.get("score")
            if blank(subject):
                row_problem(problems, row, "subject", "对象 is required", None, "missing-value")
                continue
            code = str(int(subject)) if isinstance(subject, float) and subject.is_integer() else str(subject).strip()
            try:
                number = parse_decimal(raw) if not blank(raw) else None
            except ValueError as error:
                row_problem(problems, row, "score", f"expected {error}", raw, "bad-value")
                continue
            if number is None or not 0 <= number <= 100:
                row_problem(problems, row, "score", "expected a score within 0..100", raw, "bad-value")
                continue
            if code in scores:
                row_problem(problems, row, "subject", "the same 对象 twice", code, "duplicate-subject")
                continue
            scores[code] = number
    except InputError as error:
        problems.problems.extend(error.problems)
    problems.raise_if_any(f"invalid scores in {file}")
    return scores
