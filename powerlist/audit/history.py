"""A history of issues routed under several delegations at once — 历史诉求重新派单, here or on Dask.

The what-if and the workload check route a history of issues under today's catalog and under a
proposed one. `tally_records` does it in one process, one pass per catalog over the records
(`whatif.route_history`), and finds the months the history spans (`whatif.months_spanned`);
`tally_parts_on_cluster` does the same on a Dask cluster (`powerlist.routing.parallel`): each worker
routes its part of the history file under every catalog and returns its tallies, counts and
first and last month, and the parts' figures add up to exactly the one-process figures (counts
are sums; the span is the earliest and latest month). A `HistoryTally` holds the result either
way; `whatif.what_if_from` makes the what-if of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..catalog.catalog import Catalog
from ..routing.issue import SHANGHAI
from ..routing.issue_fast import issue_of
from ..routing.issue_io import IssueRecord
from ..routing.partitions import Partition
from ..routing.router import Router
from ..routing.tables import RuleSet

Month = tuple[int, int]


@dataclass
class Tally:
    """Whistles of one routing of a history."""

    streets: Counter[str] = field(default_factory=Counter)
    departments: Counter[str] = field(default_factory=Counter)
    rejected: int = 0


@dataclass
class HistoryTally:
    """A history routed under catalogs (one `Tally` each, in the order given), its records and
    the first and last month of a valid received_at in it."""

    tallies: list[Tally]
    issues: int = 0
    first: Month | None = None
    last: Month | None = None

    @property
    def months(self) -> int:
        """Calendar months from the first to the last month, both counted (≥ 1)."""
        if self.first is None or self.last is None:
            return 1
        (y1, m1), (y2, m2) = self.first, self.last
        return (y2 - y1) * 12 + m2 - m1 + 1

    def merge(self, other: HistoryTally) -> None:
        for mine, theirs in zip(self.tallies, other.tallies, strict=True):
            mine.streets.update(theirs.streets)
            mine.departments.update(theirs.departments)
            mine.rejected += theirs.rejected
        self.issues += other.issues
        for month in (other.first, other.last):
            if month is not None:
                self.first = month if self.first is None else min(self.first, month)
                self.last = month if self.last is None else max(self.last, month)


def _month(record: IssueRecord) -> Month | None:
    if record.problems:
        return None
    try:
        received = issue_of(record.data).received_at.astimezone(SHANGHAI)
    except ValidationError:  # an invalid row is counted as rejected by the routing
        return None
    return (received.year, received.month)


def _tally(router: Router, records: Sequence[IssueRecord], start: int) -> Tally:
    tally = Tally()
    catalog = router.catalog
    for decision in router.route_many(records, start=start):
        if decision.status != "routed" or decision.lead is None:
            tally.rejected += 1
            continue
        unit = catalog.units.get(decision.lead.code)
        if decision.lead.code in catalog.streets:
            tally.streets[decision.lead.code] += 1
        elif unit is not None and unit.department is not None:
            tally.departments[unit.department] += 1
    return tally


def _tally_with(routers: Sequence[Router], records: Sequence[IssueRecord], start: int = 1) -> HistoryTally:
    months = [m for m in map(_month, records) if m is not None]
    return HistoryTally([_tally(router, records, start) for router in routers], len(records),
                        min(months) if months else None, max(months) if months else None)


def tally_records(catalogs: Sequence[Catalog], rules: RuleSet, records: Sequence[IssueRecord]) -> HistoryTally:
    """The history routed under each catalog, in this process."""
    return _tally_with([Router(catalog, rules) for catalog in catalogs], records)


# ---- on a Dask cluster -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySpec:
    """What a worker needs: the catalogs to route under, and the rules."""

    catalogs: tuple[Catalog, ...]
    rules: RuleSet
    keys: tuple[str, ...] = field(default=())  # each catalog's rules version, to keep its router


_routers: dict[str, Router] = {}  # per worker process


def tally_part(records: Iterator[IssueRecord], first_position: int, spec: HistorySpec) -> HistoryTally:
    """On a worker: one part of the history, routed under every catalog of `spec`."""
    routers = []
    for catalog, key in zip(spec.catalogs, spec.keys, strict=True):
        router = _routers.get(key)
        if router is None:
            router = _routers[key] = Router(catalog, spec.rules)
        routers.append(router)
    for key in [k for k in _routers if k not in spec.keys]:
        del _routers[key]
    return _tally_with(routers, list(records), first_position)


def tally_parts_on_cluster(catalogs: Sequence[Catalog], rules: RuleSet, split_file: tuple[int, list[Partition]], *,
                           workers: int | None, scheduler: str | None,
                           progress: Callable[[int], Any] | None = None) -> HistoryTally:
    """A history file, split (`partitions.split`), routed under each catalog on a Dask cluster;
    equal to `tally_records` over `whatif.load_history` of the file. `progress(total)` may give
    a rich Progress to advance."""
    import contextlib

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


__all__ = ["HistorySpec", "HistoryTally", "Tally", "tally_parts_on_cluster", "tally_part", "tally_records"]
