"""A cell's value as text, and text cleaned as loaded.

Hand-made sheets hold full-width spaces, line breaks inside cells, numbers stored as numbers
where text was meant (1001.0 for the code "1001"). `cell_text` reads any cell value as text;
`clean_line`, `split_lines`, `clean_code` and `clean_token` clean it for the kind of field it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from .cell_checks import REFUSED

SPACE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]+")
_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def clean_line(value: str) -> str:
    """One-line text as loaded: whitespace runs (U+3000, NBSP, line breaks) become one space,
    none at the ends and none between two Chinese characters. Characters are kept as written
    (full-width punctuation in a name is correct Chinese)."""
    text = SPACE.sub(" ", value).strip()
    return _SPACE_BETWEEN_CJK.sub("", text) if " " in text else text


def split_lines(value: str, separators: Iterable[str] = ()) -> tuple[str, ...]:
    """Multi-line text as a tuple of cleaned, non-empty lines (split also on `separators`)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    for sep in separators:
        text = text.replace(sep, "\n")
    lines = (clean_line(line) for line in text.split("\n"))
    return tuple(line for line in lines if line)


def clean_code(value: str) -> str:
    """A code as loaded: NFKC (full-width digits → ASCII) and no whitespace at all."""
    return SPACE.sub("", unicodedata.normalize("NFKC", value))


def clean_token(value: str) -> str:
    """A keyword such as a kind, a mode, 是/否: NFKC and no whitespace."""
    return SPACE.sub("", unicodedata.normalize("NFKC", value))


def cell_text(value: Any) -> str | None:
    """A cell value as text, before cleaning: numbers stored as numbers read as their
    digits (1001.0 → "1001"), dates as ISO dates, booleans as TRUE/FALSE; None when empty."""
    if value is None or value is REFUSED:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not SPACE.sub("", value))
