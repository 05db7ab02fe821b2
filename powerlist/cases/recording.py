"""Recording by hand — 办理登记: the events a unit or the platform records, and their checks.

`Escalator.record` appends what happened outside the store: 派单, 报到, 处置, 办结, 反馈, 评价,
结案, 退单, 延期, 重办, 升级, 挂牌督办 (`USER_EVENTS`; reminders, notes and sanctions are written
by ticks only). `recorded()` checks one such event against the case and gives the acting unit
and the details to write:

- the acting unit (`by`) must be a unit of the case or of the catalog, else a mistyped code
  would count as one more unit returning the case (争议); it defaults to the unit holding the
  case, and a listing (挂牌督办) without `by` is the supervision office's;
- only the unit holding a case can return it (退单);
- an evaluation needs a satisfaction (满意/基本满意/不满意) and may carry a third-party survey
  score (`third_party`, 0–100, kept as exact decimal text);
- an extension must end after the current completion deadline (default: `extension_hours`
  after it);
- whether an extension or a reopening makes the case 疑难 (`hard_extensions`, `hard_reopens`)
  is decided now and kept in the event, so replaying never needs the rules;
- 派单/升级/挂牌督办 name their unit (`to`; an escalation defaults to the next unit above).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import InputError, Problem, TransitionError
from .actions import extension_end
from .lifecycle import Event, Satisfaction, Snapshot, local, stamp
from .units import UnitCatalog, next_unit, resolve

USER_EVENTS = frozenset(
    {
        Event.DISPATCH,
        Event.RESPOND,
        Event.HANDLE,
        Event.COMPLETE,
        Event.FEED_BACK,
        Event.EVALUATE,
        Event.CLOSE,
        Event.RETURN,
        Event.EXTEND,
        Event.REOPEN,
        Event.ESCALATE,
        Event.SUPERVISE,
    }
)


def user_event(event: str | Event) -> Event:
    """The event a caller names; TransitionError if it is unknown or written only by ticks."""
    try:
        ev = Event(event)
    except ValueError:
        raise TransitionError(
            f"unknown event {event!r}; events: {', '.join(sorted(e.value for e in USER_EVENTS))}"
        ) from None
    if ev not in USER_EVENTS:
        raise TransitionError(f"event {ev.value!r} is written by ticks, not recorded by hand")
    return ev


def recorded(
    snapshot: Snapshot,
    ev: Event,
    by: str | None,
    details: Mapping[str, Any],
    *,
    params: Mapping[str, Any],
    catalog: UnitCatalog | None,
) -> tuple[str, dict[str, Any]]:
    """The acting unit's code and the details to write for `ev` recorded on `snapshot` (see the
    module doc); InputError or TransitionError, nothing to write, if the event cannot stand."""
    actor = resolve(snapshot, by, catalog, field="by")["code"] if by else snapshot.assignee["code"]
    if ev is Event.RETURN and actor != snapshot.assignee["code"]:
        # Only the unit the case is dispatched to can send it back (退单); a return by any
        # other unit would count it among the units returning the case (争议) and could
        # make it 推诿 for a case it never held.
        holding = snapshot.assignee
        raise InputError(
            [
                Problem(
                    message=f"only the unit holding the case ({holding['code']} {holding['name']}) can return it",
                    field="by",
                    value=actor,
                    code="not-holding",
                )
            ],
            "invalid return",
        )
    data = {key: plain(value) for key, value in details.items() if value is not None}
    if ev is Event.EVALUATE:
        satisfaction = Satisfaction.parse(details.get("satisfaction", ""))
        if satisfaction is None:
            raise InputError(
                [
                    Problem(
                        message="evaluate needs a satisfaction: 满意, 基本满意 or 不满意 "
                        "(satisfied, basically_satisfied, dissatisfied)",
                        field="satisfaction",
                        value=str(details.get("satisfaction")),
                    )
                ],
                "invalid evaluation",
            )
        data["satisfaction"] = satisfaction.value
        if "third_party" in data:
            data["third_party"] = survey_score(data["third_party"])
    elif ev is Event.EXTEND:
        until = details.get("until")
        ends = stamp(until) if isinstance(until, datetime) else extension_end(snapshot, params["extension_hours"])
        data["complete_by"] = ends
        if snapshot.complete_by is not None and ends <= snapshot.complete_by:
            raise InputError(
                [
                    Problem(
                        message="an extension must end after the current completion deadline "
                        f"{local(snapshot.complete_by)}",
                        field="until",
                        value=local(ends),
                        code="not-an-extension",
                    )
                ],
                "invalid extension",
            )
        data.pop("until", None)
        data["hard"] = snapshot.extensions + 1 >= params["hard_extensions"]
    elif ev is Event.REOPEN:
        data["hard"] = snapshot.reopens + 1 >= params["hard_reopens"]
    elif ev in (Event.DISPATCH, Event.ESCALATE, Event.SUPERVISE):
        target = details.get("to")
        if target is None:
            unit = next_unit(snapshot, "next") if ev is Event.ESCALATE else snapshot.assignee
        else:
            unit = resolve(snapshot, str(target), catalog)
        if unit is None:
            raise TransitionError(
                f"case {snapshot.case_id!r} has no unit above {snapshot.assignee['code']} to escalate to"
            )
        data["to"] = unit
        if ev is Event.SUPERVISE:
            data["office"] = snapshot.supervision_office
        # by hand: the unit named by `by`, else the unit holding the case (it hands the
        # case on, as the docstring says); a listing (挂牌督办) is the supervision office's
        if ev is Event.SUPERVISE and not by:
            actor = snapshot.supervision_office["code"]
    return actor, data


def plain(value: Any) -> Any:
    """A detail as JSON can keep it: times as stamps, mappings and sequences element-wise, any
    other object as its text."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def survey_score(value: Any) -> str:
    """A third-party call-back survey score (第三方回访得分), 0–100, kept as exact decimal text:
    scoring reads it, and a value it cannot read would silently be no survey at all."""
    number: Decimal | None = None
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or not 0 <= number <= 100:
        raise InputError(
            [
                Problem(
                    message="a third-party survey score is a number from 0 to 100",
                    field="third_party",
                    value=str(value),
                    code="bad-survey",
                )
            ],
            "invalid evaluation",
        )
    return str(number)


__all__ = ["USER_EVENTS", "plain", "recorded", "survey_score", "user_event"]
