"""One error hierarchy: bugs raise anything, user mistakes raise these.

Every problem in user input is a located `Problem` (file, sheet, cell or row, field, value,
what was expected); an `InputError` carries all problems of one input at once, like pydantic's
ValidationError, so a user fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """One located problem in user input."""

    model_config = ConfigDict(frozen=True)

    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None  # spreadsheet cell, e.g. "D17"
    row: int | None = None  # row or line number (1-based) for CSV/JSONL/rows without a cell
    field: str | None = None
    value: str | None = None
    code: str | None = None  # machine-readable type, e.g. "unknown-kind"

    @property
    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet:
            parts.append(self.sheet)
        elif self.cell:
            parts.append(self.cell)
        if self.row is not None and not self.cell:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts) if parts else "<input>"

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (value {_short(self.value)!r})"
        return f"{self.where}: {self.message}{shown}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "code": self.code,
        }


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class PowerlistError(Exception):
    """Base of every error powerlist raises on purpose."""


class InputError(PowerlistError):
    """User input (a spreadsheet, a file, an issue, a rules table) that cannot be used.

    Carries every problem found, each located. Nothing from the input was loaded.
    """

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        self.summary = summary or f"{len(self.problems)} problem(s) in input"
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        lines = [self.summary + ":"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def as_json(self) -> list[dict[str, Any]]:
        return [p.as_json() for p in self.problems]


class StoreError(InputError):
    """A case store that cannot be used as asked: busy, read-only, full, corrupted, not a case
    store, unreachable. One located problem (the file or database, what failed), never a
    traceback: the database, the file system and the OS are not bugs of powerlist."""


class CalendarError(InputError):
    """A working-day computation reached a year the calendar does not know."""


class TransitionError(PowerlistError):
    """A case event that the lifecycle does not allow in the case's current state."""


class ProblemCollector:
    """Gathers problems while reading one input; raises them all at the end."""

    def __init__(self, file: str | None = None) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, message: str, **where: Any) -> None:
        where.setdefault("file", self.file)
        if where.get("value") is not None and not isinstance(where["value"], str):
            where["value"] = str(where["value"])
        self.problems.append(Problem(message=message, **where))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, summary: str | None = None) -> None:
        if self.problems:
            raise InputError(self.problems, summary)
