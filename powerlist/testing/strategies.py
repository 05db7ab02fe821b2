"""Hypothesis strategies over powerlist's inputs: catalogs, issues, power lists, case histories.

Every strategy draws *valid* values, so a property that fails names a bug in the code under test
(or in a user's rules), never a malformed input. `powerlist.testing` documents them for users.

    from hypothesis import given, strategies as st
    from powerlist.testing.strategies import catalogs, issues

    @given(catalogs().flatmap(lambda c: st.tuples(st.just(c), issues(c))))
    def test_every_issue_has_one_lead(pair): ...

- `catalogs()`: small but complete catalogs — 1–2 districts, 1–3 streets each, 0–2
  communities per street, 1–4 departments (some stationed, some with stationed units in some
  streets), 1–6 power items, 1–6 categories of every scope, a random delegation mode for some
  (item, street) pairs.
- `issues(catalog=None)`: issues whose category and location are in the catalog (the shipped
  Huangshi catalog when None; a `Catalog` value; or a strategy of catalogs, `catalogs=` being
  the same argument by keyword) and whose received_at lies in 2024–2026 (years the
  working-day calendar knows, early enough that every time limit ends in a known year).
- `power_lists()`: tuples of valid `PowerItem`s with unique codes, as the loader returns them
  (without `origin`); `power_list_workbooks()`: the same items written to an .xlsx (bytes) the
  way people write them — title rows, alias headers with stray spaces and line breaks, any
  column order, blank rows, codes stored as numbers, kinds by name or code, several sheets, a
  说明 sheet, a hidden stale sheet, an ignored column — which `load_power_list` must read back
  equal (`PowerListWorkbook.items`).
- `case_histories()`: event logs that the lifecycle accepts (`lifecycle.replay` never raises
  on them): an `open` event with its routing details, then events allowed in each state, in
  time order, each with the details the event needs. `CaseHistory.store_into(store)` writes
  one into a `CaseStore`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..cases.lifecycle import TRANSITIONS, Event, EventRecord, Satisfaction, Snapshot, apply, rank, replay, stamp
from ..cases.store import CaseStore, NewEvent
from ..catalog.catalog import Catalog
from ..catalog.models import (
    CatalogData,
    Category,
    Community,
    Delegation,
    DelegationMode,
    Department,
    District,
    PowerItem,
    PowerKind,
    Scope,
    Street,
    Unit,
    UnitKind,
)
from ..routing.issue import SHANGHAI, Channel, Issue, RequestKind

__all__ = [
    "CaseHistory",
    "PowerListWorkbook",
    "case_histories",
    "catalogs",
    "issues",
    "power_list_workbooks",
    "power_lists",
    "shipped_catalog",
]

_DEPARTMENTS = (
    ("scjg", "市场监管", "市场监督管理局", True, "市场监管所"),
    ("ga", "公安", "公安局", True, "派出所"),
    ("sf", "司法", "司法局", True, "司法所"),
    ("cg", "城管", "城市管理执法局", False, None),
    ("mz", "民政", "民政局", False, None),
    ("yj", "应急", "应急管理局", False, None),
    ("zj", "住建", "住房和城乡建设局", False, None),
)
_CITATIONS = ["《行政处罚法》第二十四条", "《城市市容和环境卫生管理条例》第十四条", "《食品安全法》第一百一十条"]
_EARLIEST = datetime(2024, 1, 1)
_LATEST = datetime(2026, 11, 30, 23, 59)


def shipped_catalog() -> Catalog:
    """The shipped Huangshi catalog (loaded once per process)."""
    from ..catalog.loader import load_catalogs

    return load_catalogs()


# ---- catalogs -------------------------------------------------------------------------------


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    """A random valid Catalog."""
    n_districts = draw(st.integers(1, 2))
    districts = tuple(District(code=f"4202{d + 1:02d}", name=f"第{d + 1}区") for d in range(n_districts))
    streets: list[Street] = []
    communities: list[Community] = []
    for district in districts:
        for s in range(draw(st.integers(1, 3))):
            street = Street(code=f"{district.code}{s + 1:03d}", name=f"{district.name}{s + 1}街道",
                            district=district.code)
            streets.append(street)
            for c in range(draw(st.integers(0, 2))):
                communities.append(Community(code=f"{street.code}{c + 1:03d}", name=f"{street.name}{c + 1}社区",
                                             street=street.code))
    chosen = draw(st.lists(st.sampled_from(_DEPARTMENTS), min_size=1, max_size=4, unique_by=lambda d: d[0]))
    departments = []
    for code, short, suffix, stationed, unit_name in chosen:
        stationed = stationed and draw(st.booleans())
        departments.append(Department(
            code=code, name=short, city_name=f"黄石市{suffix}", district_name="{district}" + suffix,
            stationed=stationed, stationed_unit_name=unit_name if stationed else None,
        ))
    stationed_units = []
    for dept in departments:
        if not dept.stationed:
            continue
        for street in streets:
            if draw(st.booleans()):
                stationed_units.append(Unit(
                    code=f"{street.code}-{dept.code}", name=f"{street.name}{dept.stationed_unit_name}",
                    kind=UnitKind.STATIONED_UNIT, district=street.district, street=street.code, department=dept.code,
                ))
    modes = st.sampled_from(list(DelegationMode))
    items = []
    for i in range(draw(st.integers(1, 6))):
        dept = draw(st.sampled_from(departments))
        items.append(PowerItem(
            code=f"I{i + 1:03d}",
            name=f"事项{i + 1}",
            kind=draw(st.sampled_from(list(PowerKind))),
            department=draw(st.sampled_from([dept.code, dept.name, dept.city_name])),
            legal_basis=tuple(draw(st.lists(st.sampled_from(_CITATIONS), max_size=2, unique=True))),
            mode=draw(st.none() | modes),
        ))
    item_codes = [item.code for item in items]
    categories = []
    for c in range(draw(st.integers(1, 6))):
        principal = tuple(draw(st.lists(st.sampled_from(item_codes), max_size=3, unique=True)))
        others = [code for code in item_codes if code not in principal]
        # related powers (co-units only) only beside principal ones, as the taxonomy requires
        related: tuple[str, ...] = ()
        if principal and others:
            related = tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
        categories.append(Category(code=f"C{c + 1:02d}", name=f"分类{c + 1}", scope=draw(st.sampled_from(list(Scope))),
                                   powers=principal, related=related))
    delegations = []
    for item in item_codes:
        for street in streets:
            if draw(st.booleans()):
                delegations.append(Delegation(item=item, street=street.code, mode=draw(modes)))
    return Catalog(CatalogData(
        districts=districts,
        streets=tuple(streets),
        communities=tuple(communities),
        departments=tuple(departments),
        items=tuple(items),
        categories=tuple(categories),
        delegations=tuple(delegations),
        stationed_units=tuple(stationed_units),
        name="测试市",
    ))


# ---- issues ---------------------------------------------------------------------------------


def issues(catalog: Catalog | SearchStrategy[Catalog] | None = None, *,
           catalogs: Catalog | SearchStrategy[Catalog] | None = None) -> SearchStrategy[Issue]:
    """Valid Issues over a catalog: the shipped one (None), a `Catalog`, or a strategy of them."""
    if catalog is not None and catalogs is not None:
        raise TypeError("issues(): give the catalog once, positionally or as catalogs=, not both")
    chosen = catalogs if catalog is None else catalog
    if chosen is not None and not isinstance(chosen, (Catalog, SearchStrategy)):
        raise TypeError(f"issues(): expected a Catalog, a strategy of Catalogs or None, not {type(chosen).__name__}")
    if isinstance(chosen, SearchStrategy):
        return chosen.flatmap(_issues_over)
    return _issues_over(chosen)


@st.composite
def _issues_over(draw: st.DrawFn, catalog: Catalog | None) -> Issue:
    if catalog is None:
        catalog = shipped_catalog()
    category = draw(st.sampled_from(sorted(catalog.categories)))
    location = draw(st.sampled_from(sorted(catalog.streets) + sorted(catalog.communities)))
    received = draw(st.datetimes(min_value=_EARLIEST, max_value=_LATEST))
    return Issue(
        id=draw(st.from_regex(r"[A-Z]{2}[0-9]{1,8}", fullmatch=True)),
        received_at=received.replace(tzinfo=SHANGHAI, microsecond=0),
        category=category,
        location=location,
        channel=draw(st.none() | st.sampled_from(list(Channel))),
        request_kind=draw(st.none() | st.sampled_from(list(RequestKind))),
        emergency=draw(st.booleans()),
        key_work=draw(st.booleans()),
        needs_enforcement=draw(st.booleans()),
        cross_department=draw(st.booleans()),
        repeat_count=draw(st.integers(0, 6)),
        description=draw(st.none() | st.text(max_size=30)),
    )


# ---- power lists ----------------------------------------------------------------------------

_CJK = "事项对未按规定的处罚许可检查行政城市道路占用经营食品安全生产监督管理条例法第一二三十条款街道社区"
_ALPHABET = _CJK + "ABCxyz0123456789（）《》、·/"
_POWER_FIELDS = ("seq", "code", "name", "sub_item", "kind", "department", "legal_basis",
                 "responsibilities", "accountability", "mode", "source", "note")
_NOISE = ("", " ", "  ", "\u3000", "\u00a0", "\n", " \u3000")


def _clean(text: str) -> str:
    from ..sheets.text import clean_line

    return clean_line(text)


_texts = st.text(alphabet=_ALPHABET, min_size=1, max_size=12).map(_clean).filter(bool)
_lines = st.lists(_texts, max_size=3, unique=True).map(tuple)


@st.composite
def power_lists(draw: st.DrawFn, min_items: int = 1, max_items: int = 8) -> tuple[PowerItem, ...]:
    """Valid power items with unique codes, as `load_power_list` returns them (no origin).

    Codes are digits, digits with a leading zero, or a letter and digits."""
    count = draw(st.integers(min_items, max_items))
    numbers = draw(st.lists(st.integers(1, 99_999), min_size=count, max_size=count, unique=True))
    items = []
    for number in numbers:
        items.append(PowerItem(
            code=draw(st.sampled_from([str(number), f"A{number}", f"0{number}"])),
            name=draw(_texts),
            sub_item=draw(st.none() | _texts),
            kind=draw(st.sampled_from(list(PowerKind))),
            department=draw(st.none() | _texts),
            legal_basis=draw(_lines),
            responsibilities=draw(_lines),
            accountability=draw(_lines),
            mode=draw(st.none() | st.sampled_from(list(DelegationMode))),
            source=draw(_texts | st.just("")),
            note=draw(_texts | st.just("")),
        ))
    return tuple(items)


@dataclass(frozen=True)
class PowerListWorkbook:
    """A power list and the .xlsx bytes that hold it (written with layout noise)."""

    items: tuple[PowerItem, ...]
    content: bytes

    def write(self, path: str | Path) -> Path:
        from ..sheets.output import atomic_binary

        with atomic_binary(path) as handle:
            handle.write(self.content)
        return Path(path)


@st.composite
def power_list_workbooks(draw: st.DrawFn, items: SearchStrategy[tuple[PowerItem, ...]] | None = None
                         ) -> PowerListWorkbook:
    """A valid power list written as people write them; it must load back equal."""
    from openpyxl import Workbook

    from ..catalog.item_rows import POWER_LIST_FIELDS

    drawn: tuple[PowerItem, ...] = draw(items if items is not None else power_lists())
    order = list(draw(st.permutations(_POWER_FIELDS)))
    aliases = {f: draw(st.sampled_from(POWER_LIST_FIELDS[f])) for f in _POWER_FIELDS}
    title_rows = draw(st.integers(0, 3))
    blank_every = draw(st.integers(0, 3))
    split = draw(st.integers(0, len(drawn)))
    ignored_column = draw(st.booleans())

    def noisy(text: str) -> str:
        return draw(st.sampled_from(_NOISE)) + text + draw(st.sampled_from(_NOISE))

    def lines(values: tuple[str, ...], citation: bool) -> str | None:
        if not values:
            return draw(st.sampled_from([None, "", " \n "]))
        separators = ["\n", "\r\n", "\n\n", " \n\u3000"] + (["；", ";", "；\n"] if citation else [])
        return noisy(draw(st.sampled_from(separators)).join(values))

    def code_cell(code: str) -> Any:
        if code.isdigit() and not code.startswith("0"):
            return draw(st.sampled_from([code, int(code), float(code), noisy(code)]))
        return noisy(code)

    def kind_cell(kind: PowerKind) -> Any:
        return draw(st.sampled_from([kind.value, int(kind.value), kind.label,
                                     kind.label.removeprefix("行政"), noisy(kind.label)]))

    book = Workbook()
    book.remove(book.worksheets[0])  # the default sheet of a new workbook
    if draw(st.booleans()):
        book.create_sheet("说明").append(["填表说明：每行一个事项"])
    for number, part in enumerate((drawn[:split], drawn[split:]), start=1):
        if not part:
            continue
        ws = book.create_sheet(f"清单{number}")
        if number == 1:
            for n in range(title_rows):
                ws.append([f"第{n + 1}批 街道通用清单（示意）"] if n == 0 else [None, "单位：项"])
        header = [noisy(draw(st.sampled_from(["", " ", "\u3000", "\n"])).join(aliases[f])) for f in order]
        ws.append(header + (["审核转报"] if ignored_column else []))
        for index, item in enumerate(part):
            if blank_every and index % blank_every == 0:
                ws.append([None] * len(header))
            values = {
                "seq": index + 1,
                "code": code_cell(item.code),
                "name": noisy(item.name),
                "sub_item": noisy(item.sub_item) if item.sub_item else None,
                "kind": kind_cell(item.kind),
                "department": noisy(item.department) if item.department else None,
                "legal_basis": lines(item.legal_basis, citation=True),
                "responsibilities": lines(item.responsibilities, citation=False),
                "accountability": lines(item.accountability, citation=False),
                "mode": item.mode.label if item.mode else None,
                "source": noisy(item.source) if item.source else None,
                "note": noisy(item.note) if item.note else None,
            }
            ws.append([values[f] for f in order] + (["是"] if ignored_column else []))
    if draw(st.booleans()) and drawn:
        stale = book.create_sheet("旧版")
        stale.sheet_state = "hidden"
        stale.append(["事项编码", "事项名称", "权力类型"])
        stale.append([drawn[0].code, "旧事项", "行政处罚"])
    buffer = io.BytesIO()
    book.save(buffer)
    return PowerListWorkbook(drawn, buffer.getvalue())


# ---- case histories -------------------------------------------------------------------------

_UNITS = (
    {"code": "420202001001", "name": "测试社区居委会", "level": "community"},
    {"code": "420202001", "name": "测试街道办事处", "level": "street"},
    {"code": "420202001-ga", "name": "测试街道派出所", "level": "street"},
    {"code": "420202-cg", "name": "黄石港区城市管理执法局", "level": "district"},
    {"code": "420200-cg", "name": "黄石市城市管理执法局", "level": "city"},
)
_SUPERVISION = {"code": "420200-supervision", "name": "市委督查室、市政府政务督查室", "level": "city"}


@dataclass(frozen=True)
class CaseHistory:
    """One case's event log, valid for the lifecycle."""

    case_id: str
    events: tuple[EventRecord, ...]

    @property
    def snapshot(self) -> Snapshot:
        return replay(self.events)

    def store_into(self, store: CaseStore) -> Snapshot:
        """Write the history into a `CaseStore` (its `open` event, then the rest)."""
        first, rest = self.events[0], self.events[1:]
        then = [NewEvent(e.at, e.event, e.actor, e.rule, dict(e.details)) for e in rest]
        return store.create(self.case_id, first.at, dict(first.details), then)


