"""Rate limits: a token bucket per connection, a sliding window per address.

In memory and per process: they protect one server from one noisy client, which is the
threat here (a stuck retry loop, someone guessing join codes); they are not a quota system.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


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
