"""Answers worked out in one spawned worker process, away from the live tables.

A what-if (app/rooms/whatif.py) and a balance report (app/web/balance_worker.py) are each
seconds of pure computation. On the event loop, or in a thread holding the interpreter's
lock, they would hold up every table for as long; so they run in a process of their own
(one: a trainer's laptop has two cores and the tables come first), started on first use.
The same question asked while it is being worked out waits for the same answer, the last
answers are kept (bounded), and a cap on questions in flight refuses more at once (`Busy`)
instead of letting them pile up behind each other.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

from app.rooms.lru import Lru

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

Answer = dict[str, Any]


class Busy(RuntimeError):
    """Too many questions are being worked out already."""


class Offloaded(Generic[K, R]):
    """`compute(request)` in the worker, its answers kept by `key(request)`."""

    def __init__(
        self,
        compute: Callable[[R], Answer],
        key: Callable[[R], K],
        kept: int,
        max_in_flight: int | None = None,
    ) -> None:
        self._compute = compute
        self._key = key
        self._answers: Lru[K, Answer] = Lru(kept)
        self._running: dict[K, asyncio.Future[Answer]] = {}
        self._max = max_in_flight
        self._pool: ProcessPoolExecutor | None = None

    def cached(self, key: K) -> Answer | None:
        return self._answers.get(key)

    async def run(self, request: R) -> Answer:
        """The answer for `request`: kept, being worked out for someone else, or new."""
        key = self._key(request)
        kept = self._answers.get(key)
        if kept is not None:
            return kept
        running = self._running.get(key)
        if running is None:
            if self._max is not None and len(self._running) >= self._max:
                raise Busy(f"{len(self._running)} are being worked out already")
            loop = asyncio.get_running_loop()
            running = asyncio.ensure_future(
                loop.run_in_executor(self._worker(), self._compute, request)
            )
            self._running[key] = running
            running.add_done_callback(lambda _f: self._running.pop(key, None))
        # Shielded: a client that goes away does not cancel what another one awaits.
        answer: Answer = await asyncio.shield(running)
        self._answers.put(key, answer)
        return answer

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the server has threads (the paced collector, the
            # database driver's) that a fork would copy mid-step.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
