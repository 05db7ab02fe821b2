"""The router — 派单: the power list, not a person, decides who must respond.

`Router` is the library's way in: built from a catalog and rules (directories, or the shipped
ones), on one engine ("compiled", the fast path, or "durable", the reference), it routes an
`Issue`, a dict or an `issue_io.IssueRecord` (raw input is normalised by
`powerlist.routing.issue`) through the pipeline (`powerlist.routing.pipeline`) and explains the
decision (`powerlist.routing.explain`). A bad item never stops `route_many`: it becomes a
`rejected` decision naming every problem where it was found. Pure: no clock, no I/O beyond
loading the catalog and rules it is given by path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalog.catalog import Catalog
from ..catalog.loader import load_catalogs
from ..errors import InputError, Problem, escape_surrogates
from .calendar import UNKNOWN_YEAR_MODES, WorkCalendar
from .decision import Decision
from .decision_json import decision_json
from .engines import ENGINES, make_evaluator
from .explain import explain_decision
from .issue import Issue, raw_id, validation_problems
from .issue_fast import issue_of, plain_issue, to_issue
from .issue_io import IssueRecord, json_object
from .pipeline import Pipeline
from .place import reference_problems
from .plan_text import StampedBytes
from .sketch import TABLES
from .tables import RuleSet

DEADLINES = "deadlines"  # the rules file (rules/deadlines.toml) whose [params] say unknown_year


class Router:
    """Routes issues to the unit that holds the power to act. Pure: no clock, no I/O."""

    def __init__(self, catalog: Catalog | str | Path | None, rules: RuleSet | str | Path | None = None,
                 engine: str = "compiled", calendar: WorkCalendar | None = None) -> None:
        """`catalog`: a `Catalog`, or a catalogs directory (None: the shipped catalogs);
        `rules`: a `RuleSet`, or a rules directory (None: the shipped rules)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
        if catalog is None or isinstance(catalog, (str, Path)):
            catalog = load_catalogs(catalog)
        elif not isinstance(catalog, Catalog):
            raise TypeError(f"catalog must be a Catalog or a catalogs directory, not {type(catalog).__name__}")
        if rules is None or isinstance(rules, (str, Path)):
            rules = RuleSet.load(rules)
        elif not isinstance(rules, RuleSet):
            raise TypeError(f"rules must be a RuleSet or a rules directory, not {type(rules).__name__}")
        for name in TABLES:
            if name not in rules.tables:
                raise InputError([Problem(message=f"规则缺少决策表 {name!r} (the rules have no table {name!r})",
                                          field=name, code="missing-table")], "规则不完整 (incomplete rules)")
        self.catalog = catalog
        self.rules = rules
        self.engine = engine
        self.unknown_year = unknown_year_mode(rules)
        # A calendar passed in is used as given (its own unknown_year); otherwise the rules decide.
        self.calendar = (calendar if calendar is not None
                         else WorkCalendar(catalog.data.calendar_overrides, unknown_year=self.unknown_year))
        self.rules_version = rules_version_of(rules, catalog)
        pipeline = Pipeline(catalog, rules, self.calendar, make_evaluator(engine, rules), self.rules_version,
                            keep_plans=engine == "compiled")
        self._decide = pipeline.decide
        self._decide_json = pipeline.decide_json if pipeline.keep_plans else None
        self._decide_bytes = pipeline.decide_bytes if pipeline.keep_plans else None
        self._plans = pipeline.plans  # the plans kept, shared with the pipeline
        self._texts = pipeline.texts  # the same, as their JSON text needs them (`route_json`)

    @classmethod
    def default(cls, engine: str = "compiled", *, catalogs: str | Path | None = None,
                rules: str | Path | None = None) -> Router:
        """The shipped catalogs and rules (or the given directories)."""
        return cls(load_catalogs(catalogs), RuleSet.load(rules), engine=engine)

    # ---- routing ------------------------------------------------------------------------

    def route(self, issue: Issue | Mapping[str, Any]) -> Decision:
        """Route one issue; raise InputError (located) for an invalid or unknown issue."""
        if not isinstance(issue, Issue):
            try:
                issue = to_issue(issue)
            except ValidationError as error:
                problems = validation_problems(error)
                problems += reference_problems(self.catalog, issue, (p.field for p in problems))
                raise InputError(problems, "诉求无效 (invalid issue)") from None
        return self._decide(issue)

    def route_many(self, items: Iterable[Any], *, start: int = 1) -> Iterator[Decision]:
        """Route every item (Issue, dict, another pydantic model, or IssueRecord from
        `issue_io.read_issues`), in order. Never stops on a bad item: it becomes a `rejected`
        decision whose `errors` say what was wrong and where (file, row, cell, field); an item
        without a usable id is named by its position, "#3" (the first item's position is
        `start`: a part of a longer input numbers its items as the whole does)."""
        for position, item in enumerate(items, start=start):
            yield self._one(item, position)

    def _one(self, item: Any, position: int) -> Decision:
        record = item if isinstance(item, IssueRecord) else None
        raw: Any = record.data if record else item
        if record and record.problems:
            return record_rejection(record, position, self.rules_version)
        try:
            # A record's data is canonical already (issue_io read it through `canonical`), and
            # its Issue made when it was plain.
            issue = (record.issue or issue_of(raw)) if record else (raw if isinstance(raw, Issue) else to_issue(raw))
        except (ValidationError, InputError) as error:
            problems = validation_problems(error) if isinstance(error, ValidationError) else list(error.problems)
            problems += reference_problems(self.catalog, raw, (p.field for p in problems))
            issue_id = record.issue_id(position) if record else raw_id(raw, position)
            return self.rejected(issue_id, [record.locate(p) for p in problems] if record else problems, raw)
        try:
            return self._decide(issue)
        except InputError as error:
            problems = [record.locate(p) if record and p.code != "rules-gap" else p for p in error.problems]
            return self.rejected(issue.id, problems, raw)

    def route_json(self, line: str | bytes) -> str:
        """One JSON object in (an issue, as a line of a JSONL file), its decision's JSON text out:
        what `powerlist route` writes for that line, without a file and line to name. Never
        raises for bad input: a line that is not an issue gives a `rejected` decision."""
        raw = json_object(line)
        if isinstance(raw, str):
            return decision_json(self.rejected("#1", [Problem(message=raw, code="json")]))
        if self._decide_json is not None:
            issue = plain_issue(raw)
            if issue is not None:  # a plain issue the plans route: its text straight from its plan
                try:
                    text = self._decide_json(issue)
                except InputError:  # a calendar the limits run past: the long way names it
                    text = None
                if text is not None:
                    return text
        return decision_json(self._one(raw, 1))

    def route_plain(self, issue: Issue) -> StampedBytes | None:
        """The short way of `route_json` for an issue `issue_fast.plain_issue` made: (its
        decision's JSON text as UTF-8, respond_by, complete_by, whether a deadline is
        provisional), or None when the long way must decide it (an issue the plans do not route,
        a calendar the limits run past, the durable engine)."""
        if self._decide_bytes is None:
            return None
        try:
            return self._decide_bytes(issue)
        except InputError:  # a calendar the limits run past: the long way names it
            return None

    def rejected(self, issue_id: str, problems: Iterable[Problem], raw: Any = None) -> Decision:
        return rejected_decision(issue_id, problems, raw, self.rules_version)

    # ---- explaining ---------------------------------------------------------------------

    def explain(self, issue: Issue | Mapping[str, Any]) -> str:
        """A readable explanation, in Chinese and English, citing rules, powers and legal basis."""
        return explain_decision(self.route(issue))


