"""The paced collector: automatic collection off while it runs, cycles still collected."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

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
    paced = PacedCollector(young_seconds=0.01, full_seconds=0.05)
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


def test_a_cycle_that_outlived_a_young_collection_is_collected(
    collector: PacedCollector,
) -> None:
    freed = threading.Event()
    kept = _cycle(freed)
    begun = threading.Semaphore(0)

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 0:
            begun.release()

    gc.callbacks.append(note)
    try:
        # Between the starts of two young collections one whole tick ran: a collection
        # and the freeze after it, which takes the pair out of every young walk.
        assert begun.acquire(timeout=10) and begun.acquire(timeout=10)
    finally:
        gc.callbacks.remove(note)
    assert gc.get_freeze_count() > 0
    del kept
    assert freed.wait(timeout=10), "the frozen cycle was never collected"
