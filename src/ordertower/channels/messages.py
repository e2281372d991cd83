"""Row error messages of the channel parsers, in English and Simplified Chinese.

Every `RowError` a parser yields carries one of these messages and a `code`
entry in its params, so the importer and the UI can match on the code while
the operator reads a sentence that states what is wrong and what to do.
"""

from __future__ import annotations

from typing import Any

from ordertower.channels.model import RowError
from ordertower.kernel.i18n import Message

ROW_ERROR_MESSAGES: dict[str, Message] = {
    "invalid_quantity": Message(
        "{field}: {value!r} is not a whole number of 1 or more. Correct the quantity and import the file again.",
        "{field}：{value!r} 不是大于等于 1 的整数。请更正数量后重新导入文件。",
    ),
    "invalid_date": Message(
        "{field}: {value!r} is not a date and time in the expected form ({expected}). "
        "Correct the date and import the file again.",
        "{field}：{value!r} 不是所需格式（{expected}）的日期时间。请更正日期后重新导入文件。",
    ),
    "unknown_currency": Message(
        "{field}: currency {value!r} is not an ISO 4217 code such as USD, EUR or CNY. "
        "Correct the currency and import the file again.",
        "{field}：币种 {value!r} 不是 ISO 4217 代码（如 USD、EUR、CNY）。请更正币种后重新导入文件。",
    ),
    "invalid_amount": Message(
        "{field}: {value!r} is not a decimal amount such as 12.50. "
        "Remove currency symbols and letters, then import the file again.",
        "{field}：{value!r} 不是金额数字（如 12.50）。请去掉货币符号和文字后重新导入文件。",
    ),
    "missing_field": Message(
        "{field} is empty, but the order cannot be imported without it. Fill it in and import the file again.",
        "{field} 为空，缺少它订单无法导入。请补全后重新导入文件。",
    ),
    "missing_column": Message(
        "The header has no {field!r} column, which this format requires. "
        "Export the file again with all columns, or choose the right format with --format.",
        "表头缺少此格式必需的 {field!r} 列。请导出包含全部列的文件，或用 --format 选择正确的格式。",
    ),
    "missing_sku": Message(
        "{field} is empty, so this line has no SKU. The order is imported and held until the line is "
        "mapped to a product in OrderTower, or the SKU is added in the channel and the order imported again.",
        "{field} 为空，此行没有 SKU。订单会被导入并暂停处理，直到在 OrderTower 中把此行对应到商品，"
        "或在渠道中补上 SKU 后重新导入该订单。",
    ),
    "unknown_financial_status": Message(
        "{field}: payment status {value!r} is not one of {expected}. Correct the status and import the file again.",
        "{field}：付款状态 {value!r} 不在 {expected} 之中。请更正状态后重新导入文件。",
    ),
    "unknown_order_status": Message(
        "{field}: order status {value!r} is not one of {expected}. "
        "Correct the status, or report the new status so it can be mapped.",
        "{field}：订单状态 {value!r} 不在 {expected} 之中。请更正状态，或反馈这个新状态以便加入映射。",
    ),
    "invalid_country": Message(
        "{field}: {value!r} is not a country code or country name. "
        "Use an ISO 3166 code such as US, GB or CN and import the file again.",
        "{field}：{value!r} 不是国家代码或国家名称。请使用 ISO 3166 代码（如 US、GB、CN）后重新导入文件。",
    ),
    "invalid_value": Message(
        "{field}: {value!r} is not a valid value here ({expected}). Correct it and import the file again.",
        "{field}：{value!r} 在此处无效（应为 {expected}）。请更正后重新导入文件。",
    ),
    "no_lines": Message(
        "{field} is empty, so the order has no lines and cannot be imported. "
        "Export the order again with its line items.",
        "{field} 为空，订单没有商品行，无法导入。请重新导出包含商品行的订单。",
    ),
    "not_an_order": Message(
        "{field}: this object is {what}, not an order, so nothing was imported from it. "
        "Import an order export or order webhook instead.",
        "{field}：此对象是{what_zh}，不是订单，因此未导入任何内容。请改为导入订单导出文件或订单 Webhook。",
    ),
    "invalid_json": Message(
        "The file stops being valid JSON here ({detail}). Nothing from this point on was imported. "
        "Export the file again, or repair it and import it again.",
        "文件从此处起不是有效的 JSON（{detail}），此后的内容均未导入。请重新导出文件，或修复后重新导入。",
    ),
    "invalid_encoding": Message(
        "The text from this line on is not valid {encoding}. Nothing from this point on was imported. "
        "Save the file as UTF-8 and import it again.",
        "文件从此行起不是有效的 {encoding} 文本，此后的内容均未导入。请将文件另存为 UTF-8 后重新导入。",
    ),
    "currency_mismatch": Message(
        "{field}: currency {value!r} differs from {expected!r} on an earlier row of the same order. "
        "One order has one currency: correct the row and import the file again.",
        "{field}：币种 {value!r} 与同一订单前面行的 {expected!r} 不同。一个订单只能有一种币种，"
        "请更正该行后重新导入文件。",
    ),
    "no_currency_in_file": Message(
        "{field} is empty on this cancelled row and no other row of the file names a currency to use. "
        "Add the currency and import the file again.",
        "此已取消行的 {field} 为空，且文件中没有其他行提供可用的币种。请补上币种后重新导入文件。",
    ),
    "order_details_missing": Message(
        "Rows of order {value!r} come before the row that carries the order's details ({expected}), "
        "so their currency is unknown. Sort the file by {field} so each order starts with that row, "
        "and import it again.",
        "订单 {value!r} 的部分行出现在带有订单信息（{expected}）的那一行之前，因此无法确定币种。"
        "请按 {field} 排序，使每个订单以该行开头，然后重新导入。",
    ),
}

# The wording for REST clients of the messages above that name a CLI option.
API_ROW_ERROR_MESSAGES: dict[str, Message] = {
    "missing_column": Message(
        "The header has no {field!r} column, which this format requires. "
        "Export the file again with all columns, or choose the right format with the request's format field.",
        "表头缺少此格式必需的 {field!r} 列。请导出包含全部列的文件，或在请求的 format 字段中选择正确的格式。",
    ),
}

HOLD_CODES = frozenset({"missing_sku"})
"""Codes of row errors that come with the order itself: the importer imports the order and puts it on hold."""


def row_error(line: int, field: str, value: object, code: str, **params: Any) -> RowError:
    """Build a RowError whose params start with its code, then field, value and the message's own params."""
    text = "" if value is None else str(value)
    all_params: dict[str, Any] = {"code": code, "field": field, "value": text, **params}
    return RowError(
        line=line,
        field=field,
        value=text,
        message=ROW_ERROR_MESSAGES[code],
        params=tuple(all_params.items()),
        api_message=API_ROW_ERROR_MESSAGES.get(code),
    )


def row_error_code(error: RowError) -> str:
    """Return the stable code of a RowError built by `row_error` ("" for any other RowError)."""
    return str(dict(error.params).get("code", ""))


def is_hold(error: RowError) -> bool:
    """Tell whether the error comes with its order, which the importer then holds."""
    return row_error_code(error) in HOLD_CODES
