"""Coordinates → place: community boundaries from GeoJSON (shapely), and distances on the ground.

A city that has its communities' boundaries (网格化 platform, 民政 区划) gives them as one GeoJSON
FeatureCollection of Polygon / MultiPolygon features, each with the community code in a property
named ``community`` (or ``community_code``, ``code``, ``社区编码``, ``社区代码``). Coordinates are
longitude, latitude in the same coordinate system as the channel's (雪亮工程 and 数字城管 exports
are often GCJ-02 or CGCS2000; convert the boundaries to theirs, powerlist does not). None ship
with powerlist: no real boundary data could be sourced.

A point inside a community's polygon resolves to it (0.97); a point inside none resolves to
nothing, with the nearest communities as candidates.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..catalog.catalog import Catalog
from ..errors import InputError, Problem
from .gazetteer import PlaceCandidate, PlaceMatch

CODE_KEYS = ("community", "community_code", "code", "社区编码", "社区代码")
SUMMARY = "社区边界文件无法使用 (cannot use the community boundaries)"
EARTH_RADIUS_M = 6_371_008.8
INSIDE_CONFIDENCE = 0.97


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_point(lon: Any, lat: Any) -> bool:
    return (isinstance(lon, (int, float)) and isinstance(lat, (int, float)) and not isinstance(lon, bool)
            and not isinstance(lat, bool) and math.isfinite(lon) and math.isfinite(lat)
            and -180 <= lon <= 180 and -90 <= lat <= 90)


class Boundaries:
    """Community polygons, indexed for point lookups (shapely STRtree)."""

    def __init__(self, catalog: Catalog, shapes: list[tuple[str, Any]]) -> None:
        from shapely import STRtree

        self.catalog = catalog
        self.codes = [code for code, _ in shapes]
        self.shapes = [shape for _, shape in shapes]
        self._tree = STRtree(self.shapes) if self.shapes else None

    @classmethod
    def load(cls, path: str | Path, catalog: Catalog) -> Boundaries:
        """Read a GeoJSON FeatureCollection; every problem (feature, property, geometry) at once."""
        from shapely.geometry import shape

        file = str(path)
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            missing = Problem(message="没有这个文件 (no such file)", file=file, code="not-found")
            raise InputError([missing], SUMMARY) from None
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise InputError([Problem(message=f"不是有效的 GeoJSON (not valid GeoJSON: {error})", file=file,
                                      code="not-json")], SUMMARY) from None
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list) or document.get("type") != "FeatureCollection":
            raise InputError([Problem(message="应为 GeoJSON FeatureCollection (expected a GeoJSON FeatureCollection)",
                                      file=file, field="type", code="not-geojson")], SUMMARY)
        problems: list[Problem] = []
        shapes: list[tuple[str, Any]] = []
        for number, feature in enumerate(features, start=1):
            where = f"features[{number - 1}]"
            properties = feature.get("properties") if isinstance(feature, dict) else None
            code = next((str(properties[k]).strip() for k in CODE_KEYS
                         if isinstance(properties, dict) and properties.get(k) not in (None, "")), None)
            if code is None:
                problems.append(Problem(message=f"要素没有社区编码属性（{'、'.join(CODE_KEYS)}）"
                                        f"(the feature has no community code property)", file=file, row=number,
                                        field=f"{where}.properties", code="missing-code"))
                continue
            if code not in catalog.communities:
                problems.append(Problem(message="目录中没有这个社区编码 (no such community code in the catalog)",
                                        file=file, row=number, field=f"{where}.properties", value=code,
                                        code="unknown-community"))
                continue
            try:
                geometry = shape(feature.get("geometry"))
            except Exception as error:  # noqa: BLE001 — shapely raises several types on bad geometry
                problems.append(Problem(message=f"几何无法读取 (unreadable geometry: {error})", file=file, row=number,
                                        field=f"{where}.geometry", code="bad-geometry"))
                continue
            if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
                problems.append(Problem(message=f"几何应为面 Polygon/MultiPolygon，实为 {geometry.geom_type} "
                                        f"(the geometry must be a Polygon or MultiPolygon)", file=file, row=number,
                                        field=f"{where}.geometry", code="bad-geometry"))
                continue
            if not geometry.is_valid:
                problems.append(Problem(message="面自相交或无效 (the polygon is invalid, e.g. self-intersecting)",
                                        file=file, row=number, field=f"{where}.geometry", code="invalid-geometry"))
                continue
            shapes.append((code, geometry))
        if problems:
            raise InputError(problems, SUMMARY)
        return cls(catalog, shapes)

    def resolve_point(self, lon: float, lat: float, text: str = "") -> PlaceMatch:
        """The community whose polygon holds (lon, lat); unresolved with the nearest as candidates."""
        shown = text or f"{lon},{lat}"
        if self._tree is None or not valid_point(lon, lat):
            return PlaceMatch(text=shown)
        from shapely.geometry import Point

        point = Point(lon, lat)
        inside = sorted(self.codes[i] for i in self._tree.query(point, predicate="covered_by"))
        if len(inside) == 1:
            code = inside[0]
            community = self.catalog.communities[code]
            candidate = PlaceCandidate(community=code, street=community.street, name=community.name,
                                       confidence=INSIDE_CONFIDENCE, evidence=[f"坐标 {lon},{lat} 在边界内"])
            return PlaceMatch(text=shown, community=code, street=community.street, level="community",
                              confidence=INSIDE_CONFIDENCE, unresolved=False, evidence=list(candidate.evidence),
                              candidates=[candidate])
        codes = inside or [self.codes[int(i)] for i in self._tree.query_nearest(point, all_matches=True)]
        candidates = []
        for code in sorted(set(codes))[:5]:
            community = self.catalog.communities[code]
            candidates.append(PlaceCandidate(community=code, street=community.street, name=community.name,
                                             confidence=0.5 if inside else 0.3,
                                             evidence=[f"坐标 {lon},{lat} {'在重叠边界内' if inside else '最近'}"]))
        where = "落在多个社区 (in several communities)" if inside else "不在任何社区边界内 (inside no community)"
        return PlaceMatch(text=shown, unresolved=True, candidates=candidates, evidence=[f"坐标 {lon},{lat} {where}"])
