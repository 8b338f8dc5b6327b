"""Frames written straight to the socket under uvicorn (app/web/rawsend.py).

A real uvicorn server runs in the test's own event loop, so the test can look at the
room's connections while real websocket clients talk to it: with uvicorn's sans-I/O
protocol every seated connection writes its frames directly, a client that negotiated
compression still reads them, frames keep their order, and a client that stops reading
is closed with 4008 ("too slow") through a real socket, while another at the same table
reads on; a closed socket's objects are freed by their reference counts alone; and a
game played to its end by `policymaker bots` leaves no reference cycle in the server.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import weakref
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from websockets.asyncio.client import ClientConnection

from app.client import client_frame
from app.main import create_app
from app.rooms.connection import TOO_SLOW, Connection
from app.rooms.manager import RoomManager
from app.rooms.room import Room
from app.settings import Settings
from app.web.protocols import UVICORN_OPTIONS
from app.web.rawsend import UvicornWriter
from tests.integration.server import POLICYMAKER


@dataclass
class Running:
    base: str
    manager: RoomManager
    workshop: dict[str, Any]
    server: uvicorn.Server


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """`create_app` served by uvicorn as `policymaker serve` runs it (its protocols
    included), in this loop."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'direct.db'}",
        secret_key="direct-frames-test",
        outgoing_queue=4,  # a bound of 16 KiB written and unread, reached in a few frames
    )
    app = create_app(settings)
    # Listening before uvicorn starts: the first request waits in the backlog until the
    # server is up, so nothing polls for "started".
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            created = await http.post("/api/workshops", json={"tables": 1, "language": "en"})
            created.raise_for_status()
        yield Running(base, app.state.manager, created.json(), server)
    finally:
        server.should_exit = True
        await serving
        listener.close()


async def seated(running: Running, compression: str | None = None) -> ClientConnection:
    """A player joined at the workshop's table, welcomed over a real websocket."""
    code = running.workshop["tables"][0]["code"]
    async with httpx.AsyncClient(base_url=running.base) as http:
        joined = await http.post("/api/join", json={"code": code, "name": "Ada"})
        joined.raise_for_status()
    ws = await websockets.connect(
        running.base.replace("http", "ws") + "/ws", compression=compression, max_queue=1
    )
    await ws.send(client_frame("hello", token=joined.json()["token"]))
    welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome"
    return ws


def room_of(running: Running) -> Room:
    (room,) = running.manager._rooms.values()
    return room


def connections(running: Running) -> list[Connection]:
    return list(room_of(running).connections)


async def announcements(ws: ClientConnection, count: int) -> list[str]:
    texts = []
    while len(texts) < count:
        frame = json.loads(await ws.recv())
        if frame["type"] == "announcement":
            texts.append(frame["text"])
    return texts


async def written_and_read(running: Running, ws: ClientConnection, texts: list[str]) -> None:
    """Announce `texts` at the table: its one connection writes them, `ws` reads them."""
    (conn,) = connections(running)
    assert conn.direct
    room = room_of(running)
    for text in texts:
        await room.announce(text)
    assert await announcements(ws, len(texts)) == texts
    await ws.close()


async def test_seated_connections_write_their_frames_directly_and_in_order(
    running: Running,
) -> None:
    ws = await seated(running)
    # Every length of header: under 126 bytes, up to 65535, and more (RFC 6455, 5.2).
    lengths = [0, 1, 125, 126, 127, 1000, 65_535, 65_536, 65_537, 200_000]
    await written_and_read(running, ws, [f"{n:06d}" + "x" * n for n in lengths])


async def test_a_client_that_negotiated_compression_reads_the_written_frames(
    running: Running,
) -> None:
    ws = await seated(running, compression="deflate")
    assert ws.protocol.extensions, "the client asked for permessage-deflate and got it"
    await written_and_read(running, ws, [f"{n}: " + "to every table " * n for n in range(30)])


