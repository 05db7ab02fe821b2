"""A routing decision out — 派单决定: who must respond, why, and by when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, field_serializer

from ..catalog.models import Grade, Level
from ..errors import Problem
from .issue import SHANGHAI


class Whistle(StrEnum):
    """Whistle kind — 哨类."""

    DAILY = "daily"  # 日常哨
    KEY = "key"  # 重点哨
    COORDINATION = "coordination"  # 协调哨
    EMERGENCY = "emergency"  # 应急哨

    @property
    def label(self) -> str:
        return WHISTLE_LABELS[self]


WHISTLE_LABELS = {
    Whistle.DAILY: "日常哨",
    Whistle.KEY: "重点哨",
    Whistle.COORDINATION: "协调哨",
    Whistle.EMERGENCY: "应急哨",
}


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitRef(_Value):
    code: str
    name: str
    level: Level


class PowerRef(_Value):
    """A power of the decision's category for its street: what it is, whose it is and why.

    `role` is principal (主要权力: the lead is chosen among these) or related (相关权力: the holder
    is a co-unit only). `mode` is how the street holds it (delegated, entrusted, stationed,
    district, city) and `holder` the unit that exercises it; `delegation` names the delegation
    row that says so (``delegation.xlsx 街道承接 第1694行``, its sheet row), or is None when the
    mode came from the power list's own column or the default. `legal_basis` is cited as in force on the issue's
    received_at: a text with versions in the statutes table in the version then in force, its
    label in the citation (（2025年修订）)."""

    code: str
    name: str
    kind: str  # power kind code, e.g. "02"
    legal_basis: tuple[str, ...] = ()
    role: Literal["principal", "related"] = "principal"
    mode: str | None = None  # a DelegationMode value
    holder: UnitRef | None = None
    delegation: str | None = None


class TraceStep(_Value):
    rule: str  # "table.row", e.g. "lead_by_mode.delegated"
    reason: str


@lru_cache(maxsize=65_536)
def trace_step(rule: str, reason: str) -> TraceStep:
    # Frozen values: equal steps may be shared between decisions.
    return built(TraceStep, {"rule": rule, "reason": reason})

class Decision(_Value):
    """The decision for one issue. JSON: `decision.model_dump(mode="json")`."""

    issue_id: str
    status: Literal["routed", "rejected"]
    category: str | None = None
    street: str | None = None
    whistle: Whistle | None = None
    whistle_label: str | None = None
    grade: Grade | None = None
    level: Level | None = None
    lead: UnitRef | None = None
    co_units: tuple[UnitRef, ...] = ()
    escalation_path: tuple[UnitRef, ...] = ()
    powers: tuple[PowerRef, ...] = ()
    respond_by: datetime | None = None
    complete_by: datetime | None = None
    trace: tuple[TraceStep, ...] = ()
    rules_version: str
    errors: tuple[Problem, ...] = ()

    @field_serializer("respond_by", "complete_by")
    def _shanghai(self, value: datetime | None) -> str | None:
        # Byte-identical output: always +08:00, seconds precision.
        if value is None:
            return None
        return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


_M = TypeVar("_M", bound=BaseModel)
# pydantic's BaseModel keeps an instance's state in four slots; their descriptors, called
# directly, skip the attribute lookup `object.__setattr__` makes.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


# The fields set of a value given every field: one set per model, shared by its values. Safe
# for these frozen models: pydantic changes a fields set only in __setattr__ (which a frozen
# model refuses) and in model_copy, on the copy's own copy of it; a shared set is one object
# fewer per value for the cyclic collector (a router keeps tens of thousands of these).
_every_field: dict[type[BaseModel], set[str]] = {}


def built(model: type[_M], values: dict[str, Any]) -> _M:
    """`model.model_construct(**values)` for `values` of every field of `model`, in model order
    (what model_construct would put in the instance's __dict__), without its per-field loop:
    for values this package built from validated ones of its frozen decision values.
    tests/test_decision_json.py compares what it builds with validated values."""
    value = model.__new__(model)
    _set_dict(value, values)
    fields = _every_field.get(model)
    if fields is None:
        fields = _every_field[model] = set(model.model_fields)
    _set_fields_set(value, fields if len(values) == len(fields) else set(values))
    _set_extra(value, None)
    _set_private(value, None)
    return value
