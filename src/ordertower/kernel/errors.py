"""Errors that carry a stable code, their data and a message in both languages.

The code (`insufficient_stock`, `invalid_transition`, ...) is what API clients
and the UI match on; the message names the entity, the value and what to do.
One handler in the API maps `http_status`; the CLI prints the message and exits 1.
The API renders errors with `render_for_api`. A class whose message names a CLI
command sets `api_message` or overrides `render_for_api` with wording that a
REST client can act on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ordertower.kernel.i18n import Language, Message


class OrderTowerError(Exception):
    """Base class of every error an operator may see."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    message: ClassVar[Message] = Message("{detail}", "{detail}")
    # The wording for REST clients, set where `message` names a CLI command. None means `message`.
    api_message: ClassVar[Message | None] = None

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.render("en"))

    def render(self, language: Language | None = None) -> str:
        return self.message.render(language, **self.params)

    def render_for_api(self, language: Language | None = None) -> str:
        """Render the message for a REST client, in `api_message` where the class sets one."""
        return (self.api_message or self.message).render(language, **self.params)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take their own keyword arguments, so a copy (in another process, say) is rebuilt from params.
        return (_restore_error, (type(self), self.params))

    def to_dict(self, language: Language | None = None, *, for_api: bool = False) -> dict[str, Any]:
        """Return the `error` member of a JSON error body: code, message and params.

        With for_api=True the message is the one for REST clients (see `render_for_api`).
        """
        message = self.render_for_api(language) if for_api else self.render(language)
        return {"code": self.code, "message": message, "params": _jsonable(self.params)}


def _restore_error(kind: type[OrderTowerError], params: dict[str, Any]) -> OrderTowerError:
    error = kind.__new__(kind)
    error.params = params
    Exception.__init__(error, error.render("en"))
    return error


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, int | float | bool | type(None)) else str(value)
        for key, value in params.items()
    }


class DatabaseUnavailableError(OrderTowerError):
    code = "database_unavailable"
    http_status = 503
    message = Message(
        "Cannot use the database {url}: {reason}. Check ORDERTOWER_DATABASE_URL or --database-url; "
        "a PostgreSQL database must exist first (createdb NAME) and its server must be running.",
        "无法使用数据库 {url}：{reason}。请检查 ORDERTOWER_DATABASE_URL 或 --database-url；"
        "PostgreSQL 数据库需要先创建（createdb 数据库名），且其服务器须在运行。",
    )


class DatabaseFailedError(OrderTowerError):
    code = "database_failed"
    http_status = 503
    message = Message(
        "The database {url} reported an error: {reason}. If its server stopped, start it and run the command again.",
        "数据库 {url} 报告错误：{reason}。如果数据库服务器已停止，请启动后重新运行命令。",
    )


class NotFoundError(OrderTowerError):
    code = "not_found"
    http_status = 404
    message = Message(
        "{entity} {ref!r} was not found. Check the spelling, or list them with `ordertower {command}`.",
        "未找到{entity_zh}：{ref!r}。请检查拼写，或用 `ordertower {command}` 列出现有记录。",
    )

    def __init__(self, *, entity: str, ref: str, command: str = "--help") -> None:
        super().__init__(entity=entity, entity_zh=ENTITY_NAMES_ZH.get(entity, entity), ref=ref, command=command)

    def render_for_api(self, language: Language | None = None) -> str:
        """Render the message for a REST client, naming the endpoint that lists the entity where one exists."""
        list_path = ENTITY_LIST_PATHS.get(self.params["entity"])
        if list_path is None:
            return NOT_FOUND_UNLISTED.render(language, **self.params)
        return NOT_FOUND_LISTED.render(language, list_path=list_path, **self.params)


NOT_FOUND_LISTED = Message(
    "{entity} {ref!r} was not found. Check the spelling, or list them with GET {list_path}.",
    "未找到{entity_zh}：{ref!r}。请检查拼写，或用 GET {list_path} 列出现有记录。",
)
NOT_FOUND_UNLISTED = Message(
    "{entity} {ref!r} was not found. Check the value and send the request again.",
    "未找到{entity_zh}：{ref!r}。请检查该值后重新发送请求。",
)
# The endpoint that lists each entity, for the API's not-found messages.
ENTITY_LIST_PATHS = {
    "order": "/api/v1/orders",
    "SKU": "/api/v1/products",
    "product": "/api/v1/products",
    "location": "/api/v1/locations",
    "channel": "/api/v1/channels",
    "import": "/api/v1/imports",
}


ENTITY_NAMES_ZH = {
    "order": "订单",
    "order line": "订单行",
    "SKU": " SKU",  # a space between the Chinese text and the Latin letters
    "product": "商品",
    "location": "仓库",
    "channel": "渠道",
    "import": "导入记录",
    "customer": "客户",
}


class ValidationError(OrderTowerError):
    """Input that breaks a rule; `field` is the key path, `value` what was given."""

    code = "validation_error"
    http_status = 422
    message = Message("{field}: {problem_en} (value: {value!r})", "{field}：{problem_zh}（值：{value!r}）")

    def __init__(self, *, field: str, value: Any, problem: Message, **params: Any) -> None:
        super().__init__(
            field=field,
            value=value,
            problem_en=problem.render("en", **params),
            problem_zh=problem.render("zh", **params),
        )


class ConflictError(OrderTowerError):
    code = "conflict"
    http_status = 409


class MissingFileError(OrderTowerError):
    """A path given on the command line that is not a readable file."""

    code = "file_not_found"
    http_status = 404
    message = Message(
        "{path!r} does not exist or is not a file. Check the path and the current folder ({folder}).",
        "{path!r} 不存在或不是文件。请检查路径和当前文件夹（{folder}）。",
    )


class UnreadableFileError(OrderTowerError):
    """A file whose bytes break the format's syntax, such as a CSV line end inside an unquoted field."""

    code = "unreadable_file"
    http_status = 400
    message = Message(
        "Cannot read {filename!r}: {detail}. Save the file again from the channel or a spreadsheet program "
        "and import it again.",
        "无法读取 {filename!r}：{detail}。请从渠道或电子表格程序重新保存该文件后再导入。",
    )
