"""Parquet issue files in — each row one issue, read with pyarrow (an optional dependency).

Columns are named as in the other issue files (`issue.FIELD_ALIASES`); cells keep Parquet's
types (a timestamp without a time zone is Asia/Shanghai time, a date is midnight of its day) and
`issue_io` makes each row a record through `record_of`, like any other row (this module gives
rows, so it does not import `issue_io`). Every row is one record, numbered
from 1 in file order across row groups (there is no header line), so a file read in slices on
several workers (`partitions`) names its rows as one reader does. pyarrow comes with
`pip install 'powerlist[dask]'`; without it a Parquet file is a clear error, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, PowerlistError, Problem

CANNOT_READ = "无法读取诉求 (cannot read issues)"  # issue_io's header for a file that cannot be read
ParquetRow = tuple[int, dict[str, Any], tuple[Problem, ...]]  # (row number, raw row, its problems)

INSTALL = "pip install 'powerlist[dask]'"


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise PowerlistError(
            f"读取 Parquet 文件需要 pyarrow：{INSTALL} (reading a .parquet issue file needs pyarrow: {INSTALL})"
        ) from None
    return pq


def parquet_file(path: Path, file: str) -> Any:
    """The opened `pyarrow.parquet.ParquetFile`; InputError for a file that is not Parquet."""
    pq = _pyarrow_parquet()
    try:
        return pq.ParquetFile(path)
    except Exception as error:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError … for a bad file
        raise InputError([Problem(message=f"不是可读取的 Parquet 文件 (not a readable Parquet file: {error})",
                                  file=file, code="parquet")], CANNOT_READ) from None


def parquet_rows(table: Any, file: str, first_row: int) -> Iterator[ParquetRow]:
    """The rows of a pyarrow Table (a slice of the file) whose first row is row `first_row`."""
    names = table.column_names
    twice = sorted({name for name in names if names.count(name) > 1})
    columns = [column.to_pylist() for column in table.columns]
    for offset, values in enumerate(zip(*columns, strict=True)):
        row = first_row + offset
        raw: dict[str, Any] = {}
        for name, value in zip(names, values, strict=True):
            raw.setdefault(name, value)
        problems = tuple(Problem(message=f"列 {name!r} 在文件中出现了两次 (the column {name!r} appears twice in the "
                                 "file)", file=file, row=row, field=name, code="duplicate-field") for name in twice)
        yield row, raw, problems


def read_parquet(path: Path, file: str) -> Iterator[ParquetRow]:
    """Every row of a Parquet file, in file order (a row group at a time)."""
    handle = parquet_file(path, file)
    row = 1
    for group in range(handle.num_row_groups):
        table = read_row_group(handle, group, file)
        yield from parquet_rows(table, file, row)
        row += table.num_rows


def read_row_group(handle: Any, group: int, file: str) -> Any:
    """Row group `group` as a pyarrow Table; InputError when its data cannot be read."""
    try:
        return handle.read_row_group(group)
    except Exception as error:  # noqa: BLE001 - corrupt pages raise ArrowInvalid, OSError …
        raise InputError([Problem(message=f"无法读取 Parquet 行组 {group} (unreadable Parquet row group {group}: "
                                  f"{error})", file=file, code="parquet")], CANNOT_READ) from None


__all__ = ["INSTALL", "ParquetRow", "parquet_file", "parquet_rows", "read_parquet", "read_row_group"]
