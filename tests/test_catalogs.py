"""Catalog loading: cross references, located problems of every file at once, the cache, the
CLI, the template, and the shipped Huangshi catalogs against the seed report."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from powerlist import resources
from powerlist.catalog.files import FILES
from powerlist.catalog.loader import clear_cache, load_catalogs
from powerlist.catalog.models import DelegationMode, PowerKind, Scope
from powerlist.catalog.template import write_template
from powerlist.cli.catalog import register
from powerlist.errors import InputError

Rows = list[list[Any]]

ORG: dict[str, tuple[list[str], Rows]] = {
    "区县": (["区县编码", "区县名称", "来源"], [
        ["420202", "黄石港区", "民政"],
        ["420281", "大冶市", "民政"],
    ]),
    "街道": (["街道编码", "街道名称", "所属区县编码", "编制人数", "编制人数性质", "来源"], [
        ["420202001", "黄石港街道", "420202", 28, "示意", "x"],
        ["420202002", "沈家营街道", "420202", 30.0, "实数", "x"],
        ["420281001", "东岳路街道", "420281", None, None, "x"],
    ]),
    "社区": (["社区编码", "社区名称", "所属街道编码", "来源"], [
        ["420202001001", "纺织社区", "420202001", "报告"],
        ["420202002001", "曹家林社区", "420202002", "报告"],
    ]),
    "部门": (["部门编码", "部门简称", "市级名称", "区级名称", "是否派驻", "派驻机构名称", "别名",
              "来源"], [
        ["scjg", "市场监管", "黄石市市场监督管理局", "{区县}市场监督管理局", "是", "市场监管所",
         "市场监督管理局、工商", "x"],
        ["cg", "城管", "黄石市城市管理执法委员会", "{区县}城市管理执法局", "否", None, "城管局",
         "x"],
        ["yj", "应急", "黄石市应急管理局", "{区县}应急管理局", "否", None, None, "x"],
    ]),
    "派驻机构": (["机构编码", "机构名称", "所属街道编码", "部门编码", "来源"], [
        ["420202001-scjg", "黄石港市场监管所", "420202001", "scjg", "x"],
    ]),
}
POWER_HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "责任事项",
                "追责情形", "承接方式", "来源", "备注"]
POWERS: Rows = [
    [1, "0201", "对无证经营食品的处罚", None, "行政处罚", "市场监管", "《食品安全法》第一百二十二条",
     "受理责任：受理\n决定责任：决定", "未依法处罚", "派驻", "示意", None],
    [2, "0202", "对占道经营的处罚", None, "02", "城管", "《城市市容和环境卫生管理条例》第三十六条",
     None, None, None, "示意", None],
    [3, "0601", "对生产经营单位安全生产的检查", None, "行政检查", "应急管理局",
     "《安全生产法》第六十五条", None, None, None, "示意", None],
    [4, "0101", "临时占用城市道路许可", None, "行政许可", "城管", "《城市道路管理条例》第三十一条",
     None, None, None, "示意", None],
]
DELEGATION_HEADER = ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道", "承接方式",
                     "来源"]
DELEGATIONS: Rows = [
    [1, "0202", "对占道经营的处罚", "行政处罚", "城管", "x", "黄石港、沈家营街道", "下放", "示意"],
    [2, "0201", "对无证经营食品的处罚", "行政处罚", "市场监管", "x", "420202001", "派驻", "示意"],
    [3, "0601", "对生产经营单位安全生产的检查", "行政检查", "应急", "x", "东岳路", "保留区级", "示意"],
]
TAXONOMY_HEADER = ["分类编码", "分类名称", "上级分类编码", "吹哨范围", "候选权力事项编码", "国标对应", "来源"]
CATEGORIES: Rows = [
    ["01", "市容环境", None, "普通问题", None, "事件-市容环境", "x"],
    ["0101", "占道经营", "01", "综合执法", "0202、0101", "事件-街面秩序", "x"],
    ["0102", "无照经营食品", "01", "重点工作", "0201\n0202", None, "x"],
    ["02", "安全生产隐患", None, "应急处置", "0601", None, "x"],
]
CALENDAR_HEADER = ["日期", "类型", "说明", "来源"]
OVERRIDES: Rows = [["2026-10-10", "上班", "调休", "国办通知"]]
STATUTES_HEADER = ["版本编码", "法规编码", "名称", "版本", "通过日期", "施行日期", "废止日期", "替代版本", "条文数",
                   "来源"]
STATUTES: Rows = [
    ["AQ@2021", "AQ", "《中华人民共和国安全生产法》", "2021年修正", "2021-06-10", "2021-09-01", None, None, None, "x"],
]


def _sheet(book: openpyxl.Workbook, name: str, header: list[str], rows: Rows,
           title: str | None = "示意数据") -> None:
    ws = book.create_sheet(name)
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)


def write_catalog(root: Path, **changes: Rows) -> Path:
    """A small valid catalog; `changes` replace a table's rows by sheet name."""
    root.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, (header, rows) in ORG.items():
        _sheet(book, sheet, header, changes.get(sheet, rows))
    book.save(root / "organisation.xlsx")
    for file, sheet, header, rows in (
        ("power_list.xlsx", "通用权责清单", POWER_HEADER, POWERS),
        ("delegation.xlsx", "街道承接", DELEGATION_HEADER, DELEGATIONS),
        ("taxonomy.xlsx", "问题分类", TAXONOMY_HEADER, CATEGORIES),
        ("calendar_overrides.xlsx", "调休调整", CALENDAR_HEADER, OVERRIDES),
        ("statutes.xlsx", "法律法规", STATUTES_HEADER, STATUTES),
    ):
        book = openpyxl.Workbook()
        book.remove(book.active)
        _sheet(book, sheet, header, changes.get(sheet, rows))
        book.save(root / file)
    clear_cache()
    return root