async def test_a_client_that_stops_reading_is_closed_as_too_slow_and_the_other_reads_on(
    running: Running,
) -> None:
    stuck = await seated(running)  # reads nothing from here on
    fine = await seated(running)
    room = room_of(running)
    slow = next(c for c in room.connections if c.seat == room.seats[0].id)
    fast = next(c for c in room.connections if c is not slow)

    # Each announcement fills the stuck client's socket buffers a little more, until the
    # transport holds more than its bound; the other client reads every one meanwhile.
    text = "y" * 50_000
    sent = 0
    while not slow.closed:
        assert sent < 2_000, "the stuck client was never closed"
        await room.announce(text)
        sent += 1
        assert await announcements(fine, 1) == [text]
    assert not fast.closed

    # Reading again, the stuck client gets what was written before it fell behind, then
    # the close: 4008, reconnect and catch up.
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await stuck.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == TOO_SLOW

    await room.announce("still here")
    assert await announcements(fine, 1) == ["still here"]
    await fine.close()


async def test_a_closed_websocket_is_freed_without_the_garbage_collector(
    running: Running,
) -> None:
    # A reference cycle through a connection (its session's method in it, uvicorn's send
    # in the scope its protocol holds, the parsers of websockets' connection and of the
    # HTTP protocol that took the upgrade: app/web/protocols.py) kept every closed
    # socket's objects until a full collection, which the server runs only when idle.
    # With collection off, only reference counts can free them.
    gc.disable()
    try:
        ws = await seated(running)
        (conn,) = connections(running)
        assert conn.direct
        freed = weakref.ref(conn)
        writer = conn._writer
        assert isinstance(writer, UvicornWriter)
        protocol = weakref.ref(writer._protocol)
        sans_io = weakref.ref(writer._protocol.conn)
        socket_id = id(writer._protocol.transport)
        del writer
        del conn
        handlers = set(running.server.server_state.tasks)
        await ws.close()
        await asyncio.gather(*handlers)  # the server's side of the socket has finished
        assert not connections(running)
        assert freed() is None, "the connection outlived its socket"
        assert protocol() is None, "uvicorn's protocol outlived its socket"
        assert sans_io() is None, "websockets' connection outlived its socket"
        upgraded = [
            o
            for o in gc.get_objects()
            if isinstance(o, HttpToolsProtocol) and id(o.transport) == socket_id
        ]
        assert not upgraded, "the HTTP protocol that took the upgrade outlived the socket"
    finally:
        gc.enable()


# Where the server's own objects come from; a cycle among them at the rate of play would
# wait for a full collection, which `policymaker serve` runs only when idle.
SERVER_MODULES = ("app.", "uvicorn.", "websockets.", "httptools.", "starlette.", "fastapi.")


async def bots_play(base: str, code: str) -> None:
    """`policymaker bots`, in a process of its own, fills the table and plays to the end."""
    bots = await asyncio.create_subprocess_exec(
        str(POLICYMAKER), "bots", "--url", base, "--code", code, "--seats", "5",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await bots.communicate()
    assert bots.returncode == 0, err.decode()


async def test_a_game_played_to_its_end_leaves_no_reference_cycle(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.base) as http:
        created = await http.post(
            "/api/workshops", json={"tables": 2, "language": "en", "autostart": True}
        )
        created.raise_for_status()
    first, second = (t["code"] for t in created.json()["tables"])
    await bots_play(running.base, first)  # what is made once (caches, pools) is made here
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept, to be named
    try:
        await bots_play(running.base, second)
        await asyncio.gather(*running.server.server_state.tasks)  # its sockets' handlers
        for table_id in list(running.manager._rooms):  # let go, as retention does
            await running.manager._rooms.pop(table_id).close()
        found = gc.collect()
        cyclic = Counter(
            f"{type(o).__module__}.{type(o).__qualname__}"
            for o in gc.garbage
            if type(o).__module__.startswith(SERVER_MODULES)
        )
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()
    assert not cyclic, f"{found} objects in cycles, the server's: {cyclic.most_common(10)}"
