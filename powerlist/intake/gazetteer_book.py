"""The gazetteer workbook (地名地址库): which roads, house numbers, 小区/楼盘 and landmarks lie in
which community, read and written the way every powerlist workbook is.

One sheet (any name; the first with a gazetteer header) with these columns (aliases in brackets;
header found under title rows, merged cells inherited, see `powerlist.sheets.workbook`):

| column | what |
|---|---|
| 类型 (地名类型, 类别) | 道路 (道路门牌, 路) · 小区 (楼盘, 小区楼盘, 小区/楼盘) · 地标 (单位, 标志物) |
| 名称 (地名, 道路名称, 路名, 小区名称) | the name as residents write it |
| 别名 (又名, 俗称) | other names, separated by 、 ， ; or line breaks |
| 起始门牌号 (起始号) / 终止门牌号 (终止号) | a road row's number range (both or neither: the whole road) |
| 单双号 (单双) | 全部 (blank) · 单号 · 双号: which numbers of the range |
| 社区编码 (所属社区编码) | the community (a code of the catalog) |
| 街道编码 (所属街道编码) | the street, when a row names no community (or to check it) |
| 社区名称 · 街道名称 | for people; not read |
| 来源 · 备注 | where the row came from; notes |

Every row names a community or a street of the catalog; a community's street must equal a
street given on the same row. Every problem is reported at once (file, sheet, cell).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..catalog.catalog import Catalog
from ..errors import ProblemCollector
from ..sheets.cell_checks import is_refused
from ..sheets.headers import Vocabulary
from ..sheets.text import cell_text, clean_code, clean_line
from ..sheets.workbook import Workbook

FIELDS: dict[str, tuple[str, ...]] = {
    "kind": ("类型", "地名类型", "类别", "kind"),
    "name": ("名称", "地名", "道路名称", "路名", "小区名称", "name"),
    "aliases": ("别名", "又名", "俗称", "aliases"),
    "first": ("起始门牌号", "起始号", "门牌起", "起始门牌"),
    "last": ("终止门牌号", "终止号", "门牌止", "终止门牌"),
    "parity": ("单双号", "单双"),
    "community": ("社区编码", "所属社区编码", "community"),
    "street": ("街道编码", "所属街道编码", "street"),
    "community_name": ("社区名称", "所属社区"),
    "street_name": ("街道名称", "所属街道"),
    "source": ("来源", "source"),
    "note": ("备注", "note"),
}
VOCABULARY = Vocabulary(FIELDS, required=("kind", "name"), near_miss=3, free_text=("note",))
HEADER = ["类型", "名称", "别名", "起始门牌号", "终止门牌号", "单双号", "社区编码", "街道编码", "社区名称",
          "街道名称", "来源", "备注"]
SHEET = "地名地址"
KINDS = {"道路": "road", "道路门牌": "road", "路": "road", "road": "road",
         "小区": "estate", "楼盘": "estate", "小区楼盘": "estate", "小区/楼盘": "estate", "estate": "estate",
         "地标": "landmark", "单位": "landmark", "标志物": "landmark", "landmark": "landmark"}
KIND_LABELS = {"road": "道路", "estate": "小区", "landmark": "地标"}
PARITIES = {"": "all", "全部": "all", "单号": "odd", "单": "odd", "双号": "even", "双": "even"}
_SPLIT = re.compile(r"[、，,;；\n]+")
SUMMARY = "地名地址库无法使用 (cannot use the gazetteer)"
FIXED_TIME = datetime(2026, 1, 1)


@dataclass(frozen=True)
class Entry:
    """One gazetteer row: a name (and aliases) → a community or a street."""

    kind: str  # road | estate | landmark
    name: str
    aliases: tuple[str, ...]
    community: str | None
    street: str
    first: int | None = None  # house-number range of a road row
    last: int | None = None
    parity: str = "all"  # all | odd | even
    source: str = ""
    origin: str = ""  # "file: sheet!row" for messages

    def covers(self, number: int) -> bool:
        if self.first is None or self.last is None:
            return True
        if not self.first <= number <= self.last:
            return False
        return self.parity == "all" or (number % 2 == 1) == (self.parity == "odd")


def _number(value: Any) -> int | None | str:
    """A house number cell: an int, None when blank, or the text when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = clean_code(str(value)).removesuffix("号")
    return int(text) if text.isdigit() else str(value)


def read_gazetteer(path: str | Path, catalog: Catalog) -> list[Entry]:
    """Every row of a gazetteer workbook, checked against `catalog`; InputError lists every problem."""
    file = str(path)
    problems = ProblemCollector(file)
    entries: list[Entry] = []
    with Workbook(path, file) as book:
        tables = list(book.tables(VOCABULARY, problems))
        if not tables and not problems:
            problems.add("没有地名地址表头（应有 类型、名称、社区编码 等列）"
                         "(no gazetteer header: expected 类型, 名称, 社区编码 …)", code="missing-column")
        for sheet, header, rows in tables[:1]:
            for row in rows:
                entry = _entry(row.values, row.number, sheet, header, catalog, problems, file)
                if entry is not None:
                    entries.append(entry)
    problems.raise_if_any(SUMMARY)
    return entries


