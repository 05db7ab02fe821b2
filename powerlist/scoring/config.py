"""The scoring rules file — `rules/scoring.toml`: the weight profiles and the component parameters.

`load_config(path)` reads one file (None: the shipped one) into a `ScoringConfig`, every problem
located by field and line and reported at once; a file is read once per process (cached by path).
`ComponentParams` are the parameters of the component definitions (see `components`), all
illustrative: the report gives the weights, not how a component is measured.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, Problem, ProblemCollector, pydantic_message
from ..resources import rules_dir
from ..sheets.inbound import input_lines
from .profiles import Profile


class ComponentParams(BaseModel):
    """Parameters of the component definitions (see `components` and rules/scoring.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    response_zero_after_hours: Decimal = Field(default=Decimal(24), gt=0)
    completion_zero_after_hours: Decimal = Field(default=Decimal(240), gt=0)
    extension_penalty: Decimal = Field(default=Decimal(5), ge=0, le=100)
    reopen_penalty: Decimal = Field(default=Decimal(10), ge=0, le=100)
    buck_passing_penalty: Decimal = Field(default=Decimal(20), ge=0, le=100)
    satisfied: Decimal = Field(default=Decimal(100), ge=0, le=100)
    basically_satisfied: Decimal = Field(default=Decimal(80), ge=0, le=100)
    dissatisfied: Decimal = Field(default=Decimal(0), ge=0, le=100)
    third_party_weight: Decimal = Field(default=Decimal("0.30"), ge=0, le=1)
    unresolved_satisfaction: Decimal = Field(default=Decimal(0), ge=0, le=100)
    calls_low_per_staff_year: Decimal = Field(default=Decimal(1), ge=0)
    calls_high_per_staff_year: Decimal = Field(default=Decimal(6), gt=0)
    calls_over_floor: Decimal = Field(default=Decimal(60), ge=0, le=100)
    default_staff: int = Field(default=30, gt=0)
    empty_mechanism: Decimal = Field(default=Decimal(0), ge=0, le=100)
    empty_quality: Decimal = Field(default=Decimal(0), ge=0, le=100)
    pass_mark: Decimal = Field(default=Decimal(60), ge=0, le=100)

    @model_validator(mode="after")
    def _band(self) -> ComponentParams:
        if self.calls_high_per_staff_year <= self.calls_low_per_staff_year:
            raise ValueError("calls_high_per_staff_year must be above calls_low_per_staff_year")
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError("floats are not accepted; write the number as a decimal")
        return value


@dataclass(frozen=True)
class ScoringConfig:
    """Profiles and component parameters, from one rules file."""

    profiles: Mapping[str, Profile]
    default_profile: str
    params: ComponentParams
    file: str | None = None

    def profile(self, profile: str | Profile | None = None) -> Profile:
        if isinstance(profile, Profile):
            return profile
        name = profile or self.default_profile
        if name not in self.profiles:
            raise InputError(
                [
                    Problem(
                        message=f"未知的权重方案，可选：{'、'.join(sorted(self.profiles))} (unknown scoring profile)",
                        file=self.file,
                        field="profile",
                        value=name,
                        code="unknown-profile",
                    )
                ],
                "未知的权重方案 (unknown scoring profile)",
            )
        return self.profiles[name]


def _section_lines(text: str, profile: str) -> dict[str, int]:
    """Line numbers of a profile's header and its department/street keys, for located errors."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in input_lines(text):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[] ")
            inside = header == f"params.profiles.{profile}"
            if inside:
                lines["profile"] = number
            elif header.startswith(f"params.profiles.{profile}."):
                lines[header.rsplit(".", 1)[-1]] = number
            continue
        if inside:
            key = stripped.split("=", 1)[0].strip()
            if key in ("department", "street"):
                lines[key] = number
    return lines


def _component_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    inside = False
    for number, line in input_lines(text):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == "params.components"
        elif inside and "=" in stripped and not stripped.startswith("#"):
            lines.setdefault(stripped.split("=", 1)[0].strip(), number)
    return lines


def load_config(path: str | Path | None = None) -> ScoringConfig:
    """Read a scoring rules file (None: the shipped `rules/scoring.toml`); all problems at once."""
    if path is None:
        path = rules_dir() / "scoring.toml"
    return _load_config(str(Path(path).resolve()))


@lru_cache(maxsize=16)
def _load_config(path: str) -> ScoringConfig:
    problems = ProblemCollector(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text, parse_float=Decimal)
    except (OSError, UnicodeDecodeError) as error:
        problems.add(f"无法读取考评规则 (cannot read scoring rules: {error})", code="io-error")
        problems.raise_if_any("考评规则有误 (invalid scoring rules)")
        raise AssertionError("unreachable") from None
    except tomllib.TOMLDecodeError as error:
        problems.add(f"不是有效的 TOML (not valid TOML: {error})", code="toml")
        problems.raise_if_any("考评规则有误 (invalid scoring rules)")
        raise AssertionError("unreachable") from None
    params = raw.get("params", {})
    raw_profiles = params.get("profiles", {}) if isinstance(params, dict) else {}
    profiles: dict[str, Profile] = {}
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        problems.add("没有权重方案：请添加 [params.profiles.名称] 表 (no scoring profiles: add [params.profiles.NAME] "
                     "tables)", field="params.profiles", code="unknown-profile")
        raw_profiles = {}
    for name, body in raw_profiles.items():
        lines = _section_lines(text, name)
        if not isinstance(body, dict):
            problems.add("权重方案应为含部门和街道权重的表 (a profile is a table with department and street weights)",
                         field=f"params.profiles.{name}", code="bad-weight")
            continue
        for key in body:
            if key not in ("description", "department", "street"):
                problems.add(
                    f"不认识的方案键 {key!r}，应为 description、department、street (unknown profile key {key!r})",
                    field=f"params.profiles.{name}.{key}",
                    row=lines.get("profile"),
                )
        try:
            profiles[name] = Profile.build(
                name,
                body.get("department"),
                body.get("street"),
                str(body.get("description", "")),
                file=path,
                lines=lines,
            )
        except InputError as error:
            problems.problems.extend(error.problems)
    default = params.get("default_profile", "default") if isinstance(params, dict) else "default"
    if raw_profiles and default not in raw_profiles:
        problems.add(
            f"默认方案 default_profile {default!r} 不存在 (default_profile is not a profile)",
            field="params.default_profile", value=str(default), code="unknown-profile"
        )
    component_params = ComponentParams()
    raw_components = params.get("components", {}) if isinstance(params, dict) else {}
    try:
        component_params = ComponentParams(**raw_components)
    except ValidationError as error:
        lines = _component_lines(text)
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"])
            problems.add(
                pydantic_message(item),
                field=f"params.components{'.' + where if where else ''}",
                row=lines.get(where),
                value=None if item.get("input") is None or isinstance(item.get("input"), dict) else str(item["input"]),
                code="bad-parameter",
            )
    except TypeError as error:
        problems.add(f"考评项参数 [params.components] 应为表 (must be a table: {error})", field="params.components",
                     code="bad-parameter")
    problems.raise_if_any(f"考评规则有误：{Path(path).name} (invalid scoring rules {Path(path).name})")
    return ScoringConfig(profiles=profiles, default_profile=str(default), params=component_params, file=path)
