"""Build the shipped catalogs (catalogs/*.xlsx) from the data modules in tools/catalog_data/.

    .venv/bin/python tools/build_catalogs.py [--out DIR]

Deterministic: the same data gives byte-identical workbooks (fixed document timestamps, fixed zip
entry times, no randomness). After writing, the script re-reads what it wrote and checks the
catalog's invariants (19 streets split 4/4/4/4/3, 21 departments, 225 items, unique codes and
names, taxonomy references, every delegation mode present, every item with a legal basis); it
exits non-zero with a list of failures if any check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections import Counter
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_data import delegation as deleg  # noqa: E402
from catalog_data import organisation as org  # noqa: E402
from catalog_data import powers, statutes, taxonomy, templates  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXED_TIME = dt.datetime(2020, 11, 11, 0, 0, 0)  # the report's publication date
ZIP_TIME = (2020, 11, 11, 0, 0, 0)

KIND_LABELS = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}
MODES = ("下放", "派驻", "保留区级", "保留市级", "委托")
POWER_TITLE = "黄石市街道通用权责清单（首批225项·示意，非官方公布清单）"
DELEGATION_TITLE = "黄石市各街道通用权责事项承接情况表（示意，非官方公布）"

POWER_HEADER = ["序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据", "责任事项", "追责情形",
                "承接方式", "来源", "备注"]
DELEGATION_HEADER = ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道", "承接方式", "来源"]
TAXONOMY_HEADER = [
    "分类编码", "分类名称", "上级分类编码", "吹哨范围", "主要权力事项编码", "相关权力事项编码", "权力对应依据",
    "国标对应", "来源",
]
CALENDAR_HEADER = ["日期", "类型", "说明", "来源"]

HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


# ---- the rows -------------------------------------------------------------------------------


def build_items() -> list[dict]:
    """Power items in list order: department order, then kind, then as written in the data.

    Codes: {dept}-{kind}-{serial:03d}, serial per department and kind; a power with sub-items
    takes one serial and its sub-items are {dept}-{kind}-{serial:03d}-{k:02d}.
    """
    dept_short = {d[0]: d[1] for d in org.DEPARTMENTS}
    items: list[dict] = []
    for dept, *_ in org.DEPARTMENTS:
        rows = powers.ITEMS[dept]
        for kind in sorted({r[0] for r in rows}):
            serial = 0
            for row in rows:
                if row[0] != kind:
                    continue
                serial += 1
                _, name, basis, *rest = row
                opts = rest[0] if rest else {}
                citations = [c.strip() for c in basis.split("；") if c.strip()]
                base = f"{dept}-{kind}-{serial:03d}"
                subs = opts.get("subs") or [(None, "")]
                sub_profiles = opts.get("sub_profiles") or [None] * len(subs)
                for k, ((sub, extra), sub_profile) in enumerate(zip(subs, sub_profiles, strict=True), start=1):
                    full = f"{name}（{sub}）" if sub else name
                    extra_cites = [c.strip() for c in extra.split("；") if c.strip()] if extra else []
                    items.append(
                        {
                            "code": f"{base}-{k:02d}" if sub else base,
                            "name": name,
                            "sub": sub,
                            "kind": kind,
                            "dept": dept,
                            "dept_short": dept_short[dept],
                            "basis": citations + extra_cites,
                            "resp": templates.responsibilities(kind, sub or name if kind != "02" else name),
                            "acc": templates.accountability(kind),
                            "source": f"示意：依据{citations[0]}整理（本库重建的首批清单条目，非官方公布）",
                            "note": opts.get("note", ""),
                            "profile": sub_profile or deleg.profile_of(dept, kind, full),
                            "parent_serial": base if sub else None,
                        }
                    )
    return items


def build_delegations(items: list[dict], streets: list[tuple]) -> list[dict]:
    out = []
    for item in items:
        for code, name, district, *_ in streets:
            mode, source = deleg.mode(item["profile"], district, name)
            out.append({"item": item, "street": code, "street_name": name, "mode": mode, "source": source})
    return out


def resolve_ref(ref: str, items: list[dict]) -> list[str]:
    dept, _, rest = ref.partition(":")
    needle, _, sub = rest.partition("|")
    parents = sorted({i["name"] for i in items if i["dept"] == dept and needle in i["name"]})
    if needle in parents:  # an exact name wins over names that merely contain it
        parents = [needle]
    if len(parents) != 1:
        raise SystemExit(f"taxonomy reference {ref!r} matches {len(parents)} item names: {parents}")
    chosen = [i for i in items if i["dept"] == dept and i["name"] == parents[0]]
    if sub:
        chosen = [i for i in chosen if i["sub"] and sub in i["sub"]]
        if len(chosen) != 1:
            raise SystemExit(f"taxonomy reference {ref!r} matches {len(chosen)} sub-items")
    return [i["code"] for i in chosen]


def build_categories(items: list[dict]) -> list[dict]:
    cats = [
        {
            "code": c, "name": n, "parent": "", "scope": s, "principal": [], "related": [], "why": "", "gb": g,
            "source": src,
        }
        for c, n, s, g, src in taxonomy.PARENTS
    ]
    for code, name, parent, scope, principal_refs, related_refs, gb, note, why in taxonomy.LEAVES:
        principal: list[str] = []
        for ref in principal_refs:
            for c in resolve_ref(ref, items):
                if c not in principal:
                    principal.append(c)
        related: list[str] = []
        for ref in related_refs:
            for c in resolve_ref(ref, items):
                if c not in principal and c not in related:
                    related.append(c)
        source = "示意：分类与权力对应为本库设计" + (f"；{note}" if note else "")
        cats.append(
            {
                "code": code, "name": name, "parent": parent, "scope": scope, "principal": principal,
                "related": related, "why": why, "gb": gb, "source": source,
            }
        )
    return cats


# ---- writing --------------------------------------------------------------------------------


def _header(ws, row: int, header: list[str]) -> None:
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
        cell.alignment = CENTER


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _title(ws, text: str, ncols: int) -> None:
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    ws.cell(row=1, column=1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 30


def _new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "powerlist tools/build_catalogs.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def _save(wb: Workbook, path: Path) -> None:
    """Save with fixed timestamps inside and on every zip entry, so rebuilds are byte-identical."""
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_times(data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def _fix_core_times(data: bytes) -> bytes:
    import re

    text = data.decode("utf-8")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{stamp}\g<2>", text)
    return text.encode("utf-8")


def write_organisation(path: Path, streets, communities) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("区县")
    # The city itself has no sheet of its own in the contract: it is named in a title row.
    _title(ws, f"{org.CITY_NAME}（行政区划代码{org.CITY_CODE}）所辖区（市）", 3)
    _header(ws, 2, ["区县编码", "区县名称", "来源"])
    for row in org.DISTRICTS:
        ws.append(list(row))
    _widths(ws, [12, 16, 90])

    ws = wb.create_sheet("街道")
    _header(ws, 1, ["街道编码", "街道名称", "所属区县编码", "编制人数", "编制人数性质", "来源"])
    for code, name, district, staff, nature, source in streets:
        ws.append([code, name, district, staff, nature, source])
    _widths(ws, [12, 14, 14, 10, 12, 120])

    ws = wb.create_sheet("社区")
    _header(ws, 1, ["社区编码", "社区名称", "所属街道编码", "来源"])
    for row in communities:
        ws.append(list(row))
    _widths(ws, [16, 16, 14, 100])

    ws = wb.create_sheet("部门")
    _header(ws, 1, ["部门编码", "部门简称", "市级名称", "区级名称", "是否派驻", "派驻机构名称", "别名", "来源"])
    for code, short, city, district, stationed, unit, aliases, source in org.DEPARTMENTS:
        ws.append([code, short, city, district, "是" if stationed else "否", unit, aliases, source])
    _widths(ws, [10, 14, 30, 34, 10, 14, 40, 90])

    ws = wb.create_sheet("派驻机构")
    _header(ws, 1, ["机构编码", "机构名称", "所属街道编码", "部门编码", "来源"])
    for code, name, *_ in streets:
        short = name.removesuffix("街道")
        for dept, _s, _c, _d, stationed, unit, _a, _src in org.DEPARTMENTS:
            if stationed:
                ws.append(
                    [
                        f"{code}-{dept}",
                        f"{short}{unit}",
                        code,
                        dept,
                        "示意：按每个街道一个派驻机构建模（实际一个派出所、司法所或市场监管所可能覆盖多个街道），名称示意",
                    ]
                )
    _widths(ws, [18, 20, 14, 10, 90])

    # District-level units whose name does not follow the department's 区级名称 pattern.
    ws = wb.create_sheet("区级机构名称")
    _header(ws, 1, ["区县编码", "部门编码", "机构名称", "来源"])
    for row in org.DISTRICT_UNIT_NAMES:
        ws.append(list(row))
    _widths(ws, [12, 10, 24, 90])
    for sheet in wb.worksheets:
        sheet.freeze_panes = "A3" if sheet.title == "区县" else "A2"
    _save(wb, path)


def write_power_list(path: Path, items: list[dict]) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("通用权责清单")
    _title(ws, POWER_TITLE, len(POWER_HEADER))
    _header(ws, 2, POWER_HEADER)
    row = 3
    groups: dict[str, list[int]] = {}
    for n, item in enumerate(items, start=1):
        values = [
            n,
            item["code"],
            item["name"],
            item["sub"] or "",
            KIND_LABELS[item["kind"]],
            item["dept_short"],
            "\n".join(item["basis"]),
            "\n".join(item["resp"]),
            "\n".join(f"{i}. {a}" for i, a in enumerate(item["acc"], start=1)),
            None,
            item["source"],
            item["note"],
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value if value != "" else None)
            cell.alignment = WRAP
        if item["parent_serial"]:
            groups.setdefault(item["parent_serial"], []).append(row)
        row += 1
    # A power with sub-items: its name, kind, department and basis are merged down over the
    # sub-item rows, the way published lists lay them out.
    for rows in groups.values():
        first, last = rows[0], rows[-1]
        for col in (3, 5, 6, 7):
            ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
            ws.cell(row=first, column=col).alignment = CENTER if col != 7 else WRAP
    _widths(ws, [6, 16, 40, 30, 12, 12, 40, 60, 50, 10, 40, 20])
    ws.freeze_panes = "C3"
    _save(wb, path)


def write_delegation(path: Path, delegations: list[dict]) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("街道承接")
    _title(ws, DELEGATION_TITLE, len(DELEGATION_HEADER))
    _header(ws, 2, DELEGATION_HEADER)
    for n, d in enumerate(delegations, start=1):
        item = d["item"]
        name = f"{item['name']}（{item['sub']}）" if item["sub"] else item["name"]
        ws.append(
            [
                n,
                item["code"],
                name,
                KIND_LABELS[item["kind"]],
                item["dept_short"],
                "\n".join(item["basis"]),
                d["street_name"],
                d["mode"],
                d["source"],
            ]
        )
    _widths(ws, [7, 16, 50, 12, 12, 40, 12, 10, 70])
    ws.freeze_panes = "C3"
    _save(wb, path)


def write_taxonomy(path: Path, categories: list[dict]) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("问题分类")
    _header(ws, 1, TAXONOMY_HEADER)
    for c in categories:
        ws.append(
            [
                c["code"], c["name"], c["parent"] or None, c["scope"], "、".join(c["principal"]) or None,
                "、".join(c["related"]) or None, c["why"] or None, c["gb"] or None, c["source"],
            ]
        )
        for col in (5, 6, 7):
            ws.cell(row=ws.max_row, column=col).alignment = WRAP
    _widths(ws, [10, 34, 12, 10, 40, 30, 70, 44, 70])
    ws.freeze_panes = "A2"
    _save(wb, path)


STATUTES_HEADER = [
    "版本编码", "法规编码", "名称", "版本", "通过日期", "施行日期", "废止日期", "替代版本", "条文数", "来源",
]
STATUTES_NOTES = [
    (
        "用途",
        "登记权责清单“实施依据”所引法律法规的各个版本：名称、版本、通过（公布）日期、施行日期、废止日期和替代版本。"
        "派单时，每项权力只引用诉求受理之日施行的版本，并在引文中写明版本。",
    ),
    (
        "引用方式",
        "实施依据每行写“《名称》（版本）条款”，名称和版本须与本表一致；法条序号在版本之间变动的，每个版本各写一行。"
        "本表未登记的文件（地方性法规、规范性文件等）按原文引用，不判断版本。",
    ),
    ("日期", "YYYY-MM-DD。施行日期当日起施行；废止日期当日起不再施行（即施行至前一日）；废止日期为空表示现行有效。"),
    ("覆盖范围", f"自{statutes.COVERAGE_FROM}起，本表登记的每部法律法规在每一天恰有一个版本施行（生成脚本逐日检查）。"),
    ("核对情况", "来源列写明日期的出处与核对程度：“已核对”“据公开报道”“未核对”。未核对的条目应先行核对。"),
]
CALENDAR_NOTES = [
    ("用途", "本表登记国务院办公厅每年发布的部分节假日安排通知中的放假日和调休上班日，供办理时限按工作日计算时使用。"),
    ("已知范围", "powerlist 使用 chinese-calendar 软件包判断工作日；该包目前收录至2026年的节假日安排。"),
    ("何时填写", "国务院办公厅发布新一年《关于××年部分节假日安排的通知》后，在“调休调整”表逐日登记该年全部"
                 "放假日（类型“休息”）和调休上班日（类型“上班”），包括该包已收录年份中被更正的日期。"),
    ("日期", "YYYY-MM-DD，例如 2027-01-01；一天一行，不得重复。"),
    ("类型", "上班（调休上班，周末也算工作日）或 休息（法定节假日或调休放假，工作日也不算）。"),
    ("说明", "节日名称，例如“元旦”“春节调休上班”。"),
    ("来源", "通知名称和文号，例如“国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）”。"),
    ("优先级", "本表登记的日期优先于 chinese-calendar 的判断；未登记的日期按 chinese-calendar，"
               "超出其范围的年份仅按周末判断并给出提示。"),
    ("现状", "本表随包发布时为空：2026年及以前的安排 chinese-calendar 已收录。"),
]


def write_statutes(path: Path) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("法律法规")
    _header(ws, 1, STATUTES_HEADER)
    for v in statutes.versions():
        ws.append(
            [
                v["id"], v["work"], v["title"], v["label"], v["adopted"], v["in_force"], v["repealed"] or None,
                v["replaced_by"] or None, v["articles"], v["source"],
            ]
        )
        ws.cell(row=ws.max_row, column=10).alignment = WRAP
    _widths(ws, [34, 10, 40, 30, 12, 12, 12, 34, 8, 90])
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    _header(notes, 1, ["项目", "说明"])
    for row in STATUTES_NOTES:
        notes.append(list(row))
        notes.cell(row=notes.max_row, column=2).alignment = WRAP
    _widths(notes, [12, 100])
    _save(wb, path)


def write_calendar(path: Path) -> None:
    wb = _new_workbook()
    ws = wb.create_sheet("调休调整")
    _header(ws, 1, CALENDAR_HEADER)
    _widths(ws, [14, 8, 30, 60])
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    _header(notes, 1, ["项目", "说明"])
    for row in CALENDAR_NOTES:
        notes.append(list(row))
        notes.cell(row=notes.max_row, column=2).alignment = WRAP
    _widths(notes, [12, 100])
    _save(wb, path)


# ---- self-check -----------------------------------------------------------------------------


def _rows(path: Path, sheet: str, header_row: int) -> list[dict]:
    wb = load_workbook(path, read_only=True)
    ws = wb[sheet]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    header = [str(h) if h is not None else "" for h in rows[header_row - 1]]
    # a row may be shorter or longer than the header: zip keeps the columns both have
    return [dict(zip(header, r, strict=False)) for r in rows[header_row:] if any(v is not None for v in r)]


def self_check(out: Path) -> list[str]:
    """Re-read the written workbooks and check the catalog's invariants."""
    fails: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            fails.append(message)

    districts = _rows(out / "organisation.xlsx", "区县", 2)
    streets = _rows(out / "organisation.xlsx", "街道", 1)
    communities = _rows(out / "organisation.xlsx", "社区", 1)
    departments = _rows(out / "organisation.xlsx", "部门", 1)
    stationed = _rows(out / "organisation.xlsx", "派驻机构", 1)
    check(len(districts) == 5, f"expected 5 districts, found {len(districts)}")
    split = Counter(s["所属区县编码"] for s in streets)
    check(len(streets) == 19, f"expected 19 streets, found {len(streets)}")
    check(sorted(split.values(), reverse=True) == [4, 4, 4, 4, 3], f"street split is {dict(split)}, expected 4/4/4/4/3")
    check(split.get("420205") == 3, "开发区·铁山区 (420205) should have 3 streets")
    street_codes = {s["街道编码"] for s in streets}
    check(len({s["街道名称"] for s in streets}) == 19, "street names are not unique")
    check({s["所属区县编码"] for s in streets} <= {d["区县编码"] for d in districts},
          "a street names an unknown district")
    per_street = Counter(c["所属街道编码"] for c in communities)
    check(set(per_street) == street_codes, "every street needs communities")
    check(all(3 <= n <= 5 for n in per_street.values()), f"3–5 communities per street: {dict(per_street)}")
    check(len({c["社区编码"] for c in communities}) == len(communities), "community codes are not unique")
    check(all(len(str(c["社区编码"])) == 12 for c in communities), "community codes must have 12 digits")
    check(all(len(str(s["街道编码"])) == 9 for s in streets), "street codes must have 9 digits")
    names = {c["社区名称"] for c in communities}
    check({"纺织社区", "曹家林社区"} <= names, "纺织社区 and 曹家林社区 (named in the report) must be present")
    staff = [s["编制人数"] for s in streets]
    check(sum(staff) / len(staff) < 30, "illustrative staff must average under 30 (report)")
    check(len(departments) == 21, f"expected 21 departments, found {len(departments)}")
    dept_codes = {d["部门编码"] for d in departments}
    check(len(dept_codes) == 21, "department codes are not unique")
    stationed_depts = {d["部门编码"] for d in departments if d["是否派驻"] == "是"}
    check(stationed_depts == {"GA", "SF", "SCJG"}, f"stationed departments are {stationed_depts}")
    check(len(stationed) == 19 * len(stationed_depts), "one stationed unit per street per stationed department")

    items = _rows(out / "power_list.xlsx", "通用权责清单", 2)
    # The report's 225 counts main items (主项): a power split into sub-items (子项) counts once.
    main_items = {str(i["事项编码"]).rsplit("-", 1)[0] if i["子项"] else i["事项编码"] for i in items}
    check(len(main_items) == 225, f"expected exactly 225 main items, found {len(main_items)}")
    codes = [i["事项编码"] for i in items]
    check(len(set(codes)) == len(codes), "item codes are not unique")
    # merged cells read back as None below the first row: carry the parent's values down
    last: dict[str, object] = {}
    full_names = []
    for i in items:
        for key in ("事项名称", "权力类型", "实施主体", "实施依据"):
            if i[key] is None and i["子项"]:
                i[key] = last.get(key)
            last[key] = i[key]
        full_names.append((i["事项名称"], i["子项"] or ""))
        check(bool(i["实施依据"]), f"item {i['事项编码']} has no legal basis")
        check(bool(i["责任事项"]) and bool(i["追责情形"]), f"item {i['事项编码']} lacks 责任事项/追责情形")
        check(str(i["来源"] or "").startswith("示意"), f"item {i['事项编码']} source must say 示意")
        check(i["承接方式"] is None, f"item {i['事项编码']}: 承接方式 must stay blank in the power list")
        check(not any(ch.isdigit() for ch in str(i["事项名称"])[-2:]), f"numbered filler name? {i['事项名称']}")
    check(len(set(full_names)) == len(full_names), "item names (name+子项) are not unique")
    check(len({n for n, s in full_names if not s}) == sum(1 for _, s in full_names if not s), "repeated item names")
    short_to_code = {d["部门简称"]: d["部门编码"] for d in departments}
    check({i["实施主体"] for i in items} <= set(short_to_code), "an item names an unknown department")
    check({short_to_code[i["实施主体"]] for i in items} == dept_codes, "every department must have items")
    kinds = Counter(i["权力类型"] for i in items)
    check(kinds.most_common(1)[0][0] == "行政处罚", "行政处罚 must be the largest kind")

    dele = _rows(out / "delegation.xlsx", "街道承接", 2)
    check(len(dele) == len(items) * 19, f"expected {len(items) * 19} delegation rows, found {len(dele)}")
    pairs = {(d["事项编码"], d["街道"]) for d in dele}
    check(len(pairs) == len(dele), "duplicate (item, street) delegation rows")
    check({d["事项编码"] for d in dele} == set(codes), "delegation items differ from the power list")
    check(set(Counter(d["承接方式"] for d in dele)) == set(MODES),
          f"every mode must appear: {Counter(d['承接方式'] for d in dele)}")
    dept_of = {i["事项编码"]: short_to_code[i["实施主体"]] for i in items}
    for d in dele:
        if dept_of[d["事项编码"]] in stationed_depts and d["承接方式"] != "派驻":
            check(False, f"stationed department item {d['事项编码']} not 派驻 in {d['街道']}")

    cats = _rows(out / "taxonomy.xlsx", "问题分类", 1)
    cat_codes = {c["分类编码"] for c in cats}
    check(len(cat_codes) == len(cats), "category codes are not unique")
    leaves = [c for c in cats if c["上级分类编码"]]
    check(len(leaves) >= 60, f"expected at least 60 leaf categories, found {len(leaves)}")
    check(all(c["上级分类编码"] in cat_codes for c in leaves), "a category names an unknown parent")
    check(
        all(not c["主要权力事项编码"] and not c["相关权力事项编码"] for c in cats if not c["上级分类编码"]),
        "only leaves carry powers",
    )
    for c in leaves:
        check(
            bool(c["主要权力事项编码"]) or not c["相关权力事项编码"],
            f"category {c['分类编码']} has related powers but no principal one",
        )
        check(bool(c["权力对应依据"]), f"category {c['分类编码']} says no reason for its powers (权力对应依据)")
    scopes = Counter(c["吹哨范围"] for c in leaves)
    check(set(scopes) == {"普通问题", "重点工作", "综合执法", "应急处置"}, f"every scope must appear: {scopes}")
    code_set = set(codes)
    for c in leaves:
        for ref in f"{c['主要权力事项编码'] or ''}、{c['相关权力事项编码'] or ''}".split("、"):
            if ref:
                check(ref in code_set, f"category {c['分类编码']} names unknown item {ref}")
    check(sum(1 for c in leaves if not c["主要权力事项编码"]) >= 3, "several leaves must need no power (grade A)")
    fails.extend(_check_statutes(out, items))

    cal = load_workbook(out / "calendar_overrides.xlsx", read_only=True)
    check(cal.sheetnames == ["调休调整", "说明"], f"calendar sheets are {cal.sheetnames}")
    rows = list(cal["调休调整"].iter_rows(values_only=True))
    check(list(rows[0]) == CALENDAR_HEADER and len(rows) == 1, "calendar overrides must be the header and no rows")
    cal.close()
    return fails


