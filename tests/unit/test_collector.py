"""The paced collector: automatic collection off while it runs, cycles still collected."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from app.collector import PacedCollector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle(freed: threading.Event) -> Node:
    """Two nodes referring to each other; `freed` is set when the pair is collected."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    weakref.finalize(a, freed.set)
    return a


@pytest.fixture
def collector() -> Iterator[PacedCollector]:
    paced = PacedCollector(young_seconds=0.01, middle_every=3, full_seconds=0.05)
    paced.start()
    yield paced
    paced.stop()


def test_automatic_collection_is_off_while_running_and_restored_after() -> None:
    assert gc.isenabled()
    paced = PacedCollector(young_seconds=0.01)
    paced.start()
    assert not gc.isenabled()
    paced.stop()
    assert gc.isenabled()


def test_a_young_cycle_is_collected(collector: PacedCollector) -> None:
    freed = threading.Event()
    _cycle(freed)
    assert freed.wait(timeout=10), "the cycle was never collected"


def test_a_cycle_in_the_oldest_generation_is_collected(collector: PacedCollector) -> None:
    freed = threading.Event()
    kept = _cycle(freed)
    # Kept alive through a middle collection, the pair is in the oldest generation.
    gc.collect(1)
    del kept
    assert freed.wait(timeout=10), "the cycle was never collected"
