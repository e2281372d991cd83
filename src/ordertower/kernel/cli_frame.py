"""Chinese for what the command-line framework prints by itself: usage lines, parse errors and help frames.

Typer, with its own copy of Click, writes these texts in English in its code.
When the command line is in Chinese, OrderTower rewrites them where they are
printed: the usage prefix, the help of `--help` and of the completion options,
the titles of help pages and error panels, and the message of a parse error,
which is matched against ERROR_PATTERNS_ZH. A message that no pattern matches
is shown as Typer wrote it. tests/e2e/test_cli_languages.py produces parse
errors and help pages in Chinese and fails when known English texts remain,
so a Typer release that moves these texts is caught there.
"""

from __future__ import annotations

import re
from typing import Any

from typer._click.exceptions import ClickException, NoSuchOption

from ordertower.kernel.field_errors import describe_field_error

USAGE_PREFIX_ZH = "用法："
HELP_OPTION_ZH = "显示本帮助并退出。"
COMPLETION_HELP_ZH = {
    "--install-completion": "为当前终端安装命令补全。",
    "--show-completion": "显示当前终端的补全脚本，供复制安装。",
}
PATH_KINDS_ZH = {"File": "文件", "Directory": "目录", "Path": "路径"}

# Typer's parse errors, whole message to Chinese template, tried in order. A group named `message`
# is itself one of these messages and is translated in turn.
ERROR_PATTERNS_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.DOTALL), template)
    for pattern, template in [
        (r"Missing argument (?P<name>.+?)\.(?: (?P<message>.+))?", "缺少参数 {name}。{message}"),
        (r"Missing option (?P<name>.+?)\.(?: (?P<message>.+))?", "缺少选项 {name}。{message}"),
        (r"Missing parameter: (?P<name>.+)", "缺少参数：{name}"),
        (r"Missing command\.", "缺少命令。"),
        (
            r"No such command (?P<name>.+?)\. Did you mean (?P<choices>.+)\?",
            "没有名为 {name} 的命令。是否想输入 {choices}？",
        ),
        (r"No such command (?P<name>.+?)\.", "没有名为 {name} 的命令。"),
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<choices>.+)\)",
            "没有名为 {name} 的选项（可用的选项：{choices}）。",
        ),
        (r"No such option: (?P<name>.+)", "没有名为 {name} 的选项。"),
        (r"Invalid value for (?P<name>.+?): (?P<message>.+)", "{name} 的值无效：{message}"),
        (r"Invalid value: (?P<message>.+)", "无效的值：{message}"),
        (r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.+)\)", "多出了参数：{args}。"),
        (r"Option (?P<name>.+?) requires an argument\.", "选项 {name} 需要一个值。"),
        (r"Option (?P<name>.+?) requires (?P<count>\d+) arguments\.", "选项 {name} 需要 {count} 个值。"),
        (r"Option (?P<name>.+?) does not take a value\.", "选项 {name} 不接受值。"),
        (r"(?P<value>.+?) is not one of (?P<choices>.+)\.", "{value} 不在可选的值中：{choices}。"),
        (r"Value (?P<value>.+?) is not a valid (?P<kind>.+)\.", "{value} 不是有效的 {kind}。"),
        (r"(?P<kind>File|Directory|Path) (?P<value>.+?) does not exist\.", "{kind} {value} 不存在。"),
        (r"(?P<kind>File|Directory|Path) (?P<value>.+?) is a directory\.", "{kind} {value} 是目录。"),
        (r"(?P<kind>File|Directory|Path) (?P<value>.+?) is a file\.", "{kind} {value} 是文件。"),
        (r"(?P<kind>File|Directory|Path) (?P<value>.+?) is not readable\.", "{kind} {value} 不可读。"),
        (r"Could not open file (?P<value>.+?): (?P<message>.+)", "无法打开文件 {value}：{message}"),
    ]
]


