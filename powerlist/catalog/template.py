"""Empty catalog workbooks for a new city (`powerlist catalog template`): each file with its
title and header rows, no data, and a drop-down on every column with a closed vocabulary.

An empty template does not load (`load_catalogs`): the tables that must hold at least one row
are empty, and a catalog that routes nothing is not a usable catalog.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as NewWorkbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..errors import FileError, InputError, Problem, os_error
from ..sheets.output import Outputs, write_workbook
from .files import (
    CALENDAR,
    DELEGATION,
    ORGANISATION,
    ORGANISATION_SHEETS,
    POWER_LIST,
    SHEET_FIELDS,
    STATUTES,
    TAXONOMY,
)
from .models import DelegationMode, PowerKind, Scope

POWER_LIST_HEADER = ("序号", "事项编码", "事项名称", "子项", "权力类型", "实施主体", "实施依据",
                     "责任事项", "追责情形", "承接方式", "来源", "备注")
DELEGATION_HEADER = ("序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道",
                     "承接方式", "来源")
TEMPLATE_SHEETS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    ORGANISATION: tuple(
        (sheet, f"{sheet}（每行一个；编码唯一；来源列写明出处或“示意”）",
         tuple(aliases[0] for aliases in SHEET_FIELDS[sheet].values()))
        for sheet in ORGANISATION_SHEETS
    ),
    POWER_LIST: (("通用权责清单", "街道通用权责清单（实施依据每行一条；责任事项每行一个环节）",
                  POWER_LIST_HEADER),),
    DELEGATION: (("街道承接", "街道承接情况（每个事项每个街道一行，或在街道列用“、”分隔多个街道）",
                  DELEGATION_HEADER),),
    TAXONOMY: (("问题分类", "问题分类（吹哨范围：普通问题/重点工作/综合执法/应急处置）",
                tuple(aliases[0] for aliases in SHEET_FIELDS["问题分类"].values())),),
    CALENDAR: (("调休调整", "调休调整（国务院办公厅放假通知中、本软件尚未收录的日期）",
                tuple(aliases[0] for aliases in SHEET_FIELDS["调休调整"].values())),),
    STATUTES: (("法律法规", "法律法规版本（每个版本一行；实施依据写“《名称》（版本）条款”；日期 YYYY-MM-DD）",
                tuple(aliases[0] for aliases in SHEET_FIELDS["法律法规"].values())),),
}
CALENDAR_HELP = (
    "说明 / How to use",
    "每行一个日期：日期写作 YYYY-MM-DD；类型写“上班”（调休上班）或“休息”（放假）。",
    "Only for a year whose State Council holiday notice the installed calendar does not know yet.",
    "空表有效：没有需要调整的日期时保持为空。An empty sheet is valid.",
)


TEMPLATE_ROWS = 2000  # rows below the header that carry the drop-down lists


def template_choices() -> dict[tuple[str, str], tuple[str, ...]]:
    """(sheet, header) → the values its drop-down offers: what the loader reads there."""
    kinds = tuple(k.label for k in PowerKind)
    modes = tuple(m.label for m in DelegationMode)
    return {
        ("街道", "编制人数性质"): ("示意", "实数"),
        ("部门", "是否派驻"): ("是", "否"),
        ("通用权责清单", "权力类型"): kinds,
        ("通用权责清单", "承接方式"): modes,
        ("街道承接", "权力类型"): kinds,
        ("街道承接", "承接方式"): modes,
        ("问题分类", "吹哨范围"): tuple(s.label for s in Scope),
        ("调休调整", "类型"): ("上班", "休息"),
    }


def write_template(directory: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write the catalog workbooks with title and header rows and no data, for a new
    city. Columns with a closed vocabulary (权力类型, 承接方式, 吹哨范围, 是否派驻 …) carry a
    drop-down of the values the loader reads; typing another value only warns, since the
    loader also reads codes (e.g. 02 for 行政处罚) and reports anything it cannot read.
    Refuses to overwrite existing files unless `overwrite`. Returns the paths written."""
    choices = template_choices()

    root = Path(directory)
    if root.exists() and not root.is_dir():
        message = ("这是一个文件，不是目录：模板要写到一个目录里 "
                   "(this is a file, not a directory: the template is written into a directory)")
        raise FileError([Problem(message=message, file=str(root), code="not-a-directory")],
                        f"不是目录：{root} (not a directory)")
    targets = [root / name for name in TEMPLATE_SHEETS]
    existing = [p for p in targets if p.exists()]
    if existing and not overwrite:
        raise InputError([Problem(message="文件已存在，未覆盖（要覆盖请加 --force）(file exists; not overwritten: "
                                          "give --force to overwrite)", file=str(p),
                                  code="exists") for p in existing],
                         f"模板会覆盖已有文件：{root} (the template would overwrite files)")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise os_error(error, str(root), "创建目录", "create the directory") from None
    # All are written before any is renamed into place: a failure leaves none half-made.
    with Outputs() as outputs:
        for path in targets:
            with outputs.binary(path) as handle:
                write_workbook(_template_book(path.name, choices), handle, path)
    return targets


def _template_book(name: str, choices: dict[tuple[str, str], tuple[str, ...]]) -> NewWorkbook:
    book = NewWorkbook()
    book.remove(book.worksheets[0])  # the default sheet of a new workbook
    for sheet, title, header in TEMPLATE_SHEETS[name]:
        ws = book.create_sheet(sheet)
        ws.append([title])
        ws.append(list(header))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for column, field in enumerate(header, start=1):
            values = choices.get((sheet, field))
            if values is None:
                continue
            rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"',
                                  allow_blank=True, errorStyle="warning",
                                  error=f"{field}：{'、'.join(values)}", errorTitle=field,
                                  prompt="、".join(values), promptTitle=field)
            letter = get_column_letter(column)
            rule.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
            ws.add_data_validation(rule)
    if name == CALENDAR:
        ws = book.create_sheet("说明")
        for line in CALENDAR_HELP:
            ws.append([line])
    return book
