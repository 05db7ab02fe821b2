"""Scenario workbooks (issue 7 §2): the shipped examples/scenarios.xlsx passes (this is how CI runs
it), a wrong expectation fails in red with actual beside expected, bad workbooks are located
InputErrors, and the result workbook is inert."""

from __future__ import annotations

import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from powerlist.catalog.models import DelegationMode, Grade
from powerlist.cli import scenarios as scenarios_cli
from powerlist.errors import InputError
from powerlist.routing.decision import Whistle
from powerlist.routing.router import Router
from powerlist.testing.scenarios import FAIL_FILL, PASS_FILL, read_scenarios, results_json, run_scenarios, write_results

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "scenarios.xlsx"
HEADER = ["工单编号", "受理时间", "问题分类", "发生地点", "诉求类型", "预期哨类", "预期等级", "预期层级",
          "预期牵头单位", "预期协办单位", "预期响应时限", "预期办结时限"]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.default()


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    scenarios_cli.register(app)
    return app


def workbook(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_the_shipped_scenarios_pass(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    result = CliRunner().invoke(cli, ["scenarios", "run", str(EXAMPLE), "--out", str(out), "--json"])
    payload = json.loads(result.stdout)
    assert result.exit_code == 0, [r for r in payload["results"] if not r["passed"]]
    assert payload["ok"] and payload["failed"] == 0 and payload["total"] >= 19
    sheet = openpyxl.load_workbook(out)["场景结果"]
    fills = {sheet.cell(row, 3).fill.fgColor.rgb[-6:] for row in range(2, sheet.max_row + 1)}
    assert fills == {PASS_FILL}


def test_the_shipped_scenarios_cover_every_whistle_grade_and_mode(router: Router) -> None:
    scenarios = read_scenarios(EXAMPLE)
    results = run_scenarios(scenarios, router)
    routed = [r.decision for r in results if r.decision.status == "routed"]
    assert {d.whistle for d in routed} == set(Whistle)
    assert {d.grade for d in routed} == set(Grade)
    modes = set()
    for decision in routed:
        for power in decision.powers:
            modes.add(router.catalog.mode(power.code, decision.street))
    assert modes == set(DelegationMode)
    assert any(not d.powers for d in routed), "a category needing no power"
    assert any(r.decision.status == "rejected" for r in results)
    # every expected field is checked somewhere
    assert {c.field for r in results for c in r.checks} == {
        "status", "whistle", "grade", "level", "lead", "co_units", "respond_by", "complete_by"}


def test_a_wrong_expectation_fails_red_with_actual_beside_expected(cli: typer.Typer, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [
        # 路灯损坏 (issue 11): the 城市照明 powers are principal, delegated in 黄石港区's pilot → the
        # street office leads (B); the 派出所's 治安 penalty is related: a co-unit only
        ["T-1", datetime(2026, 7, 1, 9), "BJ0102", "420202001001", "投诉", "日常哨", "B", "street",
         "420202001", "420202001-GA", "2026-07-02 23:59:59", "2026-07-22 23:59:59"],
        ["T-2", datetime(2026, 7, 1, 9), "BJ0102", "420202001001", "投诉", "应急哨", "C", "", "", "", "", ""],
    ])
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["scenarios", "run", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    sheet = openpyxl.load_workbook(out)["场景结果"]
    assert sheet.cell(2, 3).value == "通过 pass" and sheet.cell(2, 3).fill.fgColor.rgb[-6:] == PASS_FILL
    assert sheet.cell(3, 3).value == "未通过 fail" and sheet.cell(3, 3).fill.fgColor.rgb[-6:] == FAIL_FILL
    values = [sheet.cell(3, c).value for c in range(1, sheet.max_column + 1)]
    assert "应急哨" in values and "daily 日常哨" in values  # expected beside actual
    assert "B" in values and "C" in values


def test_json_names_each_failed_check(router: Router, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [
        ["T-1", datetime(2026, 7, 1, 9), "BJ0102", "420202001", "投诉", "", "", "", "黄石港街道办事处", "无", "", ""],
    ])
    payload = results_json(run_scenarios(read_scenarios(path), router))
    (only,) = payload["results"]
    checks = {c["field"]: c for c in only["checks"]}
    assert checks["lead"]["ok"]  # a lead matches by name as well as by code
    assert not checks["co_units"]["ok"] and "420202001-GA" in checks["co_units"]["actual"]
    assert not payload["ok"]


def test_an_unexpected_rejection_fails(router: Router, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["T-1", "not a time", "BJ0102", "420202001", "", "日常哨"] + [""] * 6])
    (result,) = run_scenarios(read_scenarios(path), router)
    assert not result.passed and result.decision.status == "rejected"
    assert result.decision.errors[0].cell == "B2"


def test_a_rejected_row_does_not_show_a_matching_actual_beside_a_failed_check(router: Router, tmp_path: Path) -> None:
    # expected 无 co-units, issue rejected: the actual must not read 无 too, or the failed
    # check looks like expected == actual
    path = workbook(tmp_path / "s.xlsx",
                    [["T-1", "not a time", "BJ0102", "420202001", "", "", "", "", "", "无", "", ""]])
    (result,) = run_scenarios(read_scenarios(path), router)
    checks = {c.field: c for c in result.checks}
    assert not checks["co_units"].ok and checks["co_units"].actual == ""


def test_bad_expectations_are_located_input_errors(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [
        ["T-1", datetime(2026, 7, 1, 9), "BJ0102", "420202001", "", "魔法哨", "E", "省", "", "", "明天", ""],
        ["T-2", datetime(2026, 7, 1, 9), "BJ0102", "420202001", "", "", "", "", "", "", "", ""],
    ])
    with pytest.raises(InputError) as caught:
        read_scenarios(path)
    cells = {p.cell for p in caught.value.problems}
    assert {"F2", "G2", "H2", "K2", "A3"} <= cells


@pytest.mark.parametrize("name", ["power-list--truncated.xlsx", "power-list--entities-in-sheet.xlsx",
                                  "issues--csv-renamed.xlsx", "power-list--no-header.xlsx"])
def test_hostile_scenario_files_exit_1_without_a_traceback(name: str, cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["scenarios", "run", str(REPO / "tests" / "data" / "hostile" / name),
                                      "--out", str(out), "--json"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit | None)
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["ok"] is False
    assert not out.exists()


def test_results_carry_no_runnable_formula(router: Router, tmp_path: Path) -> None:
    # Workbooks refuse such text on input (powerlist.sheets.workbook), so the scenarios are built here,
    # as an embedding program would build them.
    from powerlist.routing.issue_io import IssueRecord
    from powerlist.testing.scenarios import Scenario

    hostile = ['=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-1+1"]
    scenarios = [
        Scenario(IssueRecord("s.xlsx", n, {"id": value, "received_at": datetime(2026, 7, 1, 9), "category": "BJ0102",
                                           "location": "420202001"}),
                 {"lead": value}, {"lead": value}, value)
        for n, value in enumerate(hostile, start=2)
    ]
    out = write_results(run_scenarios(scenarios, router), tmp_path / "r.xlsx")
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
    book = openpyxl.load_workbook(out)
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(cell.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for cell in row)
    assert any(t.startswith("=cmd") for t in texts)  # kept as text, shown as written


def test_the_example_is_up_to_date(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import make_scenarios
    finally:
        sys.path.remove(str(REPO / "tools"))
    fresh = make_scenarios.build(tmp_path / "fresh.xlsx")

    def cells(path: Path) -> list[tuple[object, ...]]:
        return [tuple(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]

    assert cells(fresh) == cells(EXAMPLE), "run: python tools/make_scenarios.py"


def test_results_never_overwrite_the_scenario_workbook(cli: typer.Typer, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["T-1", datetime(2026, 7, 1, 9), "BJ0102", "420202001", "投诉"] + [""] * 7])
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["scenarios", "run", str(path), "--out", str(tmp_path / "." / "s.xlsx")])
    assert result.exit_code == 2 and "overwrite" in result.output
    assert path.read_bytes() == before


def test_the_text_report_says_why_a_row_was_rejected(cli: typer.Typer, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["T-1", "not a time", "BJ0102", "420202001", "", "日常哨"] + [""] * 6])
    result = CliRunner().invoke(cli, ["scenarios", "run", str(path)])
    assert result.exit_code == 1
    assert "received_at" in result.stdout and "B2" in result.stdout
