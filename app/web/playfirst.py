"""Play first: requests and new players wait their turn behind the moves of games in play.

Everything the server does shares one event loop, which runs, in each turn, whatever
became ready since the last. When a burst of lobby work arrives at once (a workshop's
phones joining, tables ending a game together and their players taking fresh ones, a
facilitator's exports), a turn holds all of it, and every move made at a table in play
that turn waits behind it: in the soak, the tables' first games ending within seconds of
each other made moves wait 100 ms and more (bench/RESULTS.md, "Play first").

So at most `PER_TURN` HTTP requests and websocket hellos begin in one turn of the loop;
the rest wait for the next turns, in the order they came. A move is never held back: it
is the turn's other work that is spread out. A request waits for its turn only to begin,
not while its body arrives or the database answers, so a slow phone holds up nobody.
When the loop is idle a turn is some microseconds long, so outside a burst nobody waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

# New requests begun in one turn of the loop, at most. A join is about 1 ms of CPU and a
# welcome 0.8 ms (bench/churn.py), in two or three pieces between waits for the
# database: two a turn keep a turn's new lobby work to a millisecond or two.
PER_TURN = 2


class Turns:
    """Lets at most `per_turn` callers of `begin` go on in one turn of the event loop."""

    def __init__(self, per_turn: int = PER_TURN) -> None:
        if per_turn < 1:
            raise ValueError("per_turn must be at least 1")
        self.per_turn = per_turn
        self._begun = 0  # in the current turn
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._next_turn: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def begin(self) -> None:
        """Returns in this turn if there is room in it and nobody waits, else in a later
        one, first come first served."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Another event loop than the last (an app served again, a test client's):
            # what the old one had scheduled will never run there.
            self._loop, self._begun, self._next_turn = loop, 0, None
            self._waiting.clear()
        if not self._waiting and self._begun < self.per_turn:
            self._begun += 1
            self._schedule(loop)
            return
        ticket = loop.create_future()
        self._waiting.append(ticket)
        self._schedule(loop)
        try:
            await ticket
        except asyncio.CancelledError:
            # Gone before its turn (the client left): out of the line, unless a turn has
            # passed it over already. Gone just as its turn came, it has used that turn's
            # place; the next turn starts afresh.
            if ticket.cancelled():
                with contextlib.suppress(ValueError):
                    self._waiting.remove(ticket)
            raise

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        # A callback scheduled now runs in the loop's next turn, after it has read the
        # sockets that became ready: the moves that came meanwhile go in that turn too.
        if self._next_turn is None:
            self._next_turn = loop.call_soon(self._turn)

    def _turn(self) -> None:
        self._next_turn = None
        self._begun = 0
        while self._waiting and self._begun < self.per_turn:
            ticket = self._waiting.popleft()
            if not ticket.done():
                ticket.set_result(None)
                self._begun += 1
        if self._waiting or self._begun:
            self._schedule(asyncio.get_running_loop())


class PlayFirst:
    """Pure ASGI middleware: every HTTP request waits for its turn to begin (`Turns`).

    Websockets pass by: opening one and its hello each take a turn in app/web/ws.py,
    and their moves never wait."""

    def __init__(self, app: ASGIApp, turns: Turns) -> None:
        self.app = app
        self.turns = turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.turns.begin()
        await self.app(scope, receive, send)
