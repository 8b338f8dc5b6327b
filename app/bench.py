"""The load benchmark: bot players over the real websocket protocol, measured end to end.

`policymaker bench` drives a game server (or, with `--baseline`, the bare FastAPI relay in
`bench/baseline.py`) with R tables of P players, each sending one intent every I seconds
for D seconds, and reports throughput, the latency from sending an intent until its event
has reached every seat of the table, lost and duplicated events, and the server's memory
and CPU. Everything is bounded: loopback only, a fixed duration, a hard overall timeout.

Each bot folds the events it receives into its own engine state (as `WireBot` does) and
asks the engine's `Bot` for a legal intent. When the bot has nothing to do, it re-sends a
harmless legal one (a ranking again, a pass, its advice again), so the load stays steady.
Only in the decide phase may a seat have nothing legal at all; that tick is counted as
idle. A game ends after roughly 150 intents; the table's players then take seats at a
fresh table and play on, so a run may last longer than one game.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import itertools
import json
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvloop
import websockets
from websockets.asyncio.client import ClientConnection

from app.bundled import BENCH_BASELINE
from app.client import client_frame, ws_url
from app.engine import actions as a
from app.engine.actions import action_to_dict
from app.engine.bots import Bot
from app.engine.events import EVENT_TYPES, Event, event_from_dict
from app.engine.rules import Rules
from app.engine.state import GameState
from app.jsontext import loads
from app.rooms.room import PROTOCOL_VERSION
from app.scenarios.models import Scenario

BASELINE_APP = BENCH_BASELINE
MAX_TABLES = 2000
MAX_PLAYERS = 9
MAX_WORKERS = 8
# Tables per workshop the HTTP API allows (app.rooms.schemas.MAX_TABLES).
WORKSHOP_TABLES = 50
# After the sending stops: how long answers and deliveries may still arrive.
DRAIN_SECONDS = 10.0
HEALTH_WAIT = 30.0
STOP_WAIT = 10.0
# A long run's report lists the load generator's own pauses past this, and its slowest
# intents: whether a late answer waited on the server or on the load generator.
LOADGEN_PAUSE_MS = 20.0
SLOWEST = 20
# Refusals that are the game's answer to an intent that lost a race (the phase moved
# on between the bot's decision and the room's); anything else is an error.
RULE_CODES = frozenset(
    {
        "wrong_phase",
        "limit_reached",
        "not_your_turn",
        "game_over",
        "stale",
        "unknown_id",
        "not_in_hand",
        "invalid",
        "too_many",
        "over_budget",
        "not_allowed",
    }
)
_PROBE_INTERVAL = 0.05
# How every update frame of the game server begins (app/rooms/room.py `_broadcast_view`).
_UPDATE = f'{{"v":{PROTOCOL_VERSION},"type":"update",'
T = TypeVar("T")
# Fewer accepted intents than any game of the default scenario needs (about 150).
GAME_INTENTS_MIN = 100


@dataclass(frozen=True, slots=True)
class LoadShape:
    tables: int
    players: int
    interval: float
    duration: float
    seed: int = 1
    # Load processes: one event loop saturates its core at about 1200 relay tables (or
    # 500 game tables), and then it is the load generator that is measured.
    workers: int = 1

    @property
    def setup_seconds(self) -> float:
        """How long seating and connecting every table may take, before the window opens."""
        return 30.0 + self.tables * 0.2

    def check(self) -> None:
        if not 1 <= self.tables <= MAX_TABLES:
            raise ValueError(f"tables must be 1..{MAX_TABLES}")
        if not 1 <= self.workers <= min(MAX_WORKERS, self.tables):
            raise ValueError(f"workers must be 1..{MAX_WORKERS}, and no more than the tables")
        if not 1 <= self.players <= MAX_PLAYERS:
            raise ValueError(f"players must be 1..{MAX_PLAYERS}")
        if not 0.05 <= self.interval <= 60:
            raise ValueError("interval must be 0.05..60 seconds")
        if not 1 <= self.duration <= 3600:
            raise ValueError("duration must be 1..3600 seconds")


@dataclass
class Tally:
    """What the clients of one load process saw."""

    sent: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    idle: int = 0
    late: int = 0
    delivered: int = 0
    frames: int = 0
    bytes: int = 0
    lost: int = 0
    duplicated: int = 0
    games_started: int = 0
    games_ended: int = 0
    latencies: list[float] = field(default_factory=list)
    # When each latency was taken (perf_counter), for figures per minute of a long run.
    latency_at: list[float] = field(default_factory=list)
    window: tuple[float, float] = (0.0, math.inf)

    def latency(self, sent: float, done: float) -> None:
        self.latencies.append(done - sent)
        self.latency_at.append(done)

    def in_window(self, moment: float) -> bool:
        return self.window[0] <= moment <= self.window[1]

    def add(self, other: Tally) -> None:
        """Count another load process's tally in with this one."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected.update(other.rejected)
        self.errors.update(other.errors)
        self.latencies.extend(other.latencies)
        self.latency_at.extend(other.latency_at)


