"""Protocol v3 answers an intent with the update it produced; v2 clients still get an ack.

docs/asyncapi.yaml, "Versions": the update sent to the connection an intent came from
carries the intent's cmid and no ack follows it. A client that said hello in version 2
gets the same update without a cmid, then the ack, as before.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.integration.server import Facilitator, Player, Server, seated

PASS = {"type": "pass"}


async def _frames_until_pong(player: Player) -> list[dict[str, Any]]:
    """Every frame up to the answer to a ping: the server answers in order, so nothing
    sent for an earlier frame can come after it."""
    await player.send("ping")
    seen = []
    while True:
        frame = await player.recv()
        if frame["type"] == "pong":
            return seen
        seen.append(frame)


async def test_a_v3_intent_is_answered_by_its_own_update_and_no_ack(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        actor, other = players[0], players[1]
        await actor.send("intent", cmid="mine", action=PASS)

        frames = await _frames_until_pong(actor)
        answers = [f for f in frames if f.get("cmid") == "mine"]
        assert [f["type"] for f in answers] == ["update"], frames
        assert answers[0]["events"], "the answer brings the intent's own events"
        assert not [f for f in frames if f["type"] == "ack"], frames
        # The other seats get the same update without anyone's cmid.
        seen = await other.until(lambda f: f["type"] == "update" and f["seq"] >= answers[0]["seq"])
        assert "cmid" not in seen

        # An intent without a cmid has nothing to name in its update: an ack answers it.
        await other.send("intent", action=PASS)
        plain = await other.until(lambda f: f["type"] in ("ack", "error"))
        assert plain["type"] == "ack" and plain["cmid"] is None, plain


async def test_a_v2_client_still_gets_an_ack_after_the_update(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac, seats=4) as players:
        joined = await fac.join("Old client")
        old = await Player.connect(live_server.base)
        try:
            await old.send_raw(json.dumps({"v": 2, "type": "hello", "token": joined["token"]}))
            assert (await old.until(lambda f: f["type"] in ("welcome", "error")))["type"] == (
                "welcome"
            )
            await players[0].until(lambda f: f["type"] == "update" and f["seq"] >= 1)
            await old.send_raw(
                json.dumps({"v": 2, "type": "intent", "cmid": "old-1", "action": PASS})
            )
            ack = await old.until(lambda f: f["type"] in ("ack", "error"))
            assert ack["type"] == "ack" and ack["cmid"] == "old-1", ack
            assert ack["duplicate"] is False
            # Its update came before the ack, without a cmid it would not know.
            update = [f for f in old.frames if f["type"] == "update" and f["seq"] == ack["seq"]]
            assert update and "cmid" not in update[-1], old.frames
        finally:
            await old.close()
