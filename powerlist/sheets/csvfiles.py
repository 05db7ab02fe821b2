"""Reading CSV files the same way everywhere: the encoding, a byte-order mark, the header row and
unreadable rows, each failure a located `InputError` or problem.

Issue files (`powerlist.routing.issue_io`) and scoring inputs (`powerlist.scoring.io`) both read CSV
through here. UTF-8 is read with or without Excel's byte-order mark; bytes that are not in the
file's encoding name the line and the byte, and say how to save the file instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from .inbound import LONE_SURROGATE, text_problem

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns; the csv module does not name it


def decode(path: Path, file: str, encoding: str, summary: str) -> str:
    """The file's text; UTF-8 with or without a byte-order mark. Bytes that are not `encoding`
    raise an `InputError` (`summary`) naming the line and the byte of the line."""
    data = path.read_bytes()
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        text = data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            [Problem(
                message=f"bytes that are not {encoding} at line {line}, byte {column} of the line "
                "(save the file as UTF-8, e.g. Excel's 'CSV UTF-8', or give its encoding: "
                "--encoding gb18030)",
                file=file, row=line, value=data[error.start:error.end].hex(" "), code="encoding",
            )],
            summary,
        ) from None
    # Only an exotic --encoding (utf-7, unicode_escape) can decode to a lone surrogate; the one
    # text policy (powerlist.sheets.inbound) refuses it where it enters, located.
    found = LONE_SURROGATE.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        problem = text_problem(found.group())
        assert problem is not None
        raise InputError([Problem(message=problem[1], file=file, row=line, code=problem[0])], summary)
    return text


def open_csv(text: str, file: str, summary: str) -> tuple[list[str], Reader]:
    """The header row and a `csv.reader` positioned after it; an empty file or one that is not
    CSV raises an `InputError` (`summary`)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        empty = Problem(message="the file is empty: no header row", file=file, row=1, code="empty")
        raise InputError([empty], summary) from None
    except csv.Error as error:
        broken = Problem(message=f"not a CSV file: {error}", file=file, row=1, code="csv")
        raise InputError([broken], summary) from None
    return header, reader


def data_rows(reader: Reader) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(line number, cells) for every non-blank row after the header; a row the csv module cannot
    read comes as (line number, the error), and the caller decides whether it sinks the file."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, error
            continue
        if any(v.strip() for v in values):
            yield reader.line_num, values
