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
backlog until the server could not catch up. Cycles that outlive one tick wait for the
full collection, which unfreezes everything; neither steady play nor a closed websocket
makes any (bench/RESULTS.md, session 9), so little waits.
"""

from __future__ import annotations

import gc
import threading

# A young collection every YOUNG_SECONDS, everything every FULL_SECONDS: a full walk
# stops the server for about 0.9 s per million objects (some 700 busy tables).
YOUNG_SECONDS = 0.1
FULL_SECONDS = 600.0


class PacedCollector:
    """Turns automatic collection off and collects from a thread of its own until stopped."""

    def __init__(
        self, young_seconds: float = YOUNG_SECONDS, full_seconds: float = FULL_SECONDS
    ) -> None:
        self.young_seconds = young_seconds
        self.full_every = max(1, round(full_seconds / young_seconds))
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

    def _run(self) -> None:
        tick = 0
        while not self._stopping.wait(self.young_seconds):
            tick += 1
            if tick % self.full_every == 0:
                gc.unfreeze()
                gc.collect(2)
            else:
                gc.collect(0)
            gc.freeze()