def rejected_decision(issue_id: str, problems: Iterable[Problem], raw: Any, rules_version: str) -> Decision:
    """The `rejected` decision naming `problems`, with the raw item's category when it has one."""
    category = raw.get("category") if isinstance(raw, Mapping) else getattr(raw, "category", None)
    # What a rejection repeats of its input must encode: a lone surrogate is shown escaped.
    return Decision(
        issue_id=escape_surrogates(issue_id),
        status="rejected",
        category=escape_surrogates(str(category))
        if isinstance(category, (str, int)) and not isinstance(category, bool) else None,
        rules_version=rules_version,
        errors=tuple(problems),
    )


def record_rejection(record: IssueRecord, position: int, rules_version: str) -> Decision:
    """What `Router.route_many` decides for a record with problems at `position` of its input."""
    return rejected_decision(record.issue_id(position), record.problems, record.data, rules_version)


def unknown_year_mode(rules: RuleSet) -> str:
    """`[params] unknown_year` of rules/deadlines.toml: "statutory" (also when absent) or
    "error". Raises InputError naming the file and field for any other value."""
    rule_file = rules.files.get(DEADLINES)
    if rule_file is None or "unknown_year" not in rule_file.params:
        return "statutory"
    value = rule_file.params["unknown_year"]
    if value not in UNKNOWN_YEAR_MODES:
        raise InputError([Problem(
            message=("未知年份的处理方式 unknown_year 应为 statutory（按固定日期的法定节假日暂定）"
                     "或 error（拒绝派单） "
                     f"(unknown_year must be one of {', '.join(repr(m) for m in UNKNOWN_YEAR_MODES)}: "
                     f"\"statutory\" counts a year the working-day calendar does not know on the fixed-date "
                     f"statutory holidays (provisional), \"error\" rejects the issue)"),
            file=rule_file.path, field="params.unknown_year", value=str(value), code="rules-bad-param",
        )], "规则有误 (invalid rules)")
    return str(value)


def rules_version_of(rules: RuleSet, catalog: Catalog) -> str:
    """The version a decision carries: the rules' hash and the catalog's fingerprint."""
    return hashlib.sha256(f"{rules.version}:{catalog.fingerprint}".encode()).hexdigest()[:16]


__all__ = ["Router", "record_rejection", "rejected_decision", "rules_version_of", "unknown_year_mode"]
