"""Proof that the routing tables are complete and unambiguous — 规则完整性检查 (issue 6 §3).

Drools' decision-table analysis reports gaps, overlaps and masked rules over the tables' own
input intervals, but skips string columns. Our inputs are all enumerable, so instead of
reasoning about intervals we enumerate the domain the router really sees and run the real
pipeline (`powerlist.routing.place.locate` and `powerlist.routing.sketch.sketch`) over it, recording
every fact tuple each table is evaluated on:

- every category of the taxonomy × every street and community of the catalog (`locate`);
- × the issue flags emergency, key_work, needs_enforcement, cross_department (true/false);
- × every request kind and none;
- × the repeat_count boundary values of the rules: 0, threshold − 1 and threshold
  (`routing.toml` [params] repeat_threshold).

Stage 1 depends only on (category, location) and the tables read only a few of its values (the
category's scope, whether its powers span several departments, the deciding power's mode and
department, whether the location is a community, whether district and city units exist above),
so (category, location) pairs with the same values share one representative: the whole domain is
covered by a few thousand pipeline runs on the compiled evaluator.

Findings (codes in docs/audit-codes.md), each naming a concrete counter-example issue (JSON):

- PL1001 rules-gap: a unique/first/priority table has no row for an issue's facts;
- PL1002 rules-overlap: a unique table matches several rows;
- PL1003 rules-masked: a first/priority row matches some issue but is never the one selected;
- PL1004 rules-unreachable: a row matches no issue of the domain (no counter-example exists:
  the finding names the row);
- PL1005 rules-route-error: an issue of the domain cannot be routed for another reason (the
  catalog names an item it lacks, a table is missing);
- PL1006 rules-no-principal: a leaf category has powers but no principal one (only related
  powers): nothing can decide its lead.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..catalog.catalog import Catalog
from ..errors import InputError
from ..routing.engines import CompiledTable
from ..routing.issue import SHANGHAI, Issue, RequestKind
from ..routing.place import Located, Profile, locate
from ..routing.sketch import ROUTING, TABLES, Flags, flags_of, sketch
from ..routing.tables import DecisionTable, HitPolicy, Row, RuleSet, apply_hit_policy
from .findings import RULES_CHECKS, Finding, counts, has_errors

FLAGS = ("emergency", "key_work", "needs_enforcement", "cross_department")
COUNTER_EXAMPLE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@dataclass
class _TableLog:
    table: DecisionTable
    facts: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    issues: dict[tuple[Any, ...], _Values | None] = field(default_factory=dict)
    matched: dict[tuple[Any, ...], list[Row]] = field(default_factory=dict)
    selected: dict[tuple[Any, ...], list[Row]] = field(default_factory=dict)


class _Recorder:
    """A table evaluator that records each table's facts and never stops on an overlap."""

    def __init__(self) -> None:
        self.logs: dict[str, _TableLog] = {}
        self._compiled: dict[str, CompiledTable] = {}
        self.issue: _Values | None = None  # the issue being run

    def __call__(self, table: DecisionTable, facts: Mapping[str, Any]) -> list[Row]:
        log = self.logs.get(table.name)
        if log is None:
            log = self.logs[table.name] = _TableLog(table)
            every = table.model_copy(update={"hit_policy": HitPolicy.COLLECT})
            self._compiled[table.name] = CompiledTable(every)
        key = tuple((facts.get(n).__class__, facts.get(n)) for n in table.inputs)
        if key not in log.matched:
            matched = self._compiled[table.name].evaluate(facts)
            log.matched[key] = matched
            log.facts[key] = dict(facts)
            assert self.issue is not None
            log.issues[key] = self.issue
            if table.hit_policy is HitPolicy.UNIQUE and len(matched) > 1:
                log.selected[key] = matched[:1]  # reported as an overlap; go on exploring
            else:
                log.selected[key] = apply_hit_policy(table, matched)
        return list(log.selected[key])


@dataclass(frozen=True)
class RulesReport:
    findings: list[Finding]
    stats: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"ok": not has_errors(self.findings), "stats": self.stats,
                "counts": counts(self.findings, RULES_CHECKS),
                "findings": [f.as_json() for f in self.findings]}


class _Values:
    """An issue of the domain as the router's `flags_of` reads it; the `Issue` itself is built
    only for a counter-example."""

    __slots__ = ("category", "location", "flags", "request_kind", "repeat_count", "emergency",
                 "key_work", "needs_enforcement", "cross_department")

    def __init__(self, category: str, location: str, flags: tuple[bool, ...],
                 kind: RequestKind | None, repeat: int) -> None:
        self.category, self.location, self.flags = category, location, flags
        self.request_kind, self.repeat_count = kind, repeat
        self.emergency, self.key_work, self.needs_enforcement, self.cross_department = flags

    def issue(self) -> Issue:
        return _issue(self.category, self.location, self.flags, self.request_kind,
                      self.repeat_count)


def _issue(category: str, location: str, flags: tuple[bool, ...], kind: RequestKind | None,
           repeat: int) -> Issue:
    return Issue(id="counter-example", received_at=COUNTER_EXAMPLE_TIME, category=category,
                 location=location, request_kind=kind, repeat_count=repeat,
                 **dict(zip(FLAGS, flags, strict=True)))


