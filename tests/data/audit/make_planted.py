"""Build the audit's planted-fault workbooks from the shipped delegation workbook.

    /work/venv/bin/python tests/data/audit/make_planted.py

Every workbook is the shipped `catalogs/delegation.xlsx` cut down to two streets (黄石港街道 and
铁山街道, which hold the 城管 items differently) — `base.xlsx` — with one kind of fault planted.
Rows are never deleted (a removed row is blanked) so every other finding keeps its cell; the
tests audit each file against the shipped catalog restricted to the two streets and expect the
planted findings, and nothing else, on top of the base's own. `planted.json` lists the planted
findings: file → [{code, cell, item, street}] (cell: the 街道承接 sheet's cell, or null; PL1101 is
located at the category's taxonomy row). The tests audit as of AS_OF (2026-03-01), after the 2025
治安管理处罚法 came into force.

Rows are chosen by rules over the data (the first row of a street with such a kind, department
and mode), not by number, so the files follow the shipped delegation when it changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCE = ROOT / "catalogs" / "delegation.xlsx"
STREETS = ("黄石港街道", "铁山街道")  # streets kept; the first is where faults are planted
STREET_CODES = {"黄石港街道": "420202001", "铁山街道": "420205002"}
SHEET = "街道承接"
HEADER_ROW = 2
COLUMNS = {"seq": 1, "code": 2, "name": 3, "kind": 4, "department": 5, "legal_basis": 6,
           "street": 7, "mode": 8, "source": 9}
LETTER = {name: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col - 1] for name, col in COLUMNS.items()}
STATIONED = ("公安", "司法", "市场监管")
HELD = ("下放", "委托")


def read_source() -> tuple[list[Any], list[Any], list[list[Any]]]:
    book = load_workbook(SOURCE, read_only=True)
    ws = book[SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    title, header, data = rows[0], rows[HEADER_ROW - 1], rows[HEADER_ROW:]
    kept = [r for r in data if r[COLUMNS["street"] - 1] in STREETS]
    for seq, row in enumerate(kept, start=1):
        row[0] = seq
    return title, header, kept


def save(path: Path, title: list[Any], header: list[Any], rows: list[list[Any] | None]) -> None:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(title[:1])
    ws.append(header)
    for row in rows:
        ws.append(row if row is not None else [])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    book.properties.creator = "powerlist tests/data/audit/make_planted.py"
    book.save(path)


def value(row: list[Any], name: str) -> Any:
    return row[COLUMNS[name] - 1]


def kind_code(row: list[Any]) -> str:
    return {"行政处罚": "02", "行政强制": "03", "行政检查": "06"}.get(value(row, "kind"), "")


def find(rows: list[list[Any] | None], predicate: Any, start: int = 0) -> int:
    for index in range(start, len(rows)):
        row = rows[index]
        if row is not None and predicate(row):
            return index
    raise LookupError("no row matches the planting rule: the shipped delegation changed")


def cell(name: str, index: int) -> str:
    return f"{LETTER[name]}{index + HEADER_ROW + 1}"


def build(out: Path = HERE) -> dict[str, list[dict[str, Any]]]:
    title, header, base = read_source()
    first, second = STREETS
    s1 = STREET_CODES[first]
    in_first = lambda row: value(row, "street") == first  # noqa: E731
    planted: dict[str, list[dict[str, Any]]] = {}
    out.mkdir(parents=True, exist_ok=True)
    save(out / "base.xlsx", title, header, base)

    def copy() -> list[list[Any] | None]:
        return [list(r) for r in base]

    def expect(file: str, code: str, cell_ref: str | None, item: str | None,
               street: str | None) -> None:
        planted.setdefault(file, []).append(
            {"code": code, "cell": cell_ref, "item": item, "street": street})

    # missing-field: no name, no kind, no 实施主体 (three rows of the first street).
    rows = copy()
    a = find(rows, in_first)
    b = find(rows, in_first, a + 1)
    c = find(rows, in_first, b + 1)
    rows[a][COLUMNS["name"] - 1] = None
    rows[b][COLUMNS["kind"] - 1] = None
    rows[c][COLUMNS["department"] - 1] = "  "
    save(out / "missing_field.xlsx", title, header, rows)
    expect("missing_field.xlsx", "PL101", cell("name", a), value(rows[a], "code"), None)
    expect("missing_field.xlsx", "PL102", cell("kind", b), value(rows[b], "code"), None)
    expect("missing_field.xlsx", "PL104", cell("department", c), value(rows[c], "code"), None)

    # missing-field: the workbook carries 责任事项 and 追责情形 columns, one cell of each empty.
    from powerlist.catalog.loader import load_catalogs

    catalog = load_catalogs(ROOT / "catalogs")
    wide_header = [*header, "责任事项", "追责情形"]
    rows = []
    for row in base:
        item = catalog.items[value(row, "code")]
        rows.append([*row, "\n".join(item.responsibilities), "\n".join(item.accountability)])
    wide = [list(r) for r in rows]
    a = find(rows, in_first)
    b = find(rows, in_first, a + 1)
    rows[a][len(header)] = None
    rows[b][len(header) + 1] = ""
    save(out / "missing_content.xlsx", title, wide_header, rows)
    letter_j, letter_k = "JK"
    expect("missing_content.xlsx", "PL103", f"{letter_j}{a + HEADER_ROW + 1}",
           value(rows[a], "code"), None)
    expect("missing_content.xlsx", "PL105", f"{letter_k}{b + HEADER_ROW + 1}",
           value(rows[b], "code"), None)

    # missing-legal-basis: one row with none, one citing no statute by title.
    rows = copy()
    a = find(rows, in_first)
    b = find(rows, in_first, a + 1)
    rows[a][COLUMNS["legal_basis"] - 1] = None
    rows[b][COLUMNS["legal_basis"] - 1] = "依据有关规定执行"
    save(out / "legal_basis.xlsx", title, header, rows)
    expect("legal_basis.xlsx", "PL201", cell("legal_basis", a), value(rows[a], "code"), None)
    expect("legal_basis.xlsx", "PL202", cell("legal_basis", b), value(rows[b], "code"), None)

    # stationed-delegated: a 公安 penalty delegated to the street.
    rows = copy()
    a = find(rows, lambda r: in_first(r) and value(r, "department") == "公安"
             and kind_code(r) == "02")
    rows[a][COLUMNS["mode"] - 1] = "下放"
    save(out / "stationed.xlsx", title, header, rows)
    expect("stationed.xlsx", "PL301", cell("mode", a), value(rows[a], "code"), s1)

    # responsibility-without-power: (1) an inspection (行政检查) retained by the district, of a
    # department none of whose penalties or coercion the street holds, now delegated; (2) a
    # 依赖事项 column naming a retained item as the dependency of a delegated penalty.
    rows = [[*r, None] for r in base]
    dept_modes: dict[str, set[str]] = {}
    for row in rows:
        if in_first(row) and kind_code(row) in ("02", "03"):
            dept_modes.setdefault(value(row, "department"), set()).add(value(row, "mode"))
    retained = {d for d, modes in dept_modes.items()
                if not modes & set(HELD) and d not in STATIONED}
    a = find(rows, lambda r: in_first(r) and kind_code(r) == "06"
             and value(r, "department") in retained and value(r, "mode") not in HELD)
    rows[a][COLUMNS["mode"] - 1] = "下放"
    b = find(rows, lambda r: in_first(r) and kind_code(r) == "02" and value(r, "mode") in HELD)
    dep = find(rows, lambda r: in_first(r) and value(r, "mode") in ("保留区级", "保留市级"))
    rows[b][len(header)] = value(rows[dep], "code")
    save(out / "responsibility.xlsx", title, [*header, "依赖事项"], rows)
    expect("responsibility.xlsx", "PL402", cell("mode", a), value(rows[a], "code"), s1)
    expect("responsibility.xlsx", "PL401", cell("mode", b), value(rows[b], "code"), s1)

    # overlap: a row repeated with another mode, and a row repeated with the same mode.
    rows = copy()
    a = find(rows, in_first)
    b = find(rows, in_first, a + 1)
    other = "保留市级" if value(rows[a], "mode") != "保留市级" else "保留区级"
    rows.append([*rows[a][:COLUMNS["mode"] - 1], other, *rows[a][COLUMNS["mode"]:]])
    rows.append(list(rows[b]))
    save(out / "overlap.xlsx", title, header, rows)
    expect("overlap.xlsx", "PL501", cell("mode", len(rows) - 2), value(rows[a], "code"), s1)
    expect("overlap.xlsx", "PL502", cell("mode", len(rows) - 1), value(rows[b], "code"), s1)

    # gap: one item × street row blanked (nobody holds the item for the street).
    rows = copy()
    a = find(rows, in_first)
    code = value(rows[a], "code")
    rows[a] = None
    save(out / "gap.xlsx", title, header, rows)
    expect("gap.xlsx", "PL601", None, code, s1)

    # not-in-common-list: a new item, and a common item written under another name. The
    # workbook carries 责任事项 and 追责情形, so the new item is complete for the review.
    rows = [list(r) for r in wide]
    a = find(rows, in_first)
    rows[a][COLUMNS["name"] - 1] = str(value(rows[a], "name")) + "（改）"
    new = list(rows[a])
    new[COLUMNS["code"] - 1] = "ZZ-10-001"
    new[COLUMNS["name"] - 1] = "街道自设事项（不在通用清单）"
    new[COLUMNS["kind"] - 1] = "其他行政权力"
    new[COLUMNS["department"] - 1] = "民政"
    new[COLUMNS["legal_basis"] - 1] = "《中华人民共和国城市居民委员会组织法》"
    new[COLUMNS["mode"] - 1] = "保留区级"
    new[len(header)] = "指导责任：对街道自设事项的办理进行指导。"
    new[len(header) + 1] = "不履行或者不正确履行指导职责的。"
    rows.append(new)
    save(out / "not_in_common.xlsx", title, wide_header, rows)
    expect("not_in_common.xlsx", "PL702", cell("name", a), value(rows[a], "code"), None)
    expect("not_in_common.xlsx", "PL701", cell("code", len(rows) - 1), "ZZ-10-001", None)

    # repealed-legal-basis: a 公安 row citing only the 2012 治安管理处罚法, repealed from
    # 2026-01-01 by the 2025 revision (the tests audit as of AS_OF, after that day).
    rows = copy()
    a = find(rows, lambda r: in_first(r) and value(r, "department") == "公安"
             and "（2012年修正）" in str(value(r, "legal_basis")))
    old = [line for line in str(value(rows[a], "legal_basis")).splitlines() if "（2012年修正）" in line]
    rows[a][COLUMNS["legal_basis"] - 1] = "\n".join(old)
    save(out / "repealed.xlsx", title, header, rows)
    expect("repealed.xlsx", "PL203", cell("legal_basis", a), value(rows[a], "code"), None)

    # principal-unheld: the rows of every principal power of 路灯损坏 (BJ0102) blanked in the
    # first street: two gaps, and nobody there holds what resolves the category.
    rows = copy()
    lamp = catalog.categories["BJ0102"]
    for code in lamp.powers:
        a = find(rows, lambda r, code=code: in_first(r) and value(r, "code") == code)
        rows[a] = None
        expect("principal_unheld.xlsx", "PL601", None, code, s1)
    save(out / "principal_unheld.xlsx", title, header, rows)
    expect("principal_unheld.xlsx", "PL1101", None, None, s1)

    # missing-from-street: every row of the second street blanked.
    rows = [None if value(r, "street") == second else list(r) for r in base]
    save(out / "missing_street.xlsx", title, header, rows)
    # 铁山街道 is the workbook's only street of its district: without it the district is not
    # covered (PL802, said once), not a street without rows (PL801, for a covered district).
    expect("missing_street.xlsx", "PL802", None, None, None)

    manifest = {"streets": [STREET_CODES[s] for s in STREETS], "files": planted}
    (out / "planted.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    return planted


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for name, found in build().items():
        print(name, [f["code"] for f in found])
