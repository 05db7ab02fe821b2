"""Reading taxonomy.xlsx: the issue categories (问题分类) and the power items each may route to.

A leaf names its principal powers (主要权力事项编码: the acts that resolve the issue; the lead is
chosen among them) apart from its related powers (相关权力事项编码: co-units only), and why
(权力对应依据). A workbook from before that split names all candidates 候选权力事项编码: they are
read as principal. Checks: duplicate codes; parent categories exist and do not form a cycle;
吹哨范围 is one of 普通问题/重点工作/综合执法/应急处置; every power code is a catalog item and none is
both principal and related. (A leaf with related powers but no principal one is loaded: `powerlist
rules check` reports it.) 国标对应 is read for people and not stored.
"""

from __future__ import annotations

from collections.abc import Collection

from ..errors import ProblemCollector
from ..sheets.headers import Header
from ..sheets.rows import SheetRow, row_text
from ..sheets.text import cell_text, clean_code, clean_token, split_lines
from .catalog_tables import Table, required, unique
from .files import LIST_SEPARATORS, SHEET_REQUIRED, TAXONOMY
from .models import Category, Scope, SourceRef


def read_categories(rows: Table, items: Collection[str], problems: ProblemCollector
                    ) -> dict[str, Category]:
    """The categories of the 问题分类 sheet's rows, by code; candidate powers are checked
    against `items` (the catalog's item codes) unless it is empty (an unloadable power list
    is reported once, not once per category)."""
    out: dict[str, Category] = {}
    parents: list[tuple[Header, SheetRow, str, str]] = []
    seen: dict[str, str] = {}
    for header, row in rows:
        v = required(header, row, problems, SHEET_REQUIRED["问题分类"])
        if not v or not unique(header, row, v["code"], seen, problems, "category"):
            continue
        ok = True
        scope = Scope.parse(clean_token(v["scope"]))
        if scope is None:
            problems.add("吹哨范围应为 普通问题、重点工作、综合执法 或 应急处置 "
                         "(吹哨范围 must be 普通问题, 重点工作, 综合执法 or 应急处置)",
                         sheet=header.sheet, cell=header.cell("scope", row.number),
                         row=row.number, field="scope", value=v["scope"], code="bad-scope")
            ok = False
        powers = _codes(row, "powers")
        related = _codes(row, "related")
        for name, codes in (("powers", powers), ("related", related)):
            for code in codes:
                if items and code not in items:
                    problems.add("未知的权力事项：编码不在 power_list.xlsx 中 (unknown power item: the code is "
                                 "not in power_list.xlsx)", sheet=header.sheet, cell=header.cell(name, row.number),
                                 row=row.number, field=name, value=code, code="unknown-item")
                    ok = False
        for code in sorted(set(powers) & set(related)):
            problems.add("同一事项既是主要权力又是相关权力 (an item is listed both as principal and as "
                         "related power)", sheet=header.sheet, cell=header.cell("related", row.number),
                         row=row.number, field="related", value=code, code="duplicate-power")
            ok = False
        parent_raw = row_text(row, "parent")
        parent = clean_code(parent_raw) if parent_raw else None
        if parent is not None:
            parents.append((header, row, v["code"], parent))
        if ok and scope is not None:
            out[v["code"]] = Category(code=v["code"], name=v["name"], parent=parent,
                                      scope=scope, powers=powers, related=related,
                                      reason=row_text(row, "reason") or "",
                                      source=row_text(row, "source") or "",
                                      origin=SourceRef(file=TAXONOMY, sheet=header.sheet, row=row.number))
    links = {code: parent for _, _, code, parent in parents}
    for header, row, code, parent in parents:
        problem = None
        if parent not in seen:
            problem = "未知的上级分类编码 (unknown parent category code)"
        elif _cycles(code, links):
            problem = "上级分类形成循环 (the parent categories form a cycle)"
        if problem:
            problems.add(problem, sheet=header.sheet, cell=header.cell("parent", row.number),
                         row=row.number, field="parent", value=parent,
                         code="bad-parent")
            out.pop(code, None)
    return out


def _codes(row: SheetRow, name: str) -> tuple[str, ...]:
    return tuple(clean_code(p) for p in split_lines(cell_text(row.values.get(name)) or "", LIST_SEPARATORS))


def _cycles(start: str, links: dict[str, str]) -> bool:
    seen = {start}
    current = links.get(start)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = links.get(current)
    return False
