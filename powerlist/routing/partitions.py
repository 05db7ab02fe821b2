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
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn

from ..errors import Problem
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
from .part_sources import FileRange, ParquetSlice, Unreadable, changed, stamp_of, visible

ROWS = 5_000  # records a part, by default
TAIL = 4  # parts' worth of the file cut finer at its end, by default (twice the workers of a small cluster)
# A line that is not blank: what `jsonl_records` skips is a line `str.strip` empties, and `\s`
# is the same whitespace (Py_UNICODE_ISSPACE) — "\n" aside, which ends the line.
_NOT_BLANK = re.compile(r"^[^\S\n]*\S", re.MULTILINE)
# A line of UTF-8 bytes that may be blank: one that does not start with a printable ASCII byte.
_MAYBE_BLANK = re.compile(rb"\n(?![!-~])")
_SAMPLE = 1 << 20  # bytes read to measure a JSONL file's lines


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
            if isinstance(text, FileRange):
                try:
                    text = text.read(self.file).decode("utf-8")
                except UnicodeDecodeError:  # it decoded when it was cut: it changed since
                    raise changed(self.file) from None
            offset = self.first_line - 1
            rows = ((number + offset, values) for number, values in
                    data_rows(csv.reader(io.StringIO(text, newline=""))))
            return csv_records(rows, header, known, self.file)
        from .issue_parquet import parquet_rows

        table = self.data.table(self.file)
        return parquet_records(parquet_rows(table, self.file, self.first_line), self.file)

    @property
    def _range(self) -> FileRange | ParquetSlice | None:
        found = self.data[2] if self.kind == "csv" else self.data
        return found if isinstance(found, (FileRange, ParquetSlice)) and found.data is None else None

    @property
    def source(self) -> tuple[str, tuple[int, int]] | None:
        """(path, stamp) of the file a worker reads this part from itself; None when the part
        carries its records."""
        found = self._range
        return (found.path, found.stamp) if found is not None else None

    def detached(self) -> Partition:
        """This part carrying its bytes, for a worker that cannot see the file."""
        found = self._range
        if isinstance(found, ParquetSlice):
            return replace(self, data=replace(found, data=found.ipc(self.file)))
        if found is None:
            return self
        carried = replace(found, data=found.read(self.file))
        return replace(self, data=(*self.data[:2], carried) if self.kind == "csv" else carried)

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


def split(path: str | Path, encoding: str = "utf-8", rows: int = ROWS,
          tail: int = TAIL) -> tuple[int, list[Partition]]:
    """(records in all, the parts) of an issue file; raises what `read_issues` raises for a file
    that cannot be read at all. The last `tail` parts' worth of the file is cut in parts of a
    quarter the size, so that the workers (give their number, or twice it) finish together
    instead of one routing the last part alone."""
    if rows < 1 or tail < 0:
        raise ValueError("rows must be at least 1, tail at least 0")
    path, file, suffix = issue_file(path)
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    if suffix in JSONL_SUFFIXES:
        if utf8 and suffix != ".json":
            return _split_jsonl_bytes(path, file, rows, tail)
        text = decode(path, file, encoding, CANNOT_READ)
        if not is_json_array(path, text):
            return _split_jsonl(text, file, rows, tail)
    elif suffix in CSV_SUFFIXES:
        with path.open("rb") as handle:  # the file as it is decoded (a file changed since fails its parts)
            status, bom = os.fstat(handle.fileno()), handle.read(3) == codecs.BOM_UTF8
        text = decode(path, file, encoding, CANNOT_READ)
        whole = FileRange(os.path.abspath(path), 3 if bom else 0, status.st_size, stamp_of(status)) if utf8 else None
        return _split_csv(text, file, rows, tail, whole)
    elif suffix in PARQUET_SUFFIXES:
        return _split_parquet(path, file, rows, tail)
    return _split_records(list(read_issues(path, encoding)), file, rows, tail)


