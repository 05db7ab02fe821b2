"""Canonical JSON — the one text form of the store's snapshots and event details: compact, keys
sorted, Chinese kept as it is, exactly what
`json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)` writes (`dumps`).

A tick reads and writes that text for every due case, and the standard library's encoder and
decoder were most of its cost. orjson writes the same bytes for every value a store holds except
one kind: a float below 1e-4 in magnitude (`1e-05` in Python, `0.00001` in orjson; every other
float, every string — all of Unicode, escapes included —, integer, bool and null come out alike;
tests/test_canonical.py checks it). So `load` reads stored text with orjson and says whether the
value is *exact*: its text is orjson's own writing of it (keys sorted, no duplicates, nothing
orjson would write differently) and holds no such float (no `e-`, no number `0.0000…`). Then
`dump(value, exact=True)` — of the value or of anything built from its parts and from strings,
integers and booleans — is byte for byte `dumps`. Any other text (written by hand, by another
program, NaN, integers past 64 bits, a lone surrogate) is read and written by the standard
library, as before: slower, never different.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS
_DIGITS = frozenset(b"0123456789")


def dumps(value: Any) -> str:
    """The canonical text of `value` (the reference: the standard library)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def load(raw: str | bytes) -> tuple[Any, bool]:
    """The value of stored JSON text and whether it is exact (see the module doc). Text the
    standard library refuses raises what `json.loads` raises (a ValueError; bytes that are not
    UTF-8: UnicodeDecodeError, also a ValueError)."""
    data = raw.encode() if isinstance(raw, str) else raw
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = None
    else:
        if orjson.dumps(value, option=_SORTED) == data and not _small_float(data):
            return value, True
    # the text as the database driver hands it over (strict UTF-8), read as the store always did
    return json.loads(raw if isinstance(raw, str) else raw.decode()), False


def _small_float(data: bytes) -> bool:
    """Whether orjson's text may hold a float below 1e-4 (where orjson and Python differ): it
    writes one with a negative exponent, or as 0.0000… — a number, so not after a digit (in a
    stamp, "…:00.000000Z", it is)."""
    if b"e-" in data:
        return True
    at = data.find(b"0.0000")
    while at >= 0:
        if at == 0 or data[at - 1] not in _DIGITS:
            return True
        at = data.find(b"0.0000", at + 6)
    return False


def dump(value: Any, exact: bool) -> bytes:
    """`dumps(value)` as UTF-8: by orjson for a value built from exact parts, else the reference."""
    if exact:
        return orjson.dumps(value, option=_SORTED)
    return dumps(value).encode()


__all__ = ["dump", "dumps", "load"]
