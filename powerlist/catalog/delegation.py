"""Reading a delegation workbook: a power list plus 街道 and 承接方式 columns, one row per item
and street (or one row listing several streets).

`read_delegation_workbook(path, streets, …)` reads it against explicit streets into located
`DelegationRow`s: streets are found by code or by name, with or without the 街道 suffix, and
an item without a code by (name, sub-item). Its options serve the audit, which keeps two
rows for one item × street (`keep_duplicates=True`) and reads a column the format does not
define (`extra_fields`, e.g. 依赖事项). `powerlist.catalog.loader.load_delegation_workbook`
reads one against a loaded catalog. A file loads completely or raises one `InputError`
carrying every problem found, each naming file, sheet and cell. The header vocabulary and
the cells are those of `powerlist.catalog.item_rows`; 街道 may list several streets
separated by 、，,；;/.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError, ProblemCollector
from ..sheets.cell_checks import drop_shadowed, is_refused
from ..sheets.headers import Header, Vocabulary
from ..sheets.rows import SheetRow, row_text
from ..sheets.text import cell_text, clean_token, split_lines
from ..sheets.workbook import Workbook
from .item_rows import (
    DELEGATION_FIELDS,
    DELEGATION_VOCABULARY,
    column_maps,
    item_fields,
    item_key,
    read_code,
    read_kind,
    read_mode,
    read_tables,
    report_empty,
)
from .models import DelegationMode, PowerKind, SourceRef, Street

STREET_SEPARATORS = ("、", "，", ",", "；", ";", "/", "／")


@dataclass(frozen=True)
class DelegationRow:
    """One item for one street in a delegation workbook (a cell listing several streets
    gives one row per street, all with the same origin).

    Item fields are as written (name and kind may be empty: the audit reports missing
    fields); `code` is the row's code, or the catalog item's code found by name when the
    row has none, or None."""

    code: str | None
    name: str | None
    sub_item: str | None
    kind: PowerKind | None
    department: str | None
    legal_basis: tuple[str, ...]
    responsibilities: tuple[str, ...]
    accountability: tuple[str, ...]
    street: str  # street code
    street_written: str
    mode: DelegationMode
    source: str
    note: str
    origin: SourceRef
    # field → cell, e.g. {"mode": "H5"}; not hashed (a mapping), so rows can go in sets
    cells: Mapping[str, str] = field(default_factory=dict, hash=False)
    # extra field → its cell's text, for the `extra_fields` a caller asked to read
    extras: Mapping[str, str] = field(default_factory=dict, hash=False)

    def cell(self, field_name: str) -> str | None:
        """``"Sheet!H5"`` for this row's `field_name`, or None when the sheet lacks it."""
        ref = self.cells.get(field_name)
        return f"{self.origin.sheet}!{ref}" if ref else None


@dataclass(frozen=True)
class DelegationWorkbook:
    """A loaded delegation workbook (issue 6 §1)."""

    file: str
    rows: tuple[DelegationRow, ...]
    columns: Mapping[str, Mapping[str, str]]
    header_rows: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.rows)


def read_delegation_workbook(path: str | Path, streets: Iterable[Street],
                             items_by_name: Mapping[tuple[str, str], str] | None = None, *,
                             file: str | None = None, allow_empty: bool = False,
                             known_items: Collection[str] | None = None,
                             keep_duplicates: bool = False,
                             extra_fields: Mapping[str, tuple[str, ...]] | None = None,
                             ) -> DelegationWorkbook:
    """`load_delegation_workbook` against explicit streets (used while a catalog loads).

    - `allow_empty` accepts a header without rows (a catalog may delegate nothing yet);
    - `known_items`, when given, makes a row citing another item code an error;
    - `keep_duplicates` keeps every row for one item × street, in file order, instead of
      refusing the second (``duplicate-delegation``): the audit reports them as overlaps;
    - `extra_fields` (field → header names, e.g. ``{"depends_on": ("依赖事项",)}``) reads
      columns the delegation format does not define; each row's `extras` holds their cell
      text, and `columns` their letters. The extra names take part in finding the header.

    Every other problem fails the load, as in `load_delegation_workbook`."""
    name = file if file is not None else str(path)
    problems = ProblemCollector(name)
    resolve = street_resolver(streets)
    rows_out: list[DelegationRow] = []
    seen: dict[tuple[str, str], str] = {}
    vocabulary = DELEGATION_VOCABULARY
    if extra_fields:
        vocabulary = Vocabulary({**DELEGATION_FIELDS, **extra_fields},
                                required=DELEGATION_VOCABULARY.required,
                                multi=DELEGATION_VOCABULARY.multi)
    extras = tuple(extra_fields or ())
    with Workbook(path, name) as book:
        tables = read_tables(book, vocabulary, problems)
        kinds: dict[str, PowerKind | None] = {}
        for header, rows in tables:
            count = 0
            for row in rows:
                count += 1
                for out in _delegation_rows(row, header, name, problems, kinds, resolve,
                                            items_by_name or {}, extras):
                    if known_items is not None and out.code not in known_items:
                        problems.add("unknown power item: the code is not in the power list",
                                     sheet=header.sheet,
                                     cell=out.cells.get("code") or out.cells.get("name"),
                                     row=row.number, field="code", value=out.code or out.name,
                                     code="unknown-item")
                        break
                    if out.code is not None and not keep_duplicates:
                        key = (out.code, out.street)
                        first = seen.get(key)
                        if first is not None:
                            problems.add(f"item {out.code} is given twice for street "
                                         f"{out.street}, first at {first}", sheet=header.sheet,
                                         cell=out.cells.get("street"), row=row.number,
                                         field="street", value=out.street_written,
                                         code="duplicate-delegation")
                            continue
                        seen[key] = out.cell("street") or header.sheet
                    rows_out.append(out)
            if count == 0 and not allow_empty:
                problems.add("the sheet has a header but no rows", sheet=header.sheet,
                             cell=f"A{header.row}", code="no-items")
    problems.problems = drop_shadowed(problems.problems)
    problems.raise_if_any(f"{name}: the delegation workbook cannot be loaded")
    return DelegationWorkbook(name, tuple(rows_out), *column_maps(header for header, _ in tables))


