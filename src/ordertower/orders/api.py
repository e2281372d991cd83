"""REST endpoints of orders and imports."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Request, UploadFile
from sqlalchemy import Connection, select

from ordertower.channels.model import ChannelOrderState, FinancialStatus, ParsedAddress, ParsedLine, ParsedOrder
from ordertower.kernel.errors import NotFoundError, UnreadableFileError
from ordertower.kernel.paging import IMPORT_PAGE, MAX_OFFSET, ORDER_PAGE, page
from ordertower.kernel.web import ERROR_RESPONSES, get_database, read_connection, write_connection
from ordertower.orders import service
from ordertower.orders.model import HoldReason, OrderStatus
from ordertower.orders.resource import build_resources, import_page, import_resource
from ordertower.orders.schemas import HoldRelease, ImportPage, ManualHold, OrderCreate, OrderPage
from ordertower.orders.tables import order_imports

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

SafeText = Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")]


@router.get("/orders", response_model=OrderPage, tags=["orders"])
def list_orders(
    connection: Annotated[Connection, Depends(read_connection)],
    status: OrderStatus | None = None,
    channel: SafeText | None = None,
    search: SafeText | None = None,
    hold_reason: HoldReason | None = None,
    limit: Annotated[int, Query(ge=1, le=ORDER_PAGE.maximum)] = ORDER_PAGE.default,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """List orders, newest first, with filters, search and pagination."""
    rows, total = service.list_orders(
        connection,
        service.OrderFilter(
            status.value if status else None, channel, search, hold_reason.value if hold_reason else None
        ),
        limit=limit,
        offset=offset,
    )
    return page(build_resources(connection, rows, with_events=False), total=total, limit=limit, offset=offset)


@router.get("/orders/{ref}", tags=["orders"])
def get_order(ref: str, connection: Annotated[Connection, Depends(read_connection)]) -> dict[str, Any]:
    """Get one order by our number or the channel's order number or id."""
    return build_resources(connection, [service.get_order_or_raise(connection, _clean(ref))])[0]


@router.get("/orders/{ref}/routing", tags=["orders"])
def get_routing(ref: str, connection: Annotated[Connection, Depends(read_connection)]) -> dict[str, Any]:
    """Get the routing decision of an order: the rules, the candidates and why the winner won."""
    resource = build_resources(connection, [service.get_order_or_raise(connection, _clean(ref))], with_events=False)[0]
    return {
        "number": resource["number"],
        "status": resource["status"],
        "shipments": resource["shipments"],
        **resource["routing"],
    }


@router.post("/orders", status_code=201, tags=["orders"])
def create_order(body: OrderCreate, request: Request) -> dict[str, Any]:
    """Create a manual or wholesale order; it is reserved and routed like an imported one."""
    from ordertower.orders.importing import import_orders

    parsed = _parsed_from(body)
    source = _SingleOrderSource(parsed)
    database = get_database(request)
    report = import_orders(database, source, channel_code=body.channel if body.channel else None, for_api=True)
    with database.read() as connection:
        from ordertower.catalog.service import get_channel_or_raise
        from ordertower.orders.tables import orders

        channel_id = get_channel_or_raise(connection, report.channel).id
        row = connection.execute(
            select(orders).where(orders.c.channel_id == channel_id, orders.c.external_id == parsed.external_id)
        ).one()
        return build_resources(connection, [row])[0]


class _SingleOrderSource:
    format = "api"
    channel_kind = "generic"
    filename = "api"
    size_bytes = None
    position_bytes = 0

    def __init__(self, order: ParsedOrder) -> None:
        self.order = order

    def __iter__(self) -> Any:
        yield self.order


def _parsed_from(body: OrderCreate) -> ParsedOrder:
    currency = body.currency.upper()
    from ordertower.kernel.money import normalize_currency, quantize

    normalize_currency(currency)
    lines = [
        ParsedLine(
            channel_sku=line.sku,
            name=line.name or line.sku,
            quantity=line.quantity,
            unit_price=quantize(line.unit_price, currency),
            discount=quantize(line.discount, currency),
            tax=quantize(line.tax, currency),
        )
        for line in body.lines
    ]
    subtotal = sum((line.unit_price * line.quantity - line.discount for line in lines), Decimal(0))
    total = subtotal + body.shipping_total + body.tax_total - body.discount_total
    address = body.shipping_address
    return ParsedOrder(
        external_id=body.external_id or f"M-{uuid.uuid4().hex[:12].upper()}",
        external_number=body.external_id or "",
        placed_at=datetime.now(UTC),
        currency=currency,
        state=ChannelOrderState.OPEN,
        financial_status=FinancialStatus(body.financial_status),
        subtotal=quantize(subtotal, currency),
        discount_total=quantize(body.discount_total, currency),
        shipping_total=quantize(body.shipping_total, currency),
        tax_total=quantize(body.tax_total, currency),
        total=quantize(total, currency),
        lines=lines,
        email=body.email,
        customer_name=body.customer_name or address.name,
        shipping_address=ParsedAddress(
            name=address.name,
            company=address.company,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country_code=address.country_code.upper(),
            phone=address.phone,
        ),
        channel_kind="generic",
    )