def _step(left: int, step: int, tail: int) -> int:
    """A part's size (in bytes, characters or records) with `left` of the file still to cut."""
    return step if left > tail * step else max(1, step // 4)


def _split_jsonl_bytes(path: Path, file: str, rows: int, tail: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        size = status.st_size
        if size == 0:
            return 0, parts
        whole = FileRange(os.path.abspath(path), 0, size, stamp_of(status))
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            start = len(codecs.BOM_UTF8) if view[:3] == codecs.BOM_UTF8 else 0
            sample = view[start:start + _SAMPLE]
            step = max(1, len(sample) * rows // (sample.count(b"\n") + 1))  # `rows` lines' worth of bytes
            line, position = 1, 1
            while start < size:
                end = view.find(b"\n", min(start + _step(size - start, step, tail), size) - 1)
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


def _split_jsonl(text: str, file: str, rows: int, tail: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    newlines = text.count("\n")
    # Cut by characters at a line end near `rows` lines of the file's average length.
    size = max(1, len(text) * rows // max(1, newlines + 1))
    start, line, position = 0, 1, 1
    while start < len(text):
        end = text.find("\n", min(start + _step(len(text) - start, size, tail), len(text)) - 1)
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


def _split_csv(text: str, file: str, rows: int, tail: int, whole: FileRange | None) -> tuple[int, list[Partition]]:
    """CSV cut after complete records, found by the csv module itself, in C: a part's rows are
    consumed with `islice` and counted with `map` (a row counts when its cells are not all
    blank, as `data_rows` has it), and the text read so far (`StringIO.tell`) is where the part
    ends. A row the csv module cannot read (rare) has the file cut by `_split_csv_exact`.
    `whole`: the UTF-8 file the text was decoded from, for parts its workers read themselves."""
    header, known, _ = csv_header(text, file)  # the same checks and errors as the reader's
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer)
    next(reader)  # the header, read as csv_header read it
    start = body = buffer.tell()
    at = whole.start + len(text[:start].encode("utf-8")) if whole is not None else 0
    line, position, step = reader.line_num + 1, 1, rows
    parts: list[Partition] = []
    while start < len(text):
        try:
            count = sum(map(bool, map(str.strip, map("".join, islice(reader, step)))))
        except csv.Error:
            return _split_csv_exact(text, file, rows, tail)
        end = buffer.tell()
        if count:
            piece: Any = (header, known, text[start:end])
            if whole is not None:
                size = len(piece[2].encode("utf-8"))
                piece = (header, known, replace(whole, start=at, end=at + size))
                at += size
            parts.append(Partition(len(parts), file, "csv", line, position, count, piece, reader.line_num - line + 1))
        elif whole is not None:
            at += len(text[start:end].encode("utf-8"))
        line, position, start = reader.line_num + 1, position + count, end
        # the rows left, as many as their characters at the average row's length so far
        step = _step((len(text) - end) * (line - 1) // max(1, end - body), rows, tail)
    return position - 1, parts


def _split_csv_exact(text: str, file: str, rows: int, tail: int) -> tuple[int, list[Partition]]:
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

    step, body = rows, start
    for number, values in data_rows(reader):
        count += 1
        if count >= step and not isinstance(values, csv.Error):
            cut(ends[number - 1], number)
            # the records left, as many as their characters at the average record's length so far
            left = (len(text) - ends[number - 1]) * (position - 1) // max(1, ends[number - 1] - body)
            step = _step(left, rows, tail)
    cut(len(text), len(ends))
    return position - 1, parts


def _split_parquet(path: Path, file: str, rows: int, tail: int) -> tuple[int, list[Partition]]:
    from .issue_parquet import parquet_file

    handle = parquet_file(path, file)
    stamp = stamp_of(os.stat(path))
    parts: list[Partition] = []
    row, total = 1, handle.metadata.num_rows
    for group in range(handle.num_row_groups):
        length = handle.metadata.row_group(group).num_rows
        offset = 0
        while offset < length:
            count = min(_step(total - row + 1, rows, tail), length - offset)
            piece = ParquetSlice(os.path.abspath(path), group, offset, count, stamp, offset + count == length)
            parts.append(Partition(len(parts), file, "parquet", row, row, count, piece, count))
            row += count
            offset += count
    return row - 1, parts


def _split_records(records: list[IssueRecord], file: str, rows: int, tail: int) -> tuple[int, list[Partition]]:
    parts: list[Partition] = []
    start = 0
    while start < len(records):
        piece = tuple(records[start:start + _step(len(records) - start, rows, tail)])
        parts.append(Partition(len(parts), file, "records", 0, start + 1, len(piece), piece, len(piece)))
        start += len(piece)
    return len(records), parts


__all__ = ["ROWS", "TAIL", "FileRange", "ParquetSlice", "Partition", "Unreadable", "Uses", "split", "uses_of",
           "visible"]