def _opening_details(draw: st.DrawFn, at: datetime) -> dict[str, Any]:
    lead = draw(st.sampled_from(_UNITS))
    respond = draw(st.integers(30 * 60, 3 * 86_400))
    complete = draw(st.integers(respond, 20 * 86_400))
    grade = "ABCD"[rank(lead["level"])]
    path = [u for u in _UNITS if rank(u["level"]) >= rank(lead["level"])]
    return {
        "issue_id": None,
        "category": draw(st.sampled_from(["C01", "C02", "BJ0104"])),
        "street": "420202001",
        "whistle": draw(st.sampled_from(["daily", "key", "coordination", "emergency"])),
        "grade": grade,
        "level": lead["level"],
        "lead": dict(lead),
        "co_units": [],
        "path": [dict(u) for u in path],
        "holders": [],
        "supervision_office": dict(_SUPERVISION),
        "respond_by": stamp(at + timedelta(seconds=respond)),
        "complete_by": stamp(at + timedelta(seconds=complete)),
        "respond_window": respond,
        "complete_window": complete,
        "rules_version": "test",
    }


def _event_details(draw: st.DrawFn, snapshot: Snapshot, event: Event, at: datetime
                   ) -> tuple[str | None, dict[str, Any]]:
    """(actor, details) for `event`, as the escalator would write them."""
    assignee = snapshot.assignee
    if event in (Event.DISPATCH, Event.SUPERVISE):
        unit = dict(draw(st.sampled_from(_UNITS)))
        details: dict[str, Any] = {"to": unit}
        if event is Event.SUPERVISE:
            details["office"] = dict(_SUPERVISION)
            details["restart"] = draw(st.booleans())
        return None, details
    if event is Event.ESCALATE:
        above = [u for u in _UNITS if rank(u["level"]) >= rank(assignee["level"])] or [_SUPERVISION]
        return None, {"to": dict(draw(st.sampled_from(above)))}
    if event is Event.EXTEND:
        hours = draw(st.integers(1, 240))
        return assignee["code"], {"complete_by": stamp(at + timedelta(hours=hours)), "hard": draw(st.booleans())}
    if event is Event.REOPEN:
        return assignee["code"], {"hard": draw(st.booleans())}
    if event is Event.EVALUATE:
        return None, {"satisfaction": draw(st.sampled_from(list(Satisfaction))).value}
    if event is Event.RETURN:
        return assignee["code"], {"reason": draw(st.sampled_from(["不属于本单位职责", "地址有误"]))}
    if event is Event.REMIND:
        return None, {"escalate_at": stamp(at + timedelta(hours=draw(st.integers(1, 48))))}
    if event is Event.NOTE:
        return None, {"finding": draw(st.sampled_from(["慢到位", "不到位", "推诿", "争议"]))}
    if event is Event.SANCTION:
        return None, {"unit": assignee["code"], "sanction": draw(st.sampled_from(["通报批评", "约谈", "问责"]))}
    return assignee["code"], {}


