"""Garbage collection paced by the clock instead of by allocation counts.

CPython starts a young collection when allocations minus deallocations pass a threshold.
Under steady play every intent frees an old state as it builds a new one, so that count
hardly moves while the youngest generation grows to some 90,000 objects at 500 tables;
each collection then stopped every table for 50 to 130 ms, and the middle generation's
for up to 650 ms (bench/RESULTS.md, session 8). Collecting on a timer keeps each walk to
what was made since the last tick: a few ms.

What survives a young collection is frozen (`gc.freeze`, a splice of two lists, no
walk) instead of being walked again by middle collections: a middle walk of everything a
busy server made in the last ticks was half of the collector's time, and grew with a
backlog until the server could not catch up. Frozen objects still die by reference
counting; only a reference cycle that outlived its first tick waits, for the full
collection, which unfreezes everything and walks it.

That walk stops every table for about 1.2 s per million objects (in the 30-minute soak
at 300 busy tables: 2.3 and 3.4 s), so it waits for the server to be idle: no full
collection under load. So nothing the server does at the rate of play may make a cycle:
a closed websocket made two, inside uvicorn and websockets, and grew the heap by some
4 MB a minute at 300 busy tables until they were broken (app/web/protocols.py;
bench/RESULTS.md, "The soak"). Should a server be busy for FULL_MAX_SECONDS without a
break, it collects anyway, so that a cycle-making bug can never grow the heap without
bound.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

log = logging.getLogger("policymaker.collector")

# A young collection every YOUNG_SECONDS.
YOUNG_SECONDS = 0.1
# A full collection once the rest of the process has used under IDLE_SHARE of a core for
# IDLE_SECONDS, at most every FULL_SECONDS. An intent costs 0.07 to 0.25 % of a core per
# intent a second (docs/operations.md), so 2 % is some 10 to 30 intents a second: a few
# tables of people (one intent in ten seconds each) or a server between workshops, whose
# heap, and so the stop, is small.
FULL_SECONDS = 600.0
IDLE_SECONDS = 30.0
IDLE_SHARE = 0.02
# Never idle for this long: collect anyway (one stop in six hours of unbroken load).
FULL_MAX_SECONDS = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class Full:
    """One full collection: why, how many objects it walked and found unreachable, its ms."""

    reason: str  # "idle" or "overdue"
    walked: int
    found: int
    ms: float


class PacedCollector:
    """Turns automatic collection off and collects from a thread of its own until stopped."""

    def __init__(
        self,
        young_seconds: float = YOUNG_SECONDS,
        full_seconds: float = FULL_SECONDS,
        idle_seconds: float = IDLE_SECONDS,
        idle_share: float = IDLE_SHARE,
        full_max_seconds: float = FULL_MAX_SECONDS,
    ) -> None:
        self.young_seconds = young_seconds
        self.full_seconds = full_seconds
        self.idle_seconds = idle_seconds
        self.idle_share = idle_share
        self.full_max_seconds = full_max_seconds
        self.fulls: deque[Full] = deque(maxlen=64)  # the latest full collections
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._was_enabled = False  # automatic collection's state before `start`

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._thread = threading.Thread(target=self._run, name="gc-pacer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop collecting; what was frozen is collectable again, as before `start`."""
        self._stopping.set()
        if self._thread is None:
            return
        self._thread.join()
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    def _others_cpu(self) -> float:
        """CPU seconds the process has used outside this thread (call it from this thread):
        the collector's own walks say nothing about whether the server is busy."""
        return time.process_time() - time.thread_time()

    def _run(self) -> None:
        last_full = time.monotonic()
        window_start, window_cpu = last_full, self._others_cpu()
        idle = False
        while not self._stopping.wait(self.young_seconds):
            now = time.monotonic()
            if now - window_start >= self.idle_seconds:
                cpu = self._others_cpu()
                idle = (cpu - window_cpu) / (now - window_start) < self.idle_share
                window_start, window_cpu = now, cpu
            if now - last_full >= self.full_max_seconds:
                self._full("overdue")
            elif idle and now - last_full >= self.full_seconds:
                self._full("idle")
            else:
                gc.collect(0)
                gc.freeze()
                continue
            last_full = time.monotonic()
            idle = False  # the next full waits for a whole idle window after this one
            window_start, window_cpu = last_full, self._others_cpu()

    def _full(self, reason: str) -> None:
        walked = gc.get_freeze_count()  # and the few made since the last tick
        began = time.perf_counter()
        gc.unfreeze()
        found = gc.collect(2)
        gc.freeze()
        done = Full(reason, walked, found, round((time.perf_counter() - began) * 1000, 1))
        self.fulls.append(done)
        log.info(
            "full garbage collection",
            extra={"reason": reason, "walked": walked, "found": found, "ms": done.ms},
        )
