"""Intake: channel rows → issues ready for `powerlist route` / `cases open` (多网合一).

For every row of every channel export: the channel's own id and time; the text (the channel's own
classification, title and content) matched to a category by the `Matcher`; the place (所属社区 /
所属街道 columns, address, grid, and coordinates through community boundaries when given)
resolved by the `Gazetteer`; then duplicates across all rows linked (`powerlist.intake.duplicates`).

Each `IntakeRecord.as_json()` is one JSONL line: the `Issue` fields (`id`, `received_at`,
`category`, `location`, `channel`, `request_kind`, `emergency`, `repeat_count`, `description` …)
plus `match` {category, confidence, needs_review, candidates}, `place` {text, location, community,
street, level, confidence, unresolved, evidence, candidates}, `duplicate_of`, `trace` (what was
decided and why, duplicate evidence included), `source` {channel, file, sheet, row} and `problems`.
A row that cannot be matched (no text) or placed (unresolved), or whose id or time is unusable,
is listed with `category`/`location` null and its `problems`; it is never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError

from ..catalog.catalog import Catalog
from ..errors import Problem
from ..routing.issue import SHANGHAI, Issue, RequestKind
from .channel_io import ChannelRow
from .channels import ChannelSpec
from .duplicates import DEFAULT_DISTANCE_M, DEFAULT_WINDOW, Report, link_duplicates
from .gazetteer import Gazetteer, PlaceMatch
from .geo import Boundaries, valid_point
from .matcher import Candidate, Matcher, Prediction

MAX_DESCRIPTION = 20_000
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?\s*(?:(\d{1,2})[:：时](\d{1,2})?分?(?:[:：](\d{1,2})秒?)?)?$")
_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$")
_DASH = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$")
_KINDS = [("咨询", RequestKind.CONSULT), ("求助", RequestKind.HELP), ("求决", RequestKind.HELP),
          ("投诉", RequestKind.COMPLAINT), ("申诉", RequestKind.COMPLAINT), ("举报", RequestKind.REPORT),
          ("揭发", RequestKind.REPORT), ("控告", RequestKind.REPORT), ("建议", RequestKind.SUGGESTION),
          ("意见", RequestKind.SUGGESTION)]
_URGENT = ("紧急", "特急", "加急", "急件", "是", "高", "一级")
_NOT_URGENT = ("不紧急", "非紧急", "一般", "普通", "否", "低", "常规")
INTAKE_KEYS = ("match", "place", "duplicate_of", "trace", "source", "problems")


@dataclass(frozen=True)
class IntakeOptions:
    top: int = 3
    window: timedelta = DEFAULT_WINDOW
    max_distance_m: float = DEFAULT_DISTANCE_M
    siblings: bool = True
    review_threshold: float | None = None  # None: the model's own


@dataclass
class IntakeRecord:
    spec: ChannelSpec
    row: ChannelRow
    id: str | None
    received_at: datetime | None
    text: str
    description: str | None
    request_kind: RequestKind | None
    emergency: bool
    repeat_count: int
    match: Prediction | None = None
    given_category: bool = False
    place: PlaceMatch | None = None
    point: tuple[float, float] | None = None
    duplicate_of: str | None = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def category(self) -> str | None:
        return self.match.category if self.match is not None else None

    @property
    def location(self) -> str | None:
        return self.place.location if self.place is not None else None

    @property
    def ok(self) -> bool:
        return not self.problems

    def issue(self) -> Issue | None:
        """The routable issue, or None when the row has problems."""
        if self.problems:
            return None
        return Issue.model_validate(self._issue_fields())

    def _issue_fields(self) -> dict[str, Any]:
        return {
            "id": self.id, "received_at": self.received_at, "category": self.category, "location": self.location,
            "channel": self.spec.channel, "request_kind": self.request_kind, "emergency": self.emergency,
            "repeat_count": self.repeat_count, "description": self.description,
        }

    def as_json(self) -> dict[str, Any]:
        fields = self._issue_fields()
        match = None
        if self.match is not None:
            match = self.match.as_json()
            match["given"] = self.given_category
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "category": fields["category"],
            "location": fields["location"],
            "channel": self.spec.channel.value,
            "request_kind": self.request_kind.label if self.request_kind else None,
            "emergency": self.emergency,
            "repeat_count": self.repeat_count,
            "description": self.description,
            "match": match,
            "place": self.place.as_json() if self.place is not None else None,
            "duplicate_of": self.duplicate_of,
            "trace": self.trace,
            "source": {"channel": self.spec.code, "file": self.row.file, "sheet": self.row.sheet, "row": self.row.row},
            "problems": [p.as_json() for p in self.problems],
        }


def parse_time(value: Any) -> datetime | None:
    """A channel's time cell as an aware datetime (naive = Asia/Shanghai); None when unreadable.
    Reads datetime/date cells, ISO 8601, 2026/11/23 9:05, 2026.11.23 and 2026年11月23日 9时05分."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        found = _CN_DATE.match(text) or _SLASH.match(text) or _DASH.match(text)
        try:
            if found:
                y, m, d, hh, mm, ss = (int(p) if p else 0 for p in found.groups())
                moment = datetime(y, m, d, hh, mm, ss)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _kind(value: Any) -> RequestKind | None:
    text = _text(value)
    return next((kind for word, kind in _KINDS if word in text), None)


