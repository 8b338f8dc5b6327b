"""`policymaker bots` never leaves a broken table: it plays the seats it got, says which it
could not get and why, and hands the seats it took to the server's bots when it gives up."""

from __future__ import annotations

import httpx

from tests.integration.lines import Running
from tests.integration.server import Facilitator, Player, Server
from tests.integration.test_cli_errors import policymaker

STOPPED = 130  # the exit code of a command stopped by Ctrl-C


async def test_more_bots_than_an_autostart_table_takes_play_the_seats_they_got(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    # The default case needs 5 players: the table starts at the 5th, the 6th and 7th are late.
    fac = await Facilitator.create(http, autostart=True)

    done = policymaker("bots", "--url", live_server.base, "--code", fac.code(), "--seats", "7")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    refused = [line for line in done.stderr.splitlines() if line.startswith("seat not taken: ")]
    assert refused == ["seat not taken: this table's game has already started"] * 2
    assert done.stdout.startswith("game over at seq ")
    (table,) = (await fac.status())["tables"]
    assert table["status"] == "ended"
    assert len(table["seats"]) == 5 and not any(s["bot"] for s in table["seats"])
    # Every seat played: none sat disconnected while the others finished without it.
    actors = {r["data"].get("seat") for r in await fac.log() if r["type"] != "game_started"}
    assert {s["id"] for s in table["seats"]} <= actors


async def test_bots_that_give_up_hand_their_seats_to_the_servers_bots(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=False)
    bots = Running("bots", "--url", live_server.base, "--code", fac.code(), "--seats", "5")
    try:
        bots.until(lambda stream, line: line == "5 bots seated, playing")
        assert bots.interrupt() == STOPPED
    finally:
        bots.stop()
    assert bots.err[-1] == "stopped" and not any("Traceback" in x for x in bots.err)

    (table,) = (await fac.status())["tables"]
    assert len(table["seats"]) == 5 and all(s["bot"] for s in table["seats"]), table["seats"]
    # The table is not stuck with seats nobody plays: started, the server's bots finish it.
    watcher = await Player.connect(live_server.base)
    try:
        await watcher.send("hello", code=fac.code())
        (started,) = await fac.control("start")
        assert started["ok"] is True, started
        await watcher.until_public(lambda public: public.get("status") == "ended")
    finally:
        await watcher.close()
    actors = {r["data"].get("seat") for r in await fac.log() if r["type"] != "game_started"}
    assert {s["id"] for s in table["seats"]} <= actors
