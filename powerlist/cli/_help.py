"""How `powerlist --help` reads — 帮助文本: Chinese first, no placeholders, no ragged lines.

Every command and group is built from `Command` and `Group` (``cls=`` where it is registered;
a test walks the command tree to keep it so). They

- join the hard-wrapped lines of docstrings and option help into paragraphs (no space between
  two Chinese characters), keeping blank-line paragraph breaks and "- " list items, and escape
  square brackets so that text is never read as rich markup;
- show an argument as its upper-case name in the usage line (``powerlist route FILE``), not as
  ``{input}``, and an optional one as ``[NAME]``;
- show no type placeholder after a flag (``--json``, not ``--json <bool>``), and say what
  ``--help`` does in Chinese;
- give usage errors (a missing argument, an unknown option or command, a bad choice) in
  Chinese with click's English after it, exit code 2 as before.

Typer's own fixed words (the Options / Arguments / Commands panel titles, [default: …],
[required], the error panel's title and its "Try … for help" line) are module constants of
`typer.rich_utils`, translated through gettext at import time, with no Chinese catalog and no
API to set them; they are set here, bilingual, once, when the CLI is imported. So is how help
text wraps: rich breaks lines at spaces only and cuts a longer run with "…" (its table cells'
default), which cut Chinese help, a run without spaces, mid-sentence; help text, an option's
"[默认 default: …]" and its names (--skip-incomplete beside a long help) are folded instead,
never cut.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from rich.markup import escape
from rich.text import Text
from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ..errors import chinese_first

HELP_TEXT = "显示本帮助并退出 (show this message and exit)"
USAGE_PREFIX = "用法 Usage: "
_patched: list[ModuleType] = []


def _rich_utils() -> ModuleType:
    """`typer.rich_utils`, with powerlist's words and folding set (once). Typer imports it only
    to format help or an error; so does powerlist: a command that runs without either never
    loads it (nor rich.markdown, markdown-it and pygments with it)."""
    if _patched:
        return _patched[0]
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数 Arguments"
    rich_utils.OPTIONS_PANEL_TITLE = "选项 Options"
    rich_utils.COMMANDS_PANEL_TITLE = "命令 Commands"
    rich_utils.ERRORS_PANEL_TITLE = "错误 Error"
    rich_utils.DEFAULT_STRING = "[默认 default: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填 required]"
    rich_utils.RICH_HELP = "用 [blue]'{command_path} {help_option}'[/] 查看帮助 (try it for help)."
    make_rich_text, parameter_help = rich_utils._make_rich_text, rich_utils._get_parameter_help

    def folded_rich_text(*, text: str, style: str = "", markup_mode: Any) -> Any:
        rendered = make_rich_text(text=text, style=style, markup_mode=markup_mode)
        if isinstance(rendered, Text):
            rendered.overflow = "fold"
        return rendered

    def folded_parameter_help(*args: Any, **kwargs: Any) -> Any:
        # an option's help and its "[默认 default: …]" are separate texts of one cell: fold both
        rendered = parameter_help(*args, **kwargs)
        for item in getattr(rendered, "renderables", ()):
            if isinstance(item, Text):
                item.overflow = "fold"
        return rendered

    class FoldedOptionHighlighter(rich_utils.OptionHighlighter):
        """Option names whose text folds: a long name (--skip-incomplete) in a narrow terminal wraps
        instead of being cut with "…"."""

        def __call__(self, text: str | Text) -> Text:
            rendered: Text = super().__call__(text)
            rendered.overflow = "fold"
            return rendered

    class FoldedNegativeHighlighter(rich_utils.NegativeOptionHighlighter):
        """The secondary names of a flag (--no-words), folded the same way."""

        def __call__(self, text: str | Text) -> Text:
            rendered: Text = super().__call__(text)
            rendered.overflow = "fold"
            return rendered

    rich_utils._make_rich_text = folded_rich_text
    rich_utils._get_parameter_help = folded_parameter_help
    rich_utils.highlighter = FoldedOptionHighlighter()
    rich_utils.negative_highlighter = FoldedNegativeHighlighter()
    _patched.append(rich_utils)
    return rich_utils


_USAGE_ZH = (  # most specific first
    (_click.exceptions.NoSuchOption, "没有这个选项"),
    (_click.exceptions.MissingParameter, "缺少必填的参数或选项"),
    (_click.exceptions.BadParameter, "参数取值无效"),
    (_click.exceptions.BadOptionUsage, "选项用法不对"),
    (_click.exceptions.BadArgumentUsage, "参数用法不对"),
    (_click.exceptions.UsageError, "用法不对"),
    (_click.exceptions.ClickException, "错误"),
)
_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s")


def unwrap(text: str | None) -> str | None:
    """Help text as paragraphs: hard-wrapped lines joined, blank lines and list items kept."""
    if text is None:
        return None
    lines = [line.strip() for line in _dedent(text).split("\n")]
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif _LIST_ITEM.match(line):
            current += "\n" + line
        elif _CJK.match(current[-1]) and _CJK.match(line[0]):
            current += line
        else:
            current += " " + line
    if current:
        paragraphs.append(current)
    return escape("\n\n".join(paragraphs))


def _dedent(text: str) -> str:
    # a docstring's first line has no indent, the others do: inspect.cleandoc's rule
    first, _, rest = text.partition("\n")
    return first + ("\n" + "\n".join(line.strip() for line in rest.split("\n")) if rest else "")


def _tidy_params(params: list[_click.Parameter]) -> None:
    for param in params:
        if isinstance(param, TyperOption | TyperArgument):
            param.help = unwrap(param.help)
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""  # no "<bool>" after a flag


def _usage(command: _click.Command, ctx: _click.Context) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            name = (param.metavar or param.name or "ARG").upper()
            shown = name if param.required else f"[{name}]"
            pieces.append(shown + ("..." if param.nargs != 1 else ""))
    return pieces


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_TEXT
        option.metavar = ""
    return option


def chinese_usage_error(error: _click.exceptions.ClickException) -> _click.exceptions.ClickException:
    """`error` with its message Chinese first (click's English after it), same exit code (typer
    formats it next, with powerlist's words: `_rich_utils`)."""
    _rich_utils()
    message = error.format_message()
    if chinese_first(message):
        return error
    chinese = next(zh for kind, zh in _USAGE_ZH if isinstance(error, kind))
    if "No such command" in message:
        chinese = "没有这个命令"
    text = f"{chinese} ({message})"
    if isinstance(error, _click.exceptions.UsageError):
        translated: _click.exceptions.ClickException = _click.exceptions.UsageError(text, error.ctx)
    else:
        translated = _click.exceptions.ClickException(text)
    translated.exit_code = error.exit_code
    return translated


class Command(TyperCommand):
    """A powerlist command: tidy help, plain usage, no flag placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for key in ("help", "short_help", "epilog"):
            if isinstance(kwargs.get(key), str):
                kwargs[key] = unwrap(kwargs[key])
        super().__init__(*args, **kwargs)
        _tidy_params(self.params)

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        return _usage(self, ctx)

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: _click.Context) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _rich_utils()
        super().format_help(ctx, formatter)

    def make_context(self, *args: Any, **kwargs: Any) -> _click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except _click.exceptions.ClickException as error:
            raise chinese_usage_error(error) from error


class Group(TyperGroup):
    """A powerlist command group: tidy help, plain usage, no flag placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for key in ("help", "short_help", "epilog"):
            if isinstance(kwargs.get(key), str):
                kwargs[key] = unwrap(kwargs[key])
        super().__init__(*args, **kwargs)
        _tidy_params(self.params)

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        return [*_usage(self, ctx), self.subcommand_metavar]

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: _click.Context) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _rich_utils()
        super().format_help(ctx, formatter)

    def make_context(self, *args: Any, **kwargs: Any) -> _click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except _click.exceptions.ClickException as error:
            raise chinese_usage_error(error) from error

    def resolve_command(self, ctx: _click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.ClickException as error:
            raise chinese_usage_error(error) from error


__all__ = ["HELP_TEXT", "Command", "Group", "chinese_usage_error", "unwrap"]
