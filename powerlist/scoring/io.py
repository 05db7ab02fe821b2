"""Scoring at the edges: whistle spreadsheets and veto lists in, the 晒单 workbook out.

- `read_whistles(path)`: a whistle spreadsheet (.xlsx or .csv) → `WhistleRecord`s. Chinese headers
  (案件编号, 街道, 责任单位, 部门, 哨类, 等级, 受理时间, 响应时限, 响应时间, 办结时限, 办结时间, 满意度,
  第三方回访得分, 延期次数, 重办次数, 街道自有权力, and optionally 街道名称, 责任单位名称, 退回, 推诿,
  平台吹哨) or their English field names. Every bad row and cell is reported at once, located.
  Workbooks are opened through `powerlist.sheets.workbook` (safe opening, header found under title rows).
- `read_vetoes(path)`: a veto list (对象, 否决事项, 日期, 说明) → `Veto`s.
- `read_other_scores(path)`: each unit's other assessment score (对象, 其他考核得分), for the
  annual fold.
- `read_store(path, period)` / `records_from_store(store, period)`: the case store's histories of
  the period (issue 4, `store.iter_cases`), each folded into one record by `whistle_from_case`.
- `catalog_context(catalog)` / `with_catalog(records, catalog)`: every street's 编制人数 and name,
  and missing names filled in, from a `Catalog`.
- `write_report(scores, path, annual=None)`: one sheet per subject kind (部门, 街道) with every
  figure's whistle count, a whistle-detail sheet (哨明细) with each whistle's facts and figures, a
  年度考核 sheet when annual results are given, a notes sheet (说明), a colour scale on the score
  column, data bars on the whistle counts and a native bar chart per ranking. Text never becomes
  a formula (`powerlist.sheets.cells`); numbers are published (ROUND_HALF_UP, 2 decimals).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem, ProblemCollector
from ..routing.issue import SHANGHAI
from ..sheets.cells import write_xlsx_cell, yes_no
from ..sheets.csvfiles import data_rows, decode, open_csv
from ..sheets.headers import Vocabulary, normalise_header
from ..sheets.workbook import Workbook
from .core import (
    COMPONENT_LABELS,
    AnnualResult,
    PeriodScores,
    Veto,
    WhistleRecord,
    publish,
)

WHISTLE_FIELDS: dict[str, tuple[str, ...]] = {
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
_DATETIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?秒?)?$"
)

VETO_FIELDS: dict[str, tuple[str, ...]] = {
    "subject": ("对象", "对象编码", "单位", "单位编码", "街道", "subject"),
    "item": ("否决事项", "一票否决事项", "事项", "item"),
    "date": ("日期", "发生日期", "date"),
    "note": ("说明", "备注", "note"),
}
VETO_REQUIRED = ("subject", "item", "date")

OTHER_FIELDS: dict[str, tuple[str, ...]] = {
    "subject": ("对象", "对象编码", "单位", "单位编码", "街道", "subject"),
    "score": ("其他考核得分", "其他得分", "年度其他考核得分", "other_score", "score"),
}
OTHER_REQUIRED = ("subject", "score")


class _Row:
    """One input row: its values by field and where each came from."""

    def __init__(self, number: int, values: Mapping[str, Any], cells: Mapping[str, str | None], sheet: str | None) -> None:
        self.number = number
        self.values = dict(values)
        self.cells = dict(cells)
        self.sheet = sheet


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_datetime(value: Any) -> datetime:
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


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*", value):
        return int(Decimal(value.strip()))
    raise ValueError("a whole number such as 0 or 2")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    answer = yes_no(value)
    if answer is None:
        raise ValueError("是 or 否")
    return answer


def _parse_decimal(value: Any) -> Decimal:
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


_CONVERT = (
    {f: _parse_datetime for f in _DATETIME_FIELDS}
    | {f: _parse_int for f in _INT_FIELDS}
    | {f: _parse_bool for f in _BOOL_FIELDS}
    | {"third_party": _parse_decimal}
)


def _problem(problems: ProblemCollector, row: _Row, field: str | None, message: str, value: Any, code: str) -> None:
    problems.add(
        message,
        sheet=row.sheet,
        cell=row.cells.get(field) if field else None,
        row=row.number,
        field=field,
        value=None if value is None else str(value),
        code=code,
    )


def _whistle(row: _Row, problems: ProblemCollector) -> WhistleRecord | None:
    data: dict[str, Any] = {}
    bad: set[str] = set()
    for name, value in row.values.items():
        if _blank(value):
            continue
        convert = _CONVERT.get(name)
        if convert is None:
            data[name] = value.strip() if isinstance(value, str) else value
            continue
        try:
            data[name] = convert(value)
        except ValueError as error:
            _problem(problems, row, name, f"expected {error}", value, "bad-value")
            bad.add(name)
    for name in WHISTLE_REQUIRED:
        if name not in data and name not in bad:
            _problem(problems, row, name, f"{WHISTLE_FIELDS[name][0]} is required", None, "missing-value")
            bad.add(name)
    # The record is validated even when a cell failed already, so that the row's other bad
    # cells (a whistle kind, a grade, a satisfaction) are reported in the same pass; a field
    # already reported is not reported again (as missing, say).
    try:
        record = WhistleRecord(**data)
    except ValidationError as error:
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else None
            if name in bad:
                continue
            raw = row.values.get(name) if name else None
            _problem(problems, row, name, item["msg"].removeprefix("Value error, "), raw, "bad-value")
        return None
    return None if bad else record


def _csv_rows(path: Path, file: str, fields: Mapping[str, tuple[str, ...]], required: tuple[str, ...], encoding: str) -> Iterator[_Row]:
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
    from openpyxl.utils.cell import get_column_letter

    letters = {name: get_column_letter(i + 1) for name, i in columns.items()}
    for number, values in data_rows(reader):
        if isinstance(values, csv.Error):
            raise InputError([Problem(message=f"unreadable CSV row: {values}", file=file, row=number, code="csv")], f"cannot read {file}")
        row = {name: (values[i] if i < len(values) else None) for name, i in columns.items()}
        yield _Row(number, row, {n: f"{letters[n]}{number}" for n in columns}, None)


def _xlsx_rows(path: Path, file: str, fields: Mapping[str, tuple[str, ...]], required: tuple[str, ...], what: str) -> Iterator[_Row]:
    vocabulary = Vocabulary(fields=fields, required=required, near_miss=2)
    problems = ProblemCollector(file)
    with Workbook(path, file) as book:
        found = False
        for sheet, header, rows in book.tables(vocabulary, problems):
            found = True
            for sheet_row in rows:
                cells = {name: header.cell(name, sheet_row.number) for name in header.columns}
                yield _Row(sheet_row.number, sheet_row.values, cells, sheet)
        if not found and not problems:
            labels = "、".join(fields[n][0] for n in required)
            problems.add(f"no sheet with a {what} header (needs {labels})", code="missing-column")
    problems.raise_if_any(f"cannot read {file}")


def _rows(path: str | Path, fields: Mapping[str, tuple[str, ...]], required: tuple[str, ...], what: str, encoding: str) -> tuple[str, Iterator[_Row]]:
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
        [Problem(message=f"unknown file type {suffix or '(none)'}; expected .xlsx or .csv", file=file, code="unknown-format")],
        f"cannot read {file}",
    )


def read_whistles(path: str | Path, encoding: str = "utf-8") -> list[WhistleRecord]:
    """Every whistle of a spreadsheet, or an InputError with every located problem."""
    file, rows = _rows(path, WHISTLE_FIELDS, WHISTLE_REQUIRED, "whistle", encoding)
    problems = ProblemCollector(file)
    records: list[WhistleRecord] = []
    first: dict[str, _Row] = {}
    try:
        for row in rows:
            record = _whistle(row, problems)
            if record is None:
                continue
            if record.case_id in first:
                earlier = first[record.case_id]
                where = earlier.cells.get("case_id") or f"row {earlier.number}"
                _problem(problems, row, "case_id", f"the same 案件编号 as {where}", record.case_id, "duplicate-case")
                continue
            first[record.case_id] = row
            records.append(record)
    except InputError as error:
        problems.problems.extend(p for p in error.problems if p not in problems.problems)
    problems.raise_if_any(f"invalid whistles in {file}")
    return records


def read_vetoes(path: str | Path, encoding: str = "utf-8") -> list[Veto]:
    """A veto list (对象, 否决事项, 日期, 说明), or an InputError with every located problem."""
    file, rows = _rows(path, VETO_FIELDS, VETO_REQUIRED, "veto", encoding)
    problems = ProblemCollector(file)
    vetoes: list[Veto] = []
    try:
        for row in rows:
            data = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.values.items() if not _blank(v)}
            if "date" in data:
                try:
                    data["date"] = _parse_datetime(data["date"]).date()
                except ValueError as error:
                    _problem(problems, row, "date", f"expected {error}", data["date"], "bad-value")
                    continue
            try:
                vetoes.append(Veto(**data))
            except ValidationError as error:
                for item in error.errors():
                    name = str(item["loc"][0]) if item["loc"] else None
                    _problem(problems, row, name, item["msg"].removeprefix("Value error, "), row.values.get(name or ""), "bad-value")
    except InputError as error:
        problems.problems.extend(error.problems)
    problems.raise_if_any(f"invalid vetoes in {file}")
    return vetoes


def read_other_scores(path: str | Path, encoding: str = "utf-8") -> dict[str, Decimal]:
    """Each unit's other assessment score (对象, 其他考核得分; 0–100), for the annual fold."""
    file, rows = _rows(path, OTHER_FIELDS, OTHER_REQUIRED, "other-score", encoding)
    problems = ProblemCollector(file)
    scores: dict[str, Decimal] = {}
    try:
        for row in rows:
            subject = row.values.get("subject")
            raw = row.values.get("score")
            if _blank(subject):
                _problem(problems, row, "subject", "对象 is required", None, "missing-value")
                continue
            code = str(int(subject)) if isinstance(subject, float) and subject.is_integer() else str(subject).strip()
            try:
                number = _parse_decimal(raw) if not _blank(raw) else None
            except ValueError as error:
                _problem(problems, row, "score", f"expected {error}", raw, "bad-value")
                continue
            if number is None or not 0 <= number <= 100:
                _problem(problems, row, "score", "expected a score within 0..100", raw, "bad-value")
                continue
            if code in scores:
                _problem(problems, row, "subject", "the same 对象 twice", code, "duplicate-subject")
                continue
            scores[code] = number
    except InputError as error:
        problems.problems.extend(error.problems)
    problems.raise_if_any(f"invalid scores in {file}")
    return scores


