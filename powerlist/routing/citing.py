"""The legal basis as cited on a day — 按受理日引用施行的版本, worked out once per powers and version interval.

`cite_powers(powers, statutes, day)` is the rule: each power's legal basis cited as in force on
`day` (`Statutes.cited_on`), and the trace step `statutes.in_force` when a version was left out
(not yet, or no longer, in force that day), saying which day and which texts.

What it gives changes only on the days a cited version comes into force or is repealed, so a
`Citer` — one per category and street (`place.Powers.citer`), shared by every plan of that place
— parses the citations once, keeps those days sorted, and works out the cited powers once per
interval between them: every issue of a plan received in the same interval gets the same tuple of
`PowerRef`s (so its JSON text is encoded once, `decision_json` keeps it by identity), and the
`statutes.in_force` step, whose text names the day, once per day. tests/test_citing.py proves
`Citer.on(day)` equal to `cite_powers` on random days of random and shipped catalogs.
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

from ..catalog.statutes import Cited, CitedText, Statutes, cite
from .decision import PowerRef, TraceStep, built, trace_step

IN_FORCE_RULE = "statutes.in_force"
DAY_LIMIT = 4_096  # in_force steps a Citer keeps (one per day an issue was received)

# What the powers cite in one interval: the powers as cited, how many citations were left out,
# and the versions chosen (their citation titles, joined with 、).
CitedPowers = tuple[tuple[PowerRef, ...], int, str]


def _cite(powers: tuple[PowerRef, ...], each: Iterable[list[CitedText]]) -> CitedPowers:
    # `powers`, each with its legal basis as cited (`each`, in the order of the powers).
    out: list[PowerRef] = []
    chosen: dict[str, str] = {}
    left_out = 0
    for power, cited in zip(powers, each, strict=True):
        left_out += len(power.legal_basis) - len(cited)
        for c in cited:
            if c.version is not None:
                chosen.setdefault(c.version.id, c.version.citation_title)
        basis = tuple(c.text for c in cited)
        if basis == power.legal_basis:  # cited as written: the power itself (its text kept once)
            out.append(power)
            continue
        values = dict(power.__dict__)
        values["legal_basis"] = basis
        out.append(built(PowerRef, values))
    shown = "、".join(chosen.values())
    if all(map(operator.is_, out, powers)):
        return powers, left_out, shown
    return tuple(out), left_out, shown


def in_force_step(day: date, shown: str, left_out: int) -> TraceStep:
    """The `statutes.in_force` step of a decision received on `day` that left out `left_out`
    citations and cites the versions `shown`."""
    return trace_step(
        IN_FORCE_RULE,
        f"实施依据按受理日 {day.isoformat()} 施行的版本引用：{shown}；未施行或已废止的 {left_out} 条引文未引用 "
        f"(the legal basis is cited as in force on the day received, {day.isoformat()}: {shown}; {left_out} "
        f"citation(s) of versions not in force that day left out)",
    )


def cite_powers(powers: tuple[PowerRef, ...], statutes: Statutes, day: date
                ) -> tuple[tuple[PowerRef, ...], TraceStep | None]:
    """`powers` with each legal basis cited as in force on `day`, and the `statutes.in_force`
    step when a version was left out (not yet or no longer in force), else None."""
    if not statutes:
        return powers, None
    cited, left_out, shown = _cite(powers, (statutes.cited_on(p.legal_basis, day) for p in powers))
    return cited, in_force_step(day, shown, left_out) if left_out else None


def _bounds(citations: tuple[tuple[Cited, ...], ...]) -> list[date]:
    """The days on which a version some power cites comes into force or is repealed, sorted:
    between two of them every version cited is either in force or not (`in_force_on`)."""
    days: set[date] = set()
    for parsed in citations:
        for _, version, _ in parsed:
            if version is not None:
                days.add(version.in_force)
                if version.repealed is not None:
                    days.add(version.repealed)
    return sorted(days)


class Citer:
    """`cite_powers` for one tuple of powers, each interval between version days worked out once."""

    __slots__ = ("powers", "statutes", "citations", "bounds", "intervals", "steps")

    def __init__(self, powers: tuple[PowerRef, ...], statutes: Statutes) -> None:
        self.powers = powers
        self.statutes = statutes
        # each power's legal basis parsed once (a place is cited on many days)
        self.citations = tuple(statutes.citations(p.legal_basis) for p in powers) if statutes else ()
        self.bounds = _bounds(self.citations)
        self.intervals: dict[int, CitedPowers] = {}
        self.steps: dict[date, TraceStep] = {}

    def on(self, day: date) -> tuple[tuple[PowerRef, ...], TraceStep | None]:
        """`cite_powers(self.powers, self.statutes, day)`, the same tuple for every day of an interval."""
        if not self.statutes:
            return self.powers, None
        interval = bisect_right(self.bounds, day)
        cited = self.intervals.get(interval)
        if cited is None:
            cited = self.intervals[interval] = _cite(self.powers, (cite(parsed, day) for parsed in self.citations))
        if not cited[1]:
            return cited[0], None
        step = self.steps.get(day)
        if step is None:
            if len(self.steps) >= DAY_LIMIT:
                self.steps.clear()
            step = self.steps[day] = in_force_step(day, cited[2], cited[1])
        return cited[0], step


__all__ = ["IN_FORCE_RULE", "CitedPowers", "Citer", "cite_powers", "in_force_step"]
