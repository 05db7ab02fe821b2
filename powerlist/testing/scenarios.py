"""Scenario workbooks — 场景测试: issues with the decisions a tester expects, checked by the router.

A scenario workbook is an issue workbook (the headers of `powerlist.routing.issue_io`: 工单编号, 受理时间,
问题分类, 发生地点 …, title rows above the header allowed) with any subset of these columns:

| field | headers | written as |
|---|---|---|
| status | 预期结果, expected_status | routed/派单 or rejected/未派单 (an invalid issue is expected) |
| whistle | 预期哨类, expected_whistle | daily/key/coordination/emergency or 日常哨/重点哨/协调哨/应急哨 |
| grade | 预期等级, expected_grade | A–D (also "B级") |
| level | 预期层级, expected_level | community/street/district/city or 社区/街道/区/市 (区级, 市级 …) |
| lead | 预期牵头单位, expected_lead | a unit code or its full name |
| co_units | 预期协办单位, expected_co_units | unit codes or names split by 、 ； , or line breaks; 无 or - for none |
| respond_by | 预期响应时限, expected_respond_by | a time: 2026-07-01 09:30, 2026-07-02T23:59:59+08:00 |
| complete_by | 预期办结时限, expected_complete_by | a time, as respond_by |

and optionally 场景说明 (what the row checks, shown in the results). A row passes when every
expected value it gives equals the decision's (co-units compared as sets; a lead or co-unit
matches by code or name; times as instants, in Asia/Shanghai when written without an offset).
An empty expected cell checks nothing; a row
expecting nothing at all, or an expected value that cannot be read (a grade "E"), is an error
in the workbook, reported with its cell, like any other input problem.

`read_scenarios(path)` reads the workbook (every problem at once, as an `InputError`);
`run_scenarios(scenarios, router)` routes each issue and compares; `write_results(results,
path)` writes the result workbook — one row per scenario, 通过/未通过 in green or red, each
expected value beside the actual one, the mismatches and the issue's problems spelled out —
with every text cell inert (`powerlist.sheets.cells`). `results_json(results)` is the `--json` payload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..catalog.models import Grade, Level
from ..errors import InputError, Problem, ProblemCollector
from ..routing.decision import WHISTLE_LABELS, Decision, Whistle
from ..routing.issue import FIELD_ALIASES, SHANGHAI, canonical
from ..routing.issue_io import IssueRecord
from ..sheets import timetext
from ..sheets.headers import Vocabulary
from ..sheets.text import cell_text
from ..sheets.timetext import aware
from ..sheets.workbook import Workbook

EXPECTED_FIELDS: dict[str, tuple[str, ...]] = {
    "status": ("预期结果", "expected_status"),
    "whistle": ("预期哨类", "expected_whistle"),
    "grade": ("预期等级", "expected_grade", "预期分级"),
    "level": ("预期层级", "expected_level"),
    "lead": ("预期牵头单位", "expected_lead"),
    "co_units": ("预期协办单位", "expected_co_units"),
    "respond_by": ("预期响应时限", "expected_respond_by"),
    "complete_by": ("预期办结时限", "expected_complete_by"),
}
FIELD_LABELS = {
    "status": "结果 status",
    "whistle": "哨类 whistle",
    "grade": "等级 grade",
    "level": "层级 level",
    "lead": "牵头单位 lead",
    "co_units": "协办单位 co-units",
    "respond_by": "响应时限 respond by",
    "complete_by": "办结时限 complete by",
}
NOTE_ALIASES = ("场景说明", "scenario", "说明")
_PREFIX = "expect."
VOCABULARY = Vocabulary(
    fields={**FIELD_ALIASES, **{_PREFIX + k: v for k, v in EXPECTED_FIELDS.items()}, "note": NOTE_ALIASES},
    required=("category",),
    near_miss=2,
    free_text=("description", "note"),
)

_STATUS = {"routed": "routed", "派单": "routed", "已派单": "routed", "rejected": "rejected", "未派单": "rejected",
           "拒绝": "rejected"}
_LEVELS = {level.label: level for level in Level} | {level.label + "级": level for level in Level} | {
    "街": Level.STREET, "社区级": Level.COMMUNITY}
_WHISTLES = {label: whistle for whistle, label in WHISTLE_LABELS.items()}
_NONE = {"无", "-", "—", "none", "（无）", "(无)"}
_LIST_SPLIT = re.compile(r"[、；;,，\n]+")


# A parsed expectation: a status word, Whistle, Grade, Level, a lead's code or name, co-units'
# codes or names, a deadline.
Expectation = str | Whistle | Grade | Level | frozenset[str] | datetime


@dataclass(frozen=True)
class Scenario:
    """One row: the issue (as an `IssueRecord`), what is expected, and where it was written."""

    record: IssueRecord
    expected: dict[str, Expectation]  # field → parsed expectation
    written: dict[str, str]  # field → the expected value as written
    note: str = ""

    @property
    def row(self) -> int:
        return self.record.row


@dataclass(frozen=True)
class Check:
    field: str
    expected: str
    actual: str
    ok: bool


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    decision: Decision
    checks: tuple[Check, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self, position: int) -> dict[str, Any]:
        return {
            "row": self.scenario.row,
            "issue_id": self.decision.issue_id or f"#{position}",
            "note": self.scenario.note,
            "passed": self.passed,
            "checks": [{"field": c.field, "expected": c.expected, "actual": c.actual, "ok": c.ok} for c in self.checks],
            "errors": [p.as_json() for p in self.decision.errors],
        }


# ---- reading --------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime:
    """A cell as an aware instant (naive = Asia/Shanghai), read by the one time parser of every
    reader (`powerlist.sheets.timetext`); ValueError when it is not a time."""
    return aware(timetext.parse_time(value))


def _expectation(name: str, value: Any) -> Expectation:
    """The parsed expectation of `name`; ValueError (saying what is expected) when unreadable."""
    text = "".join((cell_text(value) or "").split())
    if name == "status":
        found = _STATUS.get(text.lower()) or _STATUS.get(text)
        if found is None:
            raise ValueError("应为 派单 或 未派单 (expected routed or rejected)")
        return found
    if name == "whistle":
        if text.lower() in Whistle._value2member_map_:
            return Whistle(text.lower())
        if text in _WHISTLES:
            return _WHISTLES[text]
        raise ValueError("哨类应为 日常哨、重点哨、协调哨 或 应急哨 "
                         "(expected a whistle: daily/key/coordination/emergency)")
    if name == "grade":
        letter = text.upper().removesuffix("级")
        if letter in ("A", "B", "C", "D"):
            return Grade(letter)
        raise ValueError("分级应为 A、B、C 或 D (expected a grade A, B, C or D)")
    if name == "level":
        if text.lower() in Level._value2member_map_:
            return Level(text.lower())
        if text in _LEVELS:
            return _LEVELS[text]
        raise ValueError("层级应为 社区、街道、区、市 (expected a level: community/street/district/city)")
    if name == "lead":
        if not text:
            raise ValueError("应写单位编码或名称 (expected a unit code or name)")
        return text
    if name == "co_units":
        if text.lower() in _NONE:
            return frozenset()
        return frozenset(part for part in (p.strip() for p in _LIST_SPLIT.split(cell_text(value) or "")) if part)
    if name in ("respond_by", "complete_by"):
        return parse_time(value)  # TimeTextError (a ValueError) says what is expected
    raise AssertionError(name)


def read_scenarios(path: str | Path) -> list[Scenario]:
    """Every scenario of a workbook, or an InputError with every problem located."""
    file = str(path)
    problems = ProblemCollector(file)
    scenarios: list[Scenario] = []
    with Workbook(path, file) as book:
        found = False
        for sheet, header, rows in book.tables(VOCABULARY, problems):
            found = True
            letters = header.letters
            for sheet_row in rows:
                scenario = _scenario(file, sheet, letters, sheet_row.number, sheet_row.values, problems)
                if scenario is not None:
                    scenarios.append(scenario)
            break  # the first sheet with a scenario header, like issue files
        if not found and not problems:
            problems.add("没有一个工作表有场景表头：应有“问题分类”和“预期…”列 "
                         "(no sheet with a scenario header: expected 问题分类/category and 预期… columns)",
                         code="missing-column")
    if not scenarios and not problems:
        problems.add("工作簿只有表头，没有场景 (the workbook has a header but no scenarios)", code="no-items")
    problems.raise_if_any(f"场景无法读取：{file} (the scenarios cannot be read)")
    return scenarios


def _scenario(file: str, sheet: str, letters: dict[str, str], number: int, values: dict[str, Any],
              problems: ProblemCollector) -> Scenario | None:
    cells = {name: f"{letter}{number}" for name, letter in letters.items()}
    issue_values = {k: v for k, v in values.items() if not k.startswith(_PREFIX) and k != "note"}
    expected: dict[str, Expectation] = {}
    written: dict[str, str] = {}
    ok = True
    for key, value in values.items():
        if not key.startswith(_PREFIX) or value is None or not (cell_text(value) or "").strip():
            continue
        name = key.removeprefix(_PREFIX)
        try:
            expected[name] = _expectation(name, value)
            written[name] = (cell_text(value) or "").strip()
        except ValueError as error:
            problems.add(str(error), sheet=sheet, cell=cells.get(key), row=number, field=name,
                         value=cell_text(value), code="bad-expectation")
            ok = False
    if ok and not expected:
        problems.add("该行没有任何预期：请至少填一个“预期…”单元格 (the row expects nothing: fill at least one 预期… "
                     "cell)", sheet=sheet, cell=f"A{number}",
                     row=number, code="no-expectation")
        return None
    if not ok:
        return None
    data, duplicates = canonical(issue_values)
    place_cells = {k: v for k, v in cells.items() if not k.startswith(_PREFIX)}
    for place in ("community", "street"):
        if place in place_cells and "location" not in place_cells:
            place_cells["location"] = place_cells[place]
    record = IssueRecord(
        file, number, data,
        tuple(Problem(message=m, file=file, sheet=sheet, row=number, cell=place_cells.get(k), field=k,
                      code="duplicate-field") for k, m in duplicates),
        sheet=sheet, cells=place_cells,
    )
    note = (cell_text(values.get("note")) or "").strip()
    return Scenario(record, expected, written, note)


# ---- running --------------------------------------------------------------------------------


def _shown_time(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else ""


def actual_text(name: str, decision: Decision) -> str:
    """The decision's value of `name` as shown beside the expectation."""
    if name == "status":
        return decision.status
    if name == "whistle":
        return f"{decision.whistle.value} {decision.whistle.label}" if decision.whistle else ""
    if name == "grade":
        return decision.grade.value if decision.grade else ""
    if name == "level":
        return f"{decision.level.value} {decision.level.label}" if decision.level else ""
    if name == "lead":
        return f"{decision.lead.code} {decision.lead.name}" if decision.lead else ""
    if name == "co_units":
        # 无 means "routed, with no co-units": a rejected issue has no decision to show
        if decision.status != "routed":
            return ""
        return "、".join(f"{u.code} {u.name}" for u in decision.co_units) or "无"
    if name == "respond_by":
        return _shown_time(decision.respond_by)
    if name == "complete_by":
        return _shown_time(decision.complete_by)
    raise AssertionError(name)


