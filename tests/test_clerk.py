"""Workbooks a clerk makes (tests/data/clerk/): title rows, merged cells, footers, names instead
of codes, Chinese dates — each against the findings and decisions written by hand in
tests/data/clerk/expected.toml. Also the report a clerk acts on: what it leads with, how it
looks, and that a finding in a merged cell no longer crashes it."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from powerlist.audit import AuditConfig, audit_workbook, read_audit_workbook, write_report
from powerlist.audit.findings import CHECKS, CODES, Finding
from powerlist.audit.report import SUMMARY, check_sheet_name
from powerlist.catalog.catalog import Catalog
from powerlist.cli import app
from powerlist.cli import audit as audit_cli
from powerlist.cli import route as route_cli
from powerlist.cli import score as score_cli
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router

CLERK = Path(__file__).parent / "data" / "clerk"
EXPECTED = tomllib.loads((CLERK / "expected.toml").read_text(encoding="utf-8"))
runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands() -> None:
    for module, name in ((audit_cli, "audit"), (route_cli, "route"), (score_cli, "score")):
        if not any(c.name == name for c in app.registered_commands):
            module.register(app)


def _key(finding: Finding) -> tuple[str, str, str, str, str]:
    details = dict(finding.details)
    return (finding.code, finding.cell or "", finding.item or "", finding.street or "",
            str(details.get("district", "")))


def _expected_key(entry: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return entry["code"], entry["cell"], entry["item"], entry["street"], entry.get("district", "")


@pytest.fixture(scope="module")
def audited(catalog: Catalog) -> dict[str, list[Finding]]:
    return {name: audit_workbook(read_audit_workbook(CLERK / name, catalog), catalog, AuditConfig.load())
            for name in EXPECTED["audit"]}


@pytest.mark.parametrize("name", sorted(EXPECTED["audit"]))
def test_a_clerks_delegation_workbook_gives_the_findings_written_by_hand(
        name: str, audited: dict[str, list[Finding]]) -> None:
    expected = EXPECTED["audit"][name]
    findings = audited[name]
    assert sorted(_key(f) for f in findings) == sorted(_expected_key(e) for e in expected["findings"])
    assert sum(f.severity.value == "error" for f in findings) == expected["errors"]
    for entry in expected["findings"]:
        if "departments" in entry:
            (scope,) = [f for f in findings if f.code == entry["code"]]
            details = dict(scope.details)
            assert (len(details["departments"]), details["items"]) == (entry["departments"], entry["items"])


def test_names_stand_beside_codes_in_findings(audited: dict[str, list[Finding]]) -> None:
    gap = next(f for f in audited["huangshigang_tuiyi.xlsx"] if f.code == "PL601")
    assert (gap.item_name, gap.street_name) == ("为烈属、军属和退役军人等家庭悬挂光荣牌", "花湖街道")
    missing = next(f for f in audited["xialu_jiaoyu.xlsx"] if f.code == "PL801")
    assert missing.street_name == "团城山街道"


def test_scope_all_still_audits_the_whole_catalog(catalog: Catalog) -> None:
    book = read_audit_workbook(CLERK / "xialu_jiaoyu.xlsx", catalog)
    whole = audit_workbook(book, catalog, AuditConfig.load(), scope="all")
    codes = [f.code for f in whole]
    # 15 streets of other districts without rows, and every non-JY item (247 − 6) × the three streets
    assert codes.count("PL801") == 16 and codes.count("PL601") == 241 * 3
    assert "PL802" not in codes and "PL602" not in codes


def test_principal_unheld_is_judged_within_the_claimed_scope(catalog: Catalog) -> None:
    """PL1101 (issue 11) follows issue 13's scope: a category is judged only when the workbook
    covers the departments of all its principal powers."""
    book = read_audit_workbook(CLERK / "xialu_jiaoyu.xlsx", catalog)
    config = AuditConfig.load()
    # the workbook lists every JY item for its three streets: no category of JY is unheld, and
    # categories of other departments are not judged (PL602 says those departments were left out)
    assert not [f for f in audit_workbook(book, catalog, config) if f.code == "PL1101"]
    # RX0410 入学和控辍保学: its principal powers are JY-10-001 and JY-10-002 (taxonomy.xlsx)
    assert catalog.categories["RX0410"].powers == ("JY-10-001", "JY-10-002")
    street = "420204001"  # 新下陆街道
    without = replace(book, rows=tuple(r for r in book.rows
                                       if not (r.row.street == street and r.row.code in ("JY-10-001", "JY-10-002"))))
    unheld = [f for f in audit_workbook(without, catalog, config) if f.code == "PL1101"]
    assert [(dict(f.details)["category"], f.street) for f in unheld] == [("RX0410", street)]
    assert unheld[0].file == "taxonomy.xlsx" and unheld[0].street_name == "新下陆街道"
    # the whole-catalog audit judges every category: those of departments the workbook never lists
    whole = audit_workbook(book, catalog, config, scope="all")
    judged = {dict(f.details)["category"] for f in whole if f.code == "PL1101"}
    assert judged and not judged & {"RX0208", "RX0410"}


@pytest.mark.parametrize("name", sorted(EXPECTED["audit"]))
def test_the_report_of_a_clerks_workbook(name: str, tmp_path: Path, audited: dict[str, list[Finding]]) -> None:
    source = CLERK / name
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["audit", str(source), "--out", str(out)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    report = load_workbook(out)
    findings = audited[name]
    # sheets: the summary first, one Chinese-named sheet per check with its codes, the marked copy
    assert report.sheetnames[0] == SUMMARY
    assert [check_sheet_name(c) for c in CHECKS] == report.sheetnames[1:1 + len(CHECKS)]
    summary = report[SUMMARY]
    assert str(summary["A2"].value).startswith("未通过") and summary.freeze_panes == "A3"
    # it leads with what blocks delegation: each error code, its count and a first example
    rows = list(summary.iter_rows(min_row=5, values_only=True))
    blocking = [r for r in rows[: 1 + EXPECTED["audit"][name]["errors"]]]
    assert blocking[0][:4] == ("检查 check", "编码 code", "说明 meaning", "数量 count")
    errors = sorted({f.code for f in findings if f.severity.value == "error"})
    assert sorted(r[1] for r in blocking[1:]) == errors
    for row in blocking[1:]:
        assert row[3] == sum(f.code == row[1] for f in findings) and row[4]
    # every findings sheet: a frozen header, a filter, widths fitted, names beside codes
    for check in CHECKS:
        sheet = report[check_sheet_name(check)]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:K")
        assert sheet["F1"].value == "事项名称 item name" and sheet["H1"].value == "街道 street name"
        assert all((sheet.column_dimensions[c].width or 0) >= 6 for c in "ABCDEFGHIJK")
        found = [f for f in findings if f.check == check]
        assert sheet.max_row - 1 == len(found)
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row[4]:
                assert row[5], row  # an item code has its name beside it
            if row[6]:
                assert row[7], row  # so has a street code


def test_the_marked_copy_keeps_the_clerks_look(tmp_path: Path, audited: dict[str, list[Finding]]) -> None:
    source = CLERK / "huangshigang_tuiyi.xlsx"
    out = write_report(tmp_path / "r.xlsx", audited["huangshigang_tuiyi.xlsx"], source=source,
                       source_name=source.name)
    original = load_workbook(source)["承接表"]
    copy = load_workbook(out)["原表-承接表"]
    assert {str(r) for r in copy.merged_cells.ranges} == {str(r) for r in original.merged_cells.ranges}
    assert copy["A1"].value == original["A1"].value and copy["A1"].font.b and copy["A1"].font.sz == 16
    assert copy["B3"].fill.start_color.rgb == original["B3"].fill.start_color.rgb
    assert copy["B3"].border.left.style == "thin" and copy.freeze_panes == original.freeze_panes
    for letter in "ABCDEFGHI":
        assert copy.column_dimensions[letter].width == original.column_dimensions[letter].width
    assert copy.row_dimensions[1].height == original.row_dimensions[1].height
    # findings in merged cells sit on the merged range's top-left cell, filled and commented
    for ref, code in (("F15", "PL201"), ("C8", "PL702")):
        assert copy[ref].comment is not None and code in copy[ref].comment.text
        assert copy[ref].fill.start_color.rgb.endswith(("FFC7CE", "FFEB9C"))
    assert copy["A20"].comment is not None and "PL001" in copy["A20"].comment.text


def _finding(code: str, n: int) -> list[Finding]:
    return [Finding(code=code, message_zh="测试", message_en="test", item=f"X-{i}", street="420202001")
            for i in range(n)]


def test_the_chart_stays_readable_when_one_check_dominates(tmp_path: Path) -> None:
    dominated = write_report(tmp_path / "a.xlsx", _finding("PL601", 892) + _finding("PL201", 3))
    (chart,) = load_workbook(dominated)[SUMMARY]._charts
    assert chart.y_axis.scaling.logBase == 10
    balanced = write_report(tmp_path / "b.xlsx", _finding("PL601", 4) + _finding("PL201", 3))
    (chart,) = load_workbook(balanced)[SUMMARY]._charts
    assert chart.y_axis.scaling.logBase is None and chart.grouping == "stacked"


def test_an_issue_export_routes_as_written_by_hand() -> None:
    expected = EXPECTED["route"]["hotline_export.xlsx"]["decisions"]
    router = Router.default()
    decisions = list(router.route_many(read_issues(CLERK / "hotline_export.xlsx")))
    assert [d.issue_id for d in decisions] == [e["id"] for e in expected]  # no decision for the footer
    for decision, entry in zip(decisions, expected, strict=True):
        shown = decision.model_dump(mode="json")
        assert shown["status"] == entry["status"]
        for field in ("category", "street", "grade", "respond_by", "complete_by"):
            if field in entry:
                assert shown[field] == entry[field], (entry["id"], field)
        if "lead" in entry:
            assert shown["lead"]["code"] == entry["lead"]
        if "resolved" in entry:
            assert [t["rule"] for t in shown["trace"] if t["rule"].startswith("resolve.")] == entry["resolved"]
        if "errors" in entry:
            written = [(e["cell"], e["code"]) for e in entry["errors"]]
            assert [(e["cell"], e["code"]) for e in shown["errors"]] == written


def test_a_whistle_sheet_naming_a_street_three_ways_ranks_it_once() -> None:
    expected = EXPECTED["score"]["whistles_by_name.xlsx"]
    result = runner.invoke(app, ["score", "--period", expected["period"], "--input",
                                 str(CLERK / "whistles_by_name.xlsx"), "--catalog", "shipped", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["streets"]) == expected["streets"]
    ranked = [s for s in payload["streets"] if s["whistles"]]
    assert [(s["street"], s["whistles"], s["staff"]) for s in ranked] == [
        (expected["street"]["code"], expected["street"]["whistles"], expected["street"]["staff"])]
    assert [(d["unit"], d["whistles"]) for d in payload["departments"] if d["whistles"]] == [
        (d["unit"], d["whistles"]) for d in expected["departments"]]


def test_a_mistyped_street_name_is_a_located_error() -> None:
    expected = EXPECTED["score"]["whistles_typo.xlsx"]
    result = runner.invoke(app, ["score", "--period", expected["period"], "--input",
                                 str(CLERK / "whistles_typo.xlsx"), "--catalog", "shipped", "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["cell"], e["code"], e["value"]) for e in errors] == [
        (e["cell"], e["code"], e["value"]) for e in expected["errors"]]
    assert errors[0]["message"].startswith("街道“黄石岗街道”")


def test_every_new_code_is_exercised_by_a_clerks_workbook() -> None:
    found = {e["code"] for book in EXPECTED["audit"].values() for e in book["findings"]}
    assert {"PL001", "PL602", "PL801", "PL802"} <= found
    assert {CODES[c].check for c in found} >= {"scope", "workbook", "missing-from-street"}


def test_an_issue_dated_1999_is_located_at_its_own_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text("工单编号,受理时间,问题分类,社区\nOK-1,2026-08-03 09:00,RX0302,420202001001\n"
                    "OLD-1,1999年5月1日 9时,RX0302,420202001001\n", encoding="utf-8")
    ok, old = Router.default().route_many(read_issues(path))
    assert ok.status == "routed" and old.status == "rejected"
    (problem,) = old.errors
    assert (problem.file, problem.row, problem.field, problem.code) == (
        str(path), 3, "received_at", "calendar-unknown-year")
    assert problem.sheet is None and "calendar_overrides.xlsx" in problem.message  # the sheet to fill, named
