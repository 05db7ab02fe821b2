"""An issue in — 诉求/事件: the `Issue` value, and the one place raw input becomes one.

Every way in reads the same rules, here: the file readers (`powerlist.routing.issue_io` turns
JSONL, JSON, CSV and XLSX into raw rows), `Router.route` and `Router.route_many` given a dict or
another pydantic model, and the `Issue(...)` constructor itself.

- Field names (`canonical`): the `Issue` names or the Chinese headers of hotline exports
  (`FIELD_ALIASES`: 工单编号, 受理时间, 问题分类, 发生地点/街道/社区, 渠道, 诉求类型, 是否紧急, 重点工作,
  需要执法, 跨部门, 重复次数, 问题描述); a field given twice is a problem; the most precise place
  (社区 over 发生地点 over 街道) is the location — a community given by name with its street reads
  "街道/社区", so that a community name two streets share still names one; blank cells are absent.
- Cell values (`canonical`): yes/no cells read 是/否, true/false, 1/0, Y/N, √/× (`sheets.cells`).
- Field values (the `Issue` validators): codes stored as numbers read back as text
  (420202001.0 → "420202001", `code_text`); `received_at` is read by the one time parser of
  every reader (`powerlist.sheets.timetext`: ISO 8601, Excel zh-CN "2026/11/23 9:05", 2026.8.1,
  2026年8月1日 9时00分, 上午9:00 …; a date cell is midnight of its day), a naive time is
  Asia/Shanghai time and a number is refused (a spreadsheet date serial is not a Unix timestamp); channel aliases
  (12345热线 → 12345); request kinds by their Chinese labels (投诉 → complaint).
- Raw → Issue (`as_issue`), and why not (`validation_problems`: pydantic's errors as located
  `Problem`s, an overlong value shown shortened).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from ..errors import InputError, Problem, escape_surrogates, pydantic_message
from ..sheets.cells import yes_no
from ..sheets.inbound import code_problem, normalise_code, text_problem
from ..sheets.timetext import SHANGHAI as SHANGHAI  # re-exported: every package reads the zone from here
from ..sheets.timetext import TimeTextError, parse_time
from .instants import instant_problem


class Channel(StrEnum):
    """Intake channel — 受理渠道 (多网合一: 12345 is the base)."""

    HOTLINE = "12345"
    DIGITAL_CITY = "数字城管"
    VIDEO = "雪亮工程"
    PETITION = "阳光信访"
    POLICE = "110"
    GRID = "网格"
    NEW_MEDIA = "部门新媒体"
    OTHER = "其他"


class RequestKind(StrEnum):
    """Hotline request kind — 诉求类型."""

    CONSULT = "consult"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议

    @property
    def label(self) -> str:
        return REQUEST_KIND_LABELS[self]


REQUEST_KIND_LABELS = {
    RequestKind.CONSULT: "咨询",
    RequestKind.HELP: "求助",
    RequestKind.COMPLAINT: "投诉",
    RequestKind.REPORT: "举报",
    RequestKind.SUGGESTION: "建议",
}
_REQUEST_KIND_BY_LABEL = {v: k for k, v in REQUEST_KIND_LABELS.items()}
_CHANNEL_ALIASES = {"12345热线": "12345", "黄石110": "110", "网格化服务管理中心": "网格", "其它": "其他"}


# ---- field values ----------------------------------------------------------------------------


def code_text(value: Any) -> Any:
    """A code cell as text: spreadsheets store codes as numbers, and 420202001.0 must read back
    as "420202001". Anything else (text, a bool, a fraction) is left for validation to judge."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _channel_text(value: Any) -> Any:
    if value is None or value == "":
        return None
    # int(inf) raises OverflowError: a non-finite number is text, and fails as an unknown channel.
    text = str(int(value)) if _is_number(value) and math.isfinite(value) else str(value).strip()
    return _CHANNEL_ALIASES.get(text, text)


def _request_kind_text(value: Any) -> Any:
    if value is None or value == "":
        return None
    text = str(value).strip()
    return _REQUEST_KIND_BY_LABEL.get(text, text)


