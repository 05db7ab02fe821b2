"""Database faults as located errors — 案件库故障: what the database, the file system and the OS
report reaches the user as one `StoreError` line (Chinese, then English), never a traceback.

A backend lists the exceptions its driver raises (`sqlite3.Error`, `psycopg.Error`) and says
what each means in `_fault(error)`; `guarded(...)` wraps every public method of the backend so
that such an exception leaving it becomes that `StoreError`. Errors that are not database faults
(TransitionError, InputError, KeyError for an existing case) pass through unchanged.
`transaction()` and `savepoint()` are context managers and translate their own errors.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..errors import Problem, StoreError

T = TypeVar("T", bound=type)
_OWN = frozenset({"transaction", "savepoint", "retryable", "close"})


def store_error(where: str, message: str, code: str, *, value: str | None = None, field: str = "db") -> StoreError:
    """One located store problem: `where` is the file or the database (a URL without password)."""
    return StoreError(
        [Problem(message=message, file=where, field=field, value=value, code=code)],
        "无法使用案件库 (the case store cannot be used)",
    )


def guarded(catch: tuple[type[BaseException], ...]) -> Callable[[T], T]:
    """A class decorator: every public method turns `catch` exceptions into `self._fault(error)`."""

    def decorate(cls: T) -> T:
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or name in _OWN or not inspect.isfunction(value):
                continue
            setattr(cls, name, _wrap(value, catch))
        return cls

    return decorate


def _wrap(method: Callable[..., Any], catch: tuple[type[BaseException], ...]) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except catch as error:
                raise self._fault(error) from None

        return generator

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except catch as error:
            raise self._fault(error) from None

    return call


def without_password(url: str) -> str:
    """A database URL as it may be shown: a password in it (user:password@ or ?password=) is
    never echoed back."""
    scheme, sep, rest = url.partition("://")
    rest = re.sub(r"(?i)(password=)[^&\s]*", r"\1***", rest)
    if "@" not in rest:
        return f"{scheme}{sep}{rest}"
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    shown = f"{user}:***" if ":" in credentials else user
    return f"{scheme}{sep}{shown}@{host}"


__all__ = ["guarded", "store_error", "without_password"]
