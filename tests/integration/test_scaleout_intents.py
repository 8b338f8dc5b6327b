"""Intents for one table reaching two instances at the same moment: once, or refused."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from app.engine.actions import action_to_dict
from app.engine.bots import Bot
from app.store import repo
from app.store.db import make_engine
from tests.integration.scaleout import Cluster, cluster, poll, redis_url, split_table
from tests.integration.server import (
    Player,
    accepted,
    answers,
    full_rules,
    replay,
)

__all__ = ["cluster", "redis_url"]  # fixtures, imported to be found

VOLLEYS = 12


async def _answer(player: Player, cmid: str) -> dict[str, Any]:
    return await player.until(lambda f: answers(f, cmid))


async def test_racing_intents_are_applied_once_or_refused_never_lost_or_doubled(
    cluster: Cluster, pg_url: str
) -> None:
    a, b = cluster(2)
    async with split_table(a, b, autostart=True) as table:
        fac, fac_b = table.fac, table.fac_b
        # Seats joined through both instances; each seat then speaks to both at once.
        joined = [await (fac if i < 3 else fac_b).join(f"P{i + 1}") for i in range(5)]
        sockets: dict[str, tuple[Player, Player]] = {}
        for j in joined:
            pair = (await Player.connect(a.base), await Player.connect(b.base))
            for p in pair:
                assert (await p.hello(j["token"]))["type"] == "welcome"
            sockets[j["seat"]] = pair
        try:
            await poll(fac_b.status, lambda s: s["tables"][0]["status"] == "running")
            rules = full_rules()
            answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for volley in range(VOLLEYS):
                state = replay(rules, await fac_b.log())
                if state.status == "ended":
                    break
                sent = []
                for j in joined:
                    bot = Bot(rules, j["seat"], j["role"], rng=random.Random(f"{volley}{j}"))
                    action = bot.act(state)
                    if action is None:
                        continue
                    body = {k: v for k, v in action_to_dict(action).items() if k != "seat"}
                    cmid = f"v{volley}-{j['seat']}"
                    # The same intent (same cmid) to both instances, as a client retrying
                    # on another instance would; every seat at once.
                    for p in sockets[j["seat"]]:
                        await p.send("intent", cmid=cmid, action=body)
                    sent.append((j["seat"], cmid))
                replies = await asyncio.gather(
                    *(_answer(p, cmid) for seat, cmid in sent for p in sockets[seat])
                )
                for i, (seat, cmid) in enumerate(sent):
                    answers[(seat, cmid)] = list(replies[2 * i : 2 * i + 2])
            log = await fac_b.log()
        finally:
            for pair in sockets.values():
                for p in pair:
                    await p.close()

    assert [r["seq"] for r in log] == list(range(1, len(log) + 1)), "no gap, no repeat"
    engine = make_engine(pg_url)
    try:
        table_id = joined[0]["table_id"]
        stored = {key: await repo.find_client_msg(engine, table_id, *key) or [] for key in answers}
    finally:
        await engine.dispose()
    applied = 0
    for key, pair in answers.items():
        acks = [r for r in pair if accepted(r)]
        for refused in (r for r in pair if r["type"] == "error"):
            assert refused["code"] and refused["message"], refused
        seqs = [e.seq for e in stored[key]]
        if not acks:
            assert seqs == [], f"{key} was refused twice yet is in the log"
            continue
        applied += 1
        # Applied exactly once: one ack, and the other copy answered as its duplicate (or
        # refused with a reason); the log holds its events once, side by side.
        assert len([r for r in acks if not r.get("duplicate")]) == 1, (key, pair)
        # A duplicate is answered with the intent's last event; the original ack with the
        # last record of its append, which may add a control.timer record after it.
        for ack in acks:
            assert ack["seq"] == seqs[-1] or (not ack.get("duplicate") and ack["seq"] > seqs[-1])
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), (key, seqs)
    assert applied >= VOLLEYS, "every volley applied something"