def problems_of(root: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    with pytest.raises(InputError) as caught:
        load_catalogs(root)
    return [(Path(p.file or "").name, p.sheet, p.cell, p.code) for p in caught.value.problems]


# ---- a valid catalog -------------------------------------------------------------------------


def test_small_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalogs(write_catalog(tmp_path / "c"))
    assert set(catalog.districts) == {"420202", "420281"}
    assert catalog.streets["420202002"].staff == 30
    assert not catalog.streets["420202002"].staff_illustrative
    assert catalog.streets["420281001"].staff is None
    assert catalog.departments["scjg"].district_name == "{district}市场监督管理局"
    assert catalog.departments["scjg"].aliases == ("市场监督管理局", "工商")
    assert catalog.items["0201"].legal_basis == ("《食品安全法》第一百二十二条",)
    assert catalog.mode("0202", "420202001") is DelegationMode.DELEGATED
    assert catalog.mode("0202", "420202002") is DelegationMode.DELEGATED
    assert catalog.mode("0601", "420281001") is DelegationMode.DISTRICT
    unit, mode = catalog.holder("0201", "420202001")
    assert (unit.code, mode) == ("420202001-scjg", DelegationMode.STATIONED)
    assert catalog.categories["0101"].powers == ("0202", "0101")
    assert catalog.categories["0102"].powers == ("0201", "0202")
    assert catalog.categories["0101"].scope is Scope.ENFORCEMENT
    assert [o.day for o in catalog.data.calendar_overrides] == ["2026-10-10"]
    assert catalog.data.calendar_overrides[0].workday


def test_catalog_is_cached_and_reloaded_when_a_file_changes(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "c")
    first = load_catalogs(root)
    assert load_catalogs(root) is first
    path = root / "calendar_overrides.xlsx"
    stat = path.stat()
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, "调休调整", CALENDAR_HEADER, [["2026-10-11", "休息", None, None]])
    book.save(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = load_catalogs(root)
    assert again is not first
    assert [o.workday for o in again.data.calendar_overrides] == [False]


def test_calendar_file_is_optional(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "c")
    (root / "calendar_overrides.xlsx").unlink()
    assert load_catalogs(root).data.calendar_overrides == ()


# ---- cross references, all problems of all files at once --------------------------------------


def test_every_problem_of_every_file_in_one_error(tmp_path: Path) -> None:
    streets = [row[:] for row in ORG["街道"][1]]
    streets[1][2] = "999999"  # unknown district
    communities = [row[:] for row in ORG["社区"][1]] + [["420202001001", "重复", "420202001", "x"]]
    units = [["420202001-cg", "x", "420202001", "cg", "x"]]  # cg is not stationed
    delegations = [row[:] for row in DELEGATIONS] + [
        [4, "9999", "不存在", "行政处罚", "城管", "x", "黄石港", "下放", "x"],
        [5, "0101", "x", "行政许可", "城管", "x", "花果山", "下放", "x"],
    ]
    categories = [row[:] for row in CATEGORIES] + [
        ["03", "x", "77", "普通问题", None, None, "x"],
        ["04", "x", None, "随便", "0202", None, "x"],
        ["05", "x", None, "普通问题", "8888", None, "x"],
    ]
    overrides = [["2026-02-30", "上班", None, None], ["2026-10-10", "加班", None, None]]
    root = write_catalog(tmp_path / "c", 街道=streets, 社区=communities, 派驻机构=units,
                         街道承接=delegations, 问题分类=categories, 调休调整=overrides)
    found = problems_of(root)
    assert ("organisation.xlsx", "街道", "C4", "unknown-district") in found
    assert ("organisation.xlsx", "社区", "A5", "duplicate-code") in found
    assert ("organisation.xlsx", "派驻机构", "D3", "not-stationed") in found
    assert ("delegation.xlsx", "街道承接", "B6", "unknown-item") in found
    assert ("delegation.xlsx", "街道承接", "G7", "unknown-street") in found
    assert ("taxonomy.xlsx", "问题分类", "C7", "bad-parent") in found
    assert ("taxonomy.xlsx", "问题分类", "D8", "bad-scope") in found
    assert ("taxonomy.xlsx", "问题分类", "E9", "unknown-item") in found
    assert ("calendar_overrides.xlsx", "调休调整", "A3", "bad-date") in found
    assert ("calendar_overrides.xlsx", "调休调整", "B4", "bad-value") in found
    assert len(found) == 10  # a faulty row is still known: nothing citing it is reported


def test_community_street_and_unit_references(tmp_path: Path) -> None:
    communities = [["420202009001", "无主社区", "420202009", "x"]]
    units = [["wrong-code", "x", "420202001", "scjg", "x"],
             ["420202001-zz", "x", "420202001", "zz", "x"]]
    found = problems_of(write_catalog(tmp_path / "c", 社区=communities, 派驻机构=units))
    assert ("organisation.xlsx", "社区", "C3", "unknown-street") in found
    assert ("organisation.xlsx", "派驻机构", "A3", "bad-code") in found
    assert ("organisation.xlsx", "派驻机构", "D4", "unknown-department") in found


def test_department_fields_are_checked(tmp_path: Path) -> None:
    departments = [row[:] for row in ORG["部门"][1]]
    departments[1][4] = "也许"
    departments[2][3] = "{城市}应急管理局"
    found = problems_of(write_catalog(tmp_path / "c", 部门=departments))
    assert ("organisation.xlsx", "部门", "E4", "bad-value") in found
    assert ("organisation.xlsx", "部门", "D5", "bad-value") in found


def test_power_item_department_must_resolve(tmp_path: Path) -> None:
    powers = [row[:] for row in POWERS]
    powers[3][5] = "气象局"
    found = problems_of(write_catalog(tmp_path / "c", 通用权责清单=powers))
    assert found == [("power_list.xlsx", "通用权责清单", "F6", "unknown-department")]


def test_category_parent_cycle(tmp_path: Path) -> None:
    categories = [["01", "a", "02", "普通问题", None, None, "x"],
                  ["02", "b", "01", "普通问题", None, None, "x"]]
    found = problems_of(write_catalog(tmp_path / "c", 问题分类=categories))
    assert found == [("taxonomy.xlsx", "问题分类", "C3", "bad-parent"),
                     ("taxonomy.xlsx", "问题分类", "C4", "bad-parent")]


def test_duplicate_delegation_and_duplicate_date(tmp_path: Path) -> None:
    delegations = [row[:] for row in DELEGATIONS] + [
        [4, "0202", "x", "行政处罚", "城管", "x", "沈家营", "委托", "x"]]
    overrides = OVERRIDES + [["2026-10-10", "上班", None, None]]
    found = problems_of(write_catalog(tmp_path / "c", 街道承接=delegations, 调休调整=overrides))
    assert ("delegation.xlsx", "街道承接", "G6", None) not in found
    assert ("delegation.xlsx", "街道承接", "G6", "duplicate-delegation") in found
    assert ("calendar_overrides.xlsx", "调休调整", "A4", "duplicate-date") in found


def test_missing_files_and_sheets(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "c")
    (root / "taxonomy.xlsx").unlink()
    book = openpyxl.load_workbook(root / "organisation.xlsx")
    del book["部门"]
    book.save(root / "organisation.xlsx")
    clear_cache()
    found = problems_of(root)
    assert ("taxonomy.xlsx", None, None, "not-found") in found
    assert ("organisation.xlsx", "部门", None, "missing-sheet") in found


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="catalog directory not found"):
        load_catalogs(tmp_path / "nowhere")


