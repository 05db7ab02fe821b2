"""The reference engine: decision tables compiled into durable-rules rulesets.

One ruleset per table, one long-lived session per ruleset (durable-rules keeps at most 1024
sessions per ruleset, so never one per issue or case). Each evaluation asserts the facts as one
fact, lets every matching rule fire (`assert_fact` fires all; `post` would fire only one), then
retracts it, so nothing stays in the engine between evaluations. The engine decides which rows
match; the table's hit policy then selects among them, the same function the compiled engine
uses.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from functools import reduce
from typing import Any

from durable import lang as dl
from durable.engine import MessageNotHandledException

from .tables import Condition, DecisionTable, Row, apply_hit_policy

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
    value: float | int = int(number) if number is not None and number.is_integer() else number  # type: ignore[assignment]
    return {
        ">=": field >= value,
        "<=": field <= value,
        ">": field > value,
        "<": field < value,
        "!=": field != value,
    }[op or ""]


def _durable_value(value: Any) -> Any:
    # durable-rules compares JSON values; a bool must never equal 1, so bools travel as text.
    if isinstance(value, bool):
        return "true" if value else "false"
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
        with dl.ruleset(self.name):
            for row in table.rows:
                self._add_rule(row)

    def _add_rule(self, row: Row) -> None:
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

        dl.when_all(expression)(fire)

    def matching_rows(self, facts: Mapping[str, Any]) -> list[Row]:
        with _lock:
            eval_id = next(_serial)
            fact: dict[str, Any] = {"eval_id": eval_id}
            for name in self.table.inputs:
                value = facts.get(name)
                if value is not None:
                    fact[name] = _durable_value(value)
            self._hits[eval_id] = []
            try:
                dl.assert_fact(self.name, fact)
            except MessageNotHandledException:
                # durable-rules refuses (and keeps nothing of) a fact that no rule matches.
                pass
            else:
                dl.retract_fact(self.name, fact)
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
