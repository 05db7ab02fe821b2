"""Output and error handling shared by every command."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import FileError, InputError, PowerlistError, os_error
from ..sheets.inbound import escape_line_breaks
from ..sheets.output import check_outputs, check_target

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"}
# Bidirectional controls would reorder what the terminal shows (an id could display as another).
_CONTROL.update({code: f"\\u{code:04x}" for code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                     *range(0x2066, 0x206A))})


def terminal_text(value: Any) -> str:
    """`value` for a terminal: control characters from input (an ESC sequence in an issue id
    would clear the screen or retitle the window) shown as \\xNN, bidirectional controls as
    \\uNNNN, instead of sent."""
    return ("" if value is None else str(value)).translate(_CONTROL)


def dumps(payload: Any) -> str:
    """Deterministic JSON on one line: keys in model order, UTF-8 text, no float noise, and
    U+2028, U+2029 and U+0085 written as escapes."""
    return escape_line_breaks(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = EXIT_FINDINGS) -> NoReturn:
    err.print(f"错误 error: {terminal_text(message)}", style="bold red", highlight=False, markup=False)
    raise typer.Exit(code)


def report_input_error(error: InputError, as_json: bool) -> None:
    if as_json:
        print_json({"ok": False, "errors": error.as_json()})
        return
    err.print(terminal_text(error.summary), style="bold red", highlight=False, markup=False)
    for problem in error.problems:
        err.print(f"  • {terminal_text(problem)}", highlight=False, markup=False)


@contextmanager
def user_errors(as_json: bool = False) -> Iterator[None]:
    """Turn powerlist's user errors into a report and exit 1; bugs keep their traceback."""
    try:
        yield
    except InputError as error:
        report_input_error(error, as_json)
        raise typer.Exit(EXIT_FINDINGS) from None
    except OSError as error:
        # The file system or the OS refused (a full disk, a permission, a vanished file): one
        # located line, never a traceback.
        where = error.filename if isinstance(error.filename, str) else "<文件 file>"
        report_input_error(os_error(error, where, "读写文件", "read or write the file"), as_json)
        raise typer.Exit(EXIT_FINDINGS) from None
    except PowerlistError as error:
        if as_json:
            print_json({"ok": False, "errors": [{"message": str(error)}]})
        else:
            err.print(f"错误 error: {terminal_text(error)}", style="bold red", highlight=False, markup=False)
        raise typer.Exit(EXIT_FINDINGS) from None


def option_time(text: str, option: str) -> datetime:
    """An option's time (--at, --now, --until, --as-of, --earliest …): read by the one time parser
    of every reader (`powerlist.sheets.timetext`), then checked against the years powerlist can
    compute with (`powerlist.routing.instants`: 0001-01-01 or 9999-12-31 would overflow the first
    conversion or time limit); naive = Asia/Shanghai. A located InputError otherwise."""
    from ..errors import Problem
    from ..routing.instants import instant_problem
    from ..sheets.timetext import TimeTextError, aware, parse_time

    try:
        moment = parse_time(text)
    except TimeTextError as error:
        raise InputError([Problem(message=str(error), field=option, value=text, code="bad-time")],
                         f"选项 {option} 的时间无法识别 (invalid time for {option})") from None
    problem = instant_problem(moment)
    if problem is not None:
        raise InputError([Problem(message=problem[1], field=option, value=text, code=problem[0])],
                         f"选项 {option} 的时间无效 (invalid time for {option})")
    return aware(moment)


def db_file(db: str | None) -> Path | None:
    """The file a `--db` value names, for the identity checks: None for a postgresql:// URL."""
    from ..cases.stores import is_postgres

    return None if db is None or is_postgres(db) else Path(db)


def guard_outputs(outputs: Iterable[Path | None], inputs: Iterable[Path | None], *,
                  catalogs: Path | None | bool = False, rules: Path | None | bool = False,
                  as_json: bool = False, writable: bool = True) -> None:
    """Before any work: exit 2 (usage) when an output is one of the inputs (`check_outputs`: by
    device and inode), exit 1 when an output cannot be written (`check_target`: a missing
    directory, a directory, a read-only file). `catalogs` / `rules`: the directory read (None:
    the shipped one; False: not read), whose files are inputs too. `writable=False`: the command
    makes the outputs' directory itself."""
    from ..catalog.files import FILES
    from ..resources import catalogs_dir, rules_dir

    files: list[Path | None] = list(inputs)
    if catalogs is not False:
        root = catalogs_dir() if catalogs is None or catalogs is True else catalogs
        files += [root / name for name in FILES]
    if rules is not False:
        root = rules_dir() if rules is None or rules is True else rules
        files += sorted(root.glob("*.toml")) if root.is_dir() else [root]
    outputs = list(outputs)
    try:
        check_outputs(outputs, files)
    except FileError as error:
        report_input_error(error, as_json)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        for path in outputs if writable else ():
            if path is not None:
                check_target(path)
    except FileError as error:
        report_input_error(error, as_json)
        raise typer.Exit(EXIT_FINDINGS) from None


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=Text(terminal_text(title)), title_justify="left")  # Text: user data is never rich markup
    for column in columns:
        t.add_column(column, overflow="fold")  # wrap, never cut a unit name or a date
    for row in rows:
        t.add_row(*(Text(terminal_text(v)) for v in row))
    return t


@contextmanager
def batch_gc() -> Iterator[None]:
    """For a batch run: the objects made so far (catalogs, rules) frozen out of the cyclic
    garbage collector, and young objects collected less often. A router's kept plans grow with
    the run, and every collection would walk them again (a quarter of a long run's time)."""
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