def _urgent(value: Any) -> bool:
    text = _text(value)
    if not text or any(word in text for word in _NOT_URGENT):
        return False
    return any(word in text for word in _URGENT)


def _number(value: Any) -> float | None:
    try:
        number = float(_text(value))
    except ValueError:
        return None
    return number


def _repeat(value: Any) -> int:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() and 0 <= number <= 1_000_000 else 0


class Intake:
    """Matcher + gazetteer (+ boundaries) applied to channel rows."""

    def __init__(self, matcher: Matcher, gazetteer: Gazetteer, boundaries: Boundaries | None = None,
                 options: IntakeOptions | None = None) -> None:
        self.matcher = matcher
        self.gazetteer = gazetteer
        self.boundaries = boundaries
        self.options = options or IntakeOptions()
        self.catalog: Catalog = gazetteer.catalog
        # a channel column holding one of the model's labels, or its name, is the channel's own coding
        self._given = {name: label for label, name in matcher.label_names.items()}
        self._given.update({label: label for label in matcher.labels})

    def run(self, rows: Iterable[tuple[ChannelSpec, ChannelRow]]) -> list[IntakeRecord]:
        """One record per row, in input order; duplicates linked across all of them."""
        records = [self._record(spec, row) for spec, row in rows]
        self._match(records)
        for record in records:
            self._place(record)
            self._check(record)
        self._unique_ids(records)
        self._link(records)
        return records

    def _record(self, spec: ChannelSpec, row: ChannelRow) -> IntakeRecord:
        values = row.values
        problems = list(row.problems)
        source_id = _text(values.get("source_id")) or None
        if source_id is None and not problems:
            problems.append(Problem(message="编号为空 (the channel's id is empty)", code="missing-id",
                                    **row.where("source_id")))
        received = parse_time(values.get("received_at"))
        if received is None and not row.problems:
            problems.append(Problem(message="时间无法读取，应为 2026-11-23 09:12 这样的日期时间 "
                                    "(unreadable time; expected a date-time such as 2026-11-23 09:12)",
                                    value=_text(values.get("received_at")) or None, code="bad-time",
                                    **row.where("received_at")))
        words = [_text(values.get(name)) for name in ("title", "content")]
        text = " ".join(t for t in [_text(values.get("channel_category")), *words] if t)
        description = " ".join(t for t in words if t) or _text(values.get("channel_category")) or None
        record = IntakeRecord(spec, row, source_id, received, text,
                              description[:MAX_DESCRIPTION] if description else None,
                              _kind(values.get("request_kind")), _urgent(values.get("urgency")),
                              _repeat(values.get("repeat")), problems=problems)
        lon, lat = _number(values.get("lon")), _number(values.get("lat"))
        if lon is not None and lat is not None:
            if valid_point(lon, lat):
                record.point = (lon, lat)
            else:
                record.trace.append({"rule": "intake.coordinates", "reason": f"坐标 {lon},{lat} 不是经纬度，未使用 "
                                     "(not longitude/latitude degrees; not used)"})
        return record

    def _match(self, records: Sequence[IntakeRecord]) -> None:
        pending = []
        for record in records:
            given = self._given.get(_text(record.row.values.get("channel_category")))
            if given is not None:  # the channel already coded it with one of the model's labels
                record.match = Prediction(category=given, confidence=1.0, candidates=[Candidate(given, 1.0)],
                                          needs_review=False)
                record.given_category = True
                record.trace.append({"rule": "intake.match.given",
                                     "reason": f"渠道分类即为 {given} (coded by the channel)"})
            elif record.text:
                pending.append(record)
            else:
                record.problems.append(Problem(message="没有可匹配的诉求文字 (no text to match a category)",
                                               code="no-text", **record.row.where("content")))
        predictions = self.matcher.predict_many([r.text for r in pending], self.options.top,
                                                threshold=self.options.review_threshold)
        for record, prediction in zip(pending, predictions, strict=True):
            record.match = prediction
            review = "，需人工确认 (needs review)" if prediction.needs_review else ""
            record.trace.append({"rule": "intake.match", "reason": f"文本匹配 {prediction.category} 置信度 "
                                 f"{prediction.confidence:.2f}{review}"})

    def _place(self, record: IntakeRecord) -> None:
        values = record.row.values
        address = " ".join(t for t in (_text(values.get(n)) for n in ("address", "grid")) if t)
        hints = {"community": _text(values.get("community_hint")) or None,
                 "street": _text(values.get("street_hint")) or None}
        place = None
        if record.point is not None and self.boundaries is not None:
            place = self.boundaries.resolve_point(*record.point, text=address)
            if place.unresolved:
                place = None
        if place is None:
            place = self.gazetteer.resolve(address, **hints)
        record.place = place
        if place.unresolved:
            record.problems.append(Problem(
                message=f"地点无法确定到社区或街道（候选 {len(place.candidates)} 个）"
                        f"(the place cannot be resolved to a community or street; {len(place.candidates)} candidates)",
                value=address or None, code="unresolved-place", **record.row.where("address")))
        else:
            record.trace.append({"rule": f"intake.place.{place.level}",
                                 "reason": f"地点 {place.location} 置信度 {place.confidence:.2f}："
                                           + "；".join(place.evidence)})

    def _check(self, record: IntakeRecord) -> None:
        if record.problems:
            return
        try:
            Issue.model_validate(record._issue_fields())
        except ValidationError as error:
            from ..routing.issue import validation_problems

            record.problems.extend(p.model_copy(update=record.row.where(p.field or ""))
                                   for p in validation_problems(error))

    def _unique_ids(self, records: Sequence[IntakeRecord]) -> None:
        seen: dict[str, IntakeRecord] = {}
        for record in records:
            if record.id is None:
                continue
            first = seen.setdefault(record.id, record)
            if first is not record:
                where = f"{first.row.file} row {first.row.row}"
                record.problems.append(Problem(message=f"编号重复：{where} 已用 {record.id!r} "
                                               f"(duplicate id: {where} already has it)", value=record.id,
                                               code="duplicate-id", **record.row.where("source_id")))

    def _link(self, records: Sequence[IntakeRecord]) -> None:
        parents = {code: c.parent for code, c in self.catalog.categories.items()}
        usable: dict[str, IntakeRecord] = {}
        reports = []
        for record in records:
            if record.problems or record.id is None or record.received_at is None:
                continue
            street = self.catalog.street_of(record.location or "")
            if street is None or record.category is None or record.location is None:
                continue
            usable[record.id] = record
            reports.append(Report(record.id, record.received_at, street.code, record.location, record.category,
                                  record.spec.code, record.point))
        links = link_duplicates(reports, parents, window=self.options.window,
                                max_distance_m=self.options.max_distance_m, siblings=self.options.siblings)
        for issue_id, link in links.items():
            record = usable[issue_id]
            if link.duplicate_of is not None:
                record.duplicate_of = link.duplicate_of
                record.repeat_count += link.position
                record.trace.append({"rule": "intake.duplicate", "reason": f"与 {link.duplicate_of} 为同一问题 "
                                     f"(same problem as {link.duplicate_of})", "evidence": link.evidence})
            elif link.duplicates:
                record.repeat_count += link.duplicates
                record.trace.append({"rule": "intake.duplicate.first", "reason": f"首报，另有 {link.duplicates} "
                                     f"次重复反映 (first report; {link.duplicates} later reports linked)"})
