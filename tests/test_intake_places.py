"""Address → place: the gazetteer (names, house-number ranges, 小区, landmarks, typos), its
workbook, and coordinates through community boundaries given as GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from powerlist.catalog.catalog import Catalog
from powerlist.errors import InputError
from powerlist.intake import Boundaries, Gazetteer
from powerlist.intake.gazetteer_book import HEADER, read_gazetteer, write_template

CIHU = "420202002003"  # 磁湖社区 (沈家营街道)
HUSHAN = "420202003004"  # 湖山社区 (胜阳港街道)
BAQUAN, FEIYUN = "420203002001", "420203002002"


@pytest.fixture(scope="module")
def places(catalog: Catalog) -> Gazetteer:
    return Gazetteer.default(catalog)


@pytest.mark.parametrize(("text", "community"), [
    ("磁湖路88号", CIHU),
    ("磁 湖 路 ８８ 号门口", CIHU),  # spaces and full-width digits
    ("磁湖路200号", HUSHAN),  # the other number range of the same road
    ("八泉路15号", BAQUAN),  # 单号
    ("八泉路16号", FEIYUN),  # 双号
    ("丽岛花园3栋2单元", CIHU),  # 小区
    ("万达广场旁边的巷子", "420204004001"),  # landmark
    ("黄石港街道天虹社区居委会", "420202001003"),  # community name
    ("杭洲东路12号", "420204004001"),  # a typo in the road name
    ("纺识社区门口", "420202001001"),  # a typo in the community name
])
def test_resolves_to_a_community(places: Gazetteer, text: str, community: str) -> None:
    place = places.resolve(text)
    assert place.community == community and place.level == "community" and not place.unresolved
    assert place.street == places.catalog.communities[community].street
    assert place.location == community and place.evidence


def test_street_only(places: Gazetteer) -> None:
    place = places.resolve("团城山街道办事处附近")
    assert place.level == "street" and place.street == "420204004" and place.community is None
    assert place.location == "420204004" and not place.unresolved


def test_unresolved_lists_candidates(places: Gazetteer) -> None:
    place = places.resolve("黄石大道")  # a long road over four communities, no number
    assert place.unresolved and place.location is None
    assert len({c.community for c in place.candidates}) >= 2
    nothing = places.resolve("我家楼下")
    assert nothing.unresolved and nothing.candidates == []


def test_a_named_street_outweighs_a_stray_name(places: Gazetteer) -> None:
    # 磁湖山庄 lies in 沈家营街道; naming 沈家营街道 supports it, naming another street weakens it
    supported = places.resolve("沈家营街道磁湖山庄")
    conflicting = places.resolve("黄石港街道磁湖山庄")
    assert supported.community == CIHU and supported.confidence > conflicting.confidence


def test_hints_from_columns(places: Gazetteer) -> None:
    assert places.resolve("", community="420202001003").community == "420202001003"
    assert places.resolve("不清楚", street="沈家营街道").street == "420202002"
    assert places.resolve("门口", community="天虹社区").community == "420202001003"


@settings(max_examples=150)
@given(st.text(max_size=300))
def test_resolve_never_raises(places: Gazetteer, text: str) -> None:
    place = places.resolve(text)
    assert place.unresolved == (place.location is None)
    if place.community is not None:
        assert places.catalog.communities[place.community].street == place.street


def test_default_over_another_catalog_keeps_its_own_names(tiny: Catalog) -> None:
    places = Gazetteer.default(tiny)
    assert all(e.street in tiny.streets for e in places.entries)
    community = next(iter(tiny.communities.values()))
    assert places.resolve(f"{community.name}门口").community == community.code


@pytest.fixture(scope="module")
def tiny() -> Catalog:
    from test_router import tiny_catalog

    return tiny_catalog()


# ---- the workbook --------------------------------------------------------------------------


def _book(path: Path, rows: list[list[Any]], title: bool = True) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append(["某市地名地址库（测试）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_citys_own_gazetteer(tmp_path: Path, catalog: Catalog) -> None:
    path = _book(tmp_path / "g.xlsx", [
        ["道路", "幸福路", "幸福大街", 1, 50, "单号", CIHU, "", "", "", "测试", ""],
        ["小区", "阳光小区", "阳光苑、阳光花园", None, None, "", "420202001003", "", "", "", "测试", ""],
        ["地标", "老水塔", "", None, None, "", "", "420202002", "", "", "测试", ""],
    ])
    places = Gazetteer.load(path, catalog)
    assert places.resolve("幸福大街7号").community == CIHU
    assert places.resolve("幸福路8号").unresolved is False  # outside the range: the road alone still points there
    assert places.resolve("阳光苑5栋").community == "420202001003"
    assert places.resolve("老水塔下面").street == "420202002"


def test_every_bad_row_is_located(tmp_path: Path, catalog: Catalog) -> None:
    path = _book(tmp_path / "bad.xlsx", [
        ["路口", "幸福路", "", 1, 50, "", CIHU, "", "", "", "", ""],  # unknown kind
        ["道路", "幸福路", "", 60, 50, "", CIHU, "", "", "", "", ""],  # last < first
        ["道路", "和平路", "", "十", 50, "", CIHU, "", "", "", "", ""],  # not a number
        ["小区", "阳光小区", "", None, None, "", "999", "", "", "", "", ""],  # unknown community
        ["小区", "月光小区", "", None, None, "", CIHU, "420202001", "", "", "", ""],  # community not in that street
        ["地标", "老水塔", "", None, None, "", "", "", "", "", "", ""],  # no place at all
        ["道路", "平安路", "", 1, 9, "隔号", CIHU, "", "", "", "", ""],  # bad parity
    ])
    with pytest.raises(InputError) as error:
        read_gazetteer(path, catalog)
    cells = {p.cell for p in error.value.problems}
    assert {"A3", "E4", "D5", "G6", "H7", "G8", "F9"} <= cells
    assert all(p.file == str(path) and p.sheet for p in error.value.problems)


def test_template_loads_empty_and_shipped_gazetteer_is_labelled(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    assert read_gazetteer(path, catalog) == []
    from powerlist import resources

    entries = read_gazetteer(resources.catalogs_dir() / "gazetteer.xlsx", catalog)
    assert len(entries) > 100 and all("示意" in e.source for e in entries)


# ---- coordinates ---------------------------------------------------------------------------


def _square(code: str, lon: float, lat: float, size: float = 0.01, key: str = "community") -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {key: code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_points_resolve_through_boundaries(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _square(CIHU, 115.05, 30.20), _square(HUSHAN, 115.06, 30.20, key="社区编码")]}), encoding="utf-8")
    shapes = Boundaries.load(path, catalog)
    inside = shapes.resolve_point(115.055, 30.205)
    assert inside.community == CIHU and inside.street == "420202002" and not inside.unresolved
    assert shapes.resolve_point(115.065, 30.205).community == HUSHAN
    outside = shapes.resolve_point(116.0, 31.0)
    assert outside.unresolved and outside.candidates
    assert shapes.resolve_point(float("nan"), 30.0).unresolved


def test_bad_geojson_is_reported(tmp_path: Path, catalog: Catalog) -> None:
    bowtie = {"type": "Feature", "properties": {"code": CIHU},
              "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _square("999", 115, 30), {"type": "Feature", "properties": {}, "geometry": None}, bowtie,
        {"type": "Feature", "properties": {"code": CIHU}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
    ]}), encoding="utf-8")
    with pytest.raises(InputError) as error:
        Boundaries.load(path, catalog)
    assert [p.code for p in error.value.problems] == ["unknown-community", "missing-code", "invalid-geometry",
                                                       "bad-geometry"]
    (tmp_path / "x.geojson").write_text("{", encoding="utf-8")
    with pytest.raises(InputError):
        Boundaries.load(tmp_path / "x.geojson", catalog)
