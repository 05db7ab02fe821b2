"""Every message a user of the CLI can see is in Chinese, with the English after it: help,
usage errors, rejections, file and store errors, tables — and --help shows no `<bool>`, no
`{input}` and no ragged, hard-wrapped docstrings."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

import powerlist.cli as cli
from powerlist.cli._help import Command, Group
from powerlist.errors import chinese_first

CLERK = Path(__file__).parent / "data" / "clerk"
REPO = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
BOX = set("┏┓┗┛┡┩┃│╭╮╰╯─━┳┻╇╈┬┴┼┠┨═║╞╡└┘┌┐├┤ ")
runner = CliRunner()


def _app() -> typer.Typer:
    """The whole `powerlist` command, as `powerlist.cli.main` builds it."""
    app = typer.Typer(cls=Group, name="powerlist", help=cli.app.info.help, no_args_is_help=True,
                      add_completion=False, pretty_exceptions_enable=False)
    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"powerlist.cli.{info.name}").register(app)
    return app


APP = _app()


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_command_and_group_uses_the_tidy_help_classes() -> None:
    for path, command in _commands(get_command(APP)):
        assert isinstance(command, Command | Group), (path, type(command))


def test_every_command_and_option_is_described_in_chinese_first() -> None:
    for path, command in _commands(get_command(APP)):
        assert command.help and chinese_first(command.help), (path, command.help)
        for param in command.params:
            assert param.help and chinese_first(param.help), (path, param.name, param.help)


@pytest.mark.parametrize("path", [path for path, _ in _commands(get_command(APP))], ids=" ".join)
def test_help_has_no_placeholders_and_no_ragged_lines(path: tuple[str, ...]) -> None:
    result = runner.invoke(APP, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text and "{" not in text.split("\n", 3)[1], text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert usage.strip().startswith("用法 Usage:"), usage
    assert "选项 Options" in text and "显示本帮助并退出" in text
    # a paragraph that was hard-wrapped in its docstring is one paragraph, not short lines
    command = dict(_commands(get_command(APP)))[path]
    # nothing cut: rich cuts a run without spaces (Chinese) with "…" unless help text folds
    narrow = runner.invoke(APP, [*path, "--help"], env={"COLUMNS": "72"}).output
    written = sum(text.count("…") for text in [command.help or "", *(p.help or "" for p in command.params),
                                                *(getattr(c, "help", "") or "" for c in
                                                  getattr(command, "commands", {}).values())])
    assert narrow.count("…") <= written, narrow
    for paragraph in (command.help or "").split("\n\n"):
        assert "\n" not in paragraph or all(line.lstrip().startswith("-") for line in paragraph.split("\n")[1:]), \
            paragraph


def _lines(output: str) -> list[str]:
    """The message lines of an output: not blank, not a table's borders or cells."""
    lines = []
    for line in output.splitlines():
        text = line.strip()
        if not text or set(text) <= BOX or text[0] in "│┃":
            continue
        lines.append(text)
    return lines


def _issues(tmp_path: Path) -> Path:
    path = tmp_path / "issues.jsonl"
    path.write_text(
        '{"id": "A1", "received_at": "2026-11-23T09:12:00", "category": "RX0302", "location": "420202001001"}\n'
        '{"id": "A2", "received_at": "yesterday", "category": "nope", "location": "x"}\n'
        '{"id": "A3", "received_at": "1999-01-04T09:00", "category": "RX0302", "location": "420202001001"}\n'
        "not json\n[1, 2]\n",
        encoding="utf-8",
    )
    return path


