"""The catalogs directory's format: its workbooks, their sheets and each sheet's header
vocabulary.

| file | sheets (header names) | at least one row |
|---|---|---|
| organisation.xlsx | 区县 (区县编码, 区县名称, 来源) | yes |
| | 街道 (街道编码, 街道名称, 所属区县编码, 编制人数, 编制人数性质, 来源) | yes |
| | 社区 (社区编码, 社区名称, 所属街道编码, 来源) | no |
| | 部门 (部门编码, 部门简称, 市级名称, 区级名称, 是否派驻, 派驻机构名称, 别名, 来源) | yes |
| | 派驻机构 (机构编码, 机构名称, 所属街道编码, 部门编码, 来源) | no |
| | 区级机构名称 (区县编码, 部门编码, 机构名称, 来源), optional sheet (note 1) | no |
| power_list.xlsx | any sheet with a power-list header (`powerlist.catalog.item_rows`) | yes |
| delegation.xlsx | any sheet with a delegation header (`powerlist.catalog.item_rows`) | no |
| taxonomy.xlsx | 问题分类 (分类编码, 分类名称, 上级分类编码, 吹哨范围, 主要权力事项编码 (note 2), |yes |
| | 相关权力事项编码, 权力对应依据, 国标对应, 来源) | |
| calendar_overrides.xlsx (optional file) | 调休调整 (日期, 类型, 说明, 来源) | no |
| statutes.xlsx (optional file) | 法律法规 (版本编码, 法规编码, 名称, 版本, 通过日期, 施行日期, 废止日期, | no |
| | 替代版本, 条文数, 来源) | |

Note 1: a district's unit named apart from its department's 区级名称 pattern (大冶市公安局).
Note 2: in workbooks from before issue 11, 候选权力事项编码 (every candidate, read as principal).
"""

from __future__ import annotations

from ..sheets.headers import Vocabulary

ORGANISATION = "organisation.xlsx"
POWER_LIST = "power_list.xlsx"
DELEGATION = "delegation.xlsx"
TAXONOMY = "taxonomy.xlsx"
CALENDAR = "calendar_overrides.xlsx"
STATUTES = "statutes.xlsx"
FILES = (ORGANISATION, POWER_LIST, DELEGATION, TAXONOMY, CALENDAR, STATUTES)

SHEET_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "区县": {"code": ("区县编码",), "name": ("区县名称",), "source": ("来源",)},
    "街道": {
        "code": ("街道编码",),
        "name": ("街道名称",),
        "district": ("所属区县编码", "区县编码"),
        "staff": ("编制人数",),
        "staff_nature": ("编制人数性质",),
        "source": ("来源",),
    },
    "社区": {
        "code": ("社区编码",),
        "name": ("社区名称",),
        "street": ("所属街道编码", "街道编码"),
        "source": ("来源",),
    },
    "部门": {
        "code": ("部门编码",),
        "name": ("部门简称",),
        "city_name": ("市级名称",),
        "district_name": ("区级名称",),
        "stationed": ("是否派驻",),
        "stationed_unit_name": ("派驻机构名称",),
        "aliases": ("别名",),
        "source": ("来源",),
    },
    "派驻机构": {
        "code": ("机构编码",),
        "name": ("机构名称",),
        "street": ("所属街道编码", "街道编码"),
        "department": ("部门编码",),
        "source": ("来源",),
    },
    "区级机构名称": {
        "district": ("区县编码", "所属区县编码"),
        "department": ("部门编码",),
        "name": ("机构名称",),
        "source": ("来源",),
    },
    "问题分类": {
        "code": ("分类编码",),
        "name": ("分类名称",),
        "parent": ("上级分类编码",),
        "scope": ("吹哨范围",),
        # principal powers; a workbook from before issue 11 names every candidate 候选权力事项编码
        "powers": ("主要权力事项编码", "候选权力事项编码"),
        "related": ("相关权力事项编码",),
        "reason": ("权力对应依据",),
        "gb": ("国标对应",),
        "source": ("来源",),
    },
    "法律法规": {
        "id": ("版本编码",),
        "work": ("法规编码",),
        "title": ("名称", "法律法规名称"),
        "label": ("版本",),
        "adopted": ("通过日期", "公布日期"),
        "in_force": ("施行日期",),
        "repealed": ("废止日期", "失效日期"),
        "replaced_by": ("替代版本",),
        "articles": ("条文数",),
        "source": ("来源",),
    },
    "调休调整": {
        "day": ("日期",),
        "type": ("类型",),
        "note": ("说明",),
        "source": ("来源",),
    },
}
SHEET_REQUIRED: dict[str, tuple[str, ...]] = {
    "区县": ("code", "name"),
    "街道": ("code", "name", "district"),
    "社区": ("code", "name", "street"),
    "部门": ("code", "name", "city_name", "district_name"),
    "派驻机构": ("code", "name", "street", "department"),
    "区级机构名称": ("district", "department", "name"),
    "问题分类": ("code", "name", "scope"),
    "法律法规": ("id", "work", "title", "label", "in_force"),
    "调休调整": ("day", "type"),
}
NOT_EMPTY = {"区县", "街道", "部门", "问题分类"}
ORGANISATION_SHEETS = ("区县", "街道", "社区", "部门", "派驻机构", "区级机构名称")
OPTIONAL_SHEETS = ("区级机构名称",)
LIST_SEPARATORS = ("、", "；", ";", "，", ",")  # of 别名 and the power-code columns of 问题分类


def vocabulary(sheet: str) -> Vocabulary:
    return Vocabulary(SHEET_FIELDS[sheet], required=SHEET_REQUIRED[sheet], near_miss=2)


__all__ = [
    "CALENDAR",
    "DELEGATION",
    "FILES",
    "LIST_SEPARATORS",
    "NOT_EMPTY",
    "OPTIONAL_SHEETS",
    "ORGANISATION",
    "ORGANISATION_SHEETS",
    "POWER_LIST",
    "SHEET_FIELDS",
    "SHEET_REQUIRED",
    "STATUTES",
    "TAXONOMY",
    "vocabulary",
]
