"""Loading a power list (权责清单) from a real-world spreadsheet.

`load_power_list(path)` reads every visible sheet of an .xlsx workbook that has a
recognisable header and returns a frozen `PowerList`. A file loads completely or raises one
`InputError` carrying every problem found, each naming file, sheet and cell
(``通用权责清单!D17``). Opening, limits and hostile files are handled by
`powerlist.sheets.workbook`; the header vocabulary, the cells and how codes are given or
derived are those of `powerlist.catalog.item_rows`.

Sheets: every visible sheet whose first `HEADER_SCAN_ROWS` (20) rows contain a row naming
both 事项名称 and 权力类型 (any alias) is read; other sheets (a 说明 sheet, a chart) are
skipped; hidden and very hidden sheets are never read. A row naming three or more
vocabulary columns but not both required ones is an error (a header with a missing
column), not a skipped sheet. No readable sheet at all is an error. Duplicate codes
anywhere in the workbook are errors; so is a header with no data rows (``no-items``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProblemCollector
from ..sheets.cell_checks import drop_shadowed
from ..sheets.headers import Header
from ..sheets.rows import SheetRow, row_text
from ..sheets.workbook import Workbook
from .item_rows import (
    POWER_LIST_VOCABULARY,
    column_maps,
    item_fields,
    read_code,
    read_kind,
    read_mode,
    read_tables,
    report_empty,
)
from .models import PowerItem, PowerKind, SourceRef


@dataclass(frozen=True)
class PowerList:
    """A loaded power list: its items, and where each came from.

    `columns[sheet][field]` is the column letter of `field` in `sheet`, so a caller can name
    the exact cell of a finding: `cell(item, "legal_basis")` → ``"通用权责清单!G17"``."""

    file: str
    items: tuple[PowerItem, ...]
    columns: Mapping[str, Mapping[str, str]]
    header_rows: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[PowerItem]:
        # it has a length, so `for item in load_power_list(path)` must work as well
        return iter(self.items)

    def __getitem__(self, index: int) -> PowerItem:
        return self.items[index]

    def cell(self, item: PowerItem, field_name: str) -> str | None:
        """``"Sheet!G17"`` for `item`'s `field_name`, or None without origin or column."""
        where = self.location(item, field_name)
        return f"{where[0]}!{where[1]}" if where else None

    def location(self, item: PowerItem, field_name: str) -> tuple[str, str] | None:
        """(sheet, cell) of `item`'s `field_name`, or None."""
        if item.origin is None:
            return None
        letter = self.columns.get(item.origin.sheet, {}).get(field_name)
        return (item.origin.sheet, f"{letter}{item.origin.row}") if letter else None


def load_power_list(path: str | Path, *, file: str | None = None) -> PowerList:
    """Load a power-list workbook; raise `InputError` with every problem found.

    `file` is the name problems report (default: `path` as given)."""
    name = file if file is not None else str(path)
    problems = ProblemCollector(name)
    items: list[PowerItem] = []
    seen: dict[str, str] = {}
    with Workbook(path, name) as book:
        tables = read_tables(book, POWER_LIST_VOCABULARY, problems)
        kinds: dict[str, PowerKind | None] = {}
        for header, rows in tables:
            count = 0
            for row in rows:
                count += 1
                item, code = _power_item(row, header, name, problems, kinds)
                if code is None:
                    continue
                # a row with other problems still claims its code: every problem in one pass
                where = f"{header.sheet}!{header.cell('code', row.number) or f'A{row.number}'}"
                first = seen.get(code)
                if first is not None:
                    problems.add(f"duplicate code {code!r}, first at {first}",
                                 sheet=header.sheet, cell=header.cell("code", row.number),
                                 row=row.number, field="code", value=code,
                                 code="duplicate-code")
                    continue
                seen[code] = where
                if item is not None:
                    items.append(item)
            if count == 0:
                problems.add("the sheet has a header but no items", sheet=header.sheet,
                             cell=f"A{header.row}", code="no-items")
    problems.problems = drop_shadowed(problems.problems)
    problems.raise_if_any(f"{name}: the power list cannot be loaded")
    return PowerList(name, tuple(items), *column_maps(header for header, _ in tables))


def _power_item(row: SheetRow, header: Header, file: str, problems: ProblemCollector,
                kinds: dict[str, PowerKind | None]) -> tuple[PowerItem | None, str | None]:
    """The row's item (None when a cell is wrong) and its code (None when it has none)."""
    name = row_text(row, "name")
    if name is None:
        report_empty(row, header, problems, "name")
    kind = read_kind(row, header, problems, kinds, required=True)
    sub_item = row_text(row, "sub_item")
    code = read_code(row, header, name, sub_item, kind, problems, required=True)
    mode = read_mode(row, header, problems, required=False)
    if name is None or kind is None or code is None or (
        mode is None and row_text(row, "mode") is not None
    ):
        return None, code
    return PowerItem(
        code=code,
        name=name,
        sub_item=sub_item,
        kind=kind,
        mode=mode,
        origin=SourceRef(file=file, sheet=header.sheet, row=row.number),
        **item_fields(row),
    ), code


__all__ = ["PowerList", "load_power_list"]