@st.composite
def case_histories(draw: st.DrawFn, case_id: str | None = None, max_events: int = 12) -> CaseHistory:
    """A case's event log that the lifecycle accepts, events in time order.

    Events are drawn among those `lifecycle.TRANSITIONS` allows in the state reached so far,
    biased towards the main line (dispatch → respond → handle → complete → feed back →
    evaluate → close) so that long histories reach every state."""
    if case_id is None:
        case_id = draw(st.from_regex(r"HS-20[2-3][0-9]-[0-9]{4}", fullmatch=True))
    opened = draw(st.datetimes(min_value=_EARLIEST, max_value=_LATEST)).replace(tzinfo=SHANGHAI, microsecond=0)
    details = _opening_details(draw, opened)
    details["issue_id"] = case_id
    first = EventRecord(case_id, 1, stamp(opened), Event.OPEN, None, None, details)
    snapshot = apply(None, first)
    records = [first]
    at = opened
    main_line = (Event.DISPATCH, Event.RESPOND, Event.HANDLE, Event.COMPLETE, Event.FEED_BACK,
                 Event.EVALUATE, Event.CLOSE)
    for _ in range(draw(st.integers(0, max_events))):
        allowed = sorted(TRANSITIONS[snapshot.state], key=lambda e: e.value)
        preferred = [e for e in main_line if e in allowed]
        on_main_line = bool(preferred) and draw(st.booleans())
        event = draw(st.sampled_from(preferred if on_main_line else allowed))
        at = at + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        actor, event_details = _event_details(draw, snapshot, event, at)
        record = EventRecord(case_id, snapshot.n + 1, stamp(at), event, actor, None, event_details)
        snapshot = apply(snapshot, record)
        records.append(record)
    return CaseHistory(case_id, tuple(records))

