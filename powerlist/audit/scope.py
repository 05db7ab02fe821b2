"""What a delegation workbook claims to cover — 审核范围, and the checks that depend on it.

A district's staffing office sends the lists of its own streets, often for some departments
only; a workbook is therefore audited against what it claims, not against the whole catalog:

- its **districts** are those of the streets it names (a street named by one row is enough);
  every street of those districts should have rows (PL801 when one has none), and streets of
  other districts are not covered: one PL802 (info) per such district says so instead of a
  finding per street and item;
- its **departments** are those of the items it names (by code or by 实施主体); every
  common-list item of those departments should have a row for every street it covers (PL601,
  an error: a gap the workbook should have covered), and items of other departments are not
  covered: one PL602 (info) lists such departments, each with the number of its items.

`scope="all"` (``powerlist audit --scope all``) audits against the whole catalog instead: every
street of the catalog and every common-list item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..catalog.catalog import Catalog

SCOPES = ("claimed", "all")
NO_DEPARTMENT = ""  # the department key of items naming none


@dataclass(frozen=True)
class AuditScope:
    """The districts, streets and departments a workbook is audited for."""

    districts: frozenset[str]
    streets: tuple[str, ...]  # the catalog's streets of those districts, by code
    departments: frozenset[str]  # department codes (NO_DEPARTMENT: items without one)
    full: bool

    def covers_item(self, department: str | None) -> bool:
        return self.full or (department or NO_DEPARTMENT) in self.departments


def claimed_scope(catalog: Catalog, streets: Iterable[str], departments: Iterable[str | None],
                  scope: str = "claimed") -> AuditScope:
    """The scope of a workbook that names `streets` (codes) and items of `departments`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown audit scope {scope!r}; expected one of {', '.join(SCOPES)}")
    if scope == "all":
        return AuditScope(frozenset(catalog.districts), tuple(sorted(catalog.streets)),
                          frozenset(catalog.departments) | {NO_DEPARTMENT}, True)
    districts = frozenset(catalog.streets[s].district for s in streets if s in catalog.streets)
    covered = tuple(sorted(code for code, street in catalog.streets.items() if street.district in districts))
    return AuditScope(districts, covered, frozenset(d or NO_DEPARTMENT for d in departments), False)


def uncovered_districts(catalog: Catalog, scope: AuditScope) -> list[tuple[str, list[str]]]:
    """(district code, its street codes) of every district of the catalog the scope leaves out."""
    out = []
    for code in sorted(catalog.districts):
        if code in scope.districts:
            continue
        streets = sorted(s.code for s in catalog.streets.values() if s.district == code)
        if streets:
            out.append((code, streets))
    return out


def uncovered_departments(catalog: Catalog, scope: AuditScope) -> list[tuple[str, list[str]]]:
    """(department code or NO_DEPARTMENT, its common-list item codes) the scope leaves out."""
    items: dict[str, list[str]] = {}
    for code, item in sorted(catalog.items.items()):
        department = catalog.department_code(item.department) or NO_DEPARTMENT
        if not scope.covers_item(department):
            items.setdefault(department, []).append(code)
    return sorted(items.items())


__all__ = ["NO_DEPARTMENT", "SCOPES", "AuditScope", "claimed_scope", "uncovered_departments",
           "uncovered_districts"]
