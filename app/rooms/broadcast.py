"""Fan-out between server instances: who appended what, and who is connected where.

One instance (the default) needs none of it: the room fans out to its own connections.
Several instances behind a load balancer share each table's log in PostgreSQL; when one
appends, the others learn it here and fold the new records from the log themselves
(`Room.catch_up`), so a notice carries no events, only `{table, seq, instance}`. That
keeps the log the only source of events: a lost notice costs a delay, never an event,
because every instance also polls the log of its rooms (`RoomManager`'s housekeeping)
and catches up all its rooms whenever its subscription (re)connects.

Presence (which seats have a live socket on which instance) travels the same way, so a
facilitator's overview and each table's "online" marks are right whichever instance
serves them. It is soft state: re-announced every heartbeat and forgotten when an
instance stops announcing (a killed instance's players drop off after `PRESENCE_TTL`).

Redis is an accelerator, never a dependency of correctness: while it is away
(`RedisBroadcast.live` is False, and /healthz says `"redis": "down"`) notices are dropped
unsent and every instance polls the log of its rooms more often (`RoomManager`), so the
others' appends reach its players within `FALLBACK_POLL_SECONDS` instead of at once.
When the subscription is back, every room catches up once and notices flow again.

Why one channel for every table rather than one per table: an instance subscribes once,
never has to track subscriptions as rooms load and unload, and a reconnect has one thing
to restore. Every instance then reads every notice (a few dozen bytes each), which is
cheap at the scale of docs/operations.md; past it, shard the channel by table id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("policymaker.broadcast")

CHANNEL = "policymaker:tables"
# A presence announcement is trusted this long; instances re-announce every heartbeat.
PRESENCE_TTL = 15.0
# Notices waiting to be published; past this (Redis gone), new ones are dropped: the
# other instances' polls heal what they miss.
PUBLISH_QUEUE = 10_000
# While Redis is away, each instance polls its rooms' logs this often (at most).
FALLBACK_POLL_SECONDS = 0.5
# The longest wait between attempts to subscribe again: how late a returning Redis is
# noticed, at most.
RECONNECT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Notice:
    """One message between instances: a table's new last seq, the seats connected, or
    that the table was removed (its workshop deleted)."""

    table: str
    instance: str
    seq: int | None = None
    seats: tuple[str, ...] | None = None
    removed: bool = False

    def encode(self) -> str:
        body: dict[str, Any] = {"t": self.table, "i": self.instance}
        if self.seq is not None:
            body["s"] = self.seq
        if self.seats is not None:
            body["p"] = list(self.seats)
        if self.removed:
            body["r"] = 1
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str | bytes) -> Notice:
        body = json.loads(raw)
        seats = body.get("p")
        return cls(
            table=str(body["t"]),
            instance=str(body["i"]),
            seq=int(body["s"]) if "s" in body else None,
            seats=tuple(str(s) for s in seats) if seats is not None else None,
            removed=bool(body.get("r")),
        )


OnNotice = Callable[[Notice], Awaitable[None]]
OnConnected = Callable[[], Awaitable[None]]


class Broadcast(Protocol):
    instance: str
    shared: bool  # True when other instances may share our tables

    @property
    def live(self) -> bool:
        """Whether notices reach the other instances now (always, for one instance)."""

    async def start(self, on_notice: OnNotice, on_connected: OnConnected) -> None:
        """Begin listening; on_connected runs after every (re)subscription."""

    def publish(self, notice: Notice) -> None:
        """Queue a notice for the other instances; never waits, never raises."""

    async def close(self) -> None: ...


class LocalBroadcast:
    """One process: the room already fans out to every connection there is."""

    shared = False
    live = True

    def __init__(self) -> None:
        self.instance = uuid.uuid4().hex[:12]

    async def start(self, on_notice: OnNotice, on_connected: OnConnected) -> None:
        return None

    def publish(self, notice: Notice) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBroadcast:
    """Redis pub/sub: fire-and-forget notices on one channel."""

    shared = True

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.instance = uuid.uuid4().hex[:12]
        # health_check_interval: a silently dead subscription (a Redis restart behind a
        # proxy) is noticed within seconds, and the reconnect triggers a full catch-up.
        self.redis = Redis.from_url(url, health_check_interval=5, socket_connect_timeout=3)
        self._queue: asyncio.Queue[Notice] = asyncio.Queue(PUBLISH_QUEUE)
        self._tasks: list[asyncio.Task[None]] = []
        # Down until the first subscription is confirmed; see `live`.
        self._subscribed = False
        self._published = True

    async def start(self, on_notice: OnNotice, on_connected: OnConnected) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(on_notice, on_connected)),
            asyncio.create_task(self._publish_loop()),
        ]

    @property
    def live(self) -> bool:
        """Subscribed, and the last publish (if any since) went through."""
        return self._subscribed and self._published

    def publish(self, notice: Notice) -> None:
        if not self._subscribed:
            return  # Redis away: the others poll the log meanwhile, and catch up after
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(notice)

    def _set_down(self, why: str, error: Exception) -> None:
        # One line when Redis goes away, not one per notice or reconnect attempt.
        if self.live:
            log.warning("redis unavailable", extra={"why": why, "error": str(error)})
        if why == "subscription lost":
            self._subscribed = False
        else:
            self._published = False

    async def _publish_loop(self) -> None:
        while True:
            notice = await self._queue.get()
            if not self._subscribed:
                continue  # queued before Redis went away: dropped like the rest
            try:
                await self.redis.publish(CHANNEL, notice.encode())
            except Exception as exc:  # dropped; polls and the reconnect's catch-up heal
                self._set_down("publish failed", exc)
            else:
                self._published = True

    async def _listen(self, on_notice: OnNotice, on_connected: OnConnected) -> None:
        backoff = 0.1
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    backoff = 0.1
                    if message["type"] == "subscribe":
                        # Also after redis-py's own silent reconnects, which resubscribe:
                        # whatever was published meanwhile is lost, so read the log.
                        if not self.live:
                            log.info("redis available")
                        self._subscribed = self._published = True
                        await on_connected()
                    elif message["type"] == "message":
                        notice = Notice.decode(message["data"])
                        if notice.instance != self.instance:
                            await on_notice(notice)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._set_down("subscription lost", exc)
                await asyncio.sleep(backoff)  # back off before reconnecting
                backoff = min(RECONNECT_SECONDS, backoff * 2)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.redis.aclose()


class Presence:
    """Which seats other instances have connected, per table, as last announced."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._seen: dict[str, dict[str, tuple[frozenset[str], float]]] = {}

    def update(self, notice: Notice) -> bool:
        """Record an announcement; whether the table's remote seats changed."""
        assert notice.seats is not None
        before = self.online(notice.table)
        by_instance = self._seen.setdefault(notice.table, {})
        by_instance[notice.instance] = (frozenset(notice.seats), self.clock() + PRESENCE_TTL)
        return self.online(notice.table) != before

    def online(self, table: str) -> set[str]:
        now = self.clock()
        by_instance = self._seen.get(table, {})
        for instance in [i for i, (_, until) in by_instance.items() if until < now]:
            del by_instance[instance]
        return {seat for seats, _ in by_instance.values() for seat in seats}


def make_broadcast(redis_url: str | None) -> Broadcast:
    return RedisBroadcast(redis_url) if redis_url else LocalBroadcast()