def issue_json(issue: Issue) -> dict[str, Any]:
    return issue.model_dump(mode="json", exclude_none=True)


def check_rules(catalog: Catalog, rules: RuleSet) -> RulesReport:
    """Enumerate the domain, run the pipeline, and report gaps, overlaps, masked and
    unreachable rows of every routing table; then the same for the escalation tables over the
    enumerated facts of a due case (a gap there leaves a case due and untouched forever)."""
    findings: list[Finding] = []
    threshold = int(rules.param(ROUTING, "repeat_threshold"))
    repeats = sorted({0, max(0, threshold - 1), threshold})
    kinds: list[RequestKind | None] = [None, *RequestKind]
    locations = [*catalog.streets, *catalog.communities]
    # What the tables may read of a located issue is its Profile: one representative each.
    representatives: dict[Profile, tuple[Located, str, str]] = {}
    route_errors: dict[str, Finding] = {}
    for category in catalog.categories:
        for location in locations:
            try:
                located = locate(catalog, category, location)
            except InputError as error:
                message = "; ".join(p.message for p in error.problems)
                if message not in route_errors:
                    example = _issue(category, location, (False,) * 4, None, 0)
                    route_errors[message] = Finding(
                        code="PL1005", file=None,
                        message_zh=f"诉求无法派单：{message}",
                        message_en=f"an issue of the domain cannot be routed: {message}",
                        item=category, street=location,
                        details=(("counter_example", issue_json(example)),))
                continue
            representatives.setdefault(located.profile, (located, category, location))
    findings += route_errors.values()

    recorder = _Recorder()
    runs = 0
    seen: set[tuple[Profile, Flags]] = set()
    for profile, (located, category, location) in representatives.items():
        for flags, kind, repeat in itertools.product(
            itertools.product((False, True), repeat=len(FLAGS)), kinds, repeats
        ):
            values = _Values(category, location, flags, kind, repeat)
            facts = flags_of(values, rules)
            if (profile, facts) in seen:
                continue  # e.g. repeat counts 0 and threshold − 1 read the same
            seen.add((profile, facts))
            recorder.issue = values
            runs += 1
            try:
                sketch(located.profile, facts, rules, recorder)
            except InputError as error:
                for problem in error.problems:
                    if problem.code == "rules-gap":
                        continue  # found again below, from the recorder's log
                    message = problem.message
                    route_errors.setdefault(message, Finding(
                        code="PL1005", file=problem.file,
                        message_zh=f"诉求无法派单：{message}",
                        message_en=f"an issue of the domain cannot be routed: {message}",
                        item=category, street=location,
                        details=(("counter_example", issue_json(values.issue())),)))
    findings = list(route_errors.values())
    findings += no_principal(catalog)

    tables = [name for name in TABLES if name in rules.tables]
    tables += [name for name in recorder.logs if name not in tables]
    for name in tables:
        table = rules.table(name)
        log = recorder.logs.get(name) or _TableLog(table)
        findings += _table_findings(table, log)
    escalation_stats: dict[str, Any] = {}
    for name in ESCALATION_TABLES:
        if name in rules.tables:
            table = rules.table(name)
            log = _escalation_log(table)
            findings += _table_findings(table, log)
            escalation_stats[name] = {"hit_policy": table.hit_policy.value, "rows": len(table.rows),
                                      "fact_tuples": len(log.matched)}
    stats = {
        "categories": len(catalog.categories),
        "locations": len(locations),
        "repeat_counts": repeats,
        "request_kinds": [k.value if k else None for k in kinds],
        "domain_issues": len(catalog.categories) * len(locations) * 2 ** len(FLAGS)
        * len(kinds) * len(repeats),
        "distinct_locations": len(representatives),
        "pipeline_runs": runs,
        "tables": {name: {"hit_policy": rules.table(name).hit_policy.value,
                          "rows": len(rules.table(name).rows),
                          "fact_tuples": len(recorder.logs[name].matched)
                          if name in recorder.logs else 0} for name in tables},
        "escalation_tables": escalation_stats,
        "not_analysed": sorted(t for t in rules.tables if t not in tables and t not in escalation_stats),
    }
    return RulesReport(findings, stats)


def no_principal(catalog: Catalog) -> list[Finding]:
    """PL1006: a category with powers (related ones) but no principal power — the router has no
    power to choose its lead from, and the whistle and path would follow a related power's
    holder if it chose one."""
    out: list[Finding] = []
    for code, category in sorted(catalog.categories.items()):
        if category.powers or not category.related:
            continue
        origin = category.origin
        out.append(Finding(
            code="PL1006", file=origin.file if origin else None, sheet=origin.sheet if origin else None,
            row=origin.row if origin else None,
            message_zh=f"分类 {code} {category.name} 列有相关权力（{'、'.join(category.related)}）但没有主要权力："
            "须在“主要权力事项编码”写明解决该问题的权力",
            message_en=f"category {code} {category.name} lists related powers ({', '.join(category.related)}) but no "
            "principal one: name the power that resolves the issue in 主要权力事项编码",
            item=code, details=(("category", code), ("related", list(category.related)))))
    return out


