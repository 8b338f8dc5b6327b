"""Limits: a token bucket per connection, a sliding window per address, a body size.

They protect the server from one noisy client (a stuck retry loop, someone guessing join
codes); they are not a quota system. The message rate belongs to one websocket, so it is
kept in memory. Attempts per address (wrong join codes) are counted in Redis when the
server has one (`SharedAttempts`): behind N instances an address then gets one allowance,
not N. Without Redis, or while it is unreachable, each instance counts on its own.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("policymaker.limits")


class TokenBucket:
    """`rate` messages a second on average, bursts of up to `burst`."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class SlidingWindow:
    """At most `limit` attempts per key within `seconds`."""

    def __init__(
        self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        return hits

    def full(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def hit(self, key: str) -> None:
        now = self.clock()
        self._recent(key).append(now)
        if len(self._hits) > 10_000:  # forget idle addresses so the map cannot grow forever
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.seconds}


class Attempts(Protocol):
    """At most `limit` attempts per key (an address) within `seconds`."""

    limit: int

    async def full(self, key: str) -> bool: ...

    async def hit(self, key: str) -> None: ...

    async def close(self) -> None: ...


class LocalAttempts:
    """Counted by this process alone: the embedded server, or the fallback without Redis."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.window = SlidingWindow(limit, seconds)

    async def full(self, key: str) -> bool:
        return self.window.full(key)

    async def hit(self, key: str) -> None:
        self.window.hit(key)

    async def close(self) -> None:
        pass


class SharedAttempts:
    """Counted in Redis, one sorted set of attempt times per key, shared by every instance.

    A request must not wait on a Redis that has gone away: its commands time out after
    `REDIS_TIMEOUT`, and after a failure Redis is left alone for `RETRY_SECONDS`, so at
    most one request in that time waits on it. Meanwhile the attempts are counted in this
    process (`LocalAttempts`), as a single instance would.
    """

    REDIS_TIMEOUT = 0.5
    RETRY_SECONDS = 5.0

    def __init__(self, url: str, name: str, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.prefix = f"policymaker:limit:{name}:"
        self.redis = Redis.from_url(
            url, socket_timeout=self.REDIS_TIMEOUT, socket_connect_timeout=self.REDIS_TIMEOUT
        )
        self.local = LocalAttempts(limit, seconds)
        self._down = False
        self._retry_at = 0.0

    async def full(self, key: str) -> bool:
        if self._resting():
            return await self.local.full(key)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(self.prefix + key, 0, time.time() - self.seconds)
                pipe.zcard(self.prefix + key)
                _, count = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return await self.local.full(key)
        self._reachable()
        return int(count) >= self.limit

    async def hit(self, key: str) -> None:
        await self.local.hit(key)  # so a Redis outage does not reset the count to zero
        if self._resting():
            return
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                # A unique member per attempt: two attempts in one clock tick both count.
                pipe.zadd(self.prefix + key, {uuid.uuid4().hex: now})
                pipe.expire(self.prefix + key, int(self.seconds) + 1)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return
        self._reachable()

    async def close(self) -> None:
        await self.redis.aclose()

    def _resting(self) -> bool:
        return self._down and time.monotonic() < self._retry_at

    def _unreachable(self, exc: Exception) -> None:
        if not self._down:
            log.warning("Redis unreachable, limits counted per instance: %s", exc)
        self._down = True
        self._retry_at = time.monotonic() + self.RETRY_SECONDS

    def _reachable(self) -> None:
        if self._down:
            log.info("Redis back: limits shared between instances again")
        self._down = False


def attempts(redis_url: str | None, name: str, limit: int, seconds: float) -> Attempts:
    if redis_url:
        return SharedAttempts(redis_url, name, limit, seconds)
    return LocalAttempts(limit, seconds)


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413 before the application reads them.

    A declared Content-Length is trusted (the HTTP server never delivers more than it
    says); a body without one (chunked) is read up to the limit here and handed on.
    Pure ASGI, so websockets pass untouched.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None:
            if length > self.max_bytes:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await self._refuse(send)
                return
            body.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        # No `Connection: close`: uvicorn then closes at once, with the rest of the body
        # unread, and a client still sending it sees a reset instead of this answer.
        detail = f"a request body may be at most {self.max_bytes // (1024 * 1024)} MiB"
        content = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
