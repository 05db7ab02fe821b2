"""One error hierarchy: bugs raise anything, user mistakes raise these.

Every problem in user input is a located `Problem` (file, sheet, cell or row, field, value,
what was expected); an `InputError` carries all problems of one input at once, like pydantic's
ValidationError, so a user fixes a file in one pass.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """`text` with every lone surrogate (a code point that is not a character: JSON's
    "\\udfff", a non-UTF-8 byte in a file name or an argument) written as its escape, \\udfff.
    Nothing can encode a lone surrogate, so no problem, id or value carries one to a writer."""
    if _LONE_SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


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

    @field_validator("message", "file", "sheet", "cell", "field", "value", mode="after")
    @classmethod
    def _encodable(cls, text: str | None) -> str | None:
        # A problem is written to every output (JSON, CSV, XLSX, the terminal): it must encode.
        return None if text is None else escape_surrogates(text)

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
        self.summary = escape_surrogates(summary or f"{len(self.problems)} problem(s) in input")
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


class FileError(InputError):
    """A file or directory the user named that cannot be read or written as asked: a missing
    directory, a directory where a file belongs, a full device, a read-only file, an output
    that is one of the inputs. One located problem, in Chinese with the English after it."""


_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("设备空间已满", "no space left on the device"),
    errno.EDQUOT: ("磁盘配额已用完", "disk quota exceeded"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("不允许此操作", "operation not permitted"),
    errno.ENOENT: ("文件或目录不存在", "no such file or directory"),
    errno.ENOTDIR: ("路径中有一段不是目录", "a part of the path is not a directory"),
    errno.EISDIR: ("这是一个目录", "is a directory"),
    errno.EEXIST: ("已存在", "already exists"),
    errno.ENAMETOOLONG: ("文件名太长", "file name too long"),
    errno.ELOOP: ("符号链接循环", "too many levels of symbolic links"),
    errno.EIO: ("输入输出错误（磁盘或网络存储故障？）", "input/output error (a failing disk or network storage?)"),
    errno.EMFILE: ("打开的文件太多", "too many open files"),
    errno.EFBIG: ("文件太大", "file too large"),
    errno.EXDEV: ("不能跨文件系统改名", "cross-device rename"),
    errno.EBUSY: ("设备或资源忙", "device or resource busy"),
    errno.ETXTBSY: ("文件正被使用", "text file busy"),
}


def os_reason(error: OSError) -> tuple[str, str]:
    """What the operating system said, (Chinese, English)."""
    known = _OS_REASONS.get(error.errno or -1)
    if known is not None:
        return known
    return "操作系统错误", f"operating system error: {error.strerror or error}"


def os_error(error: OSError, file: str, action: str, action_en: str, *, code: str | None = None) -> FileError:
    """The `FileError` of an OS failure while `action` (e.g. 写入) on `file`: one located line,
    in Chinese with the English after it, never a traceback."""
    zh, en = os_reason(error)
    problem = Problem(message=f"{action}失败：{zh} (cannot {action_en}: {en})", file=file,
                      code=code or f"os-{errno.errorcode.get(error.errno or -1, 'error').lower()}")
    return FileError([problem], f"{action}失败 (cannot {action_en})")


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
