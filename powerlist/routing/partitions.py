"""An issue file in parts — 分片: the same records `issue_io.read_issues` gives, read part by part.

`split(path)` cuts the file into `Partition`s of about `rows` records each, every part knowing
where it starts — its first line (or row) of the file and its first record's position among all
records — so that a part read anywhere numbers its lines, rows and "#N" positions exactly as one
reader of the whole file does. A file that cannot be read at all raises the located `InputError`
`read_issues` raises (its header, its format), before any part exists:

- JSONL in UTF-8: cut by bytes. The splitter only finds cut points — the first line start after
  every `rows` lines' worth of bytes — and counts the lines and the non-blank ones before each
  (a pass over the file in C: `bytes.count`, and a regex that stops only at lines that do not
  start with a printable ASCII character, the few that can be blank). Each part is a byte range
  (`FileRange`) its worker reads from the shared disk and decodes itself; a worker that cannot
  see the file gets the bytes sent (`Partition.detached`). Bytes that are not UTF-8 are found by
  the worker (`Unreadable`), and `Partition.unreadable` raises the error `read_issues` raises.
- JSONL in another encoding and a .json file: the decoded text, cut at line ends ("\\n").
- CSV: the decoded text, cut after a complete record (the csv module parses the file once here
  to find them, so a quoted cell with line breaks is never cut), the header row given to every part.
- Parquet: row groups sliced to size (`ParquetSlice`, from the file's metadata only): each
  worker reads its slice's row group from the shared disk (keeping the last one read, for the
  next slice of the same group), or is sent the slice's rows as Arrow IPC bytes.
- XLSX and a .json array: read here whole (`read_issues`), their records handed out in slices.

`Partition.records(seen, first)` gives the part's records with ids checked for duplicates as
`read_issues` checks them: `seen` names ids used by earlier parts (id → "row 7"), `first`
collects where each id is first used in this part. A worker sends back only `Uses` — the ids
its part uses, their rows, and what is needed to decide those records again — so that the
driver, reading the results in order, finds an id an earlier part used
(`powerlist.routing.parallel.FirstUse`) and has the few records that use it again decided where
the results meet. tests/test_partitions.py proves the parts' records, in order, equal
`read_issues` on files of every format, with blank lines, broken lines, quoted line breaks and
duplicate ids across parts.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from ..errors import InputError, Problem
from ..sheets.csvfiles import data_rows, decode
from .issue_io import (
    CANNOT_READ,
    CSV_SUFFIXES,
    JSONL_SUFFIXES,
    PARQUET_SUFFIXES,
    IssueRecord,
    csv_header,
    csv_records,
    has_id,
    is_json_array,
    issue_file,
    jsonl_records,
    parquet_records,
    read_issues,
    unique_ids,
)

ROWS = 5_000  # records a part, by default
# A line that is not blank: what `jsonl_records` skips is a line `str.strip` empties, and `\s`
# is the same whitespace (Py_UNICODE_ISSPACE) — "\n" aside, which ends the line.
_NOT_BLANK = re.compile(r"^[^\S\n]*\S", re.MULTILINE)
# A line of UTF-8 bytes that may be blank: one that does not start with a printable ASCII byte.
_MAYBE_BLANK = re.compile(rb"\n(?![!-~])")
_SAMPLE = 1 << 20  # bytes read to measure a JSONL file's lines


class Unreadable(Exception):
    """A part's bytes are not UTF-8 (a worker found it): the file cannot be read at all."""


def changed(file: str) -> InputError:
    return InputError([Problem(message="派单过程中文件被改动，请重新运行 (the file changed while it was being routed: "
                               "run it again)", file=file, code="changed")], CANNOT_READ)


def _stamp(status: os.stat_result) -> tuple[int, int]:
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
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            if _stamp(os.fstat(descriptor)) != self.stamp:
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
        if _stamp(os.stat(path)) != stamp:
            raise changed(file)
        table = read_row_group(parquet_file(Path(path), file), group, file)
        _last_group.clear()
        _last_group[key] = table
    return table


