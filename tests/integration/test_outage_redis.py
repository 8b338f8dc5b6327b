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
from pathlib import Path
from typing import Any

from app.engine.state import state_digest
from tests.integration.scaleout import (
    Cluster,
    SplitTable,
    own_cluster,
    poll,
    run_cli,
    split_table,
)
from tests.integration.server import full_rules, replay
from tests.integration.services import RedisService, own_postgres, own_redis

__all__ = ["own_cluster", "own_postgres", "own_redis"]  # fixtures, imported to be found

# Mid-game: well past the start (seq 1-2), well before the end (about 200 records).
OUTAGE_AT_SEQ = 25


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


async def outage_mid_game(table: SplitTable, redis: RedisService) -> None:
    """Kill Redis once the game is well under way and both instances have noticed."""
    await poll(table.fac_b.status, lambda s: s["tables"][0]["seq"] >= OUTAGE_AT_SEQ)
    redis.kill()
    for http in (table.http_a, table.http_b):
        await poll(lambda h=http: health(h), lambda body: body["redis"] == "down")


async def test_a_split_table_finishes_with_redis_killed_and_left_down(
    own_cluster: Cluster, own_redis: RedisService, tmp_path: Path
) -> None:
    a, b = own_cluster(2)
    async with split_table(a, b, autostart=True) as table:
        players = bots(table, tmp_path)
        await outage_mid_game(table, own_redis)
        await finish(table, players)
        # Served without Redis all along, and saying so.
        for http in (table.http_a, table.http_b):
            answer = await http.get("/healthz")
            assert answer.status_code == 200
            assert answer.json() == {"status": "ok", "database": "ok", "redis": "down"}
