"""Who runs a table's clock and its server-side bots when several instances load it.

Correctness does not depend on it: two instances firing the same end of phase are
serialised by the log (the loser's is refused as stale). But a bot deciding twice on two
instances would act twice, and doubled timers waste appends, so exactly one instance at a
time owns each table: it holds a Redis key `policymaker:lease:{table}` = its instance id,
set with NX and a time to live, renewed every housekeeping tick. An instance that dies
stops renewing; after at most `ttl` seconds any other instance that has the room loaded
takes the lease over, folds the log and arms the timer at the deadline recorded there (a
deadline already past fires at once), so a table's clock outlives its instance.

Redis rather than a PostgreSQL advisory lock: an advisory lock lives on one dedicated
connection per table, and thousands of tables would need thousands of connections; a
Redis key is a few bytes, and expiry is exactly the failure detector wanted here.

Without Redis there is one instance, and it owns every table (`LocalLeases`).
"""

from __future__ import annotations

from typing import Any, Protocol

PREFIX = "policymaker:lease:"

# Renew only our own lease: another instance may hold it after ours expired.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Leases(Protocol):
    async def acquire(self, table_id: str) -> bool:
        """Take the table's lease if nobody holds it; whether we hold it now."""

    async def renew(self, table_id: str) -> bool:
        """Extend our lease; False if it lapsed (someone else may hold it)."""

    async def release(self, table_id: str) -> None: ...

    async def unowned(self, table_ids: list[str]) -> list[str]:
        """Those of the tables whose lease nobody holds (an instance died, or none loaded it)."""


class LocalLeases:
    """One instance owns everything."""

    async def acquire(self, table_id: str) -> bool:
        return True

    async def renew(self, table_id: str) -> bool:
        return True

    async def release(self, table_id: str) -> None:
        return None

    async def unowned(self, table_ids: list[str]) -> list[str]:
        return []  # this instance loads every running table at start


class RedisLeases:
    def __init__(self, redis: Any, instance: str, ttl: float) -> None:
        self.redis = redis
        self.instance = instance
        self.ttl_ms = max(1, int(ttl * 1000))

    async def acquire(self, table_id: str) -> bool:
        key = PREFIX + table_id
        if await self.redis.set(key, self.instance, nx=True, px=self.ttl_ms):
            return True
        held = await self.redis.get(key)
        return bool(held is not None and held.decode() == self.instance)

    async def renew(self, table_id: str) -> bool:
        renewed = await self.redis.eval(_RENEW, 1, PREFIX + table_id, self.instance, self.ttl_ms)
        return bool(renewed)

    async def release(self, table_id: str) -> None:
        await self.redis.eval(_RELEASE, 1, PREFIX + table_id, self.instance)

    async def unowned(self, table_ids: list[str]) -> list[str]:
        if not table_ids:
            return []
        held = await self.redis.mget([PREFIX + t for t in table_ids])
        return [t for t, h in zip(table_ids, held, strict=True) if h is None]