def _matches(name: str, expected: Expectation, decision: Decision) -> bool:
    if name == "status":
        return decision.status == expected
    if decision.status != "routed":
        return False
    if name == "whistle":
        return decision.whistle == expected
    if name == "grade":
        return decision.grade == expected
    if name == "level":
        return decision.level == expected
    if name == "lead":
        return decision.lead is not None and expected in (decision.lead.code, decision.lead.name)
    if name == "co_units":
        assert isinstance(expected, frozenset)  # what `_expectation` reads for co_units
        remaining = list(decision.co_units)
        for token in expected:
            hit = next((u for u in remaining if token in (u.code, u.name)), None)
            if hit is None:
                return False
            remaining.remove(hit)
        return not remaining
    if name in ("respond_by", "complete_by"):
        actual = getattr(decision, name)
        return actual is not None and actual == expected
    raise AssertionError(name)


def run_scenarios(scenarios: Iterable[Scenario], router: Any) -> list[ScenarioResult]:
    """Route every scenario's issue and compare the decision with what the row expects."""
    results = []
    for scenario in scenarios:
        (decision,) = router.route_many([scenario.record])
        checks = tuple(
            Check(name, scenario.written[name], actual_text(name, decision),
                  _matches(name, scenario.expected[name], decision))
            for name in EXPECTED_FIELDS if name in scenario.expected
        )
        if decision.status == "rejected" and "status" not in scenario.expected:
            checks += (Check("status", "routed", "rejected", False),)
        results.append(ScenarioResult(scenario, decision, checks))
    return results


