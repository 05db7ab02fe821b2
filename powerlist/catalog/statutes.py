"""Cited texts and their versions — 法律法规版本: which text of a law a power cites on a given day.

A power item's legal basis (实施依据) is a list of citations written 《名称》（版本）条款. When the
catalog's statutes table (`statutes.xlsx`, sheet 法律法规) models a text, each of its versions
has a title, a label (the words in the brackets), an in-force date and, once replaced, a repeal
date. A text whose articles moved between versions is cited once per version; on a given day a
decision cites only the version then in force (`cited_on`). Citations of texts the table does not
model (provincial regulations, normative documents …) are cited as written on every day.

Pure: no I/O. The loader builds `Statutes`; the router and the audit ask it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .models import StatuteVersion

_CITATION = re.compile(r"^\s*(《[^》]+》)(?:（([^）]*)）)?(.*)$", re.S)
_PREFIX = "中华人民共和国"


def bare_title(title: str) -> str:
    """A title as matched: without its 《》 and without the 中华人民共和国 prefix."""
    return title.strip().removeprefix("《").removesuffix("》").removeprefix(_PREFIX)


@dataclass(frozen=True)
class Citation:
    """One line of a legal basis, parsed: the title, the label in brackets (or None), the rest."""

    text: str
    title: str | None
    label: str | None
    rest: str

    @classmethod
    def parse(cls, text: str) -> Citation:
        m = _CITATION.match(text)
        if m is None:
            return cls(text=text, title=None, label=None, rest=text)
        return cls(text=text, title=m.group(1), label=m.group(2), rest=m.group(3))


@dataclass(frozen=True)
class CitedText:
    """A citation as a decision gives it on a day: its text, and the version it names (None for
    a text the statutes table does not model)."""

    text: str
    version: StatuteVersion | None = None

    @property
    def label(self) -> str | None:
        return self.version.label if self.version else None


# A line of a legal basis, parsed (`Statutes.citations`): (line, version named or None, rest).
Cited = tuple[str, StatuteVersion | None, str]


def cite(citations: tuple[Cited, ...], day: date) -> list[CitedText]:
    """`Statutes.cited_on` for citations parsed already."""
    out: list[CitedText] = []
    for line, version, rest in citations:
        if version is None:
            out.append(CitedText(line))
        elif version.in_force_on(day):
            out.append(CitedText(f"{version.citation_title}{rest}", version))
    return out


class Statutes:
    """The statutes table, indexed by (title, label) and by work."""

    def __init__(self, versions: tuple[StatuteVersion, ...] = ()) -> None:
        self.versions = versions
        self.by_id = {v.id: v for v in versions}
        self._by_title_label = {(bare_title(v.title), v.label): v for v in versions}
        self._works_by_title: dict[str, str] = {}
        self.by_work: dict[str, tuple[StatuteVersion, ...]] = {}
        for v in versions:
            self._works_by_title.setdefault(bare_title(v.title), v.work)
        for v in sorted(versions, key=lambda v: v.in_force):
            self.by_work[v.work] = (*self.by_work.get(v.work, ()), v)
        self._parsed: dict[tuple[str, ...], tuple[Cited, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self.versions)

    def work_of(self, title: str) -> str | None:
        """The work a title belongs to (any of its versions' titles), None if not modelled."""
        return self._works_by_title.get(bare_title(title))

    def version(self, citation: Citation) -> StatuteVersion | None:
        """The version a citation names; None when its title is not modelled.

        A citation of a modelled text without a label names its only version; KeyError when the
        label is unknown or the text has several versions and none is named (the loader reports
        both as located problems)."""
        if citation.title is None:
            return None
        work = self.work_of(citation.title)
        if work is None:
            return None
        if citation.label is not None:
            found = self._by_title_label.get((bare_title(citation.title), citation.label))
            if found is None:
                raise KeyError(f"{citation.title}（{citation.label}）: no such version")
            return found
        versions = self.by_work[work]
        if len(versions) != 1:
            raise KeyError(f"{citation.title}: {len(versions)} versions, the citation names none")
        return versions[0]

    def in_force(self, work: str, day: date) -> list[StatuteVersion]:
        return [v for v in self.by_work.get(work, ()) if v.in_force_on(day)]

    def cited_on(self, legal_basis: tuple[str, ...], day: date) -> list[CitedText]:
        """The citations of `legal_basis` a decision gives on `day`: a modelled text only in
        the version in force that day, its text carrying the version label; other texts as
        written. A modelled text none of whose cited versions is in force that day (not yet, or
        no longer) is left out."""
        return cite(self.citations(legal_basis), day)

    def citations(self, legal_basis: tuple[str, ...]) -> tuple[Cited, ...]:
        """Each line of `legal_basis` parsed once: (the line, the version it names or None for
        a text cited as written on every day, the rest of the line after the version). Kept per
        legal basis: an item's basis is cited for every street."""
        found = self._parsed.get(legal_basis)
        if found is None:
            if len(self._parsed) >= 65_536:
                self._parsed.clear()
            found = self._parsed[legal_basis] = self._citations(legal_basis)
        return found

    def _citations(self, legal_basis: tuple[str, ...]) -> tuple[Cited, ...]:
        out: list[Cited] = []
        for line in legal_basis:
            citation = Citation.parse(line)
            try:
                version = self.version(citation)
            except KeyError:  # the loader refuses these; a hand-built catalog may not: as written
                version = None
            out.append((line, version, citation.rest))
        return tuple(out)

    def repealed_citations(self, legal_basis: tuple[str, ...], day: date) -> list[tuple[str, StatuteVersion]]:
        """Citations of a version no longer in force on `day` whose text the basis does not also
        cite in a version in force that day: the basis relies on a repealed text."""
        cited: dict[str, list[tuple[str, StatuteVersion]]] = {}
        for line in legal_basis:
            try:
                version = self.version(Citation.parse(line))
            except KeyError:
                continue
            if version is not None:
                cited.setdefault(version.work, []).append((line, version))
        out: list[tuple[str, StatuteVersion]] = []
        for lines in cited.values():
            if any(v.in_force_on(day) for _, v in lines):
                continue
            out.extend((line, v) for line, v in lines if v.repealed is not None and v.repealed <= day)
        return out


__all__ = ["Cited", "Citation", "CitedText", "StatuteVersion", "Statutes", "bare_title", "cite"]
