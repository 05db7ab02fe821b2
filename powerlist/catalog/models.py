"""The domain model: levels, power kinds, organisation, power items, categories, delegation.

Values are frozen pydantic models. Codes are strings everywhere (spreadsheets store them as
numbers or text; the loaders normalise them to text).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(StrEnum):
    """Response level — 响应层级 (市 - 区 - 街 - 社区)."""

    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"

    @property
    def label(self) -> str:
        return {"community": "社区", "street": "街道", "district": "区", "city": "市"}[self.value]

    @property
    def rank(self) -> int:
        return _LEVEL_ORDER.index(self)

    @property
    def grade(self) -> Grade:
        return Grade(("A", "B", "C", "D")[self.rank])


_LEVEL_ORDER = (Level.COMMUNITY, Level.STREET, Level.DISTRICT, Level.CITY)


class Grade(StrEnum):
    """Handling grade — 分级处置: A community, B street, C district, D city."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def level(self) -> Level:
        return _LEVEL_ORDER["ABCD".index(self.value)]

    def raised(self) -> Grade:
        """One grade up (主动治理 of repeated issues); D stays D."""
        return Grade("ABCD"[min(3, "ABCD".index(self.value) + 1)])


class PowerKind(StrEnum):
    """Kind of administrative power — 权力类型, with the codes used across public lists."""

    LICENSING = "01"
    PENALTY = "02"
    COERCION = "03"
    LEVY = "04"
    BENEFIT = "05"
    INSPECTION = "06"
    CONFIRMATION = "07"
    REWARD = "08"
    ADJUDICATION = "09"
    OTHER = "10"
    PUBLIC_SERVICE = "20"

    @property
    def label(self) -> str:
        return POWER_KIND_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> PowerKind | None:
        """A kind written by code ("2", "02") or by name ("行政处罚", "处罚"); None if unknown."""
        t = "".join(str(text).split())
        if t.isdigit():
            t = t.zfill(2)
            return cls(t) if t in cls._value2member_map_ else None
        for kind, label in POWER_KIND_LABELS.items():
            if t == label or t == label.removeprefix("行政") or t == label + "类":
                return kind
        return _KIND_ALIASES.get(t)


POWER_KIND_LABELS: dict[PowerKind, str] = {
    PowerKind.LICENSING: "行政许可",
    PowerKind.PENALTY: "行政处罚",
    PowerKind.COERCION: "行政强制",
    PowerKind.LEVY: "行政征收",
    PowerKind.BENEFIT: "行政给付",
    PowerKind.INSPECTION: "行政检查",
    PowerKind.CONFIRMATION: "行政确认",
    PowerKind.REWARD: "行政奖励",
    PowerKind.ADJUDICATION: "行政裁决",
    PowerKind.OTHER: "其他行政权力",
    PowerKind.PUBLIC_SERVICE: "公共服务",
}
_KIND_ALIASES = {
    "其他权力": PowerKind.OTHER,
    "其它行政权力": PowerKind.OTHER,
    "其他": PowerKind.OTHER,
    "其它": PowerKind.OTHER,
    "行政强制措施": PowerKind.COERCION,
    "行政强制执行": PowerKind.COERCION,
    "行政监督检查": PowerKind.INSPECTION,
}


class DelegationMode(StrEnum):
    """How a street holds a power item — 承接方式."""

    DELEGATED = "delegated"  # 下放: the street office exercises it
    STATIONED = "stationed"  # 派驻: the department's unit stationed in the street
    DISTRICT = "district"  # 保留区级: retained by the district department
    CITY = "city"  # 保留市级: retained by the city department
    ENTRUSTED = "entrusted"  # 委托: the street acts in the department's name

    @property
    def label(self) -> str:
        return DELEGATION_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> DelegationMode | None:
        t = "".join(str(text).split())
        if t in cls._value2member_map_:
            return cls(t)
        for mode, names in _DELEGATION_NAMES.items():
            if t in names:
                return mode
        return None