def is_delegation_workbook(path: str | Path) -> bool:
    """True when a visible sheet's header has a street column (街道 / 承接单位 …): the file
    is a delegation workbook, not a plain power list. False for any unreadable file (its
    loader reports why)."""
    try:
        with Workbook(path) as book:
            scratch = ProblemCollector(str(path))
            return any(True for _ in book.tables(DELEGATION_VOCABULARY, scratch))
    except InputError:
        return False


def street_resolver(streets: Iterable[Street]) -> Mapping[str, str]:
    """Written street (code, name, name without 街道, NFKC, no spaces) → street code."""
    names: dict[str, str] = {}
    for street in streets:
        for written in (street.code, street.name, street.name.removesuffix("街道"),
                        street.name.removesuffix("街道办事处"), f"{street.name}办事处"):
            if written:
                names[clean_token(written)] = street.code
    return names


def _delegation_rows(row: SheetRow, header: Header, file: str, problems: ProblemCollector,
                     kinds: dict[str, PowerKind | None], resolve: Mapping[str, str],
                     items_by_name: Mapping[tuple[str, str], str],
                     extra_fields: tuple[str, ...] = ()) -> list[DelegationRow]:
    name = row_text(row, "name")
    kind = read_kind(row, header, problems, kinds, required=False)
    sub_item = row_text(row, "sub_item")
    mode = read_mode(row, header, problems, required=True)
    code = None
    if "code" in header.columns:
        code = read_code(row, header, name, sub_item, kind, problems, required=False)
    if code is None and name is not None:
        code = items_by_name.get(item_key(name, sub_item))
    if code is None and name is None and not is_refused(row.values.get("name")):
        problems.add("the row names no item: fill in 事项编码 or 事项名称",
                     sheet=header.sheet,
                     cell=header.cell("name", row.number), row=row.number, field="name",
                     code="empty-cell")
    street_raw = cell_text(row.values.get("street"))
    written = split_lines(street_raw, STREET_SEPARATORS) if street_raw else ()
    street_cell = header.cell("street", row.number)
    if not written:
        report_empty(row, header, problems, "street")
    streets: list[tuple[str, str]] = []
    for text in written:
        found = resolve.get(clean_token(text))
        if found is None:
            problems.add("unknown street: expected a street name or code of the catalog",
                         sheet=header.sheet, cell=street_cell, row=row.number, field="street",
                         value=text, code="unknown-street")
        else:
            streets.append((found, text))
    if mode is None or not streets or (code is None and name is None):
        return []
    cells = MappingProxyType({f: f"{letter}{row.number}" for f, letter in header.letters.items()})
    origin = SourceRef(file=file, sheet=header.sheet, row=row.number)
    extras = MappingProxyType({f: value for f in extra_fields
                               if (value := cell_text(row.values.get(f))) is not None})
    described = item_fields(row)
    return [DelegationRow(code=code, name=name, sub_item=sub_item, kind=kind, mode=mode,
                          street=street, street_written=written_as, origin=origin, cells=cells,
                          extras=extras, **described)
            for street, written_as in streets]


__all__ = [
    "STREET_SEPARATORS",
    "DelegationRow",
    "DelegationWorkbook",
    "is_delegation_workbook",
    "read_delegation_workbook",
    "street_resolver",
]
