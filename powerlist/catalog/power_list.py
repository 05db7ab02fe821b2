"""Loading power lists (权责清单) and delegation workbooks from real-world spreadsheets.

`load_power_list(path)` reads every visible sheet of an .xlsx workbook that has a
recognisable header and returns a frozen `PowerList`; `load_delegation_workbook(path,
catalog)` reads a delegation workbook (a power list plus 街道 and 承接方式 columns) into
located `DelegationRow`s. `read_delegation_workbook(path, streets, …)` is the same reader
with its options: the audit keeps two rows for one item × street (`keep_duplicates=True`)
and reads a column the format does not define (`extra_fields`, e.g. 依赖事项). A file loads
completely or raises one `InputError` carrying every problem found, each naming file, sheet
and cell (``通用权责清单!D17``).
Opening, limits and hostile files are handled by `powerlist.sheets.workbook`.

Header vocabulary (matched after NFKC, i.e. full-width → half-width, with all whitespace,
line breaks, bracketed remarks such as "(必填)" and "*" removed; any other column, e.g.
审核转报, is ignored):

| field | header names | required |
|---|---|---|
| seq | 序号 | |
| code | 事项编码, 职权编码, 项目编码, 编码, 权力编码 | see "codes" |
| name | 事项名称, 职权名称, 项目名称, 权力名称 | yes |
| sub_item | 子项, 子项名称 | |
| kind | 权力类型, 职权类型, 事项类型 | yes |
| legal_basis | 实施依据, 设定依据, 法律依据, 设定和实施依据 (several columns allowed, read in order) | |
| department | 实施主体, 责任主体, 主管部门, 法定主体, 实施部门 | |
| mode | 承接方式, 下放方式 | |
| responsibilities | 责任事项 | |
| accountability | 追责情形, 问责情形 | |
| source | 来源 | |
| note | 备注 | |
| street (delegation only) | 街道, 承接单位, 承接街道, 街道名称, 街道编码 | yes (delegation) |

Sheets: every visible sheet whose first `HEADER_SCAN_ROWS` (20) rows contain a row naming
both 事项名称 and 权力类型 (any alias) is read; other sheets (a 说明 sheet, a chart) are
skipped; hidden and very hidden sheets are never read. A row naming three or more
vocabulary columns but not both required ones is an error (a header with a missing
column), not a skipped sheet. No readable sheet at all is an error.

Cells: whitespace runs (U+3000, NBSP, line breaks) in one-line fields become one space,
dropped at the ends and between Chinese characters. 实施依据 holds one citation per line
(also split on "；" and ";"); 责任事项 and 追责情形 one entry per line. Codes, kinds and
modes are NFKC-normalised without whitespace; a code stored as a number reads as its
digits (1001.0 → "1001"). Kinds are read by name or code (`PowerKind.parse`: "行政处罚",
"处罚", "02", "2"); modes by `DelegationMode.parse` (下放, 派驻, 保留区级, 保留市级, 委托).

Codes — every item needs a stable identity, because delegation tables, the taxonomy and
decisions cite items by code:

1. a filled code cell gives the code;
2. a code cell merged down over several rows (a parent item over its sub-items) gives
   each row of the merge the code ``<parent code>-<n>``, n its position (1-based) among the
   merge's non-blank rows — so 子项 rows are items of their own with derived codes;
3. an empty, unmerged code cell in a sheet that has a code column is an error
   (``empty-code``): a demanding user wants the blank found, not papered over;
4. a sheet without any code column gets content-derived codes ``H`` + 10 hex digits of
   SHA-1 over (name, sub-item, kind code): stable when rows are moved or added, and two
   identical items collide as a duplicate code.

Every other merged cell (a name, a kind, a department merged down over sub-item rows) is
inherited by every row of the merge. Duplicate codes anywhere in the workbook are errors;
so is a header with no data rows (``no-items``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ProblemCollector
from ..sheets.workbook import (
    Header,
    SheetRow,
    Vocabulary,
    Workbook,
    cell_text,
    clean_code,
    clean_line,
    clean_token,
    drop_shadowed,
    is_refused,
    split_lines,
)
from .models import DelegationMode, PowerItem, PowerKind, SourceRef, Street

if TYPE_CHECKING:
    from .catalog import Catalog

POWER_LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "code": ("事项编码", "职权编码", "项目编码", "编码", "权力编码"),
    "name": ("事项名称", "职权名称", "项目名称", "权力名称"),
    "sub_item": ("子项", "子项名称"),
    "kind": ("权力类型", "职权类型", "事项类型"),
    "legal_basis": ("实施依据", "设定依据", "法律依据", "设定和实施依据"),
    "department": ("实施主体", "责任主体", "主管部门", "法定主体", "实施部门"),
    "mode": ("承接方式", "下放方式"),
    "responsibilities": ("责任事项",),
    "accountability": ("追责情形", "问责情形"),
    "source": ("来源",),
    "note": ("备注",),
}
DELEGATION_FIELDS: dict[str, tuple[str, ...]] = {
    **POWER_LIST_FIELDS,
    "street": ("街道", "承接单位", "承接街道", "街道名称", "街道编码"),
}
POWER_LIST_VOCABULARY = Vocabulary(POWER_LIST_FIELDS, required=("name", "kind"),
                                   multi=("legal_basis",))
DELEGATION_VOCABULARY = Vocabulary(DELEGATION_FIELDS, required=("name", "kind", "street"),
                                   multi=("legal_basis",))

CITATION_SEPARATORS = ("；", ";")
STREET_SEPARATORS = ("、", "，", ",", "；", ";", "/", "／")
_KIND_EXPECTED = ("a power kind by name or code: " + "、".join(
    f"{k.value} {k.label}" for k in PowerKind))
_MODE_EXPECTED = "a delegation mode: 下放、派驻、保留区级、保留市级、委托"


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


# ---- public API ------------------------------------------------------------------------------


def load_power_list(path: str | Path, *, file: str | None = None) -> PowerList:
    """Load a power-list workbook; raise `InputError` with every problem found.

    `file` is the name problems report (default: `path` as given)."""
    name = file if file is not None else str(path)
    problems = ProblemCollector(name)
    items: list[PowerItem] = []
    seen: dict[str, str] = {}
    with Workbook(path, name) as book:
        tables = _tables(book, POWER_LIST_VOCABULARY, problems)
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
                                 sheet=header.sheet, cell=_cell(header, "code", row.number),
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
    return PowerList(name, tuple(items), *_column_maps(_headers(tables)))


def load_delegation_workbook(path: str | Path, catalog: Catalog | None = None, *,
                             file: str | None = None) -> DelegationWorkbook:
    """Load a delegation workbook, resolving streets (by code, or by name with or without
    the 街道 suffix) and item codes against `catalog` (None: the shipped catalog)."""
    if catalog is None:
        from .loader import load_catalogs

        catalog = load_catalogs()
    items_by_name = {item_key(i.name, i.sub_item): i.code for i in catalog.items.values()}
    return read_delegation_workbook(path, catalog.streets.values(), items_by_name, file=file)


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
        tables = _tables(book, vocabulary, problems)
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
    return DelegationWorkbook(name, tuple(rows_out), *_column_maps(_headers(tables)))


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


# ---- internals -------------------------------------------------------------------------------


def _headers(tables: Iterable[tuple[Header, Any]]) -> list[Header]:
    return [header for header, _ in tables]


def _tables(book: Workbook, vocabulary: Vocabulary, problems: ProblemCollector
            ) -> list[tuple[Header, Iterator[SheetRow]]]:
    tables = [(header, rows) for _, header, rows in book.tables(vocabulary, problems)]
    if not tables and not problems:
        if book.is_empty():
            problems.add("the workbook is empty: no visible sheet holds any value",
                         code="empty-workbook")
        else:
            visible = [s.name for s in book.sheets if not s.hidden]
            required = "、".join(vocabulary.label(n) for n in vocabulary.required)
            problems.add(f"no header found in the first 20 rows of any visible sheet "
                         f"({'、'.join(visible) or 'none'}): expected a row naming {required}",
                         code="no-header")
    return tables


def _column_maps(headers: list[Header]) -> tuple[Mapping[str, Mapping[str, str]],
                                                 Mapping[str, int]]:
    columns = {h.sheet: MappingProxyType(h.letters) for h in headers}
    rows = {h.sheet: h.row for h in headers}
    return MappingProxyType(columns), MappingProxyType(rows)


def _cell(header: Header, field_name: str, row: int) -> str | None:
    return header.cell(field_name, row)


def _text(row: SheetRow, name: str) -> str | None:
    text = cell_text(row.values.get(name))
    if text is None:
        return None
    return clean_line(text) or None


def _lines(row: SheetRow, name: str, separators: tuple[str, ...] = ()) -> tuple[str, ...]:
    values = row.extra.get(name)
    if not values:
        text = cell_text(row.values.get(name))
        return split_lines(text, separators) if text else ()
    lines: list[str] = []  # several columns (设定依据 and 实施依据) often repeat a citation
    for value in values:
        text = cell_text(value)
        if text:
            lines.extend(line for line in split_lines(text, separators) if line not in lines)
    return tuple(lines)


def _token(row: SheetRow, header: Header, problems: ProblemCollector, name: str, *,
           required: bool) -> tuple[str | None, str]:
    """A cell's text and its cleaned token ("" when empty); an empty required cell is reported."""
    raw = cell_text(row.values.get(name))
    token = clean_token(raw) if raw is not None else ""
    if not token and required:
        _empty_cell(row, header, problems, name)
    return raw, token


