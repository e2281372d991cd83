import gc

from ordertower.kernel.heap import COLLECT_EVERY_BATCHES, collected_between_batches


class _Node:
    """An object that can take part in a reference cycle."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _make_cycle() -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first


def _cycles_alive() -> int:
    return sum(1 for item in gc.get_objects() if isinstance(item, _Node))


def test_automatic_collection_is_off_inside_and_restored_after() -> None:
    assert gc.isenabled()

    with collected_between_batches("test job"):
        assert not gc.isenabled()

    assert gc.isenabled()


def test_cycles_collected_every_tenth_batch() -> None:
    gc.collect()

    with collected_between_batches("test job") as batch_done:
        for _ in range(COLLECT_EVERY_BATCHES - 1):
            _make_cycle()
            batch_done()
        assert _cycles_alive() == 2 * (COLLECT_EVERY_BATCHES - 1)

        _make_cycle()
        batch_done()
        assert _cycles_alive() == 0


def test_collection_is_restored_when_the_job_fails() -> None:
    try:
        with collected_between_batches("test job"):
            raise RuntimeError("batch failed")
    except RuntimeError:
        pass

    assert gc.isenabled()


def test_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with collected_between_batches("test job"):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