# Tally's counters, added up across load processes.
_COUNTS = (
    "sent", "accepted", "idle", "late", "delivered", "frames", "bytes",
    "lost", "duplicated", "games_started", "games_ended",
)  # fmt: skip


class Gate:
    """The measured window opens when every table is seated and connected.

    With one load process it opens itself; with several, each tells the parent it is
    ready (`ready`) and the parent opens all of them at the same moment (`open`).
    """

    def __init__(
        self,
        expected: int,
        duration: float,
        tally: Tally,
        ready: Callable[[], None] | None = None,
    ) -> None:
        self.expected = expected
        self.duration = duration
        self.tally = tally
        self.opened = asyncio.Event()
        self._ready = ready
        self._arrived: set[int] = set()

    def arrive(self, slot: int) -> None:
        """Slot `slot` is ready (or has given up); counted once."""
        if slot in self._arrived:
            return
        self._arrived.add(slot)
        if len(self._arrived) == self.expected:
            if self._ready is None:
                self.open(time.perf_counter())
            else:
                self._ready()

    def open(self, start: float) -> None:
        """Open the window at `start` (perf_counter: the same clock in every process)."""
        if not self.opened.is_set():
            self.tally.window = (start, start + self.duration)
            self.opened.set()

    async def until(self) -> float:
        """Wait for the window to open; when it closes."""
        await self.opened.wait()
        return self.tally.window[1]


# Events a table keeps parsed for its seats: far more than are ever in flight at once.
_PARSED_KEPT = 64


def _same_for_all(data: dict[str, Any]) -> bool:
    """Whether every seat receives this event alike (app/rooms/views.py project_event)."""
    effects = data.get("effects")
    return not (isinstance(effects, dict) and effects.get("dealt"))


def _update_head(raw: str) -> dict[str, Any]:
    """An update frame without its patch of the views, which the bots never read.

    The server writes `patch` last (app/rooms/room.py `_broadcast_view`), and decoding
    the views' patches was the largest single cost of the load generator. Should the cut
    fall inside a string of an event, the frame is decoded whole.
    """
    cut = raw.find(',"patch":{')
    if cut > 0:
        with contextlib.suppress(ValueError):
            head: dict[str, Any] = loads(raw[:cut] + "}")
            return head
    whole: dict[str, Any] = loads(raw)
    return whole


class Delivery:
    """When each sequence number has reached every seat of one table, and who waits on it."""

    def __init__(self, seats: int, tally: Tally) -> None:
        self.seats = seats
        self.tally = tally
        self._count: dict[int, int] = {}
        self._done: dict[int, float] = {}
        self._waiting: dict[int, list[float]] = {}
        self._parsed: dict[int, Event] = {}

    def event(self, seq: int, data: dict[str, Any]) -> Event:
        """The table's event `seq`, parsed once for all its seats.

        Only for events every seat receives alike: one that deals cards shows each seat
        only its own (`_same_for_all`). Frozen dataclasses, which the engine only reads, so the
        seats' states can share them.
        """
        event = self._parsed.get(seq)
        if event is None:
            event = self._parsed[seq] = event_from_dict(data)
            if len(self._parsed) > _PARSED_KEPT:
                del self._parsed[next(iter(self._parsed))]
        return event

    def received(self, seq: int, moment: float) -> None:
        count = self._count.get(seq, 0) + 1
        self._count[seq] = count
        if count == self.seats:
            self._done[seq] = moment
            for sent in self._waiting.pop(seq, ()):
                self.tally.latency(sent, moment)

    def acked(self, seq: int, sent: float) -> None:
        done = self._done.get(seq)
        if done is not None:
            self.tally.latency(sent, done)
        else:
            self._waiting.setdefault(seq, []).append(sent)

    @property
    def unmatched(self) -> int:
        return sum(len(w) for w in self._waiting.values())

    @property
    def top(self) -> int:
        return max(self._count, default=0)


# --- the game server's load ----------------------------------------------------------------


@dataclass
class TableSeats:
    """A table whose seats were taken over HTTP; the game has not started yet."""

    workshop_id: str
    token: str
    number: int
    joined: list[dict[str, Any]]


