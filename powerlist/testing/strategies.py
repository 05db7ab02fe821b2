"""Hypothesis strategies: random valid catalogs and random issues over a catalog.

    from hypothesis import given
    from powerlist.testing.strategies import catalogs, issues

    @given(catalogs().flatmap(lambda c: issues(c).map(lambda i: (c, i))))
    def test_every_issue_has_one_lead(pair): ...

`catalogs()` draws small but complete catalogs: 1–2 districts, 1–3 streets each, 0–2
communities per street, 1–4 departments (some stationed, some with stationed units in some
streets), 1–6 power items, 1–6 categories of every scope, and a random delegation mode for
some (item, street) pairs. `issues(catalog)` draws issues whose category and location are in
the catalog and whose received_at lies in 2024–2026 (years the working-day calendar knows,
early enough that every time limit ends in a known year); `issues()` without a catalog draws
arbitrary codes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from ..catalog import Catalog
from ..issue import SHANGHAI, Channel, Issue, RequestKind
from ..models import (
    CatalogData,
    Category,
    Community,
    Delegation,
    DelegationMode,
    Department,
    District,
    PowerItem,
    PowerKind,
    Scope,
    Street,
    Unit,
    UnitKind,
)

_DEPARTMENTS = (
    ("scjg", "市场监管", "市场监督管理局", True, "市场监管所"),
    ("ga", "公安", "公安局", True, "派出所"),
    ("sf", "司法", "司法局", True, "司法所"),
    ("cg", "城管", "城市管理执法局", False, None),
    ("mz", "民政", "民政局", False, None),
    ("yj", "应急", "应急管理局", False, None),
    ("zj", "住建", "住房和城乡建设局", False, None),
)
_EARLIEST = datetime(2024, 1, 1)
_LATEST = datetime(2026, 11, 30, 23, 59)


@st.composite
def catalogs(draw: Any) -> Catalog:
    """A random valid Catalog."""
    n_districts = draw(st.integers(1, 2))
    districts = tuple(District(code=f"4202{d + 1:02d}", name=f"第{d + 1}区") for d in range(n_districts))
    streets: list[Street] = []
    communities: list[Community] = []
    for district in districts:
        for s in range(draw(st.integers(1, 3))):
            street = Street(code=f"{district.code}{s + 1:03d}", name=f"{district.name}{s + 1}街道", district=district.code)
            streets.append(street)
            for c in range(draw(st.integers(0, 2))):
                communities.append(Community(code=f"{street.code}{c + 1:03d}", name=f"{street.name}{c + 1}社区", street=street.code))
    chosen = draw(st.lists(st.sampled_from(_DEPARTMENTS), min_size=1, max_size=4, unique_by=lambda d: d[0]))
    departments = []
    for code, short, suffix, stationed, unit_name in chosen:
        stationed = stationed and draw(st.booleans())
        departments.append(Department(
            code=code, name=short, city_name=f"黄石市{suffix}", district_name="{district}" + suffix,
            stationed=stationed, stationed_unit_name=unit_name if stationed else None,
        ))
    stationed_units = []
    for dept in departments:
        if not dept.stationed:
            continue
        for street in streets:
            if draw(st.booleans()):
                stationed_units.append(Unit(
                    code=f"{street.code}-{dept.code}", name=f"{street.name}{dept.stationed_unit_name}",
                    kind=UnitKind.STATIONED_UNIT, district=street.district, street=street.code, department=dept.code,
                ))
    modes = st.sampled_from(list(DelegationMode))
    items = []
    for i in range(draw(st.integers(1, 6))):
        dept = draw(st.sampled_from(departments))
        items.append(PowerItem(
            code=f"I{i + 1:03d}",
            name=f"事项{i + 1}",
            kind=draw(st.sampled_from(list(PowerKind))),
            department=draw(st.sampled_from([dept.code, dept.name, dept.city_name])),
            legal_basis=tuple(draw(st.lists(st.sampled_from(["《行政处罚法》第二十四条", "《城市市容和环境卫生管理条例》第十四条", "《食品安全法》第一百一十条"]), max_size=2, unique=True))),
            mode=draw(st.none() | modes),
        ))
    item_codes = [item.code for item in items]
    categories = tuple(
        Category(
            code=f"C{c + 1:02d}",
            name=f"分类{c + 1}",
            scope=draw(st.sampled_from(list(Scope))),
            powers=tuple(draw(st.lists(st.sampled_from(item_codes), max_size=3, unique=True))),
        )
        for c in range(draw(st.integers(1, 6)))
    )
    delegations = []
    for item in item_codes:
        for street in streets:
            if draw(st.booleans()):
                delegations.append(Delegation(item=item, street=street.code, mode=draw(modes)))
    return Catalog(CatalogData(
        districts=districts,
        streets=tuple(streets),
        communities=tuple(communities),
        departments=tuple(departments),
        items=tuple(items),
        categories=categories,
        delegations=tuple(delegations),
        stationed_units=tuple(stationed_units),
        name="测试市",
    ))


_codes = st.text(alphabet="0123456789ABCDEFGXYZ-", min_size=1, max_size=12)


@st.composite
def issues(draw: Any, catalog: Catalog | None = None) -> Issue:
    """A random valid Issue; over `catalog`'s categories and locations when given."""
    if catalog is not None:
        category = draw(st.sampled_from(sorted(catalog.categories)))
        location = draw(st.sampled_from(sorted(catalog.streets) + sorted(catalog.communities)))
    else:
        category, location = draw(_codes), draw(_codes)
    received = draw(st.datetimes(min_value=_EARLIEST, max_value=_LATEST))
    return Issue(
        id=draw(st.from_regex(r"[A-Z]{2}[0-9]{1,8}", fullmatch=True)),
        received_at=received.replace(tzinfo=SHANGHAI, microsecond=0),
        category=category,
        location=location,
        channel=draw(st.none() | st.sampled_from(list(Channel))),
        request_kind=draw(st.none() | st.sampled_from(list(RequestKind))),
        emergency=draw(st.booleans()),
        key_work=draw(st.booleans()),
        needs_enforcement=draw(st.booleans()),
        cross_department=draw(st.booleans()),
        repeat_count=draw(st.integers(0, 6)),
        description=draw(st.none() | st.text(max_size=30)),
    )
