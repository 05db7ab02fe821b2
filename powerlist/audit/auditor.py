"""The workbook under audit, indexed for the checks — 待审核承接表的索引.

`Auditor` holds a loaded `AuditWorkbook` with the catalog and thresholds, indexed once: its
written rows (one per sheet row), its item × street rows, the streets and departments it names
and the scope they claim (`powerlist.audit.scope`); and the helpers every check shares — an
item's label, a street's name, a field's value (the row's own, or the common list's when the
workbook lacks the column), how a street holds an item, and `finding`, which locates a finding
at the cell to fix and puts the item's and the street's names beside their codes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.delegation import DelegationRow
from ..catalog.models import DelegationMode, PowerItem
from ..sheets.text import clean_token
from .config import AuditConfig
from .findings import Finding
from .scope import AuditScope, claimed_scope
from .workbook import AuditRow, AuditWorkbook

HELD_BY_STREET = frozenset({DelegationMode.DELEGATED, DelegationMode.ENTRUSTED})


@dataclass(frozen=True)
class StreetLoad:
    """A street's expected whistles a month (from a routed history)."""

    street: str
    monthly_whistles: float


def item_key(row: DelegationRow) -> str:
    return row.code if row.code is not None else "name:" + clean_token(row.name or "")


class Auditor:
    def __init__(self, book: AuditWorkbook, catalog: Catalog, config: AuditConfig,
                 scope: str = "claimed") -> None:
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
            self.by_pair[(item_key(audit_row.row), audit_row.row.street)].append(audit_row)
        self.streets = sorted({r.row.street for r in book.rows})
        self.stationed = {d.code for d in catalog.departments.values() if d.stationed}
        for name in config.stationed_departments:
            code = catalog.department_code(name)
            if code is not None:
                self.stationed.add(code)
        self.scope: AuditScope = claimed_scope(
            catalog, self.streets, {self.department(r.row) for r in book.rows}, scope)

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
            # a field merged over several rows is fixed in the merged range's top-left cell
            cell = (row.anchors.get(field) or row.cells.get(field)) if field else None
            if cell is None:
                cell = row.anchors.get("name") or row.cells.get("name") or row.cells.get("code")
        elif self.book.columns:
            sheet = next(iter(self.book.columns))
        item = item if item is not None else (row.code if row is not None else None)
        return Finding(code=code, message_zh=zh, message_en=en, file=self.file, sheet=sheet,
                       cell=cell, row=number, item=item, street=street,
                       details=tuple(sorted((details or {}).items())),
                       item_name=self.item_name(item, row), street_name=self.street_name(street) if street else None)

    def item_name(self, code: str | None, row: DelegationRow | None) -> str | None:
        """The item's name as the common list has it, else as the row writes it."""
        found = self.catalog.items.get(code) if code else None
        if found is not None:
            return found.full_name
        if row is not None and row.name:
            return f"{row.name}（{row.sub_item}）" if row.sub_item else row.name
        return None

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
