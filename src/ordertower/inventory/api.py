"""REST endpoints of stock levels and the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from ordertower.inventory import service
from ordertower.inventory.model import LedgerReason, StockLevel
from ordertower.inventory.resource import ledger_page
from ordertower.kernel.paging import LEDGER_PAGE, MAX_OFFSET
from ordertower.kernel.schemas import Page
from ordertower.kernel.web import ERROR_RESPONSES, PathCode, read_connection, write_connection
from ordertower.orders.service import retry_backorders_for_sku

router = APIRouter(prefix="/api/v1", tags=["stock"], responses=ERROR_RESPONSES)

Code = Annotated[str, Query(max_length=128, pattern=r"^[^\x00]*$")]


class StockRow(BaseModel):
    sku: str
    location: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int


class LedgerEntry(BaseModel):
    """One change of on_hand or reserved at one stock level, with its reason."""

    id: int
    sku: str
    location: str
    on_hand_delta: int
    reserved_delta: int
    reason: str
    order_id: int | None = Field(description="Internal id of the order that caused the change.")
    order_number: str | None = Field(
        description="Our number of the order that caused the change, such as OT100123. "
        "Null when no order caused it, as for the reasons workspace, set and adjust.",
    )
    reference: str
    created_at: str


class LedgerPage(Page[LedgerEntry]):
    """One page of ledger entries, newest first."""


class StockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_hand: Annotated[int, Field(ge=0, le=1_000_000_000)]
    safety_stock: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None


class StockAdjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delta: Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
    reason: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]*$")] = "adjust"
    reference: Annotated[str, Field(max_length=255, pattern=r"^[^\x00]*$")] = ""


def _row(level: StockLevel) -> StockRow:
    return StockRow(
        sku=level.sku,
        location=level.location,
        on_hand=level.on_hand,
        reserved=level.reserved,
        safety_stock=level.safety_stock,
        available=level.available,
    )


@router.get("/stock", response_model=list[StockRow])
def list_stock(
    connection: Annotated[Connection, Depends(read_connection)],
    sku: Code | None = None,
    location: Code | None = None,
    all_levels: Annotated[
        bool,
        Query(
            alias="all",
            description="Also list levels whose on_hand, reserved and safety_stock are all 0. "
            "Routing creates those at every location for each product it routes.",
        ),
    ] = False,
) -> list[StockRow]:
    """List stock levels per SKU and location; available = on_hand - reserved - safety_stock."""
    levels = service.list_stock(connection, sku=sku, location=location, include_empty=all_levels)
    return [_row(level) for level in levels]


@router.put("/stock/{sku}/{location}", response_model=StockRow)
def set_stock(
    sku: PathCode, location: PathCode, body: StockSet, connection: Annotated[Connection, Depends(write_connection)]
) -> StockRow:
    """Set on_hand to a counted quantity (and optionally safety_stock); backorders are served at once."""
    before = service.available_units(connection, sku=sku, location=location)
    service.set_stock(
        connection,
        sku=sku,
        location=location,
        on_hand=body.on_hand,
        safety_stock=body.safety_stock,
        reason=LedgerReason.SET,
        reference="api",
    )
    after = service.available_units(connection, sku=sku, location=location)
    retry_backorders_for_sku(connection, sku, available_before=before, available_after=after)
    return _row(service.list_stock(connection, sku=sku, location=location)[0])


@router.post("/stock/{sku}/{location}/adjustments", response_model=StockRow)
def adjust_stock(
    sku: PathCode,
    location: PathCode,
    body: StockAdjustment,
    connection: Annotated[Connection, Depends(write_connection)],
) -> StockRow:
    """Add or remove units on hand with a reason; backorders are served at once."""
    before = service.available_units(connection, sku=sku, location=location)
    adjusted = service.adjust_stock(
        connection, sku=sku, location=location, delta=body.delta, reason=body.reason, reference=body.reference
    )
    retry_backorders_for_sku(connection, sku, available_before=before, available_after=adjusted.available)
    return _row(service.list_stock(connection, sku=sku, location=location)[0])


@router.get("/stock/ledger", response_model=LedgerPage)
def list_ledger(
    connection: Annotated[Connection, Depends(read_connection)],
    sku: Code | None = None,
    location: Code | None = None,
    limit: Annotated[int, Query(ge=1, le=LEDGER_PAGE.maximum)] = LEDGER_PAGE.default,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> LedgerPage:
    """List ledger entries, newest first: every change of on_hand and reserved with its reason."""
    return LedgerPage.model_validate(ledger_page(connection, sku=sku, location=location, limit=limit, offset=offset))
