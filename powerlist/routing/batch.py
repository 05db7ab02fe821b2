"""Batch routing — 批量派单: decisions of many issues as output text, and what a run counts.

What `powerlist route` writes and reports, whether one process routes the whole file or Dask
workers route it part by part (`powerlist.routing.parallel`): the JSON line of a decision
(`decision_json`), the flat row of a decision for CSV and XLSX (`flat_row`, `COLUMNS`), the
counts a run reports (`RouteCounts`: how many decisions, how many rejected, how many with a
provisional deadline and in which years). `route_part` routes one part of a file on a worker
(with the router `worker_router` keeps in the worker process, built once per catalog and rules)
and returns its output bytes (JSONL, CSV) — written beside the output when the worker shares
its disk — or its decisions (for XLSX and tables), its counts, and the ids its records use
(`partitions.Uses`, columns): where the parts meet, the few records whose id an earlier part used
are decided again (`RoutedPart.with_earlier`: rejected as duplicates, as `read_issues` names
them, their bytes replaced as the part is copied out), so every part is routed once however its
ids repeat across the file.
"""

from __future__ import annotations

import csv
import io
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..catalog.catalog import Catalog
from ..sheets.cells import csv_cell
from .calendar import WorkCalendar
from .decision import Decision
from .decision_json import decision_json
from .issue import SHANGHAI
from .issue_io import check_id
from .partitions import Partition, Uses, uses_of
from .plan import uses_unknown_year
from .router import Router, record_rejection
from .tables import RuleSet

COLUMNS = (
    "issue_id", "status", "category", "street", "whistle", "whistle_label", "grade", "level",
    "lead_code", "lead_name", "co_units", "escalation_path", "powers", "legal_basis",
    "respond_by", "complete_by", "rules", "rules_version", "errors",
)
OUTPUTS = ("jsonl", "csv", "decisions")


