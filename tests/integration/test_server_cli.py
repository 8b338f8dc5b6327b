"""The command line against a running server: creating a workshop, playing a table with bots."""

from __future__ import annotations

import json
import subprocess

import httpx

from app.engine.state import state_digest
from tests.integration.server import POLICYMAKER, Facilitator, Server, full_rules, replay

TIMEOUT = 60


def policymaker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POLICYMAKER), *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def test_workshop_create_prints_the_documented_keys(live_server: Server) -> None:
    done = policymaker(
        "workshop", "create", "--url", live_server.base, "--scenario", "school-committee",
        "--tables", "2", "--autostart", "--json",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert set(created) == {"workshop_id", "facilitator_token", "facilitator_url", "tables"}
    assert created["facilitator_url"].startswith(live_server.base)
    assert [t["number"] for t in created["tables"]] == [1, 2]
    for table in created["tables"]:
        assert set(table) == {"code", "number", "join_url"}
        assert table["join_url"].endswith(table["code"])
    lobby = httpx.get(f"{live_server.base}/api/tables/{created['tables'][1]['code']}")
    assert lobby.status_code == 200
    assert lobby.json()["scenario"] == "school-committee"


async def test_bots_play_a_table_to_the_digest_its_event_log_replays_to(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)

    done = policymaker(
        "bots", "--url", live_server.base, "--code", fac.code(), "--seats", "5", "--json"
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) >= {"scores", "last_seq", "digest"}
    assert set(result["scores"]) == {"consensus", "ownership", "innovation"}
    log = await fac.log()
    assert result["last_seq"] == len(log)
    state = replay(full_rules(), log)
    assert state.status == "ended"
    assert result["digest"] == state_digest(state)
