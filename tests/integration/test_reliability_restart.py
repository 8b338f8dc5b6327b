"""Restart without loss: a killed or stopped server resumes every game from its event log.

These tests run `policymaker serve` as a child process over a SQLite file, kill it with
SIGKILL (or stop it with SIGTERM) in the middle of a game, start it again on the same
database and check that the game goes on exactly where it was: the same log, the same
state digest, the same table view, the same absolute timer deadline, and that clients
(`policymaker bots` in its own process) reconnect by themselves and finish the game.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.engine.rules import Rules
from app.engine.state import state_digest
from app.rooms.views import project_event
from app.scenarios import load_scenario_or_raise
from tests.integration.server import (
    POLICYMAKER,
    SCENARIOS,
    Facilitator,
    Player,
    Server,
    accepted,
    full_rules,
    replay,
    seated,
)

PASS = {"type": "pass"}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    """Servers this test makes itself (some with settings of their own); stopped at the end."""
    made: list[Server] = []
    yield made
    for server in made:
        server.stop()


def make_server(servers: list[Server], workdir: Path, **env: str) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    server = Server(workdir, env=dict(env))
    servers.append(server)
    return server.start()


def end(server: Server, how: str) -> None:
    """Take the server down the way `how` says: "kill" (SIGKILL) or "stop" (SIGTERM)."""
    if how == "kill":
        assert server.kill() == -signal.SIGKILL
    else:
        # Graceful: uvicorn closes the connections and runs the app's shutdown (rooms
        # closed, database disposed), then ends by the TERM it caught. A server that hung
        # would be ended by Server.stop with SIGKILL, and the status would say so.
        status = server.stop()
        assert status == -signal.SIGTERM, (status, server.log())
        assert "Application shutdown complete." in server.log(tail=100_000)


def stored_log(server: Server, code: str) -> list[dict[str, Any]]:
    """The table's log as the dead server left it in its database file, read directly."""
    with sqlite3.connect(server.workdir / "pm.db") as db:
        (table_id,) = db.execute(
            "SELECT id FROM game_table WHERE join_code = ?", (code,)
        ).fetchone()
        rows = db.execute(
            "SELECT seq, type, payload FROM event WHERE game_id = ? ORDER BY seq", (table_id,)
        ).fetchall()
    return [{"seq": seq, "type": kind, "data": json.loads(payload)} for seq, kind, payload in rows]


def digest(rules: Rules, log: list[dict[str, Any]]) -> str:
    return state_digest(replay(rules, log))


def without_presence(public: dict[str, Any]) -> dict[str, Any]:
    """A table view without who is connected right now (a restart drops every socket)."""
    seats = [{k: v for k, v in s.items() if k != "connected"} for s in public["seats"]]
    return {**public, "seats": seats}


@dataclass
class Snapshot:
    log: list[dict[str, Any]]
    digest: str
    seq: int
    public: dict[str, Any]


async def snapshot(base: str, fac: Facilitator) -> Snapshot:
    """The game as the server holds it: its log, the digest of its replay, the table view."""
    log = await fac.log()
    watcher = await Player.connect(base)
    try:
        await watcher.send("hello", code=fac.code())
        welcome = await watcher.until(lambda f: f["type"] == "welcome")
    finally:
        await watcher.close()
    public = without_presence(welcome["state"]["public"])
    return Snapshot(log, digest(full_rules(), log), welcome["seq"], public)


# --- the state after a restart is the state before it -------------------------------------


@pytest.mark.parametrize(
    ("how", "paused"),
    [("kill", False), ("stop", False), ("kill", True)],
    ids=["sigkill-running", "sigterm-running", "sigkill-paused"],
)
async def test_a_restarted_game_has_exactly_the_state_it_had(
    servers: list[Server], tmp_path: Path, how: str, paused: bool
) -> None:
    server = make_server(servers, tmp_path / "srv")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, autostart=True)
        async with seated(server.base, fac) as players:
            for player in players[:3]:
                assert accepted(await player.intent(PASS))
            framing = {"type": "add_framing", "text": "Too little time for each child"}
            last = await players[3].intent(framing)
            assert accepted(last), last
            if paused:
                (result,) = await fac.control("pause")
                assert result["ok"], result
            before = await snapshot(server.base, fac)
            tokens = [p.joined["token"] for p in players]

        end(server, how)
        assert stored_log(server, fac.code()) == before.log, "the log on disk is the whole log"
        server.start()

        after = await snapshot(server.base, fac)
        assert after.digest == before.digest
        assert after.log == before.log
        assert after.seq == before.seq
        # The server's own view of the table, timer included: a running phase keeps its
        # absolute deadline (it continues from the time that was left), a paused one keeps
        # the seconds that remained.
        assert after.public == before.public
        assert after.public["status"] == ("paused" if paused else "running")

        if paused:
            (result,) = await fac.control("resume")
            assert result["ok"], result
        # Every seat comes back and the game goes on.
        back = [await Player.connect(server.base) for _ in tokens]
        try:
            for player, token in zip(back, tokens, strict=True):
                welcome = await player.hello(token, last_seq=before.seq)
                assert welcome["type"] == "welcome", welcome
            moved = await back[4].intent(PASS)
            assert accepted(moved), moved
            for player in back:
                await player.caught_up(moved["seq"])
                assert player.events()[-1]["seq"] == moved["seq"]
        finally:
            for player in back:
                await player.close()


