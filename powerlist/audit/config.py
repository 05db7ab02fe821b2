"""The audit's thresholds and word lists, read from `rules/audit.toml` ([params] only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..routing.tables import load_rule_file

AUDIT_FILE = "audit.toml"


@dataclass(frozen=True)
class AuditConfig:
    max_items_per_staff: float = 5.0
    max_monthly_whistles_per_staff: float = 10.0
    stationed_departments: tuple[str, ...] = ("公安", "司法", "市场监管")
    responsibility_kinds: tuple[str, ...] = ("06",)
    responsibility_keywords: tuple[str, ...] = ()
    enforcing_kinds: tuple[str, ...] = ("02", "03")
    subjects: tuple[str, ...] = ()

    @classmethod
    def load(cls, rules: str | Path | None = None) -> AuditConfig:
        """`audit.toml` of the rules directory `rules` (None: the shipped rules). A rules
        directory without one (made before the audit existed) uses the shipped thresholds."""
        from ..resources import rules_dir

        path = (Path(rules) if rules is not None else rules_dir()) / AUDIT_FILE
        if rules is not None and Path(rules).is_dir() and not path.exists():
            path = rules_dir() / AUDIT_FILE
        params = load_rule_file(path).params
        return cls.from_params(params, str(path))

    @classmethod
    def from_params(cls, params: dict[str, Any], file: str = AUDIT_FILE) -> AuditConfig:
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for name, default in cls.__dataclass_fields__.items():
            if name not in params:
                continue
            value = params[name]
            if isinstance(default.default, float):
                ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
                expected = "正数 a positive number"
                value = float(value) if ok else value
            else:
                ok = isinstance(value, list) and all(isinstance(v, str) and v for v in value)
                expected = "文字的列表 a list of texts"
                value = tuple(value) if ok else value
            if not ok:
                problems.append(Problem(message=f"参数 {name} 应为{expected.split()[0]} ({name} must be "
                                        f"{expected.split(' ', 1)[1]})", file=file,
                                        field=f"params.{name}", value=str(value),
                                        code="bad-param"))
            values[name] = value
        if problems:
            raise InputError(problems, f"审核阈值有误：{file} (invalid audit thresholds in {file})")
        return cls(**values)
