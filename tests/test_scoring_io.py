"""Whistle spreadsheets in, the 晒单 workbook out, and the `powerlist score` command."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from powerlist.cli.score import register
from powerlist.errors import InputError
from powerlist.routing.issue import SHANGHAI
from powerlist.scoring import Period, Satisfaction, read_vetoes, read_whistles, score_period, write_report

HEADER = [
    "案件编号", "街道", "街道名称", "责任单位", "责任单位名称", "部门", "哨类", "等级", "受理时间", "响应时限",
    "响应时间", "办结时限", "办结时间", "满意度", "第三方回访得分", "延期次数", "重办次数", "街道自有权力",
]
ROWS = [
    ["W1", "420202001", "胜阳港街道", "420202-market", "黄石港区市场监督管理局", "market", "日常哨", "C",
     "2026-07-01 09:00", "2026-07-01 11:00", "2026-07-01 10:00", "2026-07-06 09:00", "2026-07-05 09:00",
     "满意", "90", "0", "0", "否"],
    ["W2", "420202001", "胜阳港街道", "420202-market", "黄石港区市场监督管理局", "market", "重点哨", "C",
     "2026/7/3 9:00", "2026/7/3 11:00", "2026/7/3 23:00", "2026/7/8 9:00", "2026/7/9 9:00",
     "基本满意", "", "1", "0", "否"],
    ["W3", "420202002", "江北街道", "420202-housing", "黄石港区住房和城乡建设局", "housing", "日常哨", "B",
     "2026-08-01 09:00", "2026-08-01 11:00", "", "2026-08-06 09:00", "", "", "", "0", "0", "是"],
    ["=HYPERLINK(\"http://x\")", "420202002", "@江北", "420202-housing", "-住建", "housing", "协调哨", "C",
     "2026-09-01 09:00", "2026-09-01 11:00", "2026-09-01 10:30", "2026-09-06 09:00", "2026-09-03 09:00",
     "不满意", "60", "0", "1", "否"],
]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "吹哨台账"
    ws.append(["2026年第三季度吹哨报到台账"])  # a title row above the header
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_read_csv(tmp_path: Path) -> None:
    records = read_whistles(_csv(tmp_path / "w.csv", HEADER, ROWS))
    assert [r.case_id for r in records] == ["W1", "W2", "W3", "=HYPERLINK(\"http://x\")"]
    first = records[0]
    assert first.received_at == datetime(2026, 7, 1, 9, tzinfo=SHANGHAI)
    assert first.satisfaction is Satisfaction.SATISFIED and first.third_party == Decimal(90)
    assert records[1].extensions == 1 and records[1].kind is not None and records[1].kind.value == "key"
    assert records[2].street_held_power and records[2].responded_at is None


def test_read_xlsx_with_title_row_and_typed_cells(tmp_path: Path) -> None:
    typed = [list(r) for r in ROWS[:3]]  # (a text cell starting with "=" would be a formula in xlsx)
    typed[0][8] = datetime(2026, 7, 1, 9)  # a real date cell
    typed[0][14] = 90.5  # a number cell
    typed[0][1] = 420202001  # a code stored as a number
    records = read_whistles(_xlsx(tmp_path / "w.xlsx", HEADER, typed))
    assert len(records) == 3
    assert records[0].street == "420202001" and records[0].third_party == Decimal("90.5")


def test_english_aliases(tmp_path: Path) -> None:
    header = ["case_id", "street", "unit", "received_at", "satisfaction"]
    rows = [["A", "S1", "U1", "2026-07-02T08:00:00", "basically_satisfied"]]
    records = read_whistles(_csv(tmp_path / "e.csv", header, rows))
    assert records[0].satisfaction is Satisfaction.BASICALLY_SATISFIED


def test_every_bad_cell_is_reported_located(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][8] = "yesterday"  # 受理时间
    rows[1][13] = "还行"  # 满意度
    rows[2][15] = "two"  # 延期次数
    rows[2][17] = "也许"  # 街道自有权力
    rows[3][0] = "W1"  # duplicate id
    rows[3][14] = "120"  # third party out of range
    with pytest.raises(InputError) as caught:
        read_whistles(_xlsx(tmp_path / "bad.xlsx", HEADER, rows))
    found = {(p.sheet, p.cell, p.field) for p in caught.value.problems}
    assert ("吹哨台账", "I3", "received_at") in found
    assert ("吹哨台账", "N4", "satisfaction") in found
    assert ("吹哨台账", "P5", "extensions") in found
    assert ("吹哨台账", "R5", "street_held_power") in found
    assert ("吹哨台账", "O6", "third_party") in found
    assert all(p.file and p.file.endswith("bad.xlsx") for p in caught.value.problems)


def test_every_bad_cell_of_one_row_is_reported_in_one_pass(tmp_path: Path) -> None:
    """A cell that fails to convert (受理时间, 延期次数, 街道自有权力) does not hide the row's
    other bad cells (哨类, 等级, 满意度, 第三方回访得分), nor is a field reported twice."""
    row = list(ROWS[0])
    row[6], row[7], row[8] = "魔法哨", "Z", "昨天"  # 哨类, 等级, 受理时间
    row[13], row[14], row[15], row[17] = "还行", "120", "两次", "也许"  # 满意度, 第三方, 延期, 自有权力
    with pytest.raises(InputError) as caught:
        read_whistles(_csv(tmp_path / "bad.csv", HEADER, [row, ROWS[1]]))
    found = sorted((p.cell, p.field) for p in caught.value.problems)
    assert found == [("G2", "kind"), ("H2", "grade"), ("I2", "received_at"), ("N2", "satisfaction"),
                     ("O2", "third_party"), ("P2", "extensions"), ("R2", "street_held_power")]
    assert {p.row for p in caught.value.problems} == {2} and {p.code for p in caught.value.problems} == {"bad-value"}


def test_a_missing_required_cell_does_not_hide_the_rows_other_problems(tmp_path: Path) -> None:
    row = list(ROWS[0])
    row[0], row[7] = "", "Z"  # 案件编号 empty, 等级 bad
    with pytest.raises(InputError) as caught:
        read_whistles(_csv(tmp_path / "bad.csv", HEADER, [row]))
    assert sorted((p.cell, p.code) for p in caught.value.problems) == [("A2", "missing-value"), ("H2", "bad-value")]


def test_duplicate_case_and_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_whistles(_csv(tmp_path / "d.csv", HEADER, [ROWS[0], ROWS[0]]))
    (problem,) = caught.value.problems
    assert problem.code == "duplicate-case" and problem.cell == "A3" and "A2" in problem.message
    with pytest.raises(InputError, match="lacks a required column: 受理时间"):
        read_whistles(_csv(tmp_path / "m.csv", ["案件编号", "街道", "责任单位"], [["1", "2", "3"]]))
    with pytest.raises(InputError, match="unknown file type"):
        read_whistles(tmp_path / "w.txt.json")


def test_read_vetoes(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "v.csv", ["对象", "否决事项", "日期", "说明"], [["420202001", "安全生产", "2026-08-01", "较大事故"]]
    )
    (veto,) = read_vetoes(path)
    assert veto.item.label == "安全生产" and veto.subject == "420202001"
    bad = _csv(
        tmp_path / "vb.csv", ["对象", "否决事项", "日期"], [["X", "目标管理", "2026-08-01"], ["Y", "环境保护", "soon"]]
    )
    with pytest.raises(InputError) as caught:
        read_vetoes(bad)
    assert {p.cell for p in caught.value.problems} == {"B2", "C3"}


def test_excel_report(tmp_path: Path) -> None:
    records = read_whistles(_csv(tmp_path / "w.csv", HEADER, ROWS))
    scores = score_period(records, Period.parse("2026Q3"))
    path = write_report(scores, tmp_path / "report.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["部门", "街道", "哨明细", "说明"]
    dept, street, detail = book["部门"], book["街道"], book["哨明细"]
    assert dept["A2"].value == "排名" and dept["F2"].value == "得分" and dept["H2"].value == "响应度哨数"
    assert dept["F3"].value == pytest.approx(88.75)  # read back as a number cell, 2 decimals
    assert dept.max_row == 4 and street.max_row == 4 and detail.max_row == 2 + len(records)
    for ws in (dept, street):
        assert ws.conditional_formatting, "conditional formatting on the score column"
        assert len(ws._charts) == 1
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert sum(n.startswith("xl/charts/chart") for n in names) == 2
        chart_xml = archive.read("xl/charts/chart1.xml").decode()
        assert "barChart" in chart_xml
        sheets_xml = "".join(archive.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet"))
        assert "<f>" not in sheets_xml  # no cell is a formula
    # text that looks like a formula is kept as inert text
    (cell,) = [c for c in detail["A"] if c.value == "=HYPERLINK(\"http://x\")"]
    assert cell.data_type == "s"
    column = next(c.column_letter for c in street[2] if c.value == "案件编号")
    cases = [c.value for c in street[column][2:]]
    assert any("=HYPERLINK" in (c or "") for c in cases)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test harness"""

    register(app)
    return app


