"""Request validation problems in the operator's language, from pydantic's error type and context.

Pydantic writes its messages in English only. Each error it reports has a
stable `type` (such as `missing` or `greater_than_equal`) and a `ctx` with the
limit involved, so the Chinese text is chosen by type and filled from ctx.
The project's own validators raise PydanticCustomError with types of their
own, listed here as well.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from ordertower.kernel.i18n import Language

# Chinese templates by pydantic error type; placeholders name keys of the error's ctx.
ZH_TEMPLATES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不支持此字段，请删除",
    "string_type": "应为文本",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "最多允许 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为十进制数",
    "decimal_parsing": "应为十进制数",
    "decimal_max_digits": "数字位数最多 {max_digits} 位",
    "decimal_max_places": "小数位最多 {decimal_places} 位",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多允许 {max_length} 项",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "应为以下值之一：{expected}",
    "literal_error": "应为以下值之一：{expected}",
    "json_invalid": "不是有效的 JSON：{error}",
    "json_type": "应为 JSON 文本",
    "date_type": "应为日期",
    "date_parsing": "应为日期，如 2024-05-01",
    "date_from_datetime_parsing": "应为日期，如 2024-05-01",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间，如 2024-05-01T10:00:00+08:00",
    "datetime_from_date_parsing": "应为日期时间，如 2024-05-01T10:00:00+08:00",
    "timezone_aware": "需要带时区，如 2024-05-01T10:00:00+08:00",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "url_type": "应为网址",
    "url_parsing": "不是有效的网址",
    # Types of the project's own validators (PydanticCustomError).
    "currency_unknown": "{value} 不是 ISO 4217 币种代码，如 USD、EUR 或 CNY",
    "total_too_large": "订单总额（商品、运费和税）超过上限 {maximum}",
}

# For a type missing above: the value is invalid, followed by pydantic's type code to look it up.
ZH_FALLBACK = "值无效（{type}）"


def describe_field_error(error: Mapping[str, Any], language: Language) -> str:
    """Return the problem of one pydantic error in `language`; English is pydantic's own message."""
    english = str(error.get("msg", ""))
    if language != "zh":
        return english

    kind = str(error.get("type", ""))
    template = ZH_TEMPLATES.get(kind)
    if template is None:
        return ZH_FALLBACK.format(type=kind or "?")
    return _fill(template, error.get("ctx") or {}) or ZH_FALLBACK.format(type=kind)


def _fill(template: str, context: Mapping[str, Any]) -> str | None:
    """Fill `template` from `context`, or return None when it names a key the error does not give."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names <= set(context):
        return None
    return template.format(**{name: _plain(context[name]) for name in names})


def _plain(value: Any) -> str:
    # pydantic quotes the expected choices ("'paid' or 'pending'"), which reads the same in Chinese.
    return str(value)
