"""Batch routing — 批量派单: decisions of many issues as output text, and what a run counts.

What `powerlist route` writes and reports, whether one process routes the whole file or Dask
workers route it part by part (`powerlist.routing.parallel`): the JSON line of a decision
(`decision_json`), the flat row of a decision for CSV and XLSX (`flat_row`, `COLUMNS`), the
counts a run reports (`RouteCounts`: how many decisions, how many rejected, how many with a
provisional deadline and in which years). `route_part` routes one part of a file on a worker
and returns its output bytes (JSONL, CSV) or its decisions (for XLSX and tables), and its counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..catalog.catalog import Catalog
from ..sheets.cells import csv_cell
from .calendar import WorkCalendar
from .decision import Decision
from .decision_json import decision_json
from .issue import SHANGHAI
from .issue_io import IssueRecord
from .plan import uses_unknown_year
from .router import Router
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
        row = flat_row(decision)
        yield [csv_cell(row[c]) for c in COLUMNS]


@dataclass
class RouteCounts:
    """What a run reports: decisions, rejected ones, and provisional deadlines (the trace step
    `calendar.unknown_year`) with the years the calendar does not know."""

    total: int = 0
    rejected: int = 0
    provisional: int = 0
    years: set[int] = field(default_factory=set)

    def add(self, decision: Decision, calendar: WorkCalendar | None) -> None:
        self.total += 1
        self.rejected += decision.status == "rejected"
        if decision.trace and uses_unknown_year(decision):
            self.provisional += 1
            if calendar is not None:
                for moment in (decision.respond_by, decision.complete_by):
                    if moment is None:
                        continue
                    year = moment.astimezone(SHANGHAI).year
                    if calendar.is_provisional_year(year):
                        self.years.add(year)

    def merge(self, other: RouteCounts) -> None:
        self.total += other.total
        self.rejected += other.rejected
        self.provisional += other.provisional
        self.years |= other.years


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

    @classmethod
    def of(cls, router: Router, output: str) -> RouterSpec:
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; expected one of {', '.join(OUTPUTS)}")
        return cls(router.catalog, router.rules, router.engine, router.rules_version, output)


@dataclass(frozen=True)
class RoutedPart:
    """A part's output: JSONL or CSV bytes (UTF-8, no header), or its decisions; its counts."""

    counts: RouteCounts
    data: bytes = b""
    decisions: tuple[Decision, ...] = ()


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


def route_part(records: Iterator[IssueRecord], first_position: int, spec: RouterSpec) -> RoutedPart:
    """Route a part's records (the first at `first_position` of the file) as the whole file's
    run would, into `spec.output`."""
    router = worker_router(spec)
    counts = RouteCounts()
    decisions = []
    for decision in router.route_many(records, start=first_position):
        counts.add(decision, router.calendar)
        decisions.append(decision)
    if spec.output == "decisions":
        return RoutedPart(counts, decisions=tuple(decisions))
    if spec.output == "jsonl":
        text = "".join(decision_json(d) + "\n" for d in decisions)
    else:
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(csv_rows(decisions))
        text = buffer.getvalue()
    return RoutedPart(counts, data=text.encode("utf-8"))


__all__ = ["COLUMNS", "OUTPUTS", "RouteCounts", "RoutedPart", "RouterSpec", "csv_rows", "flat_row", "route_part",
           "worker_router"]