def _calls(tmp: Path) -> list[list[str]]:
    issues = _issues(tmp)
    db = str(tmp / "cases.db")
    (tmp / "empty.csv").write_text("工单编号,受理时间,问题分类,发生地点\n", encoding="utf-8")
    (tmp / "rules").mkdir()
    (tmp / "rules" / "routing.toml").write_text("[[tables]]\nname = 1\n", encoding="utf-8")
    (tmp / "fake.xlsx").write_text("序号,事项编码\n", encoding="utf-8")
    return [
        [],  # no command: the help
        ["nope"], ["route"], ["route", str(issues), "--bogus"], ["route", str(issues), "--format", "zz"],
        ["route", str(tmp / "missing.jsonl")], ["route", str(tmp / "x.doc")], ["route", str(issues)],
        ["route", str(issues), "--format", "table"], ["route", str(tmp / "empty.csv")],
        ["route", str(issues), "--format", "xlsx"], ["route", str(issues), "--encoding", "klingon"],
        ["route", str(issues), "--out", str(issues)], ["route", str(CLERK / "hotline_export.xlsx")],
        ["explain", str(issues)], ["explain", str(issues), "--id", "ZZ"],
        ["cases", "open", str(issues), "--db", db], ["cases", "record", "A1", "到场了", "--at", "2026-11-23T10:00",
                                                      "--db", db],
        ["cases", "record", "A1", "报到", "--at", "下周一", "--db", db],
        ["cases", "record", "A1", "报到", "--at", "2026-11-23T10:00", "--db", db, "--to", "x"],
        ["cases", "record", "A1", "评价", "--at", "2026-11-23T10:00", "--db", db],
        ["cases", "record", "A1", "报到", "--at", "2026年11月23日 上午10:00", "--db", db],
        ["cases", "record", "A1", "重新打开", "--at", "2026-11-23T11:00", "--db", db],
        ["cases", "show", "ZZ", "--db", db], ["cases", "show", "A1", "--db", str(tmp / "none.db")],
        ["cases", "show", "A1", "--db", db], ["cases", "tick", "--now", "2026-12-30", "--db", db],
        ["cases", "tick", "--now", "2026-11-23T09:13", "--db", db],
        ["score", "--period", "2026Q3"], ["score", "--period", "2026Q5", "--input", str(issues)],
        ["score", "--period", "2026Q3", "--input", str(CLERK / "whistles_typo.xlsx"), "--catalog", "shipped"],
        ["score", "--period", "2026Q3", "--input", str(CLERK / "whistles_by_name.xlsx"), "--catalog", "shipped",
         "--as-of", "2026年10月1日"],
        ["catalog", "check", str(tmp / "fake.xlsx")], ["catalog", "template", str(REPO / "catalogs")],
        ["audit"], ["audit", "--what-if", str(CLERK / "xialu_jiaoyu.xlsx")], ["audit", str(tmp / "nope.xlsx")],
        ["audit", str(CLERK / "xialu_jiaoyu.xlsx")], ["audit", str(CLERK / "xialu_jiaoyu.xlsx"), "--as-of", "不是日期"],
        ["intake", str(issues), str(issues), "--channel", "12345", "--channel", "szcg", "--channel", "grid"],
        ["gazetteer", "template", str(issues)], ["gazetteer", "resolve", "纺织社区", "火星基地"],
        ["serve", "--port", "0"], ["serve", "--tick-seconds", "-1"],
        ["rules", "check", "--rules", str(tmp / "rules")],
        ["scenarios", "run", str(issues), "--engine", "fast"],
    ]


def test_every_message_the_cli_prints_contains_chinese(tmp_path: Path) -> None:
    silent = []
    for args in _calls(tmp_path):
        result = runner.invoke(APP, args, env={"COLUMNS": "1000"})  # lines unwrapped: one message, one line
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        for line in _lines(result.stdout) + _lines(result.stderr):
            if line.startswith(("{", "}", "[", "]", '"')):
                continue  # JSON lines (decisions) are data, checked below
            if not CJK.search(line):
                silent.append((args, line))
    assert not silent, "\n".join(f"{' '.join(a)}: {line}" for a, line in silent)


