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
- ``gap`` — a street the workbook covers has no row for a common-list item (PL601).
- ``not-in-common-list`` — a row's item is not in the common list (PL701, at the code cell), or
  its code is but under another name (PL702, at the name cell).
- ``missing-from-street`` — a street of the catalog has no row at all (PL801; its items are not
  also listed as gaps).
- ``capacity`` — per street, distinct items delegated or entrusted per member of staff (编制人数)
  above max_items_per_staff (PL901); with a history, whistles a month led by the street office
  per member of staff above max_monthly_whistles_per_staff (PL902); no staff number (PL903).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.delegation import DelegationRow
from ..catalog.models import DelegationMode, PowerItem
from ..routing.issue import SHANGHAI
from ..sheets.text import clean_token
from .config import AuditConfig
from .findings import Finding
from .repealed import repealed_legal_basis
from .workbook import AuditRow, AuditWorkbook

HELD_BY_STREET = frozenset({DelegationMode.DELEGATED, DelegationMode.ENTRUSTED})
_FIELD_LABELS = {
    "name": "事项名称", "kind": "权力类型", "responsibilities": "责任事项",
    "department": "实施主体", "accountability": "追责情形", "legal_basis": "实施依据",
}


@dataclass(frozen=True)
class StreetLoad:
    """A street's expected whistles a month (from a routed history)."""

    street: str
    monthly_whistles: float


def audit_workbook(book: AuditWorkbook, catalog: Catalog, config: AuditConfig,
                   loads: Mapping[str, StreetLoad] | None = None, as_of: date | None = None) -> list[Finding]:
    """Every finding of every check, grouped by check in the order of `CHECKS`, each check
    in sheet-row (or street, item) order: the same workbook gives the same list. `as_of` is
    the day the legal basis is judged on (default: today, Asia/Shanghai)."""
    auditor = _Auditor(book, catalog, config)
    day = as_of if as_of is not None else datetime.now(SHANGHAI).date()
    findings: list[Finding] = []
    findings += auditor.missing_fields()
    findings += auditor.legal_basis()
    findings += auditor.repealed_legal_basis(day)
    findings += auditor.stationed_delegated()
    findings += auditor.responsibility_without_power()
    findings += auditor.overlaps()
    findings += auditor.gaps()
    findings += auditor.principal_unheld()
    findings += auditor.not_in_common_list()
    findings += auditor.missing_streets()
    findings += auditor.capacity(loads)
    return findings


def _item_key(row: DelegationRow) -> str:
    return row.code if row.code is not None else "name:" + clean_token(row.name or "")


