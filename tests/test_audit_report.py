"""The audit's Excel report, what-if, history capacity and the `powerlist audit` command."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_audit import DATA, MANIFEST
from test_audit import two_streets as two_streets  # a shared fixture, found by pytest in this module
from typer.testing import CliRunner

from powerlist.audit import (
    AuditConfig,
    audit_workbook,
    proposed_catalog,
    read_audit_workbook,
    route_history,
    what_if,
    write_report,
)
from powerlist.audit.findings import CHECKS, Finding, Severity
from powerlist.audit.report import FILLS, SUMMARY
from powerlist.audit.whatif import load_history, months_spanned, street_loads
from powerlist.catalog.catalog import Catalog
from powerlist.cli import app
from powerlist.cli import audit as audit_cli
from powerlist.cli import rules as rules_cli
from powerlist.routing.tables import RuleSet

runner = CliRunner()
FIRST, SECOND = MANIFEST["streets"]
DISTRICT_CG = "420202-CG"


def register_commands() -> None:
    """Register `audit` and `rules` once (two entries keep typer in subcommand mode)."""
    if not any(c.name == "audit" for c in app.registered_commands):
        audit_cli.register(app)
    if not any(g.name == "rules" for g in app.registered_groups):
        rules_cli.register(app)


@pytest.fixture(autouse=True)
def _commands() -> None:
    register_commands()


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.load()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Four 暴露垃圾 issues in 黄石港 over January and February 2026, one in 铁山, one invalid.

    SJ0101's powers (CG-02-004, CG-02-011) are delegated to 黄石港 and entrusted to 铁山 today:
    the street office leads each of them."""
    rows = [
        {"id": "H1", "received_at": "2026-01-05T09:00:00", "category": "SJ0101", "location": FIRST},
        {"id": "H2", "received_at": "2026-01-20T09:00:00", "category": "SJ0101", "location": FIRST},
        {"id": "H3", "received_at": "2026-02-03T09:00:00", "category": "SJ0101", "location": FIRST},
        {"id": "H4", "received_at": "2026-02-27T09:00:00", "category": "SJ0101", "location": FIRST},
        {"id": "T1", "received_at": "2026-02-10T09:00:00", "category": "SJ0101", "location": SECOND},
        {"id": "X1", "received_at": "2026-02-11T09:00:00", "category": "NOPE", "location": FIRST},
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def proposed(tmp_path: Path) -> Path:
    """base.xlsx with SJ0101's two 城管 powers taken back to the district for 黄石港."""
    book = load_workbook(DATA / "base.xlsx")
    ws = book["街道承接"]
    changed = 0
    for row in ws.iter_rows(min_row=3):
        if row[1].value in ("CG-02-004", "CG-02-011") and row[6].value == "黄石港街道":
            row[7].value = "保留区级"
            changed += 1
    assert changed == 2
    path = tmp_path / "proposed.xlsx"
    book.save(path)
    return path


def test_what_if_numbers_by_hand(two_streets: Catalog, rules: RuleSet, history: Path,
                                 proposed: Path) -> None:
    records = load_history(history)
    assert months_spanned(records) == 2
    result = what_if(two_streets, read_audit_workbook(proposed, two_streets), rules, records,
                     AuditConfig(max_monthly_whistles_per_staff=0.05), history=str(history))
    streets = {s.street: s for s in result.streets}
    first, second = streets[FIRST], streets[SECOND]
    assert (first.before, first.after) == (4, 0)
    assert (second.before, second.after) == (1, 1)
    assert first.before_monthly_per_staff == round(4 / 2 / first.staff, 4)
    assert first.after_monthly_per_staff == 0
    assert first.over_before and not first.over_after
    departments = {d.department: d for d in result.departments}
    assert (departments["CG"].before, departments["CG"].after) == (0, 4)
    assert result.rejected_before == result.rejected_after == 1
    assert result.pushed_over == []
    payload = result.as_json()
    assert payload["months"] == 2 and payload["issues"] == 6
    # The reverse change pushes 黄石港 over the threshold.
    back = what_if(proposed_catalog(two_streets, read_audit_workbook(proposed, two_streets)),
                   read_audit_workbook(DATA / "base.xlsx", two_streets), rules, records,
                   AuditConfig(max_monthly_whistles_per_staff=0.05))
    assert [s.street for s in back.pushed_over] == [FIRST]


def test_capacity_from_history(two_streets: Catalog, rules: RuleSet, history: Path) -> None:
    records = load_history(history)
    book = read_audit_workbook(DATA / "base.xlsx", two_streets)
    tally = route_history(proposed_catalog(two_streets, book), rules, records)
    assert tally.streets[FIRST] == 4 and tally.rejected == 1
    loads = street_loads(tally, months_spanned(records))
    findings = audit_workbook(book, two_streets, AuditConfig(max_monthly_whistles_per_staff=0.05),
                              loads)
    capacity = [(f.code, f.street) for f in findings if f.check == "capacity"]
    assert capacity == [("PL902", FIRST)]  # 4/2/28 ≈ 0.071 > 0.05; 铁山 1/2/24 ≈ 0.021


def test_excel_report(tmp_path: Path, two_streets: Catalog, rules: RuleSet, history: Path,
                      proposed: Path) -> None:
    source = DATA / "responsibility.xlsx"
    findings = audit_workbook(read_audit_workbook(source, two_streets), two_streets,
                              AuditConfig.load())
    # Text that a spreadsheet would run, e.g. from a hostile item name, must stay text.
    findings.append(Finding(code="PL701", message_zh='=HYPERLINK("http://example.com","x")',
                            message_en="@SUM(1)", item="+1", sheet="街道承接"))
    result = what_if(two_streets, read_audit_workbook(proposed, two_streets), rules,
                     load_history(history), AuditConfig.load(), history=str(history))
    out = write_report(tmp_path / "report.xlsx", findings, source=source, source_name="r.xlsx",
                       what_if=result)
    report = load_workbook(out)
    assert report.sheetnames[0] == SUMMARY
    for check in CHECKS:
        assert check in report.sheetnames
    assert {"原表-街道承接", "模拟-街道", "模拟-部门"} <= set(report.sheetnames)
    for name in (SUMMARY, "模拟-街道", "模拟-部门"):
        assert report[name]._charts, name
    summary = {r[0]: r[1:] for r in report[SUMMARY].iter_rows(min_row=3, values_only=True)}
    expected = sum(f.check == "responsibility-without-power" for f in findings)
    assert summary["responsibility-without-power"][3] == expected
    assert report["responsibility-without-power"].max_row - 1 == expected
    copy = report["原表-街道承接"]
    for planted in MANIFEST["files"]["responsibility.xlsx"]:
        cell = copy[planted["cell"]]
        severity = Severity.ERROR if planted["code"] == "PL401" else Severity.WARNING
        assert cell.fill.start_color.rgb[-6:] == FILLS[severity].start_color.rgb[-6:]
        assert cell.comment is not None and planted["code"] in cell.comment.text
    assert copy["A1"].value == load_workbook(source)["街道承接"]["A1"].value
    hostile = report["not-in-common-list"]
    assert [c.value for c in hostile[2]][4] == "+1"
    assert hostile.cell(2, 7).value.startswith("=HYPERLINK")
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name), name


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(DATA / "missing_field.xlsx"), "--json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["counts"]["error"] == 3
    assert set(payload["counts"]["by_check"]) >= {"missing-field", "gap", "capacity"}
    finding = next(f for f in payload["findings"] if f["code"] == "PL101")
    assert set(finding) == {"code", "check", "severity", "file", "sheet", "cell", "row", "item",
                            "street", "message_zh", "message_en", "details"}
    assert (finding["check"], finding["severity"], finding["sheet"]) == (
        "missing-field", "error", "街道承接")
    # base.xlsx against the whole catalog: 17 streets without rows are warnings only.
    result = runner.invoke(app, ["audit", str(DATA / "base.xlsx"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["counts"]["by_check"]["missing-from-street"][
        "warning"] == 17
    result = runner.invoke(app, ["audit", str(DATA / "stationed.xlsx")])
    assert result.exit_code == 1 and "PL301" in result.output


def test_cli_what_if(tmp_path: Path, history: Path, proposed: Path) -> None:
    out = tmp_path / "what-if.xlsx"
    result = runner.invoke(app, ["audit", "--what-if", str(proposed), "--history", str(history),
                                 "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    streets = {s["street"]: s for s in payload["what_if"]["streets"]}
    assert streets[FIRST]["whistles"] == {"before": 4, "after": 0}
    assert load_workbook(out)["模拟-街道"]._charts


def test_cli_usage_errors(history: Path) -> None:
    assert runner.invoke(app, ["audit"]).exit_code == 2
    assert runner.invoke(app, ["audit", "--what-if", str(DATA / "base.xlsx")]).exit_code == 2
    result = runner.invoke(app, ["audit", str(DATA / "nope.xlsx"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_cli_refuses_a_renamed_text_file_with_a_located_error(tmp_path: Path) -> None:
    fake = tmp_path / "delegation.xlsx"
    fake.write_text("序号,事项编码\n1,=cmd|' /C calc'!A0\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(fake), "--json"])
    assert result.exit_code == 1 and result.exception is None or isinstance(
        result.exception, SystemExit)
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["errors"][0]["file"] == str(fake)


def test_rules_check_refuses_invalid_rules(tmp_path: Path) -> None:
    (tmp_path / "routing.toml").write_text("[[tables]]\nname = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", "--rules", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


def test_cli_what_if_alone_audits_the_proposed_delegation(tmp_path: Path, history: Path) -> None:
    """A what-if over a proposed delegation with a planted fault fails: the staffing office
    must not see "ok" for a delegation that hands a stationed power down."""
    out = tmp_path / "what-if.xlsx"
    result = runner.invoke(app, ["audit", "--what-if", str(DATA / "stationed.xlsx"), "--history",
                                 str(history), "--json", "--out", str(out)])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["file"] == str(DATA / "stationed.xlsx")
    assert any(f["code"] == "PL301" for f in payload["findings"])
    assert payload["what_if"]["streets"]
    book = load_workbook(out)
    assert "模拟-街道" in book.sheetnames
    assert any(name.startswith("原表") for name in book.sheetnames)
