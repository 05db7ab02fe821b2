"""The tables of a catalog workbook: reading its named sheets, and the checks every catalog
table makes of a row (required cells, unique codes, references to another table, whole
numbers), each failure a located problem.
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from ..errors import InputError, ProblemCollector
from ..sheets.cell_checks import is_refused
from ..sheets.headers import Header
from ..sheets.inbound import code_problem, shown
from ..sheets.rows import SheetRow, row_text
from ..sheets.text import cell_text, clean_code, clean_token
from ..sheets.workbook import Workbook
from .files import NOT_EMPTY, OPTIONAL_SHEETS, SHEET_FIELDS, SHEET_REQUIRED, vocabulary

Table = list[tuple[Header, SheetRow]]

_CODE_FIELDS = {"code", "district", "street", "department"}


def read_workbook(path: Path, file: str, sheets: tuple[str, ...], problems: ProblemCollector,
                  optional: bool = False) -> dict[str, Table]:
    """The rows of each of `sheets` in the workbook at `path` (`file` as problems name it).

    A missing file (unless `optional`), a missing sheet (unless it is one of `OPTIONAL_SHEETS`),
    a sheet without its header and an empty sheet that must hold rows are problems; the sheets
    that read are returned."""
    name = path.name
    if not path.exists():
        if not optional:
            problems.add(f"缺少目录文件 {name} (missing catalog file {name})", code="not-found")
        return {}
    out: dict[str, Table] = {}
    try:
        with Workbook(path, file) as book:
            present = {s.name for s in book.sheets}
            for sheet in sheets:
                if sheet not in present and sheet in OPTIONAL_SHEETS:
                    continue
                if sheet not in present:
                    found = "、".join(sorted(present)) or "无 none"
                    problems.add(f"缺少工作表“{sheet}”，现有：{found} (missing sheet {sheet!r}; sheets found: "
                                 f"{found})", sheet=sheet, code="missing-sheet")
                    continue
                header, rows = book.table(sheet, vocabulary(sheet), problems)
                if header is None:
                    if not any(p.sheet == sheet for p in problems.problems):
                        labels = "、".join(SHEET_FIELDS[sheet][f][0]
                                          for f in SHEET_REQUIRED[sheet])
                        problems.add(f"前 20 行中找不到表头：应有一行写明 {labels} (no header found in the "
                                     f"first 20 rows: expected a row naming {labels})", sheet=sheet,
                                     code="no-header")
                    continue
                out[sheet] = [(header, row) for row in rows]
                if not out[sheet] and sheet in NOT_EMPTY:
                    problems.add("工作表只有表头，没有数据行 (the sheet has a header but no rows)", sheet=sheet,
                                 cell=f"A{header.row}", code="no-items")
    except InputError as error:
        problems.problems.extend(error.problems)
    return out


_WHAT_ZH = {"district": "区县", "street": "街道", "community": "社区", "department": "部门", "unit": "派驻机构",
            "category": "问题分类", "item": "事项"}


def required(header: Header, row: SheetRow, problems: ProblemCollector, names: tuple[str, ...]
             ) -> dict[str, str] | None:
    """The cleaned text of the `names` cells (codes without any whitespace); None, after a
    problem for each empty one, when one is empty."""
    values: dict[str, str] = {}
    ok = True
    for name in names:
        text = row_text(row, name)
        if text is None and is_refused(row.values.get(name)):
            ok = False
        elif text is None:
            label = SHEET_FIELDS[header.sheet][name][0]
            problems.add(f"必填单元格“{label}”为空 (empty required cell: {label})",
                         sheet=header.sheet, cell=header.cell(name, row.number),
                         row=row.number, field=name, code="empty-cell")
            ok = False
        elif name in _CODE_FIELDS and (bad := code_cell_problem(row, name)) is not None:
            problems.add(bad[1], sheet=header.sheet, cell=header.cell(name, row.number), row=row.number,
                         field=name, value=shown(cell_text(row.values.get(name)) or ""), code=bad[0])
            ok = False
        else:
            values[name] = clean_code(text) if name in _CODE_FIELDS else text
    return values if ok else None


def code_cell_problem(row: SheetRow, name: str) -> tuple[str, str] | None:
    """(code, message) when the code cell `name` hides an invisible character (bidi control,
    zero-width space, byte-order mark): looked for in the cell as written, before cleaning."""
    raw = cell_text(row.values.get(name))
    return code_problem(raw) if raw is not None else None


def unique(header: Header, row: SheetRow, code: str, seen: dict[str, str],
           problems: ProblemCollector, what: str) -> bool:
    """Claim `code` for this row in `seen` (code → first cell); False after a problem when
    an earlier row has it."""
    cell = header.cell("code", row.number)
    first = seen.get(code)
    if first is not None:
        problems.add(f"{_WHAT_ZH.get(what, what)}编码 {code!r} 重复，首次见 {first} "
                     f"(duplicate {what} code {code!r}, first at {first})", sheet=header.sheet,
                     cell=cell, row=row.number, field="code", value=code,
                     code="duplicate-code")
        return False
    seen[code] = f"{header.sheet}!{cell}"
    return True


def reference(header: Header, row: SheetRow, name: str, value: str, known: Container[str],
              problems: ProblemCollector, what: str) -> bool:
    """True when `value` (the `name` cell) is one of the `known` codes, else a problem."""
    if value in known:
        return True
    problems.add(f"未知的{_WHAT_ZH.get(what, what)}编码，应为目录中的{_WHAT_ZH.get(what, what)}编码 "
                 f"(unknown {what} code; expected one of the {what} codes of the catalog)",
                 sheet=header.sheet, cell=header.cell(name, row.number), row=row.number,
                 field=name, value=value, code=f"unknown-{what}")
    return False


def whole(row: SheetRow, header: Header, name: str, problems: ProblemCollector
          ) -> int | None | bool:
    """A whole number ≥ 0, None when empty, False (after a problem) when not one."""
    value = row.values.get(name)
    text = clean_token(cell_text(value) or "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    problems.add("应为整数 (expected a whole number)", sheet=header.sheet, cell=header.cell(name, row.number),
                 row=row.number, field=name, value=text, code="bad-number")
    return False