class TablePool:
    """Fresh tables to play at: workshops are created (50 tables each) as they run out."""

    def __init__(self, http: httpx.AsyncClient, players: int) -> None:
        self.http = http
        self.players = players
        self._free: list[tuple[str, str, dict[str, Any]]] = []
        self._lock = asyncio.Lock()
        self._rules: dict[str, Rules] = {}
        self._names = itertools.count(1)

    async def _table(self) -> tuple[str, str, dict[str, Any]]:
        async with self._lock:
            if not self._free:
                body = {
                    "scenario": "school-committee",
                    "tables": WORKSHOP_TABLES,
                    "language": "en",
                    # Fewer players than the scenario's minimum: server bots fill the rest.
                    "bots": self.players < 5,
                }
                response = await self.http.post("/api/workshops", json=body)
                response.raise_for_status()
                created = response.json()
                wid, token = created["workshop_id"], created["facilitator_token"]
                self._free = [(wid, token, t) for t in reversed(created["tables"])]
            return self._free.pop()

    async def take(self) -> TableSeats:
        """A fresh table with every bench player seated."""
        workshop_id, token, table = await self._table()
        joined = []
        for _ in range(self.players):
            body = {"code": table["code"], "name": f"Bench {next(self._names)}"}
            response = await self.http.post("/api/join", json=body)
            response.raise_for_status()
            joined.append(response.json())
        return TableSeats(workshop_id, token, table["number"], joined)

    async def rules(self, joined: dict[str, Any]) -> Rules:
        """The engine as this role may know the scenario (one fetch per role)."""
        role = joined["role"]
        async with self._lock:
            if role not in self._rules:
                response = await self.http.get(
                    "/api/seat/scenario", headers={"Authorization": f"Bearer {joined['token']}"}
                )
                response.raise_for_status()
                self._rules[role] = Rules(Scenario.model_validate(response.json()))
            return self._rules[role]

    async def start(self, table: TableSeats) -> None:
        response = await self.http.post(
            f"/api/workshops/{table.workshop_id}/control",
            json={"command": "start", "table": table.number},
            headers={"Authorization": f"Bearer {table.token}"},
        )
        response.raise_for_status()
        result = response.json()[0]
        if not result["ok"]:
            raise RuntimeError(f"start refused: {result['code']}: {result['message']}")


class BenchSeat:
    """One bot player: a websocket, an engine state folded from its events, a pacing loop."""

    def __init__(
        self,
        ws: ClientConnection,
        joined: dict[str, Any],
        rules: Rules,
        delivery: Delivery,
        tally: Tally,
        rng: random.Random,
    ) -> None:
        self.ws = ws
        self.seat = joined["seat"]
        self.rules = rules
        self.delivery = delivery
        self.tally = tally
        self.bot = Bot(rules, self.seat, joined["role"], rng=rng)
        self.state: GameState | None = None
        self.seq = 0
        self.broken = False
        self.pending: tuple[str, float] | None = None
        self.welcomed = asyncio.Event()
        self.ended = asyncio.Event()
        self._cmids = itertools.count(1)
        self._last: a.Action | None = None

    # --- receiving

    async def read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                self._frame(raw if isinstance(raw, str) else raw.decode(), time.perf_counter())

    def _frame(self, raw: str, moment: float) -> None:
        frame = _update_head(raw) if raw.startswith(_UPDATE) else loads(raw)
        kind = frame.get("type")
        if self.tally.in_window(moment):
            self.tally.frames += 1
            self.tally.bytes += len(raw)
        if kind in ("welcome", "update", "events"):
            self._events(frame.get("events", []), moment, live=kind == "update")
            if kind == "welcome":
                self.welcomed.set()
            elif kind == "update" and "cmid" in frame:  # our intent's answer (protocol v3)
                self._accepted(frame)
        elif kind == "ack":
            self._accepted(frame)
        elif kind == "error":
            code = str(frame.get("code"))
            if frame.get("cmid") is not None and code in RULE_CODES:
                self.tally.rejected[code] += 1
            else:
                self.tally.errors[code] += 1
            if frame.get("cmid") is not None:
                self.pending = None

    def _accepted(self, frame: dict[str, Any]) -> None:
        self._answered(frame.get("cmid"))
        if frame.get("duplicate"):
            self.tally.errors["duplicate_ack"] += 1
        else:
            sent = self.pending_sent
            self.tally.accepted += 1
            if sent is not None:
                self.delivery.acked(int(frame["seq"]), sent)
        self.pending = None

    @property
    def pending_sent(self) -> float | None:
        return self.pending[1] if self.pending is not None else None

    def _answered(self, cmid: Any) -> None:
        if self.pending is None or cmid != self.pending[0]:
            self.tally.errors["unexpected_answer"] += 1

    def _events(self, events: list[dict[str, Any]], moment: float, live: bool) -> None:
        for item in events:
            seq = int(item["seq"])
            if seq <= self.seq:
                self.tally.duplicated += 1
                continue
            if seq != self.seq + 1:
                # A gap: the events in between never reached this seat. It stops acting
                # (its state can no longer be trusted) but keeps counting what arrives.
                self.tally.lost += seq - self.seq - 1
                self.broken = True
            self.seq = seq
            if live:
                self.delivery.received(seq, moment)
                if self.tally.in_window(moment):
                    self.tally.delivered += 1
            if self.broken or item["type"] not in EVENT_TYPES:
                continue
            if self.state is None:
                self.state = self.rules.replay([])
            data = item["data"]
            shared = _same_for_all(data)
            event = self.delivery.event(seq, data) if shared else event_from_dict(data)
            self.rules.evolve(self.state, event)
        if self.state is not None and self.state.status == "ended":
            self.ended.set()

    # --- acting

    async def act(self, until: float, interval: float, offset: float) -> None:
        """One intent every `interval` seconds until `until` (perf_counter) or the game's end."""
        moment = time.perf_counter() + offset
        while not self.ended.is_set():
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            if time.perf_counter() >= until or self.ended.is_set() or self.broken:
                return
            moment += interval
            if self.pending is not None:
                self.tally.late += 1  # the previous intent is still unanswered
                continue
            action = self.choose()
            if action is None:
                self.tally.idle += 1
                continue
            await self.send(action)

    def choose(self) -> a.Action | None:
        state = self.state
        if state is None or state.status == "ended":
            return None
        action = self.bot.act(state) or self._filler(state)
        if action is not None and isinstance(action, a.RankFramings | a.RankIdeas | a.Advise):
            self._last = action
        return action

    def _filler(self, state: GameState) -> a.Action | None:
        """A harmless legal intent: the seat's last ranking or advice again, or a pass."""
        candidates: list[a.Action] = []
        if self._last is not None:
            candidates.append(self._last)
        if state.phase == "dilemma" and self.rules.catalog.events.get(state.event or ""):
            event = self.rules.catalog.events[state.event or ""]
            candidates.append(a.Advise(self.seat, state.advice.get(self.seat, event.options[0].id)))
        candidates.append(a.Pass(self.seat))
        for action in candidates:
            if self.rules.check(state, action) is None:
                return action
        return None

    async def send(self, action: a.Action) -> None:
        cmid = f"b{next(self._cmids)}"
        body = {k: v for k, v in action_to_dict(action).items() if k != "seat"}
        text = client_frame("intent", cmid=cmid, action=body)
        self.pending = (cmid, time.perf_counter())
        self.tally.sent += 1
        await self.ws.send(text)