def flat_row(decision: Decision) -> dict[str, Any]:
    """One decision as flat spreadsheet cells (lists joined with ；, newlines in legal basis)."""
    return {
        "issue_id": decision.issue_id,
        "status": decision.status,
        "category": decision.category,
        "street": decision.street,
        "whistle": decision.whistle.value if decision.whistle else None,
        "whistle_label": decision.whistle_label,
        "grade": decision.grade.value if decision.grade else None,
        "level": decision.level.value if decision.level else None,
        "lead_code": decision.lead.code if decision.lead else None,
        "lead_name": decision.lead.name if decision.lead else None,
        "co_units": "；".join(f"{u.name}({u.code})" for u in decision.co_units),
        "escalation_path": " → ".join(u.name for u in decision.escalation_path),
        "powers": "；".join(f"{p.code} {p.name}" for p in decision.powers),
        "legal_basis": "\n".join(b for p in decision.powers for b in p.legal_basis),
        "respond_by": _iso(decision.respond_by),
        "complete_by": _iso(decision.complete_by),
        "rules": " ".join(step.rule for step in decision.trace),
        "rules_version": decision.rules_version,
        "errors": "\n".join(str(problem) for problem in decision.errors),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def csv_rows(decisions: Iterable[Decision]) -> Iterator[list[Any]]:
    """The CSV cells of each decision (text a spreadsheet would run made inert)."""
    for decision in decisions:
        yield csv_cells(decision)


def csv_cells(decision: Decision) -> list[Any]:
    row = flat_row(decision)
    return [csv_cell(row[c]) for c in COLUMNS]


@dataclass
class RouteCounts:
    """What a run reports: decisions, rejected ones, and provisional deadlines (the trace step
    `calendar.unknown_year`) with, per year the calendar does not know, how many decisions."""

    total: int = 0
    rejected: int = 0
    provisional: int = 0
    year_counts: Counter[int] = field(default_factory=Counter)

    @property
    def years(self) -> set[int]:
        return {year for year, count in self.year_counts.items() if count > 0}

    def add(self, decision: Decision, calendar: WorkCalendar | None) -> tuple[int, ...] | None:
        """Count `decision`; the years it was provisional in (None if it was not)."""
        self.total += 1
        self.rejected += decision.status == "rejected"
        if not (decision.trace and uses_unknown_year(decision)):
            return None
        self.provisional += 1
        years: set[int] = set()
        if calendar is not None:
            for moment in (decision.respond_by, decision.complete_by):
                if moment is None:
                    continue
                year = moment.astimezone(SHANGHAI).year
                if calendar.is_provisional_year(year):
                    years.add(year)
        self.year_counts.update(years)
        return tuple(sorted(years))

    def merge(self, other: RouteCounts) -> None:
        self.total += other.total
        self.rejected += other.rejected
        self.provisional += other.provisional
        self.year_counts.update(other.year_counts)


# ---- one part of a file, on a worker ---------------------------------------------------------


@dataclass(frozen=True)
class RouterSpec:
    """What a worker needs to build the driver's router: its catalog, rules and engine, and the
    rules version it must reproduce (so that every part is routed by the same rules)."""

    catalog: Catalog
    rules: RuleSet
    engine: str
    rules_version: str
    output: str  # one of OUTPUTS
    # A folder the workers and the driver share: a part's bytes are written there, one file a
    # part, instead of being sent back (a local cluster's workers share the driver's disk).
    spool: str | None = None

    @classmethod
    def of(cls, router: Router, output: str, spool: str | None = None) -> RouterSpec:
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; expected one of {', '.join(OUTPUTS)}")
        return cls(router.catalog, router.rules, router.engine, router.rules_version, output, spool)


@dataclass(frozen=True)
class RoutedPart:
    """A part's output: JSONL or CSV bytes (UTF-8, no header) — or the file holding them, when
    the worker wrote them beside the output (`spooled`) — or its decisions; its counts; and
    what is needed to decide again its records whose id an earlier part used: their `uses`,
    where each decision's bytes end (`ends`), which decisions were rejected (`rejected`, a byte
    each) and the years each provisional one was provisional in (`provisional`, by index).
    `with_earlier` makes those decisions again as `fixes`: (start, end, bytes) of the part's
    bytes to replace, applied as the part is written (`patched`, `cli._parallel`)."""

    counts: RouteCounts
    output: str
    rules_version: str
    first_position: int = 1
    data: bytes = b""
    decisions: tuple[Decision, ...] = ()
    uses: Uses | None = None
    ends: array[int] = field(default_factory=lambda: array("q"))
    rejected: bytes = b""
    provisional: dict[int, tuple[int, ...]] = field(default_factory=dict)
    spooled: str | None = None  # the file holding the part's bytes, when written beside the output
    fixes: tuple[tuple[int, int, bytes], ...] = ()

    def patched(self) -> bytes:
        """The part's bytes (not spooled) with its fixes applied."""
        pieces, at = [], 0
        for start, end, text in self.fixes:
            pieces += [self.data[at:start], text]
            at = end
        pieces.append(self.data[at:])
        return b"".join(pieces)

    def with_earlier(self, seen: Mapping[str, str]) -> RoutedPart:
        """This part as if read after the parts that used the ids of `seen` (id → where): its
        records with those ids are duplicates, decided (rejected) again."""
        uses = self.uses
        if uses is None:
            return self
        first = dict(seen)
        counts = replace(self.counts, year_counts=Counter(self.counts.year_counts))
        decisions = list(self.decisions)
        fixes: list[tuple[int, int, bytes]] = []
        for n, issue_id in enumerate(uses.ids):
            if issue_id not in seen:
                continue  # an id no earlier part used
            index = uses.indexes[n]
            decision = record_rejection(check_id(uses.record(n), first), self.first_position + index,
                                        self.rules_version)
            counts.rejected += not self.rejected[index]
            years = self.provisional.get(index)
            if years is not None:
                counts.provisional -= 1
                counts.year_counts.subtract(years)
            if self.output == "decisions":
                decisions[index] = decision
            else:
                fixes.append((self.ends[index - 1] if index else 0, self.ends[index], encode(decision, self.output)))
        counts.year_counts = +counts.year_counts
        return replace(self, counts=counts, decisions=tuple(decisions), fixes=tuple(fixes))


def encode(decision: Decision, output: str) -> bytes:
    """One decision as the bytes of its JSONL line or CSV row."""
    if output == "jsonl":
        return (decision_json(decision) + "\n").encode("utf-8")
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(csv_cells(decision))
    return buffer.getvalue().encode("utf-8")


_routers: dict[tuple[str, str], Router] = {}  # per worker process: built once per spec


def worker_router(spec: RouterSpec) -> Router:
    key = (spec.engine, spec.rules_version)
    router = _routers.get(key)
    if router is None:
        router = Router(spec.catalog, spec.rules, engine=spec.engine)
        if router.rules_version != spec.rules_version:  # pragma: no cover - a pickling bug, not input
            raise RuntimeError(f"worker router has rules {router.rules_version}, the run {spec.rules_version}")
        _routers.clear()  # one spec at a time: a worker serving run after run keeps one router
        _routers[key] = router
    return router


def route_part(part: Partition, spec: RouterSpec) -> RoutedPart:
    """Route one part of a file as the whole file's run would (the ids of earlier parts aside:
    see `RoutedPart.with_earlier`), into `spec.output`."""
    router = worker_router(spec)
    calendar = router.calendar
    counts = RouteCounts()
    bases = list(part.base_records())
    first: dict[str, str] = {}
    records = bases if part.checked else [check_id(base, first) for base in bases]
    chunks: list[bytes] = []
    decisions: list[Decision] = []
    ends = array("q")
    rejected = bytearray(len(records))
    provisional: dict[int, tuple[int, ...]] = {}
    output = spec.output
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    at = 0
    for index, decision in enumerate(router.route_many(records, start=part.first_position)):
        years = counts.add(decision, calendar)
        if years is not None:
            provisional[index] = years
        rejected[index] = decision.status == "rejected"
        if output == "jsonl":
            chunk = (decision_json(decision) + "\n").encode("utf-8")
        elif output == "csv":
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(csv_cells(decision))
            chunk = buffer.getvalue().encode("utf-8")
        else:
            decisions.append(decision)
            continue
        chunks.append(chunk)
        at += len(chunk)
        ends.append(at)
    uses = None if part.checked else uses_of(bases, part.file)
    routed = RoutedPart(counts, output, spec.rules_version, part.first_position, decisions=tuple(decisions),
                        uses=uses, ends=ends, rejected=bytes(rejected), provisional=provisional)
    data = b"".join(chunks)
    if spec.spool is None or output == "decisions":
        return replace(routed, data=data)
    target = Path(spec.spool) / f"part-{part.index:06d}"
    temp = target.with_name(f".{target.name}.{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, target)  # a part routed again (its worker died) writes the same file
    return replace(routed, spooled=str(target))


__all__ = ["COLUMNS", "OUTPUTS", "RouteCounts", "RoutedPart", "RouterSpec", "csv_cells", "csv_rows", "encode",
           "flat_row", "route_part", "worker_router"]
