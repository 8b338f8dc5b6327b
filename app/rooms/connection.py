"""One websocket's outgoing side: frames written at once, or a bounded queue and a task.

The room only ever offers frames and never waits on a socket, so one phone on a bad
network cannot stall its table. Where the server lets us (app/web/rawsend.py), a frame is
written to the socket's transport as it is offered, and the bytes the transport holds for
the client are the bound; elsewhere frames wait in a queue that the connection's own task
sends through ASGI. A connection past its bound is closed: the client reconnects and
catches up from its last sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

SendText = Callable[[str], Coroutine[Any, Any, None]]
Close = Callable[[int, str], Coroutine[Any, Any, None]]

TOO_SLOW = 4008  # websocket close code: the client fell too far behind
GONE = 4410  # websocket close code: the table no longer exists (its workshop was deleted)
# How long a closing connection may take to send its last frame before it is dropped.
FINISH_SECONDS = 5.0
# A written connection's bound, per frame of the queue's: an update averages about a
# kilobyte, a welcome some tens, so a client this far behind has stopped reading.
BYTES_PER_FRAME = 4096


class SocketWriter(Protocol):
    """Writes frames straight to a socket (app/web/rawsend.py): never waits."""

    def write(self, text: str) -> None: ...

    def backlog(self) -> int: ...

    def abort(self) -> None: ...


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
        writer: SocketWriter | None = None,
    ) -> None:
        self.seat = seat
        self.lang = lang
        # The protocol version the client said hello in (app/rooms/room.py PROTOCOL_VERSION).
        self.version = version
        self._send = send
        self._close = close
        self._writer = writer
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

    @property
    def direct(self) -> bool:
        """Whether frames are written to the socket as they are offered."""
        return self._writer is not None

    def start(self) -> None:
        if self._writer is None:
            self._task = asyncio.create_task(self._drain())

    def offer(self, frame: str) -> None:
        """Send or queue a frame without waiting; a client too far behind is disconnected."""
        if self.closed:
            return
        writer = self._writer
        if writer is not None:
            if writer.backlog() > self._limit * BYTES_PER_FRAME:
                self._too_slow()
                return
            try:
                writer.write(frame)
            except Exception:  # the socket is gone; the receive loop will notice and clean up
                self.closed = True
            return
        try:
            self._put(frame)
        except asyncio.QueueFull:
            self._too_slow()

    def _too_slow(self) -> None:
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
        if self._writer is not None:
            await self._finish_written(frame, code, reason)
            return
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

    async def _finish_written(self, frame: str, code: int, reason: str) -> None:
        assert self._writer is not None
        if self.closed:
            return
        self.offer(frame)
        if self.closed:  # too far behind, or gone: offer has seen to it
            return
        self.closed = True
        try:
            # The close frame waits behind the last frame until the client has read it.
            await asyncio.wait_for(self._close(code, reason), FINISH_SECONDS)
        except TimeoutError:
            self._writer.abort()
        except Exception:  # the socket went meanwhile
            return

    async def stop(self) -> None:
        self.closed = True
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.QueueFull):
                self._put(None)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