async def _play_table(
    base: str,
    pool: TablePool,
    seats: TableSeats,
    shape: LoadShape,
    tally: Tally,
    rng: random.Random,
    gate: Gate,
    slot: int,
) -> None:
    """Connect the table's players, start the game and play until it ends or time is up."""
    delivery = Delivery(len(seats.joined), tally)
    players: list[BenchSeat] = []
    readers: list[asyncio.Task[None]] = []
    try:
        for joined in seats.joined:
            ws = await websockets.connect(ws_url(base), max_size=None, compression=None)
            rules = await pool.rules(joined)
            player = BenchSeat(ws, joined, rules, delivery, tally, random.Random(rng.random()))
            players.append(player)
            readers.append(asyncio.create_task(player.read()))
            await ws.send(client_frame("hello", token=joined["token"], last_seq=0))
        async with asyncio.timeout(DRAIN_SECONDS):
            for player in players:
                await player.welcomed.wait()
        gate.arrive(slot)
        until = await gate.until()
        if time.perf_counter() >= until:
            return
        await pool.start(seats)
        tally.games_started += 1
        offsets = [rng.uniform(0, shape.interval) for _ in players]
        await asyncio.gather(
            *(p.act(until, shape.interval, o) for p, o in zip(players, offsets, strict=True))
        )
        if all(p.ended.is_set() for p in players):
            tally.games_ended += 1
        # Let the last answers and deliveries arrive before the sockets close.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while any(p.pending is not None for p in players) or delivery.unmatched:
                    await asyncio.sleep(_PROBE_INTERVAL)
                top = delivery.top
                while any(p.seq < top and not p.broken for p in players):
                    await asyncio.sleep(_PROBE_INTERVAL)
    finally:
        unanswered = sum(1 for p in players if p.pending is not None)
        if unanswered:
            tally.errors["unanswered"] += unanswered
        top = delivery.top
        tally.lost += sum(max(0, top - p.seq) for p in players if not p.broken)
        for player in players:
            await player.ws.close()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


async def _table_slot(
    base: str,
    pool: TablePool,
    shape: LoadShape,
    tally: Tally,
    rng: random.Random,
    gate: Gate,
    slot: int,
) -> None:
    """One table's worth of players: a game, then a fresh table, until the time is up.

    The next table's seats are taken before the window opens, so that joining does not
    disturb the measurement; later ones only while a whole game may still fit.
    """
    shortest_game = GAME_INTENTS_MIN * shape.interval / shape.players
    try:
        seats = await pool.take()
        ahead = asyncio.create_task(pool.take())
        await ahead
    except (OSError, httpx.HTTPError) as exc:
        tally.errors[type(exc).__name__] += 1
        gate.arrive(slot)
        return
    upcoming: asyncio.Task[TableSeats] | None = ahead
    try:
        while True:
            try:
                await _play_table(base, pool, seats, shape, tally, rng, gate, slot)
            except (OSError, TimeoutError, websockets.WebSocketException, httpx.HTTPError) as exc:
                tally.errors[type(exc).__name__] += 1
                gate.arrive(slot)
                return
            left = tally.window[1] - time.perf_counter()
            if upcoming is None or left <= 0:
                return
            seats = await upcoming
            upcoming = asyncio.create_task(pool.take()) if left > shortest_game else None
    finally:
        if upcoming is not None:
            upcoming.cancel()
            with contextlib.suppress(BaseException):
                await upcoming


def _slot_rngs(shape: LoadShape) -> list[random.Random]:
    """Each table slot's own generator: the same whichever process plays the slot."""
    rng = random.Random(shape.seed)
    return [random.Random(rng.random()) for _ in range(shape.tables)]


async def run_game_load(
    base: str, shape: LoadShape, tally: Tally, gate: Gate, slots: range
) -> None:
    """Table slots in parallel; the window opens when all are seated and connected."""
    rngs = _slot_rngs(shape)
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        pool = TablePool(http, shape.players)
        await asyncio.gather(
            *(_table_slot(base, pool, shape, tally, rngs[n], gate, n) for n in slots)
        )


