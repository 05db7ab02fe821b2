"""The header vocabulary, and finding a sheet's header row under its title rows.

A `Vocabulary` names the header names (aliases) a sheet may use for each field; header cells
are matched after `normalise_header`, so "事项名称 (必填)", "事项 名称" and "＊事项名称" all
name the same column. `find_header` looks for the header in the first `HEADER_SCAN_ROWS`
rows of a sheet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProblemCollector
from .cellrefs import get_column_letter
from .text import SPACE, cell_text

HEADER_SCAN_ROWS = 20

_HEADER_NOTE = re.compile(r"\([^)]*\)|[*※:：]")


def normalise_header(value: Any) -> str:
    """A header cell as matched against a vocabulary: NFKC (full-width → half-width), no
    whitespace at all (spaces, U+3000, line breaks), no bracketed remark such as "(必填)"
    and no "*" marker."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", cell_text(value) or "")
    text = SPACE.sub("", text)
    return _HEADER_NOTE.sub("", text)


@dataclass(frozen=True)
class Vocabulary:
    """The header names a sheet may use: field → aliases (matched after `normalise_header`).

    `required` fields must have a column; `multi` fields may have several columns (their
    cells are read in column order). A row is a header when it names every required field;
    a row naming at least `near_miss` fields but not every required one is reported as a
    header missing a column (rather than the sheet being skipped as not a table).
    `free_text` fields hold people's own words (a resident's description): a phone number
    like +86-138-… or a quoted "=…" there is data, so those cells are not refused as
    formula text — every writer makes them inert instead (`powerlist.sheets.cells`)."""

    fields: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    multi: tuple[str, ...] = ()
    near_miss: int = 3
    free_text: tuple[str, ...] = ()
    lookup: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for name, aliases in self.fields.items():
            for alias in aliases:
                lookup[normalise_header(alias)] = name
        object.__setattr__(self, "lookup", lookup)

    def label(self, name: str) -> str:
        return self.fields[name][0]


@dataclass(frozen=True)
class Header:
    """A sheet's header: its row and each field's column (0-based) and letter."""

    sheet: str
    row: int
    columns: Mapping[str, tuple[int, ...]]

    def letter(self, name: str) -> str | None:
        cols = self.columns.get(name)
        return get_column_letter(cols[0] + 1) if cols else None

    @property
    def letters(self) -> dict[str, str]:
        return {name: get_column_letter(cols[0] + 1) for name, cols in self.columns.items()}

    def cell(self, name: str, row: int) -> str | None:
        letter = self.letter(name)
        return f"{letter}{row}" if letter else None


Rows = Iterator[tuple[int, tuple[Any, ...]]]  # (row number, the row's values)


def find_header(sheet: str, rows: Rows, vocabulary: Vocabulary, problems: ProblemCollector
                ) -> tuple[Header | None, list[tuple[int, tuple[Any, ...]]]]:
    """`sheet`'s header among its first `HEADER_SCAN_ROWS` `rows`, and the rows read to find it
    (those below the header are data; `rows` goes on after them).

    The header is the first row naming every required field. Without one, the row naming
    the most fields (at least `near_miss`) is reported as a header lacking a required column
    and the header is None; so it is when no row comes near. Two columns for a field that is
    not `multi` are reported; the header keeps both."""
    head: list[tuple[int, tuple[Any, ...]]] = []
    best: tuple[int, dict[str, list[int]]] | None = None
    for number, values in rows:
        head.append((number, values))
        found = _match_header(values, vocabulary)
        if all(name in found for name in vocabulary.required):
            best = (number, found)
            break
        if len(found) >= vocabulary.near_miss and (best is None or len(found) > len(best[1])):
            best = (number, found)
        if number >= HEADER_SCAN_ROWS:
            break
    if best is None:
        return None, head
    number, found = best
    missing = [name for name in vocabulary.required if name not in found]
    if missing:
        labels = "、".join(vocabulary.label(name) for name in missing)
        problems.add(f"表头缺少必填列：{labels} (header row lacks a required column: {labels})", sheet=sheet,
                     cell=f"A{number}", row=number, code="missing-column")
        return None, head
    columns: dict[str, tuple[int, ...]] = {}
    for name, indexes in found.items():
        if len(indexes) > 1 and name not in vocabulary.multi:
            cells = "、".join(f"{get_column_letter(i + 1)}{number}" for i in indexes)
            label = vocabulary.label(name)
            problems.add(f"“{label}”有两列：{cells} (two columns for {label}: {cells})", sheet=sheet,
                         cell=f"{get_column_letter(indexes[1] + 1)}{number}",
                         code="duplicate-column")
        columns[name] = tuple(indexes)
    return Header(sheet, number, columns), head


def _match_header(values: tuple[Any, ...], vocabulary: Vocabulary) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        name = vocabulary.lookup.get(normalise_header(value))
        if name is not None:
            found.setdefault(name, []).append(index)
    return found
