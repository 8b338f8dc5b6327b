"""One websocket's outgoing side: a bounded queue drained by its own task.

The room only ever puts frames on the queue and never waits on a socket, so one phone on
a bad network cannot stall its table. A connection whose queue overflows is closed: the
client reconnects and catches up from its last sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

SendText = Callable[[str], Coroutine[Any, Any, None]]
Close = Callable[[int, str], Coroutine[Any, Any, None]]

TOO_SLOW = 4008  # websocket close code: the client fell too far behind


class Connection:
    def __init__(
        self, seat: str | None, send: SendText, close: Close, limit: int, lang: str
    ) -> None:
        self.seat = seat
        self.lang = lang
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=limit)
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._drain())

    def offer(self, frame: str) -> None:
        """Queue a frame without waiting; an overflowing client is disconnected."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.closed = True
            self._closing = asyncio.create_task(
                self._close(TOO_SLOW, "too slow: reconnect and catch up")
            )

    async def _drain(self) -> None:
        while True:
            frame = await self._queue.get()
            if frame is None:
                return
            try:
                await self._send(frame)
            except Exception:  # the socket is gone; the receive loop will notice and clean up
                self.closed = True
                return

    async def stop(self) -> None:
        self.closed = True
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
