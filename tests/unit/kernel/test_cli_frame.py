"""The Chinese of Typer's own parse errors, matched by pattern."""

from __future__ import annotations

import pytest

from ordertower.kernel.cli_frame import translate_error


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Missing argument 'file'.", "缺少参数 'file'。"),
        ("Missing option '--sku'.", "缺少选项 '--sku'。"),
        ("Missing command.", "缺少命令。"),
        ("No such command 'shw'. Did you mean 'show'?", "没有名为 'shw' 的命令。是否想输入 'show'？"),
        ("No such option: --skus (Possible options: --sku)", "没有名为 --skus 的选项（可用的选项：--sku）。"),
        (
            "Invalid value for '--status': 'x' is not one of 'a', 'b'.",
            "'--status' 的值无效：'x' 不在可选的值中：'a', 'b'。",
        ),
        ("Invalid value for 'FILE': File 'a.csv' does not exist.", "'FILE' 的值无效：文件 'a.csv' 不存在。"),
        ("Got unexpected extra arguments (a b)", "多出了参数：a b。"),
        ("Option '--limit' requires 2 arguments.", "选项 '--limit' 需要 2 个值。"),
        ("Option '--json' does not take a value.", "选项 '--json' 不接受值。"),
    ],
)
def test_known_errors_are_translated(english: str, chinese: str):
    assert translate_error(english) == chinese


def test_unknown_error_stays_as_written():
    assert translate_error("Something Typer says for the first time.") == "Something Typer says for the first time."