# ---------------------------------------------------------------- from the case store


_TAKE_OVER = ("dispatch", "escalate", "supervise")


def whistle_from_case(case: Any) -> WhistleRecord | None:
    """One `WhistleRecord` from a case store's `CaseRecord` (snapshot + event history).

    The scored unit is the unit the case was dispatched to (派单). It stays the scored unit when
    the case is escalated or put under supervision away from it (its failure to act stays its
    own); it changes when the case is dispatched to another unit (改派), or when a return (退单)
    is followed by any take-over by another unit: the return was accepted, so the whistle was
    wrongly routed (`returned`, against the street's 呼叫质效). Its response is its first 报到
    while it held the case, against the respond_by it was given; its completion is its last 办结
    (cleared by a 重办), against the complete_by it was given as moved by its extensions (延期) and
    reopenings (重办), both penalised separately, and by nothing else: a supervision urge's or a send-back's new deadline
    does not excuse a deadline already missed. 推诿 is a `推诿` finding against it. `street_held_power`: the street's
    own office holds a power of the case (the catalog's holders) or the case was re-routed to it.
    Cases never dispatched to a unit other than the street's own office or a community are not
    whistles to a department and give None.
    """
    from ..cases.lifecycle import Event, State, apply, unstamp

    snapshot = case.snapshot
    street = snapshot.street
    if not street:
        return None
    state = None
    unit: dict[str, Any] | None = None
    respond_by = complete_by = responded_at = completed_at = None
    extensions = reopened = 0
    rerouted = False
    third_party: Any = None
    for record in case.history:
        before = state
        state = apply(before, record)
        event, details = record.event, record.details
        holder = before.assignee["code"] if before is not None else None
        if event.value in _TAKE_OVER and before is not None:
            to = state.assignee
            if unit is None or (to["code"] != unit["code"] and (event is Event.DISPATCH or before.state is State.RETURNED)):
                if unit is not None and before.state is State.RETURNED:
                    rerouted = True
                unit = dict(to)
                respond_by, complete_by = state.respond_by, state.complete_by
                responded_at = completed_at = None
                extensions = reopened = 0
        if unit is not None and state.assignee["code"] == unit["code"]:
            # Only an extension (延期) or a reopening (重办: a new round of work, penalised
            # separately) moves the deadline the unit is scored against: a new deadline set by a
            # supervision office's urge (督办催办), a listing under supervision or a case sent back
            # to it after a return does not erase the lateness it already has.
            if event in (Event.EXTEND, Event.REOPEN) or complete_by is None:
                complete_by = state.complete_by
            if respond_by is None:
                respond_by = state.respond_by
        if event is Event.EVALUATE:
            third_party = details.get("third_party", third_party)  # a survey score, where recorded
        if unit is None or holder != unit["code"]:
            continue
        if event is Event.RESPOND and responded_at is None:
            responded_at = record.at
        elif event is Event.COMPLETE:
            completed_at = record.at
        elif event is Event.REOPEN:
            completed_at = None
            reopened += 1
        elif event is Event.EXTEND:
            extensions += 1
    if unit is None or state is None:
        return None
    buck_passing = any(
        r.details.get("finding") == "推诿" and r.details.get("unit") == unit["code"] for r in case.history
    )
    first = next((r.details.get("to") for r in case.history if r.event is Event.DISPATCH and r.details.get("to")), None)
    lead = first or snapshot.lead

    def local(u: Mapping[str, Any]) -> bool:
        return u["code"] == street or u.get("level") == "community"

    # Not a whistle only when the case never left the street's own office and its communities:
    # a case the street office then dispatches (派单/改派) to a department is a whistle that
    # department answers, and is scored like one.
    if local(lead) and local(unit):
        return None
    held = unit["code"] == street or any(h.get("unit", {}).get("code") == street for h in snapshot.holders)
    office = next((u["name"] for u in (snapshot.lead, snapshot.assignee, *snapshot.path) if u["code"] == street), None)
    street_name = office.removesuffix("办事处") if office else None  # 胜阳港街道办事处 → 胜阳港街道
    code = unit["code"]
    return WhistleRecord(
        case_id=snapshot.case_id,
        street=street,
        street_name=street_name,
        unit=code,
        unit_name=unit.get("name"),
        department=code.rsplit("-", 1)[1] if "-" in code else None,
        kind=snapshot.whistle,
        grade=snapshot.grade,
        received_at=unstamp(snapshot.opened_at),
        respond_by=unstamp(respond_by) if respond_by else None,
        responded_at=unstamp(responded_at) if responded_at else None,
        complete_by=unstamp(complete_by) if complete_by else None,
        completed_at=unstamp(completed_at) if completed_at else None,
        satisfaction=state.satisfaction,
        third_party=_survey(third_party),
        extensions=extensions,
        reopened=reopened,
        street_held_power=held,
        returned=rerouted,
        buck_passing=buck_passing,
    )


