"""The delegation audit — 职责准入审核: what the staffing office checks before powers go down.

`audit_workbook(book, catalog, config)` runs every check over a loaded `AuditWorkbook` and
returns the findings, each located at the cell to fix. The checks (docs/audit-codes.md):

- ``missing-field`` — a written row (one per sheet row, whatever the number of streets in its
  街道 cell) lacks the 事项名称 (PL101), 权力类型 (PL102), content: 责任事项 (PL103), or boundary:
  实施主体, who exercises it (PL104), or 追责情形, where responsibility ends (PL105). A field
  whose column the workbook lacks is taken from the common list's item of the same code; the
  finding is located at the field's cell, or at the row's name cell when there is no column.
- ``missing-legal-basis`` — no 实施依据 at all (PL201), or none citing a statute by its 《title》
  (PL202). Same fallback to the common list.
- ``repealed-legal-basis`` — the 实施依据 cites only a version of a text repealed by the audit day
  (`as_of`, default today) and no version of it in force (PL203, `powerlist.audit.repealed`).
- ``stationed-delegated`` — an item of a department the catalog marks stationed (是否派驻 = 是) or
  that `audit.toml` lists (stationed_departments) is 下放 or 委托 to a street (PL301, at the
  承接方式 cell).
- ``responsibility-without-power`` — a responsibility delegated or entrusted to a street while
  the power it depends on is not held by the street (派驻, 保留区级 or 保留市级). A row's 依赖事项
  column, when filled, names its dependencies: any of them not held by the street is PL401.
  Otherwise a responsibility (power kind in responsibility_kinds, or a name containing one of
  responsibility_keywords) depends on the enforcing items (enforcing_kinds: 处罚, 强制) of the same
  department whose names share a subject (audit.toml `subjects`) with its own name — or on all
  of them when its name has no listed subject; PL402 when none of those is held by the street.
  The modes come from the workbook, and for an item the workbook does not list for that street,
  from the catalog. A 依赖事项 code found nowhere is PL403.
- ``overlap`` — several rows for one item × street: a different 承接方式 (two levels or units,
  PL501) or the same one repeated (PL502), located at the later row's 承接方式 cell; the same
  承接方式 under two different departments (实施主体) is two units holding one item (PL503, at the
  later row's 实施主体 cell).
- ``gap`` — a street the workbook covers has no row for a common-list item of a department the
  workbook covers (PL601; see `powerlist.audit.scope` for what a workbook covers).
- ``principal-unheld`` — in a street the workbook covers, none of a leaf category's principal
  powers (all of departments the workbook covers) has a row: nobody can lead it there (PL1101).
- ``not-in-common-list`` — a row's item is not in the common list (PL701, at the code cell), or
  its code is but under another name (PL702, at the name cell).
- ``missing-from-street`` — a street of a district the workbook covers has no row at all (PL801;
  its items are not also listed as gaps).
- ``capacity`` — per street, distinct items delegated or entrusted per member of staff (编制人数)
  above max_items_per_staff (PL901); with a history, whistles a month led by the street office
  per member of staff above max_monthly_whistles_per_staff (PL902); no staff number (PL903).
- ``scope`` — what the workbook does not cover, said once: a district none of whose streets it
  names (PL802), a department none of whose items it lists (PL602); both info.
- ``workbook`` — a footer row after the data (填表人：…, 审核人：…, 日期：…) skipped (PL001, info).

The gap, principal-unheld, missing-from-street, capacity, scope and workbook checks are in
`powerlist.audit.coverage`; the shared index and helpers in `powerlist.audit.auditor`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from ..catalog.catalog import Catalog
from ..catalog.delegation import DelegationRow
from ..routing.issue import SHANGHAI
from ..sheets.text import clean_token
from .auditor import HELD_BY_STREET, Auditor, StreetLoad
from .config import AuditConfig
from .coverage import capacity, footers, gaps, missing_streets, not_covered, principal_unheld
from .findings import Finding
from .repealed import repealed_legal_basis
from .workbook import AuditWorkbook

_FIELD_LABELS = {
    "name": "事项名称", "kind": "权力类型", "responsibilities": "责任事项",
    "department": "实施主体", "accountability": "追责情形", "legal_basis": "实施依据",
}


def audit_workbook(book: AuditWorkbook, catalog: Catalog, config: AuditConfig,
                   loads: Mapping[str, StreetLoad] | None = None, as_of: date | None = None, *,
                   scope: str = "claimed") -> list[Finding]:
    """Every finding of every check, grouped by check in the order of `CHECKS`, each check
    in sheet-row (or street, item) order: the same workbook gives the same list. `as_of` is
    the day the legal basis is judged on (default: today, Asia/Shanghai). `scope`: "claimed"
    (what the workbook covers, `powerlist.audit.scope`) or "all" (the whole catalog)."""
    auditor = Auditor(book, catalog, config, scope)
    day = as_of if as_of is not None else datetime.now(SHANGHAI).date()
    findings: list[Finding] = []
    findings += missing_fields(auditor)
    findings += legal_basis(auditor)
    findings += repealed_legal_basis([(row, *auditor.value(row, "legal_basis")) for row in auditor.first_rows()],
                                     catalog.statutes, day, auditor.label, auditor.finding)
    findings += stationed_delegated(auditor)
    findings += responsibility_without_power(auditor)
    findings += overlaps(auditor)
    findings += gaps(auditor)
    findings += principal_unheld(auditor)
    findings += not_in_common_list(auditor)
    findings += missing_streets(auditor)
    findings += capacity(auditor, loads)
    findings += not_covered(auditor)
    findings += footers(auditor)
    return _once(findings)


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a cell merged over several street rows (实施依据 over three rows) is one
    cell to fix, so the same code at the same cell, item and street is kept at its first."""
    seen: set[tuple[str, str | None, str | None, str | None, str | None]] = set()
    out = []
    for finding in findings:
        key = (finding.code, finding.sheet, finding.cell, finding.item, finding.street)
        if finding.cell is not None and key in seen:
            continue
        seen.add(key)
        out.append(finding)
    return out


