"""Route open orders and reserve their stock, many orders per transaction.

A batch first locks the stock rows of every product it needs. Then it routes
each order in turn against the locked figures, so each decision lowers what
the next order may take. It reserves the sums in one conditional UPDATE and
writes shipments, allocations, statuses and events with bulk statements.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, bindparam, func, select, update

from ordertower.catalog.snapshot import CatalogSnapshot
from ordertower.inventory import service as inventory
from ordertower.kernel.bulk import append_rows, insert_rows
from ordertower.kernel.db import utc_now
from ordertower.orders.model import OrderStatus
from ordertower.orders.tables import allocations, order_events, orders, shipments
from ordertower.routing.geo import Coordinates
from ordertower.routing.model import DemandLine, LocationCandidate, RoutingDecision
from ordertower.routing.rules import plan_fulfillment

logger = logging.getLogger(__name__)


@dataclass
class OrderWork:
    """An order that routing should try to fill, with the open units of each line."""

    order_id: int
    number: str
    status: OrderStatus
    destination: Coordinates | None
    # (order_line_id, product_id, open quantity); product may be a bundle
    lines: list[tuple[int, int, int]] = field(default_factory=list)
    cause: str = "import"


@dataclass
class AllocationOutcome:
    status: OrderStatus
    decision: RoutingDecision


@dataclass
class RoutingPlan:
    """Routing decisions of a batch that are not written yet, and the stock they take."""

    outcomes: dict[int, AllocationOutcome] = field(default_factory=dict)
    reservations: list[inventory.ReservationRequest] = field(default_factory=list)
    allocation_rows: list[dict[str, Any]] = field(default_factory=list)
    # Available units per (product id, location id) once every order of the plan has taken its share.
    remaining: dict[tuple[int, int], int] = field(default_factory=dict)


def open_units_by_location(connection: Connection) -> dict[int, int]:
    """Sum the units allocated to shipments that have not left, per location id, for the balance rule."""
    rows = connection.execute(
        select(shipments.c.location_id, func.sum(allocations.c.quantity))
        .join(allocations, allocations.c.shipment_id == shipments.c.id)
        .where(shipments.c.status == "pending")
        .group_by(shipments.c.location_id)
    )
    return {location_id: int(total) for location_id, total in rows}


def allocate_orders(
    connection: Connection,
    works: Sequence[OrderWork],
    catalog: CatalogSnapshot,
    open_units: dict[int, int] | None = None,
) -> dict[int, AllocationOutcome]:
    """Route and reserve every order in `works`; returns the outcome per order id.

    `open_units` contains the units allocated to unshipped orders per location id.
    When it is not given, it is read from the database. An import passes one
    dict for all its batches, and this function adds what it allocates to it.
    """
    plan = route_orders(connection, works, catalog, open_units)
    apply_routing(connection, works, plan, catalog)
    return plan.outcomes


def route_orders(
    connection: Connection,
    works: Sequence[OrderWork],
    catalog: CatalogSnapshot,
    open_units: dict[int, int] | None = None,
) -> RoutingPlan:
    """Lock the stock `works` needs and route each order in turn; nothing is written yet.

    The orders need not be stored: an import routes new orders before it
    inserts them, so each order row is written once with its final status.
    """
    if not works:
        return RoutingPlan()
    available = lock_stock(connection, works, catalog)
    if open_units is None:
        open_units = open_units_by_location(connection)
    return plan_routes(works, catalog, available, open_units)


def stocked_products(works: Sequence[OrderWork], catalog: CatalogSnapshot) -> set[int]:
    """Return the ids of the products whose stock `works` draws on: bundles count as their components."""
    return {
        stocked
        for work in works
        for _, product, qty in work.lines
        for stocked, _ in catalog.stocked_units(product, qty)
    }


def lock_stock(
    connection: Connection, works: Sequence[OrderWork], catalog: CatalogSnapshot
) -> dict[tuple[int, int], int]:
    """Create missing stock rows of the products `works` needs, lock them and return available units by
    (product id, location id)."""
    needed = stocked_products(works, catalog)
    locked = inventory.lock_available(connection, needed)
    required = [(product, location) for product in needed for location in catalog.locations]
    # Rows are missing only the first time a product is routed to a location, so the usual batch locks once.
    if any(pair not in locked for pair in required):
        inventory.ensure_levels(connection, required)
        locked = inventory.lock_available(connection, needed)
    return locked


def plan_routes(
    works: Sequence[OrderWork],
    catalog: CatalogSnapshot,
    available_by_id: Mapping[tuple[int, int], int],
    open_units: dict[int, int],
) -> RoutingPlan:
    """Route each order of `works` in turn against `available_by_id`; each decision lowers what the next may take.

    Adds the allocated units to `open_units`. `RoutingPlan.remaining` contains the
    available units left after the last order.
    """
    plan = RoutingPlan()
    available: dict[tuple[str, str], int] = {
        (catalog.products[product].sku, catalog.locations[location].code): units
        for (product, location), units in available_by_id.items()
        if location in catalog.locations
    }
    location_ids = {info.code: location_id for location_id, info in catalog.locations.items()}
    # Built once per batch. An allocation replaces only the candidate of the location it adds units to.
    candidates = [
        LocationCandidate(info.code, info.coordinates, info.rank, info.daily_capacity, open_units.get(location_id, 0))
        for location_id, info in catalog.locations.items()
    ]
    positions = {candidate.code: position for position, candidate in enumerate(candidates)}
    rules = list(catalog.routing.get("rules", ["fewest_splits", "closest", "rank"]))
    allow_split = bool(catalog.routing.get("allow_split", True))

    for work in works:
        demand = [
            DemandLine((line_id, stocked), catalog.products[stocked].sku, units)
            for line_id, product, quantity in work.lines
            for stocked, units in catalog.stocked_units(product, quantity)
            if units > 0
        ]
        decision = plan_fulfillment(
            lines=demand,
            available=available,
            locations=candidates,
            destination=work.destination,
            rules=rules,
            allow_split=allow_split,
        )
        added: dict[str, int] = {}
        for allocation in decision.allocations:
            available[(allocation.sku, allocation.location)] -= allocation.quantity
            added[allocation.location] = added.get(allocation.location, 0) + allocation.quantity
            line_id, product_id = cast(tuple[int, int], allocation.line_key)
            location_id = location_ids[allocation.location]
            open_units[location_id] = open_units.get(location_id, 0) + allocation.quantity
            plan.reservations.append(
                inventory.ReservationRequest(product_id, location_id, allocation.quantity, work.order_id)
            )
            plan.allocation_rows.append(
                {
                    "order_id": work.order_id,
                    "order_line_id": line_id,
                    "product_id": product_id,
                    "location_id": location_id,
                    "quantity": allocation.quantity,
                }
            )
        for code, units in added.items():
            loaded = candidates[positions[code]]
            candidates[positions[code]] = LocationCandidate(
                code, loaded.coordinates, loaded.rank, loaded.daily_capacity, loaded.open_units + units
            )
        status = OrderStatus.ALLOCATED if decision.fully_allocated else OrderStatus.BACKORDERED
        # Routing keys shortages by our internal line key; operators need the SKU.
        decision.record["shortages"] = _shortages_by_sku(decision, catalog)
        plan.outcomes[work.order_id] = AllocationOutcome(status, decision)

    plan.remaining = {
        (catalog.product_ids_by_sku[sku], location_ids[code]): units for (sku, code), units in available.items()
    }
    return plan


def apply_routing(
    connection: Connection,
    works: Sequence[OrderWork],
    plan: RoutingPlan,
    catalog: CatalogSnapshot,
    *,
    inserted: Collection[int] = (),
) -> None:
    """Reserve the stock of `plan`, write its shipments and allocations, and record each order's new status.

    Orders whose ids are in `inserted` were inserted with their routed status,
    so only their routing event is written here.
    """
    if not works:
        return
    inventory.reserve(
        connection,
        plan.reservations,
        sku_names={p.id: p.sku for p in catalog.products.values()},
        location_codes={loc.id: loc.code for loc in catalog.locations.values()},
    )
    _write_shipments(connection, plan.allocation_rows)
    _write_outcomes(connection, works, plan.outcomes, inserted)


def _shortages_by_sku(decision: RoutingDecision, catalog: CatalogSnapshot) -> dict[str, int]:
    shortages: dict[str, int] = {}
    for line_key, units in decision.shortages.items():
        _, product_id = cast(tuple[int, int], line_key)
        sku = catalog.products[product_id].sku
        shortages[sku] = shortages.get(sku, 0) + units
    return dict(sorted(shortages.items()))


def _write_shipments(connection: Connection, allocation_rows: list[dict[str, Any]]) -> None:
    if not allocation_rows:
        return
    pairs = sorted({(row["order_id"], row["location_id"]) for row in allocation_rows})
    now = utc_now()
    shipment_rows = [
        {"order_id": order_id, "location_id": location_id, "status": "pending", "created_at": now}
        for order_id, location_id in pairs
    ]
    ids = insert_rows(connection, shipments, shipment_rows, key=("order_id", "location_id"))
    shipment_ids = dict(zip(pairs, ids, strict=True))
    for row in allocation_rows:
        row["shipment_id"] = shipment_ids[(row["order_id"], row["location_id"])]
    append_rows(connection, allocations, allocation_rows)


def _write_outcomes(
    connection: Connection,
    works: Sequence[OrderWork],
    outcomes: dict[int, AllocationOutcome],
    inserted: Collection[int],
) -> None:
    now = utc_now()
    stored = [work for work in works if work.order_id not in inserted]
    if stored:
        connection.execute(
            update(orders)
            .where(orders.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), routing=bindparam("b_routing"), updated_at=bindparam("b_now")),
            [
                {
                    "b_id": work.order_id,
                    "b_status": outcomes[work.order_id].status.value,
                    "b_routing": outcomes[work.order_id].decision.record,
                    "b_now": now,
                }
                for work in stored
            ],
        )
    events = []
    for work in works:
        outcome = outcomes[work.order_id]
        events.append(
            {
                "order_id": work.order_id,
                "kind": "routed",
                "from_status": work.status.value,
                "to_status": outcome.status.value,
                "cause": work.cause,
                "created_at": now,
                "data": {
                    "winner": outcome.decision.record["winner"],
                    "shortages": outcome.decision.record["shortages"],
                },
            }
        )
    append_rows(connection, order_events, events)
    logger.debug("routed %d orders", len(works))


def release_order_allocations(
    connection: Connection, order_ids: Sequence[int], *, line_ids: Sequence[int] | None = None
) -> int:
    """Release the reservations of these orders (or only of these lines) and delete their pending shipments."""
    if not order_ids:
        return 0
    query = select(
        allocations.c.id,
        allocations.c.order_id,
        allocations.c.product_id,
        allocations.c.location_id,
        allocations.c.quantity,
        allocations.c.shipment_id,
    ).where(allocations.c.order_id.in_(order_ids))
    if line_ids is not None:
        query = query.where(allocations.c.order_line_id.in_(line_ids))
    rows = connection.execute(query).all()
    if not rows:
        return 0

    inventory.release(
        connection,
        [inventory.ReservationRequest(row.product_id, row.location_id, row.quantity, row.order_id) for row in rows],
    )
    connection.execute(allocations.delete().where(allocations.c.id.in_([row.id for row in rows])))
    emptied = {row.shipment_id for row in rows}
    still_used = set(
        connection.scalars(
            select(allocations.c.shipment_id).where(
                allocations.c.order_id.in_(order_ids), allocations.c.shipment_id.in_(emptied)
            )
        ).all()
    )
    connection.execute(shipments.delete().where(shipments.c.id.in_(emptied - still_used)))
    return sum(row.quantity for row in rows)
