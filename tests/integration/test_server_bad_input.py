"""Bad frames get an error frame with a code, and the connection stays open."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.server import Facilitator, Player, Server


@pytest.fixture
async def player(live_server: Server) -> AsyncIterator[Player]:
    """A connection that has not said hello yet."""
    player = await Player.connect(live_server.base)
    yield player
    await player.close()


async def error_code(player: Player) -> str:
    frame = await player.until(lambda f: f["type"] == "error")
    return str(frame["code"])


async def still_open(player: Player) -> bool:
    """A ping on the same connection is answered."""
    await player.send("ping")
    pong = await player.until(lambda f: f["type"] in ("pong", "error"))
    return bool(pong["type"] == "pong")


async def test_malformed_json_is_an_error_and_the_connection_stays_open(player: Player) -> None:
    await player.send_raw('{"v": 2, "type": "ping"')

    assert await error_code(player) == "bad_json"
    assert await still_open(player)


@pytest.mark.parametrize("version", [1, 4, None, True, "3"])  # None: no `v` at all
async def test_a_hello_in_another_protocol_version_is_refused(
    player: Player, http: httpx.AsyncClient, version: object
) -> None:
    """A client of version 1 (it expects whole views in updates) is told which one to speak."""
    fac = await Facilitator.create(http)
    joined = await fac.join("Someone")
    hello = {"type": "hello", "token": joined["token"]}
    await player.send_raw(json.dumps(hello if version is None else {"v": version, **hello}))

    refused = await player.until(lambda f: f["type"] in ("welcome", "error"))

    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert "v=3" in refused["message"]
    assert await still_open(player)
    assert (await player.hello(joined["token"]))["type"] == "welcome"


async def test_an_intent_before_hello_is_refused(player: Player) -> None:
    await player.send("intent", cmid="early", action={"type": "pass"})

    frame = await player.until(lambda f: f["type"] == "error")
    assert frame["code"] == "hello_first"
    assert await still_open(player)


async def test_an_unknown_frame_type_is_refused(player: Player, http: httpx.AsyncClient) -> None:
    fac = await Facilitator.create(http)
    joined = await fac.join("Someone")
    assert (await player.hello(joined["token"]))["type"] == "welcome"

    await player.send_raw('{"v": 2, "type": "shout"}')

    assert await error_code(player) == "unknown_type"
    assert await still_open(player)


async def test_a_forged_seat_token_is_refused(player: Player) -> None:
    welcome = await player.hello("eyJ0IjoieCIsInMiOiJjaGFpciJ9.bm90LWEtbWFj")

    assert welcome["type"] == "error" and welcome["code"] == "bad_token"
    assert await still_open(player)


async def test_a_watcher_sees_the_table_but_cannot_act(
    player: Player, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http)
    await player.send("hello", code=fac.code())
    welcome = await player.until(lambda f: f["type"] == "welcome")
    assert welcome["seat"] is None and welcome["state"]["private"] is None

    refused = await player.intent({"type": "pass"})

    assert refused["type"] == "error" and refused["code"] == "not_seated"
