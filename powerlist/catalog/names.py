"""Names and aliases of the catalog — 名称解析: what a clerk writes instead of a code.

Hand-made sheets and hotline exports name a street 黄石港街道 rather than 420202001, a community
纺织社区, a category 占道经营, a unit 黄石港区市场监督管理局. `NameIndex` resolves such text against
the catalog, the same way in every reader (issues, whistles, vetoes, other scores, delegation
workbooks): a code (as written, or in another letter case), a full name, or a documented alias,
compared after NFKC (full-width → half-width) with all white space removed:

- street 街道: its name; the name without 街道; with 办事处 or 街道办; after its district's name
  (黄石港街道, 黄石港, 黄石港街道办事处, 黄石港区黄石港街道);
- community 社区: its name; with 居委会 or 居民委员会; after its street's name, also with / · - or a
  space between (纺织社区, 纺织社区居委会, 黄石港街道纺织社区, 黄石港/纺织社区);
- category 问题分类: its code in any letter case; its name; its name without a bracketed note
  (rx0302, 邻里纠纷, 公用设施 for 公用设施（部件）);
- unit 单位: its name; a street's name for its street office, a community's for its committee
  (黄石港区市场监督管理局, 黄石港街道);
- department 部门: its code, short name, city or district name, and its 别名 in organisation.xlsx
  (市场监管, 黄石市市场监督管理局).

A text that names two things is ambiguous and never guessed: the error lists the candidates,
and a street before a community name picks one. A code always wins over a name. Resolution
says how it matched (`Match.how`), so that a decision's trace can show it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .models import Category, Community, Department, District, Street, Unit

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
_JOINERS = ("/", "／", "·", "・", "-", "—")
KINDS_ZH = {"street": "街道", "community": "社区", "place": "街道或社区", "category": "问题分类",
            "unit": "单位", "department": "部门"}
HOW_ZH = {"code": "编码", "case": "编码（不区分大小写）", "name": "名称", "alias": "别名"}


def name_key(text: str) -> str:
    """Text as names are compared: NFKC, no white space at all."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Match:
    """A written text resolved: the code, the catalog's name for it, and how it matched."""

    code: str
    name: str
    kind: str  # street, community, category, unit or department
    how: str  # code, case (a code in another letter case), name or alias
    written: str

    @property
    def exact(self) -> bool:
        return self.how == "code"

    def trace(self) -> str:
        """The resolution in words, Chinese first, for a decision's trace."""
        return (f"{KINDS_ZH[self.kind]}“{self.written}”按{HOW_ZH[self.how]}解析为 {self.code} {self.name} "
                f"({self.kind} {self.written!r} resolved by {self.how} to {self.code})")