def translate_error(message: str) -> str:
    """Return the Chinese of one of Typer's parse errors, or the message itself when no pattern matches."""
    for pattern, template in ERROR_PATTERNS_ZH:
        match = pattern.fullmatch(message.strip())
        if match is None:
            continue
        parts = {name: value or "" for name, value in match.groupdict().items()}
        if parts.get("message"):
            parts["message"] = translate_error(parts["message"])
        if "kind" in parts:
            parts["kind"] = PATH_KINDS_ZH.get(parts["kind"], parts["kind"])
        return template.format(**parts)
    return message


# Options of the `ordertower` command itself, which Typer accepts only before the subcommand.
GLOBAL_OPTIONS = ("--database-url", "--lang", "--verbose", "-v")
GLOBAL_OPTION_HINT = {
    "en": "{option} is an option of ordertower itself: put it before the command, as in: {example}",
    "zh": "{option} 是 ordertower 本身的选项，请写在命令之前，例如：{example}",
}


def hint_global_options(language: str) -> None:
    """Add to the unknown-option error for a global option given after a subcommand where the option goes."""
    import typer.rich_utils as frame

    show_error = frame.rich_format_error

    def show_error_with_hint(self: ClickException) -> None:
        option = getattr(self, "option_name", None)
        context = getattr(self, "ctx", None)
        if isinstance(self, NoSuchOption) and option in GLOBAL_OPTIONS and context is not None:
            root, _, command = context.command_path.partition(" ")
            example = f"{root} {option}{' ...' if option in ('--database-url', '--lang') else ''} {command}"
            message = self.format_message()
            hint = GLOBAL_OPTION_HINT["zh" if language == "zh" else "en"].format(option=option, example=example)
            self.format_message = lambda: f"{message}\n{hint}"  # type: ignore[method-assign]
        show_error(self)

    frame.rich_format_error = show_error_with_hint


def hide_flag_types() -> None:
    """Leave the type column of the help empty for flags, which take no value. Typer shows `<bool>` there."""
    from typer.core import TyperOption

    display_type = TyperOption.display_type_rich

    def display_type_unless_flag(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return display_type(self, ctx)

    TyperOption.display_type_rich = display_type_unless_flag  # type: ignore[method-assign]


def translate_framework() -> None:
    """Make Typer print its own texts in Chinese from now on: usage, errors and help frames."""
    import typer._click.core as commands
    import typer._coercion as coercion
    import typer.rich_utils as frame
    from typer._click import formatting

    frame.ARGUMENTS_PANEL_TITLE = "参数"
    frame.OPTIONS_PANEL_TITLE = "选项"
    frame.COMMANDS_PANEL_TITLE = "命令"
    frame.ERRORS_PANEL_TITLE = "错误"
    frame.ABORTED_TEXT = "已中止。"
    frame.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    frame.DEFAULT_STRING = "[默认：{}]"
    frame.ENVVAR_STRING = "[环境变量：{}]"
    frame.REQUIRED_LONG_STRING = "[必填]"
    frame.DEPRECATED_STRING = "（已弃用）"

    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_zh(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE_PREFIX_ZH if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage_zh  # type: ignore[method-assign]

    get_help_option = commands.Command.get_help_option

    def get_help_option_zh(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_ZH
        return option

    commands.Command.get_help_option = get_help_option_zh  # type: ignore[method-assign]

    show_error = frame.rich_format_error

    def show_error_zh(self: ClickException) -> None:
        message = translate_error(self.format_message())
        self.format_message = lambda: message  # type: ignore[method-assign]
        show_error(self)

    frame.rich_format_error = show_error_zh
    # Typer words a value that fails conversion with pydantic's English; the API's Chinese serves here too.
    coercion.get_error_msg = _conversion_error_zh  # type: ignore[attr-defined]
    _translate_completion_help()


def _conversion_error_zh(exc: Any) -> str:
    problems = exc.errors()
    if not problems:
        return str(exc)
    return describe_field_error(problems[0], "zh")


def _translate_completion_help() -> None:
    # Typer copies its completion options from the defaults of this placeholder function on every run.
    from typer import completion

    placeholder = getattr(completion, "_install_completion_placeholder_function", None)
    for info in getattr(placeholder, "__defaults__", None) or ():
        for flag in getattr(info, "param_decls", None) or ():
            if flag in COMPLETION_HELP_ZH:
                info.help = COMPLETION_HELP_ZH[flag]
