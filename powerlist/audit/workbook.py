"""Reading the delegation workbook under audit — 待审核的承接表.

The format is `powerlist.catalog.delegation`'s delegation workbook (issue 6 §1), with one difference the
audit needs: two rows for one item × street are kept (the `overlap` check reports them) instead
of failing the load. An optional 依赖事项 column (item codes, separated by 、 or newlines) names
the powers a row's item depends on (the `responsibility-without-power` check).

Every other problem of the file (an unknown street, a bad mode, a missing header…) fails the
load with one located `InputError`, exactly as the loader does.

The rows are read by the loader's own `read_delegation_workbook` (with `keep_duplicates` and
the 依赖事项 column as an extra field), so the audit reads a workbook exactly as the catalog does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..catalog.catalog import Catalog
from ..catalog.delegation import DelegationRow, read_delegation_workbook
from ..catalog.item_rows import item_key
from ..errors import InputError
from ..sheets.text import split_lines

DEPENDS_ON = ("依赖事项", "依赖事项编码", "前置事项", "依赖权力")
DEPENDS_SEPARATORS = ("、", "，", ",", "；", ";")


@dataclass(frozen=True)
class AuditRow:
    """One item × street row of the workbook, with its dependencies as written."""

    row: DelegationRow
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class AuditWorkbook:
    file: str
    path: Path
    rows: tuple[AuditRow, ...]
    columns: Mapping[str, Mapping[str, str]]  # sheet → field → column letter
    header_rows: Mapping[str, int]

    def has_column(self, sheet: str, field: str) -> bool:
        return field in self.columns.get(sheet, {})


def read_audit_workbook(path: str | Path, catalog: Catalog, *,
                        file: str | None = None) -> AuditWorkbook:
    """Load a delegation workbook for the audit; raise `InputError` with every problem."""
    name = file if file is not None else str(path)
    items_by_name = {item_key(i.name, i.sub_item): i.code for i in catalog.items.values()}
    try:
        book = read_delegation_workbook(path, catalog.streets.values(), items_by_name, file=name,
                                        keep_duplicates=True, extra_fields={"depends_on": DEPENDS_ON})
    except InputError as error:
        raise InputError(error.problems, f"{name}: the delegation workbook cannot be audited") from None
    rows = tuple(AuditRow(row, split_lines(row.extras.get("depends_on", ""), DEPENDS_SEPARATORS))
                 for row in book.rows)
    return AuditWorkbook(name, Path(path), rows, book.columns, book.header_rows)