# --- the bare relay's load -----------------------------------------------------------------


class RelayMember:
    """One client of the baseline relay: sends numbered messages, notes what arrives."""

    def __init__(
        self, ws: ClientConnection, index: int, room: RelayRoom, tally: Tally, size: int
    ) -> None:
        self.ws = ws
        self.index = index
        self.room = room
        self.tally = tally
        self.counter = 0
        self.seen: dict[int, int] = {}  # sender -> highest number received
        self.pad = "x" * size

    async def read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                moment = time.perf_counter()
                text = raw if isinstance(raw, str) else raw.decode()
                msg = loads(text)
                sender, number = int(msg["c"]), int(msg["n"])
                last = self.seen.get(sender, 0)
                if number <= last:
                    self.tally.duplicated += 1
                    continue
                self.tally.lost += number - last - 1
                self.seen[sender] = number
                if self.tally.in_window(moment):
                    self.tally.delivered += 1
                    self.tally.frames += 1
                    self.tally.bytes += len(text)
                self.room.received(sender, number, moment)

    async def act(self, until: float, interval: float, offset: float) -> None:
        moment = time.perf_counter() + offset
        while True:
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            if time.perf_counter() >= until:
                return
            moment += interval
            self.counter += 1
            self.room.sent(self.index, self.counter, time.perf_counter())
            self.tally.sent += 1
            text = json.dumps({"v": 1, "type": "intent", "c": self.index, "n": self.counter})
            await self.ws.send(text[:-1] + f',"pad":"{self.pad}"}}')


class RelayRoom:
    def __init__(self, members: int, tally: Tally) -> None:
        self.members = members
        self.tally = tally
        self._count: dict[tuple[int, int], int] = {}
        self._sent: dict[tuple[int, int], float] = {}

    def sent(self, sender: int, number: int, moment: float) -> None:
        self._sent[(sender, number)] = moment

    def received(self, sender: int, number: int, moment: float) -> None:
        key = (sender, number)
        count = self._count.get(key, 0) + 1
        self._count[key] = count
        if count == self.members:
            del self._count[key]
            sent = self._sent.pop(key, None)
            if sent is not None:
                self.tally.accepted += 1
                self.tally.latency(sent, moment)

    @property
    def unmatched(self) -> int:
        return len(self._sent)


