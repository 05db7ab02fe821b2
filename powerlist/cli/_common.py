"""Output and error handling shared by every command."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import InputError, PowerlistError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"}


def terminal_text(value: Any) -> str:
    """`value` for a terminal: control characters from input (an ESC sequence in an issue id
    would clear the screen or retitle the window) shown as \\xNN instead of sent."""
    return ("" if value is None else str(value)).translate(_CONTROL)


def dumps(payload: Any) -> str:
    """Deterministic JSON: keys in model order, UTF-8 text, no float noise."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


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
    except PowerlistError as error:
        if as_json:
            print_json({"ok": False, "errors": [{"message": str(error)}]})
        else:
            err.print(f"错误 error: {terminal_text(error)}", style="bold red", highlight=False, markup=False)
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
