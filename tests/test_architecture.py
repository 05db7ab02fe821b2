"""The layout holds: packages import only the layers below them (docs/architecture.md), no module
imports itself back through others, no loose modules under powerlist/, no module over ~500 lines.

The import graph is read from the source with `ast` (every `import`, also those inside functions,
since a function-level import used to dodge a cycle is still a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "powerlist"

# What each part may import (besides itself). The order is the data flow of docs/architecture.md.
BASE = {"errors", "_compat", "resources"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_compat": set(),
    "resources": set(),
    "sheets": {"errors"},
    "catalog": {"sheets"} | BASE,
    "routing": {"catalog", "sheets"} | BASE,
    "intake": {"routing", "catalog", "sheets"} | BASE,
    "cases": {"routing", "catalog", "sheets"} | BASE,
    "scoring": {"cases", "routing", "catalog", "sheets"} | BASE,
    "audit": {"scoring", "cases", "routing", "catalog", "sheets"} | BASE,
    "testing": {"audit", "scoring", "cases", "intake", "routing", "catalog", "sheets"} | BASE,
    "service": {"audit", "scoring", "cases", "intake", "routing", "catalog", "sheets"} | BASE,
    "cli": {"service", "testing", "audit", "scoring", "cases", "intake", "routing", "catalog", "sheets"} | BASE,
}
TOP_LEVEL_MODULES = {"__init__.py", "errors.py", "_compat.py", "resources.py"}
MAX_LINES = 500
# Modules that are mostly data (tables of codes and texts), where splitting would scatter one table.
DATA_MODULES = {"audit/findings.py"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_data" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(["powerlist", *parts])] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = base[: len(base) - node.level + 1]
                module = ".".join([*prefix, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            candidates = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in modules and candidate != name:
                targets.add(candidate)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_loose_modules_under_the_package() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")} - TOP_LEVEL_MODULES
    assert not loose, f"modules directly under powerlist/ other than {sorted(TOP_LEVEL_MODULES)}: {sorted(loose)}"


def test_every_part_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, targets in _graph().items():
        part = _part(module)
        if part == "__init__":
            continue  # the public API re-exports from everywhere
        assert part in ALLOWED, f"{module}: package {part!r} is not in the architecture (docs/architecture.md)"
        for target in targets:
            other = _part(target)
            if other not in (part, "__init__") and other not in ALLOWED[part]:
                wrong.append(f"{module} imports {target}")
            if other == "__init__" and part != "__init__":
                # `from .. import __version__` and the like: only names that are not the public API
                continue
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_between_modules() -> None:
    graph = _graph()
    # Package __init__ modules re-export their package; an edge into one stands for its modules, so
    # cycles through a package's own __init__ (module -> its __init__ -> module) are not counted.
    def edges(module: str) -> set[str]:
        return {t for t in graph[module] if not (module.startswith(t + ".") and graph[t])}

    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(edges(module)):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state and module != "powerlist":
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_is_over_the_size_limit() -> None:
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "_data" in path.parts or relative in DATA_MODULES:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{relative}: {lines} lines")
    assert not too_long, f"modules over {MAX_LINES} lines (split by concept):\n" + "\n".join(too_long)
