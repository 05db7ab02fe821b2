"""A power item's cells as a power-list row and a delegation row both hold them: the header
vocabulary the two formats share, and the readers of each cell (name, kind, mode, code,
citations …), every bad cell a located problem.

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

Cells: whitespace runs (U+3000, NBSP, line breaks) in one-line fields become one space,
dropped at the ends and between Chinese characters. 实施依据 holds one citation per line
(also split on "；" and ";"); 责任事项 and 追责情形 one entry per line. Codes, kinds and
modes are NFKC-normalised without whitespace; a code stored as a number reads as its
digits (1001.0 → "1001"). Kinds are read by name or code (`PowerKind.parse`: "行政处罚",
"处罚", "02", "2"); modes by `DelegationMode.parse` (下放, 派驻, 保留区级, 保留市级, 委托).

Codes — every item needs a stable identity, because delegation tables, the taxonomy and
decisions cite items by code:

1. a filled code cell gives the code;
2. in a power list, a code cell merged down over several rows (a parent item over its
   sub-items) gives each row of the merge the code ``<parent code>-<n>``, n its position
   (1-based) among the merge's non-blank rows — so 子项 rows are items of their own with
   derived codes. In a delegation workbook a code merged down over several street rows is the
   same item on each row (`read_code(..., sub_items=False)`): sub-items belong to power lists;
3. an empty, unmerged code cell in a sheet that has a code column is an error
   (``empty-code``): a demanding user wants the blank found, not papered over;
4. a sheet without any code column gets content-derived codes ``H`` + 10 hex digits of
   SHA-1 over (name, sub-item, kind code): stable when rows are moved or added, and two
   identical items collide as a duplicate code.

Every other merged cell (a name, a kind, a department merged down over sub-item rows) is
inherited by every row of the merge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TypedDict

from ..errors import ProblemCollector
from ..sheets.cell_checks import is_refused
from ..sheets.headers import Header, Vocabulary
from ..sheets.inbound import code_problem, shown
from ..sheets.rows import SheetRow, row_text
from ..sheets.text import cell_text, clean_code, clean_token, split_lines
from ..sheets.workbook import Workbook
from .models import DelegationMode, PowerKind

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
_KIND_EXPECTED = ("a power kind by name or code: " + "、".join(
    f"{k.value} {k.label}" for k in PowerKind))
_MODE_EXPECTED = "a delegation mode: 下放、派驻、保留区级、保留市级、委托"

ColumnMaps = tuple[Mapping[str, Mapping[str, str]], Mapping[str, int]]


class ItemFields(TypedDict):
    """What a power-list row and a delegation row both say about their item, beyond its
    identity (code, name, sub-item, kind, mode)."""

    department: str | None
    legal_basis: tuple[str, ...]
    responsibilities: tuple[str, ...]
    accountability: tuple[str, ...]
    source: str
    note: str


# ---- tables ----------------------------------------------------------------------------------


def read_tables(book: Workbook, vocabulary: Vocabulary, problems: ProblemCollector
                ) -> list[tuple[Header, Iterator[SheetRow]]]:
    """The (header, rows) of every sheet with a `vocabulary` header; none at all is a problem
    (an empty workbook, or no header in any visible sheet)."""
    tables = [(header, rows) for _, header, rows in book.tables(vocabulary, problems)]
    if not tables and not problems:
        if book.is_empty():
            problems.add("工作簿为空：没有一个可见工作表有内容 "
                         "(the workbook is empty: no visible sheet holds any value)", code="empty-workbook")
        else:
            visible = [s.name for s in book.sheets if not s.hidden]
            required = "、".join(vocabulary.label(n) for n in vocabulary.required)
            shown = "、".join(visible) or "无 none"
            problems.add(f"可见工作表（{shown}）的前 20 行中都找不到表头：应有一行写明 {required} "
                         f"(no header found in the first 20 rows of any visible sheet: expected a row naming "
                         f"{required})", code="no-header")
    return tables


def column_maps(headers: Iterable[Header]) -> ColumnMaps:
    """sheet → field → column letter, and sheet → header row, read-only."""
    headers = list(headers)
    columns = {h.sheet: MappingProxyType(h.letters) for h in headers}
    rows = {h.sheet: h.row for h in headers}
    return MappingProxyType(columns), MappingProxyType(rows)


# ---- cells -----------------------------------------------------------------------------------


def header_label(name: str) -> str:
    return f"{DELEGATION_FIELDS[name][0]} ({name})"


def row_lines(row: SheetRow, name: str, separators: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A multi-line cell (or the cells of a `multi` field) as its lines, each once."""
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


