"""Pauses of the server's event loop, each logged as it ends, with the collections in it.

Every table's intents, timers and frames run on one event loop; while anything holds it
(a long callback, another thread holding the GIL such as the paced collector's, or the
host not running the process) every table waits. A task here asks to wake every
TICK_SECONDS and measures how late it woke: a wake-up `late` seconds after its time means
the loop ran nothing else for at least that long. Lateness past the threshold is logged
(`policymaker.looplag`, one JSON line: its length, when it began, and how much of it
garbage collections ran, from `gc.callbacks`), so an operator can turn it on in
production (LOOP_LAG_MS) and the soak (bench/soak.py) reads the same lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import resource
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("policymaker.looplag")

# Small enough that a pause is measured to within this, large enough to cost nothing
# (100 wake-ups a second, a few microseconds each).
TICK_SECONDS = 0.01
# The loop's own thread where the platform can tell threads apart (Linux), else the process.
_RUSAGE_LOOP = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)
# Collections remembered for matching with pauses: far more than happen between two
# wake-ups of the monitor (the paced collector makes ten a second).
_KEPT_COLLECTIONS = 4096


@dataclass(frozen=True, slots=True)
class Collection:
    """One garbage collection, timed on the perf_counter clock."""

    began: float
    ended: float
    generation: int
    collected: int


@dataclass(frozen=True, slots=True)
class Pause:
    """The loop ran nothing for at least `seconds`, from `began` (Unix time)."""

    began: float
    seconds: float
    gc_seconds: float  # how much of the pause collections ran
    gc_generation: int | None  # the oldest generation collected in it, None if none
    gc_collected: int  # unreachable objects those collections found
    # CPU time from the wake-up before the pause to its end (one tick more than the
    # pause): the loop's own thread's, and the whole process's. Near the pause's length
    # in the loop's thread: the loop was busy with its own work. Spent in the process's
    # other threads: they held the GIL. Neither: the thread waited in a system call
    # (a write the kernel held up) or the host did not run it.
    loop_cpu_seconds: float
    process_cpu_seconds: float
    # Page faults of the loop's thread in the same span that had to read from the disk (the
    # kernel had dropped the page: memory pressure, or a host that pages out cold memory).
    # Each is a wait in which the thread cannot run, so a pause with few CPU ms and some of
    # these was the disk's.
    major_faults: int


class CollectionTimes:
    """Every collection's start and end, from `gc.callbacks`, in whichever thread it ran."""

    def __init__(self) -> None:
        self._done: deque[Collection] = deque(maxlen=_KEPT_COLLECTIONS)
        self._begun: dict[int, tuple[float, int]] = {}  # thread id -> (start, generation)

    def install(self) -> None:
        gc.callbacks.append(self._note)

    def remove(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        thread = threading.get_ident()
        if phase == "start":
            self._begun[thread] = (now, int(info["generation"]))
            return
        begun = self._begun.pop(thread, None)
        if begun is not None:
            self._done.append(Collection(begun[0], now, begun[1], int(info["collected"])))

    def running(self) -> bool:
        """Whether a collection has begun and not ended (in another thread)."""
        return bool(self._begun)

    def within(self, start: float, end: float) -> list[Collection]:
        """The collections that overlap [start, end] (perf_counter); one still running
        counts as running until `end`, its unreachable objects unknown (0)."""
        done = [c for c in list(self._done) if c.ended >= start and c.began <= end]
        running = [
            Collection(began, end, generation, 0)
            for began, generation in list(self._begun.values())
            if began <= end
        ]
        return done + running


class LoopLag:
    """Watches the running event loop; `on_pause` gets every pause longer than `threshold`."""

    def __init__(
        self,
        threshold: float,
        tick: float = TICK_SECONDS,
        on_pause: Callable[[Pause], None] | None = None,
    ) -> None:
        if threshold <= 0 or tick <= 0:
            raise ValueError("threshold and tick must be positive")
        self.threshold = threshold
        self.tick = tick
        self.on_pause = on_pause or log_pause
        self.collections = CollectionTimes()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_setting(cls, threshold_ms: float) -> LoopLag | None:
        """Started on the running loop for a threshold in ms; None when it is 0 (off)."""
        if threshold_ms <= 0:
            return None
        monitor = cls(threshold_ms / 1000)
        monitor.start()
        return monitor

    def start(self) -> None:
        self.collections.install()
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.collections.remove()

    async def _watch(self) -> None:
        # perf_counter, not loop.time(): uvloop's is cached per iteration, to the ms.
        used = _Usage.now()
        while True:
            due = time.perf_counter() + self.tick
            await asyncio.sleep(self.tick)  # the pacing being measured
            ended = time.perf_counter()
            late = ended - due
            before, used = used, _Usage.now()
            if late > self.threshold:
                if self.collections.running():
                    # A collection in another thread gives the GIL up as soon as its "stop"
                    # callback runs Python, before the callback has noted its end: let it.
                    await asyncio.sleep(self.tick)
                self.on_pause(self._pause(late, ended, used, before))

    def _pause(self, late: float, ended: float, used: _Usage, before: _Usage) -> Pause:
        began = ended - late
        ran = self.collections.within(began, ended)
        gc_seconds = sum(min(c.ended, ended) - max(c.began, began) for c in ran)
        return Pause(
            began=time.time() - late,
            seconds=late,
            gc_seconds=max(0.0, gc_seconds),
            gc_generation=max((c.generation for c in ran), default=None),
            gc_collected=sum(c.collected for c in ran),
            loop_cpu_seconds=used.loop_cpu - before.loop_cpu,
            process_cpu_seconds=used.process_cpu - before.process_cpu,
            major_faults=used.major_faults - before.major_faults,
        )


@dataclass(frozen=True, slots=True)
class _Usage:
    """The counters a pause is told by, read at one wake-up of the monitor."""

    loop_cpu: float  # the loop's thread's CPU seconds
    process_cpu: float  # the whole process's
    major_faults: int  # the loop's thread's page faults that read from the disk

    @classmethod
    def now(cls) -> _Usage:
        return cls(
            time.thread_time(),
            time.process_time(),
            resource.getrusage(_RUSAGE_LOOP).ru_majflt,
        )


def log_pause(pause: Pause) -> None:
    log.warning(
        "event loop paused",
        extra={
            "pause_ms": round(pause.seconds * 1000, 1),
            "began": round(pause.began, 3),
            "gc_ms": round(pause.gc_seconds * 1000, 1),
            "gc_generation": pause.gc_generation,
            "gc_collected": pause.gc_collected,
            "loop_cpu_ms": round(pause.loop_cpu_seconds * 1000, 1),
            "process_cpu_ms": round(pause.process_cpu_seconds * 1000, 1),
            "major_faults": pause.major_faults,
        },
    )
