"""Duplicates across channels: the same pothole reported by 12345, 数字城管 and a grid worker.

Two reports are the same problem when all of these hold:

- the same street (never across streets), and the same resolved place — the same location code
  (community, or street when only the street is known) — or, when both carry coordinates, points
  within `max_distance_m` of each other;
- when both carry coordinates, they are within `max_distance_m` (also for the same code);
- the same category, or sibling categories (the same parent in the taxonomy) when `siblings`;
- the later one received within `window` after the first report of the problem.

Linking is a pure function of the reports, not of their order: reports are taken by
(received_at, id, channel); the first report of a problem stays the case, every later one within
the window of that first report carries `duplicate_of` = its id and the evidence of what matched.
The first report's `repeat_count` rises by the number of its duplicates; the k-th duplicate's by
k (the reports before it). Runs in O(n log n) for sorting plus the reports open in each
(street, category family) at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .geo import distance_m

DEFAULT_WINDOW = timedelta(days=3)
DEFAULT_DISTANCE_M = 200.0


@dataclass(frozen=True)
class Report:
    """What duplicate detection needs of one issue."""

    id: str
    received_at: datetime
    street: str
    location: str
    category: str
    channel: str = ""
    point: tuple[float, float] | None = None  # (lon, lat)


@dataclass
class Link:
    duplicate_of: str | None = None
    position: int = 0  # 0 for a first report; k for its k-th duplicate
    duplicates: int = 0  # for a first report: how many later reports were linked to it
    evidence: dict[str, Any] = field(default_factory=dict)


def link_duplicates(reports: Sequence[Report], parents: Mapping[str, str | None] | None = None, *,
                    window: timedelta = DEFAULT_WINDOW, max_distance_m: float = DEFAULT_DISTANCE_M,
                    siblings: bool = True) -> dict[str, Link]:
    """Link by id: every report's `Link` (ids must be unique)."""
    parents = parents or {}

    def family(category: str) -> str:
        parent = parents.get(category) if siblings else None
        return parent or category

    order = sorted(reports, key=lambda r: (r.received_at, r.id, r.channel))
    links: dict[str, Link] = {r.id: Link() for r in order}
    # First reports still open, per (street, category family): by location code, and those with
    # coordinates. Each deque is in time order, so expired reports leave from the left.
    by_location: dict[tuple[str, str, str], deque[Report]] = {}
    pointed: dict[tuple[str, str], deque[Report]] = {}
    for report in order:
        group = (report.street, family(report.category))
        here = by_location.setdefault((*group, report.location), deque())
        near = pointed.setdefault(group, deque())
        for queue in (here, near):
            while queue and report.received_at - queue[0].received_at > window:
                queue.popleft()
        if report.point is None:
            first = here[0] if here else None
        else:
            matches = [p for p in here if p.point is None]
            matches += [p for p in near if _same_place(p, report, max_distance_m)]
            first = min(matches, key=lambda p: (p.received_at, p.id, p.channel)) if matches else None
        if first is None:
            here.append(report)
            if report.point is not None:
                near.append(report)
            continue
        primary = links[first.id]
        primary.duplicates += 1
        links[report.id] = Link(duplicate_of=first.id, position=primary.duplicates,
                                evidence=_evidence(first, report, parents))
    return links


def _same_place(first: Report, later: Report, max_distance_m: float) -> bool:
    if first.street != later.street:
        return False
    if first.point is not None and later.point is not None:
        return distance_m(*first.point, *later.point) <= max_distance_m
    return first.location == later.location


def _evidence(first: Report, later: Report, parents: Mapping[str, str | None]) -> dict[str, Any]:
    gap = later.received_at - first.received_at
    evidence: dict[str, Any] = {
        "street": later.street,
        "location": later.location if first.location == later.location else None,
        "category": "same" if first.category == later.category else f"sibling of {parents.get(later.category)}",
        "minutes_after": round(gap.total_seconds() / 60, 1),
        "channels": [first.channel, later.channel],
    }
    if first.point is not None and later.point is not None:
        evidence["distance_m"] = round(distance_m(*first.point, *later.point), 1)
    return evidence
