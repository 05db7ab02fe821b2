"""Safe workbook opening: every hostile or broken file is one located InputError, and the
normalisation helpers every spreadsheet reader shares."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from powerlist.catalog.power_list import load_power_list
from powerlist.errors import InputError, ProblemCollector
from powerlist.sheets import package as sheets
from powerlist.sheets.headers import Vocabulary, normalise_header
from powerlist.sheets.package import scan_sheet_xml
from powerlist.sheets.text import cell_text, clean_code, clean_line, split_lines
from powerlist.sheets.workbook import Workbook

HEADER = ["序号", "事项编码", "事项名称", "权力类型", "实施依据"]


def valid_xlsx(path: Path, rows: list[list[object]] | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "清单"
    ws.append(HEADER)
    for row in rows or [[1, "1001", "对某行为的处罚", "行政处罚", "《某法》第一条"]]:
        ws.append(row)
    book.save(path)
    return path


def only_problem(path: Path) -> sheets.Problem:
    with pytest.raises(InputError) as caught:
        load_power_list(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    return problem


def rewrite_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == part else zin.read(info))
    return target


# ---- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("事项名称", "事项名称"),
    (" 事项\u3000名称\n", "事项名称"),
    ("事项名称（必填）", "事项名称"),
    ("*权力类型", "权力类型"),
    ("ＡＢＣ", "ABC"),
    (None, ""),
    (12, "12"),
])
def test_normalise_header(written: object, expected: str) -> None:
    assert normalise_header(written) == expected


def test_clean_line_and_split_lines() -> None:
    assert clean_line("\u3000对 无证\u3000经营 的处罚 ") == "对无证经营的处罚"
    assert clean_line("GB  T\u00a030428 第 2 部分") == "GB T 30428 第 2 部分"
    assert split_lines("《甲法》第一条；《乙法》第二条\r\n\n 《丙法》 ", ("；",)) == (
        "《甲法》第一条", "《乙法》第二条", "《丙法》")
    assert clean_code(" １００１ ") == "1001"


@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("x", "x"), (1001, "1001"), (1001.0, "1001"), (10.5, "10.5"), (True, "TRUE"),
    (datetime(2026, 1, 4), "2026-01-04"), (datetime(2026, 1, 4, 8, 30), "2026-01-04T08:30:00"),
    (date(2026, 1, 4), "2026-01-04"), (1e20, "1e+20"),
])
def test_cell_text(value: object, text: str | None) -> None:
    assert cell_text(value) == text


# ---- files that are not workbooks ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert only_problem(tmp_path / "nope.xlsx").code == "not-found"


def test_directory(tmp_path: Path) -> None:
    assert only_problem(tmp_path).code == "not-a-file"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert only_problem(path).code == "empty-file"


def test_csv_renamed(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_text("序号,事项名称,权力类型\n1,某事项,行政处罚\n", encoding="utf-8")
    problem = only_problem(path)
    assert problem.code == "not-xlsx"
    assert "text" in problem.message


def test_xls_renamed(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    problem = only_problem(path)
    assert problem.code == "not-xlsx"
    assert ".xls" in problem.message


def test_truncated_zip(tmp_path: Path) -> None:
    data = valid_xlsx(tmp_path / "ok.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert only_problem(path).code == "corrupt"


def test_corrupt_sheet_stream(tmp_path: Path) -> None:
    source = valid_xlsx(tmp_path / "ok.xlsx")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + info.compress_size - 5):
        data[i] ^= 0x5A
    path = tmp_path / "flipped.xlsx"
    path.write_bytes(bytes(data))
    problem = only_problem(path)
    assert problem.code == "corrupt"


def test_zip_without_workbook_part(tmp_path: Path) -> None:
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("hello.txt", "hi")
    problem = only_problem(path)
    assert problem.code == "not-xlsx"
    assert "xl/workbook.xml" in problem.message


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    problem = only_problem(path)
    assert problem.code == "zip-bomb"
    assert "ratio" in problem.message


def test_zip_bomb_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_TOTAL_BYTES", 1000)
    path = valid_xlsx(tmp_path / "ok.xlsx")
    assert only_problem(path).code == "zip-bomb"


def test_too_many_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_PARTS", 3)
    assert only_problem(valid_xlsx(tmp_path / "ok.xlsx")).code == "zip-bomb"


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 100)
    assert only_problem(valid_xlsx(tmp_path / "ok.xlsx")).code == "too-large"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def test_entity_expansion_in_workbook_part(tmp_path: Path) -> None:
    source = valid_xlsx(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/workbook.xml")
    xml = BILLION_LAUGHS + (xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml)
    path = rewrite_part(source, tmp_path / "lol.xlsx", "xl/workbook.xml", xml)
    problem = only_problem(path)
    assert problem.code == "corrupt"
    assert "entities" in problem.message


def test_entity_expansion_in_sheet(tmp_path: Path) -> None:
    source = valid_xlsx(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    xml = BILLION_LAUGHS + xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else (
        BILLION_LAUGHS + xml)
    path = rewrite_part(source, tmp_path / "lol.xlsx", "xl/worksheets/sheet1.xml", xml)
    problem = only_problem(path)
    assert problem.code == "corrupt"
    assert "entities" in problem.message


def test_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    assert only_problem(path).code == "empty-workbook"


def test_no_header(tmp_path: Path) -> None:
    path = tmp_path / "nohead.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["甲", "乙", "丙"])
    book.active.append([1, 2, 3])
    book.save(path)
    problem = only_problem(path)
    assert problem.code == "no-header"
    assert "事项名称" in problem.message


# ---- cells ------------------------------------------------------------------------------------


def test_formula_without_cached_value_names_the_cell(tmp_path: Path) -> None:
    path = valid_xlsx(tmp_path / "f.xlsx", [
        [1, "1001", "对某行为的处罚", "行政处罚", "《某法》"],
        [2, "=TEXT(1002,\"0\")", "对另一行为的处罚", "行政处罚", "《某法》"],
    ])
    problem = only_problem(path)
    assert (problem.sheet, problem.cell, problem.code) == ("清单", "B3", "formula-no-value")


def test_formula_outside_the_read_cells_is_ignored(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["=TODAY()"])
    ws.append(HEADER + ["合计"])
    ws.append([1, "1001", "对某行为的处罚", "行政处罚", "《某法》", "=1+1"])
    book.save(tmp_path / "f.xlsx")
    assert len(load_power_list(tmp_path / "f.xlsx")) == 1


def test_formula_with_cached_value_loads(tmp_path: Path) -> None:
    source = valid_xlsx(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    cached = xml.replace('<c r="A2" t="n"><v>1</v></c>', '<c r="A2"><f>0+1</f><v>1</v></c>')
    assert cached != xml
    path = rewrite_part(source, tmp_path / "cached.xlsx", "xl/worksheets/sheet1.xml",
                        cached.encode())
    assert len(load_power_list(path)) == 1


def test_scan_finds_merges_and_uncached_formulas() -> None:
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
           b'<c r="B1"><f t="shared" si="0"/></c></row><row r="2"><x:c r="C2"><x:f>1</x:f>'
           b'<x:v/></x:c></row></sheetData><mergeCells count="1"><mergeCell ref="A2:A5"/>'
           b'</mergeCells></worksheet>')
    scan = scan_sheet_xml(io.BytesIO(xml))
    assert scan.merges == [(2, 1, 5, 1)]
    assert scan.uncached_formulas == ["B1", "C2"]


def test_scan_survives_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "_CHUNK", 7)
    rows = b"".join(b'<row r="%d"><c r="A%d"><f>1</f></c></row>' % (i, i) for i in range(1, 30))
    xml = b"<worksheet><sheetData>" + rows + b'</sheetData><mergeCells><mergeCell ref="B2:B9"/>' \
        b'</mergeCells></worksheet>'
    scan = scan_sheet_xml(io.BytesIO(xml))
    assert scan.uncached_formulas == [f"A{i}" for i in range(1, 30)]
    assert scan.merges == [(2, 2, 9, 2)]


def test_overlong_cell(tmp_path: Path) -> None:
    # openpyxl cuts what it writes at Excel's limit, so the long cell is put in the XML directly
    source = valid_xlsx(tmp_path / "ok.xlsx", [[1, "1001", "对某行为的处罚", "行政处罚", "PLACE"]])
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(40_000))
    xml = xml.replace(b"PLACE", text.encode())
    path = rewrite_part(source, tmp_path / "long.xlsx", "xl/worksheets/sheet1.xml", xml)
    problem = only_problem(path)
    assert (problem.cell, problem.code) == ("E2", "cell-too-long")


@pytest.mark.parametrize(("value", "code"), [
    ("#N/A", "error-value"),
    ("#REF!", "error-value"),
    ("@SUM(A1:A9)", "formula-text"),
    ("+HYPERLINK(\"http://x\",\"y\")", "formula-text"),
    ("-cmd(1)", "formula-text"),
    ("cmd|' /C calc'!A0", "formula-text"),
    (" @SUM(1)", "formula-text"),
    ("-2+3+cmd|' /C calc'!A0", "formula-text"),  # DDE behind arithmetic
    ("+1+1", "formula-text"),
    ("-1 - 2", "formula-text"),
    ("-(1+1)*2", "formula-text"),
    ("+A1*2", "formula-text"),
    ("-2+SUM(1)", "formula-text"),
    ("@1&\"x\"", "formula-text"),
    ("+86-138-0000-0000", "formula-text"),  # Excel computes it: a number, not the phone number
])
def test_refused_cell_values(tmp_path: Path, value: str, code: str) -> None:
    path = valid_xlsx(tmp_path / "v.xlsx", [[1, "1001", value, "行政处罚", None]])
    problem = only_problem(path)
    assert (problem.cell, problem.code) == ("C2", code)


@pytest.mark.parametrize("value", ["-", "+86 0714", "+86 138 0000 0000", "A|B", "是|否", "#1 事项", "@街道",
                                   "-1", "-1.5%", "-住建", "-(试行)", "-1 + 2 个", "+ 见附件", "-1+"])
def test_harmless_text_that_starts_like_a_formula_loads(tmp_path: Path, value: str) -> None:
    path = valid_xlsx(tmp_path / "v.xlsx", [[1, "1001", value, "行政处罚", None]])
    assert load_power_list(path).items[0].name == value


def test_refused_value_in_a_merged_anchor_is_reported_once(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["事项编码", "事项名称", "子项", "权力类型"])
    ws.append(["1", "@SUM(1)", "一", "行政处罚"])
    ws.append([None, None, "二", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("D2:D3")
    book.save(tmp_path / "m.xlsx")
    with pytest.raises(InputError) as caught:
        load_power_list(tmp_path / "m.xlsx")
    assert [(p.cell, p.code) for p in caught.value.problems] == [("B2", "formula-text")]


def test_wrong_dimension_does_not_cut_rows(tmp_path: Path) -> None:
    source = valid_xlsx(tmp_path / "ok.xlsx", [
        [i, f"10{i:02d}", f"事项{i}", "行政处罚", None] for i in range(1, 11)])
    with zipfile.ZipFile(source) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    xml = xml.replace('<dimension ref="A1:E11"', '<dimension ref="A1:B2"')
    path = rewrite_part(source, tmp_path / "dim.xlsx", "xl/worksheets/sheet1.xml", xml.encode())
    assert len(load_power_list(path)) == 10


# ---- the generic reader -----------------------------------------------------------------------


def test_generic_table_reader(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "区县"
    ws.append(["区县表"])
    ws.append(["区县 编码", "区县名称"])
    ws.append(["420202", "黄石港区"])
    ws.append([None, None])
    ws.append([420203, "西塞山区"])
    book.save(path)
    vocabulary = Vocabulary({"code": ("区县编码",), "name": ("区县名称",)},
                            required=("code", "name"))
    problems = ProblemCollector(str(path))
    with Workbook(path) as workbook:
        assert [s.name for s in workbook.sheets] == ["区县"]
        header, rows = workbook.table("区县", vocabulary, problems)
        assert header is not None and header.row == 2
        assert header.letters == {"code": "A", "name": "B"}
        got = [(r.number, cell_text(r.values["code"]), r.values["name"]) for r in rows]
    assert got == [(3, "420202", "黄石港区"), (5, "420203", "西塞山区")]
    assert not problems
