"""Bots the server seats itself fill a table that has too few people."""

from __future__ import annotations

import httpx

from app.engine.state import state_digest
from tests.integration.server import Facilitator, Server, full_rules, play_bots, replay


async def test_bots_fill_the_empty_seats_and_play_with_one_person(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, bots=True, autostart=False)
    person = await fac.join("The only human")
    (started,) = await fac.control("start")
    assert started["ok"] is True, started

    (human,) = await play_bots(live_server.base, [person])

    (table,) = (await fac.status())["tables"]
    assert table["status"] == "ended"
    seats = {s["id"]: s for s in table["seats"]}
    assert seats[person["seat"]]["bot"] is False
    bots = [s for s in table["seats"] if s["bot"]]
    assert len(bots) == len(table["seats"]) - 1 >= 4
    log = await fac.log()
    actors = {r["data"].get("seat") for r in log if r["type"] != "game_started"}
    assert {b["id"] for b in bots} <= actors, "every bot acted"
    assert person["seat"] in actors, "the person's intents were served"
    assert human.ended
    assert human.public["final"]["digest"] == state_digest(replay(full_rules(), log))
