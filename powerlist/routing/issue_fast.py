"""The short way from canonical data to an `Issue`, for the data that needs none of the long one.

`fast_issue(data)` takes what `issue.canonical` returns (Issue field names, stripped cells) and
gives the `Issue` that `Issue.model_validate(data)` would give — or None, and the caller
validates the long way. It accepts only data whose every value is of the plain shape that the
`Issue` validators leave as it is, checked in a few type and set tests:

- `id`, `category`, `location`: ASCII text already stripped, within the field's lengths
  (`code_text` keeps text; ASCII text that `str.strip` leaves alone has nothing pydantic strips);
- `received_at`: ASCII text starting "YYYY-" (so not a number, which the validator refuses),
  parsed by pydantic's own datetime validator, then read as Asia/Shanghai time as `Issue` does;
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
from pydantic import BaseModel, TypeAdapter, ValidationError

from .issue import _CHANNEL_ALIASES, REQUEST_KIND_LABELS, SHANGHAI, Channel, Issue, RequestKind, as_issue, canonical


def _bound(name: str, kind: type[Any]) -> int:
    for item in Issue.model_fields[name].metadata:
        if isinstance(item, kind):
            return int(getattr(item, {MaxLen: "max_length", Ge: "ge", Le: "le"}[kind]))
    raise LookupError(f"Issue.{name} has no {kind.__name__}")


_KNOWN = frozenset(Issue.model_fields)
_REQUIRED = frozenset(name for name, info in Issue.model_fields.items() if info.is_required())
# Every field in model order (the order `model_validate` fills an instance's __dict__), defaults set.
_TEMPLATE = {name: None if info.is_required() else info.default for name, info in Issue.model_fields.items()}
_CODE_LENGTHS = {name: _bound(name, MaxLen) for name in ("id", "category", "location")}
_DESCRIPTION_LENGTH = _bound("description", MaxLen)
_REPEAT = (_bound("repeat_count", Ge), _bound("repeat_count", Le))
_FLAGS = ("emergency", "key_work", "needs_enforcement", "cross_department")
_CHANNELS: dict[str, Channel] = {c.value: c for c in Channel}
_CHANNELS.update({alias: Channel(target) for alias, target in _CHANNEL_ALIASES.items()})
_KINDS: dict[str, RequestKind] = {k.value: k for k in RequestKind}
_KINDS.update({label: kind for kind, label in REQUEST_KIND_LABELS.items()})
_SURROGATE = re.compile("[\ud800-\udfff]")
# The datetime validator of Issue.received_at, under the model's config.
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime, config=Issue.model_config)

_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_new = Issue.__new__


def _code(value: Any, limit: int) -> bool:
    return type(value) is str and 0 < len(value) <= limit and value.isascii() and value.strip() == value


def _received(value: Any) -> datetime | None:
    if not (type(value) is str and len(value) >= 10 and value.isascii() and value[4] == "-"
            and value[:4].isdigit()):
        return None
    try:
        moment = _DATETIME.validate_python(value)
    except ValidationError:
        return None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)


def fast_issue(data: Mapping[str, Any]) -> Issue | None:
    """The `Issue` of canonical `data` when every value has the plain shape, else None."""
    keys = data.keys()
    if not (keys >= _REQUIRED and keys <= _KNOWN):
        return None
    for name, limit in _CODE_LENGTHS.items():
        if not _code(data[name], limit):
            return None
    received = _received(data["received_at"])
    if received is None:
        return None
    values = _TEMPLATE.copy()
    values["received_at"] = received
    for name in keys:
        value = data[name]
        if name in _CODE_LENGTHS:
            pass
        elif name == "received_at":
            continue
        elif name in _FLAGS:
            if type(value) is not bool:
                return None
        elif name == "channel":
            value = _CHANNELS.get(value) if type(value) is str else None
            if value is None:
                return None
        elif name == "request_kind":
            value = _KINDS.get(value) if type(value) is str else None
            if value is None:
                return None
        elif name == "repeat_count":
            if type(value) is not int or not _REPEAT[0] <= value <= _REPEAT[1]:
                return None
        elif name == "description" and not (
                type(value) is str and 0 < len(value) <= _DESCRIPTION_LENGTH and value.strip() == value
                and (value.isascii() or _SURROGATE.search(value) is None)):
            return None
        values[name] = value
    issue = _new(Issue)
    _set_dict(issue, values)
    _set_fields_set(issue, set(keys))
    _set_extra(issue, None)
    _set_private(issue, None)
    return issue


def issue_of(data: Mapping[str, Any]) -> Issue:
    """The `Issue` of canonical `data`: the short way when it applies, else full validation
    (raising pydantic's ValidationError)."""
    return fast_issue(data) or Issue.model_validate(data)


def to_issue(raw: Any) -> Issue:
    """`issue.as_issue(raw)`, the short way for a mapping of plain values."""
    if isinstance(raw, Mapping):
        data, twice = canonical(raw)
        if not twice:
            return issue_of(data)
    return as_issue(raw)


__all__ = ["fast_issue", "issue_of", "to_issue"]
