"""The .xlsx package below openpyxl: the checks made before any XML is parsed, the scan of a
sheet's raw XML for what read-only openpyxl does not show, and the wording of a failure.

Checks made before openpyxl sees the file (`check_package`), each failing with `InputError`:

| check | limit |
|---|---|
| the path exists and is a regular file | |
| file size | `MAX_FILE_BYTES` (100 MiB) |
| magic bytes: a zip (``PK``); an OLE2 .xls (``D0 CF 11 E0``) or text renamed .xlsx is refused | |
| an OLE2 file holding an ``EncryptedPackage`` stream: a password-protected .xlsx, named as such | |
| the zip's central directory reads (a truncated or corrupt zip is refused) | |
| number of parts | `MAX_PARTS` (10,000) |
| declared uncompressed size of one part | `MAX_PART_BYTES` (256 MiB) |
| declared uncompressed size of all parts | `MAX_TOTAL_BYTES` (1 GiB) |
| compression ratio of a part over 1 MiB (real sheets: 5–20:1) | `MAX_RATIO` (500:1) |
| the parts a workbook needs: ``[Content_Types].xml`` and ``xl/workbook.xml`` | |
| a Strict Open XML workbook (namespace ``purl.oclc.org/ooxml``), which openpyxl reads as empty, is named as such | |

Python's zipfile never inflates more than a part's declared size (a part that inflates
further fails its CRC check), so checking declared sizes bounds the memory a zip bomb can
take. XML entity expansion is refused by defusedxml, which openpyxl uses when installed.

`scan_sheet_xml` finds, in one streaming pass (regular expressions over the inflated bytes),
the merged ranges, which read-only openpyxl does not expose, the formula cells (``<f>``)
without a cached value (``<v>``), and the first row whose number does not go forward (``r=``
5, 3, 3: some generators write this, and read-only openpyxl silently drops such rows, so the
sheet is refused rather than read short); it costs a fraction of openpyxl's own parse.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError, Problem
from .cellrefs import range_boundaries

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PARTS = 10_000
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 500
RATIO_CHECK_FROM = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def input_error(file: str, message: str, *, code: str, sheet: str | None = None,
                cell: str | None = None, value: str | None = None) -> InputError:
    """The `InputError` of a file that cannot be read at all: one problem."""
    problem = Problem(message=message, file=file, sheet=sheet, cell=cell, value=value, code=code)
    return InputError([problem], f"无法读取 {file} (cannot read {file})")


def check_package(path: Path, file: str) -> None:
    """Refuse anything that is not a sane .xlsx package, before any XML is parsed."""
    try:
        if not path.exists():
            raise input_error(file, "file not found", code="not-found")
        if not path.is_file():
            raise input_error(file, "not a file (a directory or a device?)", code="not-a-file")
        size = path.stat().st_size
        if size == 0:
            raise input_error(file, "the file is empty (0 bytes)", code="empty-file")
        if size > MAX_FILE_BYTES:
            raise input_error(file, f"file of {size} bytes exceeds the limit of "
                              f"{MAX_FILE_BYTES} bytes", code="too-large")
        with path.open("rb") as handle:
            magic = handle.read(64)
    except OSError as error:
        raise input_error(file, f"cannot open the file: {error.strerror or error}",
                          code="io-error") from error
    if magic.startswith(_OLE2_MAGIC[:4]):
        if _is_encrypted(path):
            raise input_error(file, "工作簿设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中取消密码后"
                              "另存为 .xlsx (the workbook is password-protected (encrypted) and cannot be "
                              "read: remove the password in Excel or WPS and save it again as .xlsx)",
                              code="encrypted")
        raise input_error(file, "this is an old binary Excel file (.xls, OLE2) or another "
                          "Office 97 document: save it as .xlsx", code="not-xlsx")
    if not magic.startswith(_ZIP_MAGIC):
        kind = "text (a .csv or .txt renamed?)" if _looks_like_text(magic) else "unknown data"
        raise input_error(file, f"not an .xlsx workbook: the file is {kind}", code="not-xlsx",
                          value=repr(magic[:16]))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_parts(infos, file)
            strict = _is_strict(archive)
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 — zipfile raises many types on a broken file
        raise input_error(file, f"corrupt or truncated .xlsx (zip) file: {error}",
                          code="corrupt") from error
    if strict:
        raise input_error(file, "这是“Strict Open XML 电子表格”格式，本软件无法读取：请在 Excel 中另存为“Excel 工作簿 "
                          "(*.xlsx)” (a Strict Open XML spreadsheet, which cannot be read: save it in Excel as "
                          "'Excel Workbook (*.xlsx)', not 'Strict Open XML Spreadsheet')", code="strict-ooxml")


_STRICT = b"purl.oclc.org/ooxml/spreadsheetml/main"


def _is_strict(archive: zipfile.ZipFile) -> bool:
    """True for a Strict Open XML workbook: its workbook part is in the ISO/IEC 29500 strict
    namespace (the transitional one is schemas.openxmlformats.org)."""
    with archive.open("xl/workbook.xml") as part:
        return _STRICT in part.read(4096)


def _is_encrypted(path: Path) -> bool:
    """True for an OLE2 compound file holding an encrypted OOXML package (what Excel writes for a
    workbook with an opening password): ECMA-376 part 2, streams EncryptionInfo and EncryptedPackage."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return bool(ole.exists("EncryptedPackage"))
    except Exception:  # noqa: BLE001 — a broken OLE2 file is simply not an encrypted workbook
        return False


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
        raise input_error(file, f"the zip holds {len(infos)} parts, more than the limit of "
                          f"{MAX_PARTS} (a zip bomb?)", code="zip-bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise input_error(file, f"part {info.filename} declares {info.file_size} bytes "
                              f"uncompressed, more than the limit of {MAX_PART_BYTES} "
                              "(a zip bomb?)", code="zip-bomb")
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise input_error(file, f"part {info.filename} inflates {info.file_size} bytes from "
                              f"{info.compress_size}, a ratio above {MAX_RATIO}:1 (a zip bomb?)",
                              code="zip-bomb")
    if total > MAX_TOTAL_BYTES:
        raise input_error(file, f"the parts declare {total} bytes uncompressed, more than the "
                          f"limit of {MAX_TOTAL_BYTES} (a zip bomb?)", code="zip-bomb")
    names = {info.filename for info in infos}
    missing = [part for part in REQUIRED_PARTS if part not in names]
    if missing:
        raise input_error(file, f"not a workbook: the package lacks {', '.join(missing)}",
                          code="not-xlsx")