class UnresolvedName(ValueError):
    """A text that names nothing of the catalog (`code` "unknown-…") or several things
    ("ambiguous-name"); the message, Chinese first, lists the candidates."""

    def __init__(self, message: str, code: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.candidates = candidates


@dataclass
class _Index:
    kind: str
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # exact code → (code, name)
    folded: dict[str, set[str]] = field(default_factory=dict)  # upper-case code → codes
    names: dict[str, set[str]] = field(default_factory=dict)  # name key → codes
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias key → codes

    def add(self, code: str, name: str, aliases: Iterable[str] = ()) -> None:
        self.codes[code] = (code, name)
        self.folded.setdefault(name_key(code).upper(), set()).add(code)
        self.names.setdefault(name_key(name), set()).add(code)
        for alias in aliases:
            key = name_key(alias)
            if key and key != name_key(name):
                self.aliases.setdefault(key, set()).add(code)

    def find(self, written: str) -> tuple[str, set[str]]:
        """(how, codes) of the first way `written` matches anything, else ("", empty)."""
        if written in self.codes:
            return "code", {written}
        key = name_key(written)
        if key in self.codes:
            return "code", {key}
        for how, table, probe in (("case", self.folded, key.upper()), ("name", self.names, key),
                                  ("alias", self.aliases, key)):
            found = table.get(probe)
            if found:
                return how, found
        return "", set()


class NameIndex:
    """Every name and alias of a catalog, by kind. Built once per catalog (`Catalog.names`)."""

    def __init__(self, *, districts: Mapping[str, District] | None = None,
                 streets: Mapping[str, Street] | None = None,
                 communities: Mapping[str, Community] | None = None,
                 categories: Mapping[str, Category] | None = None,
                 units: Mapping[str, Unit] | None = None,
                 departments: Mapping[str, Department] | None = None) -> None:
        districts = districts or {}
        streets = streets or {}
        self._street_of = {code: c.street for code, c in (communities or {}).items()}
        self._indexes: dict[str, _Index] = {kind: _Index(kind) for kind in KINDS_ZH if kind != "place"}
        for street in streets.values():
            district = districts.get(street.district)
            self._indexes["street"].add(street.code, street.name, _street_aliases(street, district))
        for community in (communities or {}).values():
            self._indexes["community"].add(community.code, community.name,
                                           _community_aliases(community, streets.get(community.street)))
        for category in (categories or {}).values():
            short = _NOTE.sub("", category.name)
            self._indexes["category"].add(category.code, category.name, (short,))
        for unit in (units or {}).values():
            self._indexes["unit"].add(unit.code, unit.name, _unit_aliases(unit, streets, communities or {}))
        for dept in (departments or {}).values():
            district_names = [dept.district_name.format(district=d.name) for d in districts.values()]
            self._indexes["department"].add(dept.code, dept.name, (dept.city_name, *dept.aliases, *district_names))

    def resolve(self, kind: str, written: str) -> Match:
        """`written` as a `kind` ("street", "community", "place" = a street or a community,
        "category", "unit", "department"); raises `UnresolvedName` when it names nothing or several."""
        if kind == "place":
            return self._place(written)
        index = self._indexes[kind]
        how, codes = index.find(written)
        return self._one(kind, written, how, codes)

    def _place(self, written: str) -> Match:
        street_how, streets = self._indexes["street"].find(written)
        community_how, communities = self._indexes["community"].find(written)
        if "code" in (street_how, community_how):  # a code always wins
            kind, codes = ("street", streets) if street_how == "code" else ("community", communities)
            return self._one(kind, written, "code", codes)
        if not streets and not communities:
            joined = self._street_then_community(written)
            if joined is not None:
                return joined
        if streets and communities:
            shown = sorted(self._shown("street", streets) + self._shown("community", communities))
            raise self._ambiguous("place", written, tuple(shown))
        if streets:
            return self._one("street", written, street_how, streets)
        return self._one("community" if communities else "place", written, community_how, communities)

    def _street_then_community(self, written: str) -> Match | None:
        """"黄石港街道纺织社区", "黄石港/纺织社区": a street, then one of its communities."""
        key = name_key(written)  # no white space: "黄石港街道 纺织社区" is cut below
        for joiner in _JOINERS:
            if joiner in written:
                head, _, tail = written.partition(joiner)
                found = self._community_in(head, tail, written)
                if found is not None:
                    return found
        for cut in range(2, len(key) - 1):
            found = self._community_in(key[:cut], key[cut:], written)
            if found is not None:
                return found
        return None

    def _community_in(self, street_text: str, community_text: str, written: str) -> Match | None:
        street_how, streets = self._indexes["street"].find(street_text)
        if len(streets) != 1:
            return None
        (street,) = streets
        how, codes = self._indexes["community"].find(community_text)
        inside = {c for c in codes if self._street_of.get(c) == street}
        if len(inside) != 1:
            return None
        (code,) = inside
        return Match(code, self._indexes["community"].codes[code][1], "community",
                     "code" if how == street_how == "code" else "name", written)

    def _one(self, kind: str, written: str, how: str, codes: set[str]) -> Match:
        if not codes:
            code = "unknown-location" if kind == "place" else f"unknown-{kind}"
            raise UnresolvedName(
                f"{KINDS_ZH[kind]}“{written}”在目录中找不到：请写{KINDS_ZH[kind]}编码、全称或文档列出的别名 "
                f"(unknown {kind} {written!r}: not a code, name or alias of the catalog)",
                code)
        if len(codes) > 1:
            raise self._ambiguous(kind, written, tuple(sorted(self._shown(kind, codes))))
        (found,) = codes
        return Match(found, self._indexes[kind].codes[found][1], kind, how, written)

    def _shown(self, kind: str, codes: Iterable[str]) -> list[str]:
        return [f"{code} {self._indexes[kind].codes[code][1]}" for code in codes]

    def _ambiguous(self, kind: str, written: str, candidates: tuple[str, ...]) -> UnresolvedName:
        listed = "、".join(candidates)
        return UnresolvedName(
            f"{KINDS_ZH[kind]}“{written}”有歧义，可指：{listed}；请写编码"
            + ("，或在社区名前写街道名" if kind in ("place", "community") else "")
            + f" ({kind} {written!r} is ambiguous: {'; '.join(candidates)}; write the code)",
            "ambiguous-name", candidates)


def _street_aliases(street: Street, district: District | None) -> list[str]:
    base = street.name.removesuffix("街道")
    aliases = [base, f"{street.name}办事处", f"{street.name}办", f"{base}街道办事处"]
    if district is not None:
        aliases += [district.name + street.name, district.name + base]
    return [a for a in aliases if len(name_key(a)) >= 2]


def _community_aliases(community: Community, street: Street | None) -> list[str]:
    aliases = [f"{community.name}居委会", f"{community.name}居民委员会"]
    if street is not None:
        aliases += [street.name + community.name]
    return aliases


def _unit_aliases(unit: Unit, streets: Mapping[str, Street], communities: Mapping[str, Community]) -> list[str]:
    # A street office and a community committee are also named by their street and community.
    if unit.code in streets:
        return [streets[unit.code].name, *_street_aliases(streets[unit.code], None)]
    if unit.code in communities:
        return [communities[unit.code].name]
    return []


__all__ = ["HOW_ZH", "KINDS_ZH", "Match", "UnresolvedName", "NameIndex", "name_key"]
