"""uvicorn's connection protocols, changed so a closed connection is freed at once.

`policymaker serve` collects garbage by the clock and freezes what survives a young
collection (app/collector.py): a reference cycle that outlives its first 0.1 s waits for
a full collection, and that runs only when the server is idle. With uvicorn's
websockets-sansio protocol (uvicorn 0.55, websockets 17) every websocket left two such
cycles when it closed, some 40 objects:

- The HTTP protocol that received the upgrade request keeps its parser, whose callbacks
  are the protocol's own methods. uvicorn breaks that cycle when an HTTP connection is
  lost, but once the connection is a websocket the transport belongs to the websocket
  protocol, and the HTTP protocol is never told.
- websockets' sans-I/O connection keeps its parser, a generator whose frame holds the
  connection; the generator ends only when the peer ends its data cleanly.

At 300 busy tables, some 2,000 websockets close a minute (each player moves to a new
table when a game ends), and the server grew by some 4 MB a minute with no end
(bench/RESULTS.md, "The soak"). Both classes below break their cycle at the moment
uvicorn itself is done with the object. Where uvicorn's modules are not the ones these
are made for (another version, no httptools), the server runs uvicorn's own protocols.
"""

from __future__ import annotations

from typing import Any

# The `http` and `ws` arguments for uvicorn: these classes, or none (uvicorn's own).
PROTOCOLS: dict[str, Any] = {}

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn[standard] brings both
    pass
else:

    class HttpProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, which lets go of its parser after an upgrade."""

        def handle_websocket_upgrade(self) -> None:
            super().handle_websocket_upgrade()
            # What uvicorn does when an HTTP connection is lost: this one never will be.
            self.parser = None  # type: ignore[assignment]

    class WebSocketProtocol(WebSocketsSansIOProtocol):
        """uvicorn's websockets-sansio protocol, which ends websockets' parser when the
        connection is lost (no data can arrive after that)."""

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            # Looked up, not assumed: a websockets without it must still close cleanly
            # (tests/integration/test_direct_frames.py says whether the cycle is gone).
            parser = getattr(self.conn, "parser", None)
            if parser is not None:
                parser.close()

    PROTOCOLS = {"http": HttpProtocol, "ws": WebSocketProtocol}

# The options every server of this app gives uvicorn (`policymaker serve`, and the test
# server that runs in the tests' own process): no client frame comes near a megabyte.
UVICORN_OPTIONS: dict[str, Any] = {"ws_max_size": 1024 * 1024, **PROTOCOLS}
