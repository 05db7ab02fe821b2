"""What-if — 承接模拟: what a proposed delegation does to each street's and department's load.

A history of issues is routed twice: under today's catalog, and under the same catalog with its
delegations replaced by the proposed workbook's (`proposed_catalog`). A street's whistles are
the routed issues its street office leads (the street must act or coordinate); a department's
are those led by one of its units (stationed unit, district or city department). Monthly
figures divide by the calendar months the history spans, first to last issue in Asia/Shanghai
time, both months counted (an issue on 5 January and one on 2 March: 3 months).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalog.catalog import Catalog
from ..catalog.models import Delegation
from ..routing.issue import SHANGHAI
from ..routing.issue_io import IssueRecord, read_issues
from ..routing.router import Router
from ..routing.tables import RuleSet
from .checks import StreetLoad
from .config import AuditConfig
from .history import HistoryTally, Tally, tally_records
from .workbook import AuditWorkbook


def load_history(path: str | Path) -> list[IssueRecord]:
    """Every record of an issue file (JSONL, CSV or XLSX); unreadable files raise InputError."""
    return list(read_issues(path))


def proposed_catalog(catalog: Catalog, book: AuditWorkbook) -> Catalog:
    """`catalog` with its delegations replaced by the workbook's (the first row of an
    item × street wins; rows of items outside the common list cannot be routed and are left
    out)."""
    chosen: dict[tuple[str, str], Delegation] = {}
    for audit_row in book.rows:
        row = audit_row.row
        if row.code is None or row.code not in catalog.items:
            continue
        chosen.setdefault((row.code, row.street), Delegation(
            item=row.code, street=row.street, mode=row.mode, source=row.source))
    data = catalog.data.model_copy(update={"delegations": tuple(chosen.values())})
    return Catalog(data, city_code=catalog.city_code)


def route_history(catalog: Catalog, rules: RuleSet, records: Iterable[Any]) -> Tally:
    tally = Tally()
    router = Router(catalog, rules)
    for decision in router.route_many(records):
        if decision.status != "routed" or decision.lead is None:
            tally.rejected += 1
            continue
        unit = catalog.units.get(decision.lead.code)
        if decision.lead.code in catalog.streets:
            tally.streets[decision.lead.code] += 1
        elif unit is not None and unit.department is not None:
            tally.departments[unit.department] += 1
    return tally


def months_spanned(records: Sequence[IssueRecord]) -> int:
    """Calendar months from the first to the last valid received_at, both counted (≥ 1)."""
    from ..routing.issue import Issue

    months: list[tuple[int, int]] = []
    for record in records:
        if record.problems:
            continue
        try:
            received = Issue.model_validate(record.data).received_at.astimezone(SHANGHAI)
        except ValidationError:  # an invalid row is counted as rejected by the routing
            continue
        months.append((received.year, received.month))
    if not months:
        return 1
    (y1, m1), (y2, m2) = min(months), max(months)
    return (y2 - y1) * 12 + m2 - m1 + 1


def street_loads(tally: Tally, months: int) -> dict[str, StreetLoad]:
    return {s: StreetLoad(s, n / months) for s, n in tally.streets.items()}


@dataclass(frozen=True)
class StreetRow:
    street: str
    name: str
    staff: int | None
    before: int
    after: int
    before_monthly_per_staff: float | None
    after_monthly_per_staff: float | None
    over_before: bool
    over_after: bool

    @property
    def pushed_over(self) -> bool:
        return self.over_after and not self.over_before


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    name: str
    before: int
    after: int


@dataclass(frozen=True)
class WhatIf:
    history: str
    proposed: str
    months: int
    issues: int
    rejected_before: int
    rejected_after: int
    threshold: float
    streets: tuple[StreetRow, ...]
    departments: tuple[DepartmentRow, ...]

    @property
    def pushed_over(self) -> list[StreetRow]:
        return [s for s in self.streets if s.pushed_over]

    @property
    def over_capacity(self) -> list[StreetRow]:
        return [s for s in self.streets if s.over_after]

    def as_json(self) -> dict[str, Any]:
        return {
            "history": self.history,
            "proposed": self.proposed,
            "months": self.months,
            "issues": self.issues,
            "rejected": {"before": self.rejected_before, "after": self.rejected_after},
            "threshold_monthly_whistles_per_staff": self.threshold,
            "streets": [{
                "street": s.street, "name": s.name, "staff": s.staff,
                "whistles": {"before": s.before, "after": s.after},
                "monthly_per_staff": {"before": s.before_monthly_per_staff,
                                      "after": s.after_monthly_per_staff},
                "over_capacity": {"before": s.over_before, "after": s.over_after},
                "pushed_over_capacity": s.pushed_over,
            } for s in self.streets],
            "departments": [{"department": d.department, "name": d.name,
                             "whistles": {"before": d.before, "after": d.after}}
                            for d in self.departments],
            "pushed_over_capacity": [s.street for s in self.pushed_over],
            "over_capacity": [s.street for s in self.over_capacity],
        }


def what_if(catalog: Catalog, book: AuditWorkbook, rules: RuleSet, records: Sequence[IssueRecord],
            config: AuditConfig, *, history: str = "") -> WhatIf:
    """Route `records` under today's catalog and under `book`'s delegation; compare."""
    routed = tally_records([catalog, proposed_catalog(catalog, book)], rules, records)
    return what_if_from(catalog, book, config, routed, history=history)


def what_if_from(catalog: Catalog, book: AuditWorkbook, config: AuditConfig, routed: HistoryTally, *,
                 history: str = "") -> WhatIf:
    """The what-if of a history routed under today's catalog (`routed.tallies[0]`) and under
    `book`'s delegation (`routed.tallies[1]`), by `history.tally_records` or on a cluster."""
    months, issues = routed.months, routed.issues
    before, after = routed.tallies[0], routed.tallies[1]
    limit = config.max_monthly_whistles_per_staff

    def per_staff(count: int, staff: int | None) -> float | None:
        return round(count / months / staff, 4) if staff else None

    streets = []
    for code, street in catalog.streets.items():
        b, a = before.streets.get(code, 0), after.streets.get(code, 0)
        bp, ap = per_staff(b, street.staff), per_staff(a, street.staff)
        streets.append(StreetRow(code, street.name, street.staff, b, a, bp, ap,
                                 bp is not None and bp > limit, ap is not None and ap > limit))
    departments = [DepartmentRow(code, dept.name, before.departments.get(code, 0),
                                 after.departments.get(code, 0))
                   for code, dept in catalog.departments.items()]
    return WhatIf(history=history, proposed=book.file, months=months, issues=issues,
                  rejected_before=before.rejected, rejected_after=after.rejected, threshold=limit,
                  streets=tuple(streets), departments=tuple(departments))