async def _relay_room(
    base: str, number: int, shape: LoadShape, tally: Tally, rng: random.Random, gate: Gate
) -> None:
    room = RelayRoom(shape.players, tally)
    members: list[RelayMember] = []
    readers: list[asyncio.Task[None]] = []
    try:
        for index in range(shape.players):
            url = ws_url(base) + f"?room={number}"
            ws = await websockets.connect(url, max_size=None, compression=None)
            member = RelayMember(ws, index, room, tally, size=60)
            members.append(member)
            readers.append(asyncio.create_task(member.read()))
        gate.arrive(number)
        until = await gate.until()
        offsets = [rng.uniform(0, shape.interval) for _ in members]
        await asyncio.gather(
            *(m.act(until, shape.interval, o) for m, o in zip(members, offsets, strict=True))
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while room.unmatched:
                    await asyncio.sleep(_PROBE_INTERVAL)
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        tally.errors[type(exc).__name__] += 1
        gate.arrive(number)
    finally:
        if room.unmatched:
            tally.lost += room.unmatched
        for member in members:
            await member.ws.close()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


async def run_relay_load(
    base: str, shape: LoadShape, tally: Tally, gate: Gate, slots: range
) -> None:
    rngs = _slot_rngs(shape)
    await asyncio.gather(*(_relay_room(base, n, shape, tally, rngs[n], gate) for n in slots))


# --- the server process --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Spawned:
    base: str
    pid: int
    log: Path  # its output so far


@contextlib.contextmanager
def spawn_server(
    baseline: bool, env: dict[str, str] | None = None, log_to: Path | None = None
) -> Iterator[Spawned]:
    """`policymaker serve` (or the relay) on a free loopback port, a fresh SQLite database.

    `env` is added to the server's environment; its output is copied to `log_to` at the end.
    """
    workdir = Path(tempfile.mkdtemp(prefix="pm-bench-"))
    port = free_port()
    if baseline:
        command = [sys.executable, str(BASELINE_APP), "--port", str(port)]
    else:
        policymaker = Path(sys.executable).parent / "policymaker"
        command = [str(policymaker), "serve", "--host", "127.0.0.1", "--port", str(port)]
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    environment.pop("SECRET_KEY", None)
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(
        command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, proc, workdir)
        yield Spawned(base, proc.pid, workdir / "server.log")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_WAIT)
        log.close()
        if log_to is not None:
            shutil.copyfile(workdir / "server.log", log_to)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + HEALTH_WAIT
    with httpx.Client(base_url=base, timeout=2.0) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                output = (workdir / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{output}")
            with contextlib.suppress(httpx.TransportError):
                if http.get("/healthz").status_code == 200:
                    return
            time.sleep(_PROBE_INTERVAL)  # polling the health endpoint
    raise RuntimeError("the server never became healthy")


class ProcessWatch:
    """The server's resident memory (peak) and CPU time, read from /proc/<pid>."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.peak_rss_kb = 0
        self._cpu0 = 0.0
        self._wall0 = 0.0
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0

    def _cpu(self) -> float:
        if self.pid is None:
            return 0.0
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def _rss_kb(self) -> int:
        if self.pid is None:
            return 0
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def begin(self) -> None:
        self._cpu0, self._wall0 = self._cpu(), time.perf_counter()

    def sample(self) -> None:
        with contextlib.suppress(OSError):
            self.peak_rss_kb = max(self.peak_rss_kb, self._rss_kb())

    def end(self) -> None:
        with contextlib.suppress(OSError):
            self.cpu_seconds = self._cpu() - self._cpu0
        self.wall_seconds = time.perf_counter() - self._wall0

    async def watch(self, every: float = 0.5) -> None:
        while True:
            self.sample()
            await asyncio.sleep(every)


# --- running and reporting -----------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


async def _loop_lag(samples: list[float], moments: list[float], until: float) -> None:
    """How late this process's own event loop wakes up (the load generator's headroom),
    and when: a late answer may be the load generator's own pause, not the server's."""
    while time.perf_counter() < until:
        before = time.perf_counter()
        await asyncio.sleep(0.1)
        woke = time.perf_counter()
        samples.append(woke - before - 0.1)
        moments.append(woke)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection in the load generator while it measures.

    A full collection walks every bot's game state: at 100 tables that stopped this
    process for 150 to 200 ms a few times a minute, and the young ones for up to 30 ms;
    every intent in flight then was timed as if the server had been that slow (the p99
    spikes lined up with them). The bots make little cyclic garbage (about 12,000
    objects a minute at 100 tables), which is collected once the window closes.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class Part:
    """What one load process measured: its clients' tally, its loop's lag (and when each
    was measured), its CPU time."""

    tally: Tally
    lag: list[float]
    lag_at: list[float]
    cpu_seconds: float


async def _drive(
    base: str,
    shape: LoadShape,
    baseline: bool,
    gate: Gate,
    slots: range,
    setup: float,
    watch: ProcessWatch | None,
) -> Part:
    """Play `slots` until the window closes and the last answers are in."""
    load = run_relay_load if baseline else run_game_load
    runner = asyncio.create_task(load(base, shape, gate.tally, gate, slots))
    lag: list[float] = []
    lag_at: list[float] = []
    try:
        # Bounded: setting up, the window itself, then draining.
        async with asyncio.timeout(setup):
            await gate.opened.wait()
        if watch is not None:
            watch.begin()
        own0 = os.times()
        async with asyncio.timeout(shape.duration + 4 * DRAIN_SECONDS + 30):
            with _no_collections():
                await _loop_lag(lag, lag_at, gate.tally.window[1])
            if watch is not None:
                watch.end()
            own1 = os.times()
            await runner
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    return Part(gate.tally, lag, lag_at, own1.user + own1.system - own0.user - own0.system)


async def measure(
    base: str,
    shape: LoadShape,
    baseline: bool,
    pid: int | None,
    setup: float,
    minutes: bool = False,
    samples: bool = False,
) -> dict[str, Any]:
    """Run the load against a server at `base`; the report as a JSON-ready dict.

    With `minutes`, also the latency per minute of the window and the window's bounds
    (perf_counter, the same clock in every process), for a long run (bench/soak.py).
    With `samples`, every intent's latency in ms and when it was taken (bench/burst.py).
    """
    shape.check()
    watch = ProcessWatch(pid)
    watcher = asyncio.create_task(watch.watch())
    try:
        if shape.workers == 1:
            gate = Gate(shape.tables, shape.duration, Tally())
            parts = [await _drive(base, shape, baseline, gate, range(shape.tables), setup, watch)]
        else:
            parts = await _split(base, shape, baseline, setup, watch)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    tally = parts[0].tally
    for part in parts[1:]:
        tally.add(part.tally)
    lag = [x for part in parts for x in part.lag]
    own_cpu = sum(part.cpu_seconds for part in parts)
    report = _report(shape, baseline, tally, watch, lag, own_cpu)
    if minutes or samples:
        report["window"] = list(tally.window)
    if minutes:
        report["per_minute"] = per_minute(tally)
        report["loadgen_lag_ms_max"] = round(max(lag, default=0.0) * 1000, 2)
        start = tally.window[0]
        lag_at = [at for part in parts for at in part.lag_at]
        # In seconds from the window's start, ms: what a long run's tail can be laid
        # against the server's own loop pauses (bench/soak.py).
        report["loadgen_pauses"] = [
            [round(at - start, 3), round(late * 1000, 1)]
            for late, at in zip(lag, lag_at, strict=True)
            if late * 1000 >= LOADGEN_PAUSE_MS
        ]
        slowest = heapq.nlargest(SLOWEST, zip(tally.latencies, tally.latency_at, strict=True))
        report["slowest"] = [
            [round(at - start, 3), round(latency * 1000, 1)] for latency, at in slowest
        ]
    if samples:
        report["samples"] = [
            [at, latency * 1000]
            for latency, at in zip(tally.latencies, tally.latency_at, strict=True)
        ]
    return report


def per_minute(tally: Tally) -> list[dict[str, Any]]:
    """Latency by minute of the window (those answered in the drain after it count in the
    last): where in a long run the tail comes from."""
    start = tally.window[0]
    buckets: dict[int, list[float]] = {}
    for latency, moment in zip(tally.latencies, tally.latency_at, strict=True):
        buckets.setdefault(int((moment - start) // 60), []).append(latency * 1000)
    return [
        {
            "minute": minute,
            "intents": len(ms),
            "p50": round(percentile(ms, 50), 2),
            "p99": round(percentile(ms, 99), 2),
            "max": round(max(ms), 2),
        }
        for minute, ms in sorted(buckets.items())
    ]


# --- several load processes ----------------------------------------------------------------


async def _split(
    base: str, shape: LoadShape, baseline: bool, setup: float, watch: ProcessWatch
) -> list[Part]:
    """`shape.workers` processes, each playing every n-th table slot in one shared window."""
    context = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    pipes: list[multiprocessing.connection.Connection] = []
    workers: list[multiprocessing.process.BaseProcess] = []

    async def answer(pipe: multiprocessing.connection.Connection) -> Any:
        try:
            return await loop.run_in_executor(None, pipe.recv)
        except (EOFError, OSError) as exc:
            raise RuntimeError("a load process exited before it reported") from exc

    try:
        for index in range(shape.workers):
            ours, theirs = context.Pipe()
            slots = range(index, shape.tables, shape.workers)
            worker = context.Process(
                target=_worker, args=(base, shape, baseline, slots, setup, theirs), daemon=True
            )
            worker.start()
            theirs.close()
            pipes.append(ours)
            workers.append(worker)
        async with asyncio.timeout(setup):
            for pipe in pipes:
                await answer(pipe)  # seated and connected
        start = time.perf_counter()
        for pipe in pipes:
            pipe.send(start)
        watch.begin()
        async with asyncio.timeout(shape.duration + 4 * DRAIN_SECONDS + 60):
            # The server's CPU is measured over the window, as with one process.
            await asyncio.sleep(max(0.0, start + shape.duration - time.perf_counter()))
            watch.end()
            parts: list[Part] = [await answer(pipe) for pipe in pipes]
        return parts
    finally:
        for process in workers:
            process.join(timeout=STOP_WAIT)
            if process.is_alive():
                process.kill()
                process.join()
        for pipe in pipes:
            pipe.close()


def _worker(
    base: str,
    shape: LoadShape,
    baseline: bool,
    slots: range,
    setup: float,
    pipe: multiprocessing.connection.Connection,
) -> None:
    """One load process: say when its tables are ready, open at the parent's moment, report."""
    pipe.send(_run_loop(_work(base, shape, baseline, slots, setup, pipe)))


