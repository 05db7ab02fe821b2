"""Where a worker reads a part of an issue file from — 分片来源: a byte range of the file, or a
slice of a Parquet row group, read from the disk the worker shares with the splitter; or, for a
worker that cannot see the file (`visible`), the bytes themselves, sent with the part.

A part names the file by its absolute path and its stamp (size and modification time) as the
splitter saw it: a worker that finds the file changed raises the located `InputError` of
`changed` instead of reading other bytes than the splitter counted lines in. `Unreadable` is what
a worker raises for bytes that are not UTF-8: the driver then raises the error one reader of the
whole file raises (`partitions.Partition.unreadable`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from .issue_parquet import CANNOT_READ


class Unreadable(Exception):
    """A part's bytes are not UTF-8 (a worker found it): the file cannot be read at all."""


def changed(file: str) -> InputError:
    return InputError([Problem(message="派单过程中文件被改动，请重新运行 (the file changed while it was being routed: "
                               "run it again)", file=file, code="changed")], CANNOT_READ)


def stamp_of(status: os.stat_result) -> tuple[int, int]:
    return status.st_size, status.st_mtime_ns


@dataclass(frozen=True)
class FileRange:
    """Bytes `start`–`end` of the file at `path` (absolute, as the driver sees it) whose size
    and modification time were `stamp` when it was cut — or, sent to a worker that cannot see
    the file, the bytes themselves (`data`)."""

    path: str
    start: int
    end: int
    stamp: tuple[int, int]
    data: bytes | None = None

    def read(self, file: str) -> bytes:
        if self.data is not None:
            return self.data
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except OSError as error:  # removed since it was cut, or a worker that joined without the disk
            message = (f"Dask 工作进程无法读取该文件，请重新运行 (a worker cannot read the file: {error.strerror}; "
                       "run it again)")
            raise InputError([Problem(message=message, file=file, code="io-error")], CANNOT_READ) from None
        try:
            if stamp_of(os.fstat(descriptor)) != self.stamp:
                raise changed(file)
            chunks = []
            at = self.start
            while at < self.end:
                chunk = os.pread(descriptor, self.end - at, at)
                if not chunk:
                    raise changed(file)
                chunks.append(chunk)
                at += len(chunk)
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class ParquetSlice:
    """Rows `offset`… (`length` of them) of row group `group` of the Parquet file at `path` —
    or, sent to a worker that cannot see the file, those rows as Arrow IPC bytes (`data`)."""

    path: str
    group: int
    offset: int
    length: int
    stamp: tuple[int, int]
    last: bool  # the group's last slice: the group need not be kept after it
    data: bytes | None = None

    def table(self, file: str) -> Any:
        import pyarrow as pa

        if self.data is not None:
            return pa.ipc.open_stream(self.data).read_all()
        table = _row_group(self.path, self.stamp, self.group, file)
        if self.last:
            _last_group.clear()
        return table.slice(self.offset, self.length)

    def ipc(self, file: str) -> bytes:
        import pyarrow as pa

        piece = self.table(file)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, piece.schema) as writer:
            writer.write_table(piece)
        return bytes(sink.getvalue().to_pybytes())


_last_group: dict[tuple[str, tuple[int, int], int], Any] = {}  # per process: the row group read last


def _row_group(path: str, stamp: tuple[int, int], group: int, file: str) -> Any:
    """Row group `group` of the file (kept for the next slice of it: a group of a million rows
    is cut into many parts, and a worker is often given the next one)."""
    from .issue_parquet import parquet_file, read_row_group

    key = (path, stamp, group)
    table = _last_group.get(key)
    if table is None:
        if stamp_of(os.stat(path)) != stamp:
            raise changed(file)
        table = read_row_group(parquet_file(Path(path), file), group, file)
        _last_group.clear()
        _last_group[key] = table
    return table


def visible(path: str, stamp: tuple[int, int]) -> bool:
    """Whether this process sees the file a part names as the splitter saw it (run on workers)."""
    try:
        return stamp_of(os.stat(path)) == stamp
    except OSError:
        return False


__all__ = ["FileRange", "ParquetSlice", "Unreadable", "changed", "stamp_of", "visible"]
