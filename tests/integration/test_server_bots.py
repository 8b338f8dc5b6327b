"""Bots the server seats itself fill a table that has too few people."""

from __future__ import annotations

from collections import Counter

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

    # Among people, a bot plays at a person's pace: one move a round at most.
    moves: Counter[tuple[int, str]] = Counter()
    round_index = -1
    for record in log:
        if record["type"] == "round_started":
            round_index = record["data"]["index"]
        elif record["type"] == "move_played":
            moves[(round_index, record["data"]["seat"])] += 1
    bot_ids = {b["id"] for b in bots}
    assert all(n <= 1 for (_, seat), n in moves.items() if seat in bot_ids), moves

    # The debrief and the workshop comparison (and the JSON export) mark the bot seats.
    export = await fac.export()
    (exported,) = export["tables"]
    debrief = exported["debrief"]
    assert set(debrief["bot_seats"]) == bot_ids
    roles = {a["role"]["id"]: a["role"]["bot"] for a in debrief["agendas"]}
    by_role: dict[str, list[bool]] = {}
    for s in table["seats"]:
        by_role.setdefault(s["role"], []).append(s["bot"])
    assert roles == {role: all(bots) for role, bots in by_role.items()}
    assert not all(roles.values()) and any(roles.values())
    assert {c["role"]["id"]: c["role"]["bot"] for c in debrief["contributions"]} == roles
    (summary,) = export["workshop"]["tables"]
    assert (summary["seats"], summary["bot_seats"]) == (len(table["seats"]), len(bot_ids))