async def _work(
    base: str,
    shape: LoadShape,
    baseline: bool,
    slots: range,
    setup: float,
    pipe: multiprocessing.connection.Connection,
) -> Part:
    loop = asyncio.get_running_loop()
    gate = Gate(len(slots), shape.duration, Tally(), ready=lambda: pipe.send("ready"))

    async def opener() -> None:
        gate.open(await loop.run_in_executor(None, pipe.recv))

    opening = asyncio.create_task(opener())
    try:
        return await _drive(base, shape, baseline, gate, slots, setup, None)
    finally:
        opening.cancel()


def _report(
    shape: LoadShape,
    baseline: bool,
    tally: Tally,
    watch: ProcessWatch,
    lag: list[float],
    own_cpu: float,
) -> dict[str, Any]:
    # With several load processes their CPU adds up (it may pass 100 %) and the lag is
    # the worst of theirs.
    ms = [x * 1000 for x in tally.latencies]
    duration = shape.duration
    cpu = watch.cpu_seconds / watch.wall_seconds * 100 if watch.wall_seconds else None
    return {
        "target": "baseline" if baseline else "game",
        "shape": {
            "tables": shape.tables,
            "players": shape.players,
            "interval": shape.interval,
            "duration": shape.duration,
            "workers": shape.workers,
        },
        "latency_ms": {
            "p50": round(percentile(ms, 50), 2),
            "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2),
            "max": round(max(ms, default=0.0), 2),
        },
        "samples": len(ms),
        "sent": tally.sent,
        "accepted_per_s": round(tally.accepted / duration, 1),
        "delivered_per_s": round(tally.delivered / duration, 1),
        "frames_per_s": round(tally.frames / duration, 1),
        "mb_per_s": round(tally.bytes / duration / 1e6, 2),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "rejected": sum(tally.rejected.values()),
        "rejected_kinds": dict(tally.rejected),
        "idle_ticks": tally.idle,
        "late_ticks": tally.late,
        "lost": tally.lost,
        "duplicated": tally.duplicated,
        "games_started": tally.games_started,
        "games_ended": tally.games_ended,
        "rss_mb": round(watch.peak_rss_kb / 1024, 1) if watch.pid else None,
        "cpu_percent": round(cpu, 1) if watch.pid and cpu is not None else None,
        "loadgen_cpu_percent": round(own_cpu / (duration + 1e-9) * 100, 1),
        "loadgen_lag_ms_p99": round(percentile([x * 1000 for x in lag], 99), 2),
        # Other work on the machine during the run skews every figure: say how much.
        "loadavg_1m": _loadavg(),
    }


