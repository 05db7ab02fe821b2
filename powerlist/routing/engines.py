"""Two ways to evaluate a decision table, one meaning.

The router's pipeline is one pure function that asks a *table evaluator* which rows of a table
a set of facts selects. Both evaluators return exactly what `DecisionTable.evaluate` (the
reference scan) would, and both apply the table's hit policy with the shared
`apply_hit_policy`:

- `DurableEvaluator` — the reference engine: each table is a durable-rules ruleset
  (`powerlist.routing.durable_tables`), evaluated fact by fact.
- `CompiledEvaluator` — the fast path: each table is precompiled into per-input indexes (for
  every input, a dict from value to the bit set of rows accepting it, plus the rows that accept
  any value); a lookup ANDs one bit set per input. Only rows with a numeric comparison
  (`">=3"`) are scanned. Because every routing input has a small enumerable domain, the result
  for each distinct input tuple is then kept in a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .durable_tables import durable_table
from .tables import DecisionTable, Row, RuleSet, apply_hit_policy

ENGINES = ("compiled", "durable")


class TableEvaluator(Protocol):
    """Which rows of `table` the facts select, after the table's hit policy."""

    def __call__(self, table: DecisionTable, facts: Mapping[str, Any]) -> list[Row]: ...


def _key(value: Any) -> tuple[bool, Any]:
    # True == 1 in Python, never in a rules table: the bool-ness is part of the key.
    return (isinstance(value, bool), value)


class CompiledTable:
    """One decision table as indexed bit sets, with a result cache per input tuple."""

    def __init__(self, table: DecisionTable) -> None:
        self.table = table
        self.inputs = table.inputs
        self._wild: list[int] = []
        self._index: list[dict[tuple[bool, Any], int]] = []
        self._range_rows = tuple(
            row for row in table.rows if any(c.kind == "cmp" for c in row.when.values())
        )
        indexed = [row for row in table.rows if row not in self._range_rows]
        self._indexed_rows = indexed
        for name in self.inputs:
            wild = 0
            index: dict[tuple[bool, Any], int] = {}
            for bit, row in enumerate(indexed):
                cond = row.when.get(name)
                if cond is None or cond.kind == "any":
                    wild |= 1 << bit
                else:
                    for value in cond.values:
                        index[_key(value)] = index.get(_key(value), 0) | (1 << bit)
            self._wild.append(wild)
            self._index.append(index)
        self._all = (1 << len(indexed)) - 1
        self._cache: dict[tuple[Any, ...], list[Row]] = {}

    def evaluate(self, facts: Mapping[str, Any]) -> list[Row]:
        # `_key` of each input, inline (bool cannot be subclassed: type() is isinstance here)
        key = tuple([(type(value) is bool, value) for value in map(facts.get, self.inputs)])
        found = self._cache.get(key)
        if found is None:
            mask = self._all
            for position, value_key in enumerate(key):
                mask &= self._wild[position] | self._index[position].get(value_key, 0)
                if not mask:
                    break
            matched = [row for bit, row in enumerate(self._indexed_rows) if mask >> bit & 1]
            matched += [row for row in self._range_rows if row.matches(facts)]
            found = apply_hit_policy(self.table, matched)
            if not self._range_rows:
                # Rows with a comparison may depend on a value outside the key's domain
                # (floats): only tables without them are memoised.
                self._cache[key] = found
        return list(found)


class CompiledEvaluator:
    """The fast engine: every table of a rule set precompiled to indexed lookups."""

    name = "compiled"

    def __init__(self, rules: RuleSet) -> None:
        self._tables: dict[str, CompiledTable] = {name: CompiledTable(table) for name, table in rules.tables.items()}

    def __call__(self, table: DecisionTable, facts: Mapping[str, Any]) -> list[Row]:
        compiled = self._tables.get(table.name)
        if compiled is None or compiled.table is not table:
            compiled = self._tables[table.name] = CompiledTable(table)
        return compiled.evaluate(facts)


class DurableEvaluator:
    """The reference engine: every table evaluated by its durable-rules ruleset."""

    name = "durable"

    def __init__(self, rules: RuleSet) -> None:
        self._version = rules.version

    def __call__(self, table: DecisionTable, facts: Mapping[str, Any]) -> list[Row]:
        return durable_table(table, self._version).evaluate(facts)


class ReferenceEvaluator:
    """The plain-Python scan (`DecisionTable.evaluate`), for tests and audits."""

    name = "reference"

    def __call__(self, table: DecisionTable, facts: Mapping[str, Any]) -> list[Row]:
        return table.evaluate(facts)


def make_evaluator(engine: str, rules: RuleSet) -> CompiledEvaluator | DurableEvaluator:
    if engine == "compiled":
        return CompiledEvaluator(rules)
    if engine == "durable":
        return DurableEvaluator(rules)
    raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
