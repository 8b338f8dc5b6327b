"""PostgreSQL restarted mid-game: intents meanwhile are refused with `unavailable` and a
retry hint, clients send them again with the same cmid, and every event is stored exactly
once, in order.

One table split across two instances (three seats play through A, two through B, each
moving to the other instance when its own fails), on a PostgreSQL and a Redis of the
test's own. PostgreSQL is stopped (`pg_ctl stop -m fast`: every session is terminated)
once the game is well under way, and started again.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest

from app.client import WireBot, seat_scenario
from app.engine.actions import action_to_dict
from app.engine.bots import Bot
from app.engine.rules import Rejected, Rules
from app.engine.state import state_digest
from app.store import repo
from app.store.db import make_engine
from tests.integration.scaleout import (
    Cluster,
    SplitTable,
    own_cluster,
    poll,
    split_table,
)
from tests.integration.server import Player, accepted, answers, full_rules, replay
from tests.integration.services import PostgresService, own_postgres, own_redis

__all__ = ["own_cluster", "own_postgres", "own_redis"]  # fixtures, imported to be found

OUTAGE_AT_SEQ = 25
GAME_TIMEOUT = 240.0


async def health(table: SplitTable) -> list[tuple[int, dict[str, Any]]]:
    answers_ = [await http.get("/healthz") for http in (table.http_a, table.http_b)]
    return [(r.status_code, r.json()) for r in answers_]


async def join_and_play(table: SplitTable) -> tuple[list[dict[str, Any]], list[asyncio.Task[Any]]]:
    """Five seats (three joined through A, two through B), each played by a bot over the
    protocol from this process; the fifth seat's join starts the game."""
    joined = [await (table.fac if i < 3 else table.fac_b).join(f"Bot {i + 1}") for i in range(5)]
    bots = []
    for i, seat in enumerate(joined):
        first, other = (table.a.base, table.b.base) if i < 3 else (table.b.base, table.a.base)
        rules = Rules(await seat_scenario(first, seat["token"]))
        bot = WireBot(first, seat["token"], seat["seat"], seat["role"], rules, 0.05, i)
        bot.fallbacks = (other,)
        bots.append(asyncio.create_task(bot.play()))
    return joined, bots


async def an_intent_the_rules_take(
    base: str, joined: list[dict[str, Any]], watcher: Player
) -> tuple[Player, dict[str, Any]] | None:
    """A seat's connection on `base` and an action its room would apply now (the room's
    state is what its watcher has folded), or None if no seat has one."""
    rules = full_rules()
    state = replay(rules, watcher.events())
    for seat in joined:
        bot = Bot(rules, seat["seat"], seat["role"], rng=random.Random(1))
        action = bot.act(state)
        if action is None or isinstance(rules.apply(state, action), Rejected):
            continue
        player = await Player.connect(base)
        welcome = await player.hello(seat["token"])
        assert welcome["type"] == "welcome", welcome
        body = {k: v for k, v in action_to_dict(action).items() if k != "seat"}
        return player, body
    return None


async def test_a_postgresql_restart_mid_game_loses_and_doubles_nothing(
    own_cluster: Cluster, own_postgres: PostgresService, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = own_cluster(2)
    engine = make_engine(own_postgres.url)
    async with split_table(a, b, autostart=True) as table:
        joined, bots = await join_and_play(table)
        watcher = await Player.connect(b.base)
        welcome = await watcher.hello(joined[4]["token"], last_seq=0)
        assert welcome["type"] == "welcome", welcome
        table_id = welcome["table"]
        await poll(table.fac_b.status, lambda s: s["tables"][0]["seq"] >= OUTAGE_AT_SEQ)

        own_postgres.stop("fast")
        down = await poll(lambda: health(table), lambda h: all(code == 503 for code, _ in h), 400)
        assert [body["database"] for _, body in down] == ["down", "down"]
        assert [body["status"] for _, body in down] == ["unavailable", "unavailable"]
        # B's room stands where its log stopped: its watcher has every event of it.
        await watcher.send("ping")
        pong = await watcher.until(lambda f: f["type"] == "pong")
        await watcher.caught_up(pong["seq"])
        at_outage = pong["seq"]

        # An intent the rules take, during the outage: refused as unavailable, with a hint.
        found = await an_intent_the_rules_take(b.base, joined, watcher)
        assert found is not None, "no seat had a move to make at the outage"
        player, action = found
        refused = await player.intent(action, cmid="during-the-outage")
        assert refused["type"] == "error" and refused["code"] == "unavailable", refused
        assert refused["retry_after"] > 0

        started = time.monotonic()
        own_postgres.start()
        await poll(lambda: health(table), lambda h: all(code == 200 for code, _ in h), 400)
        healthy = time.monotonic() - started
        await poll(lambda: repo.last_seq(engine, table_id), lambda seq: seq > at_outage, 600)
        moving = time.monotonic() - started

        # The same intent again, with the same cmid: answered, never an outage any more;
        # applied (once) unless the table moved on so that the rules now refuse it.
        await player.send("intent", cmid="during-the-outage", action=action)
        again = await player.until(lambda f: answers(f, "during-the-outage"))
        assert not (again["type"] == "error" and again["code"] == "unavailable"), again
        await player.close()

        results = await asyncio.wait_for(asyncio.gather(*bots), GAME_TIMEOUT)
        await watcher.close()

        stored = await repo.load_events(engine, table_id)
        assert [e.seq for e in stored] == list(range(1, len(stored) + 1)), "a gap or repeat"
        # An intent's events are stored together under its cmid: each cmid one run.
        keys = [(e.seat_key, e.client_msg_id) for e in stored]
        runs = [k for i, k in enumerate(keys) if k[1] and (i == 0 or keys[i - 1] != k)]
        assert len(runs) == len(set(runs)), "an intent was applied twice"
        assert len(runs) > OUTAGE_AT_SEQ / 2, "too few intents to have tested anything"
        retried = "during-the-outage" in {cmid for _, cmid in runs}
        assert retried == accepted(again)

        log = await table.fac_b.log()
        digest = state_digest(replay(full_rules(), log))
        assert {r.digest for r in results} == {digest}
        for fac in (table.fac, table.fac_b):
            (status,) = (await fac.status())["tables"]
            assert status["status"] == "ended"
            assert (status["digest"], status["seq"]) == (digest, len(stored))
    await engine.dispose()
    with capsys.disabled():
        print(
            f"\nPostgreSQL restart: both instances healthy {healthy:.2f} s after it accepted"
            f" connections again, the table moving on {moving:.2f} s after"
        )