def _check_statutes(out: Path, items: list[dict]) -> list[str]:
    """Every citation of a modelled text names a version the statutes table has; for every item and
    every date from the coverage start (or from the text's first version, if later), exactly one
    cited version of each modelled text is in force. Checked at every date a version starts or
    ends, which is where the count can change."""
    import re

    fails: list[str] = []
    rows = _rows(out / "statutes.xlsx", "法律法规", 1)
    by_title_label = {(_bare(r["名称"]), r["版本"]): r for r in rows}
    titles = {_bare(r["名称"]): r["法规编码"] for r in rows}
    ids = {r["版本编码"] for r in rows}
    for r in rows:
        if r["替代版本"] and r["替代版本"] not in ids:
            fails.append(f"statute {r['版本编码']} is replaced by unknown {r['替代版本']}")
        if r["废止日期"] and not r["替代版本"]:
            fails.append(f"statute {r['版本编码']} is repealed but names no replacement")
    cite = re.compile(r"^(《[^》]+》)(?:（([^）]*)）)?")
    boundaries = sorted(
        {statutes.COVERAGE_FROM}
        | {str(r["施行日期"]) for r in rows if str(r["施行日期"]) > statutes.COVERAGE_FROM}
        | {str(r["废止日期"]) for r in rows if r["废止日期"] and str(r["废止日期"]) > statutes.COVERAGE_FROM}
    )
    for item in items:
        cited: dict[str, list[dict]] = {}
        for line in str(item["实施依据"] or "").splitlines():
            m = cite.match(line.strip())
            if not m or _bare(m.group(1)) not in titles:
                continue
            version = by_title_label.get((_bare(m.group(1)), m.group(2) or ""))
            if version is None:
                fails.append(f"item {item['事项编码']} cites {line.strip()!r}: no such version in statutes.xlsx")
                continue
            cited.setdefault(version["法规编码"], []).append(version)
        for work, versions in cited.items():
            # before a text's first version came into force the item simply cannot cite it yet
            first = min(str(r["施行日期"]) for r in rows if r["法规编码"] == work)
            for day in (d for d in boundaries if d >= first):
                live = [v for v in versions if _in_force(v, day)]
                if len(live) != 1:
                    fails.append(f"item {item['事项编码']}: {len(live)} cited versions of {work} in force on {day}")
    return fails


