"""Whole games on a real server process, played over the websocket protocol.

Five protocol clients (the engine's bot deciding for each, on the state it folds from
the events it receives) play the default scenario from joining to the debrief.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.client import WireBot
from app.engine.events import event_from_dict
from app.engine.state import state_digest
from app.scenarios.models import localize
from app.web.protocol import validate_server_frame
from tests.integration.server import Facilitator, Server, full_rules, play_bots, replay
from tests.views import Views, fold, present

SEATS = 5
DEFAULT_ROLES = ["chair", "councillor", "official", "parent", "teacher"]


@dataclass
class PlayedGame:
    joined: list[dict[str, Any]]
    bots: list[WireBot]
    log: list[dict[str, Any]]
    debrief: dict[str, Any]


async def join_table(fac: Facilitator, number: int = 1, seats: int = SEATS) -> list[dict[str, Any]]:
    return [await fac.join(f"Player {number}.{i + 1}", number) for i in range(seats)]


async def _play(base: str) -> PlayedGame:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        fac = await Facilitator.create(http, scenario="school-committee", autostart=True)
        joined = await join_table(fac)
        bots = await play_bots(base, joined)
        debrief = await fac.get("/tables/1/debrief")
        assert debrief.status_code == 200, debrief.text
        return PlayedGame(joined, bots, await fac.log(), debrief.json())


@pytest.fixture(scope="module")
def game(live_server: Server) -> Iterator[PlayedGame]:
    """One whole game, played once for the tests of this module that only look at it."""
    yield asyncio.run(_play(live_server.base))


def stream(bot: WireBot) -> list[dict[str, Any]]:
    """The event records a client got in welcome and update frames, in arrival order."""
    return [e for f in bot.frames if f["type"] in ("welcome", "update") for e in f["events"]]


def without_deals(record: dict[str, Any]) -> dict[str, Any]:
    """A record with the dealt cards left out (seats see other roles' cards as '?')."""
    data = record["data"]
    effects = data.get("effects")
    if isinstance(effects, dict):
        data = {**data, "effects": {k: v for k, v in effects.items() if k != "dealt"}}
    return {**record, "data": data}


def dicts_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object nested in `value`."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from dicts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from dicts_in(item)


def test_five_clients_play_the_default_scenario_to_the_end(game: PlayedGame) -> None:
    assert sorted(j["role"] for j in game.joined) == DEFAULT_ROLES
    assert all(b.ended for b in game.bots)
    assert game.log[-2]["type"] == "game_ended"
    assert game.log[-1] == {
        "seq": len(game.log),
        "type": "control.timer",
        "data": {"status": "ended", "deadline": None, "remaining": None},
    }


def test_the_debrief_shows_the_final_proposal_scores_and_agendas(game: PlayedGame) -> None:
    debrief = game.debrief
    assert debrief["ended"] is True
    assert debrief["proposal"]["final"] is True
    assert debrief["proposal"]["ideas"]
    assert sorted(debrief["score_names"]) == ["consensus", "innovation", "ownership"]
    assert len(debrief["scores"]) == len(full_rules().catalog.rounds)
    assert all(set(line["scores"]) == set(debrief["score_names"]) for line in debrief["scores"])
    agendas = {a["role"]["id"]: a for a in debrief["agendas"]}
    catalog = full_rules().catalog
    for role in DEFAULT_ROLES:
        revealed = {w["interest"]: w["weight"] for w in agendas[role]["agenda"]}
        assert revealed == dict(catalog.roles[role].agenda)
        if catalog.roles[role].goal is not None:
            assert agendas[role]["goal"]
            assert agendas[role]["goal_met"] is not None


def test_every_client_sees_the_same_gapless_event_sequence(game: PlayedGame) -> None:
    assert [r["seq"] for r in game.log] == list(range(1, len(game.log) + 1))
    for bot in game.bots:
        got = stream(bot)
        assert [r["seq"] for r in got] == [r["seq"] for r in game.log], bot.seat
        assert [without_deals(r) for r in got] == [without_deals(r) for r in game.log], bot.seat
        # Nothing needed repairing: no gap, so no sync was asked for or answered.
        assert not [f for f in bot.frames if f["type"] == "events"], bot.seat
        assert bot.seq == len(game.log)


def test_every_frame_a_client_gets_matches_the_protocol_document(game: PlayedGame) -> None:
    kinds: set[str] = set()
    for bot in game.bots:
        for frame in bot.frames:
            validate_server_frame(frame)
            kinds.add(frame["type"])
    assert {"welcome", "update"} <= kinds
    # Protocol v3: a bot's own intents are answered by the updates they produced.
    assert any(f["type"] == "update" and "cmid" in f for bot in game.bots for f in bot.frames)


def test_no_seat_gets_another_seats_agenda_goal_or_hand_before_the_end(
    game: PlayedGame,
) -> None:
    rules = full_rules()
    catalog = rules.catalog
    # The true hands after each record, from the facilitator's (unhidden) log.
    hands: dict[int, dict[str, list[str]]] = {}
    state = rules.replay([])
    for record in game.log:
        if not record["type"].startswith("control."):
            rules.evolve(state, event_from_dict(record["data"]))
        hands[record["seq"]] = {r: list(h) for r, h in state.hands.items()}
    dealt_records = 0
    for bot in game.bots:
        role = catalog.roles[bot.role]
        others = [r for r in catalog.roles.values() if r.id != bot.role]
        secrets = [localize(r.goal.text, lang) for r in others if r.goal for lang in ("da", "en")]
        views: Views | None = None
        for frame in bot.frames:
            if frame["type"] not in ("welcome", "update", "events"):
                continue
            if frame["type"] == "welcome":
                assert all(
                    not {"agenda", "goal", "hand"} & set(r) for r in frame["scenario"]["roles"]
                )
            # The views the bot holds after this frame: its welcome's, patched by updates.
            views = fold(views, frame)
            ended = views is not None and views["public"].get("status") == "ended"
            if frame["type"] in ("welcome", "update"):
                assert views is not None
                private = views["private"]
                assert private["role"] == bot.role and private["seat"] == bot.seat
                assert private["agenda"] == dict(role.agenda)
                held = [c["id"] for c in private["hand"]]
                assert held == hands.get(frame["seq"], {}).get(bot.role, list(role.hand))
            if ended:
                continue
            text = json.dumps(frame, ensure_ascii=False)
            assert not [s for s in secrets if s in text], bot.seat
            for found in dicts_in(frame):
                assert not [r.id for r in others if r.agenda and found == dict(r.agenda)]
            for record in frame["events"]:
                dealt = (record["data"].get("effects") or {}).get("dealt") or {}
                truth = game.log[record["seq"] - 1]["data"]["effects"]["dealt"] if dealt else {}
                for other, cards in dealt.items():
                    dealt_records += 1
                    if other == bot.role:
                        assert cards == truth[other]
                    else:
                        assert cards == ["?"] * len(truth[other]), (bot.seat, record)
    assert dealt_records, "the game dealt no card, so hiding them was not tested"


async def test_two_tables_of_one_workshop_play_at_once_without_crosstalk(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, tables=2, autostart=True)
    seated = [await join_table(fac, 1), await join_table(fac, 2)]
    table_ids = [{j["table_id"] for j in s} for s in seated]
    assert len(table_ids[0]) == len(table_ids[1]) == 1
    assert table_ids[0] != table_ids[1]

    played = await asyncio.gather(*(play_bots(live_server.base, s) for s in seated))

    logs = [await fac.log(1), await fac.log(2)]
    assert [without_deals(r) for r in logs[0]] != [without_deals(r) for r in logs[1]]
    for number, bots in enumerate(played):
        (table_id,) = table_ids[number]
        for bot in bots:
            welcome = next(f for f in bot.frames if f["type"] == "welcome")
            assert welcome["table"] == table_id
            assert [without_deals(r) for r in stream(bot)] == [
                without_deals(r) for r in logs[number]
            ]


def test_every_client_ends_holding_the_finished_tables_view(game: PlayedGame) -> None:
    """Welcome, then only patches: each client's views end as the finished table's, alike."""
    rules = full_rules()
    final_state = replay(rules, game.log)
    publics = []
    for bot in game.bots:
        views: Views | None = None
        for frame in bot.frames:
            views = fold(views, frame)
        assert views is not None
        public = present(views["public"])
        assert public is not None and public["status"] == "ended", bot.seat
        assert public["final"]["digest"] == state_digest(final_state), bot.seat
        hand = [c["id"] for c in views["private"]["hand"]]
        assert hand == final_state.hands.get(bot.role, []), bot.seat
        # Who is still online when each bot leaves may differ; nothing else may.
        publics.append({k: v for k, v in public.items() if k != "seats"})
    assert all(p == publics[0] for p in publics[1:])