def test_corrupt_catalog_file_is_located(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "c")
    (root / "taxonomy.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    found = problems_of(root)
    assert found == [("taxonomy.xlsx", None, None, "not-xlsx")]


# ---- template ---------------------------------------------------------------------------------


def test_template_is_readable_but_empty(tmp_path: Path) -> None:
    written = write_template(tmp_path / "t")
    assert sorted(p.name for p in written) == sorted(FILES)
    found = problems_of(tmp_path / "t")
    assert {code for *_, code in found} == {"no-items"}
    assert {(f, s) for f, s, _, _ in found} == {
        ("organisation.xlsx", "区县"), ("organisation.xlsx", "街道"),
        ("organisation.xlsx", "部门"), ("power_list.xlsx", "通用权责清单"),
        ("taxonomy.xlsx", "问题分类")}
    with pytest.raises(InputError, match="overwrite"):
        write_template(tmp_path / "t")


def test_template_offers_the_values_the_loader_reads(tmp_path: Path) -> None:
    # a new city's staff fill the template by hand: closed-vocabulary columns carry a
    # drop-down, and every value it offers is one the loader accepts
    from powerlist.catalog.template import template_choices

    write_template(tmp_path / "t")
    offered: dict[tuple[str, str], list[str]] = {}
    for name in FILES:
        book = openpyxl.load_workbook(tmp_path / "t" / name)
        for ws in book.worksheets:
            header = [c.value for c in ws[2]] if ws.max_row >= 2 else []
            for rule in ws.data_validations.dataValidation:
                column = openpyxl.utils.column_index_from_string(str(rule.sqref).split(":")[0].rstrip("0123456789"))
                assert str(rule.sqref).split(":")[0].endswith("3") and rule.errorStyle == "warning"
                offered[(ws.title, header[column - 1])] = rule.formula1.strip('"').split(",")
    assert offered == {key: list(values) for key, values in template_choices().items()}
    assert offered[("通用权责清单", "权力类型")] == [k.label for k in PowerKind]
    assert offered[("问题分类", "吹哨范围")] == [s.label for s in Scope]
    assert [DelegationMode.parse(v) for v in offered[("街道承接", "承接方式")]] == list(DelegationMode)


# ---- CLI --------------------------------------------------------------------------------------


@pytest.fixture()
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test app"""

    register(app)
    return app


def test_cli_check_json(tmp_path: Path, cli: typer.Typer) -> None:
    root = write_catalog(tmp_path / "c")
    result = CliRunner().invoke(cli, ["catalog", "check", str(root),
                                      str(root / "power_list.xlsx"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"ok": True, "items": 8, "errors": [], "notes": []}
    bad = tmp_path / "bad.xlsx"
    bad.write_text("序号,事项名称\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["catalog", "check", str(bad), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["items"] == 0
    assert list(payload["errors"][0]) == ["file", "sheet", "cell", "value", "message"]
    assert payload["errors"][0]["file"] == str(bad)


def test_cli_check_takes_every_workbook_of_a_catalog(tmp_path: Path, cli: typer.Typer) -> None:
    # `powerlist catalog check catalogs/*.xlsx`: the organisation, taxonomy and calendar
    # workbooks are checked with their directory (they are not power lists), and a catalog's
    # delegation.xlsx against its own streets, not the shipped city's.
    root = write_catalog(tmp_path / "c", 街道=ORG["街道"][1] + [["420202009", "新城街道", "420202", 20, "示意", "x"]],
                         街道承接=DELEGATIONS + [[4, "0202", "对占道经营的处罚", "行政处罚", "城管", "x", "新城街道",
                                                  "下放", "示意"]])
    files = [str(root / name) for name in FILES]
    result = CliRunner().invoke(cli, ["catalog", "check", *files, "--json"])
    assert result.exit_code == 0, result.output
    # power list + delegation
    assert json.loads(result.stdout) == {"ok": True, "items": 4 + 3, "errors": [], "notes": []}
    # a problem in the directory is reported once, however many of its workbooks are named
    write_catalog(root, 区县=[["420202", "黄石港区", "x"], ["420202", "重复区", "x"]])
    result = CliRunner().invoke(cli, ["catalog", "check", *files, "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    located = [(Path(e["file"]).name, e["sheet"], e["cell"], e["message"]) for e in errors]
    assert ("organisation.xlsx", "区县") in {(f, s) for f, s, _, _ in located}
    assert len(located) == len(set(located))
    # alone, away from its catalog, an organisation workbook is named for what it is
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "organisation.xlsx").write_bytes((root / "organisation.xlsx").read_bytes())
    result = CliRunner().invoke(cli, ["catalog", "check", str(alone / "organisation.xlsx"), "--json"])
    assert result.exit_code == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert "catalog workbook" in error["message"] and "catalog check DIR" in error["message"]


def test_cli_check_text_and_template(tmp_path: Path, cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["catalog", "template", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["catalog", "check", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "no items" in result.output or "no rows" in result.output
    result = CliRunner().invoke(cli, ["catalog", "template", str(tmp_path / "t")])
    assert result.exit_code == 1


def test_cli_show_json(tmp_path: Path, cli: typer.Typer) -> None:
    root = write_catalog(tmp_path / "c")
    result = CliRunner().invoke(cli, ["catalog", "show", "--catalogs", str(root), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["power_items"] == 4
    assert payload["streets"][0] == {"code": "420202001", "name": "黄石港街道",
                                     "district": "420202"}
    assert payload["communities"][1] == {"code": "420202002001", "name": "曹家林社区",
                                         "street": "420202002"}
    assert payload["departments"][0] == {"code": "scjg", "name": "市场监管", "stationed": True}
    assert payload["categories"][1] == {"code": "0101", "name": "占道经营",
                                        "scope": "enforcement"}
    assert payload["counts"]["kinds"]["02"]["items"] == 2
    assert payload["counts"]["modes"]["delegated"]["pairs"] == 2
    result = CliRunner().invoke(cli, ["catalog", "show", "--catalogs", str(root)])
    assert result.exit_code == 0, result.output
    assert "黄石港街道" in result.output


def test_cli_show_reports_a_bad_catalog(tmp_path: Path, cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["catalog", "show", "--catalogs", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["ok"] is False


# ---- the shipped catalogs reproduce the seed report ---------------------------------------------


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    return load_catalogs()


def test_shipped_catalogs_exist() -> None:
    missing = [name for name in FILES if not (resources.catalogs_dir() / name).exists()]
    assert not missing, f"shipped catalogs missing: {missing}"


def test_shipped_streets_split_4_4_4_4_3(shipped) -> None:  # type: ignore[no-untyped-def]
    assert len(shipped.streets) == 19
    assert len(shipped.districts) == 5
    per_district = Counter(s.district for s in shipped.streets.values())
    names = {d.code: d.name for d in shipped.districts.values()}
    assert sorted(per_district.values()) == [3, 4, 4, 4, 4]
    assert {names[c] for c, n in per_district.items() if n == 3} == {"开发区·铁山区"}
    street_names = {s.name.removesuffix("街道") for s in shipped.streets.values()}
    assert {"黄石港", "沈家营", "胜阳港", "牧羊湖", "澄月", "八泉", "黄思湾", "新下陆", "东方山",
            "老下陆", "铁山", "花湖", "团城山", "金山", "东岳路", "金湖", "罗家桥",
            "东风路"} <= street_names


def test_shipped_departments_and_items(shipped) -> None:  # type: ignore[no-untyped-def]
    assert len(shipped.departments) == 21
    # The report's 225 (省委编办首批拟下放225项) counts main items (主项): a power split into
    # sub-items (子项) is one item; its sub-item rows are listed, merged under it, in addition.
    rows = list(shipped.items.values())
    main_items = {i.code.rsplit("-", 1)[0] if i.sub_item else i.code for i in rows}
    assert len(main_items) == 225
    assert len({i.name for i in rows}) == 225
    assert len({i.full_name for i in rows}) == len(rows) == 247
    kinds = Counter(i.kind for i in shipped.items.values())
    assert kinds.most_common(1)[0][0] is PowerKind.PENALTY
    assert all(i.legal_basis for i in shipped.items.values())
    assert all(shipped.department_code(i.department) for i in shipped.items.values())
    assert {"教育", "民政", "司法", "人社", "应急", "市场监管"} <= {
        d.name for d in shipped.departments.values()}


def test_shipped_communities_taxonomy_and_delegation(shipped) -> None:  # type: ignore[no-untyped-def]
    communities = {c.name: c for c in shipped.communities.values()}
    assert "纺织社区" in communities
    assert shipped.streets[communities["纺织社区"].street].name.startswith("黄石港")
    assert "曹家林社区" in communities
    assert len(shipped.categories) >= 60
    assert {c.scope for c in shipped.categories.values()} == set(Scope)
    assert shipped.data.delegations
    stationed = {d.code for d in shipped.departments.values() if d.stationed}
    for delegation in shipped.data.delegations:
        dept = shipped.department_code(shipped.items[delegation.item].department)
        if dept in stationed:
            assert delegation.mode is DelegationMode.STATIONED, delegation


def test_delegation_workbook_against_the_shipped_catalog(shipped, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from powerlist.catalog.loader import load_delegation_workbook

    street = next(iter(shipped.streets.values()))
    item = next(iter(shipped.items.values()))
    book = openpyxl.Workbook()
    book.active.append(["事项名称", "子项", "权力类型", "街道", "承接方式"])
    book.active.append([item.name, item.sub_item, item.kind.label,
                        street.name.removesuffix("街道"), "下放"])
    book.save(tmp_path / "d.xlsx")
    rows = load_delegation_workbook(tmp_path / "d.xlsx").rows  # None: the shipped catalog
    assert [(r.code, r.street, r.mode) for r in rows] == [
        (item.code, street.code, DelegationMode.DELEGATED)]


def test_catalog_does_not_depend_on_where_it_lies(tmp_path: Path) -> None:
    first = load_catalogs(write_catalog(tmp_path / "a"))
    second = load_catalogs(write_catalog(tmp_path / "b"))
    assert first.fingerprint == second.fingerprint
    assert first.items["0201"].origin is not None
    assert first.items["0201"].origin.file == "power_list.xlsx"
    assert load_catalogs(tmp_path / "a" / ".." / "a") is load_catalogs(tmp_path / "a")


def test_cli_check_recognises_a_delegation_workbook(shipped, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    cli: typer.Typer) -> None:
    item = next(iter(shipped.items.values()))
    book = openpyxl.Workbook()
    book.active.append(["事项编码", "事项名称", "权力类型", "街道", "承接方式"])
    book.active.append([item.code, item.name, item.kind.label, "黄石港、沈家营", "下放"])
    book.active.append([item.code, item.name, item.kind.label, "花果山", "下放"])
    book.save(tmp_path / "d.xlsx")
    result = CliRunner().invoke(cli, ["catalog", "check", str(tmp_path / "d.xlsx"), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["cell"], e["value"]) for e in errors] == [("D3", "花果山")]
