"""The reference engine: decision tables compiled into durable-rules rulesets.

One ruleset per table, one long-lived session per ruleset (durable-rules keeps at most 1024
sessions per ruleset, so never one per issue or case). The engine decides which rows match, in
one of two ways chosen by the table's hit policy:

- a table that needs every matching row (`unique`, to prove that at most one matched;
  `collect`) asserts the facts as one fact, lets every matching rule fire (`assert_fact` fires
  all), then retracts it: two engine calls;
- a table that selects one row (`first`, `priority`) posts the facts as one event: an event is
  consumed by exactly one rule, the matching rule of lowest ``pri`` (durable-rules' salience),
  and each row's ``pri`` is its rank in the hit policy's order (table order; for `priority`,
  highest priority first, then table order) — so the engine itself fires the selected row, in
  one engine call. Nothing stays in the engine either way.

The table's hit policy is then applied to the rows the engine reported, the same function the
compiled engine uses (for a posted table it sees the one row and keeps it).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from functools import reduce
from typing import Any

from durable import lang as dl
from durable.engine import MessageNotHandledException

from .tables import Condition, DecisionTable, HitPolicy, Row, apply_hit_policy

_lock = threading.Lock()
_compiled: dict[tuple[str, str], DurableTable] = {}
_serial = itertools.count()


def _expression(name: str, cond: Condition) -> Any:
    field = getattr(dl.m, name)
    if cond.kind == "eq":
        return field == cond.values[0]
    if cond.kind == "in":
        return reduce(lambda a, b: a | b, (field == v for v in cond.values))
    op, number = cond.op, cond.number
    if number is None:  # Condition.parse gives every comparison its number
        raise ValueError(f"a {cond.kind!r} condition without a number")
    value: float | int = int(number) if number.is_integer() else number
    return {
        ">=": field >= value,
        "<=": field <= value,
        ">": field > value,
        "<": field < value,
        "!=": field != value,
    }[op or ""]


def _durable_value(value: Any) -> Any:
    # durable-rules compares JSON values; a bool must never equal 1, so bools travel as text —
    # tagged, as every text is, so that the text "true" does not equal the bool True either.
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, str):
        return "s:" + value
    return value


def _durable_condition(cond: Condition) -> Condition:
    if cond.kind in ("eq", "in"):
        return Condition(kind=cond.kind, values=tuple(_durable_value(v) for v in cond.values))
    return cond


class DurableTable:
    """One decision table as a durable-rules ruleset."""

    def __init__(self, table: DecisionTable, version: str) -> None:
        self.table = table
        self.name = f"powerlist_{table.name}_{version}"
        self._hits: dict[int, list[int]] = {}
        # the engine picks the row when the hit policy keeps one row chosen by a fixed order
        self.posted = table.hit_policy in (HitPolicy.FIRST, HitPolicy.PRIORITY)
        order = list(table.rows)
        if table.hit_policy is HitPolicy.PRIORITY:
            order.sort(key=lambda r: (-r.priority, r.index))
        rank = {row.index: n for n, row in enumerate(order)}
        with dl.ruleset(self.name):
            for row in table.rows:
                self._add_rule(row, rank[row.index] if self.posted else None)
        self._host = dl.get_host()  # registers the ruleset; calls then skip the lookup

    def _add_rule(self, row: Row, rank: int | None) -> None:
        terms = [
            _expression(name, _durable_condition(cond))
            for name, cond in row.when.items()
            if cond.kind != "any"
        ]
        # A row with no conditions matches every fact: test the evaluation id's presence.
        expression = reduce(lambda a, b: a & b, terms) if terms else +dl.m.eval_id
        hits = self._hits
        index = row.index

        def fire(c: Any) -> None:
            hits[c.m.eval_id].append(index)

        if rank is None:
            dl.when_all(expression)(fire)
        else:
            dl.when_all(dl.pri(rank), expression)(fire)

    def matching_rows(self, facts: Mapping[str, Any]) -> list[Row]:
        """The rows whose rules fired: every matching row, or, for a posted (`first`,
        `priority`) table, the one matching row the hit policy selects."""
        with _lock:
            eval_id = next(_serial)
            fact: dict[str, Any] = {"eval_id": eval_id}
            for name in self.table.inputs:
                value = facts.get(name)
                if value is not None:
                    fact[name] = _durable_value(value)
            self._hits[eval_id] = []
            try:
                if self.posted:
                    self._host.post(self.name, fact)
                else:
                    self._host.assert_fact(self.name, fact)
            except MessageNotHandledException:
                # durable-rules refuses (and keeps nothing of) a message no rule matches.
                pass
            else:
                if not self.posted:
                    self._host.retract_fact(self.name, fact)
            finally:
                indexes = self._hits.pop(eval_id)
        return [self.table.rows[i] for i in indexes]

    def evaluate(self, facts: Mapping[str, Any]) -> list[Row]:
        """The rows the hit policy selects, matched by the durable-rules engine."""
        return apply_hit_policy(self.table, self.matching_rows(facts))


def durable_table(table: DecisionTable, version: str) -> DurableTable:
    """The compiled durable ruleset of `table` at rules `version` (built once per process)."""
    key = (table.name, version)
    with _lock:
        found = _compiled.get(key)
    if found is None:
        built = DurableTable(table, version)
        with _lock:
            found = _compiled.setdefault(key, built)
    return found
