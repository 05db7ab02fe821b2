"""A `Citer` cites what `cite_powers` cites, on every day: the legal basis of a place's powers
worked out once per interval between the days a cited version comes into force or is repealed
gives, for each day, the powers and the `statutes.in_force` step the day-by-day rule gives — on
random statutes tables (versions in and out of force, labels the table does not know, texts it
does not model) and on every place of the shipped catalogs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.models import Level, StatuteVersion
from powerlist.catalog.statutes import Statutes
from powerlist.routing.citing import Citer, cite_powers
from powerlist.routing.decision import PowerRef, UnitRef
from powerlist.routing.place import powers_at

FIRST = date(2020, 1, 1)
_days = st.integers(0, 3_000).map(lambda n: FIRST + timedelta(days=n))


def _after(day: date) -> st.SearchStrategy[date]:
    return st.integers(1, 1_000).map(lambda n: day + timedelta(days=n))


@st.composite
def _table(draw: st.DrawFn) -> tuple[Statutes, tuple[PowerRef, ...]]:
    versions: list[StatuteVersion] = []
    for work in range(draw(st.integers(0, 3))):
        title = draw(st.sampled_from([f"《法{work}》", f"《中华人民共和国法{work}》"]))
        starts = sorted(draw(st.lists(_days, min_size=1, max_size=3, unique=True)))
        for n, start in enumerate(starts):
            repealed = starts[n + 1] if n + 1 < len(starts) else draw(st.none() | _after(start))
            versions.append(StatuteVersion(id=f"W{work}@{n}", work=f"W{work}", title=title, label=f"版{n}",
                                           in_force=start, repealed=repealed))
    lines = [f"{v.title}（{v.label}）第{n}条" for n, v in enumerate(versions)]
    lines += [f"《法{w}》第一条" for w in range(3)]  # no label: its only version, several (unknown), or not modelled
    lines += ["《法0》（没有的版本）第二条", "《地方条例》第三条", "不是引文"]
    holder = UnitRef(code="U1", name="单位", level=Level.STREET)
    powers = tuple(
        PowerRef(code=f"P{n}", name=f"权力{n}", kind="02", legal_basis=tuple(draw(st.lists(st.sampled_from(lines),
                                                                                                   max_size=4))),
                 role=draw(st.sampled_from(["principal", "related"])), mode="delegated", holder=holder)
        for n in range(draw(st.integers(0, 4)))
    )
    return Statutes(tuple(versions)), powers


@settings(max_examples=150, deadline=None)
@given(_table(), st.lists(_days, min_size=1, max_size=12))
def test_a_citer_cites_what_the_day_by_day_rule_cites(table: tuple[Statutes, tuple[PowerRef, ...]],
                                                      days: list[date]) -> None:
    statutes, powers = table
    citer = Citer(powers, statutes)
    for day in days + [d + timedelta(days=1) for d in citer.bounds] + list(citer.bounds):
        assert citer.on(day) == cite_powers(powers, statutes, day)
        # and again, from what it kept
        assert citer.on(day) == cite_powers(powers, statutes, day)


def test_days_of_one_interval_share_one_tuple_and_each_day_its_step() -> None:
    za = ("《中华人民共和国治安管理处罚法》（2012年修正）第七十条",
          "《中华人民共和国治安管理处罚法》（2025年修订）第八十二条")
    statutes = Statutes((
        StatuteVersion(id="ZA@2012", work="ZA", title="《中华人民共和国治安管理处罚法》", label="2012年修正",
                       in_force=date(2013, 1, 1), repealed=date(2026, 1, 1)),
        StatuteVersion(id="ZA@2025", work="ZA", title="《中华人民共和国治安管理处罚法》", label="2025年修订",
                       in_force=date(2026, 1, 1)),
    ))
    powers = (PowerRef(code="GA-02-007", name="赌博", kind="02", legal_basis=za),)
    citer = Citer(powers, statutes)
    assert citer.bounds == [date(2013, 1, 1), date(2026, 1, 1)]
    december, later = citer.on(date(2025, 12, 1)), citer.on(date(2025, 12, 31))
    assert december[0] is later[0]  # one tuple: its JSON text is encoded once
    assert december[1] is not None and later[1] is not None
    assert "2025-12-01" in december[1].reason and "2025-12-31" in later[1].reason
    assert citer.on(date(2026, 1, 1))[0] is not december[0]


def test_no_statutes_table_cites_the_powers_as_they_are() -> None:
    powers = (PowerRef(code="P", name="权力", kind="02", legal_basis=("《法》第一条",)),)
    assert Citer(powers, Statutes()).on(date(2026, 1, 1)) == (powers, None)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    from powerlist.catalog.loader import load_catalogs

    return load_catalogs()


def test_every_place_of_the_shipped_catalogs(shipped: Catalog) -> None:
    """Every category with powers, on one street, on the days either side of each version day
    and on a few days between them."""
    street = shipped.streets[sorted(shipped.streets)[0]]
    checked = 0
    for code in sorted(shipped.categories):
        category = shipped.categories[code]
        if not category.all_powers:
            continue
        try:
            found = powers_at(shipped, category, street)
        except Exception:  # noqa: BLE001 - a category the catalog cannot route is not this test's
            continue
        assert found.citer is not None
        days = [date(2024, 1, 1), date(2025, 6, 1), date(2026, 6, 1), date(2027, 1, 1)]
        days += [d + timedelta(days=k) for d in found.citer.bounds for k in (-1, 0, 1)]
        for day in days:
            assert found.citer.on(day) == cite_powers(found.powers, shipped.statutes, day)
        checked += bool(found.citer.bounds)
    assert checked  # some shipped powers cite versioned texts