def missing_fields(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    codes = (("name", "PL101"), ("kind", "PL102"), ("responsibilities", "PL103"),
             ("department", "PL104"), ("accountability", "PL105"))
    for row in a.first_rows():
        for field, code in codes:
            if field in ("name", "kind"):
                value, written = getattr(row, field), True
            else:
                value, written = a.value(row, field)
            if value:
                continue
            label = _FIELD_LABELS[field]
            if written:
                zh = f"{a.label(row)}：{label}为空，职责准入审核需要该项"
                en = f"{a.label(row)}: {label} ({field}) is empty; the admission review needs it"
            else:
                zh = f"{a.label(row)}：本表没有{label}列，通用清单也未给出"
                en = (f"{a.label(row)}: the workbook has no {label} ({field}) column and the "
                      "common list does not give it")
            out.append(a.finding(code, row, field, zh, en))
    return out


def legal_basis(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    for row in a.first_rows():
        value, written = a.value(row, "legal_basis")
        citations: tuple[str, ...] = value if isinstance(value, tuple) else ()  # None: no item
        where = "" if written else "（本表无实施依据列，取自通用清单）"
        where_en = "" if written else " (no 实施依据 column; taken from the common list)"
        if not citations:
            out.append(a.finding(
                "PL201", row, "legal_basis",
                f"{a.label(row)}：没有实施依据{where}",
                f"{a.label(row)}: no legal basis (实施依据) is cited{where_en}"))
        elif not any("《" in c and "》" in c for c in citations):
            out.append(a.finding(
                "PL202", row, "legal_basis",
                f"{a.label(row)}：实施依据未写明法律法规名称（《…》）{where}",
                f"{a.label(row)}: the legal basis names no statute by its 《title》{where_en}",
                details={"legal_basis": "；".join(citations)}))
    return out


def stationed_delegated(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    for (_, _), rows in sorted(a.written.items()):
        row = rows[0].row
        if row.mode not in HELD_BY_STREET:
            continue
        dept = a.department(row)
        if dept is None or dept not in a.stationed:
            continue
        name = a.catalog.departments[dept].name
        streets = [r.row.street for r in rows]
        shown = "、".join(a.street_name(s) for s in streets)
        out.append(a.finding(
            "PL301", row, "mode",
            f"{a.label(row)}：{name}属于派驻体制部门，其事项不得{row.mode.label}给街道（{shown}），应为派驻",
            f"{a.label(row)}: {name} keeps its street units stationed; its item must not be "
            f"{row.mode.value} to the street ({', '.join(streets)}): use 派驻 (stationed)",
            street=streets[0] if len(streets) == 1 else None,
            details={"department": dept, "department_name": name, "mode": row.mode.value,
                     "streets": streets}))
    return out


def _is_responsibility(a: Auditor, row: DelegationRow) -> bool:
    item = a.item(row)
    kind = row.kind or (item.kind if item else None)
    if kind is None or kind.value in a.config.enforcing_kinds:
        return False
    name = row.name or (item.full_name if item else "")
    return kind.value in a.config.responsibility_kinds or any(
        k in name for k in a.config.responsibility_keywords)


def _enforcing(a: Auditor) -> dict[str, list[tuple[str, str]]]:
    """Department → (code, name) of its enforcing items, common list and workbook."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for item in a.catalog.items.values():
        dept = a.catalog.department_code(item.department)
        if dept and item.kind.value in a.config.enforcing_kinds:
            found[dept][item.code] = item.full_name
    for audit_row in a.book.rows:
        row = audit_row.row
        dept = a.department(row)
        if dept and row.code and row.kind and row.kind.value in a.config.enforcing_kinds:
            found[dept].setdefault(row.code, row.name or row.code)
    return {d: sorted(items.items()) for d, items in found.items()}


def responsibility_without_power(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    enforcing = _enforcing(a)
    known = set(a.catalog.items) | {r.row.code for r in a.book.rows if r.row.code}
    for audit_row in a.book.rows:
        row = audit_row.row
        if row.mode not in HELD_BY_STREET:
            continue
        street = row.street
        if audit_row.depends_on:
            above = []
            for dep in audit_row.depends_on:
                if dep not in known:
                    out.append(a.finding(
                        "PL403", row, "depends_on",
                        f"{a.label(row)}：依赖事项 {dep} 在本表和通用清单中都不存在",
                        f"{a.label(row)}: 依赖事项 {dep} is in neither the workbook nor "
                        "the common list", street=street, details={"depends_on": dep}))
                    continue
                mode = a.mode_of(dep, street)
                if mode is not None and mode not in HELD_BY_STREET:
                    above.append((dep, mode))
            if above:
                shown = "、".join(f"{c}（{m.label}）" for c, m in above)
                out.append(a.finding(
                    "PL401", row, "mode",
                    f"{a.label(row)}：{row.mode.label}给{a.street_name(street)}，但其依赖事项"
                    f"{shown}未由街道行使（看得见、管不了）",
                    f"{a.label(row)}: {row.mode.value} to {street}, but the powers it depends "
                    f"on stay above: {', '.join(f'{c} ({m.value})' for c, m in above)}",
                    street=street,
                    details={"depends_on": [c for c, _ in above],
                             "modes": [m.value for _, m in above]}))
            continue
        if not _is_responsibility(a, row):
            continue
        dept = a.department(row)
        if dept is None:
            continue
        item = a.item(row)
        name = row.name or (item.full_name if item else "")
        subjects = [s for s in a.config.subjects if s in name]
        powers = [(c, n) for c, n in enforcing.get(dept, [])
                  if not subjects or any(s in n for s in subjects)]
        if not powers:
            continue
        modes = [(c, a.mode_of(c, street)) for c, _ in powers]
        if any(m in HELD_BY_STREET for _, m in modes):
            continue
        shown = "、".join(f"{c}（{m.label if m else '无'}）" for c, m in modes[:5])
        more = f" 等{len(modes)}项" if len(modes) > 5 else ""
        basis = (f"同部门主题“{'、'.join(subjects)}”的处罚、强制事项" if subjects
                 else "本部门全部处罚、强制事项")
        out.append(a.finding(
            "PL402", row, "mode",
            f"{a.label(row)}：{row.mode.label}给{a.street_name(street)}，而{basis}"
            f"均未由街道行使：{shown}{more}（看得见、管不了）",
            f"{a.label(row)}: {row.mode.value} to {street} while none of its department's "
            f"penalty or coercion items on {('/'.join(subjects) or 'any subject')} is held by the "
            f"street ({len(modes)} item(s), e.g. {', '.join(c for c, _ in modes[:5])})",
            street=street,
            details={"subjects": subjects, "powers": [c for c, _ in modes],
                     "modes": [m.value if m else None for _, m in modes]}))
    return out


def overlaps(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    for (_, street), rows in sorted(a.by_pair.items()):
        if len(rows) < 2:
            continue
        first = rows[0].row
        first_dept = a.department(first)
        for other in rows[1:]:
            row = other.row
            dept = a.department(row)
            where = first.cell("mode") or f"{first.origin.sheet}!{first.origin.row}"
            if row.mode is first.mode and first_dept and dept and dept != first_dept:
                # The same way, but two departments' units would hold it: two units, one item.
                first_name = a.catalog.departments[first_dept].name
                name = a.catalog.departments[dept].name
                zh = (f"{a.label(row)}：在{a.street_name(street)}由{first_name}（{where}）和"
                      f"{name}两个单位以{row.mode.label}方式持有")
                en = (f"{a.label(row)}: for {street} it is held {row.mode.value} by two units: "
                      f"{first_dept} ({where}) and {dept}")
                out.append(a.finding("PL503", row, "department" if row.cell("department") else "mode",
                                        zh, en, street=street,
                                        details={"first": where, "departments": [first_dept, dept],
                                                 "department_names": [first_name, name],
                                                 "mode": row.mode.value}))
                continue
            same = row.mode is first.mode
            code = "PL502" if same else "PL501"
            if same:
                zh = (f"{a.label(row)}：在{a.street_name(street)}重复列出（{row.mode.label}），"
                      f"首次见 {where}")
                en = f"{a.label(row)}: listed again for {street} ({row.mode.value}), first at {where}"
            else:
                zh = (f"{a.label(row)}：在{a.street_name(street)}既为{first.mode.label}（{where}）"
                      f"又为{row.mode.label}，同一事项由两个层级或单位持有")
                en = (f"{a.label(row)}: for {street} it is both {first.mode.value} ({where}) and "
                      f"{row.mode.value}: held at two levels or by two units")
            out.append(a.finding(code, row, "mode", zh, en, street=street,
                                    details={"first": where, "modes":
                                             [first.mode.value, row.mode.value]}))
    return out


def not_in_common_list(a: Auditor) -> list[Finding]:
    out: list[Finding] = []
    for row in a.first_rows():
        item = a.item(row)
        if item is None:
            out.append(a.finding(
                "PL701", row, "code",
                f"{a.label(row)}：不在通用权责清单中，需单独进行职责准入审核",
                f"{a.label(row)}: not in the common power list; it needs its own admission "
                "review"))
            continue
        if row.name is None:
            continue
        written = clean_token(row.name)
        names = {clean_token(item.name), clean_token(item.full_name),
                 clean_token(item.name + (item.sub_item or ""))}
        if row.sub_item:
            written = clean_token(row.name + row.sub_item)
            names.add(clean_token(item.name + (item.sub_item or "")))
        if written not in names:
            out.append(a.finding(
                "PL702", row, "name",
                f"{row.code}：本表名称“{row.name}”与通用清单“{item.full_name}”不一致",
                f"{row.code}: named {row.name!r} here but {item.full_name!r} in the common list",
                details={"common_name": item.full_name}))
    return out


__all__ = ["StreetLoad", "audit_workbook"]
