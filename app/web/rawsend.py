"""Frames written straight to a websocket's transport, beneath the ASGI layers.

Every update a table makes goes to six sockets or more. Sent through ASGI, each frame
passed Starlette's `WebSocket.send`, the exception handlers' wrappers, uvicorn's `send`
coroutine (which waits for the transport to be writable) and a task switch into the
connection's own sender: about a sixth of the game server's time under load, besides the
write itself. Where the server is uvicorn with its sans-I/O websockets protocol, a
connection writes its frames to the transport at once instead (`Connection` with a
`SocketWriter`), and bounds the bytes the transport holds for a client that stops reading.

Anywhere else (another server, another websocket implementation, a test client) no writer
is found and frames go through ASGI as before: the fast path is an optimisation, never a
requirement.
"""

from __future__ import annotations

import inspect
import struct
import weakref
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

# Where `RawSend` leaves the server's own send callable in a websocket's scope, weakly:
# uvicorn's protocol holds the scope, and a bound method of the protocol in it made a
# reference cycle of every websocket (some 75 objects, 20 KB) that only a full garbage
# collection frees (bench/RESULTS.md, session 9).
SCOPE_KEY = "policymaker.raw_send"

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.protocol import State
except ImportError:  # another uvicorn or websockets: no fast path
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


class RawSend:
    """Pure ASGI middleware: keeps the server's send callable of each websocket in its
    scope, before the framework's layers wrap it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and inspect.ismethod(send):
            scope[SCOPE_KEY] = weakref.WeakMethod(send)
        await self.app(scope, receive, send)


class UvicornWriter:
    """Writes text frames on one uvicorn sans-I/O websocket, after its handshake."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        # With an extension (permessage-deflate, which browsers ask for) the websockets
        # library must frame and compress each message; without one, a server's text frame
        # is a header of 2 to 10 bytes and the payload, unmasked (RFC 6455, section 5.2).
        self._framed = not protocol.conn.extensions

    def write(self, text: str) -> None:
        """Queue one text frame on the transport; raises if the socket is closing."""
        protocol = self._protocol
        if protocol.close_sent or protocol.conn.state is not State.OPEN:
            raise ConnectionError("the websocket is closing")
        transport = protocol.transport
        if transport.is_closing():
            raise ConnectionError("the websocket's transport is closing")
        data = text.encode()
        if self._framed:
            transport.write(_header(len(data)) + data)
            return
        protocol.conn.send_text(data)
        transport.write(b"".join(protocol.conn.data_to_send()))

    def backlog(self) -> int:
        """Bytes written and not yet taken by the kernel: what the client has not read."""
        return int(self._protocol.transport.get_write_buffer_size())

    def abort(self) -> None:
        """Drop the connection without a closing handshake (a client that reads nothing)."""
        self._protocol.transport.abort()


def _header(length: int) -> bytes:
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, length)
    return struct.pack("!BBQ", 0x81, 127, length)


def socket_writer(scope: Scope) -> UvicornWriter | None:
    """The direct writer of an accepted websocket, when the server is one we can write to."""
    ref = scope.get(SCOPE_KEY)
    protocol = getattr(ref() if ref is not None else None, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if not protocol.handshake_complete:
        return None
    return UvicornWriter(protocol)
