"""The power-list and delegation loaders on real layouts, and each error kind at its cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.delegation import read_delegation_workbook
from powerlist.catalog.item_rows import item_key
from powerlist.catalog.loader import load_delegation_workbook
from powerlist.catalog.models import (
    CatalogData,
    DelegationMode,
    Department,
    District,
    PowerItem,
    PowerKind,
    SourceRef,
    Street,
)
from powerlist.catalog.power_list import load_power_list
from powerlist.errors import InputError

HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "责任事项", "追责情形",
          "承接方式", "来源", "备注"]


def write(path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None,
          hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    book.save(path)
    return path


def problems(path: Path, **kwargs: Any) -> list[tuple[str | None, str | None, str | None]]:
    with pytest.raises(InputError) as caught:
        load_power_list(path, **kwargs)
    return [(p.sheet, p.cell, p.code) for p in caught.value.problems]


def item(code: str, name: str, kind: PowerKind, **fields: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "kind": kind, **fields}


# ---- real layouts -----------------------------------------------------------------------------


def test_title_rows_merges_blank_rows_and_noise(tmp_path: Path) -> None:
    rows = [
        ["黄石市街道通用权责清单（示意）"],
        ["（第一批）", None, None, "单位：项"],
        HEADER,
        [1, 1001.0, "  对无证经营食品的处罚", None, "行政处罚", "市场监管",
         "《中华人民共和国食品安全法》第一百二十二条；《食品生产许可管理办法》第四十九条",
         "受理责任：受理线索\n 决定责任：作出决定", "1.不依法处罚\n2.滥用职权", "派驻", "示意", "备\u3000注"],
        [None] * 12,
        [2, "1002", "临时占用城市道路许可", "占道许可", "01", "城管", "《城市道路管理条例》第三十一条",
         None, None, "下放", "示意", None],
        [None, None, None, "挖掘许可", None, None, "《城市道路管理条例》第三十三条", None, None, "下放",
         "示意", None],
        [3, "１００３", "对生产经营单位的检查\n", None, "检查", "应急", None, None, None, None, None, None],
    ]
    path = write(tmp_path / "list.xlsx", {"通用权责清单": rows},
                 merges={"通用权责清单": ["A6:A7", "B6:B7", "C6:C7", "E6:E7", "F6:F7", "A1:L1"]})
    power_list = load_power_list(path)
    got = [(i.code, i.name, i.sub_item, i.kind, i.department, i.mode) for i in power_list.items]
    assert got == [
        ("1001", "对无证经营食品的处罚", None, PowerKind.PENALTY, "市场监管", DelegationMode.STATIONED),
        ("1002-1", "临时占用城市道路许可", "占道许可", PowerKind.LICENSING, "城管",
         DelegationMode.DELEGATED),
        ("1002-2", "临时占用城市道路许可", "挖掘许可", PowerKind.LICENSING, "城管",
         DelegationMode.DELEGATED),
        ("1003", "对生产经营单位的检查", None, PowerKind.INSPECTION, "应急", None),
    ]
    first = power_list.items[0]
    assert first.legal_basis == ("《中华人民共和国食品安全法》第一百二十二条", "《食品生产许可管理办法》第四十九条")
    assert first.responsibilities == ("受理责任：受理线索", "决定责任：作出决定")
    assert first.accountability == ("1.不依法处罚", "2.滥用职权")
    assert first.note == "备注"
    assert first.origin == SourceRef(file=str(path), sheet="通用权责清单", row=4)
    assert power_list.items[2].legal_basis == ("《城市道路管理条例》第三十三条",)
    assert power_list.header_rows == {"通用权责清单": 3}
    assert power_list.cell(power_list.items[3], "legal_basis") == "通用权责清单!G8"
    assert power_list.location(power_list.items[1], "kind") == ("通用权责清单", "E6")


def test_alias_headers_several_sheets_hidden_and_unrelated_sheets(tmp_path: Path) -> None:
    aliases = ["序 号", "职权编码", "职权名称", "子项名称", "职权类型", "法定主体", "设定依据", "实施依据",
               "审核转报", "问责情形"]
    path = write(tmp_path / "list.xlsx", {
        "说明": [["本表说明"], ["各列含义见右"]],
        "区级": [aliases, ["1", "A01", "甲事项", None, "行政处罚", "城管", "《甲法》第一条", "《乙法》第二条",
                         "是", "x"]],
        "街道": [["标题"], ["项目编码", "项目名称", "事项类型"], ["B01", "乙事项", "行政许可"]],
        "旧表": [["编码", "权力名称", "权力类型"], ["C01", "丙事项", "行政处罚"]],
    }, hidden=("旧表",))
    power_list = load_power_list(path)
    assert [i.code for i in power_list.items] == ["A01", "B01"]
    assert power_list.items[0].legal_basis == ("《甲法》第一条", "《乙法》第二条")
    assert power_list.items[0].accountability == ("x",)
    assert power_list.columns["区级"]["legal_basis"] == "G"
    assert power_list.header_rows == {"区级": 1, "街道": 2}


def test_list_without_code_column_gets_content_codes(tmp_path: Path) -> None:
    rows = [["事项名称", "子项", "权力类型"], ["甲事项", None, "行政处罚"], ["甲事项", "一", "行政处罚"]]
    first = load_power_list(write(tmp_path / "a.xlsx", {"s": rows}))
    moved = load_power_list(write(tmp_path / "b.xlsx", {"s": [rows[0], ["新事项", None, "行政检查"],
                                                              rows[2], rows[1]]}))
    codes = {i.full_name: i.code for i in first.items}
    assert all(code.startswith("H") and len(code) == 11 for code in codes.values())
    assert {i.full_name: i.code for i in moved.items if i.name == "甲事项"} == codes
    duplicate = write(tmp_path / "c.xlsx", {"s": rows + [["甲事项", None, "02"]]})
    assert problems(duplicate) == [("s", None, "duplicate-code")]


def test_kinds_by_code_and_name(tmp_path: Path) -> None:
    kinds = ["1", "02", 3, "行政征收", "给付", "行政检查", "确认", "奖励", "裁决", "其他行政权力", "公共服务"]
    rows = [["事项编码", "事项名称", "权力类型"]] + [[f"K{i}", f"事项{i}", k] for i, k in enumerate(kinds)]
    power_list = load_power_list(write(tmp_path / "k.xlsx", {"s": rows}))
    assert [i.kind.value for i in power_list.items] == [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"]


# ---- every error kind at its cell ---------------------------------------------------------------


def test_every_error_of_the_file_at_once(tmp_path: Path) -> None:
    rows = [
        ["清单标题"],
        HEADER,
        [1, "1001", "甲", None, "行政处罚", None, None, None, None, None, None, None],
        [2, "1002", "乙", None, "行政审批", None, None, None, None, None, None, None],
        [3, "1001", "丙", None, "行政处罚", None, None, None, None, None, None, None],
        [4, "1004", None, None, "行政处罚", None, None, None, None, None, None, None],
        [5, "1005", "戊", None, None, None, None, None, None, None, None, None],
        [6, None, "己", None, "行政处罚", None, None, None, None, None, None, None],
        [7, "1007", "庚", None, "行政处罚", None, None, None, None, "下沉", None, None],
    ]
    path = write(tmp_path / "bad.xlsx", {"通用权责清单": rows})
    with pytest.raises(InputError) as caught:
        load_power_list(path)
    found = [(p.sheet, p.cell, p.code, p.value) for p in caught.value.problems]
    assert found == [
        ("通用权责清单", "E4", "unknown-kind", "行政审批"),
        ("通用权责清单", "B5", "duplicate-code", "1001"),
        ("通用权责清单", "C6", "empty-cell", None),
        ("通用权责清单", "E7", "empty-cell", None),
        ("通用权责清单", "B8", "empty-code", None),
        ("通用权责清单", "J9", "bad-mode", "下沉"),
    ]
    duplicate = caught.value.problems[1]
    assert "通用权责清单!B3" in duplicate.message
    assert str(path) in str(caught.value)
    assert "通用权责清单!E4" in str(caught.value)


def test_missing_legal_basis_and_department_load(tmp_path: Path) -> None:
    path = write(tmp_path / "ok.xlsx", {"s": [["事项名称", "权力类型"], ["甲", "行政处罚"]]})
    loaded = load_power_list(path).items[0]
    assert (loaded.legal_basis, loaded.department) == ((), None)


def test_header_missing_a_required_column(tmp_path: Path) -> None:
    path = write(tmp_path / "h.xlsx", {"s": [["序号", "事项编码", "事项名称", "实施依据"], [1, "1", "甲", "x"]]})
    assert problems(path) == [("s", "A1", "missing-column")]


def test_duplicate_header(tmp_path: Path) -> None:
    path = write(tmp_path / "d.xlsx", {"s": [["事项名称", "权力类型", "职权类型"], ["甲", "行政处罚", "行政处罚"]]})
    assert problems(path) == [("s", "C1", "duplicate-column")]


def test_header_without_items(tmp_path: Path) -> None:
    path = write(tmp_path / "e.xlsx", {"s": [["标题"], HEADER, [None] * 12]})
    assert problems(path) == [("s", "A2", "no-items")]


def test_header_beyond_the_scan_window_is_not_found(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[f"说明第{i}行"] for i in range(20)] + [HEADER, [1, "1", "甲"]]
    assert problems(write(tmp_path / "far.xlsx", {"s": rows})) == [(None, None, "no-header")]


def test_duplicate_codes_across_sheets(tmp_path: Path) -> None:
    rows = [["事项编码", "事项名称", "权力类型"], ["1", "甲", "行政处罚"]]
    path = write(tmp_path / "two.xlsx", {"一": rows, "二": [rows[0], ["1", "乙", "行政处罚"]]})
    assert problems(path) == [("二", "A2", "duplicate-code")]


def test_a_duplicate_code_is_found_even_when_its_first_row_has_another_problem(tmp_path: Path) -> None:
    # every problem in one pass: fixing the kind must not reveal a duplicate code afterwards
    rows = [["事项编码", "事项名称", "权力类型"], ["1", "甲", "罚款"], ["1", "乙", "行政处罚"], ["2", None, "行政处罚"],
            ["2", "丙", "行政处罚"]]
    path = write(tmp_path / "d.xlsx", {"s": rows})
    assert problems(path) == [("s", "C2", "unknown-kind"), ("s", "A3", "duplicate-code"), ("s", "B4", "empty-cell"),
                              ("s", "A5", "duplicate-code")]


def test_problems_name_the_given_file(tmp_path: Path) -> None:
    path = write(tmp_path / "x.xlsx", {"s": [["事项名称", "权力类型"], ["甲", "??"]]})
    with pytest.raises(InputError) as caught:
        load_power_list(path, file="清单.xlsx")
    assert caught.value.problems[0].file == "清单.xlsx"


# ---- delegation workbooks -------------------------------------------------------------------------


@pytest.fixture()
def catalog() -> Catalog:
    items = (
        PowerItem(code="0202", name="对占道经营的处罚", kind=PowerKind.PENALTY, department="城管"),
        PowerItem(code="0101", name="临时占用城市道路许可", sub_item="占道", kind=PowerKind.LICENSING),
    )
    return Catalog(CatalogData(
        districts=(District(code="420202", name="黄石港区"),),
        streets=(Street(code="420202001", name="黄石港街道", district="420202"),
                 Street(code="420202002", name="沈家营街道", district="420202")),
        communities=(),
        departments=(Department(code="cg", name="城管", city_name="黄石市城管委",
                                district_name="{district}城管局"),),
        items=items, categories=(), delegations=()))


DELEGATION_HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "承接单位",
                     "下放方式"]


def test_delegation_rows_streets_by_name_and_code(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path / "d.xlsx", {"街道承接": [
        ["街道承接表"],
        DELEGATION_HEADER,
        [1, "0202", "对占道经营的处罚", None, "行政处罚", "城管", "《条例》", "黄石港、沈家营街道", "下放"],
        [2, None, "临时占用城市道路许可", "占道", "行政许可", None, None, "420202001", "委托"],
        [3, "9999", "未列入的事项", None, None, None, None, "沈家营街道办事处", "保留区级"],
    ]})
    workbook = load_delegation_workbook(path, catalog)
    got = [(r.code, r.street, r.street_written, r.mode, r.origin.row) for r in workbook.rows]
    assert got == [
        ("0202", "420202001", "黄石港", DelegationMode.DELEGATED, 3),
        ("0202", "420202002", "沈家营街道", DelegationMode.DELEGATED, 3),
        ("0101", "420202001", "420202001", DelegationMode.ENTRUSTED, 4),
        ("9999", "420202002", "沈家营街道办事处", DelegationMode.DISTRICT, 5),
    ]
    assert workbook.rows[3].kind is None and workbook.rows[3].legal_basis == ()
    assert workbook.rows[0].cell("mode") == "街道承接!I3"
    assert workbook.rows[0].cell("street") == "街道承接!H3"
    assert workbook.columns["街道承接"]["street"] == "H"


def test_delegation_reader_keeps_duplicates_and_extra_columns_on_request(tmp_path: Path, catalog: Catalog) -> None:
    """The audit's view of a workbook, through the public reader: the second row for one
    item × street is kept (in file order) and a column the format does not define is read."""
    path = write(tmp_path / "d.xlsx", {"街道承接": [
        [*DELEGATION_HEADER, "依赖事项"],
        [1, "0202", "对占道经营的处罚", None, "行政处罚", "城管", None, "黄石港", "下放", "0101、0303"],
        [2, "0202", "对占道经营的处罚", None, "行政处罚", "城管", None, "黄石港街道", "委托", None],
    ]})
    with pytest.raises(InputError) as caught:
        read_delegation_workbook(path, catalog.streets.values())
    assert [(p.cell, p.code) for p in caught.value.problems] == [("H3", "duplicate-delegation")]

    by_name = {item_key(i.name, i.sub_item): i.code for i in catalog.items.values()}
    workbook = read_delegation_workbook(path, catalog.streets.values(), by_name, keep_duplicates=True,
                                        extra_fields={"depends_on": ("依赖事项", "前置事项")})
    got = [(r.code, r.street, r.mode, r.origin.row, dict(r.extras)) for r in workbook.rows]
    assert got == [
        ("0202", "420202001", DelegationMode.DELEGATED, 2, {"depends_on": "0101、0303"}),
        ("0202", "420202001", DelegationMode.ENTRUSTED, 3, {}),
    ]
    assert workbook.columns["街道承接"]["depends_on"] == "J"
    # without extra_fields the column is ignored, as any column outside the format
    plain = read_delegation_workbook(path, catalog.streets.values(), keep_duplicates=True)
    assert [dict(r.extras) for r in plain.rows] == [{}, {}] and "depends_on" not in plain.columns["街道承接"]


def test_keeping_duplicates_keeps_every_other_check(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path / "d.xlsx", {"s": [
        DELEGATION_HEADER,
        [1, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "花果山", "下放"],
        [2, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港", "上交"],
        [3, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港", "下放"],
        [4, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港", "下放"],
    ]})
    with pytest.raises(InputError) as caught:
        read_delegation_workbook(path, catalog.streets.values(), keep_duplicates=True)
    assert [(p.cell, p.code) for p in caught.value.problems] == [("H2", "unknown-street"), ("I3", "bad-mode")]


def test_delegation_errors_are_located(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path / "d.xlsx", {"s": [
        DELEGATION_HEADER,
        [1, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "花果山", "下放"],
        [2, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港", None],
        [3, "0202", "对占道经营的处罚", None, "处分", None, None, "黄石港", "上交"],
        [4, "0202", "对占道经营的处罚", None, "行政处罚", None, None, None, "下放"],
        [5, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港", "下放"],
        [6, "0202", "对占道经营的处罚", None, "行政处罚", None, None, "黄石港街道", "派驻"],
    ]})
    with pytest.raises(InputError) as caught:
        load_delegation_workbook(path, catalog)
    found = [(p.cell, p.code) for p in caught.value.problems]
    assert found == [("H2", "unknown-street"), ("I3", "empty-cell"), ("E4", "unknown-kind"),
                     ("I4", "bad-mode"), ("H5", "empty-cell"), ("H7", "duplicate-delegation")]


def test_a_power_list_iterates_and_indexes_its_items(tmp_path: Path) -> None:
    # it has len(); `for item in load_power_list(path)` and `[0]` must work like on a tuple
    rows = [["事项编码", "事项名称", "权力类型"], ["1", "甲", "行政处罚"], ["2", "乙", "行政检查"]]
    loaded = load_power_list(write(tmp_path / "p.xlsx", {"s": rows}))
    assert list(loaded) == list(loaded.items) and [i.code for i in loaded] == ["1", "2"]
    assert loaded[0] == loaded.items[0] and loaded[-1].name == "乙"
