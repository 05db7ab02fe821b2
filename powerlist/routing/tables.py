"""Rules as data: decision tables in TOML files under `rules/`, with declared hit policies.

A rules file holds `[meta]`, optional `[params]` (named scalars, e.g. thresholds) and
`[[tables]]`. Each table declares its `inputs`, `outputs` and `hit_policy`, and its `rows`:

    [[tables]]
    name = "whistle_by_scope"
    hit_policy = "unique"          # unique | first | priority | collect
    inputs = ["scope"]
    outputs = ["whistle"]
    rows = [
      { when = { scope = "ordinary" }, then = { whistle = "daily" }, why = "普通问题 → 日常哨" },
    ]

A condition on an input is one of: a scalar (equal), a list (any of), `"*"` or absent (any),
or a comparison string on a number: `">=3"`, `"<2"`, `"!=0"`. `priority` tables give each row
a `priority` (higher wins). Engines compile tables; nothing else interprets them.
"""

from __future__ import annotations

import hashlib
import operator
import re
import tomllib
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import InputError, Problem, ProblemCollector
from ..resources import rules_dir
from ..sheets.inbound import input_lines

Scalar = str | int | float | bool


class HitPolicy(StrEnum):
    UNIQUE = "unique"  # at most one row may match (checked)
    FIRST = "first"  # the first matching row in table order
    PRIORITY = "priority"  # the matching row with the highest `priority`
    COLLECT = "collect"  # every matching row, in table order


_COMPARISON = re.compile(r"^\s*(>=|<=|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "!=": operator.ne,
}


class Condition(BaseModel):
    """One input's test in one row."""

    model_config = ConfigDict(frozen=True)

    kind: str  # "any" | "eq" | "in" | "cmp"
    values: tuple[Scalar, ...] = ()
    op: str | None = None
    number: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> Condition:
        if raw is None or raw == "*" or raw == "-":
            return cls(kind="any")
        if isinstance(raw, list):
            if not raw or not all(isinstance(v, Scalar) for v in raw):
                raise ValueError("列表条件至少要有一个普通值 (a list condition needs one or more plain values)")
            return cls(kind="in", values=tuple(raw))
        if isinstance(raw, str):
            found = _COMPARISON.match(raw)
            if found:
                return cls(kind="cmp", op=found.group(1), number=float(found.group(2)))
        if isinstance(raw, Scalar):
            return cls(kind="eq", values=(raw,))
        raise ValueError(f"条件应为一个值、值的列表、'*' 或 '>=3' 这样的比较 (a condition is a value, a list of "
                         f"values, '*' or a comparison like '>=3', not {raw!r})")

    def test(self, value: Any) -> bool:
        if self.kind == "any":
            return True
        if self.kind == "eq":
            return _same(value, self.values[0])
        if self.kind == "in":
            return any(_same(value, v) for v in self.values)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return _OPS[self.op or "=="](value, self.number)


def _same(value: Any, expected: Scalar) -> bool:
    # bool is an int in Python; True must not equal 1 in a rules table.
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    return bool(value == expected)


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # "table.N" or the row's own `id`
    index: int  # position in the table, 0-based
    when: dict[str, Condition]
    then: dict[str, Any]
    why: str = ""
    priority: int = 0
    line: int | None = None  # line of the row in the rules file, for located errors

    def matches(self, facts: Mapping[str, Any]) -> bool:
        return all(cond.test(facts.get(name)) for name, cond in self.when.items())


