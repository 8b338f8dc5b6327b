"""Limits per address hold across instances: behind two servers an address guessing join
codes gets one allowance, not two. While Redis is unreachable each instance counts alone
(app/web/limits.py), and a request never waits on the dead Redis."""

from __future__ import annotations

import httpx

from app.web.api import WRONG_CODE_LIMIT, WRONG_CODE_SECONDS
from app.web.limits import SharedAttempts
from tests.integration.scaleout import Cluster, cluster, redis_url
from tests.integration.server import Facilitator, free_port

__all__ = ["cluster", "redis_url"]  # fixtures, imported to be found


async def test_wrong_codes_on_two_instances_share_one_allowance(cluster: Cluster) -> None:
    a, b = cluster(2)
    async with (
        httpx.AsyncClient(base_url=a.base, timeout=30) as http_a,
        httpx.AsyncClient(base_url=b.base, timeout=30) as http_b,
    ):
        fac = await Facilitator.create(http_a)
        right = fac.code()
        wrong = "QQQQQQ" if right != "QQQQQQ" else "QQQQQX"
        # Half the guesses on each instance: per-instance counting would allow twice as many.
        for i in range(WRONG_CODE_LIMIT):
            http = http_a if i % 2 else http_b
            response = await http.post("/api/join", json={"code": wrong, "name": "Guess"})
            assert response.status_code == 404, (i, response.text)

        on_a = await http_a.get(f"/api/tables/{right}")
        on_b = await http_b.post("/api/join", json={"code": right, "name": "Ann"})

    assert on_a.status_code == 429, on_a.text
    assert on_b.status_code == 429, on_b.text


async def test_attempts_are_shared_through_redis(redis_url: str) -> None:
    one = SharedAttempts(redis_url, "test", limit=3, seconds=WRONG_CODE_SECONDS)
    other = SharedAttempts(redis_url, "test", limit=3, seconds=WRONG_CODE_SECONDS)
    try:
        await one.hit("192.0.2.1")
        await other.hit("192.0.2.1")
        assert not await one.full("192.0.2.1")
        await one.hit("192.0.2.1")
        assert await other.full("192.0.2.1")
        assert not await other.full("192.0.2.2")
    finally:
        await one.close()
        await other.close()


async def test_without_redis_each_instance_counts_alone() -> None:
    # Nothing listens on this port: every Redis command fails at once.
    gone = SharedAttempts(f"redis://127.0.0.1:{free_port()}/0", "test", limit=2, seconds=60)
    try:
        await gone.hit("192.0.2.1")
        assert not await gone.full("192.0.2.1")
        await gone.hit("192.0.2.1")
        assert await gone.full("192.0.2.1")
        assert not await gone.full("192.0.2.2")
    finally:
        await gone.close()