def test_cli_json_is_deterministic_and_report_written(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", HEADER, ROWS)
    vetoes = _csv(
        tmp_path / "v.csv", ["对象", "否决事项", "日期", "说明"], [["420202-market", "党风廉政", "2026-08-01", ""]]
    )
    runner = CliRunner()
    args = ["score", "--period", "2026Q3", "--input", str(path), "--json", "--vetoes", str(vetoes)]
    first = runner.invoke(_app(), args)
    second = runner.invoke(_app(), args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    payload = json.loads(first.output)
    assert payload["period"] == "2026Q3" and payload["profile"] == "default"
    top = payload["departments"][0]
    assert top["unit"] == "420202-market" and top["score"] == "88.75" and top["cases"] == ["W1", "W2"]
    assert top["vetoes"][0]["item"] == "integrity"
    out = tmp_path / "r.xlsx"
    shown = runner.invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "部门排名" in shown.output and out.exists()


def test_cli_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(_app(), ["score", "--period", "2026Q3"]).exit_code == 2
    path = _csv(tmp_path / "w.csv", HEADER, ROWS)
    bad_period = runner.invoke(_app(), ["score", "--period", "2026Q9", "--input", str(path), "--json"])
    assert bad_period.exit_code == 1 and json.loads(bad_period.output)["errors"][0]["field"] == "period"
    bad_profile = runner.invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--profile", "nope"])
    assert bad_profile.exit_code == 1


def test_catalog_fills_names_and_ranks_every_street(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from powerlist.scoring import catalog_context, with_catalog

    catalog = SimpleNamespace(
        streets={
            "420202001": SimpleNamespace(name="黄石港街道", staff=4),
            "420202009": SimpleNamespace(name="无哨街道", staff=None),
        },
        units={"420202-market": SimpleNamespace(name="黄石港区市场监督管理局", department="SJ")},
    )
    records = read_whistles(
        _csv(
            tmp_path / "w.csv",
            ["案件编号", "街道", "责任单位", "受理时间"],
            [["A", "420202001", "420202-market", "2026-07-02 08:00"]],
        )
    )
    filled = with_catalog(records, catalog)
    assert (
        filled[0].street_name == "黄石港街道"
        and filled[0].unit_name == "黄石港区市场监督管理局"
        and filled[0].department == "SJ"
    )
    staff, names = catalog_context(catalog)
    scores = score_period(filled, Period.parse("2026Q3"), staff=staff, street_names=names)
    assert [(s.street, s.staff, s.whistles) for s in scores.streets] == [("420202001", 4, 1), ("420202009", 30, 0)]
    assert scores.streets[1].name == "无哨街道" and scores.streets[1].calls == 0


def test_annual_fold_with_veto_in_cli_and_report(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", HEADER, ROWS)
    other = _csv(
        tmp_path / "o.csv",
        ["对象", "其他考核得分"],
        [["420202-market", "90"], ["420202001", "85"], ["420202002", "50"]],
    )
    vetoes = _csv(
        tmp_path / "v.csv", ["对象", "否决事项", "日期", "说明"], [["420202001", "安全生产", "2026-08-01", "较大事故"]]
    )
    out = tmp_path / "a.xlsx"
    args = [
        "score", "--period", "2026", "--input", str(path), "--other", str(other), "--vetoes", str(vetoes),
        "--json", "--out", str(out),
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    annual = {a["subject"]: a for a in json.loads(result.output)["annual"]}
    market = annual["420202-market"]
    # 0.30 × 88.75 + 0.70 × 90 = 26.625 + 63 = 89.625 → 89.63 (half up)
    assert market["score"] == "89.63" and market["passed"] and market["weight"] == "0.30"
    vetoed = annual["420202001"]
    assert not vetoed["passed"] and vetoed["vetoed"] and vetoed["reasons"][0].startswith("一票否决 安全生产")
    assert not annual["420202002"]["passed"] and not annual["420202002"]["vetoed"]  # below the pass mark
    book = load_workbook(out)
    assert "年度考核" in book.sheetnames and book["年度考核"].conditional_formatting
    too_low = CliRunner().invoke(
        _app(),
        ["score", "--period", "2026", "--input", str(path), "--other", str(other), "--department-weight", "0.29"],
    )
    assert too_low.exit_code == 1
    quarter = CliRunner().invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--other", str(other)])
    assert quarter.exit_code == 1
    # a w below its floor is refused even when no annual assessment is asked for
    for option, value in (("--department-weight", "0.29"), ("--street-weight", "0.1")):
        ignored = CliRunner().invoke(
            _app(), ["score", "--period", "2026Q3", "--input", str(path), option, value, "--json"]
        )
        assert ignored.exit_code == 1 and "below the floor" in ignored.stdout


def test_read_other_scores_errors(tmp_path: Path) -> None:
    from powerlist.scoring import read_other_scores

    bad = _csv(
        tmp_path / "o.csv", ["对象", "其他考核得分"], [["A", "101"], ["", "50"], ["B", "x"], ["C", "70.5"], ["C", "70"]]
    )
    with pytest.raises(InputError) as caught:
        read_other_scores(bad)
    assert [(p.cell, p.code) for p in caught.value.problems] == [
        ("B2", "bad-value"), ("A3", "missing-value"), ("B4", "bad-value"), ("A6", "duplicate-subject"),
    ]


def test_a_street_scored_on_the_default_staff_says_so(tmp_path: Path) -> None:
    """呼叫次数 is judged per member of staff: a figure resting on the default 编制人数 is flagged."""
    records = read_whistles(_csv(tmp_path / "w.csv", HEADER, ROWS))
    period = Period.parse("2026Q3")
    assumed = score_period(records, period)
    assert all(s.notes and "编制人数未知" in s.notes[0] for s in assumed.streets)
    assert all(s.as_json()["notes"] for s in assumed.streets)
    known = score_period(records, period, staff={s.street: 25 for s in assumed.streets})
    assert all(s.staff == 25 and s.notes == () for s in known.streets)
    path = write_report(assumed, tmp_path / "report.xlsx")
    sheet = load_workbook(path)["街道"]
    column = next(c.column_letter for c in sheet[2] if c.value == "说明")
    assert "编制人数未知" in sheet[f"{column}3"].value


def test_a_sheet_out_of_time_order_is_refused_at_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(
        "案件编号,街道,责任单位,哨类,等级,受理时间,响应时限,响应时间,办结时限,办结时间,满意度\n"
        "A1,420202001,420202-CG,日常哨,B,2026-07-01 09:00,2026-07-01 08:00,2026-07-01 10:00,2026-07-05 09:00,"
        "2026-07-01 09:30,满意\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_whistles(path)
    assert {(p.cell, p.field) for p in caught.value.problems} == {("G2", "respond_by"), ("J2", "completed_at")}


def test_json_says_as_of_when_and_whether_the_period_was_still_running(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", HEADER, ROWS)
    closed = json.loads(
        CliRunner().invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--json"]).stdout
    )
    assert closed["as_of"] == "2026-10-01T00:00:00+08:00" and closed["period_running"] is False
    running = json.loads(
        CliRunner().invoke(_app(), ["score", "--period", "2999", "--input", str(path), "--json"]).stdout
    )
    assert running["period_running"] is True
    as_of = ["--as-of", "2999-03-01T00:00:00+08:00"]
    given_time = json.loads(
        CliRunner().invoke(_app(), ["score", "--period", "2999", "--input", str(path), "--json", *as_of]).stdout
    )
    assert given_time["period_running"] is False and given_time["as_of"].startswith("2999-03-01T00:00:00")


def test_with_a_catalog_a_veto_against_an_unknown_code_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", HEADER, ROWS)
    vetoes = tmp_path / "v.csv"
    vetoes.write_text(
        "对象,否决事项,日期,说明\n420202001,安全生产,2026-08-01,\n420202-NOPE,环境保护,2026-08-01,\n", encoding="utf-8"
    )
    result = CliRunner().invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--vetoes", str(vetoes),
                                         "--catalog", "shipped", "--json"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["errors"]
    assert problem["value"] == "420202-NOPE" and problem["code"] == "unknown-subject"
    vetoes.write_text("对象,否决事项,日期,说明\n420202001,安全生产,2026-08-01,\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["score", "--period", "2026Q3", "--input", str(path), "--vetoes", str(vetoes),
                                         "--catalog", "shipped", "--json"])
    assert result.exit_code == 0, result.stdout
