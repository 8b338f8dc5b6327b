"""Several `policymaker serve` processes sharing one PostgreSQL and one Redis.

PostgreSQL comes from TEST_DATABASE_URL (emptied by `pg_url`), Redis from TEST_REDIS_URL
(its `policymaker:*` keys removed). Without them the tests skip, unless REQUIRE_SERVICES=1.
Every instance gets the same secret key, so a seat token works on each of them.
`own_cluster` does the same on a PostgreSQL and a Redis of the test's own
(tests/integration/services.py), which the outage tests stop and start again.
`split_table` is the workshop most of these tests play: made through the first
instance, with a facilitator client on each.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.server import POLICYMAKER, SCENARIOS, Facilitator, Server
from tests.integration.services import PostgresService, RedisService

# Fast failover for tests: a dead instance's tables are taken over within about a second.
FAST = {"LEASE_SECONDS": "1.5", "SYNC_SECONDS": "0.3"}
# Waiting on a whole bot game (with a failover in it) on a slow machine.
GAME_TIMEOUT = 180.0


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """TEST_REDIS_URL, without any key a previous run of the server left."""
    from redis.asyncio import Redis

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        _missing("TEST_REDIS_URL is not set")
        raise AssertionError("unreachable")
    client = Redis.from_url(url, socket_connect_timeout=3)
    try:
        try:
            await client.ping()
        except Exception as exc:  # redis.ConnectionError is not an OSError
            _missing(f"Redis at TEST_REDIS_URL is unreachable: {exc}")
        await _clear(client)
        yield url
        await _clear(client)
    finally:
        await client.aclose()


async def _clear(client: Any) -> None:
    keys = [k async for k in client.scan_iter("policymaker:*")]
    if keys:
        await client.delete(*keys)


Cluster = Callable[..., list[Server]]


def _instances(database_url: str, redis_url: str, tmp_path: Path) -> tuple[Cluster, list[Server]]:
    """A starter of instances on one database and Redis, and the list of those started."""
    started: list[Server] = []
    key = secrets.token_urlsafe(32)

    def start(n: int = 2, **env: str) -> list[Server]:
        servers = []
        for _ in range(n):
            workdir = tmp_path / f"instance-{len(started) + 1}"
            (workdir / "data").mkdir(parents=True)
            (workdir / "data" / "secret.key").write_text(key)
            server = Server(
                workdir,
                env={"DATABASE_URL": database_url, "REDIS_URL": redis_url, **FAST, **env},
            )
            started.append(server)
            servers.append(server.start())
        return servers

    return start, started


@pytest.fixture
def cluster(pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[Cluster]:
    """Start `n` instances on one PostgreSQL and one Redis; all stopped at the end."""
    start, started = _instances(pg_url, redis_url, tmp_path)
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def own_cluster(
    own_postgres: PostgresService, own_redis: RedisService, tmp_path: Path
) -> Iterator[Cluster]:
    """`cluster` on a PostgreSQL and a Redis of this test's own, to stop mid-game."""
    start, started = _instances(own_postgres.url, own_redis.url, tmp_path)
    yield start
    for server in started:
        server.stop()


@dataclass
class SplitTable:
    """One workshop seen through two instances: its facilitator on each."""

    a: Server
    b: Server
    http_a: httpx.AsyncClient
    http_b: httpx.AsyncClient
    fac: Facilitator  # through a
    fac_b: Facilitator  # the same workshop through b


@asynccontextmanager
async def split_table(a: Server, b: Server, **workshop: Any) -> AsyncIterator[SplitTable]:
    """A workshop made through `a` (`workshop`: its request's fields), with an HTTP client
    and a facilitator on each instance."""
    async with (
        httpx.AsyncClient(base_url=a.base, timeout=30) as http_a,
        httpx.AsyncClient(base_url=b.base, timeout=30) as http_b,
    ):
        fac = await Facilitator.create(http_a, **workshop)
        fac_b = Facilitator(http_b, fac.workshop_id, fac.token, fac.tables)
        yield SplitTable(a, b, http_a, http_b, fac, fac_b)


def quick_timers(folder: Path, seconds: int = 10) -> Path:
    """The default scenario with every round's timer at `seconds` (the shortest allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SCENARIOS / "school-committee.yaml").read_text(encoding="utf-8")
    quick = re.sub(r"timer_seconds: \d+", f"timer_seconds: {seconds}", text)
    (folder / "school-committee.yaml").write_text(quick, encoding="utf-8")
    return folder


async def run_cli(*args: str, timeout: float = GAME_TIMEOUT) -> tuple[int, str, str]:
    """`policymaker ARGS` in a child process; exit code, stdout, stderr."""
    proc = await asyncio.create_subprocess_exec(
        str(POLICYMAKER),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        print(err.decode(errors="replace"), file=sys.stderr)
        raise
    return proc.returncode or 0, out.decode(), err.decode()


async def poll(probe: Callable[[], Any], test: Callable[[Any], bool], attempts: int = 600) -> Any:
    """Call the async `probe` until `test` passes on its answer (bounded, ~30 s)."""
    value = None
    for _ in range(attempts):
        value = await probe()
        if test(value):
            return value
        await asyncio.sleep(0.05)  # polling a server's state, not a race
    raise AssertionError(f"never reached; last answer: {value!r}")
