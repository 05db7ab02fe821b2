"""What this powerlist is and runs on: its version, and the refusal, in one line, to run on a
Python that durable-rules cannot import on. Imports nothing of powerlist, so any module may
read the version without importing the package's public API."""

import sys

__version__ = "0.1.0"  # the same as pyproject.toml's
SUPPORTED = ((3, 11), (3, 12))


def check_python() -> None:
    if sys.version_info[:2] not in SUPPORTED:
        found = ".".join(map(str, sys.version_info[:3]))
        raise SystemExit(
            f"powerlist needs Python 3.11 or 3.12 (found {found}): "
            "its rules engine, durable-rules 2.0.28, does not import on other versions."
        )