@dataclass(frozen=True)
class Partition:
    """One part of an issue file: its records, and where they stand in the whole file."""

    index: int  # 0-based, in file order
    file: str
    kind: str  # "jsonl" | "csv" | "parquet" | "records"
    first_line: int  # first line (JSONL, CSV) or row (Parquet) of the file in this part
    first_position: int  # the position of its first record among the file's records, from 1
    count: int  # records in this part
    # JSONL: a FileRange, or text; CSV: (header, known, text); Parquet: a ParquetSlice; records: tuple
    data: Any
    lines: int = 0  # lines (JSONL, CSV) or rows (Parquet) of the file in this part

    def records(self, seen: Mapping[str, str] | None = None,
                first: dict[str, str] | None = None) -> Iterator[IssueRecord]:
        """This part's records, as `read_issues` gives them; see the module docstring."""
        if self.kind == "records":
            # Read whole by the splitter, duplicates already named across the file.
            return iter(self.data)
        return unique_ids(self.base_records(), seen, first)

    @property
    def checked(self) -> bool:
        """Whether its records' ids were checked across the whole file already (read whole)."""
        return self.kind == "records"

    def base_records(self) -> Iterator[IssueRecord]:
        """This part's records before their ids are checked for duplicates (`issue_io.check_id`;
        for a part read whole, already checked)."""
        if self.kind == "records":
            return iter(self.data)
        if self.kind == "jsonl":
            text = self.data
            if isinstance(text, FileRange):
                try:
                    text = text.read(self.file).decode("utf-8")
                except UnicodeDecodeError:
                    raise Unreadable(self.index) from None
            return jsonl_records(text, self.file, self.first_line)
        if self.kind == "csv":
            header, known, text = self.data
            offset = self.first_line - 1
            rows = ((number + offset, values) for number, values in
                    data_rows(csv.reader(io.StringIO(text, newline=""))))
            return csv_records(rows, header, known, self.file)
        from .issue_parquet import parquet_rows

        table = self.data.table(self.file)
        return parquet_records(parquet_rows(table, self.file, self.first_line), self.file)

    @property
    def source(self) -> tuple[str, tuple[int, int]] | None:
        """(path, stamp) of the file a worker reads this part from itself; None when the part
        carries its records."""
        if isinstance(self.data, (FileRange, ParquetSlice)) and self.data.data is None:
            return self.data.path, self.data.stamp
        return None

    def detached(self) -> Partition:
        """This part carrying its bytes, for a worker that cannot see the file."""
        if isinstance(self.data, FileRange) and self.data.data is None:
            return replace(self, data=replace(self.data, data=self.data.read(self.file)))
        if isinstance(self.data, ParquetSlice) and self.data.data is None:
            return replace(self, data=replace(self.data, data=self.data.ipc(self.file)))
        return self

    def unreadable(self) -> NoReturn:
        """On the driver, for a part a worker found `Unreadable`: the error `read_issues` raises."""
        assert isinstance(self.data, FileRange)
        decode(Path(self.data.path), self.file, "utf-8", CANNOT_READ)
        raise changed(self.file)  # it decodes now: it was not the file the workers read

    @property
    def where(self) -> str:
        """The lines (or rows) this part holds, for messages: "lines 5001–10000"."""
        if self.kind == "records":
            rows = [r.row for r in self.data]
            return f"rows {rows[0]}–{rows[-1]}" if rows else "no rows"
        unit = "rows" if self.kind == "parquet" else "lines"
        return f"{unit} {self.first_line}–{self.first_line + max(self.lines - 1, 0)}"


def visible(path: str, stamp: tuple[int, int]) -> bool:
    """Whether this process sees the file a part names as the splitter saw it (run on workers)."""
    try:
        return _stamp(os.stat(path)) == stamp
    except OSError:
        return False


# ---- the ids a part uses ------------------------------------------------------------------------


@dataclass(frozen=True)
class Uses:
    """A part's records that name an id, in file order, as columns (a part sends thousands):
    each one's id as checked (`IssueRecord.issue_id`), row, index among the part's records,
    category, and — for the few read with problems — its problems. Enough for the driver to find
    the ids an earlier part used, and to give `check_id` and `router.record_rejection` the record
    again (`record`). Parts read whole (XLSX) have no uses: their ids are checked already."""

    file: str
    ids: list[str] = field(default_factory=list)
    rows: array[int] = field(default_factory=lambda: array("q"))
    indexes: array[int] = field(default_factory=lambda: array("q"))
    categories: list[Any] = field(default_factory=list)
    problems: dict[int, tuple[Problem, ...]] = field(default_factory=dict)

    def record(self, n: int) -> IssueRecord:
        """Use `n`'s record as read (its id, row, category and problems)."""
        category = self.categories[n]
        data = {"id": self.ids[n]} if category is None else {"id": self.ids[n], "category": category}
        return IssueRecord(self.file, self.rows[n], data, self.problems.get(n, ()))


def uses_of(records: Iterable[IssueRecord], file: str) -> Uses:
    """The `Uses` of a part's records as read (before their ids are checked)."""
    uses = Uses(file)
    ids, rows, indexes, categories = uses.ids, uses.rows, uses.indexes, uses.categories
    same: dict[str, str] = {}  # one object a category: pickle sends a repeated object once
    for index, record in enumerate(records):
        if not has_id(record):
            continue
        assert record.sheet is None, "a sheet's rows are read whole"
        if record.problems:
            uses.problems[len(ids)] = record.problems
        ids.append(record.issue_id(record.row))
        rows.append(record.row)
        indexes.append(index)
        category = record.data.get("category")
        categories.append(same.setdefault(category, category) if type(category) is str else category)
    return uses


# ---- cutting a file -----------------------------------------------------------------------------


