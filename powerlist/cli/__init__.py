"""The `powerlist` command: a thin shell over the library.

Each command group lives in its own module here and exposes `register(app)`; modules are
found by name, so adding a group never edits a shared file. Every command and group is built
from `_help.Command` / `_help.Group` (Chinese-first help without placeholders, usage errors in
Chinese). Exit codes: 0 fine, 1 findings or invalid input, 2 usage error.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from .._compat import check_python
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


def _register_groups() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(app)


def main() -> None:
    check_python()
    _register_groups()
    app()
