"""JSON lines in, JSON lines out — `powerlist route` of a JSONL file in one process, the short way.

`route_lines(router, text, file, counts)` yields the JSON line of each record of a JSONL file's
text, in order: byte for byte what `issue_io.read_issues` → `Router.route_many` →
`decision_json` give, as UTF-8 (what `powerlist route` writes: a plain line's text is assembled
from bytes kept for its plan, `decision_json.routed_bytes`), each decision counted into `counts`
as `RouteCounts.add` counts it. A plain line — one `issue_io.plain_object` reads and
`issue_fast.plain_issue` finds its own canonical data, of plain shape — whose id no earlier
line used and which the plans route (`Router.route_plain`) becomes its text straight from its
plan, without a record or a Decision.
Every other line (not JSON, not plain, an id used before, keys `powerlist intake` adds, an issue
the plans do not route, the durable engine) is read and routed the long way: the same record
(`issue_io.jsonl_record`), the same duplicate-id check (`issue_io.check_id`, one map of first
uses for both ways) and the same position. tests/test_lines.py compares both ways on random files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..sheets.csvfiles import decode
from ..sheets.inbound import input_lines
from .batch import RouteCounts
from .calendar import WorkCalendar
from .decision_json import decision_json
from .issue import SHANGHAI
from .issue_fast import plain_issue
from .issue_io import (
    CANNOT_READ,
    JSONL_SUFFIXES,
    IssueRecord,
    check_id,
    is_json_array,
    issue_file,
    jsonl_record,
    plain_object,
)
from .router import Router


def jsonl_text(path: str | Path, encoding: str = "utf-8") -> tuple[str, str] | None:
    """(the text, the file's name as problems name it) of a JSONL issue file, as `read_issues`
    reads it (raising its InputError); None for another kind of file or a .json array."""
    path, file, suffix = issue_file(path)
    if suffix not in JSONL_SUFFIXES:
        return None
    text = decode(path, file, encoding, CANNOT_READ)
    return None if is_json_array(path, text) else (text, file)


def route_lines(router: Router, text: str, file: str, counts: RouteCounts) -> Iterator[bytes]:
    """The decision's JSON line (UTF-8, without its line feed) of each record of JSONL `text`
    (the file `file`), in order, each counted into `counts`."""
    first: dict[str, str] = {}  # id → where it was first used ("row 7"), for both ways
    calendar = router.calendar
    position = 0
    for number, line in input_lines(text):
        if not line.strip():
            continue
        position += 1
        raw = plain_object(line)
        issue = plain_issue(raw) if raw is not None else None
        if issue is not None:
            where = f"row {number}"
            if first.setdefault(issue.__dict__["id"], where) == where:
                routed = router.route_plain(issue)
                if routed is not None:
                    line_text, respond_by, complete_by, provisional = routed
                    _count(counts, respond_by, complete_by, provisional, calendar)
                    yield line_text
                    continue
            # what `issue_io.record_of` makes of a row that is its own canonical data
            record = IssueRecord(file, number, raw or {}, issue=issue)
        else:
            record = jsonl_record(line, file, number, raw)
        (decision,) = router.route_many([check_id(record, first)], start=position)
        counts.add(decision, calendar)
        yield decision_json(decision).encode("utf-8")


def _count(counts: RouteCounts, respond_by: datetime, complete_by: datetime, provisional: bool,
           calendar: WorkCalendar) -> None:
    # `RouteCounts.add` for a routed decision with these deadlines.
    counts.total += 1
    if not provisional:
        return
    counts.provisional += 1
    years = set()
    for moment in (respond_by, complete_by):
        year = moment.astimezone(SHANGHAI).year
        if calendar.is_provisional_year(year):
            years.add(year)
    counts.year_counts.update(years)


__all__ = ["jsonl_text", "route_lines"]
