"""Stage 1 of routing — an issue's place: what depends only on its (category, location).

`locate` finds, from the catalog, the category and its scope, the street, the community, and for
each of the category's powers — principal (主要权力) and related (相关权力) — the unit holding it for
that street and how (下放/委托/派驻/保留区级/保留市级) and which delegation row says so —
`powers_at`, stage 1a, which depends on (category, street) only — and gathers the enumerable
`Profile` of all this that the rules may read. The deciding power, and so the lead, the mode the
rules read and the escalation path, comes from the principal powers only; related powers only
add their holders as co-units; "several departments" counts the principal powers' departments.
The rules decide in *roles* (社区, 街道办事处, the stationed unit holding the deciding power,
the district and the city department of its department); `Located.refs` says which unit each role is at this place.

A category or location that is not a code of the catalog is resolved by name or alias
(`Catalog.names`: 占道经营, rx0302, 纺织社区, 黄石港街道纺织社区 …) and the resolution is the
decision's first trace step (`resolve.category`, `resolve.location`); a code costs one dict
lookup, as before. A text that names nothing, or several things, is an `InputError` naming the
field (and the candidates); `reference_problems` finds the same problems in an issue that
failed validation on other fields, so that one rejection names every problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic import BaseModel

from ..catalog.catalog import Catalog
from ..catalog.models import Category, DelegationMode, Level, PowerItem, Street, Unit, UnitKind
from ..catalog.names import Match, UnresolvedName
from ..catalog.statutes import Statutes
from ..errors import InputError, Problem
from .citing import Citer
from .decision import PowerRef, TraceStep, UnitRef, built, trace_step
from .issue import canonical, code_text

# Which principal power decides the lead when a category has several: the one held highest up
# (the level that holds the power must act), ties broken by the category's own order.
_MODE_RANK = {
    DelegationMode.DELEGATED: 0,
    DelegationMode.ENTRUSTED: 1,
    DelegationMode.STATIONED: 2,
    DelegationMode.DISTRICT: 3,
    DelegationMode.CITY: 4,
}

# Roles — who a rule can name without knowing the street: 社区, 街道办事处, the stationed unit
# holding the deciding power, the district and the city department of its department.
ROLE_LABELS = {
    "community": "社区居委会 community",
    "street": "街道办事处 street office",
    "stationed": "派驻机构 stationed unit",
    "district": "区直部门 district department",
    "city": "市直部门 city department",
}
ROLE_OF_KIND = {
    UnitKind.COMMUNITY: "community",
    UnitKind.STREET_OFFICE: "street",
    UnitKind.STATIONED_UNIT: "stationed",
    UnitKind.DISTRICT_DEPARTMENT: "district",
    UnitKind.CITY_DEPARTMENT: "city",
}

WHERE_CATEGORY = "（分类见 taxonomy.xlsx 工作表“问题分类”）"
WHERE_LOCATION = "（街道、社区见 organisation.xlsx）"

# A place's units for one (lead, co-unit roles, path roles) of a sketch — with the community's
# code when one of those roles is the community, else None: (lead, co-units, path).
UnitsKey = tuple[str | None, str, tuple[str, ...], tuple[str, ...]]
Units = tuple[UnitRef, tuple[UnitRef, ...], tuple[UnitRef, ...]]


@dataclass(frozen=True, slots=True)
class Holding:
    """One power item of the category and who holds it for the issue's street."""

    item: PowerItem
    unit: Unit
    mode: DelegationMode
    department: str | None
    principal: bool = True
    delegation: str | None = None  # "delegation.xlsx 街道承接 第1694行", the row giving the mode


@dataclass(frozen=True, slots=True)
class Powers:
    """Stage 1a: a category's principal and related powers for one street — who holds each, and how."""

    holdings: tuple[Holding, ...]
    primary: Holding | None
    powers: tuple[PowerRef, ...]
    trace: tuple[TraceStep, ...]
    several_departments: bool
    units: dict[str, Unit]  # role → unit: street, and stationed/district/city when they exist
    holder_refs: dict[str, UnitRef]  # every holding unit (principal and related), by code
    statutes: Statutes = field(default_factory=Statutes, compare=False, repr=False)
    # `powers` cited as in force on a day, shared by every plan of this category and street
    citer: Citer | None = field(default=None, compare=False, repr=False)
    # The units of each sketch's roles here (`powerlist.routing.plan.units_of`), one tuple shared
    # by every place of the street (the community's code in the key when a role is the community).
    units_of: dict[UnitsKey, Units] = field(default_factory=dict, compare=False, repr=False)
    # What `locate` makes of these powers for a place, with a community and without: role → unit
    # ref of `units`, and the two profiles (a Powers is one category's, on one street).
    refs: dict[str, UnitRef] = field(default_factory=dict, compare=False, repr=False)
    profiles: dict[bool, Profile] = field(default_factory=dict, compare=False, repr=False)
    where: tuple[str, str] = ("", "")  # (category, street) codes


