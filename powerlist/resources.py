"""Where the shipped rules and catalogs are, installed or in a clone."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries the data inside the package; an editable install or a clone uses the repo's.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"powerlist's shipped {name}/ directory is missing from {_PACKAGE}")


def catalogs_dir() -> Path:
    """The shipped catalogs (organisation, power list, delegation, taxonomy, calendar)."""
    return _data_dir("catalogs")


def rules_dir() -> Path:
    """The shipped rules (routing, deadlines, escalation, scoring, audit)."""
    return _data_dir("rules")


def examples_dir() -> Path | None:
    """The examples folder of a clone; None when installed from a wheel."""
    path = _PACKAGE.parent / "examples"
    return path if path.is_dir() else None


def models_dir() -> Path:
    """The shipped matcher models (the default model for the shipped taxonomy)."""
    return _data_dir("models")