def _survey(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = _parse_decimal(value)
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


def records_from_store(store: Any, period: Any) -> list[WhistleRecord]:
    """The whistles of a case store opened (受理) in `period`, via `store.iter_cases`."""
    from ..errors import PowerlistError

    records: list[WhistleRecord] = []
    problems = ProblemCollector(getattr(store, "path", None))
    for case in store.iter_cases(since=period.start, until=period.end, by="opened"):
        try:
            record = whistle_from_case(case)
        except (PowerlistError, ValidationError, KeyError, ValueError) as error:
            problems.add(f"case history cannot be scored: {error}", field="case_id", value=case.case_id, code="bad-case")
            continue
        if record is not None:
            records.append(record)
    problems.raise_if_any("invalid cases in the store")
    return records


def read_store(path: str | Path, period: Any) -> list[WhistleRecord]:
    """The whistles of the SQLite case store at `path` opened in `period`."""
    from ..cases.store import SQLiteCaseStore

    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(message="no such case store", file=str(path), code="not-found")], "cannot open the case store")
    store = SQLiteCaseStore(path)
    try:
        return records_from_store(store, period)
    finally:
        store.close()


# ---------------------------------------------------------------- the catalog's part


def catalog_context(catalog: Any) -> tuple[dict[str, int], dict[str, str]]:
    """(staff by street, street names) from a `Catalog`: every street is then ranked, even
    one that raised no whistle, and 呼叫次数 uses each street's 编制人数 (else the default)."""
    staff = {code: street.staff for code, street in catalog.streets.items() if street.staff}
    staff |= {code: 0 for code in catalog.streets if code not in staff}
    return staff, {code: street.name for code, street in catalog.streets.items()}


