"""The catalogs directory's format: its five workbooks, their sheets and each sheet's header
vocabulary.

| file | sheets (header names) | at least one row |
|---|---|---|
| organisation.xlsx | 区县 (区县编码, 区县名称, 来源) | yes |
| | 街道 (街道编码, 街道名称, 所属区县编码, 编制人数, 编制人数性质, 来源) | yes |
| | 社区 (社区编码, 社区名称, 所属街道编码, 来源) | no |
| | 部门 (部门编码, 部门简称, 市级名称, 区级名称, 是否派驻, 派驻机构名称, 别名, 来源) | yes |
| | 派驻机构 (机构编码, 机构名称, 所属街道编码, 部门编码, 来源) | no |
| power_list.xlsx | any sheet with a power-list header (`powerlist.catalog.item_rows`) | yes |
| delegation.xlsx | any sheet with a delegation header (`powerlist.catalog.item_rows`) | no |
| taxonomy.xlsx | 问题分类 (分类编码, 分类名称, 上级分类编码, 吹哨范围, 候选权力事项编码, 国标对应, 来源) | yes |
| calendar_overrides.xlsx (optional file) | 调休调整 (日期, 类型, 说明, 来源) | no |
"""

from __future__ import annotations

from ..sheets.headers import Vocabulary

ORGANISATION = "organisation.xlsx"
POWER_LIST = "power_list.xlsx"
DELEGATION = "delegation.xlsx"
TAXONOMY = "taxonomy.xlsx"
CALENDAR = "calendar_overrides.xlsx"
FILES = (ORGANISATION, POWER_LIST, DELEGATION, TAXONOMY, CALENDAR)

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
    "问题分类": {
        "code": ("分类编码",),
        "name": ("分类名称",),
        "parent": ("上级分类编码",),
        "scope": ("吹哨范围",),
        "powers": ("候选权力事项编码",),
        "gb": ("国标对应",),
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
    "问题分类": ("code", "name", "scope"),
    "调休调整": ("day", "type"),
}
NOT_EMPTY = {"区县", "街道", "部门", "问题分类"}
ORGANISATION_SHEETS = ("区县", "街道", "社区", "部门", "派驻机构")
LIST_SEPARATORS = ("、", "；", ";", "，", ",")  # of 别名 and 候选权力事项编码


def vocabulary(sheet: str) -> Vocabulary:
    return Vocabulary(SHEET_FIELDS[sheet], required=SHEET_REQUIRED[sheet], near_miss=2)


__all__ = [
    "CALENDAR",
    "DELEGATION",
    "FILES",
    "LIST_SEPARATORS",
    "NOT_EMPTY",
    "ORGANISATION",
    "ORGANISATION_SHEETS",
    "POWER_LIST",
    "SHEET_FIELDS",
    "SHEET_REQUIRED",
    "TAXONOMY",
    "vocabulary",
]
