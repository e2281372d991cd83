"""Import every area's tables so that the shared metadata contains the whole schema."""


def import_all_tables() -> None:
    import ordertower.catalog.tables
    import ordertower.customers.tables
    import ordertower.inventory.tables
    import ordertower.kernel.outbox
    import ordertower.orders.tables  # noqa: F401
