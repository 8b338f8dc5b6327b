"""Redis is an accelerator, never a dependency of correctness.

One table split across two instances (three bots play through A, two through B), on a
PostgreSQL and a Redis of the test's own. Redis is killed mid-game: the instances go on
serving the table from the event log (each polls it, app/rooms/manager.py), its clock
keeps a single owner (the lease is a PostgreSQL advisory lock, app/rooms/lease.py), and
the game ends with one digest everywhere. Restarted, Redis carries the notices again.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from app.engine.state import state_digest
from app.store import repo
from app.store.db import make_engine
from tests.integration.scaleout import (
    Cluster,
    SplitTable,
    own_cluster,
    poll,
    run_cli,
    split_table,
)
from tests.integration.server import Player, full_rules, replay
from tests.integration.services import PostgresService, RedisService, own_postgres, own_redis

__all__ = ["own_cluster", "own_postgres", "own_redis"]  # fixtures, imported to be found

# Mid-game: well past the start (seq 1-2), well before the end (about 200 records).
OUTAGE_AT_SEQ = 25
GAME_TIMEOUT = 180.0


def bots(table: SplitTable, tmp_path: Path) -> list[asyncio.Task[tuple[int, str, str]]]:
    """Three seats play through A, two through B (each moving on if its own fails)."""
    a, b = table.a.base, table.b.base
    common = ["--code", table.fac.code(), "--think", "0.05", "--json"]
    tasks = []
    for first, other, seats, seed, name in ((a, b, 3, 0, "a"), (b, a, 2, 7, "b")):
        urls = ["--url", first, "--url", other, "--seats", str(seats), "--seed", str(seed)]
        out = ["--events-out", str(tmp_path / f"{name}.json")]
        tasks.append(asyncio.create_task(run_cli("bots", *urls, *out, *common)))
    return tasks


async def finish(table: SplitTable, players: list[asyncio.Task[tuple[int, str, str]]]) -> str:
    """Wait for the bots to end the game; the digest every instance and client agrees on."""
    results = await asyncio.gather(*players)
    for rc, _, err in results:
        assert rc == 0, err[-3000:]
    finals = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in results]
    log = await table.fac_b.log()
    assert [r["seq"] for r in log] == list(range(1, len(log) + 1)), "a gap or a repeat"
    digest = state_digest(replay(full_rules(), log))
    assert {f["digest"] for f in finals} == {digest}
    for fac in (table.fac, table.fac_b):
        (status,) = (await fac.status())["tables"]
        assert status["status"] == "ended", status
        assert (status["digest"], status["seq"]) == (digest, len(log))
    return digest


async def health(http: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (await http.get("/healthz")).json()
    return answer


async def redis_is(table: SplitTable, state: str) -> None:
    """Wait until both instances report Redis so (`down`: serving from the log alone;
    `ok`: subscribed again, and publishing)."""
    for http in (table.http_a, table.http_b):
        await poll(lambda h=http: health(h), lambda body: body["redis"] == state, 600)


async def watch(base: str, code: str, arrivals: dict[int, float]) -> str:
    """A table screen on `base`: when each seq reached it, until the game ends; the
    table's id (its welcome says it)."""
    screen = await Player.connect(base)
    try:
        await screen.send("hello", code=code)
        welcome = await screen.until(lambda f: f["type"] == "welcome")
        while screen.public.get("status") != "ended":
            frame = await screen.recv(GAME_TIMEOUT)
            for event in frame.get("events", []) if frame["type"] == "update" else []:
                arrivals.setdefault(event["seq"], time.time())
    finally:
        await screen.close()
    return str(welcome["table"])


async def delays(
    database_url: str, table_id: str, arrivals: dict[int, float]
) -> list[tuple[int, float]]:
    """Per seq, how long after it was stored it reached the screen."""
    engine = make_engine(database_url)
    try:
        stored = await repo.load_events(engine, table_id)
    finally:
        await engine.dispose()
    return [
        (e.seq, arrivals[e.seq] - e.created_at.timestamp()) for e in stored if e.seq in arrivals
    ]


def report(label: str, lags: list[float]) -> str:
    if not lags:
        return f"{label}: none"
    return (
        f"{label}: {len(lags)} records, median {statistics.median(lags) * 1000:.0f} ms,"
        f" p90 {statistics.quantiles(lags, n=10)[-1] * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms"
    )


async def test_a_split_table_finishes_with_redis_killed_and_left_down(
    own_cluster: Cluster,
    own_redis: RedisService,
    own_postgres: PostgresService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = own_cluster(2)
    async with split_table(a, b, autostart=True) as table:
        await redis_is(table, "ok")
        arrivals: dict[int, float] = {}
        screen = asyncio.create_task(watch(b.base, table.fac.code(), arrivals))
        players = bots(table, tmp_path)
        await poll(table.fac_b.status, lambda s: s["tables"][0]["seq"] >= OUTAGE_AT_SEQ)
        own_redis.kill()
        killed = time.time()
        await redis_is(table, "down")
        await finish(table, players)
        table_id = await asyncio.wait_for(screen, GAME_TIMEOUT)
        # Served without Redis all along, and saying so: a 200, since the instances serve.
        for http in (table.http_a, table.http_b):
            answer = await http.get("/healthz")
            assert answer.status_code == 200
            assert answer.json() == {"status": "ok", "database": "ok", "redis": "down"}
    # How late the table's screen on B saw each record (appended on A or on B), stored
    # before the kill (Redis carrying A's notices) and after (B polling the log).
    lags = await delays(own_postgres.url, table_id, arrivals)
    stored_at = {seq: arrivals[seq] - lag for seq, lag in lags}
    with capsys.disabled():
        print(
            "\nrecords reaching a screen on B, "
            + report("with Redis", [lag for seq, lag in lags if stored_at[seq] < killed])
            + "; "
            + report("Redis down", [lag for seq, lag in lags if stored_at[seq] > killed + 1])
        )


async def test_a_split_table_finishes_with_redis_killed_and_restarted(
    own_cluster: Cluster, own_redis: RedisService, tmp_path: Path
) -> None:
    a, b = own_cluster(2)
    async with split_table(a, b, autostart=True) as table:
        players = bots(table, tmp_path)
        await poll(table.fac_b.status, lambda s: s["tables"][0]["seq"] >= OUTAGE_AT_SEQ)
        own_redis.kill()
        await redis_is(table, "down")
        seq_down = (await table.fac_b.status())["tables"][0]["seq"]
        own_redis.start()  # empty: nothing of the old Redis survives, nothing is needed
        # Back on the fast path: subscribed again and publishing, on both instances.
        await redis_is(table, "ok")
        back = (await table.fac_b.status())["tables"][0]
        assert back["status"] == "running", "Redis must be back before the game ends"
        assert back["seq"] > seq_down, "the table played on while Redis was down"
        await finish(table, players)