def with_catalog(records: Iterable[WhistleRecord], catalog: Any) -> list[WhistleRecord]:
    """Records with missing street names, unit names and department codes filled from `catalog`."""
    filled: list[WhistleRecord] = []
    for record in records:
        changes: dict[str, Any] = {}
        street = catalog.streets.get(record.street)
        if record.street_name is None and street is not None:
            changes["street_name"] = street.name
        unit = catalog.units.get(record.unit)
        if unit is not None:
            if record.unit_name is None:
                changes["unit_name"] = unit.name
            if record.department is None and unit.department:
                changes["department"] = unit.department
        filled.append(record.model_copy(update=changes) if changes else record)
    return filled


# ---------------------------------------------------------------- the Excel report (晒单)


def _number(value: Any) -> Decimal | None:
    return publish(value) if value is not None else None


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


def _write_table(ws: Any, title: str, columns: list[str], rows: list[list[Any]]) -> int:
    """Title in row 1, header in row 2, data from row 3; returns the last data row."""
    from openpyxl.styles import Font, PatternFill

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
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(col)].width = max(8, min(40, 2 * len(name) + 4))
    return 2 + len(rows)


def _decorate(ws: Any, score_col: int, label_col: int, last: int, title: str, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
    from openpyxl.utils import get_column_letter

    if last < 3:
        return
    letter = get_column_letter(score_col)
    ws.conditional_formatting.add(
        f"{letter}3:{letter}{last}",
        ColorScaleRule(start_type="num", start_value=0, start_color="F8696B",
                       mid_type="num", mid_value=60, mid_color="FFEB84",
                       end_type="num", end_value=100, end_color="63BE7B"),
    )
    ws.conditional_formatting.add(
        f"{get_column_letter(score_col - 1)}3:{get_column_letter(score_col - 1)}{last}",
        DataBarRule(start_type="min", end_type="max", color="5B9BD5"),
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
    from openpyxl import Workbook as NewWorkbook

    path = Path(path)
    book = NewWorkbook()
    period = scores.period.label
    ws = book.active
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
            from openpyxl.formatting.rule import CellIsRule
            from openpyxl.styles import PatternFill

            ws.conditional_formatting.add(
                f"H3:H{last}",
                CellIsRule(operator="notEqual", formula=['"合格"'], fill=PatternFill("solid", bgColor="F8CBAD")),
            )
    ws = book.create_sheet("说明")
    _write_notes(ws, scores)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _write_notes(ws: Any, scores: PeriodScores) -> None:
    p = scores.profile
    lines: list[tuple[str, str]] = [
        ("考核周期", f"{scores.period.label}（{scores.period.start.date()} 至 {scores.period.end.date()} 前，按受理时间归属）"),
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