@router.post("/orders/{ref}/cancel", tags=["orders"])
def cancel_order(ref: str, connection: Annotated[Connection, Depends(write_connection)]) -> dict[str, Any]:
    """Cancel an open order and release its reserved stock."""
    return build_resources(connection, [service.cancel_order(connection, _clean(ref), cause="api")])[0]


@router.post("/orders/{ref}/lines/{line_number}/cancel", tags=["orders"])
def cancel_line(
    ref: str,
    line_number: Annotated[int, Path(ge=1, le=100_000)],
    connection: Annotated[Connection, Depends(write_connection)],
    quantity: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    """Cancel all or part of one order line and re-route the rest of the order."""
    row = service.cancel_line(connection, _clean(ref), line_number, quantity=quantity, cause="api")
    return build_resources(connection, [row])[0]


@router.post("/orders/{ref}/reroute", tags=["orders"])
def reroute_order(ref: str, connection: Annotated[Connection, Depends(write_connection)]) -> dict[str, Any]:
    """Release an unshipped order's reservation and route it again."""
    return build_resources(connection, [service.reroute_order(connection, _clean(ref), cause="api")])[0]


@router.post("/orders/{ref}/release", tags=["orders"])
def release_hold(
    ref: str, body: HoldRelease, connection: Annotated[Connection, Depends(write_connection)]
) -> dict[str, Any]:
    """Release one hold reason after a person has checked the order. An order with no hold left is routed."""
    row = service.release_order_hold(connection, _clean(ref), body.reason, cause="api")
    return build_resources(connection, [row])[0]


@router.post("/orders/{ref}/hold", tags=["orders"])
def hold_order(
    ref: str,
    connection: Annotated[Connection, Depends(write_connection)],
    body: Annotated[ManualHold | None, Body()] = None,
) -> dict[str, Any]:
    """Put an open order on the manual hold and release its reserved stock. Releasing reason manual ends the hold."""
    note = body.note if body is not None else ""
    row = service.hold_order(connection, _clean(ref), note=note, cause="api")
    return build_resources(connection, [row])[0]


@router.post("/imports", status_code=201, tags=["imports"])
def upload_import(
    request: Request,
    file: Annotated[
        UploadFile,
        File(description="Order file: Shopify CSV/JSON, Amazon TSV, WooCommerce JSON, or the generic CSV template."),
    ],
    format: Annotated[str | None, Form(max_length=32)] = None,
    channel: Annotated[str | None, Form(max_length=64, pattern=r"^[^\x00]*$")] = None,
) -> dict[str, Any]:
    """Upload an order file and import it; the response is the per-row report."""
    from ordertower.channels.formats import read_orders
    from ordertower.orders.importing import import_orders

    filename = (file.filename or "upload").replace("\x00", "")[:200]
    data = file.file if file.file.seekable() else io.BytesIO(file.file.read())
    try:
        source = read_orders(data, filename=filename, format=format or None)
        report = import_orders(get_database(request), source, channel_code=channel or None, for_api=True)
    except csv.Error as error:
        raise UnreadableFileError(filename=filename, detail=str(error).rstrip("?.")) from error
    return {
        "id": report.import_id,
        "filename": filename,
        "format": report.format,
        "channel": report.channel,
        **report.to_dict(),
    }


@router.get("/imports", response_model=ImportPage, tags=["imports"])
def list_imports(
    connection: Annotated[Connection, Depends(read_connection)],
    limit: Annotated[int, Query(ge=1, le=IMPORT_PAGE.maximum)] = IMPORT_PAGE.default,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """List imports, newest first, with pagination."""
    return import_page(connection, limit=limit, offset=offset)


@router.get("/imports/{import_id}", tags=["imports"])
def get_import(
    import_id: Annotated[int, Path(ge=1, le=2**62)], connection: Annotated[Connection, Depends(read_connection)]
) -> dict[str, Any]:
    """Get one import with its per-row error report."""
    row = connection.execute(select(order_imports).where(order_imports.c.id == import_id)).first()
    if row is None:
        raise NotFoundError(entity="import", ref=str(import_id), command="imports list")
    return import_resource(row)


def _clean(ref: str) -> str:
    return ref.replace("\x00", "")[:128]
