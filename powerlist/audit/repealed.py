"""The repealed-legal-basis check — 实施依据引用已废止的法规版本 (PL203).

A delegation row's 实施依据 cites a version of a text that the catalog's statutes table says was
repealed on or before the audit day, and no version of the same text in force that day: the row
relies on a repealed text. A row citing both the old and the new text is fine (decisions cite the
version in force on each issue's day).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..catalog.delegation import DelegationRow
from ..catalog.statutes import Statutes
from .findings import Finding

# (row, its 实施依据 value, whether the workbook wrote it or the common list gave it)
BasisRow = tuple[DelegationRow, Any, bool]


def repealed_legal_basis(rows: list[BasisRow], statutes: Statutes, day: date,
                         label: Callable[[DelegationRow], str],
                         finding: Callable[..., Finding]) -> list[Finding]:
    """PL203 findings, at each row's 实施依据 cell, naming the repealed version, its repeal date
    and what replaced it."""
    out: list[Finding] = []
    if not statutes:
        return out
    for row, value, written in rows:
        cited = tuple(str(c) for c in value) if isinstance(value, (tuple, list)) else ()
        for line, version in statutes.repealed_citations(cited, day):
            assert version.repealed is not None
            new = statutes.by_id.get(version.replaced_by or "")
            by_zh = f"，已被{new.citation_title}替代" if new else ""
            by_en = f", replaced by {new.citation_title}" if new else ""
            where = "" if written else "（本表无实施依据列，取自通用清单）"
            where_en = "" if written else " (no 实施依据 column; taken from the common list)"
            out.append(finding(
                "PL203", row, "legal_basis",
                f"{label(row)}：实施依据“{line}”所引{version.citation_title}自"
                f"{version.repealed.isoformat()}起废止{by_zh}，本行未引用现行版本{where}",
                f"{label(row)}: the basis {line!r} cites {version.citation_title}, repealed from "
                f"{version.repealed.isoformat()}{by_en}; the row cites no version in force on "
                f"{day.isoformat()}{where_en}",
                details={"citation": line, "version": version.id, "repealed": version.repealed.isoformat(),
                         "replaced_by": version.replaced_by or "", "as_of": day.isoformat()}))
    return out


__all__ = ["BasisRow", "repealed_legal_basis"]