def _entry(values: dict[str, Any], number: int, sheet: str, header: Any, catalog: Catalog,
           problems: ProblemCollector, file: str) -> Entry | None:
    def bad(field: str, message: str, value: Any = None) -> None:
        problems.add(message, sheet=sheet, cell=header.cell(field, number), row=number, field=field,
                     value=None if value is None else str(value), code="bad-cell")

    if any(is_refused(v) for v in values.values()):
        return None
    before = len(problems.problems)
    text = {k: clean_line(cell_text(v) or "") for k, v in values.items()}
    kind = KINDS.get(text.get("kind", ""))
    if kind is None:
        bad("kind", "类型应为 道路、小区 或 地标 (kind must be 道路, 小区 or 地标)", text.get("kind"))
    name = "".join(text.get("name", "").split())
    if not name:
        bad("name", "名称为空 (empty name)")
    aliases = tuple(a for a in ("".join(part.split()) for part in _SPLIT.split(text.get("aliases", ""))) if a)
    first, last = _number(values.get("first")), _number(values.get("last"))
    for field, value in (("first", first), ("last", last)):
        if isinstance(value, str):
            bad(field, "门牌号应为整数 (a house number must be a whole number)", value)
    if isinstance(first, int) and isinstance(last, int) and first > last:
        bad("last", f"终止门牌号小于起始门牌号 {first} (the last number is below the first, {first})", last)
    if (first is None) != (last is None):
        bad("first" if first is None else "last", "起始和终止门牌号应同时填写或同时留空 (give both numbers or neither)")
    if (first is not None or last is not None) and kind not in (None, "road"):
        bad("first", "只有道路行有门牌号范围 (only a road row has a house-number range)")
    parity = PARITIES.get(text.get("parity", ""))
    if parity is None:
        bad("parity", "单双号应为 全部、单号 或 双号 (parity must be 全部, 单号 or 双号)", text.get("parity"))
    community = clean_code(text.get("community", "")) or None
    street = clean_code(text.get("street", "")) or None
    if community is not None and community not in catalog.communities:
        bad("community", "目录中没有这个社区编码 (no such community code in the catalog)", community)
    if street is not None and street not in catalog.streets:
        bad("street", "目录中没有这个街道编码 (no such street code in the catalog)", street)
    found = catalog.communities.get(community) if community is not None else None
    if found is not None and street in catalog.streets and found.street != street:
        bad("street", f"社区 {community} 属于街道 {found.street} (community {community} lies in street {found.street})",
            street)
    if community is None and street is None:
        bad("community", "应填社区编码或街道编码 (give a community code or a street code)")
    if len(problems.problems) > before:
        return None
    assert kind is not None and parity is not None
    owner = catalog.communities[community].street if community else street
    assert owner is not None
    return Entry(kind, name, aliases, community, owner, first if isinstance(first, int) else None,
                 last if isinstance(last, int) else None, parity, text.get("source", ""), f"{file}: {sheet}!{number}")


def write_gazetteer(path: str | Path, rows: list[list[Any]], title: str | None = None,
                    notes: Sequence[str] = ()) -> None:
    """A gazetteer workbook with `rows` (in HEADER order), written with fixed timestamps so the
    same rows give the same bytes. Text is written as plain string cells (never a formula)."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font, PatternFill

    from ..sheets.cells import write_xlsx_cell

    book = NewWorkbook()
    sheet = book.create_sheet(SHEET, 0)
    for extra in [s for s in book.worksheets if s is not sheet]:
        book.remove(extra)
    book.properties.creator = "powerlist"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    start = 1
    if title:
        write_xlsx_cell(sheet, 1, 1, title).font = Font(bold=True, size=13)
        start = 2
    for column, label in enumerate(HEADER, start=1):
        cell = write_xlsx_cell(sheet, start, column, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None and value != "":
                write_xlsx_cell(sheet, start + offset, column, value)
    for letter, width in zip("ABCDEFGHIJKL", (8, 18, 16, 10, 10, 8, 15, 12, 12, 12, 40, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)
    if notes:
        guide = book.create_sheet("说明")
        guide.column_dimensions["A"].width = 120
        for number, line in enumerate(notes, start=1):
            write_xlsx_cell(guide, number, 1, line)
    buffer = io.BytesIO()
    book.save(buffer)
    Path(path).write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The workbook's zip with fixed entry times and core-property times (byte-reproducible)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


TEMPLATE_NOTES = [
    "地名地址库：每行一个道路门牌段、小区/楼盘或地标，指向一个社区（或只指向街道）。",
    "Gazetteer: one row per road number range, 小区/楼盘 or landmark, pointing to a community (or only a street).",
    "类型：道路 / 小区 / 地标。名称：居民怎么写就怎么填；别名用“、”分隔。",
    "道路行可填 起始门牌号、终止门牌号（同时填或同时空）和 单双号（全部/单号/双号）；不填即整条路。",
    "社区编码、街道编码：目录（organisation.xlsx）中的编码；填了社区即可，街道由社区推出。",
    "来源：这一行从哪里来（民政区划地名、网格地址库、实地核对……）。",
    "例 Example：道路 | 磁湖路 | | 1 | 149 | 全部 | 420202002003 | | 磁湖社区 | | 民政区划地名 |",
    "例 Example：小区 | 丽岛花园 | 丽岛 | | | | 420202002003 | | | | 网格地址库 |",
    "检查 Check: powerlist gazetteer check FILE",
    "试解析 Try: powerlist gazetteer resolve \"磁湖路88号\" --gazetteer FILE",
]


def write_template(path: str | Path) -> None:
    """An empty gazetteer for a city's own places (header only), with a 说明 sheet."""
    write_gazetteer(path, [], title="地名地址库（道路门牌、小区/楼盘、地标 → 社区）", notes=TEMPLATE_NOTES)