def _messages(value: Any) -> Iterator[str]:
    """Every "message" of a JSON payload, and every audit finding's message_zh."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("message", "summary") and isinstance(item, str):
                yield item
            elif key == "message_zh" and isinstance(item, str):
                # an audit finding's Chinese message, beside its message_en; it may start with
                # the item's code ("TY-20-001 …：没有实施依据")
                yield "中文 " + item if CJK.search(item) else item
            else:
                yield from _messages(item)
    elif isinstance(value, list):
        for item in value:
            yield from _messages(item)


def test_every_message_in_json_output_is_chinese_first(tmp_path: Path) -> None:
    issues = _issues(tmp_path)
    db = str(tmp_path / "c.db")
    calls = [
        ["explain", str(issues), "--json"], ["cases", "open", str(issues), "--db", db, "--json"],
        ["cases", "record", "A1", "到场了", "--at", "2026-11-23T10:00", "--db", db, "--json"],
        ["cases", "show", "ZZ", "--db", db, "--json"],
        ["score", "--period", "2026Q3", "--input", str(CLERK / "whistles_typo.xlsx"), "--catalog", "shipped",
         "--json"],
        ["audit", str(CLERK / "huangshigang_tuiyi.xlsx"), "--json"], ["audit", str(tmp_path / "x.xlsx"), "--json"],
        ["catalog", "check", str(tmp_path / "x.xlsx"), "--json"],
    ]
    messages = []
    for args in calls:
        result = runner.invoke(APP, args)
        messages += list(_messages(json.loads(result.stdout)))
    route = runner.invoke(APP, ["route", str(issues)])
    for line in route.stdout.splitlines():
        messages += list(_messages(json.loads(line)))
    assert len(messages) > 20
    english = [m for m in messages if not chinese_first(m)]
    assert not english, english


def _problem_codes() -> set[str]:
    """Every problem code written as a literal in powerlist's source: `code="…"`, and the code
    argument of the helpers that take it positionally."""
    import ast

    codes: set[str] = set()
    positional = {"row_problem": 5, "_problem": 3, "_unreadable": 3}
    for path in (REPO / "powerlist").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [kw.value for kw in node.keywords if kw.arg == "code"]
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in positional and len(node.args) > positional[name]:
                values.append(node.args[positional[name]])
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    codes.add(value.value)
    return {c for c in codes if not re.fullmatch(r"PL\d+|\d+|[A-Z].*", c)}


def test_every_problem_code_has_its_chinese() -> None:
    from powerlist.catalog.names import KINDS_ZH
    from powerlist.errors import PROBLEM_ZH

    codes = _problem_codes() | {f"unknown-{kind}" for kind in KINDS_ZH if kind != "place"}
    assert len(codes) > 60
    missing = sorted(codes - set(PROBLEM_ZH))
    assert not missing, missing
    assert all(chinese_first(text) for text in PROBLEM_ZH.values())


def test_a_command_is_registered_by_the_module_named_after_it() -> None:
    """`powerlist NAME …` imports only the modules NAME and NAME_* (and `cli.ALSO`'s): each
    top-level command or group a module registers is named after it, or listed in ALSO."""
    for info in pkgutil.iter_modules(cli.__path__):
        if info.name.startswith("_") or "_" in info.name:
            continue  # NAME_* modules add to NAME's group
        app = typer.Typer()
        importlib.import_module(f"powerlist.cli.{info.name}").register(app)
        names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
        assert names, info.name
        for name in names:
            assert name == info.name or cli.ALSO.get(name or "") == info.name, (info.name, name)


def test_routing_a_jsonl_file_loads_no_other_command_s_libraries(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    source = tmp_path / "one.jsonl"
    source.write_text('{"id": "1", "received_at": "2026-11-23T09:12", "category": "RX0302", '
                      '"location": "420202001001"}\n', encoding="utf-8")
    script = ("import sys\nfrom powerlist.cli import main\n"
              f"sys.argv = ['powerlist', 'route', {str(source)!r}, '--out', {str(tmp_path / 'out.jsonl')!r}]\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(' '.join(sorted(sys.modules)))\n")
    # the second run, as every run after the first: the catalogs come from the disk cache (the
    # first run read the workbooks, with openpyxl)
    env = {k: v for k, v in os.environ.items() if k != "POWERLIST_NO_CACHE"}
    env["POWERLIST_CACHE_DIR"] = str(tmp_path / "cache")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    loaded = set(done.stdout.split())
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count('"status":"routed"') == 1
    for heavy in ("openpyxl", "numpy", "sklearn", "scipy", "jieba", "rich.markdown", "rich.progress",
                  "powerlist.cases", "powerlist.intake", "powerlist.audit", "powerlist.scoring", "powerlist.service",
                  "powerlist.cli.cases", "powerlist.cli.audit"):
        assert heavy not in loaded, heavy