# ---- the escalation tables (rules/escalation.toml) -------------------------------------------
#
# A due case whose facts match no row of its table is left due and untouched: every later tick
# finds it again and does nothing, so the case is stuck. The escalation facts (see the comment at
# the top of rules/escalation.toml) are enumerable: booleans, the whistle and the review trigger.
# Combinations the escalator never produces are left out: a hard case (疑难) is only reviewed
# while not under supervision; the returning unit can only hold the power when the category has a
# holder; the accountability ladder's steps imply the lower ones (their thresholds rise).

ESCALATION_TABLES = ("esc_response_due", "esc_response_late", "esc_completion_due", "esc_review",
                     "esc_accountability")
_ESCALATION_DOMAIN: dict[str, tuple[Any, ...]] = {
    "whistle": ("daily", "key", "coordination", "emergency"),
    "trigger": ("return", "hard"),
}


def _escalation_possible(facts: Mapping[str, Any]) -> bool:
    if facts.get("trigger") == "hard" and facts.get("supervised") is True:
        return False
    if facts.get("returner_holds_power") is True and facts.get("has_holder") is False:
        return False
    if facts.get("interview_due") is True and facts.get("criticism_due") is False:
        return False
    return not (facts.get("referral_due") is True and facts.get("interview_due") is False)


def _escalation_log(table: DecisionTable) -> _TableLog:
    log = _TableLog(table)
    every = CompiledTable(table.model_copy(update={"hit_policy": HitPolicy.COLLECT}))
    domains = [_ESCALATION_DOMAIN.get(name, (False, True)) for name in table.inputs]
    for values in itertools.product(*domains):
        facts = dict(zip(table.inputs, values, strict=True))
        if not _escalation_possible(facts):
            continue
        key = tuple((v.__class__, v) for v in values)
        matched = every.evaluate(facts)
        log.matched[key] = matched
        log.facts[key] = facts
        log.issues[key] = None  # the counter-example is the case's facts (details.facts)
        if table.hit_policy is HitPolicy.UNIQUE and len(matched) > 1:
            log.selected[key] = matched[:1]
        else:
            log.selected[key] = apply_hit_policy(table, matched)
    return log


def _row_finding(code: str, table: DecisionTable, row: Row | None, zh: str, en: str,
                 issue: _Values | None = None, facts: Mapping[str, Any] | None = None,
                 **extra: Any) -> Finding:
    details: dict[str, Any] = {"table": table.name, **extra}
    if row is not None:
        details["row"] = row.id
    if facts is not None:
        details["facts"] = dict(facts)
    if issue is not None:
        details["counter_example"] = issue_json(issue.issue())
    return Finding(code=code, message_zh=zh, message_en=en, file=table.file,
                   row=row.line if row is not None else None, item=table.name,
                   details=tuple(sorted(details.items())))


def _shown(facts: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in facts.items())


def _table_findings(table: DecisionTable, log: _TableLog) -> list[Finding]:
    out: list[Finding] = []
    matched_any: dict[str, tuple[Any, ...]] = {}
    selected_any: set[str] = set()
    for key, matched in log.matched.items():
        facts, issue = log.facts[key], log.issues[key]
        if not matched and table.hit_policy is not HitPolicy.COLLECT:
            out.append(_row_finding(
                "PL1001", table, None,
                f"规则表 {table.name} 对 {_shown(facts)} 没有匹配行（缺口）",
                f"table {table.name!r} has no row for {_shown(facts)} (a gap)", issue, facts))
        if table.hit_policy is HitPolicy.UNIQUE and len(matched) > 1:
            ids = [r.id for r in matched]
            out.append(_row_finding(
                "PL1002", table, matched[1],
                f"唯一命中表 {table.name} 对 {_shown(facts)} 同时匹配 {'、'.join(ids)}（重叠）",
                f"unique table {table.name!r} matches {', '.join(ids)} for {_shown(facts)} "
                "(an overlap)", issue, facts, rows=ids))
        for row in matched:
            matched_any.setdefault(row.id, key)
        selected_any.update(r.id for r in log.selected.get(key, []))
    if table.hit_policy in (HitPolicy.FIRST, HitPolicy.PRIORITY):
        for row in table.rows:
            if row.id in matched_any and row.id not in selected_any:
                key = matched_any[row.id]
                winner = log.selected[key][0].id if log.selected[key] else "-"
                out.append(_row_finding(
                    "PL1003", table, row,
                    f"规则行 {row.id} 可以匹配，但总被前面的行（如 {winner}）抢先，永远不会生效（被遮蔽）",
                    f"row {row.id} matches but is never selected: e.g. {winner} wins for "
                    f"{_shown(log.facts[key])} (masked)", log.issues[key], log.facts[key],
                    selected=winner))
    for row in table.rows:
        if row.id not in matched_any:
            out.append(_row_finding(
                "PL1004", table, row,
                f"规则行 {row.id} 在目录的全部取值上都不匹配（不可达）",
                f"row {row.id} matches no issue of the catalog's domain (unreachable)"))
    return out
