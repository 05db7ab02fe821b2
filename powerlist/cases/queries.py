"""The queries both SQL backends ask alike — 查询: one text per question, for SQLite (`?`
placeholders, rows in `rowid` order) and PostgreSQL (`%s`, `seq` order).

    q = Queries("?", "rowid")                      # SQLite; Queries("%s", "seq") for PostgreSQL
    sql, args = q.findings(unit="S1", period=None)
    rows = [finding_row(r) for r in db.execute(sql, args)]

Only the reads whose SQL is the same but for those two words live here; each backend keeps what
its database does its own way (opening, locking, the tick's writes, faults).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FINDING_COLUMNS = ("unit", "period", "kind", "case_id", "at", "key")
FINDING_COUNTS = "SELECT unit, period, count FROM finding_counts ORDER BY unit, period"
WINDOW_EXTREMES = (
    "SELECT min(at), max(at), (SELECT min(next_due_at) FROM cases), (SELECT max(next_due_at) FROM cases) FROM events"
)
EVENT_COLUMNS = "case_id, n, at, event, actor, rule, details"


@dataclass(frozen=True)
class Queries:
    """The shared queries with a backend's placeholder (`mark`) and order column (`order`)."""

    mark: str
    order: str

    @property
    def count_due(self) -> str:
        return f"SELECT count(*) FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= {self.mark}"

    @property
    def count_findings(self) -> str:
        # A running count kept beside the findings: counting rows would make a tick that finds
        # n faults in one unit cost n² (10,000 escalations from one department).
        return f"SELECT count FROM finding_counts WHERE unit = {self.mark} AND period = {self.mark}"

    @property
    def raw_cases(self) -> str:
        return f"SELECT case_id, snapshot FROM cases WHERE case_id > {self.mark} ORDER BY case_id LIMIT {self.mark}"

    def findings(self, unit: str | None, period: str | None) -> tuple[str, list[Any]]:
        """Findings of a unit and/or period (either None: any), in the order recorded."""
        sql = f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings WHERE 1 = 1"
        args: list[Any] = []
        for column, value in (("unit", unit), ("period", period)):
            if value is not None:
                sql += f" AND {column} = {self.mark}"
                args.append(value)
        return f"{sql} ORDER BY {self.order}", args

    def actions(self, case_id: str | None, columns: Sequence[str]) -> tuple[str, list[Any]]:
        """Actions (of one case, or all), in the order recorded."""
        sql = f"SELECT {', '.join(columns)} FROM actions"
        if case_id is None:
            return f"{sql} ORDER BY {self.order}", []
        return f"{sql} WHERE case_id = {self.mark} ORDER BY {self.order}", [case_id]

    def history(self, case_ids: int) -> str:
        """The events of `case_ids` cases (as many placeholders), by case and number."""
        marks = ", ".join([self.mark] * case_ids)
        return f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id IN ({marks}) ORDER BY case_id, n"


def finding_row(row: Sequence[Any]) -> dict[str, Any]:
    """A finding as `CaseStore.findings` returns it."""
    return dict(zip(FINDING_COLUMNS, row, strict=True))


__all__ = ["EVENT_COLUMNS", "FINDING_COLUMNS", "FINDING_COUNTS", "WINDOW_EXTREMES", "Queries", "finding_row"]