def checked_text(value: Any) -> Any:
    """A before-validator's view of the one text policy (`powerlist.sheets.inbound`): text with
    a lone surrogate never enters."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise PydanticCustomError(*problem)
    return value


def checked_code(value: Any) -> Any:
    """An id or code as it enters: stored-as-number read as text (`code_text`), NFKC, and
    refused when it hides an invisible character (so two ids that look the same are the same)."""
    value = code_text(value)
    if isinstance(value, str):
        if value.isascii():  # the common case: ASCII is its own NFKC and holds no invisible character
            return value.strip()
        problem = code_problem(value)
        if problem is not None:
            raise PydanticCustomError(*problem)
        return normalise_code(value)
    return value


def checked_instant(value: datetime) -> datetime:
    """An instant as it enters: in Asia/Shanghai (naive = Shanghai), and refused when outside the
    years powerlist can compute with (`powerlist.routing.instants`): 9999-12-31T23:59:59-12:00 is
    a valid ISO time that no conversion survives."""
    problem = instant_problem(value)
    if problem is not None:
        raise PydanticCustomError(*problem)
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


class Issue(BaseModel):
    """One issue to route. A naive `received_at` is read as Asia/Shanghai time."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200)
    received_at: datetime
    category: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=100)
    channel: Channel | None = None
    request_kind: RequestKind | None = None
    emergency: bool = False
    key_work: bool = False
    needs_enforcement: bool = False
    cross_department: bool = False
    repeat_count: int = Field(default=0, ge=0, le=1_000_000)
    description: str | None = Field(default=None, max_length=20_000)

    @field_validator("id", "category", "location", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return checked_code(value)

    @field_validator("received_at", mode="before")
    @classmethod
    def _time_text(cls, value: Any) -> Any:
        # The one time parser of every reader. It also refuses numbers, which pydantic would
        # read as a Unix timestamp: from a spreadsheet a number is almost always an
        # unformatted date serial, so 45843 would silently become 1970.
        if isinstance(value, datetime):
            return value
        try:
            return parse_time(value)
        except TimeTextError as error:  # a stable error type, "bad-time", and the parser's words
            raise PydanticCustomError("bad-time", "{message}", {"message": str(error)}) from None

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return checked_instant(value)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        return _channel_text(value)

    @field_validator("request_kind", mode="before")
    @classmethod
    def _request_kind(cls, value: Any) -> Any:
        return _request_kind_text(value)

    @field_validator("description", mode="before")
    @classmethod
    def _empty_description(cls, value: Any) -> Any:
        # The one text field kept as written: the one text policy applies (ids and codes get it
        # through checked_code; a bad channel, kind, flag or time is refused by its own type).
        return None if value == "" else checked_text(value)


# ---- raw rows: field names and cell values ---------------------------------------------------

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "工单编号", "工单号", "诉求编号", "事件编号"),
    "received_at": ("received_at", "受理时间", "接收时间", "登记时间", "上报时间"),
    "category": ("category", "问题分类", "分类编码", "问题分类编码", "分类"),
    "location": ("location", "发生地点", "地点", "地点编码", "发生地点编码"),
    "community": ("社区", "社区编码", "所属社区"),
    "street": ("街道", "街道编码", "所属街道"),
    "channel": ("channel", "渠道", "受理渠道", "来源渠道"),
    "request_kind": ("request_kind", "诉求类型", "工单类型"),
    "emergency": ("emergency", "是否紧急", "紧急"),
    "key_work": ("key_work", "重点工作", "是否重点工作"),
    "needs_enforcement": ("needs_enforcement", "需要执法", "是否需要执法"),
    "cross_department": ("cross_department", "跨部门", "是否跨部门"),
    "repeat_count": ("repeat_count", "重复次数", "重复"),
    "description": ("description", "问题描述", "描述", "诉求内容"),
}
BOOL_FIELDS = ("emergency", "key_work", "needs_enforcement", "cross_department")
PLACE_FIELDS = ("community", "location", "street")  # the most precise first


def _normal(name: str) -> str:
    return "".join(str(name).split()).lower().replace("（", "(").split("(")[0]