class DecisionTable(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    hit_policy: HitPolicy
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    rows: tuple[Row, ...]
    description: str = ""
    file: str = ""

    def evaluate(self, facts: Mapping[str, Any]) -> list[Row]:
        """The rows this table's hit policy selects for `facts` (reference scan, in Python)."""
        return apply_hit_policy(self, [row for row in self.rows if row.matches(facts)])


class AmbiguousMatch(InputError):
    """A unique table matched more than one row for the facts given."""


def apply_hit_policy(table: DecisionTable, matched: list[Row]) -> list[Row]:
    """Select among the rows that matched, by the table's hit policy. Shared by all engines."""
    matched = sorted(matched, key=lambda r: r.index)
    if not matched or table.hit_policy is HitPolicy.COLLECT:
        return matched
    if table.hit_policy is HitPolicy.FIRST:
        return matched[:1]
    if table.hit_policy is HitPolicy.PRIORITY:
        return [max(matched, key=lambda r: (r.priority, -r.index))]
    if len(matched) > 1:
        collector = ProblemCollector(table.file)
        collector.add(
            f"唯一命中表 {table.name!r} 匹配了 {len(matched)} 行 (unique table matched {len(matched)} rows: "
            + ", ".join(r.id for r in matched) + ")",
            field=table.name,
            row=matched[1].line,
            code="overlap",
        )
        raise AmbiguousMatch(collector.problems, "规则表有歧义 (ambiguous rules table)")
    return matched


class RuleFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    params: dict[str, Any]
    tables: dict[str, DecisionTable]
    text: str  # for hashing and review


class RuleSet:
    """All rules files of a directory, validated, with a version hash."""

    def __init__(self, files: Mapping[str, RuleFile]) -> None:
        self.files = dict(files)
        self.tables: dict[str, DecisionTable] = {}
        for rule_file in self.files.values():
            self.tables.update(rule_file.tables)
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name].text.encode("utf-8") + b"\0")
        self.version = digest.hexdigest()[:16]

    def table(self, name: str) -> DecisionTable:
        return self.tables[name]

    def params(self, file: str) -> dict[str, Any]:
        return self.files[file].params

    def param(self, file: str, key: str) -> Any:
        return self.files[file].params[key]

    @classmethod
    def load(cls, directory: str | Path | None = None) -> RuleSet:
        """Load every `*.toml` in `directory` (None: the shipped rules); every problem at once."""
        root = Path(directory) if directory is not None else rules_dir()
        if not root.is_dir():
            raise InputError(
                [Problem(message="规则文件夹不存在 (rules directory not found)", file=str(root), code="not-found")],
                "无法加载规则 (cannot load rules)"
            )
        problems = ProblemCollector(str(root))
        files: dict[str, RuleFile] = {}
        for path in sorted(root.glob("*.toml")):
            try:
                files[path.stem] = load_rule_file(path)
            except InputError as error:
                problems.problems.extend(error.problems)
        if not files and not problems:
            problems.add("规则文件夹中没有 *.toml 规则文件 (no *.toml rules files in the rules directory)",
                         code="missing-rules")
        problems.raise_if_any(f"规则有误：{root} (invalid rules in {root})")
        names: dict[str, str] = {}
        for rule_file in files.values():
            for table in rule_file.tables:
                if table in names:
                    problems.add(
                        f"决策表 {table!r} 在 {names[table]} 和 {rule_file.path} 中重复定义 "
                        f"(table {table!r} is defined in both files)",
                        file=rule_file.path,
                        field=table,
                    )
                names[table] = rule_file.path
        problems.raise_if_any(f"规则有误：{root} (invalid rules in {root})")
        return cls(files)


_HEADER = re.compile(r'^\s*name\s*=\s*"([^"]+)"', re.M)


def _row_lines(text: str) -> dict[tuple[str, int], int]:
    """Line numbers of table rows (`{ when = …` lines), for located errors."""
    lines: dict[tuple[str, int], int] = {}
    table, count = None, 0
    for number, line in input_lines(text):
        stripped = line.strip()
        if stripped.startswith("[[tables]]"):
            table, count = None, 0
        elif table is None and (found := _HEADER.match(line)):
            table = found.group(1)
        elif table is not None and stripped.startswith("{") and "when" in stripped:
            lines[(table, count)] = number
            count += 1
    return lines


