"""The staffing office's audit — 职责准入审核 (issue 6).

`run_audit(path, catalog)` loads a delegation workbook and runs every check; `what_if`
re-routes a history under the current and a proposed delegation; `write_report` writes the
Excel report. Codes: `CODES`, docs/audit-codes.md.

- `workbook`: the delegation workbook read for the audit (`AuditWorkbook`);
- `auditor`: the workbook indexed for the checks, and the helpers they share;
- `scope`: what a workbook claims to cover (its districts and departments);
- `checks`: `audit_workbook` and the row checks; `coverage`: gaps, streets, capacity, scope,
  footers;
- `findings`: `Finding`, the codes and their Chinese titles; `config`: the thresholds;
- `report`, `report_layout`, `report_copy`: the Excel report, its layout, the marked copy;
- `whatif`: re-routing a history; `rules_check`: the routing tables proven complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..catalog.catalog import Catalog
from .checks import StreetLoad, audit_workbook
from .config import AuditConfig
from .findings import CHECKS, CODES, Finding, Severity, counts, has_errors
from .report import write_report
from .whatif import WhatIf, load_history, proposed_catalog, route_history, what_if
from .workbook import AuditWorkbook, read_audit_workbook


def run_audit(path: str | Path, catalog: Catalog, config: AuditConfig | None = None, *,
              loads: Mapping[str, StreetLoad] | None = None,
              file: str | None = None) -> tuple[AuditWorkbook, list[Finding]]:
    """Load and audit one delegation workbook."""
    book = read_audit_workbook(path, catalog, file=file)
    return book, audit_workbook(book, catalog, config or AuditConfig.load(), loads)


__all__ = [
    "CHECKS",
    "CODES",
    "AuditConfig",
    "AuditWorkbook",
    "Finding",
    "Severity",
    "StreetLoad",
    "WhatIf",
    "audit_workbook",
    "counts",
    "has_errors",
    "load_history",
    "proposed_catalog",
    "read_audit_workbook",
    "route_history",
    "run_audit",
    "what_if",
    "write_report",
]
