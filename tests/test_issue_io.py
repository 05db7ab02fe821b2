"""Issue files in: JSONL, CSV (BOM, Chinese headers, bad bytes) and XLSX, every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from test_router import C1, S2, tiny_catalog

from powerlist.errors import InputError
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(tiny_catalog(), RuleSet.load())


def test_jsonl_bad_lines_become_located_rejections(tmp_path: Path, router: Router) -> None:
    path = tmp_path / "issues.jsonl"
    path.write_text(
        f'{{"id": "A1", "received_at": "2026-11-23T10:00:00", "category": "C01", "location": "{C1}"}}\n'
        "\n"
        "{not json\n"
        "[1, 2]\n"
        f'{{"工单编号": "A5", "受理时间": "2026-11-23 10:00", "问题分类": "C01", "社区": "{C1}", "是否紧急": "是"}}\n'
        f'{{"id": "A6", "received_at": "2026-11-23T10:00:00", "category": "C01", "location": "{C1}", '
        '"colour": "red"}\n',
        encoding="utf-8",
    )
    decisions = list(router.route_many(read_issues(path)))
    assert [d.status for d in decisions] == ["routed", "rejected", "rejected", "routed", "rejected"]
    assert (decisions[1].errors[0].row, decisions[1].errors[0].code) == (3, "json")
    assert decisions[2].errors[0].row == 4
    assert decisions[3].whistle == "emergency"
    assert (decisions[4].errors[0].row, decisions[4].errors[0].field, decisions[4].issue_id) == (6, "colour", "A6")


def test_csv_with_bom_chinese_headers_and_yes_no(tmp_path: Path, router: Router) -> None:
    path = tmp_path / "issues.csv"
    text = (
        "工单编号,受理时间,问题分类,街道,社区,渠道,诉求类型,是否紧急,重点工作,需要执法,跨部门,重复次数,问题描述,备注\n"
        f"B1,2026/11/23 10:00,C01,{S2},{C1},12345热线,投诉,否,否,否,否,0,占道经营,x\n"
        f"B2,2026-11-23T10:00:00,C01,{S2},,12345,咨询,否,是,否,否,,,\n"
        f"B3,2026-11-23T10:00:00,C01,{S2},,12345,咨询,也许,否,否,否,2,,\n"
        ",,,,,,,,,,,,,\n"
        f"B5,yesterday,C01,{S2},,,,,,,,,,\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    decisions = list(router.route_many(read_issues(path)))
    assert [d.issue_id for d in decisions] == ["B1", "B2", "B3", "B5"]
    assert decisions[0].lead is not None and decisions[0].lead.code == "420202001"  # 社区 wins over 街道
    assert decisions[1].whistle == "key" and decisions[1].street == S2
    assert (decisions[2].status, decisions[2].errors[0].field, decisions[2].errors[0].row) == (
        "rejected", "emergency", 4)
    assert (decisions[3].errors[0].field, decisions[3].errors[0].row, decisions[3].errors[0].file) == (
        "received_at", 6, str(path))


def test_csv_undecodable_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(b"id,category\nX1,C01\n" + "X2,占道\n".encode("gbk"))
    with pytest.raises(InputError) as caught:
        list(read_issues(path))
    problem = caught.value.problems[0]
    assert (problem.row, problem.code) == (3, "encoding")
    assert [r.data["category"] for r in read_issues(path, encoding="gb18030")] == ["C01", "占道"]


def test_unreadable_files_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_issues(tmp_path / "missing.csv")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unknown issue file type"):
        read_issues(tmp_path / "a.pdf")
    (tmp_path / "h.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no issue column"):
        read_issues(tmp_path / "h.csv")
    (tmp_path / "fake.xlsx").write_text("id,category\n", encoding="utf-8")
    with pytest.raises(InputError):
        list(read_issues(tmp_path / "fake.xlsx"))


def test_xlsx_with_title_row_and_located_cells(tmp_path: Path, router: Router) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "工单"
    sheet.append(["2026年11月12345工单导出"])
    sheet.append(["编号", "受理时间", "分类编码", "发生地点", "诉求类型", "是否紧急", "重复次数"])
    sheet.append([101, "2026-11-23 10:00", "C01", int(C1), "投诉", "否", 0])
    sheet.append(["X2", "2026-11-23 10:00", "C01", C1, "投诉", "否", "many"])
    sheet.append(["X3", "2026-11-23 10:00", "NOPE", C1, None, None, None])
    path = tmp_path / "issues.xlsx"
    book.save(path)
    decisions = list(router.route_many(read_issues(path)))
    assert [d.status for d in decisions] == ["routed", "rejected", "rejected"]
    assert decisions[0].issue_id == "101"
    problem = decisions[1].errors[0]
    assert (problem.sheet, problem.cell, problem.field) == ("工单", "G4", "repeat_count")
    assert (decisions[2].errors[0].cell, decisions[2].errors[0].code) == ("C5", "unknown-category")


def test_xlsx_cell_too_long_rejects_its_row(tmp_path: Path, router: Router) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "受理时间", "问题分类", "社区", "问题描述"])
    sheet.append(["L1", "2026-11-23 10:00", "C01", C1, "x" * 40_000])
    sheet.append(["L2", "2026-11-23 10:00", "C01", C1, "ok"])
    path = tmp_path / "long.xlsx"
    book.save(path)
    decisions = list(router.route_many(read_issues(path)))
    assert [d.status for d in decisions] == ["rejected", "routed"]
    assert decisions[0].errors[0].cell == "E2"


def test_json_array_file(tmp_path: Path, router: Router) -> None:
    path = tmp_path / "issues.json"
    path.write_text(f'[{{"id": "J1", "received_at": "2026-11-23T10:00", "category": "C01", "location": "{C1}"}}, 7]',
                    encoding="utf-8")
    decisions = list(router.route_many(read_issues(path)))
    assert [d.status for d in decisions] == ["routed", "rejected"]
    assert decisions[1].errors[0].row == 2


def test_hostile_json_lines_are_rejected_rows(tmp_path: Path, router: Router) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_text("[" * 100_000 + "\n" + '{"id": "N", "repeat_count": ' + "9" * 10_000 + "}\n", encoding="utf-8")
    decisions = list(router.route_many(read_issues(path)))
    assert [(d.status, d.errors[0].row) for d in decisions] == [("rejected", 1), ("rejected", 2)]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply|not valid JSON"):
        list(read_issues(deep))


def test_a_description_that_looks_like_a_formula_is_kept_as_text(tmp_path) -> None:
    """A resident's words are data: a phone number (+86-138-…) or "=…" in 问题描述 must not
    cost the issue its routing; outputs make such text inert instead (powerlist.sheets.cells)."""
    import openpyxl

    from powerlist.routing.issue_io import read_issues

    path = tmp_path / "issues.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "受理时间", "分类编码", "发生地点", "问题描述"])
    for n, text in enumerate(["+86-138-0000-0000 回电", "=1+1", "@街道 请处理"], start=1):
        sheet.append([f"F{n}", "2026-11-23T09:00:00", "BJ0104", "420202001001", text])
        sheet.cell(row=n + 1, column=5).data_type = "s"
    book.save(path)
    rows = list(read_issues(path))
    assert all(not r.problems for r in rows)
    assert [r.data["description"] for r in rows] == [
        "+86-138-0000-0000 回电",
        "=1+1",
        "@街道 请处理",
    ]


def test_a_code_cell_that_looks_like_a_formula_is_still_refused(tmp_path) -> None:
    import openpyxl

    from powerlist.routing.router import Router

    path = tmp_path / "issues.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "受理时间", "分类编码", "发生地点"])
    sheet.append(["F1", "2026-11-23T09:00:00", "=HYPERLINK(\"http://x\",\"y\")", "420202001001"])
    sheet.cell(row=2, column=3).data_type = "s"
    book.save(path)
    from powerlist.routing.issue_io import read_issues

    (decision,) = Router.default().route_many(read_issues(path))
    assert decision.status == "rejected"
    assert any(p.cell == "C2" for p in decision.errors)


def test_excel_csv_export_times_are_read(tmp_path: Path, router: Router) -> None:
    # Excel's zh-CN CSV export writes date-times as "2026/11/23 9:05" (no leading zero)
    path = tmp_path / "excel.csv"
    path.write_text(f"工单编号,受理时间,问题分类,发生地点\nE1,2026/11/23 9:05,C01,{C1}\n"
                    f"E2,2026/11/3 14:30:15,C01,{C1}\nE3,2026/11/23 9:5,C01,{C1}\n", encoding="utf-8")
    decisions = list(router.route_many(read_issues(path)))
    assert [d.status for d in decisions] == ["routed", "routed", "rejected"]
    records = list(read_issues(path))
    assert records[0].data["received_at"] == "2026-11-23 09:05"
    assert records[1].data["received_at"] == "2026-11-03 14:30:15"
    assert decisions[2].errors[0].field == "received_at"


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "xlsx"])
def test_an_id_used_twice_in_one_file_rejects_the_later_row(tmp_path: Path, router: Router, suffix: str) -> None:
    # one file, one decision per id: a copy-pasted row must not silently route twice
    rows = [("D1", "2026-11-23T10:00:00", "C01", C1), ("D2", "2026-11-23T10:00:00", "C01", C1),
            ("D1", "2026-11-24T10:00:00", "C01", C1)]
    path = tmp_path / f"dup.{suffix}"
    if suffix == "jsonl":
        import json

        names = ("id", "received_at", "category", "location")
        path.write_text("".join(json.dumps(dict(zip(names, r, strict=True))) + "\n" for r in rows),
                        encoding="utf-8")
    elif suffix == "csv":
        path.write_text("id,received_at,category,location\n" + "".join(",".join(r) + "\n" for r in rows),
                        encoding="utf-8")
    else:
        book = Workbook()
        book.active.append(["id", "received_at", "category", "location"])
        for r in rows:
            book.active.append(list(r))
        book.save(path)
    decisions = list(router.route_many(read_issues(path)))
    assert [(d.issue_id, d.status) for d in decisions] == [("D1", "routed"), ("D2", "routed"), ("D1", "rejected")]
    (problem,) = decisions[2].errors
    assert problem.code == "duplicate-id" and problem.field == "id" and problem.file == str(path)
    first, later = (1, 3) if suffix == "jsonl" else (2, 4)
    assert problem.row == later and f"row {first}" in problem.message
    if suffix == "xlsx":
        assert problem.cell == "A4"


def test_an_infinite_channel_is_a_located_rejection(router: Router) -> None:
    # found by the fuzz test: Issue reads a numeric channel through int(), and int(inf) raises
    # OverflowError, which stopped the whole batch
    items = [
        {"id": "I1", "received_at": "2026-11-23T10:00", "category": "C01", "location": C1, "channel": float("inf")},
        {"id": "I2", "received_at": "2026-11-23T10:00", "category": "C01", "location": C1, "channel": float("nan")},
        {"id": "I3", "received_at": "2026-11-23T10:00", "category": "C01", "location": C1, "channel": 12345.0},
    ]
    decisions = list(router.route_many(items))
    assert [d.status for d in decisions] == ["rejected", "rejected", "routed"]
    assert [p.field for d in decisions[:2] for p in d.errors] == ["channel", "channel"]


def test_every_issue_sheet_of_a_workbook_is_read(tmp_path: Path, router: Router) -> None:
    # a month per sheet is a common export: the second sheet's issues were silently dropped
    book = Workbook()
    november = book.active
    november.title = "11月"
    november.append(["工单编号", "受理时间", "问题分类", "发生地点"])
    november.append(["N1", "2026-11-23 10:00", "C01", C1])
    notes = book.create_sheet("说明")
    notes.append(["本表为示意"])
    december = book.create_sheet("12月")
    december.append(["工单编号", "受理时间", "问题分类", "发生地点"])
    december.append(["D1", "2026-12-03 10:00", "C01", C1])
    december.append(["N1", "2026-12-04 10:00", "C01", C1])
    hidden = book.create_sheet("旧表")
    hidden.append(["工单编号", "受理时间", "问题分类", "发生地点"])
    hidden.append(["H1", "2026-12-03 10:00", "C01", C1])
    hidden.sheet_state = "hidden"
    path = tmp_path / "months.xlsx"
    book.save(path)
    decisions = list(router.route_many(read_issues(path)))
    assert [(d.issue_id, d.status) for d in decisions] == [("N1", "routed"), ("D1", "routed"), ("N1", "rejected")]
    problems = {p.code: p for p in decisions[2].errors}
    assert problems["duplicate-id"].sheet == "12月" and problems["duplicate-id"].cell == "A3"
    assert "11月!row 2" in problems["duplicate-id"].message


def test_a_bad_header_on_any_issue_sheet_refuses_the_file(tmp_path: Path) -> None:
    # nothing half-loaded: the second sheet's duplicate column is found before any row is given
    book = Workbook()
    book.active.append(["工单编号", "受理时间", "问题分类", "发生地点"])
    book.active.append(["A1", "2026-11-23 10:00", "C01", C1])
    second = book.create_sheet("二")
    second.append(["工单编号", "受理时间", "问题分类", "发生地点", "问题分类"])
    second.append(["B1", "2026-11-23 10:00", "C01", C1, "C01"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_issues(path)
    assert caught.value.problems[0].sheet == "二"