DELEGATION_LABELS = {
    DelegationMode.DELEGATED: "下放",
    DelegationMode.STATIONED: "派驻",
    DelegationMode.DISTRICT: "保留区级",
    DelegationMode.CITY: "保留市级",
    DelegationMode.ENTRUSTED: "委托",
}
_DELEGATION_NAMES = {
    DelegationMode.DELEGATED: {"下放", "下放街道", "直接下放", "赋权"},
    DelegationMode.STATIONED: {"派驻", "派驻执行", "派驻机构"},
    DelegationMode.DISTRICT: {"保留区级", "区级保留", "保留区(市)级", "保留区（市）级", "不下放"},
    DelegationMode.CITY: {"保留市级", "市级保留"},
    DelegationMode.ENTRUSTED: {"委托", "委托下放", "委托街道", "委托执行"},
}


class Scope(StrEnum):
    """Whistle scope of an issue category — 吹哨范围."""

    ORDINARY = "ordinary"  # 普通问题
    KEY_WORK = "key_work"  # 重点工作
    ENFORCEMENT = "enforcement"  # 综合执法
    EMERGENCY = "emergency"  # 应急处置

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        t = "".join(str(text).split())
        if t in cls._value2member_map_:
            return cls(t)
        return {v: k for k, v in SCOPE_LABELS.items()}.get(t)


SCOPE_LABELS = {
    Scope.ORDINARY: "普通问题",
    Scope.KEY_WORK: "重点工作",
    Scope.ENFORCEMENT: "综合执法",
    Scope.EMERGENCY: "应急处置",
}


class UnitKind(StrEnum):
    """What kind of unit acts — 责任单位类型."""

    COMMUNITY = "community"  # 社区居委会
    STREET_OFFICE = "street_office"  # 街道办事处
    STATIONED_UNIT = "stationed_unit"  # 派驻机构 (派出所, 司法所, 市场监管所)
    DISTRICT_DEPARTMENT = "district_department"  # 区直部门
    CITY_DEPARTMENT = "city_department"  # 市直部门
    SUPERVISION_OFFICE = "supervision_office"  # 市委督查室/市政府政务督查室

    @property
    def level(self) -> Level:
        return {
            UnitKind.COMMUNITY: Level.COMMUNITY,
            UnitKind.STREET_OFFICE: Level.STREET,
            UnitKind.STATIONED_UNIT: Level.STREET,
            UnitKind.DISTRICT_DEPARTMENT: Level.DISTRICT,
            UnitKind.CITY_DEPARTMENT: Level.CITY,
            UnitKind.SUPERVISION_OFFICE: Level.CITY,
        }[self]


class District(_Value):
    """A district-level unit — 区(市): a district, a county-level city or a development zone."""

    code: str
    name: str
    source: str = ""


class Street(_Value):
    """A street office's area — 街道."""

    code: str
    name: str
    district: str  # district code
    staff: int | None = None  # 编制人数 (administrative + public-institution posts)
    staff_illustrative: bool = True
    source: str = ""


class Community(_Value):
    """A residents' community — 社区."""

    code: str
    name: str
    street: str  # street code
    source: str = ""


class Department(_Value):
    """A whistle-responding functional line — 吹哨报到部门 (e.g. 市场监管).

    It exists at city level and in each district; `stationed` departments keep their street
    units under the department (派驻: 公安, 司法, 市场监管 …).
    """

    code: str
    name: str  # short name, e.g. 市场监管
    city_name: str  # e.g. 黄石市市场监督管理局
    district_name: str  # pattern with {district}, e.g. {district}市场监督管理局
    stationed: bool = False
    stationed_unit_name: str | None = None  # e.g. 市场监管所, with the street name put before it
    aliases: tuple[str, ...] = ()
    source: str = ""


class Unit(_Value):
    """A unit that can act on a case — 责任单位."""

    code: str
    name: str
    kind: UnitKind
    district: str | None = None
    street: str | None = None
    department: str | None = None

    @property
    def level(self) -> Level:
        return self.kind.level


