"""At most once, in order: retries apply once, concurrent intents queue, no client sees a gap."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from app.client import WireBot, seat_scenario
from app.engine.rules import Rules
from app.engine.state import GameState, state_digest
from app.rooms.views import project_event
from tests.integration.server import (
    WAIT,
    Facilitator,
    Player,
    Server,
    accepted,
    answers,
    full_rules,
    replay,
    seated,
)

PASS = {"type": "pass"}


def seqs(events: list[dict[str, Any]]) -> list[int]:
    return [e["seq"] for e in events]


async def test_intents_sent_at_once_are_serialised_and_every_client_sees_them_in_order(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        start = max(p.seq for p in players)
        for p in players:
            await p.caught_up(start)
        marks = [len(p.frames) for p in players]
        framings = [
            {"type": "add_framing", "text": f"Framing number {i}"} for i in range(len(players))
        ]
        for player, action in zip(players, framings, strict=True):
            await player.send("intent", cmid="together", action=action)
        answered = await asyncio.gather(
            *(p.until(lambda f: answers(f, "together")) for p in players)
        )

        assert all(accepted(a) for a in answered), answered
        acked = sorted(a["seq"] for a in answered)
        assert len(set(acked)) == len(players), "each intent got its own place in the log"
        log = await fac.log()
        assert seqs(log) == list(range(1, len(log) + 1))
        for p in players:
            await p.caught_up(acked[-1])
        for player, mark in zip(players, marks, strict=True):
            got = [e for f in player.frames[mark:] if f["type"] == "update" for e in f["events"]]
            # Every client: every record after its start, once, in sequence order.
            assert seqs(got) == list(range(start + 1, acked[-1] + 1))
            role = player.joined["role"]
            assert got == [
                {**r, "data": project_event(r["data"], role, False)} for r in log[start:]
            ]


async def test_a_retry_sent_on_two_connections_at_once_is_applied_once(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        twin = await Player.connect(live_server.base)
        try:
            token = players[0].joined["token"]
            assert (await twin.hello(token))["type"] == "welcome"
            framing = {"type": "add_framing", "text": "Sent twice, meant once"}
            await players[0].send("intent", cmid="same-id", action=framing)
            await twin.send("intent", cmid="same-id", action=framing)
            first, second = await asyncio.gather(
                players[0].until(lambda f: answers(f, "same-id")),
                twin.until(lambda f: answers(f, "same-id")),
            )
        finally:
            await twin.close()
        assert first["seq"] == second["seq"]
        # One applied it (its update carries the cmid), the other's repeat gets an ack.
        assert sorted([first.get("duplicate", False), second.get("duplicate", False)]) == [
            False,
            True,
        ]
        log = await fac.log()
        added = [r for r in log if r["type"] == "framing_added"]
        assert len(added) == 1


async def test_a_sync_returns_exactly_the_events_after_the_given_seq(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        for player in players[:3]:
            assert accepted(await player.intent(PASS))
        log = await fac.log()
        asker = players[4]
        await asker.caught_up(len(log))
        for after in (0, 1, len(log) - 2, len(log)):
            await asker.send("sync", after_seq=after)
            frame = await asker.until(lambda f: f["type"] == "events")
            role = asker.joined["role"]
            assert frame["seq"] == len(log)
            assert frame["events"] == [
                {**r, "data": project_event(r["data"], role, False)} for r in log[after:]
            ]


@dataclass
class LossyBot(WireBot):
    """A bot on a bad network: it loses every third batch of events it is sent."""

    lost: int = 0
    _batches: int = 0

    def _fold(self, events: list[dict[str, Any]]) -> None:
        fresh = [e for e in events if e["seq"] > self.seq]
        # The batch that ends the game is kept: after it the client stops listening.
        if fresh and all(e["type"] != "game_ended" for e in fresh):
            self._batches += 1
            if self._batches % 3 == 0:
                self.lost += len(fresh)
                return
        super()._fold(events)


async def test_clients_that_lose_frames_ask_for_them_and_finish_with_the_logged_state(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    joined = [await fac.join(f"Lossy {i}") for i in range(5)]
    bots = [
        LossyBot(
            live_server.base,
            j["token"],
            j["seat"],
            j["role"],
            Rules(await seat_scenario(live_server.base, j["token"])),
        )
        for j in joined
    ]
    results = await asyncio.wait_for(asyncio.gather(*(b.play() for b in bots)), 4 * WAIT)

    log = await fac.log()
    final = state_digest(replay(full_rules(), log))
    assert log[-1]["type"] == "control.timer" and log[-2]["type"] == "game_ended"
    for bot, result in zip(bots, results, strict=True):
        assert bot.lost > 0, "the bot lost frames"
        assert result.digest == final
        # What it folded (each seq once, in order, gaps filled by sync) is the log itself:
        # its engine state is the table's, up to where it stopped listening (its private
        # scenario lacks the others' agendas, so only the shared part is compared).
        assert bot.state is not None
        assert shared(bot.state) == shared(replay(full_rules(), log[: bot.seq]))


def shared(state: GameState) -> tuple[Any, ...]:
    """The part of a game state every seat folds alike."""
    return (
        state.seq,
        state.round_index,
        state.phase,
        state.status,
        sorted(state.table),
        [f.id for f in state.framings],
        state.adopted,
        state.votes,
        state.choices,
        state.moves,
    )
