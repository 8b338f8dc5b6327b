"""Reconnecting, retrying and restarting: a seat picks up exactly where it left off."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from tests.integration.server import (
    Facilitator,
    Player,
    Server,
    accepted,
    online,
    play_bots,
    seated,
)

PASS = {"type": "pass"}
# Welcomes asked for while a bot game runs, each on a new connection.
MAX_WELCOMES = 200


async def test_a_reconnecting_player_gets_exactly_the_events_it_missed(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        for p in players:
            await p.caught_up(players[0].seq)
        *present, away = players
        last_seen = away.seq
        seat = away.joined["seat"]
        await away.close()
        await present[0].until_public(lambda public: not online(public, seat))

        for player in present[:3]:
            answer = await player.intent(PASS)
            assert accepted(answer), answer
        current = answer["seq"]
        assert current > last_seen
        for p in present:
            await p.caught_up(current)

        back = await Player.connect(live_server.base)
        try:
            welcome = await back.hello(away.joined["token"], last_seq=last_seen)
            assert welcome["type"] == "welcome"
            assert welcome["seq"] == current
            assert [e["seq"] for e in welcome["events"]] == list(range(last_seen + 1, current + 1))
            assert welcome["state"]["public"] == present[0].public
            assert welcome["state"]["private"]["seat"] == seat
            assert sorted(welcome["state"]["public"]["done"]) == sorted(
                p.joined["seat"] for p in present[:3]
            )
        finally:
            await back.close()


async def test_a_repeated_intent_is_acknowledged_again_and_not_applied_twice(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        player = players[0]
        first = await player.intent(PASS, cmid="retry-me")
        assert accepted(first) and not first.get("duplicate")
        logged = len(await fac.log())

        again = await player.intent(PASS, cmid="retry-me")

        assert accepted(again)
        assert again["duplicate"] is True
        assert again["seq"] == first["seq"]
        assert len(await fac.log()) == logged
        await player.send("ping")
        pong = await player.until(lambda f: f["type"] == "pong")
        assert pong["seq"] == logged


async def test_a_game_resumes_after_the_server_is_killed(
    new_server: Callable[[], Server],
) -> None:
    server = new_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, autostart=True)
        async with seated(server.base, fac) as players:
            acked = await players[0].intent(PASS, cmid="before-crash")
            assert accepted(acked)
            for p in players:
                await p.caught_up(acked["seq"])
            before = players[1].public
            tokens = [p.joined["token"] for p in players]

        server.restart(hard=True)

        status = await fac.status()
        assert status["tables"][0]["seq"] == acked["seq"]
        assert status["tables"][0]["status"] == "running"
        player = await Player.connect(server.base)
        try:
            welcome = await player.hello(tokens[0], last_seq=acked["seq"])
            assert welcome["type"] == "welcome", welcome
            assert welcome["events"] == []
            assert welcome["state"]["public"]["done"] == before["done"]
            assert welcome["state"]["public"]["round"] == before["round"]
            again = await player.intent(PASS, cmid="before-crash")
            assert again["type"] == "ack" and again["duplicate"] is True  # a repeat: an ack
            assert again["seq"] == acked["seq"]
            (advanced,) = await fac.control("advance")
            assert advanced["ok"] is True
            update = await player.until(lambda f: f["type"] == "update" and bool(f["events"]))
            assert update["events"][0]["seq"] == acked["seq"] + 1
        finally:
            await player.close()


async def test_a_welcome_carries_the_events_up_to_its_own_seq_while_the_table_is_busy(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    joined = [await fac.join(f"Bot {i}") for i in range(5)]
    game = asyncio.create_task(play_bots(live_server.base, joined, keep_frames=False))
    welcomes: list[tuple[int, dict[str, Any]]] = []
    last = 0  # the whole log: the longest read, the widest window for the room to move on
    try:
        while not game.done() and len(welcomes) < MAX_WELCOMES:
            watcher = await Player.connect(live_server.base)
            try:
                await watcher.send("hello", code=fac.code(), last_seq=last)
                welcome = await watcher.until(lambda f: f["type"] == "welcome")
            finally:
                await watcher.close()
            welcomes.append((last, welcome))
    finally:
        await game
    assert len(welcomes) > 1
    for asked, welcome in welcomes:
        seqs = [e["seq"] for e in welcome["events"]]
        assert seqs == list(range(asked + 1, welcome["seq"] + 1)), (asked, welcome["seq"])
