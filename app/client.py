"""A client of the game's own protocol: HTTP to create and join, the websocket to play.

`policymaker workshop create` and `policymaker bots` use it, and so do the tests and the
benchmark: everything outside the server speaks to it the way a browser does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from app.engine.bots import Bot
from app.engine.events import EVENT_TYPES, event_from_dict
from app.engine.rules import Rules
from app.engine.state import GameState
from app.i18n import Msg, msg, verbatim
from app.rooms.room import PROTOCOL_VERSION
from app.scenarios.models import Scenario

# A bot gives up on a connection after this many failed reconnects in a row.
MAX_RECONNECTS = 30


def ws_url(base: str) -> str:
    return base.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"


class ServerError(Exception):
    """A request the server refused (4xx), or a server that could not be reached or failed.

    The message is one line for a person: the server's own reason when it gave one (in
    the server's words), else ours in the language `render` picks. The CLI turns it into
    that line on stderr and `exit_code`: 2 when the request was refused (fix the request),
    3 when the server was unreachable or broke (fix or wait for it).
    """

    def __init__(self, message: str | Msg, *, refused: bool) -> None:
        self.reason = verbatim(message) if isinstance(message, str) else message
        super().__init__(str(self.reason))
        self.refused = refused

    def render(self, lang: str) -> str:
        return self.reason.render(lang)

    @property
    def exit_code(self) -> int:
        return 2 if self.refused else 3


def server_reason(response: httpx.Response) -> str:
    """The reason a server gave for an error answer, as one line.

    Our server answers `{"detail": "..."}`, or FastAPI's `{"detail": [{"loc", "msg"}...]}`
    for a body it could not take; anything else (a proxy's HTML page) falls back to the
    status line, since a page of markup is no reason a person can read.
    """
    detail: object = None
    # Not JSON, or JSON that is not an object: no detail to quote.
    with contextlib.suppress(ValueError, AttributeError):
        detail = response.json().get("detail")
    if isinstance(detail, str) and detail.strip():
        return " ".join(detail.split())
    if isinstance(detail, list):
        msgs = [str(d["msg"]) for d in detail if isinstance(d, dict) and "msg" in d]
        if msgs:
            return " ".join("; ".join(msgs).split())
    return f"{response.status_code} {response.reason_phrase}".strip()


@asynccontextmanager
async def _server(base: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for `base` whose failures all arrive as ServerError.

    Every request the CLI makes goes through here, so a bad URL, a closed port or an
    error answer is told the same way whichever command made it.
    """
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield http
    except httpx.HTTPStatusError as exc:
        raise ServerError(
            server_reason(exc.response), refused=exc.response.status_code < 500
        ) from exc
    except (httpx.TransportError, httpx.InvalidURL) as exc:
        # TransportError covers refused connections, timeouts and URLs without http(s)://;
        # InvalidURL a URL httpx cannot even parse.
        why = str(exc) or type(exc).__name__
        raise ServerError(
            msg("cannot reach {url}: {why}", url=base, why=why), refused=False
        ) from exc


async def create_workshop(base: str, body: dict[str, Any]) -> dict[str, Any]:
    async with _server(base) as http:
        response = await http.post("/api/workshops", json=body)
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created


async def join(base: str, code: str, name: str, role: str | None = None) -> dict[str, Any]:
    async with _server(base) as http:
        response = await http.post("/api/join", json={"code": code, "name": name, "role": role})
        response.raise_for_status()
        joined: dict[str, Any] = response.json()
        return joined


async def seat_scenario(base: str, token: str) -> Scenario:
    async with _server(base) as http:
        response = await http.get(
            "/api/seat/scenario", headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        return Scenario.model_validate(response.json())


@dataclass
class BotResult:
    seat: str
    last_seq: int
    digest: str | None
    scores: dict[str, float | None]
    frames: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WireBot:
    """One bot seat: folds the events it receives into its own engine state and acts on it."""

    base: str
    token: str
    seat: str
    role: str
    rules: Rules
    think: float = 0.0
    seed: int = 0
    keep_frames: bool = False
    state: GameState | None = None
    seq: int = 0
    public: dict[str, Any] = field(default_factory=dict)
    frames: list[dict[str, Any]] = field(default_factory=list)
    _cmids: itertools.count[int] = field(default_factory=itertools.count)
    # Other instances of the same deployment: when a connection fails, the bot moves on to
    # the next (as a load balancer would move it), resuming from its last seq there.
    fallbacks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        rng = random.Random(f"{self.seed}:{self.seat}")
        self.bot = Bot(self.rules, self.seat, self.role, rng=rng)

    def _fold(self, events: list[dict[str, Any]]) -> None:
        for item in events:
            if item["seq"] <= self.seq:
                continue  # already folded: a frame seen twice after a resume
            if item["seq"] != self.seq + 1:
                raise GapError(self.seq, item["seq"])
            if item["type"] in EVENT_TYPES:
                if self.state is None:
                    self.state = self.rules.replay([])
                self.rules.evolve(self.state, event_from_dict(item["data"]))
            self.seq = item["seq"]

    @property
    def ended(self) -> bool:
        return self.public.get("status") == "ended"

    async def play(self) -> BotResult:
        """Play until the game ends, reconnecting and resuming when the connection drops."""
        failures = 0
        while not self.ended:
            try:
                await self._session()
                failures = 0
            except (TimeoutError, OSError, websockets.ConnectionClosed):
                failures += 1
                if failures > MAX_RECONNECTS:
                    raise
                if self.fallbacks:
                    self.base, self.fallbacks = self.fallbacks[0], (*self.fallbacks[1:], self.base)
                await asyncio.sleep(min(2.0, 0.1 * failures))  # back off before reconnecting
        final = self.public.get("final", {})
        scores = {
            k: v.get("value") for k, v in self.public.get("scores", {}).get("current", {}).items()
        }
        return BotResult(self.seat, self.seq, final.get("digest"), scores, self.frames)

    async def _ask(self, ws: Any, asking: bool) -> bool:
        """Ask for the events after our seq, unless a sync is already under way."""
        if not asking:
            await ws.send(client_frame("sync", after_seq=self.seq))
        return True

    def connect(self) -> AbstractAsyncContextManager[Any]:
        """The websocket to the table (the tests' bots check every frame on theirs)."""
        return websockets.connect(ws_url(self.base), max_size=None)

    async def _session(self) -> None:
        async with self.connect() as ws:
            await ws.send(client_frame("hello", token=self.token, last_seq=self.seq))
            welcomed = False
            pending: str | None = None
            sent = ""  # the pending intent's frame, sent again as it was if need be
            # After a refusal, wait for news before deciding again, or a bot whose view
            # lags the table would repeat the same refused intent.
            stale = False
            # The highest seq the server has told us of: while our fold is behind it (a
            # lost frame, a sync under way) we do not decide on a state we know is old.
            known = 0
            asking = False  # a sync is under way: one at a time, or they pile up
            while not self.ended:
                frame = json.loads(await ws.recv())
                if self.keep_frames:
                    self.frames.append(frame)
                kind = frame.get("type")
                if isinstance(frame.get("seq"), int):
                    known = max(known, frame["seq"])
                if kind == "events":
                    asking = False
                welcomed = welcomed or kind == "welcome"
                if kind == "error" and frame.get("code") == "unavailable":
                    # The server's database is away: the same frame (the same cmid, so it
                    # is applied once whatever happened to the first) after the pause it
                    # asks for; a hello refused so counts as a failed connection.
                    await asyncio.sleep(retry_after(frame))
                    if not welcomed:
                        raise ServerUnavailable(frame.get("message", ""))
                    if frame.get("cmid") is not None and frame.get("cmid") == pending:
                        await ws.send(sent)
                    elif asking:
                        asking = await self._ask(ws, False)
                    continue
                if kind == "update" and pending is not None and frame.get("cmid") == pending:
                    pending = None  # protocol v3: the update answering our intent is its ack
                if kind in ("welcome", "update", "events"):
                    folded = self.seq
                    # The view first, even when the events show a gap: a patch is
                    # relative to the views this connection holds, never sent again.
                    if "state" in frame:  # a welcome: the whole view
                        self.public = frame["state"]["public"]
                    patch = frame.get("patch", {}).get("public")
                    if patch:  # an update: the keys that changed
                        self.public = {**self.public, **patch}
                    try:
                        self._fold(frame.get("events", []))
                    except GapError:
                        asking = await self._ask(ws, asking)
                        continue
                    if "state" in frame or patch or self.seq > folded:
                        stale = False  # news: what was refused may be right now
                    if frame.get("seq", 0) > self.seq:
                        # Updates may run ahead of what we folded (a lost frame): catch up.
                        asking = await self._ask(ws, asking)
                        continue
                elif kind == "error" and frame.get("cmid") is None:
                    # Not an intent's answer: if a sync of ours was refused (rate limited),
                    # no events will come for it, so ask again once the server lets us.
                    if frame.get("code") == "rate_limited":
                        await asyncio.sleep(1.0)
                    if asking:
                        asking = await self._ask(ws, False)
                elif kind in ("ack", "error") and frame.get("cmid") == pending:
                    pending = None
                    stale = kind == "error" and frame.get("code") != "rate_limited"
                    if frame.get("code") == "rate_limited":
                        await asyncio.sleep(1.0)  # the server asked us to slow down
                if self.seq < known:
                    continue
                if pending is None and not stale and not self.ended and self.state is not None:
                    # The folded state exists only once the game has started, so a public
                    # view still saying "lobby" is merely stale (its update frame was lost
                    # and a sync answer carries events, not views): play on.
                    if self.public.get("status") == "paused":
                        continue
                    action = self.bot.act(self.state)
                    if action is not None:
                        if self.think:
                            await asyncio.sleep(self.think)  # as a person would
                        pending = f"{self.seat}-{next(self._cmids)}"
                        body = {k: v for k, v in _action_body(action).items() if k != "seat"}
                        sent = client_frame("intent", cmid=pending, action=body)
                        await ws.send(sent)


def client_frame(kind: str, **fields: Any) -> str:
    """A frame a client sends, in the protocol version this code speaks."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind, **fields})


def retry_after(frame: dict[str, Any]) -> float:
    """The pause an `unavailable` error asks for (docs/asyncapi.yaml), within reason."""
    value = frame.get("retry_after")
    seconds = float(value) if isinstance(value, int | float) else 1.0
    return min(10.0, max(0.1, seconds))


class ServerUnavailable(ConnectionError):
    """The server could not reach its database to welcome us: reconnect, as after a drop."""


class GapError(Exception):
    def __init__(self, have: int, got: int) -> None:
        super().__init__(f"expected seq {have + 1}, got {got}")


def _action_body(action: Any) -> dict[str, Any]:
    from app.engine.actions import action_to_dict

    return action_to_dict(action)


@dataclass
class Seating:
    """The bots a table took, and the server's reason for each seat it would not give."""

    base: str
    bots: list[WireBot]
    refused: list[Msg]

    @asynccontextmanager
    async def holding(self) -> AsyncIterator[Seating]:
        """The seats, given back if the bots give up before their game ends.

        Whatever stops them (an error, Ctrl-C, a server refusal), a seat left to a bot that
        no longer plays would hold the table up, or score as a player who never spoke. The
        server's own bots take the released seats, so the table can finish (a facilitator
        may still free one for a person); a seat the server already took back is left be.
        """
        try:
            yield self
        except BaseException:
            for bot in self.bots:
                if not bot.ended:
                    with contextlib.suppress(ServerError):
                        await release_seat(bot.base, bot.token)
            raise

    async def play(
        self,
        start: Awaitable[Any] | None = None,
        fallbacks: tuple[str, ...] = (),
        keep_frames: bool = False,
    ) -> list[BotResult]:
        """Every seated bot plays to the game's end; `start` (e.g. the facilitator's start
        command) runs once they are all listening."""
        async with self.holding():
            for bot in self.bots:
                bot.fallbacks, bot.keep_frames = fallbacks, keep_frames
            games = [asyncio.create_task(bot.play()) for bot in self.bots]
            try:
                if start is not None:
                    await start
                return list(await asyncio.gather(*games))
            finally:
                for game in games:
                    game.cancel()  # the others, when one failed: their seats go back


async def seat_bots(
    base: str, code: str, seats: int, think: float = 0.0, seed: int = 0, names: str = "Bot"
) -> Seating:
    """Seat up to `seats` bots at a table: once one is seated, each seat the server refuses
    is noted with its reason and the rest play; a refusal of the first is a ServerError."""
    seating = Seating(base, [], [])
    rules: Rules | None = None  # every seat is at the same table, so one scenario
    async with seating.holding():
        for number in range(1, seats + 1):
            try:
                entry = await join(base, code, f"{names} {number}")
            except ServerError as exc:
                # Refused before any seat was given (a wrong code, a full table): the rest
                # would be refused alike, and wrong codes count against this address.
                if not exc.refused or not seating.bots:
                    raise
                seating.refused.append(exc.reason)
                continue
            rules = rules or Rules(await seat_scenario(base, entry["token"]))
            seating.bots.append(
                WireBot(base, entry["token"], entry["seat"], entry["role"], rules, think, seed)
            )
    return seating


async def release_seat(base: str, token: str) -> None:
    """Hand a seat to the server's own bots; its token stops working."""
    async with _server(base) as http:
        response = await http.post(
            "/api/seat/release", headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()


async def run_bots(
    base: str,
    code: str,
    seats: int,
    think: float = 0.0,
    seed: int = 0,
    names: str = "Bot",
    fallbacks: tuple[str, ...] = (),
    keep_frames: bool = False,
) -> list[BotResult]:
    """Seat up to `seats` bots at a table and play it to the end (moving to a fallback if
    need be); seats the server refuses are left out (`seat_bots` says why)."""
    seating = await seat_bots(base, code, seats, think, seed, names)
    return await seating.play(fallbacks=fallbacks, keep_frames=keep_frames)


async def control(base: str, workshop_id: str, token: str, command: str, table: int) -> None:
    """A facilitator's command to one table; a table that refuses it is a ServerError."""
    async with _server(base) as http:
        response = await http.post(
            f"/api/workshops/{workshop_id}/control",
            json={"command": command, "table": table},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        for result in response.json():
            if not result.get("ok"):
                raise ServerError(str(result.get("message") or result.get("code")), refused=True)


async def table_debrief(
    base: str, workshop_id: str, token: str, table: int, lang: str
) -> dict[str, Any]:
    async with _server(base) as http:
        response = await http.get(
            f"/api/workshops/{workshop_id}/tables/{table}/debrief",
            params={"lang": lang},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        debrief: dict[str, Any] = response.json()
        return debrief
