"""The short way from canonical data to an `Issue`, for the data that needs none of the long one.

`fast_issue(data)` takes what `issue.canonical` returns (Issue field names, stripped cells) and
gives the `Issue` that `Issue.model_validate(data)` would give — or None, and the caller
validates the long way. It accepts only data whose every value is of the plain shape that the
`Issue` validators leave as it is, checked in a few type and set tests:

- `id`, `category`, `location`: ASCII text already stripped, within the field's lengths
  (`code_text` keeps text; ASCII text that `str.strip` leaves alone has nothing pydantic strips);
- `received_at`: ASCII text starting "YYYY-" (so not a number, which the validator refuses),
  parsed by the validator's own time parser (`sheets.timetext.parse_time`), within the years an
  instant may have (`instants`), then read as Asia/Shanghai time as `Issue` does;
- `channel` and `request_kind`: exactly one of the channel names, aliases, request kind codes or
  Chinese labels (the members those validators map them to, computed from their own tables);
- flags: bools; `repeat_count`: an int within the field's bounds; `description`: stripped text
  without lone surrogates, within its length.

Anything else — a number for a code, a yes/no word, a surrogate, an unknown key, a field
missing — returns None. The values are then set on a new `Issue` without running validation a
second time (as `Issue.model_validate` would build it: every field in model order, the given
ones as its fields-set). tests/test_issue_fast.py proves, on random data of every shape, that
whenever this returns an issue it equals the validated one, and that it takes the common
shapes of real input; a validator added to `Issue` must be mirrored here or the test fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel

from ..sheets.timetext import TimeTextError, parse_time
from .instants import FIRST_YEAR, LAST_YEAR
from .issue import _CHANNEL_ALIASES, REQUEST_KIND_LABELS, SHANGHAI, Channel, Issue, RequestKind, as_issue, canonical


def _bound(name: str, kind: type[Any]) -> int:
    for item in Issue.model_fields[name].metadata:
        if isinstance(item, kind):
            return int(getattr(item, {MaxLen: "max_length", Ge: "ge", Le: "le"}[kind]))
    raise LookupError(f"Issue.{name} has no {kind.__name__}")


_KNOWN = frozenset(Issue.model_fields)
_REQUIRED = frozenset(name for name, info in Issue.model_fields.items() if info.is_required())
_ID_LENGTH, _CATEGORY_LENGTH, _LOCATION_LENGTH = (_bound(name, MaxLen) for name in ("id", "category", "location"))
_DESCRIPTION_LENGTH = _bound("description", MaxLen)
_REPEAT = (_bound("repeat_count", Ge), _bound("repeat_count", Le))
# The fields fast_issue sets, in model order, with the defaults it assumes: checked at import.
_FIELDS = ("id", "received_at", "category", "location", "channel", "request_kind", "emergency", "key_work",
           "needs_enforcement", "cross_department", "repeat_count", "description")
_DEFAULTS = {"channel": None, "request_kind": None, "emergency": False, "key_work": False, "needs_enforcement": False,
             "cross_department": False, "repeat_count": 0, "description": None}
if tuple(Issue.model_fields) != _FIELDS or any(
        Issue.model_fields[name].default != value for name, value in _DEFAULTS.items()):  # pragma: no cover
    raise RuntimeError("Issue's fields changed: powerlist.routing.issue_fast must be changed with them")
_CHANNELS: dict[str, Channel] = {c.value: c for c in Channel}
_CHANNELS.update({alias: Channel(target) for alias, target in _CHANNEL_ALIASES.items()})
_KINDS: dict[str, RequestKind] = {k.value: k for k in RequestKind}
_KINDS.update({label: kind for kind, label in REQUEST_KIND_LABELS.items()})
_SURROGATE = re.compile("[\ud800-\udfff]")

_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_new = Issue.__new__


_ABSENT: Any = object()
_DEFAULT_VALUES: dict[str, Any] = {name: _DEFAULTS.get(name) for name in _FIELDS}


def _received(value: Any, plain: bool) -> datetime | None:
    # Issue.received_at's own validators: the one time parser, then the years an instant may have.
    if not (type(value) is str and len(value) >= 10 and value.isascii() and value[4] == "-"
            and value[:4].isdigit()):
        return None
    moment = None
    if value[-1] > " ":  # ASCII, starting with a digit: nothing for str.strip to strip
        if value[7] == "-":
            try:  # noqa: SIM105 - what parse_time does first, for text it need not strip (suppress() costs 1 µs)
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass
    elif plain:  # a raw cell canonical() would strip: not its own canonical data
        return None
    if moment is None:
        try:
            moment = parse_time(value)
        except TimeTextError:
            return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # instants.instant_problem
        return None
    # as `Issue` reads a naive time: replace(tzinfo=SHANGHAI), by combine (no keyword argument to parse: 4× faster)
    return datetime.combine(moment.date(), moment.time(), SHANGHAI) if moment.tzinfo is None \
        else moment.astimezone(SHANGHAI)


def _issue(data: Mapping[str, Any], plain: bool) -> Issue | None:
    keys = data.keys()
    if not (keys <= _KNOWN and keys >= _REQUIRED):
        return None
    issue_id, category, location = data["id"], data["category"], data["location"]
    if not (type(issue_id) is str and type(category) is str and type(location) is str
            and 0 < len(issue_id) <= _ID_LENGTH and 0 < len(category) <= _CATEGORY_LENGTH
            and 0 < len(location) <= _LOCATION_LENGTH
            and issue_id.isascii() and category.isascii() and location.isascii()
            and issue_id.strip() == issue_id and category.strip() == category and location.strip() == location):
        return None
    received = _received(data["received_at"], plain)
    if received is None:
        return None
    values = _DEFAULT_VALUES.copy()  # every field in model order, as `model_validate` fills __dict__
    values["id"], values["received_at"], values["category"], values["location"] = (
        issue_id, received, category, location)
    if len(keys) > 4:
        get = data.get
        emergency, key_work = get("emergency", False), get("key_work", False)
        needs_enforcement, cross_department = get("needs_enforcement", False), get("cross_department", False)
        if not ((emergency is True or emergency is False) and (key_work is True or key_work is False)
                and (needs_enforcement is True or needs_enforcement is False)
                and (cross_department is True or cross_department is False)):
            return None
        repeat_count = get("repeat_count", 0)
        if type(repeat_count) is not int or not _REPEAT[0] <= repeat_count <= _REPEAT[1]:
            return None
        # A null value is no value to canonical(), which drops it: raw data holding one is not its own.
        absent = _ABSENT if plain else None
        channel, request_kind, description = get("channel", absent), get("request_kind", absent), get(
            "description", absent)
        if channel is not absent:
            channel = _CHANNELS.get(channel) if type(channel) is str else None
            if channel is None:
                return None
        else:
            channel = None
        if request_kind is not absent:
            request_kind = _KINDS.get(request_kind) if type(request_kind) is str else None
            if request_kind is None:
                return None
        else:
            request_kind = None
        if description is not absent:
            if not (type(description) is str and 0 < len(description) <= _DESCRIPTION_LENGTH
                    and description.strip() == description
                    and (description.isascii() or _SURROGATE.search(description) is None)):
                return None
        else:
            description = None
        values["channel"], values["request_kind"] = channel, request_kind
        values["emergency"], values["key_work"] = emergency, key_work
        values["needs_enforcement"], values["cross_department"] = needs_enforcement, cross_department
        values["repeat_count"], values["description"] = repeat_count, description
    issue = _new(Issue)
    _set_dict(issue, values)
    _set_fields_set(issue, set(keys))
    _set_extra(issue, None)
    _set_private(issue, None)
    return issue


def fast_issue(data: Mapping[str, Any]) -> Issue | None:
    """The `Issue` of canonical `data` when every value has the plain shape, else None."""
    return _issue(data, False)


def plain_issue(raw: Mapping[str, Any]) -> Issue | None:
    """The `Issue` of a raw row that `issue.canonical` would return as it is — its keys the
    field names, no empty or null value, text already stripped — when its values have the plain
    shape (`fast_issue`); else None. Such a row needs no normalising: it is its own canonical data."""
    return _issue(raw, True)


def issue_of(data: Mapping[str, Any]) -> Issue:
    """The `Issue` of canonical `data`: the short way when it applies, else full validation
    (raising pydantic's ValidationError)."""
    return fast_issue(data) or Issue.model_validate(data)


def to_issue(raw: Any) -> Issue:
    """`issue.as_issue(raw)`, the short way for a mapping of plain values."""
    if isinstance(raw, Mapping):
        issue = plain_issue(raw)
        if issue is not None:
            return issue
        data, twice = canonical(raw)
        if not twice:
            return issue_of(data)
    return as_issue(raw)


__all__ = ["fast_issue", "issue_of", "plain_issue", "to_issue"]