def _in_force(version: dict, day: str) -> bool:
    return str(version["施行日期"]) <= day and (not version["废止日期"] or day < str(version["废止日期"]))


def _bare(title: object) -> str:
    return str(title).replace("中华人民共和国", "")


# ---- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "catalogs")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    streets = org.streets()
    communities = org.communities(streets)
    items = build_items()
    delegations = build_delegations(items, streets)
    categories = build_categories(items)

    write_organisation(out / "organisation.xlsx", streets, communities)
    write_power_list(out / "power_list.xlsx", items)
    write_delegation(out / "delegation.xlsx", delegations)
    write_taxonomy(out / "taxonomy.xlsx", categories)
    write_calendar(out / "calendar_overrides.xlsx")
    write_statutes(out / "statutes.xlsx")

    fails = self_check(out)
    if fails:
        print(f"catalog self-check FAILED ({len(fails)}):", file=sys.stderr)
        for f in fails[:50]:
            print(f"  - {f}", file=sys.stderr)
        return 1
    kinds = Counter(KIND_LABELS[i["kind"]] for i in items)
    modes = Counter(d["mode"] for d in delegations)
    print(
        f"wrote {out}: {len(streets)} streets, {len(communities)} communities, {len(org.DEPARTMENTS)} departments, "
        f"{len(items)} items {dict(kinds)}, {len(delegations)} delegations {dict(modes)}, "
        f"{sum(1 for c in categories if c['parent'])} leaf categories, {len(statutes.versions())} statute versions; "
        "self-check passed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