def quick_scenarios(folder: Path, seconds: int) -> Path:
    """The default scenario with a first phase of `seconds`, under an id of its own."""
    text = (SCENARIOS / "school-committee.yaml").read_text(encoding="utf-8")
    text = text.replace("id: school-committee", "id: school-quick", 1)
    text = text.replace("timer_seconds: 420", f"timer_seconds: {seconds}", 1)
    folder.mkdir(parents=True)
    (folder / "school-quick.yaml").write_text(text, encoding="utf-8")
    return folder


async def test_a_phase_timer_runs_out_at_its_original_deadline_after_a_crash(
    servers: list[Server], tmp_path: Path
) -> None:
    folder = quick_scenarios(tmp_path / "scenarios", seconds=10)
    rules = Rules(load_scenario_or_raise(folder / "school-quick.yaml"))
    server = make_server(servers, tmp_path / "srv", SCENARIOS_DIR=str(folder))
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, scenario="school-quick", autostart=True)
        async with seated(server.base, fac) as players:
            last = players[-1]  # its welcome came after the table started
            deadline = last.public["timer"]["deadline"]
            assert last.public["status"] == "running"
            tokens = [p.joined["token"] for p in players]

        server.kill()
        server.start()

        player = await Player.connect(server.base)
        try:
            welcome = await player.hello(tokens[0])
            assert welcome["state"]["public"]["timer"]["deadline"] == deadline
            assert time.time() < deadline, "the restart took longer than the phase"
            ended = await player.until(
                lambda f: (
                    f["type"] == "update" and any(e["type"] == "phase_ended" for e in f["events"])
                )
            )
            when = time.time()
        finally:
            await player.close()
    (phase_end,) = [e for e in ended["events"] if e["type"] == "phase_ended"]
    assert phase_end["data"]["reason"] == "time_up"
    # Not restarted from the full ten seconds at the restart, and not early either.
    assert deadline - 0.05 <= when <= deadline + 2.0
    log = stored_log(server, fac.code())
    assert replay(rules, log).round_index == 1


# --- bots in their own process reconnect by themselves and finish ------------------------

# Sequence numbers to go down at, in a game of about 130 records.
DOWN_AT = {"kill": (40, 85), "stop": (60,)}


async def start_bots(base: str, code: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(POLICYMAKER),
        "bots",
        "--url",
        base,
        "--code",
        code,
        "--seats",
        "5",
        "--think",
        "0.02",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("how", ["kill", "stop"], ids=["sigkill", "sigterm"])
async def test_bots_playing_through_restarts_finish_the_game_with_the_logged_state(
    servers: list[Server], tmp_path: Path, how: str
) -> None:
    server = make_server(servers, tmp_path / "srv")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, autostart=True)
        bots = await start_bots(server.base, fac.code())
        stored: list[list[dict[str, Any]]] = []
        try:
            for threshold in DOWN_AT[how]:
                watcher = await Player.connect(server.base)
                await watcher.send("hello", code=fac.code(), last_seq=0)
                await watcher.until(lambda f, t=threshold: f["type"] == "update" and f["seq"] >= t)
                seen = watcher.events()
                await watcher.close()
                end(server, how)  # in the middle of play: the bots are sending intents
                on_disk = stored_log(server, fac.code())
                stored.append(on_disk)
                # Append, then fan out: everything a client saw was stored first.
                assert [e["seq"] for e in seen] == list(range(1, len(seen) + 1))
                assert len(on_disk) >= len(seen) >= threshold
                assert seen == [
                    {**r, "data": project_event(r["data"], None, False)}
                    for r in on_disk[: len(seen)]
                ]
                server.start()
                status = await fac.status()
                assert status["tables"][0]["seq"] >= len(on_disk)
            out, err = await asyncio.wait_for(bots.communicate(), 90)
        finally:
            if bots.returncode is None:
                bots.kill()
                await bots.wait()
        assert bots.returncode == 0, err.decode()
        final = await fac.log()
        assert (await fac.status())["tables"][0]["status"] == "ended"
    result = json.loads(out)
    for on_disk in stored:
        assert final[: len(on_disk)] == on_disk, "nothing stored before a restart was lost"
    assert result["last_seq"] == len(final) == final[-1]["seq"]
    assert result["digest"] == digest(full_rules(), final)
