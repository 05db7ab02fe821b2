"""Cell references — column letters, A1 coordinates, ranges: openpyxl's own functions, imported
on first use, so that a command reading no workbook (routing a JSONL file) never loads openpyxl
(nor numpy, which openpyxl imports when it is installed)."""

from __future__ import annotations


def get_column_letter(index: int) -> str:
    """openpyxl's `get_column_letter`: 1 → "A", 28 → "AB"."""
    from openpyxl.utils.cell import get_column_letter as letter

    return letter(index)


def column_index_from_string(letters: str) -> int:
    """openpyxl's `column_index_from_string`: "AB" → 28."""
    from openpyxl.utils.cell import column_index_from_string as index

    return index(letters)


def coordinate_from_string(ref: str) -> tuple[str, int]:
    """openpyxl's `coordinate_from_string`: "AB12" → ("AB", 12)."""
    from openpyxl.utils.cell import coordinate_from_string as coordinate

    return coordinate(ref)


def range_boundaries(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """openpyxl's `range_boundaries`: "A1:C3" → (1, 1, 3, 3)."""
    from openpyxl.utils.cell import range_boundaries as boundaries

    return boundaries(ref)


__all__ = ["column_index_from_string", "coordinate_from_string", "get_column_letter", "range_boundaries"]
