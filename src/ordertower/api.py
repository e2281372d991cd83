"""The FastAPI application: routers of every area, one error format, the language per request."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException

from ordertower import __version__
from ordertower.kernel.db import Database
from ordertower.kernel.errors import OrderTowerError
from ordertower.kernel.field_errors import describe_field_error
from ordertower.kernel.i18n import Message, current_language, parse_language, set_language
from ordertower.kernel.settings import get_settings

logger = logging.getLogger(__name__)

INVALID_FIELD = Message("{field}: {detail} (value: {value})", "{field}：{detail}（值：{value}）")
INVALID_DATA = Message(
    "The database rejected a value of this request as invalid: {detail}. Check the values and send it again.",
    "数据库拒绝了该请求中的某个值：{detail}。请检查后重新发送。",
)
HTTP_ERROR = Message("HTTP {status}: {detail}", "HTTP {status}：{detail}")
HTTP_ERROR_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
# Chinese for Starlette's standard reason phrases, which it sends as the detail of these errors.
HTTP_PHRASES_ZH = {
    400: "请求无效",
    404: "没有这个地址，请查看 /docs 中的 API 列表",
    405: "此地址不支持该请求方法",
    413: "请求内容过大",
}
INTERNAL = Message(
    "An unexpected error happened (reference {reference}). The server log has the details under that reference.",
    "发生意外错误（编号 {reference}）。服务器日志中该编号下有详细信息。",
)


def create_app(database: Database | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the app on `database`, or on ORDERTOWER_DATABASE_URL when none is given."""
    from ordertower.catalog.api import router as catalog_router
    from ordertower.inventory.api import router as inventory_router
    from ordertower.orders.api import router as orders_router

    if database is None:
        database = Database(get_settings().database_url)
    if migrate:
        from ordertower.kernel.migrate import upgrade

        upgrade(database)

    app = FastAPI(
        title="OrderTower API",
        version=__version__,
        description="Orders from every channel, stock per location, and routing that explains itself. "
        "Errors carry a stable `code`, a `message` in English or Chinese (Accept-Language), "
        "and the `params` they name.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.database = database
    _install_docs(app)
    app.include_router(orders_router)
    app.include_router(inventory_router)
    app.include_router(catalog_router)

    @app.get("/api/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        """Report that the API is up."""
        return {"status": "ok", "version": __version__}

    _install_language(app)
    _install_error_handlers(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from the installed swagger-ui-bundle package.

    FastAPI's default page loads its scripts from a public CDN, which leaves
    /docs blank on a machine without internet access or where the CDN is blocked.
    """
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="OrderTower API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def _install_language(app: FastAPI) -> None:
    @app.middleware("http")
    async def choose_language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        set_language(parse_language(request.headers.get("accept-language")) or None)
        return await call_next(request)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OrderTowerError)
    async def domain_error(request: Request, error: OrderTowerError) -> JSONResponse:
        body = error.to_dict(_language(request), for_api=True)
        return JSONResponse(status_code=error.http_status, content={"error": body})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        language = _language(request)
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item.get("loc", ()))
            value = _short(item.get("input"))
            problems.append(
                {
                    "field": field,
                    "value": value,
                    "message": INVALID_FIELD.render(
                        language, field=field, detail=describe_field_error(item, language), value=value
                    ),
                }
            )
        message = problems[0]["message"] if problems else "invalid request"
        return _error_response(422, "validation_error", message, {}, fields=problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        # Starlette raises these for malformed bodies, unknown paths and methods; they get our error shape too.
        detail = str(error.detail)
        language = _language(request)
        wording = detail
        if language == "zh" and detail == _standard_phrase(error.status_code):
            wording = HTTP_PHRASES_ZH.get(error.status_code, detail)
        return _error_response(
            error.status_code,
            HTTP_ERROR_CODES.get(error.status_code, "http_error"),
            HTTP_ERROR.render(language, status=error.status_code, detail=wording),
            {"detail": detail},
            headers=error.headers,
        )

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        # Starlette still re-raises the error after this response, so servers and tests see it too.
        reference = uuid.uuid4().hex[:12]
        logger.error("unexpected error %s on %s %s", reference, request.method, request.url.path, exc_info=error)
        message = INTERNAL.render(_language(request), reference=reference)
        return _error_response(500, "internal_error", message, {"reference": reference})

    @app.exception_handler(StatementError)
    async def statement_error(request: Request, error: StatementError) -> JSONResponse:
        return _invalid_data(request, error)


def _invalid_data(request: Request, error: Exception) -> JSONResponse:
    detail = str(getattr(error, "orig", error)).splitlines()[0][:200]
    logger.warning("request %s %s rejected by the database: %s", request.method, request.url.path, detail)
    message = INVALID_DATA.render(_language(request), detail=detail)
    return _error_response(422, "invalid_value", message, {"detail": detail})


def _error_response(
    status: int,
    code: str,
    message: str,
    params: dict[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build the error body shared by every endpoint: {"error": {code, message, params, ...}}."""
    body = {"code": code, "message": message, "params": params, **extra}
    return JSONResponse(status_code=status, content={"error": body}, headers=headers)


def _language(request: Request) -> Any:
    return parse_language(request.headers.get("accept-language")) or current_language()


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