class SourceRef(_Value):
    """Where a loaded row came from."""

    file: str
    sheet: str
    row: int


class PowerItem(_Value):
    """One power item (or sub-item) of a power list — 权责事项."""

    code: str
    name: str
    sub_item: str | None = None  # 子项
    kind: PowerKind
    department: str | None = None  # as written (实施主体); resolved by the catalog
    legal_basis: tuple[str, ...] = ()  # 实施依据, one citation per entry
    responsibilities: tuple[str, ...] = ()  # 责任事项, stage by stage
    accountability: tuple[str, ...] = ()  # 追责情形
    mode: DelegationMode | None = None  # 承接方式 written in the list itself, if any
    source: str = ""  # 来源 column
    note: str = ""  # 备注
    origin: SourceRef | None = None

    @property
    def full_name(self) -> str:
        return f"{self.name}（{self.sub_item}）" if self.sub_item else self.name


class Category(_Value):
    """An issue category of the taxonomy — 问题分类 (GB/T 30428 classes, hotline kinds).

    `powers` are the **principal** powers (主要权力): the acts that resolve the issue; the lead is
    chosen among them only. `related` powers (相关权力) may bring co-units, never the lead nor
    the escalation path. `reason` (权力对应依据) says why, citing the statute."""

    code: str
    name: str
    parent: str | None = None
    scope: Scope
    powers: tuple[str, ...] = ()  # principal power item codes; empty = no power needed
    related: tuple[str, ...] = ()  # related power item codes
    reason: str = ""
    source: str = ""
    origin: SourceRef | None = None

    @property
    def all_powers(self) -> tuple[str, ...]:
        """Principal then related powers."""
        return (*self.powers, *(p for p in self.related if p not in self.powers))


class Delegation(_Value):
    """How one street holds one power item — 承接. `origin` is its delegation-workbook row."""

    item: str
    street: str
    mode: DelegationMode
    source: str = ""
    origin: SourceRef | None = None


class StatuteVersion(_Value):
    """One version of a cited text — 法律法规的一个版本 (statutes.xlsx, sheet 法律法规)."""

    id: str  # 版本编码, e.g. ZAGLCF@2025年修订
    work: str  # 法规编码: every version of one text shares it
    title: str  # 名称 with its 《》
    label: str  # 版本: the words in brackets after the title, as cited
    adopted: date | None = None  # 通过日期 (laws) or 公布日期 (regulations, rules)
    in_force: date  # 施行日期, inclusive
    repealed: date | None = None  # 废止日期: no longer in force from this day on
    replaced_by: str | None = None  # 替代版本
    articles: int | None = None  # 条文数, where known
    source: str = ""
    origin: SourceRef | None = None

    def in_force_on(self, day: date) -> bool:
        return self.in_force <= day and (self.repealed is None or day < self.repealed)

    @property
    def citation_title(self) -> str:
        """The title with the version label: 《中华人民共和国治安管理处罚法》（2025年修订）."""
        return f"{self.title}（{self.label}）"


class CalendarOverride(_Value):
    """A working-day change from a State Council notice the package does not know yet."""

    day: str  # ISO date, YYYY-MM-DD
    workday: bool  # True: an extra working day (调休上班); False: a day off
    note: str = ""
    source: str = ""


class CatalogData(_Value):
    """Everything a catalog holds, as loaded; `powerlist.catalog.Catalog` indexes it."""

    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    communities: tuple[Community, ...]
    departments: tuple[Department, ...]
    items: tuple[PowerItem, ...]
    categories: tuple[Category, ...]
    delegations: tuple[Delegation, ...]
    calendar_overrides: tuple[CalendarOverride, ...] = ()
    stationed_units: tuple[Unit, ...] = Field(default=())
    statutes: tuple[StatuteVersion, ...] = ()
    # district-level units named apart from their department's pattern: (district, department) → name
    district_unit_names: tuple[tuple[str, str, str], ...] = ()
    name: str = "黄石市"