_LOOKUP = {_normal(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
# Keys seen before, and the field each names: the same few keys head every row of a file, and
# normalising one costs more than the rest of its value's handling. Bounded (hostile input can
# carry a new key on every row): when full, further keys are normalised each time.
_NAMED: dict[str, str | None] = {}
_NAMED_LIMIT = 4096


def field_name(key: str) -> str | None:
    """The field a key or column header names (any alias, any case, spaces and a bracketed
    note ignored: "受理时间（北京时间）" is received_at), or None for an unknown one."""
    try:
        return _NAMED[key]
    except KeyError:
        pass
    except TypeError:  # not hashable: not a key a file can hold, named the long way
        return _LOOKUP.get(_normal(key))
    name = _LOOKUP.get(_normal(key))
    if len(_NAMED) < _NAMED_LIMIT and type(key) is str:
        _NAMED[key] = name
    return name


def canonical(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Map aliased keys to Issue field names and normalise cell values.

    Returns the data and the (key, message) problems found (a key given twice)."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    place: dict[str, Any] = {}
    for key, value in raw.items():
        name = field_name(key) or key
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        if value is None:
            continue
        if name in PLACE_FIELDS:
            place[name] = value
            continue
        if name in data:
            problems.append((name, f"字段 {name} 填写了两次（又写作“{key}”） "
                                   f"(the field {name!r} is given twice, as {key!r})"))
            continue
        data[name] = _cell_value(name, value)
    for name in PLACE_FIELDS:
        if name in place:
            data["location"] = _cell_value("location", place[name])
            break
    community, street = place.get("community"), place.get("street")
    if isinstance(community, str) and street is not None and not any(c.isdigit() for c in community):
        # A community given by name, with its street: "黄石港街道/纺织社区" names one community
        # even where two streets have a 纺织社区 (resolved by `Catalog.names`).
        data["location"] = f"{code_text(street)}/{community}"
    return data, problems


def _cell_value(name: str, value: Any) -> Any:
    if name == "channel" and isinstance(value, float) and not math.isfinite(value):
        # Issue reads a numeric channel (12345) through int(), which raises OverflowError on
        # inf — not a validation error; as text it is refused as an unknown channel, located
        return str(value)
    if name in BOOL_FIELDS and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        answer = yes_no(value)
        return value if answer is None else answer
    return value


# ---- raw → Issue -----------------------------------------------------------------------------


def as_issue(raw: Any) -> Issue:
    """An Issue from a mapping (Issue field names or the Chinese aliases of issue files) or
    another pydantic model with the same fields. Raises pydantic's ValidationError, or
    InputError for a field given twice."""
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    if isinstance(raw, Mapping):
        raw, twice = canonical(raw)
        if twice:
            raise InputError([Problem(message=m, field=k, code="duplicate-field") for k, m in twice],
                             "诉求无效 (invalid issue)")
    return Issue.model_validate(raw)


def raw_id(raw: Any, position: int) -> str:
    """The id of a raw issue that did not validate, as its rejection names it: its own id when
    it is text or a whole number, else its position in the input ("#3")."""
    value = raw.get("id") if isinstance(raw, Mapping) else getattr(raw, "id", None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return escape_surrogates(str(value).strip())
    return f"#{position}"


SHOWN_VALUE = 200  # characters of an invalid value a problem repeats


def shown_value(text: str) -> str:
    """An invalid value as a problem shows it: a 10 MB cell is named, not echoed into every
    decision's errors (JSONL, CSV, XLSX, whose cells hold at most 32,767 characters)."""
    if len(text) <= SHOWN_VALUE:
        return text
    return f"{text[:SHOWN_VALUE]}…（共 {len(text)} 字符 / {len(text)} characters in all）"


def validation_problems(error: ValidationError, file: str | None = None, row: int | None = None) -> list[Problem]:
    """pydantic's errors as `Problem`s, one per error, each naming its field and value, in Chinese
    with pydantic's English after it (`pydantic_message`)."""
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or None
        value = item.get("input")
        shown = None if isinstance(value, Mapping) or value is None else shown_value(str(value))
        problems.append(Problem(message=pydantic_message(item), file=file, row=row, field=field, value=shown,
                                code=item["type"]))
    return problems
