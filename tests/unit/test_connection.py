"""One websocket's outgoing side (app/rooms/connection.py): frames go out in order, a client
that stops reading is closed with 4008 once its queue is full, and a table going away
sends its last frame behind those already queued.

The socket is the test: its sends can be held back, as a phone on a bad network does.
"""

from __future__ import annotations

import asyncio

import pytest

from app.rooms.connection import GONE, TOO_SLOW, Connection


class HeldSocket:
    """A socket whose sends wait until the test lets them through."""

    def __init__(self, flowing: bool = True) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self.flowing = asyncio.Event()
        if flowing:
            self.flowing.set()
        self.changed = asyncio.Event()

    async def send(self, text: str) -> None:
        await self.flowing.wait()
        self.sent.append(text)
        self.changed.set()

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
        self.changed.set()

    async def until(self, done: bool | None = None, sent: int | None = None) -> None:
        """Wait until `sent` frames are out, or the socket is closed (failing after 5 s)."""
        async with asyncio.timeout(5):
            while not ((sent is not None and len(self.sent) >= sent) or (done and self.closed)):
                self.changed.clear()
                await self.changed.wait()


async def test_frames_go_out_in_the_order_they_were_offered() -> None:
    socket = HeldSocket()
    conn = Connection("s1", socket.send, socket.close, 8, "en")
    conn.start()

    for n in range(20):  # more than the limit in all, never more than it at once
        conn.offer(f"f{n}")
        await socket.until(sent=n + 1)

    assert socket.sent == [f"f{n}" for n in range(20)]
    assert socket.closed is None and not conn.closed
    await conn.stop()


async def test_a_client_that_stops_reading_is_closed_as_too_slow_and_others_go_on() -> None:
    stuck, fine = HeldSocket(flowing=False), HeldSocket()
    slow = Connection("s1", stuck.send, stuck.close, 4, "en")
    fast = Connection("s2", fine.send, fine.close, 4, "en")
    slow.start()
    fast.start()

    # The first frame is taken by the send that hangs; four more fill the queue.
    for n in range(5):
        slow.offer(f"f{n}")
        fast.offer(f"f{n}")
        await fine.until(sent=n + 1)
    assert not slow.closed and stuck.closed is None

    slow.offer("f5")  # one too many
    fast.offer("f5")
    await stuck.until(done=True)

    assert stuck.closed is not None and stuck.closed[0] == TOO_SLOW
    assert slow.closed
    slow.offer("f6")  # nothing more is queued for it
    fast.offer("f6")
    await fine.until(sent=7)
    assert fine.sent == [f"f{n}" for n in range(7)] and fine.closed is None
    await slow.stop()
    await fast.stop()


async def test_a_table_going_away_sends_its_last_frame_after_the_queued_ones() -> None:
    socket = HeldSocket(flowing=False)
    conn = Connection("s1", socket.send, socket.close, 8, "en")
    conn.start()
    conn.offer("a")
    conn.offer("b")

    finishing = asyncio.create_task(conn.finish("gone", GONE, "the table was removed"))
    socket.flowing.set()
    await finishing
    conn.offer("late")  # offered after the end: never sent

    assert socket.sent == ["a", "b", "gone"]
    assert socket.closed == (GONE, "the table was removed")


async def test_stopping_ends_the_drain_even_while_it_waits_for_frames() -> None:
    socket = HeldSocket()
    conn = Connection("s1", socket.send, socket.close, 8, "en")
    conn.start()
    conn.offer("a")
    await socket.until(sent=1)  # the drain has sent it and waits for the next

    await conn.stop()

    assert conn.closed
    conn.offer("after")
    assert socket.sent == ["a"] and socket.closed is None


# --- written connections: frames go to the socket's transport as they are offered ------


class Transport:
    """A socket writer (app/web/rawsend.py) whose client reads only when the test says."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.unread = 0  # bytes the client has not taken
        self.gone = False
        self.aborted = False

    def write(self, text: str) -> None:
        if self.gone:
            raise ConnectionError("closed")
        self.written.append(text)
        self.unread += len(text.encode())

    def backlog(self) -> int:
        return self.unread

    def abort(self) -> None:
        self.aborted = True


async def test_a_written_connection_sends_each_frame_at_once_in_order() -> None:
    transport, socket = Transport(), HeldSocket()
    conn = Connection("s1", socket.send, socket.close, 8, "en", writer=transport)
    conn.start()

    for n in range(20):
        conn.offer(f"f{n}")
        assert transport.written[-1] == f"f{n}"  # no task in between

    assert conn.direct and transport.written == [f"f{n}" for n in range(20)]
    assert socket.sent == []  # nothing went through the ASGI send
    await conn.stop()


async def test_a_written_client_too_far_behind_is_closed_as_too_slow() -> None:
    transport, socket = Transport(), HeldSocket()
    # A bound of 2 frames' worth of bytes (app/rooms/connection.py BYTES_PER_FRAME).
    conn = Connection("s1", socket.send, socket.close, 2, "en", writer=transport)
    conn.offer("x" * 8000)
    conn.offer("y" * 1000)  # 9000 bytes unread: past the bound of 8192
    assert not conn.closed and socket.closed is None

    conn.offer("z")
    await socket.until(done=True)

    assert socket.closed is not None and socket.closed[0] == TOO_SLOW
    conn.offer("after")
    assert transport.written == ["x" * 8000, "y" * 1000]


async def test_a_written_connection_whose_socket_is_gone_stops_offering() -> None:
    transport, socket = Transport(), HeldSocket()
    conn = Connection("s1", socket.send, socket.close, 8, "en", writer=transport)
    transport.gone = True

    conn.offer("a")
    transport.gone = False
    conn.offer("b")

    assert conn.closed and transport.written == []


async def test_a_written_table_going_away_sends_its_last_frame_then_closes() -> None:
    transport, socket = Transport(), HeldSocket()
    conn = Connection("s1", socket.send, socket.close, 8, "en", writer=transport)
    conn.offer("a")

    await conn.finish("gone", GONE, "the table was removed")
    conn.offer("late")

    assert transport.written == ["a", "gone"]
    assert socket.closed == (GONE, "the table was removed") and not transport.aborted


async def test_a_written_client_that_never_takes_the_close_is_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = Transport()
    closing = asyncio.Event()

    async def close_that_hangs(code: int, reason: str) -> None:
        closing.set()
        await asyncio.Event().wait()  # the close frame never gets out

    monkeypatch.setattr("app.rooms.connection.FINISH_SECONDS", 0.05)
    conn = Connection("s1", HeldSocket().send, close_that_hangs, 8, "en", writer=transport)

    await conn.finish("gone", GONE, "the table was removed")

    assert closing.is_set() and transport.aborted and transport.written == ["gone"]
