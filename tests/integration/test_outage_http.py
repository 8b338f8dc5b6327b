"""The HTTP API while PostgreSQL is down: a clear 503 with a retry hint, never a 500.

A trainer's console polls the workshop's status, players join by code and the debrief is
read over HTTP. While the database restarts, each of those either answers from what the
server holds in memory or says the database is out of reach and when to ask again
(`Retry-After`); once it is back, the same requests succeed and nothing was half done.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.scaleout import Cluster, own_cluster, poll
from tests.integration.server import Facilitator
from tests.integration.services import PostgresService, own_postgres, own_redis

__all__ = ["own_cluster", "own_postgres", "own_redis"]  # fixtures, imported to be found


async def requests_a_trainer_makes(
    http: httpx.AsyncClient, fac: Facilitator
) -> dict[str, httpx.Response]:
    """One of each: a new workshop, a lobby and a join by code, the console's status, the
    debrief and the export, and the pages a phone opens."""
    code = fac.code()
    return {
        "create": await http.post("/api/workshops", json={"scenario": "school-committee"}),
        "lobby": await http.get(f"/api/tables/{code}"),
        "join": await http.post("/api/join", json={"code": code, "name": "Late"}),
        "status": await fac.get(),
        "debrief": await fac.get("/debrief"),
        "export": await fac.get("/export.json"),
        "join page": await http.get(f"/join/{code}"),
        "console page": await http.get(f"/facilitator/{fac.workshop_id}"),
    }


def unavailable(response: httpx.Response) -> bool:
    """A 503 that says the database is away and when to try again."""
    if response.status_code != 503:
        return False
    body: Any = response.json()
    return (
        float(response.headers.get("retry-after", "0")) > 0
        and body.get("code") == "unavailable"
        and "database" in body.get("detail", "")
    )


async def test_requests_during_a_postgresql_outage_get_503_with_a_retry_hint(
    own_cluster: Cluster, own_postgres: PostgresService
) -> None:
    (server,) = own_cluster(1)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, scenario="school-committee", tables=2)
        await fac.join("Early")

        own_postgres.stop("fast")
        await poll(lambda: http.get("/healthz"), lambda r: r.status_code == 503, 400)
        during = await requests_a_trainer_makes(http, fac)
        failed = {
            what: (r.status_code, r.text[:200])
            for what, r in during.items()
            if not (r.is_success or unavailable(r))
        }
        assert not failed, f"neither answered nor a clear 503: {failed}"
        # Making a workshop and taking a seat cannot be done without the database; the
        # pages a phone or the console opens still load (their API calls then say so).
        assert unavailable(during["create"]) and unavailable(during["join"])
        assert during["join page"].status_code == during["console page"].status_code == 200

        own_postgres.start()
        await poll(lambda: http.get("/healthz"), lambda r: r.status_code == 200, 400)
        after = await requests_a_trainer_makes(http, fac)
        assert {what: r.status_code for what, r in after.items()} == {
            "create": 201,
            "lobby": 200,
            "join": 200,
            "status": 200,
            "debrief": 200,
            "export": 200,
            "join page": 200,
            "console page": 200,
        }
        # The join refused during the outage left nothing behind: one seat taken then,
        # and the one taken now.
        seats = (await fac.status())["tables"][0]["seats"]
        assert sorted(s["name"] for s in seats if s.get("name")) == ["Early", "Late"]
