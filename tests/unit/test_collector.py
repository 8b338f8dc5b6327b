"""The paced collector: automatic collection off while it runs, cycles still collected;
the full collection waits for an idle process, unless it has waited too long."""

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


# Short periods, so a test sees many ticks and idle windows in well under a second.
FAST = {"young_seconds": 0.01, "full_seconds": 0.05, "idle_seconds": 0.05}


@pytest.fixture
def collector() -> Iterator[PacedCollector]:
    paced = PacedCollector(**FAST)
    paced.start()
    yield paced
    paced.stop()


class Busy:
    """A thread spinning on the CPU until stopped: the process is under load meanwhile."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)

    def _spin(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1

    def __enter__(self) -> Busy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Ticks:
    """Counts the collector's young and full collections as they start."""

    def __init__(self) -> None:
        self.young = threading.Semaphore(0)
        self.full = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "start":
            return
        if info["generation"] == 0:
            self.young.release()
        else:
            self.full += 1

    def wait_young(self, count: int) -> None:
        for _ in range(count):
            assert self.young.acquire(timeout=10), "the collector stopped ticking"


@pytest.fixture
def ticks() -> Iterator[Ticks]:
    seen = Ticks()
    gc.callbacks.append(seen)
    yield seen
    gc.callbacks.remove(seen)


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


def _frozen_cycle(ticks: Ticks) -> threading.Event:
    """A cycle that has outlived a young collection (frozen), no longer referenced."""
    freed = threading.Event()
    kept = _cycle(freed)
    ticks.wait_young(2)  # a whole tick, its freeze included, ran after the cycle was made
    del kept
    return freed


def test_no_full_collection_while_the_process_is_busy_and_one_once_it_is_idle(
    ticks: Ticks,
) -> None:
    paced = PacedCollector(**{**FAST, "idle_seconds": 0.2})
    paced.start()
    try:
        with Busy():
            freed = _frozen_cycle(ticks)
            assert gc.get_freeze_count() > 0
            # Three idle windows and many full periods, all of them busy. (A window is long
            # enough that a busy thread on a crowded machine still gets its share of it.)
            ticks.wait_young(60)
            assert ticks.full == 0 and not paced.fulls
            assert not freed.is_set(), "a full collection ran under load"
        assert freed.wait(timeout=10), "the idle process never had its full collection"
    finally:
        paced.stop()
    assert paced.fulls[0].reason == "idle"
    assert paced.fulls[0].found >= 2


def test_a_process_busy_for_too_long_is_collected_anyway(ticks: Ticks) -> None:
    paced = PacedCollector(**FAST, full_max_seconds=0.3)
    paced.start()
    try:
        with Busy():
            freed = _frozen_cycle(ticks)
            assert freed.wait(timeout=10), "the overdue full collection never ran"
            assert paced.fulls[0].reason == "overdue"
    finally:
        paced.stop()