# ---- a sheet's raw XML -----------------------------------------------------------------------


@dataclass
class SheetScan:
    merges: list[tuple[int, int, int, int]]  # (min row, min column, max row, max column), 1-based
    uncached_formulas: list[str]  # cell refs, "?" when a cell carries no reference
    backwards: tuple[int, int] | None = None  # (previous row, this row): the first row not after the one before


_ROW_END = b"row>"
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+)[\"']"
)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb"\br=[\"']([A-Za-z]{1,3}[0-9]+)[\"']")
_CACHED = re.compile(rb"<(?:\w+:)?v(?:\s[^>/]*)?>")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\br=[\"'](\d+)[\"']")
_CHUNK = 4 * 1024 * 1024


def scan_sheet_xml(stream: IO[bytes]) -> SheetScan:
    """Merged ranges and formula cells without a cached value, from a sheet's raw XML.

    Streams the part in chunks cut after a row's end, so memory stays at about one chunk."""
    merges: list[tuple[int, int, int, int]] = []
    uncached: list[str] = []
    backwards: tuple[int, int] | None = None
    last = 0  # a row without r= is the one after the last, as openpyxl numbers it
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
            merges.append(_merge_box(match.group(1).decode("ascii")))
        if _FORMULA.search(segment):
            uncached.extend(_uncached_formulas(segment))
        if backwards is None:
            for row in _ROW_START.finditer(segment):
                number = _ROW_NUMBER.search(row.group(1))
                current = int(number.group(1)) if number else last + 1
                if current <= last:
                    backwards = (last, current)
                    break
                last = current
        if not chunk:
            return SheetScan(merges, uncached, backwards)


def _merge_box(ref: str) -> tuple[int, int, int, int]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    # `_MERGE_REF` matches only cell-to-cell ranges ("B5:B9"), which have all four bounds
    if min_col is None or min_row is None or max_col is None or max_row is None:
        raise ValueError(f"not a range of cells: {ref}")
    return min_row, min_col, max_row, max_col


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


# ---- failures --------------------------------------------------------------------------------


def describe(error: BaseException, what: str) -> str:
    """A library failure on a workbook in words: unsafe XML, corrupt data, a missing part."""
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