def _empty_cell(row: SheetRow, header: Header, problems: ProblemCollector, name: str) -> None:
    """Report an empty required cell, unless its value was refused (and reported) already."""
    if not is_refused(row.values.get(name)):
        problems.add(f"empty required cell: {header_label(name)}", sheet=header.sheet,
                     cell=_cell(header, name, row.number), row=row.number, field=name,
                     code="empty-cell")


def _kind(row: SheetRow, header: Header, problems: ProblemCollector,
          kinds: dict[str, PowerKind | None], *, required: bool) -> PowerKind | None:
    raw, token = _token(row, header, problems, "kind", required=required)
    if not token:
        return None
    if token not in kinds:
        kinds[token] = PowerKind.parse(token)
    kind = kinds[token]
    if kind is None:
        problems.add(f"unknown power kind; expected {_KIND_EXPECTED}", sheet=header.sheet,
                     cell=_cell(header, "kind", row.number), row=row.number, field="kind",
                     value=raw, code="unknown-kind")
    return kind


def _mode(row: SheetRow, header: Header, problems: ProblemCollector, *,
          required: bool) -> DelegationMode | None:
    raw, token = _token(row, header, problems, "mode", required=required)
    if not token:
        return None
    mode = DelegationMode.parse(token)
    if mode is None:
        problems.add(f"unknown delegation mode; expected {_MODE_EXPECTED}", sheet=header.sheet,
                     cell=_cell(header, "mode", row.number), row=row.number, field="mode",
                     value=raw, code="bad-mode")
    return mode


