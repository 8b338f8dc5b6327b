"""Who runs a table's clock and its server-side bots when several instances load it.

Correctness does not depend on it: two instances firing the same end of phase are
serialised by the log (the loser's is refused as stale). But a bot deciding twice on two
instances would act twice, and doubled timers waste appends, so exactly one instance at a
time owns each table.

The lease is a PostgreSQL session advisory lock per table (`DatabaseLeases`), all held on
one connection of the instance's own. Why the database and not Redis: the log is in
PostgreSQL, so an instance that cannot reach it cannot act on a table whatever lease it
holds, while a Redis lease made Redis a dependency of every table's clock (a Redis outage
froze leases: nobody could renew, take or hand one over). A lease kept in Redis with a
fallback to the database would be worse than either: the two stores cannot hand a lease
over atomically, so at the moment Redis fails an instance holding the Redis lease and
one taking the database lease would both run the table.

Why an advisory lock rather than a lease row with an expiry: the lock is released by
PostgreSQL itself the moment the holding session ends (an instance killed, its machine
gone: the server's TCP keepalives, set from LEASE_SECONDS, end a silent session), so
there is nothing to renew and no clock to trust, and a row would be a write per table per
tick. One connection holds every lock of the instance (an advisory lock is per session,
not per connection in use), so a thousand tables cost one connection, and each lock one
slot of PostgreSQL's shared lock table (`max_locks_per_transaction` x `max_connections`,
6,400 by default; raise the first past some 5,000 running tables per database). It needs
a direct session: a pooler in transaction mode (PgBouncer) would hand it to others.

An instance that loses its lock connection (PostgreSQL restarted, the network gone) has
lost every lease with it: `held` says so, and the instance stops its clocks and bots until
it takes the leases again (the first instance to ask after PostgreSQL returns gets each).

Without shared tables there is one instance, and it owns every table (`LocalLeases`).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.engine import make_url

# How long connecting to PostgreSQL for the lock session may take before the tick gives up.
CONNECT_SECONDS = 5.0


class Leases(Protocol):
    async def take(self, table_ids: Sequence[str]) -> set[str]:
        """Those of the tables whose lease we hold now (already, or taken just now)."""

    async def held(self) -> set[str]:
        """The leases we still hold: none once the lock session is lost."""

    async def release(self, table_id: str) -> None: ...

    async def close(self) -> None: ...


class LocalLeases:
    """One instance owns everything."""

    async def take(self, table_ids: Sequence[str]) -> set[str]:
        return set(table_ids)

    async def held(self) -> set[str]:
        raise NotImplementedError("one instance holds every table; there is nothing to check")

    async def release(self, table_id: str) -> None:
        return None

    async def close(self) -> None:
        return None


def lock_key(table_id: str) -> int:
    """The table's advisory lock key: 64 bits of a hash, so that two tables practically
    never share one (a shared key would make one table look owned while the other is)."""
    digest = hashlib.blake2b(f"policymaker:lease:{table_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def asyncpg_dsn(database_url: str) -> str:
    """The settings' database URL as asyncpg takes it (no SQLAlchemy driver name)."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class DatabaseLeases:
    """Advisory locks on one PostgreSQL session of this instance's own."""

    def __init__(self, database_url: str, instance: str, lease_seconds: float) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.instance = instance
        # The server ends a silent session (and frees its locks) after about idle +
        # interval x count seconds: LEASE_SECONDS.
        idle = max(1, math.ceil(lease_seconds / 2))
        interval = max(1, math.ceil(lease_seconds / 4))
        self.server_settings = {
            "application_name": f"policymaker-leases-{instance}",
            "tcp_keepalives_idle": str(idle),
            "tcp_keepalives_interval": str(interval),
            "tcp_keepalives_count": "2",
        }
        self._conn: Any = None
        self._held: set[str] = set()
        self._lock = asyncio.Lock()  # one query at a time on the one session

    async def _session(self) -> Any:
        import asyncpg

        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        self._held.clear()  # a new session holds nothing
        self._conn = await asyncpg.connect(
            self.dsn, timeout=CONNECT_SECONDS, server_settings=self.server_settings
        )
        return self._conn

    async def _lost(self) -> None:
        """The session failed: whatever it held is gone (or goes as it closes)."""
        self._held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    async def take(self, table_ids: Sequence[str]) -> set[str]:
        async with self._lock:
            wanted = [t for t in table_ids if t not in self._held]
            if wanted:
                keys = {lock_key(t): t for t in wanted}
                try:
                    conn = await self._session()
                    rows = await conn.fetch(
                        "SELECT k, pg_try_advisory_lock(k) AS got FROM unnest($1::bigint[]) AS k",
                        list(keys),
                    )
                except BaseException:
                    await self._lost()
                    raise
                self._held.update(keys[row["k"]] for row in rows if row["got"])
            return {t for t in table_ids if t in self._held}

    async def held(self) -> set[str]:
        async with self._lock:
            if self._conn is None or self._conn.is_closed():
                await self._lost()
                return set()
            try:
                await self._conn.fetchval("SELECT 1")
            except Exception:
                await self._lost()
                return set()
            return set(self._held)

    async def release(self, table_id: str) -> None:
        async with self._lock:
            if table_id not in self._held:
                return
            self._held.discard(table_id)
            try:
                await self._conn.execute("SELECT pg_advisory_unlock($1)", lock_key(table_id))
            except Exception:
                await self._lost()

    async def close(self) -> None:
        async with self._lock:
            conn, self._conn = self._conn, None
            self._held.clear()
            if conn is not None and not conn.is_closed():
                try:
                    await asyncio.wait_for(conn.close(), CONNECT_SECONDS)
                except Exception:
                    conn.terminate()
