"""The loop-lag monitor: pauses past the threshold are reported with their length and the
collections that ran in them; shorter ones are not."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import mmap
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.logs import JsonFormatter
from app.looplag import LoopLag, Pause, log_pause

STALL = 0.1  # seconds the loop is held in these tests


class Seen:
    """The pauses a monitor reported, and an event for the next one."""

    def __init__(self) -> None:
        self.pauses: list[Pause] = []
        self.arrived = asyncio.Event()

    def __call__(self, pause: Pause) -> None:
        self.pauses.append(pause)
        self.arrived.set()

    async def next(self) -> Pause:
        await asyncio.wait_for(self.arrived.wait(), timeout=10)
        self.arrived.clear()
        return self.pauses[-1]


async def _ticked(monitor: LoopLag) -> None:
    """Let the monitor's task start waiting, so a stall falls inside one of its ticks."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_stall_is_reported_with_its_length_and_no_collection() -> None:
    seen = Seen()
    monitor = LoopLag(threshold=0.02, on_pause=seen)
    monitor.start()
    try:
        await _ticked(monitor)
        before = time.time()
        time.sleep(STALL)  # the stall under test: nothing else runs on the loop
        pause = await seen.next()
    finally:
        await monitor.stop()
    # Measured from the monitor's due time, so at most one tick short of the stall.
    assert STALL - monitor.tick - 0.005 <= pause.seconds <= STALL + 0.05
    assert before - monitor.tick <= pause.began <= before + 0.05
    assert pause.gc_generation is None and pause.gc_seconds == 0 and pause.gc_collected == 0


def _spin(seconds: float) -> None:
    """Compute (holding the GIL, in slices) for `seconds` of this thread's CPU time, so
    that a busy machine that runs it less makes the stall longer, not the CPU smaller."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def _stalled(stall: Callable[[], None]) -> Pause:
    seen = Seen()
    monitor = LoopLag(threshold=0.02, on_pause=seen)
    monitor.start()
    try:
        await _ticked(monitor)
        stall()
        return await seen.next()
    finally:
        await monitor.stop()


async def test_a_stall_spent_computing_on_the_loop_shows_as_the_loops_cpu() -> None:
    pause = await _stalled(lambda: _spin(STALL))
    # The CPU is counted from the wake-up before the stall: at most a tick more than it.
    assert pause.loop_cpu_seconds >= STALL * 0.5
    # Two clocks, accounted a little differently: equal to within a millisecond.
    assert pause.process_cpu_seconds >= pause.loop_cpu_seconds - 0.001


async def test_a_stall_spent_waiting_in_a_system_call_shows_no_cpu() -> None:
    """A write the kernel holds up, or a host that does not run the process, looks like
    this: the loop was held and nothing in the process computed."""
    pause = await _stalled(lambda: time.sleep(STALL))
    assert pause.seconds >= STALL - 0.015
    assert pause.process_cpu_seconds < STALL * 0.5


async def test_a_stall_spent_in_another_thread_shows_as_the_process_cpu_only() -> None:
    """Another thread holding the GIL (the paced collector's, SQLite's checkpointer) is CPU
    of the process, not of the loop's thread."""
    spun = threading.Event()

    def spin() -> None:
        _spin(STALL)
        spun.set()

    spinner = threading.Thread(target=spin)

    def stall() -> None:
        # The loop waits (the GIL let go) until the other thread has computed for STALL.
        spinner.start()
        spun.wait(10)

    pause = await _stalled(stall)
    spinner.join()
    assert pause.process_cpu_seconds - pause.loop_cpu_seconds >= STALL * 0.5
    assert pause.loop_cpu_seconds < STALL * 0.5


async def test_a_stall_spent_reading_pages_back_from_the_disk_counts_its_major_faults(
    tmp_path: Path,
) -> None:
    """What a host that pages out cold memory does to the loop: the thread touches a page
    the kernel dropped and waits for the disk. Here the pages are a file's, dropped from
    the page cache before the loop touches them through a mapping."""
    pages = 64
    size = pages * mmap.PAGESIZE
    path = tmp_path / "cold"
    with path.open("wb") as out:
        out.write(os.urandom(size))
        out.flush()
        os.fsync(out.fileno())  # clean pages can be dropped
    with path.open("rb") as file:
        os.posix_fadvise(file.fileno(), 0, size, os.POSIX_FADV_DONTNEED)
        with mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ) as cold:

            def touch() -> None:
                for page in range(pages):
                    cold[page * mmap.PAGESIZE]  # the read is the point
                time.sleep(STALL)  # long enough to be a pause whatever the disk's speed

            pause = await _stalled(touch)
    assert pause.major_faults >= 1


