"""Reading the delegation workbook under audit — 待审核的承接表.

The format is `powerlist.loader`'s delegation workbook (issue 6 §1), with one difference the
audit needs: two rows for one item × street are kept (the `overlap` check reports them) instead
of failing the load. An optional 依赖事项 column (item codes, separated by 、 or newlines) names
the powers a row's item depends on (the `responsibility-without-power` check).

Every other problem of the file (an unknown street, a bad mode, a missing header…) fails the
load with one located `InputError`, exactly as the loader does.

Note: the row parsing is the loader's own (`powerlist.loader._delegation_rows`), so the audit
reads a workbook exactly as the catalog does; a public ``read_delegation_workbook(...,
keep_duplicates=True)`` hook in the loader would remove the need to reach for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .. import loader
from ..catalog import Catalog
from ..errors import ProblemCollector
from ..loader import DELEGATION_FIELDS, DelegationRow, item_key, street_resolver
from ..models import PowerKind
from ..sheets import Vocabulary, Workbook, cell_text, split_lines

DEPENDS_ON = ("依赖事项", "依赖事项编码", "前置事项", "依赖权力")
AUDIT_VOCABULARY = Vocabulary({**DELEGATION_FIELDS, "depends_on": DEPENDS_ON},
                              required=("name", "kind", "street"), multi=("legal_basis",))


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
    problems = ProblemCollector(name)
    resolve = street_resolver(catalog.streets.values())
    items_by_name = {item_key(i.name, i.sub_item): i.code for i in catalog.items.values()}
    out: list[AuditRow] = []
    headers = []
    with Workbook(path, name) as book:
        tables = loader._tables(book, AUDIT_VOCABULARY, problems)
        kinds: dict[str, PowerKind | None] = {}
        for header, rows in tables:
            headers.append(header)
            count = 0
            for sheet_row in rows:
                count += 1
                depends_text = cell_text(sheet_row.values.get("depends_on"))
                depends = split_lines(depends_text, ("、", "，", ",", "；", ";")) \
                    if depends_text else ()
                for row in loader._delegation_rows(sheet_row, header, name, problems, kinds,
                                                   resolve, items_by_name):
                    out.append(AuditRow(row, depends))
            if count == 0:
                problems.add("the sheet has a header but no rows", sheet=header.sheet,
                             cell=f"A{header.row}", code="no-items")
    problems.raise_if_any(f"{name}: the delegation workbook cannot be audited")
    columns = MappingProxyType({h.sheet: MappingProxyType(h.letters) for h in headers})
    header_rows = MappingProxyType({h.sheet: h.row for h in headers})
    return AuditWorkbook(name, Path(path), tuple(out), columns, header_rows)
