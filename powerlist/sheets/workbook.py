"""Reading hand-made spreadsheets safely: one place for every .xlsx reader in powerlist.

Staffing offices' workbooks are made by hand: title rows above the header, merged cells,
blank rows, full-width spaces, numbers stored as text, line breaks inside cells. They also
arrive renamed, truncated or hostile. This module opens a workbook only after checking the
file, finds a sheet's header row by a vocabulary of aliases, streams its rows (openpyxl
read-only), applies merged-cell inheritance, and turns every failure into an `InputError`
that names the file, sheet and cell.

Checks made before openpyxl sees the file, each failing with `InputError`:

| check | limit |
|---|---|
| the path exists and is a regular file | |
| file size | `MAX_FILE_BYTES` (100 MiB) |
| magic bytes: a zip (``PK``); an OLE2 .xls (``D0 CF 11 E0``) or text renamed .xlsx is refused | |
| the zip's central directory reads (a truncated or corrupt zip is refused) | |
| number of parts | `MAX_PARTS` (10,000) |
| declared uncompressed size of one part | `MAX_PART_BYTES` (256 MiB) |
| declared uncompressed size of all parts | `MAX_TOTAL_BYTES` (1 GiB) |
| compression ratio of a part over 1 MiB (real sheets: 5–20:1) | `MAX_RATIO` (500:1) |
| the parts a workbook needs: ``[Content_Types].xml`` and ``xl/workbook.xml`` | |

Python's zipfile never inflates more than a part's declared size (a part that inflates
further fails its CRC check), so checking declared sizes bounds the memory a zip bomb can
take. XML entity expansion is refused by defusedxml, which openpyxl uses when installed.
Any single cell is capped at `MAX_CELL_CHARS` (32,767 characters, Excel's own limit).

Formula cells are read from their cached values (openpyxl ``data_only``). A formula cell
without a cached value (a file written by a program that never calculated it) in a column
that is read, below the header, is an error naming the cell; elsewhere it is ignored. The
sheet XML is scanned for ``<f>`` elements without ``<v>`` in one streaming pass (regular
expressions over the inflated bytes) that also collects the merged ranges, which read-only
openpyxl does not expose; it costs a fraction of openpyxl's own parse.

Merged cells: every cell of a merged range reads the value of the range's top-left cell.
A row whose mapped cells are all empty (before inheritance) is blank and skipped.
Hidden and very hidden sheets are never read; `Workbook.sheets` lists them with `hidden`.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)

from ..errors import InputError, Problem, ProblemCollector

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PARTS = 10_000
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 500
RATIO_CHECK_FROM = 1024 * 1024
MAX_CELL_CHARS = 32_767
MAX_MERGED_RANGES = 200_000
HEADER_SCAN_ROWS = 20
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# ---- text normalisation --------------------------------------------------------------------

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]+")
_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_HEADER_NOTE = re.compile(r"\([^)]*\)|[*※:：]")


def normalise_header(value: Any) -> str:
    """A header cell as matched against a vocabulary: NFKC (full-width → half-width), no
    whitespace at all (spaces, U+3000, line breaks), no bracketed remark such as "(必填)"
    and no "*" marker."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", cell_text(value) or "")
    text = _SPACE.sub("", text)
    return _HEADER_NOTE.sub("", text)


def clean_line(value: str) -> str:
    """One-line text as loaded: whitespace runs (U+3000, NBSP, line breaks) become one space,
    none at the ends and none between two Chinese characters. Characters are kept as written
    (full-width punctuation in a name is correct Chinese)."""
    text = _SPACE.sub(" ", value).strip()
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
    return _SPACE.sub("", unicodedata.normalize("NFKC", value))


