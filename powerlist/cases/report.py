"""What a tick reports — 督办报告: its actions, the cases it could not work, its lag.

`TickReport` is what `Escalator.tick_report` returns (and `powerlist cases tick --json` prints);
`BadCase` names a due case a tick skipped because its stored row could not be worked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..routing.issue import SHANGHAI
from .actions import Action
from .lifecycle import local, unstamp
from .store import DueRow


@dataclass(frozen=True)
class BadCase:
    """A due case a tick could not work (its row unreadable, an event refused): named, skipped."""

    case_id: str
    message: str

    @classmethod
    def of(cls, case_id: str, error: BaseException) -> BadCase:
        text = str(error).strip() or type(error).__name__
        return cls(case_id, f"案件 {case_id} 无法督办，已跳过，其余案件照常处理 (case skipped, every other case "
                            f"was ticked): {type(error).__name__}: {text}")

    def as_json(self) -> dict[str, str]:
        return {"case_id": self.case_id, "message": self.message}


@dataclass
class TickReport:
    """What one tick did: its actions (each with `at` and `due_at`), the cases it could not work,
    and its lag — how far behind the oldest deadline it acted on it ran."""

    now: str
    actions: list[Action] = field(default_factory=list)
    failed: list[BadCase] = field(default_factory=list)
    cases: int = 0
    batches: int = 0

    def add(self, rows: list[DueRow], taken: list[Action], failed: list[BadCase], seen: set[str]) -> None:
        self.cases += sum(row.case_id not in seen for row in rows)
        seen.update(row.case_id for row in rows)
        self.actions.extend(taken)
        self.failed.extend(failed)
        self.batches += 1

    @property
    def oldest_due_at(self) -> datetime | None:
        dues = [a.due_at for a in self.actions if a.due_at is not None]
        return min(dues) if dues else None

    @property
    def lag(self) -> timedelta:
        """`now` minus the oldest deadline acted on (zero when nothing was due)."""
        oldest = self.oldest_due_at
        return max(timedelta(0), unstamp(self.now) - oldest) if oldest is not None else timedelta(0)

    def as_json(self) -> dict[str, Any]:
        oldest = self.oldest_due_at
        return {
            "now": local(self.now),
            "actions": [a.as_json() for a in self.actions],
            "cases": self.cases,
            "batches": self.batches,
            "lag_seconds": int(self.lag.total_seconds()),
            "oldest_due_at": oldest.astimezone(SHANGHAI).isoformat(timespec="seconds") if oldest else None,
            "failed": [f.as_json() for f in self.failed],
        }


__all__ = ["BadCase", "TickReport"]