async def test_a_stall_shorter_than_the_threshold_is_not_reported() -> None:
    seen = Seen()
    monitor = LoopLag(threshold=0.05, on_pause=seen)
    monitor.start()
    try:
        await _ticked(monitor)
        time.sleep(0.005)
        # Several ticks pass freely between the two stalls.
        for _ in range(5):
            await asyncio.sleep(monitor.tick)
        time.sleep(STALL)
        pause = await seen.next()
    finally:
        await monitor.stop()
    assert len(seen.pauses) == 1
    assert pause.seconds >= STALL - monitor.tick - 0.005


async def test_a_collection_inside_a_pause_is_named_with_its_time() -> None:
    seen = Seen()
    monitor = LoopLag(threshold=0.02, on_pause=seen)

    def slow(phase: str, info: dict[str, Any]) -> None:
        # Installed after the monitor's own callback: its start is noted before this
        # stretches the collection to STALL seconds.
        if phase == "start":
            time.sleep(STALL)

    monitor.start()
    gc.callbacks.append(slow)
    try:
        await _ticked(monitor)
        gc.collect(2)
        gc.callbacks.remove(slow)
        pause = await seen.next()
    finally:
        if slow in gc.callbacks:
            gc.callbacks.remove(slow)
        await monitor.stop()
    assert pause.gc_generation == 2
    assert STALL - 0.005 <= pause.gc_seconds <= pause.seconds + monitor.tick


class Tracked:
    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n


async def test_a_collection_in_another_thread_is_named_though_it_ends_after_the_loop_wakes() -> (
    None
):
    """The collector's thread hands the GIL back as soon as its "stop" callback runs
    Python, before the monitor's callback has noted the end: the pause still names it."""
    seen = Seen()
    monitor = LoopLag(threshold=0.02, on_pause=seen)
    was_enabled = gc.isenabled()
    gc.disable()
    # A heap whose full walk holds the GIL well past the threshold on any machine.
    heap = [Tracked(i) for i in range(1_000_000)]
    gc.freeze()
    monitor.start()
    walker = threading.Thread(target=lambda: (gc.unfreeze(), gc.collect(2)))
    try:
        await _ticked(monitor)
        walker.start()
        pause = await seen.next()
    finally:
        walker.join()
        await monitor.stop()
        del heap
        if was_enabled:
            gc.enable()
    assert pause.gc_generation == 2
    assert pause.gc_seconds >= monitor.threshold


async def test_stop_removes_the_collection_callback() -> None:
    monitor = LoopLag(threshold=0.02, on_pause=Seen())
    monitor.start()
    assert monitor.collections._note in gc.callbacks
    await monitor.stop()
    assert monitor.collections._note not in gc.callbacks


async def test_the_setting_zero_turns_it_off_and_a_threshold_starts_it() -> None:
    assert LoopLag.from_setting(0) is None
    monitor = LoopLag.from_setting(25)
    assert monitor is not None
    try:
        assert monitor.threshold == pytest.approx(0.025)
    finally:
        await monitor.stop()


def test_a_pause_is_logged_as_one_json_line_with_its_figures() -> None:
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonFormatter().format(record))

    logger = logging.getLogger("policymaker.looplag")
    handler = Capture()
    logger.addHandler(handler)
    try:
        pause = Pause(
            began=1700000000.25,
            seconds=0.1234,
            gc_seconds=0.1,
            gc_generation=2,
            gc_collected=7,
            loop_cpu_seconds=0.0201,
            process_cpu_seconds=0.125,
            major_faults=3,
        )
        log_pause(pause)
    finally:
        logger.removeHandler(handler)
    line = json.loads(lines[-1])
    assert line["msg"] == "event loop paused"
    assert line["pause_ms"] == 123.4
    assert line["began"] == 1700000000.25
    assert line["gc_ms"] == 100.0
    assert line["gc_generation"] == 2
    assert line["gc_collected"] == 7
    assert line["loop_cpu_ms"] == 20.1
    assert line["process_cpu_ms"] == 125.0
    assert line["major_faults"] == 3


def test_a_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LoopLag(threshold=0)