class Profile(NamedTuple):
    """What the rules may read of an issue's category and place (all enumerable)."""

    scope: str
    several_departments: bool
    mode: str  # the deciding power's DelegationMode value, or "none"
    has_community: bool
    has_department: bool
    primary_role: str | None  # the role of the unit holding the deciding power
    roles: frozenset[str]  # the roles that exist for this place


@dataclass(frozen=True, slots=True)
class Located:
    """Stage 1: everything that depends only on the issue's category and location."""

    category: Category
    street: Street
    powers: Powers
    refs: dict[str, UnitRef]  # role → unit, the community included when there is one
    profile: Profile
    resolved: tuple[TraceStep, ...] = ()  # how a category or location given by name was resolved


# Profiles are enumerable, and a router keeps one Located per (category, location): each
# distinct profile is kept once and shared (fewer objects for the cyclic collector to walk).
_PROFILE_LIMIT = 65_536
_profiles: dict[Profile, Profile] = {}


def _shared(profile: Profile) -> Profile:
    found = _profiles.get(profile)
    if found is None:
        if len(_profiles) >= _PROFILE_LIMIT:
            _profiles.clear()
        found = _profiles[profile] = profile
    return found


# Catalog units and items live as long as their catalog: their refs are kept by identity (hashing
# a pydantic Unit or PowerItem, or even a Level, costs more than building the ref), each entry
# holding its unit so that an id is never reused while kept; cleared when full.
_REF_LIMIT = 65_536
_unit_refs: dict[int, tuple[Unit, UnitRef]] = {}
_power_refs: dict[int, tuple[PowerItem, PowerRef]] = {}


def unit_ref(unit: Unit) -> UnitRef:
    hit = _unit_refs.get(id(unit))
    if hit is not None and hit[0] is unit:
        return hit[1]
    ref = _unit_ref(unit.code, unit.name, unit.level)
    if len(_unit_refs) >= _REF_LIMIT:
        _unit_refs.clear()
    _unit_refs[id(unit)] = (unit, ref)
    return ref


@lru_cache(maxsize=65_536)
def _unit_ref(code: str, name: str, level: Level) -> UnitRef:
    # Equal units of two catalogs share one ref.
    return built(UnitRef, {"code": code, "name": name, "level": level})


def power_ref(item: PowerItem) -> PowerRef:
    hit = _power_refs.get(id(item))
    if hit is not None and hit[0] is item:
        return hit[1]
    ref = _power_ref(item)
    if len(_power_refs) >= _REF_LIMIT:
        _power_refs.clear()
    _power_refs[id(item)] = (item, ref)
    return ref


@lru_cache(maxsize=65_536)
def _power_ref(item: PowerItem) -> PowerRef:
    return built(PowerRef, {"code": item.code, "name": item.full_name, "kind": item.kind.value,
                            "legal_basis": item.legal_basis, "role": "principal", "mode": None, "holder": None,
                            "delegation": None})


def holding_ref(holding: Holding) -> PowerRef:
    """The decision's view of a holding: the power with its role, mode, holder and delegation row
    (its legal basis as written: `powerlist.routing.plan` cites it as in force on the day)."""
    item = holding.item
    return built(PowerRef, {"code": item.code, "name": item.full_name, "kind": item.kind.value,
                            "legal_basis": item.legal_basis, "role": "principal" if holding.principal else "related",
                            "mode": holding.mode.value, "holder": unit_ref(holding.unit),
                            "delegation": holding.delegation})


def delegation_ref(catalog: Catalog, item: str, street: str) -> str | None:
    """Where the mode of `item` in `street` is written: ``delegation.xlsx 街道承接 第1694行`` (sheet row)."""
    found = catalog.delegation(item, street)
    if found is None or found.origin is None:
        return None
    return f"{found.origin.file} {found.origin.sheet} 第{found.origin.row}行"


def _problem(message: str, field: str | None = None, value: Any = None, code: str | None = None) -> Problem:
    return Problem(message=message, field=field, value=None if value is None else str(value), code=code)