def split(path: str | Path, encoding: str = "utf-8", rows: int = ROWS) -> tuple[int, list[Partition]]:
    """(records in all, the parts) of an issue file; raises what `read_issues` raises for a file
    that cannot be read at all."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    path, file, suffix = issue_file(path)
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    if suffix in JSONL_SUFFIXES:
        if utf8 and suffix != ".json":
            return _split_jsonl_bytes(path, file, rows)
        text = decode(path, file, encoding, CANNOT_READ)
        if not is_json_array(path, text):
            return _split_jsonl(text, file, rows)
    elif suffix in CSV_SUFFIXES:
        return _split_csv(decode(path, file, encoding, CANNOT_READ), file, rows)
    elif suffix in PARQUET_SUFFIXES:
        return _split_parquet(path, file, rows)
    return _split_records(list(read_issues(path, encoding)), file, rows)


def _split_jsonl_bytes(path: Path, file: str, rows: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        size = status.st_size
        if size == 0:
            return 0, parts
        whole = FileRange(os.path.abspath(path), 0, size, _stamp(status))
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            start = len(codecs.BOM_UTF8) if view[:3] == codecs.BOM_UTF8 else 0
            sample = view[start:start + _SAMPLE]
            step = max(1, len(sample) * rows // (sample.count(b"\n") + 1))  # `rows` lines' worth of bytes
            line, position = 1, 1
            while start < size:
                end = view.find(b"\n", min(start + step, size) - 1)
                end = size if end < 0 else end + 1
                chunk = view[start:end]
                lines = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
                count = lines - _blank_lines(chunk)
                if count:
                    parts.append(Partition(len(parts), file, "jsonl", line, position, count,
                                           replace(whole, start=start, end=end), lines))
                line += chunk.count(b"\n")
                position += count
                start = end
    return position - 1, parts


def _blank_lines(chunk: bytes) -> int:
    """Lines of `chunk` (whole lines of UTF-8 JSONL) that `jsonl_records` skips as blank. Only a
    line that does not start with a printable ASCII byte can be: those few are decoded."""
    starts = [found.end() for found in _MAYBE_BLANK.finditer(chunk)]
    if not 0x21 <= chunk[0] <= 0x7E:
        starts.insert(0, 0)
    blank = 0
    for start in starts:
        if start == len(chunk):  # the line after the chunk's last line end: the next part's
            continue
        end = chunk.find(b"\n", start)
        # Bytes that are not UTF-8 fail the whole file (the worker finds them): any count will do.
        blank += not chunk[start:end if end >= 0 else len(chunk)].decode("utf-8", "replace").strip()
    return blank


def _split_jsonl(text: str, file: str, rows: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    newlines = text.count("\n")
    # Cut by characters at a line end near `rows` lines of the file's average length.
    size = max(1, len(text) * rows // max(1, newlines + 1))
    start, line, position = 0, 1, 1
    while start < len(text):
        end = text.find("\n", min(start + size, len(text)) - 1)
        end = len(text) if end < 0 else end + 1
        chunk = text[start:end]
        count = len(_NOT_BLANK.findall(chunk))
        lines = chunk.count("\n") + (not chunk.endswith("\n"))
        if count:
            parts.append(Partition(len(parts), file, "jsonl", line, position, count, chunk, lines))
        line += chunk.count("\n")
        position += count
        start = end
    return position - 1, parts


def _split_csv(text: str, file: str, rows: int) -> tuple[int, list[Partition]]:
    header, known, _ = csv_header(text, file)  # the same checks and errors as the reader's
    ends: list[int] = []

    def tracked() -> Iterator[str]:
        at = 0
        for physical in io.StringIO(text, newline=""):
            at += len(physical)
            ends.append(at)
            yield physical

    reader = csv.reader(tracked())
    next(reader)  # the header, read as csv_header read it
    parts: list[Partition] = []
    start = ends[-1] if ends else len(text)
    first_line, position, count = len(ends) + 1, 1, 0

    def cut(end: int, last_line: int) -> None:
        nonlocal start, first_line, position, count
        if count:
            parts.append(Partition(len(parts), file, "csv", first_line, position, count,
                                   (header, known, text[start:end]), last_line - first_line + 1))
        start, first_line, position, count = end, last_line + 1, position + count, 0

    for number, values in data_rows(reader):
        count += 1
        if count >= rows and not isinstance(values, csv.Error):
            cut(ends[number - 1], number)
    cut(len(text), len(ends))
    return position - 1, parts


def _split_parquet(path: Path, file: str, rows: int) -> tuple[int, list[Partition]]:
    from .issue_parquet import parquet_file

    handle = parquet_file(path, file)
    stamp = _stamp(os.stat(path))
    parts: list[Partition] = []
    row = 1
    for group in range(handle.num_row_groups):
        length = handle.metadata.row_group(group).num_rows
        for offset in range(0, length, rows):
            count = min(rows, length - offset)
            piece = ParquetSlice(os.path.abspath(path), group, offset, count, stamp, offset + count == length)
            parts.append(Partition(len(parts), file, "parquet", row, row, count, piece, count))
            row += count
    return row - 1, parts


def _split_records(records: list[IssueRecord], file: str, rows: int) -> tuple[int, list[Partition]]:
    parts = [Partition(n, file, "records", 0, start + 1, len(records[start:start + rows]),
                       tuple(records[start:start + rows]), len(records[start:start + rows]))
             for n, start in enumerate(range(0, len(records), rows))]
    return len(records), parts


__all__ = ["ROWS", "FileRange", "ParquetSlice", "Partition", "Unreadable", "Uses", "split", "uses_of", "visible"]