class _Auditor:
    def __init__(self, book: AuditWorkbook, catalog: Catalog, config: AuditConfig) -> None:
        self.book = book
        self.catalog = catalog
        self.config = config
        self.file = book.file
        written: dict[tuple[str, int], list[AuditRow]] = {}
        for audit_row in book.rows:
            origin = audit_row.row.origin
            written.setdefault((origin.sheet, origin.row), []).append(audit_row)
        self.written = written  # sheet row → its item × street rows
        self.by_pair: dict[tuple[str, str], list[AuditRow]] = defaultdict(list)
        for audit_row in book.rows:
            self.by_pair[(_item_key(audit_row.row), audit_row.row.street)].append(audit_row)
        self.streets = sorted({r.row.street for r in book.rows})
        self.stationed = {d.code for d in catalog.departments.values() if d.stationed}
        for name in config.stationed_departments:
            code = catalog.department_code(name)
            if code is not None:
                self.stationed.add(code)

    # ---- helpers ------------------------------------------------------------------------

    def item(self, row: DelegationRow) -> PowerItem | None:
        return self.catalog.items.get(row.code) if row.code is not None else None

    def label(self, row: DelegationRow) -> str:
        item = self.item(row)
        name = row.name or (item.full_name if item else None) or "?"
        return f"{row.code} {name}" if row.code else name

    def street_name(self, street: str) -> str:
        found = self.catalog.streets.get(street)
        return found.name if found else street

    def finding(self, code: str, row: DelegationRow | None, field: str | None, zh: str, en: str,
                *, street: str | None = None, item: str | None = None,
                details: dict[str, Any] | None = None) -> Finding:
        sheet = cell = None
        number = None
        if row is not None:
            sheet, number = row.origin.sheet, row.origin.row
            cell = row.cells.get(field) if field else None
            if cell is None:
                cell = row.cells.get("name") or row.cells.get("code")
        elif self.book.columns:
            sheet = next(iter(self.book.columns))
        return Finding(code=code, message_zh=zh, message_en=en, file=self.file, sheet=sheet,
                       cell=cell, row=number, item=item if item is not None else
                       (row.code if row is not None else None), street=street,
                       details=tuple(sorted((details or {}).items())))

    def value(self, row: DelegationRow, field: str) -> tuple[object, bool]:
        """(value, written): the row's own cell when its sheet has the column, else the
        common list's item's value."""
        if self.book.has_column(row.origin.sheet, field):
            return getattr(row, field), True
        item = self.item(row)
        return (getattr(item, field) if item is not None else None), False

    def mode_of(self, code: str, street: str) -> DelegationMode | None:
        rows = self.by_pair.get((code, street))
        if rows:
            return rows[0].row.mode
        if code in self.catalog.items and street in self.catalog.streets:
            return self.catalog.mode(code, street)
        return None

    def department(self, row: DelegationRow) -> str | None:
        item = self.item(row)
        written = row.department or (item.department if item else None)
        return self.catalog.department_code(written)

    def first_rows(self) -> list[DelegationRow]:
        return [rows[0].row for _, rows in sorted(self.written.items())]

    # ---- checks -------------------------------------------------------------------------

    def missing_fields(self) -> list[Finding]:
        out: list[Finding] = []
        codes = (("name", "PL101"), ("kind", "PL102"), ("responsibilities", "PL103"),
                 ("department", "PL104"), ("accountability", "PL105"))
        for row in self.first_rows():
            for field, code in codes:
                if field in ("name", "kind"):
                    value, written = getattr(row, field), True
                else:
                    value, written = self.value(row, field)
                if value:
                    continue
                label = _FIELD_LABELS[field]
                if written:
                    zh = f"{self.label(row)}：{label}为空，职责准入审核需要该项"
                    en = f"{self.label(row)}: {label} ({field}) is empty; the admission review needs it"
                else:
                    zh = f"{self.label(row)}：本表没有{label}列，通用清单也未给出"
                    en = (f"{self.label(row)}: the workbook has no {label} ({field}) column and the "
                          "common list does not give it")
                out.append(self.finding(code, row, field, zh, en))
        return out

    def legal_basis(self) -> list[Finding]:
        out: list[Finding] = []
        for row in self.first_rows():
            value, written = self.value(row, "legal_basis")
            citations: tuple[str, ...] = value if isinstance(value, tuple) else ()  # None: no item
            where = "" if written else "（本表无实施依据列，取自通用清单）"
            where_en = "" if written else " (no 实施依据 column; taken from the common list)"
            if not citations:
                out.append(self.finding(
                    "PL201", row, "legal_basis",
                    f"{self.label(row)}：没有实施依据{where}",
                    f"{self.label(row)}: no legal basis (实施依据) is cited{where_en}"))
            elif not any("《" in c and "》" in c for c in citations):
                out.append(self.finding(
                    "PL202", row, "legal_basis",
                    f"{self.label(row)}：实施依据未写明法律法规名称（《…》）{where}",
                    f"{self.label(row)}: the legal basis names no statute by its 《title》{where_en}",
                    details={"legal_basis": "；".join(citations)}))
        return out

    def repealed_legal_basis(self, day: date) -> list[Finding]:
        """PL203 (`powerlist.audit.repealed`)."""
        rows = [(row, *self.value(row, "legal_basis")) for row in self.first_rows()]
        return repealed_legal_basis(rows, self.catalog.statutes, day, self.label, self.finding)

    def stationed_delegated(self) -> list[Finding]:
        out: list[Finding] = []
        for (_, _), rows in sorted(self.written.items()):
            row = rows[0].row
            if row.mode not in HELD_BY_STREET:
                continue
            dept = self.department(row)
            if dept is None or dept not in self.stationed:
                continue
            name = self.catalog.departments[dept].name
            streets = [r.row.street for r in rows]
            shown = "、".join(self.street_name(s) for s in streets)
            out.append(self.finding(
                "PL301", row, "mode",
                f"{self.label(row)}：{name}属于派驻体制部门，其事项不得{row.mode.label}给街道（{shown}），应为派驻",
                f"{self.label(row)}: {name} keeps its street units stationed; its item must not be "
                f"{row.mode.value} to the street ({', '.join(streets)}): use 派驻 (stationed)",
                street=streets[0] if len(streets) == 1 else None,
                details={"department": dept, "mode": row.mode.value, "streets": streets}))
        return out

    def _is_responsibility(self, row: DelegationRow) -> bool:
        item = self.item(row)
        kind = row.kind or (item.kind if item else None)
        if kind is None or kind.value in self.config.enforcing_kinds:
            return False
        name = row.name or (item.full_name if item else "")
        return kind.value in self.config.responsibility_kinds or any(
            k in name for k in self.config.responsibility_keywords)

    def _enforcing(self) -> dict[str, list[tuple[str, str]]]:
        """Department → (code, name) of its enforcing items, common list and workbook."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for item in self.catalog.items.values():
            dept = self.catalog.department_code(item.department)
            if dept and item.kind.value in self.config.enforcing_kinds:
                found[dept][item.code] = item.full_name
        for audit_row in self.book.rows:
            row = audit_row.row
            dept = self.department(row)
            if dept and row.code and row.kind and row.kind.value in self.config.enforcing_kinds:
                found[dept].setdefault(row.code, row.name or row.code)
        return {d: sorted(items.items()) for d, items in found.items()}

    def responsibility_without_power(self) -> list[Finding]:
        out: list[Finding] = []
        enforcing = self._enforcing()
        known = set(self.catalog.items) | {r.row.code for r in self.book.rows if r.row.code}
        for audit_row in self.book.rows:
            row = audit_row.row
            if row.mode not in HELD_BY_STREET:
                continue
            street = row.street
            if audit_row.depends_on:
                above = []
                for dep in audit_row.depends_on:
                    if dep not in known:
                        out.append(self.finding(
                            "PL403", row, "depends_on",
                            f"{self.label(row)}：依赖事项 {dep} 在本表和通用清单中都不存在",
                            f"{self.label(row)}: 依赖事项 {dep} is in neither the workbook nor "
                            "the common list", street=street, details={"depends_on": dep}))
                        continue
                    mode = self.mode_of(dep, street)
                    if mode is not None and mode not in HELD_BY_STREET:
                        above.append((dep, mode))
                if above:
                    shown = "、".join(f"{c}（{m.label}）" for c, m in above)
                    out.append(self.finding(
                        "PL401", row, "mode",
                        f"{self.label(row)}：{row.mode.label}给{self.street_name(street)}，但其依赖事项"
                        f"{shown}未由街道行使（看得见、管不了）",
                        f"{self.label(row)}: {row.mode.value} to {street}, but the powers it depends "
                        f"on stay above: {', '.join(f'{c} ({m.value})' for c, m in above)}",
                        street=street,
                        details={"depends_on": [c for c, _ in above],
                                 "modes": [m.value for _, m in above]}))
                continue
            if not self._is_responsibility(row):
                continue
            dept = self.department(row)
            if dept is None:
                continue
            item = self.item(row)
            name = row.name or (item.full_name if item else "")
            subjects = [s for s in self.config.subjects if s in name]
            powers = [(c, n) for c, n in enforcing.get(dept, [])
                      if not subjects or any(s in n for s in subjects)]
            if not powers:
                continue
            modes = [(c, self.mode_of(c, street)) for c, _ in powers]
            if any(m in HELD_BY_STREET for _, m in modes):
                continue
            shown = "、".join(f"{c}（{m.label if m else '无'}）" for c, m in modes[:5])
            more = f" 等{len(modes)}项" if len(modes) > 5 else ""
            basis = (f"同部门主题“{'、'.join(subjects)}”的处罚、强制事项" if subjects
                     else "本部门全部处罚、强制事项")
            out.append(self.finding(
                "PL402", row, "mode",
                f"{self.label(row)}：{row.mode.label}给{self.street_name(street)}，而{basis}"
                f"均未由街道行使：{shown}{more}（看得见、管不了）",
                f"{self.label(row)}: {row.mode.value} to {street} while none of its department's "
                f"penalty or coercion items on {('/'.join(subjects) or 'any subject')} is held by the "
                f"street ({len(modes)} item(s), e.g. {', '.join(c for c, _ in modes[:5])})",
                street=street,
                details={"subjects": subjects, "powers": [c for c, _ in modes],
                         "modes": [m.value if m else None for _, m in modes]}))
        return out

    def overlaps(self) -> list[Finding]:
        out: list[Finding] = []
        for (_, street), rows in sorted(self.by_pair.items()):
            if len(rows) < 2:
                continue
            first = rows[0].row
            first_dept = self.department(first)
            for other in rows[1:]:
                row = other.row
                dept = self.department(row)
                where = first.cell("mode") or f"{first.origin.sheet}!{first.origin.row}"
                if row.mode is first.mode and first_dept and dept and dept != first_dept:
                    # The same way, but two departments' units would hold it: two units, one item.
                    first_name = self.catalog.departments[first_dept].name
                    name = self.catalog.departments[dept].name
                    zh = (f"{self.label(row)}：在{self.street_name(street)}由{first_name}（{where}）和"
                          f"{name}两个单位以{row.mode.label}方式持有")
                    en = (f"{self.label(row)}: for {street} it is held {row.mode.value} by two units: "
                          f"{first_dept} ({where}) and {dept}")
                    out.append(self.finding("PL503", row, "department" if row.cell("department") else "mode",
                                            zh, en, street=street,
                                            details={"first": where, "departments": [first_dept, dept],
                                                     "mode": row.mode.value}))
                    continue
                same = row.mode is first.mode
                code = "PL502" if same else "PL501"
                if same:
                    zh = (f"{self.label(row)}：在{self.street_name(street)}重复列出（{row.mode.label}），"
                          f"首次见 {where}")
                    en = f"{self.label(row)}: listed again for {street} ({row.mode.value}), first at {where}"
                else:
                    zh = (f"{self.label(row)}：在{self.street_name(street)}既为{first.mode.label}（{where}）"
                          f"又为{row.mode.label}，同一事项由两个层级或单位持有")
                    en = (f"{self.label(row)}: for {street} it is both {first.mode.value} ({where}) and "
                          f"{row.mode.value}: held at two levels or by two units")
                out.append(self.finding(code, row, "mode", zh, en, street=street,
                                        details={"first": where, "modes":
                                                 [first.mode.value, row.mode.value]}))
        return out

    def gaps(self) -> list[Finding]:
        out: list[Finding] = []
        for street in self.streets:
            for code, item in sorted(self.catalog.items.items()):
                if (code, street) in self.by_pair:
                    continue
                out.append(self.finding(
                    "PL601", None, None,
                    f"{code} {item.full_name}：{self.street_name(street)}没有承接行，无人持有",
                    f"{code} {item.full_name}: no row for street {street}: nobody holds it",
                    street=street, item=code))
        return out

    def principal_unheld(self) -> list[Finding]:
        """PL1101: in a street the workbook covers, no principal power of a leaf category has a
        row (every one is a gap, PL601): nobody holds what resolves the category there."""
        out: list[Finding] = []
        for street in self.streets:
            for code, category in sorted(self.catalog.categories.items()):
                principal = [p for p in category.powers if p in self.catalog.items]
                if not principal or any((p, street) in self.by_pair for p in principal):
                    continue
                origin = category.origin
                out.append(Finding(
                    code="PL1101",
                    message_zh=f"{code} {category.name}：{self.street_name(street)}没有任何主要权力"
                    f"（{'、'.join(principal)}）的承接行，该类诉求在此无人牵头",
                    message_en=f"{code} {category.name}: street {street} has no row for any of its principal "
                    f"powers ({', '.join(principal)}): nobody can lead such an issue there",
                    file=origin.file if origin else self.file, sheet=origin.sheet if origin else None,
                    cell=None, row=origin.row if origin else None, item=None, street=street,
                    details=tuple(sorted({"category": code, "principal": principal}.items()))))
        return out

    def not_in_common_list(self) -> list[Finding]:
        out: list[Finding] = []
        for row in self.first_rows():
            item = self.item(row)
            if item is None:
                out.append(self.finding(
                    "PL701", row, "code",
                    f"{self.label(row)}：不在通用权责清单中，需单独进行职责准入审核",
                    f"{self.label(row)}: not in the common power list; it needs its own admission "
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
                out.append(self.finding(
                    "PL702", row, "name",
                    f"{row.code}：本表名称“{row.name}”与通用清单“{item.full_name}”不一致",
                    f"{row.code}: named {row.name!r} here but {item.full_name!r} in the common list",
                    details={"common_name": item.full_name}))
        return out

    def missing_streets(self) -> list[Finding]:
        out: list[Finding] = []
        covered = set(self.streets)
        for code, street in sorted(self.catalog.streets.items()):
            if code in covered:
                continue
            out.append(self.finding(
                "PL801", None, None,
                f"{street.name}（{code}）：本表没有该街道的任何承接行，其清单整体缺失",
                f"street {street.name} ({code}) has no row at all: its whole list is missing",
                street=code))
        return out

    def capacity(self, loads: Mapping[str, StreetLoad] | None) -> list[Finding]:
        out: list[Finding] = []
        for street in self.streets:
            st = self.catalog.streets[street]
            held = sorted({key for (key, s), rows in self.by_pair.items()
                           if s == street and rows[0].row.mode in HELD_BY_STREET})
            if not st.staff:
                out.append(self.finding(
                    "PL903", None, None,
                    f"{st.name}：没有编制人数，无法核算承接能力（承接 {len(held)} 项）",
                    f"street {street} has no staff number: capacity not checked ({len(held)} items)",
                    street=street, details={"items": len(held)}))
                continue
            ratio = len(held) / st.staff
            limit = self.config.max_items_per_staff
            if ratio > limit:
                out.append(self.finding(
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
            wlimit = self.config.max_monthly_whistles_per_staff
            if monthly > wlimit:
                out.append(self.finding(
                    "PL902", None, None,
                    f"{st.name}：预计每月街道牵头吹哨 {load.monthly_whistles:.1f} 次，编制 {st.staff} 人，"
                    f"人均 {monthly:.2f} 次，超过阈值 {wlimit:g}（接不住）",
                    f"street {street}: {load.monthly_whistles:.1f} whistles a month led by the street "
                    f"office for {st.staff} staff, {monthly:.2f} each, above the threshold of {wlimit:g}",
                    street=street, details={"monthly_whistles": round(load.monthly_whistles, 2),
                                            "staff": st.staff, "per_staff": round(monthly, 2),
                                            "threshold": wlimit}))
        return out
