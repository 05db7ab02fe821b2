"""powerlist — 街道吹哨、部门报到 as an executable power list (权责清单).

The public API is what this module re-exports; everything else is internal.
"""

from ._compat import check_python

check_python()

from .catalog import Catalog  # noqa: E402
from .decision import Decision, PowerRef, TraceStep, UnitRef, Whistle  # noqa: E402
from .errors import CalendarError, InputError, PowerlistError, Problem, TransitionError  # noqa: E402
from .issue import Channel, Issue, RequestKind  # noqa: E402
from .models import (  # noqa: E402
    Category,
    DelegationMode,
    Department,
    Grade,
    Level,
    PowerItem,
    PowerKind,
    Scope,
    Unit,
    UnitKind,
)

__version__ = "0.1.0"

__all__ = [
    "CalendarError",
    "Catalog",
    "Category",
    "Channel",
    "Decision",
    "DelegationMode",
    "Department",
    "Grade",
    "InputError",
    "Issue",
    "Level",
    "PowerItem",
    "PowerKind",
    "PowerRef",
    "PowerlistError",
    "Problem",
    "RequestKind",
    "Scope",
    "TraceStep",
    "TransitionError",
    "Unit",
    "UnitKind",
    "UnitRef",
    "Whistle",
    "__version__",
]