def load_rule_file(path: str | Path) -> RuleFile:
    """Parse and validate one rules file; raise InputError with every problem located."""
    path = Path(path)
    problems = ProblemCollector(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        problems.add(f"无法读取规则文件 (cannot read rules file: {error})", code="io-error")
        raise InputError(problems.problems, "规则文件有误 (invalid rules file)") from None
    except (tomllib.TOMLDecodeError, RecursionError) as error:  # nesting too deep for the parser
        problems.add(f"不是有效的 TOML (not valid TOML: {error})", row=getattr(error, "lineno", None), code="toml")
        raise InputError(problems.problems, "规则文件有误 (invalid rules file)") from None
    for key in raw:
        if key not in ("meta", "params", "tables"):
            problems.add(f"不认识的顶层键 {key!r}，应为 meta、params 或 tables "
                         f"(unknown top-level key; expected meta, params or tables)", field=key)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        problems.add("参数 [params] 应为具名值的表 ([params] must be a table of named values)", field="params")
        params = {}
    lines = _row_lines(text)
    tables: dict[str, DecisionTable] = {}
    raw_tables = raw.get("tables", [])
    if not isinstance(raw_tables, list):
        problems.add("决策表 tables 应为表的数组 [[tables]] (tables must be an array of tables)", field="tables")
        raw_tables = []
    for t_index, raw_table in enumerate(raw_tables):
        table = _parse_table(raw_table, t_index, str(path), lines, problems)
        if table is None:
            continue
        if table.name in tables:
            problems.add(f"决策表名 {table.name!r} 重复 (duplicate table name)", field=table.name)
        tables[table.name] = table
    problems.raise_if_any(f"规则文件有误：{path.name} (invalid rules file {path.name})")
    return RuleFile(name=path.stem, path=str(path), params=params, tables=tables, text=text)


def _names(value: Any) -> list[str] | None:
    """A list of non-empty names, or None when `value` is not one."""
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return value
    return None


def _parse_table(
    raw: Any,
    t_index: int,
    file: str,
    lines: dict[tuple[str, int], int],
    problems: ProblemCollector,
) -> DecisionTable | None:
    if not isinstance(raw, dict):
        problems.add(f"第 {t_index + 1} 张决策表 tables[{t_index}] 应为一张表 (must be a table)",
                     field=f"tables[{t_index}]")
        return None
    raw_name = raw.get("name")
    name = raw_name if isinstance(raw_name, str) and raw_name else None
    where = raw_name if isinstance(raw_name, str) else f"tables[{t_index}]"
    if name is None:
        problems.add("决策表须有 `name` (a table needs a `name`)", field=where)
    policy = None
    try:
        policy = HitPolicy(str(raw.get("hit_policy")))
    except ValueError:
        problems.add(
            "命中策略 hit_policy 应为 unique、first、priority 或 collect (hit_policy must be one of unique, first, "
            "priority, collect)",
            field=f"{where}.hit_policy",
            value=str(raw.get("hit_policy")),
        )
    inputs, outputs = _names(raw.get("inputs")), _names(raw.get("outputs"))
    for key, value in (("inputs", inputs), ("outputs", outputs)):
        if value is None:
            problems.add(f"`{key}` 应为名称的列表 (must be a list of names)", field=f"{where}.{key}")
    for key in raw:
        if key not in ("name", "hit_policy", "inputs", "outputs", "rows", "description"):
            problems.add(f"不认识的表键 {key!r} (unknown table key)", field=f"{where}.{key}")
    if name is None or policy is None or inputs is None or outputs is None:
        return None
    rows: list[Row] = []
    raw_rows = raw.get("rows", [])
    if not isinstance(raw_rows, list) or not raw_rows:
        problems.add("决策表至少要有一行 (a table needs one or more rows)", field=f"{where}.rows")
        return None
    for r_index, raw_row in enumerate(raw_rows):
        line = lines.get((name, r_index))
        row_where = f"{name}.rows[{r_index}]"
        if not isinstance(raw_row, dict):
            problems.add("每行应为内联表 { when = {…}, then = {…} } (a row must be an inline table)", field=row_where,
                         row=line)
            continue
        when_raw, then_raw = raw_row.get("when", {}), raw_row.get("then")
        if not isinstance(when_raw, dict) or not isinstance(then_raw, dict):
            problems.add("每行须有 `when` 表和 `then` 表 (a row needs `when` and `then` tables)", field=row_where,
                         row=line)
            continue
        when: dict[str, Condition] = {}
        for key, value in when_raw.items():
            if key not in inputs:
                problems.add(f"条件 {key!r} 不是输入之一 {inputs} (condition on {key!r}, which is not an input)",
                             field=f"{row_where}.when.{key}", row=line)
                continue
            try:
                when[key] = Condition.parse(value)
            except ValueError as error:
                problems.add(str(error), field=f"{row_where}.when.{key}", row=line, value=str(value))
        missing = [o for o in outputs if o not in then_raw]
        extra = [k for k in then_raw if k not in outputs]
        if missing:
            problems.add(f"该行没有给出输出 {missing} (row gives no value for output(s) {missing})",
                         field=f"{row_where}.then", row=line)
        if extra:
            problems.add(f"该行设置的 {extra} 不是输出 {outputs} (row sets {extra}, which are not outputs)",
                         field=f"{row_where}.then", row=line)
        for key in raw_row:
            if key not in ("when", "then", "why", "priority", "id"):
                problems.add(f"不认识的行键 {key!r} (unknown row key)", field=f"{row_where}.{key}", row=line)
        priority = raw_row.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            problems.add("优先级 priority 应为整数 (priority must be an integer)", field=f"{row_where}.priority",
                         row=line)
            priority = 0
        row_id = raw_row.get("id", str(r_index))
        rows.append(
            Row(
                id=f"{name}.{row_id}",
                index=r_index,
                when=when,
                then=dict(then_raw),
                why=str(raw_row.get("why", "")),
                priority=priority,
                line=line,
            )
        )
    return DecisionTable(
        name=name,
        hit_policy=policy,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        rows=tuple(rows),
        description=str(raw.get("description", "")),
        file=file,
    )