def header_label(name: str) -> str:
    return f"{DELEGATION_FIELDS[name][0]} ({name})"


def _code(row: SheetRow, header: Header, name: str | None, sub_item: str | None,
          kind: PowerKind | None, problems: ProblemCollector, *, required: bool) -> str | None:
    if "code" not in header.columns:
        if name is None or kind is None:
            return None
        digest = hashlib.sha1(f"{name}\x1f{sub_item or ''}\x1f{kind.value}".encode()).hexdigest()
        return "H" + digest[:10]
    raw = cell_text(row.values.get("code"))
    code = clean_code(raw) if raw is not None else ""
    if not code:
        if required and not is_refused(row.values.get("code")):
            problems.add(f"empty code: every item needs a {header_label('code')}",
                         sheet=header.sheet, cell=_cell(header, "code", row.number),
                         row=row.number, field="code", code="empty-code")
        return None
    merged = row.merged.get("code")
    return f"{code}-{merged[1]}" if merged else code


def _name(row: SheetRow, header: Header, problems: ProblemCollector, *,
          required: bool) -> str | None:
    name = _text(row, "name")
    if name is None and required:
        _empty_cell(row, header, problems, "name")
    return name


def _power_item(row: SheetRow, header: Header, file: str, problems: ProblemCollector,
                kinds: dict[str, PowerKind | None]) -> tuple[PowerItem | None, str | None]:
    """The row's item (None when a cell is wrong) and its code (None when it has none)."""
    name = _name(row, header, problems, required=True)
    kind = _kind(row, header, problems, kinds, required=True)
    sub_item = _text(row, "sub_item")
    code = _code(row, header, name, sub_item, kind, problems, required=True)
    mode = _mode(row, header, problems, required=False)
    if name is None or kind is None or code is None or (
        mode is None and _text(row, "mode") is not None
    ):
        return None, code
    return PowerItem(
        code=code,
        name=name,
        sub_item=sub_item,
        kind=kind,
        mode=mode,
        origin=SourceRef(file=file, sheet=header.sheet, row=row.number),
        **_described(row),
    ), code


