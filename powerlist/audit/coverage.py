"""The audit's coverage checks — 覆盖与承接能力: gaps, categories nobody can lead (principal
powers unheld), streets without rows, capacity, and what the workbook does not cover (scope),
each over the workbook's claimed scope (`powerlist.audit.scope`); and the rows reading skipped
(footers).
"""

from __future__ import annotations

from collections.abc import Mapping

from .auditor import HELD_BY_STREET, Auditor, StreetLoad
from .findings import Finding
from .scope import uncovered_departments, uncovered_districts


def gaps(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    departments = {code: a.catalog.department_code(item.department) for code, item in a.catalog.items.items()}
    for street in a.streets:
        for code, item in sorted(a.catalog.items.items()):
            if (code, street) in a.by_pair or not a.scope.covers_item(departments[code]):
                continue
            out.append(a.finding(
                "PL601", None, None,
                f"{code} {item.full_name}：{a.street_name(street)}没有承接行，无人持有",
                f"{code} {item.full_name}: no row for street {street}: nobody holds it",
                street=street, item=code))
    return out


def principal_unheld(a: Auditor) -> list[Finding]:
    """PL1101: in a street the workbook covers, no principal power of a leaf category has a row
    (every one is a gap, PL601): nobody holds what resolves the category there. A category with
    a principal power of a department the workbook does not cover is not judged (PL602 says so)."""
    out: list[Finding] = []
    for street in a.streets:
        for code, category in sorted(a.catalog.categories.items()):
            principal = [p for p in category.powers if p in a.catalog.items]
            if not principal or any((p, street) in a.by_pair for p in principal):
                continue
            if not all(a.scope.covers_item(a.catalog.department_code(a.catalog.items[p].department))
                       for p in principal):
                continue
            origin = category.origin
            out.append(Finding(
                code="PL1101",
                message_zh=f"{code} {category.name}：{a.street_name(street)}没有任何主要权力"
                f"（{'、'.join(principal)}）的承接行，该类诉求在此无人牵头",
                message_en=f"{code} {category.name}: street {street} has no row for any of its principal "
                f"powers ({', '.join(principal)}): nobody can lead such an issue there",
                file=origin.file if origin else a.file, sheet=origin.sheet if origin else None,
                cell=None, row=origin.row if origin else None, item=None, street=street,
                details=tuple(sorted({"category": code, "category_name": category.name,
                                      "principal": principal}.items())),
                street_name=a.street_name(street)))
    return out


def missing_streets(a: Auditor) -> list[Finding]:
    """PL801 for each street of a district the workbook covers that has no row at all."""
    out: list[Finding] = []
    covered = set(a.streets)
    for code in a.scope.streets:
        if code in covered:
            continue
        street = a.catalog.streets[code]
        district = a.catalog.districts.get(street.district)
        where = f"{district.name}的" if district else ""
        out.append(a.finding(
            "PL801", None, None,
            f"{street.name}（{code}）：本表覆盖{where}其他街道，却没有该街道的任何承接行，其清单整体缺失",
            f"street {street.name} ({code}) has no row at all, though the workbook covers its district: "
            "its whole list is missing",
            street=code))
    return out


def not_covered(a: Auditor) -> list[Finding]:
    """What the workbook does not cover, said once each: districts (PL802), departments (PL602)."""
    out: list[Finding] = []
    for district, streets in uncovered_districts(a.catalog, a.scope):
        name = a.catalog.districts[district].name
        shown = "、".join(a.street_name(s) for s in streets)
        out.append(a.finding(
            "PL802", None, None,
            f"本表未覆盖{name}（{district}）：其 {len(streets)} 个街道（{shown}）未做审核",
            f"the workbook covers no street of {name} ({district}): "
            f"its {len(streets)} street(s) were not audited",
            details={"district": district, "district_name": name, "streets": streets}))
    departments = uncovered_departments(a.catalog, a.scope)
    if departments:
        named = [(d, a.catalog.departments[d].name if d in a.catalog.departments else "未写实施主体", len(items))
                 for d, items in departments]
        total = sum(n for _, _, n in named)
        shown = "、".join(f"{name} {n} 项" for _, name, n in named)
        out.append(a.finding(
            "PL602", None, None,
            f"本表未列 {len(named)} 个部门的任何事项，通用清单中这些部门的 {total} 项未做缺口检查：{shown}",
            f"the workbook lists no item of {len(named)} department(s): their {total} common-list item(s) "
            f"were not checked for gaps ({', '.join(d or '-' for d, _, _ in named)})",
            details={"departments": [d or None for d, _, _ in named],
                     "department_names": [name for _, name, _ in named], "items": total}))
    return out


def footers(a: Auditor) -> list[Finding]:
    """PL001 for each footer row (填表人：…) reading skipped after a sheet's data."""
    return [Finding(code="PL001",
                    message_zh=f"第 {note.row} 行是表尾签名、说明行（{note.value}），已跳过，未作为事项审核",
                    message_en=f"row {note.row} is a footer after the data ({note.value!r}): skipped, not audited",
                    file=a.file, sheet=note.sheet, cell=note.cell, row=note.row,
                    details=(("text", note.value),))
            for note in a.book.notes if note.code == "footer-row"]


def capacity(a: Auditor, loads: Mapping[str, StreetLoad] | None) -> list[Finding]:
    out: list[Finding] = []
    for street in a.streets:
        st = a.catalog.streets[street]
        held = sorted({key for (key, s), rows in a.by_pair.items()
                       if s == street and rows[0].row.mode in HELD_BY_STREET})
        if not st.staff:
            out.append(a.finding(
                "PL903", None, None,
                f"{st.name}：没有编制人数，无法核算承接能力（承接 {len(held)} 项）",
                f"street {street} has no staff number: capacity not checked ({len(held)} items)",
                street=street, details={"items": len(held)}))
            continue
        ratio = len(held) / st.staff
        limit = a.config.max_items_per_staff
        if ratio > limit:
            out.append(a.finding(
                "PL901", None, None,
                f"{st.name}：下放、委托 {len(held)} 项，编制 {st.staff} 人，人均 {ratio:.2f} 项，"
                f"超过阈值 {limit:g}（接不住）",
                f"street {street}: {len(held)} delegated or entrusted items for {st.staff} staff, "
                f"{ratio:.2f} each, above the threshold of {limit:g}",
                street=street, details={"items": len(held), "staff": st.staff,
                                        "per_staff": round(ratio, 2), "threshold": limit}))
        load = (loads or {}).get(street)
        if load is None:
            continue
        monthly = load.monthly_whistles / st.staff
        wlimit = a.config.max_monthly_whistles_per_staff
        if monthly > wlimit:
            out.append(a.finding(
                "PL902", None, None,
                f"{st.name}：预计每月街道牵头吹哨 {load.monthly_whistles:.1f} 次，编制 {st.staff} 人，"
                f"人均 {monthly:.2f} 次，超过阈值 {wlimit:g}（接不住）",
                f"street {street}: {load.monthly_whistles:.1f} whistles a month led by the street "
                f"office for {st.staff} staff, {monthly:.2f} each, above the threshold of {wlimit:g}",
                street=street, details={"monthly_whistles": round(load.monthly_whistles, 2),
                                        "staff": st.staff, "per_staff": round(monthly, 2),
                                        "threshold": wlimit}))
    return out
