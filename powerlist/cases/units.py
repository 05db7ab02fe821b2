"""The units of a case — 承办单位: who holds it, where it may go, and what the power list says.

A case keeps its units as plain `{code, name, level}` dicts: they travel in events and
snapshots, as JSON, and history must not depend on a catalog that may change later. This
module makes them from routing decisions and the catalog, and answers the escalator's
questions about them:

- `next_unit`: escalation goes to the first unit on the decision's escalation path above the
  level of the unit holding the case, never to the same or a lower level (None: nobody above,
  the city supervision office lists the case instead).
- `holders`: when a case opens, the holder of each of the category's powers for the issue's
  street (`catalog.holder`) is kept in its open event, with the power's legal basis, so that
  the power list can arbitrate returns (退单) without the catalog; `holder_unit` is the unit a
  return goes back to and `citation` the power-list entry an action quotes.
- `resolve`: a unit named by code, which must be a unit of the case or of the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..catalog.models import DelegationMode, Unit
from ..errors import InputError, Problem
from ..routing.decision import Decision, UnitRef
from .lifecycle import Snapshot, rank

SUPERVISION_DEFAULT = {"code": "420200-supervision", "name": "市委督查室、市政府政务督查室", "level": "city"}
_MODE_LABELS = {mode.value: mode.label for mode in DelegationMode}


class UnitCatalog(Protocol):
    """What the escalator asks of a catalog (`powerlist.catalog.Catalog` is one)."""

    @property
    def items(self) -> Mapping[str, object]: ...

    @property
    def units(self) -> Mapping[str, Unit]: ...

    @property
    def supervision_office(self) -> Unit: ...

    def holder(self, item: str, street: str) -> tuple[Unit, DelegationMode]: ...


def unit_dict(unit: Unit | UnitRef) -> dict[str, Any]:
    """A unit as a case keeps it: `{code, name, level}`."""
    return {"code": unit.code, "name": unit.name, "level": unit.level.value}


def supervision_office(catalog: UnitCatalog | None) -> dict[str, Any]:
    """The city supervision office (督查室) of the catalog, or the shipped one without a catalog."""
    if catalog is None:
        return dict(SUPERVISION_DEFAULT)
    return unit_dict(catalog.supervision_office)


def holders(decision: Decision, catalog: UnitCatalog | None) -> list[dict[str, Any]]:
    """The holder of each of the decision's principal powers for its street, with the power's
    legal basis (as cited on the day received) and delegation mode (none without a catalog or a
    street). Related powers are left out: their holders are co-units, and a related holder that
    returns a case is not passing the buck on a power of its own."""
    if catalog is None or not decision.street:
        return []
    found = []
    for power in decision.powers:
        if power.code not in catalog.items or power.role != "principal":
            continue
        unit, mode = catalog.holder(power.code, decision.street)
        found.append(
            {
                "power": power.code,
                "name": power.name,
                "legal_basis": list(power.legal_basis),
                "unit": unit_dict(unit),
                "mode": mode.value,
            }
        )
    return found


def resolve(snapshot: Snapshot, code: str, catalog: UnitCatalog | None, field: str = "to") -> dict[str, Any]:
    """The unit `code` names: one of the case's units, else one of the catalog's; InputError
    (located at `field`) if neither knows it."""
    known = [snapshot.lead, snapshot.assignee, *snapshot.path, *(h["unit"] for h in snapshot.holders)]
    for unit in known:
        if unit["code"] == code:
            return dict(unit)
    if catalog is not None and code in catalog.units:
        return unit_dict(catalog.units[code])
    raise InputError(
        [
            Problem(
                message="未知的单位：既不是本案件的单位，也不是目录中的单位 (unknown unit: not a unit of this case nor "
                "of the catalog)",
                field=field,
                value=code,
                code="unknown-unit",
            )
        ],
        "单位无效 (invalid unit)",
    )


def is_community(s: Snapshot, code: str) -> bool:
    """Whether `code` is a residents' committee (社区居委会) of the case: a self-governing body
    (基层群众性自治组织), not a department that reports for duty, so no finding counts against it
    and no accountability action (通报批评、约谈、问责) ever names it."""
    held = [h["unit"] for h in s.holders]
    for unit in (s.lead, s.assignee, *s.path, *held):
        if unit["code"] == code and unit.get("level") == "community":
            return True
    return False


def next_unit(s: Snapshot, target: str) -> dict[str, Any] | None:
    """The unit above the one holding the case: the first on the path (`target="next"`), or the
    first city unit above it (`"city"`, falling back to the first above)."""
    current = rank(s.assignee["level"])
    above = [u for u in s.path if rank(u["level"]) > current]
    if target == "city":
        city = [u for u in above if u["level"] == "city"]
        if city:
            return dict(city[0])
    return dict(above[0]) if above else None


def holder_unit(s: Snapshot, target: str) -> dict[str, Any]:
    """The unit a returned or listed case goes to: the power holder (`"holder"`: the returning
    unit if it holds a power, else another holder), the unit holding it (`"self"`), or the lead."""
    if target == "holder":
        for h in s.holders:
            if h["unit"]["code"] == s.returned_by:
                return dict(h["unit"])
        others = [h for h in s.holders if h["unit"]["code"] != s.returned_by]
        if others:
            return dict(others[0]["unit"])
        if s.holders:
            return dict(s.holders[0]["unit"])
    if target == "self":
        return dict(s.assignee)
    return dict(s.lead)


def citation(s: Snapshot, unit: str | None) -> str:
    """The power-list entry held by `unit` (else the first), as an action's reason quotes it."""
    held = [h for h in s.holders if h["unit"]["code"] == unit] or list(s.holders[:1])
    if not held:
        return "清单中无持有单位"
    h = held[0]
    basis = "；".join(h["legal_basis"]) or "（清单未载实施依据）"
    mode = _MODE_LABELS.get(h.get("mode", ""), h.get("mode", ""))
    return f"依权责清单，事项 {h['power']} {h['name']} 由 {h['unit']['name']} 承接（{mode}），实施依据：{basis}"


__all__ = [
    "is_community",
    "SUPERVISION_DEFAULT",
    "UnitCatalog",
    "citation",
    "holder_unit",
    "holders",
    "next_unit",
    "resolve",
    "supervision_office",
    "unit_dict",
]