def powers_at(catalog: Catalog, category: Category, street: Street) -> Powers:
    """Stage 1a. Raises InputError when the catalog cannot resolve a power of the category."""
    problems: list[Problem] = []
    holdings: list[Holding] = []
    trace: list[TraceStep] = []
    principal = set(category.powers)
    for code in category.all_powers:
        item = catalog.items.get(code)
        if item is None:
            problems.append(_problem(
                f"问题分类 {category.code} 引用的事项 {code} 不在权责清单中 (category {category.code} lists power item "
                f"{code}, which is not in the power list)",
                "category", category.code, "catalog-unknown-item"))
            continue
        try:
            unit, mode = catalog.holder(code, street.code)
        except KeyError as error:
            problems.append(_problem(
                f"目录中没有单位为街道 {street.code} 持有事项 {code} (the catalog names no unit holding power item "
                f"{code} for street {street.code}: {error})",
                "category", category.code, "catalog-no-holder"))
            continue
        row = delegation_ref(catalog, code, street.code)
        holding = Holding(item, unit, mode, catalog.department_code(item.department), code in principal, row)
        holdings.append(holding)
        role_zh, role_en = (("主要权力", "principal") if holding.principal
                            else ("相关权力，只协办", "related: co-unit only"))
        where_zh = f"，见 {row}" if row else "，承接方式取自权责清单或默认规则"
        where_en = f", from {row}" if row else ", mode from the power list or the default"
        trace.append(trace_step(
            f"power_list.{code}",
            f"{item.full_name}（{role_zh}）：{street.name}{mode.label}，由{unit.name}行使{where_zh} "
            f"(item {code}, {role_en}, for {street.code}: {mode.value}, held by {unit.code}{where_en})",
        ))
    if problems:
        raise InputError(problems, "目录无法为此分类派单 (the catalog cannot route this category)")
    primary = None
    for holding in holdings:
        if holding.principal and (primary is None or _MODE_RANK[holding.mode] > _MODE_RANK[primary.mode]):
            primary = holding
    department = primary.department if primary else None
    units: dict[str, Unit] = {"street": catalog.units[street.code]}
    if department:
        for role, code in (("district", catalog.district_department_code(street.district, department)),
                           ("city", catalog.city_department_code(department))):
            if code in catalog.units:
                units[role] = catalog.units[code]
    if primary is not None:
        units.setdefault(ROLE_OF_KIND[primary.unit.kind], primary.unit)
    refs = tuple(holding_ref(h) for h in holdings)
    return Powers(
        holdings=tuple(holdings),
        primary=primary,
        powers=refs,
        trace=tuple(trace),
        several_departments=len({h.department or h.unit.code for h in holdings if h.principal}) > 1,
        units=units,
        holder_refs={h.unit.code: unit_ref(h.unit) for h in holdings},
        statutes=catalog.statutes,
        citer=Citer(refs, catalog.statutes),
        refs={role: unit_ref(unit) for role, unit in units.items()},
        where=(category.code, street.code),
    )


def locate(catalog: Catalog, category_code: str, location: str,
           powers: Callable[[Catalog, Category, Street], Powers] = powers_at) -> Located:
    """Stage 1. Raises InputError naming an unknown category or location. `powers` computes
    stage 1a (the compiled engine passes a memoised `powers_at`)."""
    problems: list[Problem] = []
    resolved: list[TraceStep] = []
    category = catalog.categories.get(category_code)
    if category is None:
        match = _resolve(catalog, "category", category_code, problems)
        if match is not None:
            category = catalog.categories[match.code]
            resolved.append(trace_step("resolve.category", match.trace()))
    street = catalog.street_of(location)
    if street is None:
        match = _resolve(catalog, "place", location, problems)
        if match is not None:
            location = match.code
            street = catalog.street_of(location)
            resolved.append(trace_step("resolve.location", match.trace()))
    if category is None or street is None:
        raise InputError(problems, "无法派单 (cannot route the issue)")
    found = powers(catalog, category, street)
    community = catalog.community_unit(location)
    refs = found.refs
    if community is not None:  # the street's units and the community
        refs = {**refs, "community": unit_ref(community)}
    profile = found.profiles.get(community is not None)
    if profile is None:
        profile = found.profiles[community is not None] = _profile(category, found, community is not None)
    return Located(category=category, street=street, powers=found, refs=refs, profile=profile,
                   resolved=tuple(resolved))


def _profile(category: Category, found: Powers, has_community: bool) -> Profile:
    """What the rules may read of a place with these powers."""
    primary = found.primary
    return _shared(Profile(
        scope=category.scope.value,
        several_departments=found.several_departments,
        mode=primary.mode.value if primary else "none",
        has_community=has_community,
        has_department=primary is not None and primary.department is not None,
        primary_role=ROLE_OF_KIND[primary.unit.kind] if primary else None,
        roles=frozenset(found.units) | {"community"} if has_community else frozenset(found.units),
    ))


def _resolve(catalog: Catalog, kind: str, written: str, problems: list[Problem]) -> Match | None:
    """`written` resolved by name or alias; None, with the problem added, when it names
    nothing or several things."""
    field = "category" if kind == "category" else "location"
    try:
        return catalog.names.resolve(kind, written)
    except UnresolvedName as error:
        where = WHERE_CATEGORY if kind == "category" else WHERE_LOCATION
        message = str(error) if error.code == "ambiguous-name" else str(error).replace(" (", where + " (", 1)
        problems.append(_problem(message, field, written, error.code))
        return None


def reference_problems(catalog: Catalog, raw: Any, failed: Iterable[str | None] = ()) -> list[Problem]:
    """The unknown category or location of an issue that failed validation on other fields, so
    that one rejection names every problem, not only the first kind found. Fields that failed
    validation themselves (listed in `failed`) are not judged again."""
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    if not isinstance(raw, Mapping):
        return []
    data, _ = canonical(raw)
    skip = set(failed)
    problems: list[Problem] = []
    category = code_text(data.get("category"))
    if ("category" not in skip and isinstance(category, str) and category.strip()
            and category.strip() not in catalog.categories):
        _resolve(catalog, "category", category.strip(), problems)
    location = code_text(data.get("location"))
    if ("location" not in skip and isinstance(location, str) and location.strip()
            and catalog.street_of(location.strip()) is None):
        _resolve(catalog, "place", location.strip(), problems)
    return problems