def report_empty(row: SheetRow, header: Header, problems: ProblemCollector, name: str) -> None:
    """Report an empty required cell, unless its value was refused (and reported) already."""
    if not is_refused(row.values.get(name)):
        problems.add(f"必填单元格“{DELEGATION_FIELDS[name][0]}”为空 (empty required cell: {header_label(name)})",
                     sheet=header.sheet,
                     cell=header.cell(name, row.number), row=row.number, field=name,
                     code="empty-cell")


def _token(row: SheetRow, header: Header, problems: ProblemCollector, name: str, *,
           required: bool) -> tuple[str | None, str]:
    """A cell's text and its cleaned token ("" when empty); an empty required cell is reported."""
    raw = cell_text(row.values.get(name))
    token = clean_token(raw) if raw is not None else ""
    if not token and required:
        report_empty(row, header, problems, name)
    return raw, token


def read_kind(row: SheetRow, header: Header, problems: ProblemCollector,
              kinds: dict[str, PowerKind | None], *, required: bool) -> PowerKind | None:
    """The row's power kind (`kinds` caches what each written token parses as)."""
    raw, token = _token(row, header, problems, "kind", required=required)
    if not token:
        return None
    if token not in kinds:
        kinds[token] = PowerKind.parse(token)
    kind = kinds[token]
    if kind is None:
        problems.add(f"未知的权力类型 (unknown power kind; expected {_KIND_EXPECTED})", sheet=header.sheet,
                     cell=header.cell("kind", row.number), row=row.number, field="kind",
                     value=raw, code="unknown-kind")
    return kind


def read_mode(row: SheetRow, header: Header, problems: ProblemCollector, *,
              required: bool) -> DelegationMode | None:
    raw, token = _token(row, header, problems, "mode", required=required)
    if not token:
        return None
    mode = DelegationMode.parse(token)
    if mode is None:
        problems.add(f"未知的承接方式 (unknown delegation mode; expected {_MODE_EXPECTED})", sheet=header.sheet,
                     cell=header.cell("mode", row.number), row=row.number, field="mode",
                     value=raw, code="bad-mode")
    return mode


def read_code(row: SheetRow, header: Header, name: str | None, sub_item: str | None,
              kind: PowerKind | None, problems: ProblemCollector, *, required: bool,
              sub_items: bool = True) -> str | None:
    """The row's item code, by the rules of "Codes" above; `sub_items=False` (delegation
    workbooks) reads a merged code as the same code on every row of the merge."""
    if "code" not in header.columns:
        if name is None or kind is None:
            return None
        digest = hashlib.sha1(f"{name}\x1f{sub_item or ''}\x1f{kind.value}".encode()).hexdigest()
        return "H" + digest[:10]
    raw = cell_text(row.values.get("code"))
    bad = code_problem(raw) if raw is not None else None
    if bad is not None and raw is not None:
        problems.add(bad[1], sheet=header.sheet, cell=header.cell("code", row.number), row=row.number,
                     field="code", value=shown(raw), code=bad[0])
        return None
    code = clean_code(raw) if raw is not None else ""
    if not code:
        if required and not is_refused(row.values.get("code")):
            problems.add(f"事项编码为空：每个事项都要有编码 (empty code: every item needs a {header_label('code')})",
                         sheet=header.sheet, cell=header.cell("code", row.number),
                         row=row.number, field="code", code="empty-code")
        return None
    merged = row.merged.get("code") if sub_items else None
    return f"{code}-{merged[1]}" if merged else code


def item_fields(row: SheetRow) -> ItemFields:
    """What a power-list row and a delegation row both say about their item, read alike."""
    return ItemFields(
        department=row_text(row, "department"),
        legal_basis=row_lines(row, "legal_basis", CITATION_SEPARATORS),
        responsibilities=row_lines(row, "responsibilities"),
        accountability=row_lines(row, "accountability"),
        source=row_text(row, "source") or "",
        note=row_text(row, "note") or "",
    )


def item_key(name: str, sub_item: str | None) -> tuple[str, str]:
    """How a delegation row without a code finds its catalog item: (name, sub-item)."""
    return clean_token(name), clean_token(sub_item or "")
