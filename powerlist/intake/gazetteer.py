"""Address → place: resolve an address or a place description to a community and street code.

Evidence, strongest first (each a candidate community or street with a score 0–1):

| evidence | score |
|---|---|
| a community or street code given in its own column | 0.99 |
| a 小区/楼盘 name of the gazetteer | 0.95 |
| a road with a house number inside one of its gazetteer ranges (单双号 respected) | 0.95 |
| a community's name (纺织社区, 纺织社区居委会) | 0.90 |
| a landmark of the gazetteer | 0.85 |
| a road with no number (or a number outside every range) lying in one community | 0.75 |
| a street's name (黄石港街道, 黄石港街办, 黄石港街道办事处) | street only, 0.80 |
| any of those names misspelt (rapidfuzz partial ratio ≥ 75, names of 4+ characters) | its score less 0.10–0.25 |

A community supported by several pieces of evidence gains 0.03 for each more (at most 0.99);
one lying outside a street the text names loses 0.25. The best community is taken when its
score is at least `accept` (0.6) and leads every other community by `margin` (0.1); otherwise,
when the close candidates share one street, the place is that street; otherwise the place is
`unresolved` and the candidates are listed for an operator. Names match after NFKC, lower case
and removing spaces, so full-width digits and "磁湖 路 88 号" read as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from ..catalog.catalog import Catalog
from .gazetteer_book import KIND_LABELS, Entry, read_gazetteer

GAZETTEER_FILE = "gazetteer.xlsx"
ACCEPT = 0.6
MARGIN = 0.1
FUZZY_CUTOFF = 75.0
FUZZY_MIN_CHARS = 4
MAX_CHARS = 2_000
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^(?:[\-—－]|第)?(\d{1,6})(?:[\-—－之]\d+)?号")
STREET_SUFFIXES = ("街道办事处", "街道办", "街办", "街道")


class PlaceCandidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    community: str | None
    street: str
    name: str  # the community's (or street's) name
    confidence: float
    evidence: list[str]


class PlaceMatch(BaseModel):
    """Where a text says a problem is: the community and street codes, or unresolved."""

    model_config = ConfigDict(frozen=True)

    text: str
    community: str | None = None
    street: str | None = None
    level: str | None = None  # community | street | None (unresolved)
    confidence: float = 0.0
    unresolved: bool = True
    evidence: list[str] = []
    candidates: list[PlaceCandidate] = []

    @property
    def location(self) -> str | None:
        """The most precise code: the community, else the street."""
        return self.community or self.street

    def as_json(self, digits: int = 4) -> dict[str, Any]:
        return {
            "text": self.text,
            "location": self.location,
            "community": self.community,
            "street": self.street,
            "level": self.level,
            "confidence": round(self.confidence, digits),
            "unresolved": self.unresolved,
            "evidence": list(self.evidence),
            "candidates": [{"community": c.community, "street": c.street, "name": c.name,
                            "confidence": round(c.confidence, digits), "evidence": list(c.evidence)}
                           for c in self.candidates],
        }


def normalise(text: Any) -> str:
    if text is None:
        return ""
    value = str(text)[: MAX_CHARS * 2]
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        value = value.encode("utf-8", "ignore").decode("utf-8")
    return _SPACE.sub("", unicodedata.normalize("NFKC", value).lower())[:MAX_CHARS]


@dataclass
class _Name:
    """One matchable name: what it points to."""

    text: str
    kind: str  # community | street | estate | landmark | road
    community: str | None
    street: str
    label: str  # for evidence: the entry's own name
    entries: list[Entry] = field(default_factory=list)  # road rows of this road name


@dataclass
class _Evidence:
    community: str | None
    street: str
    score: float
    what: str


class Gazetteer:
    """Names of a catalog's communities and streets plus gazetteer rows, ready to resolve text."""

    def __init__(self, catalog: Catalog, entries: Iterable[Entry] = (), *, accept: float = ACCEPT,
                 margin: float = MARGIN, fuzzy_cutoff: float = FUZZY_CUTOFF) -> None:
        self.catalog = catalog
        self.entries = list(entries)
        self.accept, self.margin, self.fuzzy_cutoff = accept, margin, fuzzy_cutoff
        self._names: dict[str, _Name] = {}
        for community in catalog.communities.values():
            for name in _community_names(community.name):
                self._add(_Name(name, "community", community.code, community.street, community.name))
        for street in catalog.streets.values():
            for name in _street_names(street.name):
                self._add(_Name(name, "street", None, street.code, street.name))
        for entry in self.entries:
            for name in (entry.name, *entry.aliases):
                key = normalise(name)
                if entry.kind == "road":
                    existing = self._names.get(key)
                    if existing is not None and existing.kind == "road":
                        existing.entries.append(entry)
                        continue
                    self._add(_Name(key, "road", None, entry.street, entry.name, [entry]))
                else:
                    self._add(_Name(key, entry.kind, entry.community, entry.street, entry.name))
        keys = sorted(self._names, key=lambda k: (-len(k), k))
        self._pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        self._fuzzy = [k for k in sorted(self._names) if len(k) >= FUZZY_MIN_CHARS]

    def _add(self, name: _Name) -> None:
        key = normalise(name.text)
        if key and key not in self._names:  # first writer wins: catalog names, then rows in file order
            name.text = key
            self._names[key] = name

    # ---- building ---------------------------------------------------------------------------

    @classmethod
    def default(cls, catalog: Catalog | None = None) -> Gazetteer:
        """The shipped Huangshi gazetteer (illustrative) over `catalog` (None: the shipped catalogs).
        Rows naming a community or street that `catalog` lacks are left out, so the default works
        over a city's own catalog with that catalog's names alone."""
        from .. import resources
        from ..catalog.loader import load_catalogs

        catalog = catalog or load_catalogs(None)
        path = resources.catalogs_dir() / GAZETTEER_FILE
        shipped = load_catalogs(None)
        entries = read_gazetteer(path, shipped) if path.is_file() else []
        kept = [e for e in entries if (e.community is None or e.community in catalog.communities)
                and e.street in catalog.streets]
        return cls(catalog, kept)

    @classmethod
    def load(cls, path: str | Path, catalog: Catalog | None = None) -> Gazetteer:
        """A city's gazetteer workbook over its catalog (None: the shipped catalogs)."""
        from ..catalog.loader import load_catalogs

        catalog = catalog or load_catalogs(None)
        return cls(catalog, read_gazetteer(path, catalog))

    # ---- resolving --------------------------------------------------------------------------

    def resolve(self, text: Any, *, community: str | None = None, street: str | None = None) -> PlaceMatch:
        """The place `text` describes. `community` / `street`: a code or name from a column of
        its own (所属社区, 所属街道), taken as strong evidence. Never raises on text."""
        shown = "" if text is None else str(text)
        evidence: list[_Evidence] = []
        for hint in (community, street):
            if hint is not None and str(hint).strip():
                evidence.extend(self._hint(str(hint)))
        normal = normalise(text)
        exact, spans = self._exact(normal)
        evidence.extend(exact)
        if not any(e.community for e in evidence) and normal:
            evidence.extend(self._fuzzy_matches(normal, spans))
        return self._decide(shown, evidence)

    def _hint(self, hint: str) -> list[_Evidence]:
        code = normalise(hint)
        if code in self.catalog.communities:
            c = self.catalog.communities[code]
            return [_Evidence(c.code, c.street, 0.99, f"社区编码 {c.code} {c.name}")]
        if code in self.catalog.streets:
            return [_Evidence(None, code, 0.99, f"街道编码 {code} {self.catalog.streets[code].name}")]
        found, _ = self._exact(code)
        return [_Evidence(e.community, e.street, min(0.99, e.score + 0.04), e.what) for e in found]

    def _exact(self, text: str) -> tuple[list[_Evidence], list[tuple[int, int]]]:
        if self._pattern is None or not text:
            return [], []
        found: list[_Evidence] = []
        spans: list[tuple[int, int]] = []
        for match in self._pattern.finditer(text):
            found.extend(self._evidence(self._names[match.group(0)], text[match.end():], match.group(0), 0.0))
            spans.append(match.span())
        return found, spans

    def _fuzzy_matches(self, text: str, spans: list[tuple[int, int]]) -> list[_Evidence]:
        """Misspelt names: a close partial match that does not lie on a name already matched
        exactly (黄石港街道 must not also count as a misspelt 胜阳港街道)."""
        found: list[_Evidence] = []
        for key, score, _ in process.extract(text, self._fuzzy, scorer=fuzz.partial_ratio,
                                             score_cutoff=self.fuzzy_cutoff, limit=5):
            if score >= 100.0:
                continue  # an exact occurrence: already found, or inside a longer exact name
            alignment = fuzz.partial_ratio_alignment(key, text)
            if alignment is None:
                continue
            start, end = alignment.dest_start, alignment.dest_end
            if any(min(end, b) - max(start, a) > 0 for a, b in spans):
                continue
            penalty = 0.10 + 0.15 * (100.0 - score) / (100.0 - self.fuzzy_cutoff + 1e-9)
            found.extend(self._evidence(self._names[key], text[end:], f"{text[start:end]}≈{key}", penalty))
        return found

    def _evidence(self, name: _Name, after: str, written: str, penalty: float) -> list[_Evidence]:
        def named(score: float, what: str, community: str | None, street: str) -> _Evidence:
            return _Evidence(community, street, max(0.0, score - penalty), what)

        if name.kind == "community":
            return [named(0.90, f"社区名 {written}", name.community, name.street)]
        if name.kind == "street":
            return [named(0.80, f"街道名 {written}", None, name.street)]
        if name.kind in ("estate", "landmark"):
            score = 0.95 if name.kind == "estate" else 0.85
            return [named(score, f"{KIND_LABELS[name.kind]} {written}", name.community, name.street)]
        number_match = _NUMBER.match(after)
        number = int(number_match.group(1)) if number_match else None
        if number is not None:
            inside = [e for e in name.entries if e.first is not None and e.covers(number)]
            if inside:
                return [named(0.95, f"道路门牌 {written}{number}号 ∈ {e.first}–{e.last}"
                              f"{'' if e.parity == 'all' else ('单号' if e.parity == 'odd' else '双号')}",
                              e.community, e.street) for e in inside]
        places = sorted({(e.community, e.street) for e in name.entries}, key=lambda p: (p[0] or "", p[1]))
        what = f"道路 {written}" + (f"（门牌 {number} 不在已知范围）" if number is not None else "")
        if len(places) == 1:
            community, street = places[0]
            return [named(0.75 if community else 0.8, what, community, street)]
        share = 0.75 / len(places) + 0.1
        return [named(share, what, community, street) for community, street in places]

    def _decide(self, text: str, evidence: list[_Evidence]) -> PlaceMatch:
        streets_named = {e.street for e in evidence if e.community is None and e.score >= 0.75}
        by_community: dict[str, list[_Evidence]] = {}
        for e in evidence:
            if e.community is not None:
                by_community.setdefault(e.community, []).append(e)
        scored: list[tuple[float, str, list[_Evidence]]] = []
        for code, items in by_community.items():
            best = max(e.score for e in items)
            support = len({e.what for e in items}) - 1
            score = min(0.99, best + 0.03 * support)
            street = self.catalog.communities[code].street
            if streets_named and street not in streets_named:
                score -= 0.25
            elif street in streets_named:
                score = min(0.99, score + 0.03)
            scored.append((max(score, 0.0), code, items))
        scored.sort(key=lambda s: (-s[0], s[1]))
        candidates = [self._candidate(code, score, items) for score, code, items in scored[:5]]
        for street in sorted(streets_named - {self.catalog.communities[c].street for _, c, _ in scored}):
            items = [e for e in evidence if e.community is None and e.street == street]
            candidates.append(PlaceCandidate(community=None, street=street, name=self.catalog.streets[street].name,
                                             confidence=max(e.score for e in items),
                                             evidence=sorted({e.what for e in items})))
        all_what = sorted({e.what for e in evidence})
        if scored:
            top, code, items = scored[0]
            second = scored[1][0] if len(scored) > 1 else 0.0
            if top >= self.accept and top - second >= self.margin:
                community = self.catalog.communities[code]
                return PlaceMatch(text=text, community=code, street=community.street, level="community",
                                  confidence=top, unresolved=False,
                                  evidence=sorted({e.what for e in items}), candidates=candidates)
            close = [c for s, c, _ in scored if s >= top - self.margin]
            streets = {self.catalog.communities[c].street for c in close}
            if len(streets) == 1 and top >= self.accept - 0.1:
                (street,) = streets
                return PlaceMatch(text=text, street=street, level="street", confidence=round(top * 0.9, 6),
                                  unresolved=False, evidence=all_what, candidates=candidates)
        if len(streets_named) == 1:
            (street,) = streets_named
            score = max(e.score for e in evidence if e.street == street and e.community is None)
            return PlaceMatch(text=text, street=street, level="street", confidence=score, unresolved=False,
                              evidence=all_what, candidates=candidates)
        return PlaceMatch(text=text, unresolved=True, evidence=all_what, candidates=candidates)

    def _candidate(self, code: str, score: float, items: list[_Evidence]) -> PlaceCandidate:
        community = self.catalog.communities[code]
        return PlaceCandidate(community=code, street=community.street, name=community.name,
                              confidence=round(score, 6), evidence=sorted({e.what for e in items}))


def _community_names(name: str) -> list[str]:
    names = [name, f"{name}居委会"]
    if name.endswith("社区"):
        names.append(f"{name[:-2]}社区居委会")
    return names


def _street_names(name: str) -> list[str]:
    base = name[:-2] if name.endswith("街道") else name
    return [name, *(base + suffix for suffix in STREET_SUFFIXES)]
