"""powerlist — 街道吹哨、部门报到 as an executable power list (权责清单).

The public API is what this module re-exports; everything else is internal.
"""

from ._compat import __version__, check_python

check_python()

from .cases.actions import Action  # noqa: E402
from .cases.escalator import Case, Escalator, TickReport  # noqa: E402
from .cases.instants import TimeWindow  # noqa: E402
from .cases.lifecycle import Event, Satisfaction, State  # noqa: E402
from .cases.sqlite import SQLiteCaseStore  # noqa: E402
from .cases.store import CaseStore  # noqa: E402
from .cases.stores import open_store  # noqa: E402  (PostgresCaseStore: powerlist.cases.postgres)
from .catalog.catalog import Catalog  # noqa: E402
from .catalog.loader import load_catalogs, load_delegation_workbook  # noqa: E402
from .catalog.models import (  # noqa: E402
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
from .catalog.power_list import PowerList, load_power_list  # noqa: E402
from .errors import CalendarError, InputError, PowerlistError, Problem, StoreError, TransitionError  # noqa: E402
from .routing.calendar import WorkCalendar  # noqa: E402
from .routing.decision import Decision, PowerRef, TraceStep, UnitRef, Whistle  # noqa: E402
from .routing.issue import Channel, Issue, RequestKind  # noqa: E402
from .routing.router import Router  # noqa: E402
from .routing.tables import DecisionTable, HitPolicy, RuleSet  # noqa: E402

# Intake (matching text and places, reading the six channels) loads numpy and scikit-learn:
# imported on first use, so `import powerlist` stays light.
_INTAKE = ("Gazetteer", "Intake", "Matcher", "PlaceMatch", "Prediction")


def __getattr__(name: str) -> object:
    if name in _INTAKE:
        from . import intake

        return getattr(intake, name)
    raise AttributeError(f"module 'powerlist' has no attribute {name!r}")


__all__ = [
    "Action",
    "CalendarError",
    "Case",
    "CaseStore",
    "Catalog",
    "Category",
    "Channel",
    "Decision",
    "DecisionTable",
    "DelegationMode",
    "Department",
    "Escalator",
    "Event",
    "Gazetteer",
    "Grade",
    "HitPolicy",
    "InputError",
    "Intake",
    "Issue",
    "Level",
    "load_catalogs",
    "load_delegation_workbook",
    "load_power_list",
    "Matcher",
    "PlaceMatch",
    "open_store",
    "PowerItem",
    "PowerKind",
    "PowerList",
    "PowerlistError",
    "PowerRef",
    "Prediction",
    "Problem",
    "RequestKind",
    "Router",
    "RuleSet",
    "Satisfaction",
    "Scope",
    "SQLiteCaseStore",
    "State",
    "StoreError",
    "TickReport",
    "TimeWindow",
    "TraceStep",
    "TransitionError",
    "Unit",
    "UnitKind",
    "UnitRef",
    "Whistle",
    "WorkCalendar",
    "__version__",
]