def clean_token(value: str) -> str:
    """A keyword such as a kind, a mode, 是/否: NFKC and no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", value))


class _Refused:
    """A cell already reported as unusable (see `cell_problem`): reads as empty, and a
    reader checking required cells skips it (`is_refused`) so it is reported once."""

    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Any = _Refused()


def is_refused(value: Any) -> bool:
    return value is REFUSED


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
    return value is None or (isinstance(value, str) and not _SPACE.sub("", value))


# ---- vocabularies and headers --------------------------------------------------------------


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


def _match_header(values: tuple[Any, ...], vocabulary: Vocabulary) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        name = vocabulary.lookup.get(normalise_header(value))
        if name is not None:
            found.setdefault(name, []).append(index)
    return found


# ---- the workbook --------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    name: str
    hidden: bool


@dataclass
class SheetRow:
    """One non-blank data row: raw cell values (after merged-cell inheritance) by field.

    `merged[field]` is `(anchor, n)` when the field's cell lies in a merged range spanning
    several rows: `anchor` the range's top-left cell (e.g. "B5") and `n` this row's position
    (1-based) among the non-blank rows of that range."""

    number: int
    values: dict[str, Any]
    merged: dict[str, tuple[str, int]]
    extra: dict[str, tuple[Any, ...]]  # every column's value of a `multi` field


@dataclass
class _Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    anchor_value: Any = None
    seen: int = 0

    @property
    def anchor(self) -> str:
        return f"{get_column_letter(self.min_col)}{self.min_row}"


@dataclass
class SheetScan:
    merges: list[tuple[int, int, int, int]]
    uncached_formulas: list[str]  # cell refs, "?" when a cell carries no reference


def _input_error(file: str, message: str, *, code: str, sheet: str | None = None,
                 cell: str | None = None, value: str | None = None) -> InputError:
    problem = Problem(message=message, file=file, sheet=sheet, cell=cell, value=value, code=code)
    return InputError([problem], f"cannot read {file}")


def check_package(path: Path, file: str) -> None:
    """Refuse anything that is not a sane .xlsx package, before any XML is parsed."""
    try:
        if not path.exists():
            raise _input_error(file, "file not found", code="not-found")
        if not path.is_file():
            raise _input_error(file, "not a file (a directory or a device?)", code="not-a-file")
        size = path.stat().st_size
        if size == 0:
            raise _input_error(file, "the file is empty (0 bytes)", code="empty-file")
        if size > MAX_FILE_BYTES:
            raise _input_error(file, f"file of {size} bytes exceeds the limit of "
                               f"{MAX_FILE_BYTES} bytes", code="too-large")
        with path.open("rb") as handle:
            magic = handle.read(64)
    except OSError as error:
        raise _input_error(file, f"cannot open the file: {error.strerror or error}",
                           code="io-error") from error
    if magic.startswith(_OLE2_MAGIC[:4]):
        raise _input_error(file, "this is an old binary Excel file (.xls, OLE2) or another "
                           "Office 97 document: save it as .xlsx", code="not-xlsx")
    if not magic.startswith(_ZIP_MAGIC):
        kind = "text (a .csv or .txt renamed?)" if _looks_like_text(magic) else "unknown data"
        raise _input_error(file, f"not an .xlsx workbook: the file is {kind}", code="not-xlsx",
                           value=repr(magic[:16]))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except Exception as error:  # noqa: BLE001 — zipfile raises many types on a broken file
        raise _input_error(file, f"corrupt or truncated .xlsx (zip) file: {error}",
                           code="corrupt") from error
    _check_parts(infos, file)


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the head may end inside a multi-byte character
            try:
                head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
    return False


def _check_parts(infos: list[zipfile.ZipInfo], file: str) -> None:
    if len(infos) > MAX_PARTS:
        raise _input_error(file, f"the zip holds {len(infos)} parts, more than the limit of "
                           f"{MAX_PARTS} (a zip bomb?)", code="zip-bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise _input_error(file, f"part {info.filename} declares {info.file_size} bytes "
                               f"uncompressed, more than the limit of {MAX_PART_BYTES} "
                               "(a zip bomb?)", code="zip-bomb")
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _input_error(file, f"part {info.filename} inflates {info.file_size} bytes from "
                               f"{info.compress_size}, a ratio above {MAX_RATIO}:1 (a zip bomb?)",
                               code="zip-bomb")
    if total > MAX_TOTAL_BYTES:
        raise _input_error(file, f"the parts declare {total} bytes uncompressed, more than the "
                           f"limit of {MAX_TOTAL_BYTES} (a zip bomb?)", code="zip-bomb")
    names = {info.filename for info in infos}
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        raise _input_error(file, f"not a workbook: the package lacks {', '.join(missing)}",
                           code="not-xlsx")


_ROW_END = b"row>"
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+)[\"']"
)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb"\br=[\"']([A-Za-z]{1,3}[0-9]+)[\"']")
_CACHED = re.compile(rb"<(?:\w+:)?v(?:\s[^>/]*)?>")
_CHUNK = 4 * 1024 * 1024


def scan_sheet_xml(stream: Any) -> SheetScan:
    """Merged ranges and formula cells without a cached value, from a sheet's raw XML.

    Streams the part in chunks cut after a row's end, so memory stays at about one chunk."""
    merges: list[tuple[int, int, int, int]] = []
    uncached: list[str] = []
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        if chunk:
            buffer = carry + chunk
            cut = buffer.rfind(_ROW_END)
            if cut < 0:
                carry = buffer
                continue
            cut += len(_ROW_END)
            segment, carry = buffer[:cut], buffer[cut:]
        else:
            segment, carry = carry, b""
        for match in _MERGE_REF.finditer(segment):
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode("ascii"))
            merges.append((min_row, min_col, max_row, max_col))
        if _FORMULA.search(segment):
            uncached.extend(_uncached_formulas(segment))
        if not chunk:
            return SheetScan(merges, uncached)


