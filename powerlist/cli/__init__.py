"""The `powerlist` command: a thin shell over the library.

Each command group lives in its own module here and exposes `register(app)`; modules are
found by name, so adding a group never edits a shared file. Every command and group is built
from `_help.Command` / `_help.Group` (Chinese-first help without placeholders, usage errors in
Chinese). Exit codes: 0 fine, 1 findings or invalid input, 2 usage error.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from .._compat import check_python
from ..sheets.inbound import LONE_SURROGATE
from ._help import Group

app = typer.Typer(
    cls=Group,
    name="powerlist",
    help="街道吹哨、部门报到：按权责清单派单、督办、考评和审核 (route issues by the power list, escalate, score and "
    "audit).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    # A callback keeps `powerlist` a group of commands when only one command is registered
    # (`_register_groups` registers just the one named): without it typer makes that command
    # the program itself, and `powerlist serve --port 8311` reads "serve" as an extra argument.
    return None


# The commands a module registers that are not named after it: every other command or group
# NAME is registered by the modules NAME and NAME_* (tests/test_cli_chinese.py checks both).
ALSO = {"explain": "route", "demo": "route", "schema": "route"}


def _register_groups(argv: list[str] | None = None) -> None:
    """Register the command `argv` names — importing only its modules, so that a command does
    not load every other command's libraries (openpyxl, the case store, scikit-learn …) — or,
    when `argv` names none (no arguments, --help, a mistyped command), every command."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    wanted = ALSO.get(argv[0], argv[0]) if argv else None
    chosen = [name for name in names if name == wanted or name.startswith(f"{wanted}_")]
    for name in chosen or names:
        importlib.import_module(f"{__name__}.{name}").register(app)


def argument_problems(argv: list[str]) -> list[str]:
    """One line for each argument holding bytes that are not UTF-8 (Python reads each such byte
    as a lone surrogate, which no output can encode): the one text policy, applied to arguments."""
    lines = []
    for position, argument in enumerate(argv, start=1):
        if LONE_SURROGATE.search(argument) is not None:
            raw = os.fsencode(argument)
            lines.append(f"第 {position} 个参数含有不是 UTF-8 的字节 {raw!r}：请把文件改名为 UTF-8 名称，或用 UTF-8 "
                         f"书写参数 (argument {position} holds bytes that are not UTF-8, {raw!r}: rename the file to a "
                         "UTF-8 name, or write the argument in UTF-8)")
    return lines


def main() -> None:
    check_python()
    problems = argument_problems(sys.argv[1:])
    if problems:
        from ._common import EXIT_USAGE, err

        for line in problems:
            err.print(f"错误 error: {line}", style="bold red", highlight=False, markup=False)
        raise SystemExit(EXIT_USAGE)
    _register_groups(sys.argv[1:])
    app()
