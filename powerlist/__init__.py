"""powerlist — 街道吹哨、部门报到 as an executable power list (权责清单).

The public API is what this module re-exports; everything else is internal. Each name is
imported from its module on first use (PEP 562), so `import powerlist` — and every `powerlist`
command, which imports it first — loads only what is used: the case store, the catalog loader
(openpyxl) and intake (numpy, scikit-learn) are not loaded to route a JSON line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._compat import __version__, check_python

check_python()

if TYPE_CHECKING:
    from .cases.actions import Action
    from .cases.escalator import Case, Escalator, TickReport
    from .cases.instants import TimeWindow
    from .cases.lifecycle import Event, Satisfaction, State
    from .cases.sqlite import SQLiteCaseStore
    from .cases.store import CaseStore
    from .cases.stores import open_store
    from .catalog.catalog import Catalog
    from .catalog.loader import load_catalogs, load_delegation_workbook
    from .catalog.models import (
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
    from .catalog.power_list import PowerList, load_power_list
    from .errors import CalendarError, InputError, PowerlistError, Problem, StoreError, TransitionError
    from .intake import Gazetteer, Intake, Matcher, PlaceMatch, Prediction
    from .routing.calendar import WorkCalendar
    from .routing.decision import Decision, PowerRef, TraceStep, UnitRef, Whistle
    from .routing.issue import Channel, Issue, RequestKind
    from .routing.router import Router
    from .routing.tables import DecisionTable, HitPolicy, RuleSet

# name → the module (under powerlist) that defines it
_EXPORTS = {
    "Action": "cases.actions",
    "CalendarError": "errors",
    "Case": "cases.escalator",
    "CaseStore": "cases.store",
    "Catalog": "catalog.catalog",
    "Category": "catalog.models",
    "Channel": "routing.issue",
    "Decision": "routing.decision",
    "DecisionTable": "routing.tables",
    "DelegationMode": "catalog.models",
    "Department": "catalog.models",
    "Escalator": "cases.escalator",
    "Event": "cases.lifecycle",
    "Gazetteer": "intake",
    "Grade": "catalog.models",
    "HitPolicy": "routing.tables",
    "InputError": "errors",
    "Intake": "intake",
    "Issue": "routing.issue",
    "Level": "catalog.models",
    "load_catalogs": "catalog.loader",
    "load_delegation_workbook": "catalog.loader",
    "load_power_list": "catalog.power_list",
    "Matcher": "intake",
    "open_store": "cases.stores",
    "PlaceMatch": "intake",
    "PowerItem": "catalog.models",
    "PowerKind": "catalog.models",
    "PowerList": "catalog.power_list",
    "PowerlistError": "errors",
    "PowerRef": "routing.decision",
    "Prediction": "intake",
    "Problem": "errors",
    "RequestKind": "routing.issue",
    "Router": "routing.router",
    "RuleSet": "routing.tables",
    "Satisfaction": "cases.lifecycle",
    "Scope": "catalog.models",
    "SQLiteCaseStore": "cases.sqlite",
    "State": "cases.lifecycle",
    "StoreError": "errors",
    "TickReport": "cases.escalator",
    "TimeWindow": "cases.instants",
    "TraceStep": "routing.decision",
    "TransitionError": "errors",
    "Unit": "catalog.models",
    "UnitKind": "catalog.models",
    "UnitRef": "routing.decision",
    "Whistle": "routing.decision",
    "WorkCalendar": "routing.calendar",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'powerlist' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found once: the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


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