def results_json(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    passed = sum(r.passed for r in results)
    return {
        "ok": passed == len(results),
        "total": len(results),
        "passed": passed,
        "failed": len(results) - passed,
        "results": [r.as_json(n) for n, r in enumerate(results, start=1)],
    }


# ---- the result workbook ---------------------------------------------------------------------

PASS_FILL = "C6EFCE"  # Excel's own "good" green
FAIL_FILL = "FFC7CE"  # and "bad" red


def write_results(results: Sequence[ScenarioResult], path: str | Path) -> Path:
    """The result workbook: 场景结果 (one row per scenario, coloured) and 汇总 (counts)."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font, PatternFill

    from ..sheets.cells import write_xlsx_cell
    from ..sheets.output import save_workbook

    fields = [name for name in EXPECTED_FIELDS if any(name in r.scenario.expected for r in results)]
    rejected_unasked = any(r.decision.status == "rejected" and "status" not in r.scenario.expected for r in results)
    if rejected_unasked and "status" not in fields:
        fields.insert(0, "status")
    header = ["行 row", "编号 issue", "结果 result", "场景说明 scenario"]
    for name in fields:
        header += [f"预期{FIELD_LABELS[name]}", f"实际{FIELD_LABELS[name]}"]
    header.append("不符与问题 mismatches and problems")
    book = NewWorkbook()
    ws = book.worksheets[0]  # the one sheet of a new workbook
    ws.title = "场景结果"
    for column, title in enumerate(header, start=1):
        write_xlsx_cell(ws, 1, column, title).font = Font(bold=True)
    fills = {True: PatternFill("solid", fgColor=PASS_FILL), False: PatternFill("solid", fgColor=FAIL_FILL)}
    for index, result in enumerate(results, start=2):
        checks = {c.field: c for c in result.checks}
        values: list[Any] = [result.scenario.row, result.decision.issue_id,
                             "通过 pass" if result.passed else "未通过 fail", result.scenario.note]
        for name in fields:
            check = checks.get(name)
            values += [check.expected if check else "", check.actual if check else actual_text(name, result.decision)]
        notes = [f"{FIELD_LABELS[c.field]}: 预期 expected {c.expected}，实际 actual {c.actual}"
                 for c in result.checks if not c.ok]
        notes += [str(p) for p in result.decision.errors]
        values.append("\n".join(notes))
        for column, value in enumerate(values, start=1):
            cell = write_xlsx_cell(ws, index, column, value)
            cell.fill = fills[result.passed]
        for offset, name in enumerate(fields):
            check = checks.get(name)
            if check is not None and not check.ok:
                ws.cell(index, 5 + 2 * offset + 1).font = Font(bold=True, color="9C0006")
    ws.freeze_panes = "E2"
    for letter, width in zip("ABCD", (6, 16, 12, 40), strict=True):
        ws.column_dimensions[letter].width = width
    summary = book.create_sheet("汇总")
    payload = results_json(results)
    for row, (label, value) in enumerate([("场景 scenarios", payload["total"]), ("通过 passed", payload["passed"]),
                                          ("未通过 failed", payload["failed"])], start=1):
        write_xlsx_cell(summary, row, 1, label)
        write_xlsx_cell(summary, row, 2, value)
    return save_workbook(book, path)


__all__ = [
    "EXPECTED_FIELDS",
    "Check",
    "InputError",
    "Scenario",
    "ScenarioResult",
    "read_scenarios",
    "results_json",
    "run_scenarios",
    "write_results",
]