def _described(row: SheetRow) -> dict[str, Any]:
    """What a power-list row and a delegation row both say about their item, read alike."""
    return dict(
        department=_text(row, "department"),
        legal_basis=_lines(row, "legal_basis", CITATION_SEPARATORS),
        responsibilities=_lines(row, "responsibilities"),
        accountability=_lines(row, "accountability"),
        source=_text(row, "source") or "",
        note=_text(row, "note") or "",
    )


def item_key(name: str, sub_item: str | None) -> tuple[str, str]:
    """How a delegation row without a code finds its catalog item: (name, sub-item)."""
    return clean_token(name), clean_token(sub_item or "")


def _delegation_rows(row: SheetRow, header: Header, file: str, problems: ProblemCollector,
                     kinds: dict[str, PowerKind | None], resolve: Mapping[str, str],
                     items_by_name: Mapping[tuple[str, str], str],
                     extra_fields: tuple[str, ...] = ()) -> list[DelegationRow]:
    name = _text(row, "name")
    kind = _kind(row, header, problems, kinds, required=False)
    sub_item = _text(row, "sub_item")
    mode = _mode(row, header, problems, required=True)
    code = None
    if "code" in header.columns:
        code = _code(row, header, name, sub_item, kind, problems, required=False)
    if code is None and name is not None:
        code = items_by_name.get(item_key(name, sub_item))
    if code is None and name is None and not is_refused(row.values.get("name")):
        problems.add("the row names no item: fill in 事项编码 or 事项名称",
                     sheet=header.sheet,
                     cell=_cell(header, "name", row.number), row=row.number, field="name",
                     code="empty-cell")
    street_raw = cell_text(row.values.get("street"))
    written = split_lines(street_raw, STREET_SEPARATORS) if street_raw else ()
    street_cell = _cell(header, "street", row.number)
    if not written:
        _empty_cell(row, header, problems, "street")
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
    cells = {f: f"{letter}{row.number}" for f, letter in header.letters.items()}
    origin = SourceRef(file=file, sheet=header.sheet, row=row.number)
    common = dict(
        code=code,
        name=name,
        sub_item=sub_item,
        kind=kind,
        mode=mode,
        origin=origin,
        cells=MappingProxyType(cells),
        extras=MappingProxyType({f: text for f in extra_fields
                                 if (text := cell_text(row.values.get(f))) is not None}),
        **_described(row),
    )
    return [DelegationRow(street=code_, street_written=text, **common)  # type: ignore[arg-type]
            for code_, text in streets]


__all__ = [
    "DELEGATION_VOCABULARY",
    "POWER_LIST_VOCABULARY",
    "DelegationRow",
    "DelegationWorkbook",
    "PowerList",
    "load_delegation_workbook",
    "load_power_list",
    "read_delegation_workbook",
    "is_delegation_workbook",
    "item_key",
    "street_resolver",
]
