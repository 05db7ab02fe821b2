"""Properties of the power-list loader.

1. Any valid power list, written the way people write them (title rows, merged parent cells
   over sub-items, blank rows, alias headers in any order, full-width and stray spaces, line
   breaks, codes as numbers, kinds by name or code, several sheets, hidden and unrelated
   sheets), loads back equal.
2. Garbage — random cells under a header, random files, a valid file with bytes flipped or
   cut — never raises anything but InputError.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerlist.catalog.delegation import read_delegation_workbook
from powerlist.catalog.item_rows import POWER_LIST_FIELDS
from powerlist.catalog.models import DelegationMode, PowerItem, PowerKind, Street
from powerlist.catalog.power_list import PowerList, load_power_list
from powerlist.errors import InputError
from powerlist.sheets.text import clean_line

SETTINGS = settings(max_examples=int(__import__("os").environ.get("LOADER_EXAMPLES", "40")),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

CJK = "事项对未按规定的处罚许可检查行政城市道路占用经营食品安全生产监督管理条例法第一二三十条款街道社区"
ALPHABET = CJK + "ABCxyz0123456789（）《》、·-/ "
WHITESPACE = st.sampled_from(["", " ", "  ", "\u3000", "\u00a0", "\n", " \u3000"])
FIELDS = ("seq", "code", "name", "sub_item", "kind", "department", "legal_basis",
          "responsibilities", "accountability", "mode", "source", "note")

texts = st.text(alphabet=ALPHABET, min_size=1, max_size=12).map(clean_line).filter(
    lambda t: bool(t) and not t.startswith(("-", "+", "@")))
optional_texts = st.none() | texts
lines = st.lists(texts, min_size=0, max_size=3, unique=True).map(tuple)


@st.composite
def items(draw: st.DrawFn) -> list[tuple[PowerItem, int]]:
    """Items with, for each, the size of the merged group it heads (1 = not merged);
    sub-items of a group follow their head."""
    count = draw(st.integers(1, 8))
    codes = draw(st.lists(st.integers(1, 99_999), min_size=count, max_size=count, unique=True))
    out: list[tuple[PowerItem, int]] = []
    for number in codes:
        code = draw(st.sampled_from([str(number), f"A{number}", f"0{number}"]))
        group = draw(st.sampled_from([1, 1, 1, 2, 3]))
        base = dict(
            name=draw(texts),
            kind=draw(st.sampled_from(list(PowerKind))),
            department=draw(optional_texts),
            mode=draw(st.none() | st.sampled_from(list(DelegationMode))),
        )
        subs = draw(st.lists(texts, min_size=group, max_size=group, unique=True))
        for n in range(group):
            out.append((PowerItem(
                code=code if group == 1 else f"{code}-{n + 1}",
                sub_item=draw(optional_texts) if group == 1 else subs[n],
                legal_basis=draw(lines),
                responsibilities=draw(lines),
                accountability=draw(lines),
                source=draw(texts | st.just("")),
                note=draw(texts | st.just("")),
                **base,
            ), group if n == 0 else 0))
    return out


@dataclass
class Layout:
    title_rows: int
    order: list[str]
    aliases: dict[str, str]
    blank_every: int
    split: int  # items before this index go to the first sheet, the rest to a second
    readme_sheet: bool
    hidden_sheet: bool
    ignored_column: bool


@st.composite
def layouts(draw: st.DrawFn, size: int) -> Layout:
    order = draw(st.permutations(FIELDS))
    aliases = {f: draw(st.sampled_from(POWER_LIST_FIELDS[f])) for f in FIELDS}
    return Layout(
        title_rows=draw(st.integers(0, 3)),
        order=list(order),
        aliases=aliases,
        blank_every=draw(st.integers(0, 3)),
        split=draw(st.integers(0, size)),
        readme_sheet=draw(st.booleans()),
        hidden_sheet=draw(st.booleans()),
        ignored_column=draw(st.booleans()),
    )


def noisy(draw: st.DrawFn, text: str) -> str:
    return draw(WHITESPACE) + text + draw(WHITESPACE)


def written_header(draw: st.DrawFn, alias: str) -> str:
    spaced = draw(st.sampled_from(["", " ", "\u3000", "\n"])).join(alias)
    return noisy(draw, spaced)


def written_code(draw: st.DrawFn, code: str) -> Any:
    if code.isdigit() and not code.startswith("0"):
        return draw(st.sampled_from([code, int(code), float(code), noisy(draw, code)]))
    return noisy(draw, code)


def written_kind(draw: st.DrawFn, kind: PowerKind) -> Any:
    return draw(st.sampled_from([kind.value, int(kind.value), kind.label,
                                 kind.label.removeprefix("行政"), noisy(draw, kind.label)]))


def written_lines(draw: st.DrawFn, values: tuple[str, ...], citation: bool) -> str | None:
    if not values:
        return draw(st.sampled_from([None, "", " \n "]))
    separator = draw(st.sampled_from(["\n", "\r\n", "\n\n", " \n\u3000"] +
                                     (["；", ";", "；\n"] if citation else [])))
    return noisy(draw, separator.join(values))


def write_sheet(draw: st.DrawFn, ws: Any, rows: list[tuple[PowerItem, int]], layout: Layout,
                title: bool) -> None:
    if title:
        for n in range(layout.title_rows):
            ws.append([f"第{n + 1}批 街道通用清单（示意）"] if n == 0 else [None, "单位：项"])
    header = [written_header(draw, layout.aliases[f]) for f in layout.order]
    if layout.ignored_column:
        header.append("审核转报")
    ws.append(header)
    merge_from: dict[str, int] = {}
    for index, (item, group) in enumerate(rows):
        if layout.blank_every and index % layout.blank_every == 0 and group != 0:
            ws.append([None] * len(header))
        inherited = group == 0
        values: dict[str, Any] = {
            "seq": None if inherited else index + 1,
            "code": None if inherited else written_code(
                draw, item.code.rsplit("-", 1)[0] if group > 1 else item.code),
            "name": None if inherited else noisy(draw, item.name),
            "kind": None if inherited else written_kind(draw, item.kind),
            "department": None if inherited else (noisy(draw, item.department)
                                                  if item.department else None),
            "mode": None if inherited else (item.mode.label if item.mode else None),
            "sub_item": noisy(draw, item.sub_item) if item.sub_item else None,
            "legal_basis": written_lines(draw, item.legal_basis, citation=True),
            "responsibilities": written_lines(draw, item.responsibilities, citation=False),
            "accountability": written_lines(draw, item.accountability, citation=False),
            "source": noisy(draw, item.source) if item.source else None,
            "note": noisy(draw, item.note) if item.note else None,
        }
        row = [values[f] for f in layout.order] + (["是"] if layout.ignored_column else [])
        ws.append(row)
        if group > 1:
            merge_from = {f: ws.max_row for f in ("seq", "code", "name", "kind", "department",
                                                  "mode")}
            for f, start in merge_from.items():
                column = layout.order.index(f) + 1
                letter = openpyxl.utils.get_column_letter(column)
                ws.merge_cells(f"{letter}{start}:{letter}{start + group - 1}")


def without_origin(item: PowerItem) -> PowerItem:
    return item.model_copy(update={"origin": None})


@SETTINGS
@given(data=st.data())
def test_a_valid_list_with_layout_noise_loads_back_equal(data: st.DataObject) -> None:
    rows = data.draw(items())
    layout = data.draw(layouts(len(rows)))
    while 0 < layout.split < len(rows) and rows[layout.split][1] == 0:
        layout.split += 1  # never split a merged group across sheets
    book = openpyxl.Workbook()
    book.remove(book.active)
    parts = [rows[: layout.split], rows[layout.split:]]
    if layout.readme_sheet:
        book.create_sheet("说明").append(["填表说明：每行一个事项"])
    sheet_count = 0
    for part in parts:
        if not part:
            continue
        sheet_count += 1
        write_sheet(data.draw, book.create_sheet(f"清单{sheet_count}"), part, layout,
                    title=sheet_count == 1)
    if layout.hidden_sheet:
        hidden = book.create_sheet("旧版")
        hidden.sheet_state = "hidden"
        hidden.append(["事项编码", "事项名称", "权力类型"])
        hidden.append([rows[0][0].code, "旧事项", "行政处罚"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.xlsx"
        book.save(path)
        loaded = load_power_list(path)
    assert [without_origin(i) for i in loaded.items] == [item for item, _ in rows]
    assert all(i.origin is not None and i.origin.sheet.startswith("清单") for i in loaded.items)


# ---- garbage ----------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=20).map(lambda t: "".join(c for c in t if c.isprintable())),
    st.sampled_from(["事项名称", "权力类型", "事项编码", "行政处罚", "02", "下放", "子项", "=1+1", "@SUM(A1)",
                     " ", "\u3000"]),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


def loads_or_input_error(path: Path) -> PowerList | None:
    try:
        return load_power_list(path)
    except InputError as error:
        assert error.problems and all(p.file == str(path) for p in error.problems)
        return None


@SETTINGS
@given(header=st.lists(st.sampled_from(["序号", "事项编码", "事项名称", "子项", "权力类型", "实施依据",
                                        "承接方式", "备注", "随便"]), min_size=0, max_size=8),
       grid=st.lists(st.lists(cell_values, max_size=8), max_size=12),
       merges=st.lists(st.tuples(st.integers(1, 14), st.integers(1, 8), st.integers(0, 3),
                                 st.integers(0, 2)), max_size=3))
def test_random_cells_raise_only_input_error(header: list[str], grid: list[list[Any]],
                                             merges: list[tuple[int, int, int, int]]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header)
    for row in grid:
        ws.append(row)
    taken: set[tuple[int, int]] = set()
    for row, col, down, right in merges:
        cells = {(r, c) for r in range(row, row + down + 1) for c in range(col, col + right + 1)}
        if (down or right) and not cells & taken:
            taken |= cells
            ws.merge_cells(start_row=row, start_column=col, end_row=row + down,
                           end_column=col + right)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garbage.xlsx"
        book.save(path)
        loads_or_input_error(path)


def _valid_bytes() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["事项编码", "事项名称", "权力类型", "实施依据"])
    for n in range(30):
        ws.append([1000 + n, f"事项{n}", "行政处罚", f"《某法》第{n}条"])
    ws.merge_cells("D2:D4")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID = _valid_bytes()


@SETTINGS
@given(flips=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)),
                      min_size=1, max_size=6),
       cut=st.none() | st.integers(0, len(VALID)))
def test_damaged_files_raise_only_input_error(flips: list[tuple[int, int]],
                                              cut: int | None) -> None:
    data = bytearray(VALID)
    for position, mask in flips:
        data[position] ^= mask
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.xlsx"
        path.write_bytes(bytes(data[:cut]))
        loads_or_input_error(path)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_input_error(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.xlsx"
        path.write_bytes(blob)
        assert loads_or_input_error(path) is None


@SETTINGS
@given(part=st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml",
                             "xl/_rels/workbook.xml.rels", "xl/styles.xml"]),
       junk=st.binary(max_size=200) | st.sampled_from([b"", b"<x/>", b"<?xml version='1.0'?>"]))
def test_damaged_parts_raise_only_input_error(part: str, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "parts.xlsx"
        with zipfile.ZipFile(io.BytesIO(VALID)) as zin, zipfile.ZipFile(path, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, junk if info.filename == part else zin.read(info))
        loads_or_input_error(path)


STREETS = (Street(code="420202001", name="黄石港街道", district="420202"),)


@SETTINGS
@given(header=st.lists(st.sampled_from(["事项编码", "事项名称", "权力类型", "街道", "承接单位", "承接方式",
                                        "子项", "随便"]), min_size=0, max_size=7),
       grid=st.lists(st.lists(cell_values | st.sampled_from(["黄石港", "420202001", "派驻"]),
                              max_size=7), max_size=10))
def test_random_delegation_cells_raise_only_input_error(header: list[str],
                                                        grid: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in grid:
        book.active.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "delegation.xlsx"
        book.save(path)
        try:
            read_delegation_workbook(path, STREETS, {}, known_items={"1001"})
        except InputError as error:
            assert all(p.file == str(path) for p in error.problems)
