"""A history of issues routed under several delegations at once — 历史诉求重新派单, here or on Dask.

The what-if and the workload check route a history of issues under today's catalog and under a
proposed one. `tally_records` does it in one process, one pass per catalog over the records
(as `whatif.route_history` does for one), and counts the months of the valid issues (for
`whatif.months_spanned`). `tally_parts_on_cluster` does the same on a Dask cluster
(`powerlist.routing.parallel`): each worker routes its part of the history file under every
catalog, and the parts' figures add up to exactly the one-process figures — tallies and month
counts are sums, and a record whose id an earlier part used already is taken back out of its
part's figures and counted as rejected (`HistoryTally.with_earlier`), as `read_issues` rejects
it. A `HistoryTally` holds the result either way; `whatif.what_if_from` makes the what-if of it.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..catalog.catalog import Catalog
from ..routing.issue import SHANGHAI
from ..routing.issue_fast import issue_of
from ..routing.issue_io import IssueRecord, check_id
from ..routing.partitions import Partition, Uses, uses_of
from ..routing.router import Router
from ..routing.tables import RuleSet

Month = tuple[int, int]
Outcome = tuple[str, str] | None  # ("street" | "department", code), ("other", ""), or None: rejected


@dataclass
class Tally:
    """Whistles of one routing of a history."""

    streets: Counter[str] = field(default_factory=Counter)
    departments: Counter[str] = field(default_factory=Counter)
    rejected: int = 0

    def count(self, outcome: Outcome, sign: int = 1) -> None:
        if outcome is None:
            self.rejected += sign
        elif outcome[0] == "street":
            self.streets[outcome[1]] += sign
        elif outcome[0] == "department":
            self.departments[outcome[1]] += sign

    def copy(self) -> Tally:
        return Tally(Counter(self.streets), Counter(self.departments), self.rejected)


@dataclass
class HistoryTally:
    """A history routed under catalogs (one `Tally` each, in the order given), its records and
    how many valid issues each month holds."""

    tallies: list[Tally]
    issues: int = 0
    month_counts: Counter[Month] = field(default_factory=Counter)
    # A part's records that name an id (`partitions.Uses`), and for each of them what it counted
    # for under each catalog and its month if it was counted as a valid issue (for `with_earlier`).
    uses: Uses | None = None
    outcomes: list[tuple[Outcome, ...]] = field(default_factory=list)
    months_of: list[Month | None] = field(default_factory=list)

    @property
    def first(self) -> Month | None:
        return min((m for m, n in self.month_counts.items() if n > 0), default=None)

    @property
    def last(self) -> Month | None:
        return max((m for m, n in self.month_counts.items() if n > 0), default=None)

    @property
    def months(self) -> int:
        """Calendar months from the first to the last valid issue, both counted (≥ 1)."""
        first, last = self.first, self.last
        if first is None or last is None:
            return 1
        (y1, m1), (y2, m2) = first, last
        return (y2 - y1) * 12 + m2 - m1 + 1

    def merge(self, other: HistoryTally) -> None:
        for mine, theirs in zip(self.tallies, other.tallies, strict=True):
            mine.streets.update(theirs.streets)
            mine.departments.update(theirs.departments)
            mine.rejected += theirs.rejected
        self.issues += other.issues
        self.month_counts.update(other.month_counts)

    def with_earlier(self, seen: Mapping[str, str]) -> HistoryTally:
        """This part as if read after the parts that used the ids of `seen`: its records with
        those ids are duplicates, rejected under every catalog and no longer valid issues."""
        if self.uses is None:
            return self
        tallies = [tally.copy() for tally in self.tallies]
        months = Counter(self.month_counts)
        for n, issue_id in enumerate(self.uses.ids):
            if issue_id not in seen:
                continue
            for tally, outcome in zip(tallies, self.outcomes[n], strict=True):
                if outcome is not None:
                    tally.count(outcome, -1)
                    tally.count(None)
            month = self.months_of[n]
            if month is not None:
                months[month] -= 1
        for tally in tallies:  # as if never counted: no zero entries
            tally.streets, tally.departments = +tally.streets, +tally.departments
        return HistoryTally(tallies, self.issues, +months, self.uses, self.outcomes, self.months_of)


def _month(record: IssueRecord) -> Month | None:
    if record.problems:
        return None
    try:
        received = issue_of(record.data).received_at.astimezone(SHANGHAI)
    except ValidationError:  # an invalid row is counted as rejected by the routing
        return None
    return (received.year, received.month)


def _outcomes(router: Router, records: Sequence[IssueRecord], start: int) -> list[Outcome]:
    catalog = router.catalog
    found: list[Outcome] = []
    for decision in router.route_many(records, start=start):
        if decision.status != "routed" or decision.lead is None:
            found.append(None)
            continue
        unit = catalog.units.get(decision.lead.code)
        if decision.lead.code in catalog.streets:
            found.append(("street", decision.lead.code))
        elif unit is not None and unit.department is not None:
            found.append(("department", unit.department))
        else:
            found.append(("other", ""))
    return found


def _tally_with(routers: Sequence[Router], records: Sequence[IssueRecord], start: int = 1,
                uses: Uses | None = None) -> HistoryTally:
    outcomes = [_outcomes(router, records, start) for router in routers]
    months = [_month(record) for record in records]
    result = HistoryTally([Tally() for _ in routers], len(records), Counter(m for m in months if m is not None))
    for tally, found in zip(result.tallies, outcomes, strict=True):
        for outcome in found:
            tally.count(outcome)
    if uses is not None:
        result.uses = uses
        result.outcomes = [tuple(found[n] for found in outcomes) for n in uses.indexes]
        result.months_of = [months[n] for n in uses.indexes]
    return result


def tally_records(catalogs: Sequence[Catalog], rules: RuleSet, records: Sequence[IssueRecord]) -> HistoryTally:
    """The history routed under each catalog, in this process."""
    return _tally_with([Router(catalog, rules) for catalog in catalogs], records)


# ---- on a Dask cluster -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySpec:
    """What a worker needs: the catalogs to route under, the rules, and each catalog's rules
    version (to keep one router per catalog in a worker)."""

    catalogs: tuple[Catalog, ...]
    rules: RuleSet
    keys: tuple[str, ...] = ()


_routers: dict[str, Router] = {}  # per worker process


def tally_part(part: Partition, spec: HistorySpec) -> HistoryTally:
    """On a worker: one part of the history, routed under every catalog of `spec`."""
    routers = []
    for catalog, key in zip(spec.catalogs, spec.keys, strict=True):
        router = _routers.get(key)
        if router is None:
            router = _routers[key] = Router(catalog, spec.rules)
        routers.append(router)
    for key in [k for k in _routers if k not in spec.keys]:
        del _routers[key]
    bases = list(part.base_records())
    if part.checked:
        return _tally_with(routers, bases, part.first_position)
    first: dict[str, str] = {}
    records = [check_id(base, first) for base in bases]
    return _tally_with(routers, records, part.first_position, uses_of(bases, part.file))


def tally_parts_on_cluster(catalogs: Sequence[Catalog], rules: RuleSet, split_file: tuple[int, list[Partition]], *,
                           workers: int | None, scheduler: str | None,
                           progress: Callable[[int], Any] | None = None) -> HistoryTally:
    """A history file, split (`partitions.split`), routed under each catalog on a Dask cluster;
    equal to `tally_records` over `whatif.load_history` of the file. `progress(total)` may give
    a rich Progress to advance."""
    from ..routing.parallel import cluster, run

    total, parts = split_file
    keys = tuple(Router(catalog, rules).rules_version for catalog in catalogs)
    spec = HistorySpec(tuple(catalogs), rules, keys)
    result = HistoryTally([Tally() for _ in catalogs])
    bar = progress(total) if progress is not None else None
    with cluster(workers, scheduler) as client, bar if bar is not None else contextlib.nullcontext():
        task = bar.add_task("what-if", total=total) if bar is not None else None

        def advance(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        for _, part in run(client, parts, tally_part, spec, progress=advance):
            result.merge(part)
    return result


__all__ = ["HistorySpec", "HistoryTally", "Tally", "tally_part", "tally_parts_on_cluster",
           "tally_records"]