def _uncached_formulas(segment: bytes) -> Iterator[str]:
    position = 0
    while (found := _FORMULA.search(segment, position)) is not None:
        start = -1
        window = max(0, found.start() - 4096)
        for start_match in _CELL_START.finditer(segment, window, found.start()):
            start = start_match.start()
        end_match = _CELL_END.search(segment, found.end())
        end = end_match.end() if end_match else len(segment)
        body = segment[found.start():end]
        if not _CACHED.search(body):
            head_end = segment.find(b">", start) if start >= 0 else -1
            ref = _CELL_REF.search(segment, start, head_end) if start >= 0 else None
            yield ref.group(1).decode("ascii").upper() if ref else "?"
        position = end


class Workbook:
    """An .xlsx workbook opened safely, read-only, with cached formula values.

    Use as a context manager. `file` is the name problems report (the path as given)."""

    def __init__(self, path: str | Path, file: str | None = None) -> None:
        self.path = Path(path)
        self.file = file if file is not None else str(path)
        check_package(self.path, self.file)
        try:
            self._book = load_workbook(self.path, read_only=True, data_only=True,
                                       keep_links=False)
        except InputError:
            raise
        except Exception as error:  # noqa: BLE001 — any library failure is a bad file
            raise _input_error(self.file, _describe(error, "cannot open the workbook"),
                               code="corrupt") from error
        try:
            self._archive = zipfile.ZipFile(self.path)
        except Exception as error:  # noqa: BLE001
            self._book.close()
            raise _input_error(self.file, _describe(error, "cannot open the workbook"),
                               code="corrupt") from error
        self._sheets = {ws.title: ws for ws in self._book.worksheets}

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._book.close()
        self._archive.close()

    @property
    def sheets(self) -> list[SheetInfo]:
        return [SheetInfo(ws.title, ws.sheet_state != "visible") for ws in self._sheets.values()]

    def _scan(self, sheet: str) -> SheetScan:
        part = str(self._sheets[sheet]._worksheet_path).lstrip("/")
        try:
            with self._archive.open(part) as stream:
                return scan_sheet_xml(stream)
        except Exception as error:  # noqa: BLE001 — inflating or reading the part failed
            raise _input_error(self.file, _describe(error, "cannot read the sheet"),
                               code="corrupt", sheet=sheet) from error

    def _raw_rows(self, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        ws = self._sheets[sheet]
        ws.reset_dimensions()  # a wrong <dimension> would silently cut rows off
        rows = ws.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 — openpyxl failed on the sheet's XML
                raise _input_error(self.file, _describe(error, "cannot read the sheet"),
                                   code="corrupt", sheet=sheet,
                                   cell=f"A{number + 1}" if number else None) from error
            number += 1
            yield number, values

    def is_empty(self) -> bool:
        """True when no visible sheet holds any value."""
        for info in self.sheets:
            if info.hidden:
                continue
            for _, values in self._raw_rows(info.name):
                if any(not is_blank(v) for v in values):
                    return False
        return True

    def tables(self, vocabulary: Vocabulary, problems: ProblemCollector
               ) -> Iterator[tuple[str, Header, Iterator[SheetRow]]]:
        """(sheet name, header, rows) of every visible sheet in which `table` finds a header,
        in workbook order."""
        for info in self.sheets:
            if info.hidden:
                continue
            header, rows = self.table(info.name, vocabulary, problems)
            if header is not None:
                yield info.name, header, rows

    def table(self, sheet: str, vocabulary: Vocabulary, problems: ProblemCollector
              ) -> tuple[Header | None, Iterator[SheetRow]]:
        """Find `sheet`'s header and stream its non-blank data rows.

        Returns (None, empty) when the sheet has no header (problems are added when a row
        looks like a header but lacks a required column). Problems in cells (too long, a
        formula without cached value, a duplicate column) go to `problems`; the rows keep
        coming so that every problem of the file is found in one pass."""
        scan = self._scan(sheet)
        if len(scan.merges) > MAX_MERGED_RANGES:
            problems.add(f"{len(scan.merges)} merged ranges, more than the limit of "
                         f"{MAX_MERGED_RANGES}", sheet=sheet, code="too-many-merges")
            return None, iter(())
        rows = self._raw_rows(sheet)
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
            return None, iter(())
        number, found = best
        missing = [name for name in vocabulary.required if name not in found]
        if missing:
            labels = "、".join(vocabulary.label(name) for name in missing)
            problems.add(f"header row lacks a required column: {labels}", sheet=sheet,
                         cell=f"A{number}", row=number, code="missing-column")
            return None, iter(())
        columns: dict[str, tuple[int, ...]] = {}
        for name, indexes in found.items():
            if len(indexes) > 1 and name not in vocabulary.multi:
                cells = "、".join(f"{get_column_letter(i + 1)}{number}" for i in indexes)
                problems.add(f"two columns for {vocabulary.label(name)}: {cells}", sheet=sheet,
                             cell=f"{get_column_letter(indexes[1] + 1)}{number}",
                             code="duplicate-column")
            columns[name] = tuple(indexes)
        header = Header(sheet, number, columns)
        read = {i + 1 for cols in columns.values() for i in cols}
        for ref in scan.uncached_formulas:
            if ref != "?":  # a formula in a title row or an ignored column is never read
                letters, row_number = coordinate_from_string(ref)
                if row_number <= number or column_index_from_string(letters) not in read:
                    continue
            problems.add("formula without a cached value: open the file in Excel or WPS and "
                         "save it, or type the value", sheet=sheet,
                         cell=None if ref == "?" else ref, code="formula-no-value")
        remaining = (item for item in head if item[0] > number)
        return header, self._data_rows(sheet, header, vocabulary, scan.merges,
                                       _chain(remaining, rows), problems)

    def _data_rows(self, sheet: str, header: Header, vocabulary: Vocabulary,
                   merge_boxes: list[tuple[int, int, int, int]],
                   rows: Iterator[tuple[int, tuple[Any, ...]]],
                   problems: ProblemCollector) -> Iterator[SheetRow]:
        used = sorted({i for cols in header.columns.values() for i in cols})
        checked = [i for i in used if i not in {
            c for name in vocabulary.free_text for c in header.columns.get(name, ())}]
        wanted = {i + 1 for i in used}
        merges = sorted(
            (_Merge(*box) for box in merge_boxes
             if box[2] > header.row and box[0] > header.row and box[2] > box[0]
             and any(box[1] <= c <= box[3] for c in wanted)),
            key=lambda m: m.min_row,
        )
        single = [(name, cols[0]) for name, cols in header.columns.items()]
        multi = [(name, cols) for name, cols in header.columns.items() if len(cols) > 1]
        active: list[_Merge] = []
        pending = 0
        for number, values in rows:
            width = len(values)
            while pending < len(merges) and merges[pending].min_row <= number:
                active.append(merges[pending])
                pending += 1
            if active:
                active = [m for m in active if m.max_row >= number]
            blank = True
            for i in used:
                if i < width and not is_blank(values[i]):
                    blank = False
                    break
            if not blank:
                bad = None
                for i in checked:
                    if i < width and isinstance(values[i], str):
                        found = cell_problem(values[i])
                        if found is not None:
                            problems.add(found[1], sheet=sheet, code=found[0],
                                         cell=f"{get_column_letter(i + 1)}{number}",
                                         value=values[i][:40])
                            bad = bad or list(values)
                            bad[i] = REFUSED
                if bad is not None:
                    values = tuple(bad)
            for merge in active:
                if merge.min_row == number:
                    anchor = values[merge.min_col - 1] if merge.min_col <= width else None
                    if isinstance(anchor, str) and cell_problem(anchor) is not None:
                        anchor = REFUSED
                    merge.anchor_value = anchor
            if blank:
                continue
            row = {name: (values[col] if col < width else None) for name, col in single}
            merged: dict[str, tuple[str, int]] = {}
            if active:
                values = _inherit(values, active, wanted)
                width = len(values)
                for merge in active:
                    merge.seen += 1
                for name, col in single:
                    for merge in active:
                        if merge.min_col <= col + 1 <= merge.max_col:
                            row[name] = values[col]
                            merged[name] = (merge.anchor, merge.seen)
                            break
            extra = {name: tuple(values[c] if c < width else None for c in cols)
                     for name, cols in multi}
            yield SheetRow(number, row, merged, extra)


EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!"})
# The pieces of formula text (see `cell_problem`): a function call, a DDE link, and an
# operand (a number, a name or a cell reference, a "string", in optional parentheses) between
# operators. White space is matched only around operators, so a long hostile cell is matched
# in linear time.
_CALL = r"[A-Za-z_][\w.]*\s*\("
_DDE = r"\w+\|\s*'"
_OPERAND = r"\(*(?:\d+(?:\.\d*)?%?|\$?[A-Za-z_][\w.$]*|\"[^\"]*\")\)*"  # no white space: no backtracking
_FORMULA_TEXT = re.compile(rf"""\s*(?:
      =                                     # anything after =
    | [@+\-]\s*{_CALL}                      # a signed function call: @SUM(, -cmd(
    | [@+\-]?\s*{_DDE}                      # a DDE link, signed or not: cmd|' /C calc'!A0
    | [@+\-]\s*(?:{_OPERAND}\s*[-+*/^&]\s*)+  # signed arithmetic: +1+1, -2+3+cmd|'…'
      (?:{_CALL}|{_DDE}|{_OPERAND}\s*$)
)""", re.VERBOSE)
_TRIGGERS = frozenset("=@+-#") | frozenset(" \t\u3000\u00a0")


def cell_problem(value: str) -> tuple[str, str] | None:
    """(code, message) when a text cell cannot be taken as data, else None:

    - ``cell-too-long``: more than `MAX_CELL_CHARS` characters;
    - ``error-value``: an Excel error (#N/A, #REF! …), a formula's cached failure;
    - ``formula-text``: text a spreadsheet program would run as a formula. After any leading
      white space, that is text
        - starting with "=" (``=1``, ``=HYPERLINK(…)``);
        - starting with "@", "+" or "-" followed by a function call (``@SUM(``, ``-cmd(1)``);
        - starting with a DDE link, with or without a sign (``cmd|' /C calc'!A0``);
        - starting with "@", "+" or "-" followed by an arithmetic expression: two or more
          operands (numbers, names such as ``cmd`` or ``A1``, "strings", optionally in parentheses)
          joined by + - * / ^ &, up to the end of the text or to a function call or a DDE
          link (``+1+1``, ``-(1+1)``, ``-2+3+cmd|' /C calc'!A0``, and so ``+86-138-0000``).
      Such a value is refused, not loaded, so it can never travel from a user's file into a
      report. A sign before one value is data, not a formula: ``-``, ``-1``, ``+86 0714``
      (operands side by side, no operator), ``-住建``, ``@街道``; so are text that does not
      start like a formula (``A|B``, ``#1 事项``) and arithmetic followed by other text
      (``-1 + 2 个``), which no spreadsheet program can run."""
    if len(value) > MAX_CELL_CHARS:
        return "cell-too-long", (f"cell of {len(value)} characters, more than the limit of "
                                 f"{MAX_CELL_CHARS}")
    if not value or value[0] not in _TRIGGERS and "|" not in value:
        return None
    text = value.strip()
    if text in EXCEL_ERRORS:
        return "error-value", "the cell holds an Excel error value: fix the formula or the value"
    if _FORMULA_TEXT.match(text):
        return "formula-text", ("text that a spreadsheet program would run as a formula "
                                "(formula injection?): remove the leading =, +, - or @")
    return None


def _inherit(values: tuple[Any, ...], active: list[_Merge], wanted: set[int]) -> tuple[Any, ...]:
    filled = list(values)
    need = max(m.max_col for m in active)
    if len(filled) < need:
        filled.extend([None] * (need - len(filled)))
    for merge in active:
        for col in range(merge.min_col, merge.max_col + 1):
            if col in wanted:
                filled[col - 1] = merge.anchor_value
    return tuple(filled)


def _chain(first: Iterable[Any], second: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from second


def drop_shadowed(problems: list[Problem]) -> list[Problem]:
    """Without the "empty cell" problems of cells already reported as formulas without a
    cached value (the same cell, one cause)."""
    formulas = {(p.sheet, p.cell) for p in problems if p.code == "formula-no-value"}
    if not formulas:
        return problems
    return [p for p in problems
            if not (p.code in ("empty-cell", "empty-code") and (p.sheet, p.cell) in formulas)]


def _describe(error: BaseException, what: str) -> str:
    name = type(error).__name__
    cause: BaseException | None = error
    for _ in range(10):  # openpyxl re-raises parser errors as a plain ValueError
        if cause is None:
            break
        unsafe = type(cause).__name__
        if "Entities" in unsafe or "DTD" in unsafe or "ExternalReference" in unsafe:
            return f"{what}: the XML declares entities or a DTD, refused as unsafe ({unsafe})"
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, zlib.error | zipfile.BadZipFile | EOFError):
        return f"{what}: corrupt or truncated data ({error})"
    if isinstance(error, KeyError):
        return f"{what}: a part of the workbook is missing ({error})"
    detail = str(error).strip() or name
    return f"{what}: {_short(detail)} ({name})"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