def _loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run(
    shape: LoadShape,
    url: str | None,
    spawn: bool,
    baseline: bool,
    pid: int | None = None,
    pin: bool = False,
) -> dict[str, Any]:
    """The whole benchmark: spawn the server if asked, load it, stop it."""
    shape.check()
    if spawn:
        with spawn_server(baseline) as spawned:
            return measured(spawned.base, shape, baseline, spawned.pid, pin)
    if url is None:
        raise ValueError("name a running server with --url, or use --spawn-server")
    _loopback_only(url)
    if pin and pid is None:
        raise ValueError("--pin with --url needs the server's --pid")
    return measured(url.rstrip("/"), shape, baseline, pid, pin)


def measured(
    base: str,
    shape: LoadShape,
    baseline: bool,
    server: int | None,
    pin: bool,
    minutes: bool = False,
) -> dict[str, Any]:
    """One load run against the server at `base` (process `server`), pinned if asked."""
    with pinned(server if pin else None) as cpus:
        report = _run_loop(measure(base, shape, baseline, server, shape.setup_seconds, minutes))
        return {**report, "pinned": cpus}


@contextlib.contextmanager
def pinned(server: int | None) -> Iterator[dict[str, list[int]] | None]:
    """Run the server (process id `server`) on one CPU and this load generator, with the
    load processes it starts, on the others, until the block ends; nothing if None.

    Unpinned, the scheduler moves the server's thread and the load's onto the same core
    now and then, and the server's latency near its limit shows those moments rather
    than its own work (bench/RESULTS.md, session 9).
    """
    if server is None:
        yield None
        return
    mine = os.sched_getaffinity(0)
    cpus = sorted(mine)
    if len(cpus) < 2:
        raise ValueError("--pin needs at least two CPUs")
    server_cpus, load_cpus = {cpus[0]}, set(cpus[1:])
    try:
        _set_affinity(server, server_cpus)
        _set_affinity(os.getpid(), load_cpus)
    except OSError as exc:
        raise ValueError(f"cannot pin process {server}: {exc}") from exc
    try:
        yield {"server": sorted(server_cpus), "load": sorted(load_cpus)}
    finally:
        _set_affinity(os.getpid(), mine)


def _set_affinity(pid: int, cpus: set[int]) -> None:
    """Every thread of the process: an affinity set on a process id binds only its first
    thread, and the server's collector thread is started before it is pinned."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):  # a thread that has just ended
            os.sched_setaffinity(int(task.name), cpus)


def _run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run the load on uvloop, as the server runs: the standard loop's own Python (its
    selector and handles) was a fifth of the load generator's time."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def _loopback_only(url: str) -> None:
    host = httpx.URL(url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the benchmark only drives a server on this machine (loopback)")


def compare(game: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    """Each figure of the game server as a multiple of the bare relay's."""

    def ratio(x: float | None, y: float | None) -> float | None:
        return round(x / y, 2) if x is not None and y else None

    out: dict[str, float | None] = {
        f"latency_{k}": ratio(game["latency_ms"][k], base["latency_ms"][k])
        for k in ("p50", "p95", "p99", "max")
    }
    for key in ("accepted_per_s", "delivered_per_s", "mb_per_s", "rss_mb", "cpu_percent"):
        out[key] = ratio(game[key], base[key])
    return out


def format_report(report: dict[str, Any]) -> str:
    lat = report["latency_ms"]
    shape = report["shape"]
    lines = [
        f"{report['target']}: {shape['tables']} tables × {shape['players']} players, "
        f"one intent every {shape['interval']} s for {shape['duration']} s, "
        f"{shape['workers']} load process(es)",
        f"  latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}"
        f"  ({report['samples']} intents)",
        f"  accepted/s {report['accepted_per_s']}  delivered/s {report['delivered_per_s']}"
        f"  frames/s {report['frames_per_s']}  MB/s {report['mb_per_s']}",
        f"  errors {report['errors']} {report['error_kinds'] or ''}  rejected "
        f"{report['rejected']} {report['rejected_kinds'] or ''}  lost {report['lost']}  "
        f"duplicated {report['duplicated']}",
        f"  idle ticks {report['idle_ticks']}  late ticks {report['late_ticks']}  games "
        f"{report['games_started']} started, {report['games_ended']} ended",
        f"  server: RSS {report['rss_mb']} MB peak, CPU {report['cpu_percent']} %;"
        f"  load generator: CPU {report['loadgen_cpu_percent']} %, loop lag p99 "
        f"{report['loadgen_lag_ms_p99']} ms; machine load average {report['loadavg_1m']}",
    ]
    if report.get("pinned"):
        cpus = report["pinned"]
        lines.append(f"  pinned: server on CPU {cpus['server']}, load on CPU {cpus['load']}")
    return "\n".join(lines)
