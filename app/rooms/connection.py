"""One websocket's outgoing side: a bounded queue drained by its own task.

The room only ever puts frames on the queue and never waits on a socket, so one phone on
a bad network cannot stall its table. A connection whose queue overflows is closed: the
client reconnects and catches up from its last sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

SendText = Callable[[str], Coroutine[Any, Any, None]]
Close = Callable[[int, str], Coroutine[Any, Any, None]]

TOO_SLOW = 4008  # websocket close code: the client fell too far behind
GONE = 4410  # websocket close code: the table no longer exists (its workshop was deleted)
# How long a closing connection may take to send its last frame before it is dropped.
FINISH_SECONDS = 5.0


class _Closing:
    """The queue's last item: close the socket with this code once the frames before it are sent."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class Connection:
    def __init__(
        self,
        seat: str | None,
        send: SendText,
        close: Close,
        limit: int,
        lang: str,
        version: int = 3,
    ) -> None:
        self.seat = seat
        self.lang = lang
        # The protocol version the client said hello in (app/rooms/room.py PROTOCOL_VERSION).
        self.version = version
        self._send = send
        self._close = close
        # A deque and one waiter rather than an asyncio.Queue: every frame of every seat
        # passes here, and the Queue's layers (and the process id it checks whenever its
        # reader waits) were a few per cent of the server's time under load.
        self._frames: deque[str | _Closing | None] = deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.closed = False
        # The views this client holds (its welcome, patched by every update since): the
        # room sends it only what differs from them. Frames are never dropped, only the
        # whole connection, so what we sent is what it has.
        self.held_public: dict[str, Any] | None = None
        self.held_private: dict[str, Any] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._drain())

    def offer(self, frame: str) -> None:
        """Queue a frame without waiting; an overflowing client is disconnected."""
        if self.closed:
            return
        try:
            self._put(frame)
        except asyncio.QueueFull:
            self.closed = True
            self._closing = asyncio.create_task(
                self._close(TOO_SLOW, "too slow: reconnect and catch up")
            )

    def _put(self, item: str | _Closing | None) -> None:
        if len(self._frames) >= self._limit:
            raise asyncio.QueueFull
        self._frames.append(item)
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        frames = self._frames
        while True:
            while not frames:
                self._waiter = loop.create_future()
                await self._waiter
            frame = frames.popleft()
            if frame is None:
                return
            try:
                if isinstance(frame, _Closing):
                    self.closed = True
                    await self._close(frame.code, frame.reason)
                    return
                await self._send(frame)
            except Exception:  # the socket is gone; the receive loop will notice and clean up
                self.closed = True
                return

    async def finish(self, frame: str, code: int, reason: str) -> None:
        """Send a last frame, then close the socket with `code`: the table is going away.

        The frame goes behind those already queued, so the client reads it last; a client
        too slow to take it within FINISH_SECONDS is dropped all the same.
        """
        if self.closed or self._task is None:
            return
        self.closed = True  # nothing the room offers from now on is queued
        try:
            self._put(frame)
            self._put(_Closing(code, reason))
        except asyncio.QueueFull:
            # Too far behind to read a last frame: close at once.
            await self.stop()
            with contextlib.suppress(Exception):
                await self._close(code, reason)
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), FINISH_SECONDS)
        except asyncio.CancelledError:
            if not self._task.cancelled():  # we are cancelled, not the drain (stopped meanwhile)
                raise
        except TimeoutError:
            await self.stop()
            with contextlib.suppress(Exception):
                await self._close(code, reason)

    async def stop(self) -> None:
        self.closed = True
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.QueueFull):
                self._put(None)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
