"""The websocket server holds to docs/asyncapi.yaml exactly (issue 23), on a real server.

Frames are written raw where the document forbids them, so that the client's own
validation does not stop them first: unknown top-level fields are refused with
`bad_frame` naming the field and change nothing, a `last_seq` beyond the table is
`bad_seq`, a missing action field is named in words for people, and an applied intent's
answer is a frame its operation's reply lists.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.rooms.room import PROTOCOL_VERSION
from app.web.protocol import protocol
from tests.integration.server import Facilitator, Player, Server, answers, seated

V = PROTOCOL_VERSION


def raw(kind: str, **fields: Any) -> str:
    return json.dumps({"v": V, "type": kind, **fields})


def reply_types(operation: str) -> set[str]:
    """The frame types the document lists as an operation's reply."""
    doc = protocol().document
    names = [
        r["$ref"].rsplit("/", 1)[-1] for r in doc["operations"][operation]["reply"]["messages"]
    ]
    messages = doc["components"]["messages"]
    return {messages[n]["payload"]["properties"]["type"]["const"] for n in names}


async def still_usable(player: Player) -> None:
    await player.send("ping")
    assert (await player.until(lambda f: f["type"] in ("pong", "error")))["type"] == "pong"


@pytest.fixture
async def table(live_server: Server, http: httpx.AsyncClient) -> AsyncIterator[list[Player]]:
    """Five players at a table whose game is running (autostart once every role is seated)."""
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        await players[0].until_public(lambda p: p["status"] == "running")
        yield players


@pytest.fixture
async def lone(live_server: Server, http: httpx.AsyncClient) -> AsyncIterator[Player]:
    """A connection that has not said hello, and a seat token for it (in `joined`)."""
    fac = await Facilitator.create(http)
    player = await Player.connect(live_server.base)
    player.joined = await fac.join("Ada")
    yield player
    await player.close()


# --- 1 -----------------------------------------------------------------------------------


async def test_an_applied_intents_answer_is_a_frame_its_operation_lists(
    table: list[Player],
) -> None:
    answer = await table[0].intent({"type": "pass"}, cmid="pass-1")

    assert answer["type"] == "update" and answer["cmid"] == "pass-1"
    assert answer["type"] in reply_types("receiveIntent")


# --- 2 -----------------------------------------------------------------------------------


async def test_a_ping_with_an_unknown_field_is_refused_naming_it(lone: Player) -> None:
    await lone.send_raw(raw("ping", extra=1))

    refused = await lone.until(lambda f: f["type"] in ("pong", "error"))

    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert "'extra'" in refused["message"]
    await still_usable(lone)


async def test_a_hello_with_an_unknown_field_joins_nothing(lone: Player) -> None:
    # A misspelt last_seq must not be taken for a first join.
    await lone.send_raw(raw("hello", token=lone.joined["token"], lastseq=3))

    refused = await lone.until(lambda f: f["type"] in ("welcome", "error"))

    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert "'lastseq'" in refused["message"]
    # Not joined: a correct hello is welcomed rather than refused as `already_joined`.
    assert (await lone.hello(lone.joined["token"]))["type"] == "welcome"


async def test_a_sync_with_an_unknown_field_is_refused(lone: Player) -> None:
    assert (await lone.hello(lone.joined["token"]))["type"] == "welcome"

    await lone.send_raw(raw("sync", after_seq=0, since=0))

    refused = await lone.until(lambda f: f["type"] in ("events", "error"))
    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert "'since'" in refused["message"]
    await still_usable(lone)


async def test_an_intent_with_an_unknown_field_is_refused_and_not_applied(
    table: list[Player],
) -> None:
    player = table[0]
    seat = player.joined["seat"]
    await player.send_raw(raw("intent", cmid="p1", action={"type": "pass"}, urgent=True))

    refused = await player.until(lambda f: answers(f, "p1"))

    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert refused["cmid"] == "p1" and "'urgent'" in refused["message"]
    assert seat not in player.public["done"]
    # The same cmid, sent right, is applied now: the first one was not.
    answer = await player.intent({"type": "pass"}, cmid="p1")
    assert answer["type"] == "update" and seat in player.public["done"]


# --- 8 -----------------------------------------------------------------------------------


async def test_a_hello_with_a_last_seq_beyond_the_table_is_refused(
    table: list[Player], live_server: Server
) -> None:
    seq = table[0].seq
    assert seq > 0
    late = await Player.connect(live_server.base)
    try:
        refused = await late.hello(table[0].joined["token"], last_seq=seq + 10)

        assert refused["type"] == "error" and refused["code"] == "bad_seq"
        assert f"latest seq {seq}" in refused["message"]
        # At the table's seq itself is a resume, as before.
        assert (await late.hello(table[0].joined["token"], last_seq=seq))["type"] == "welcome"
    finally:
        await late.close()


# --- 9 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"type": "play_idea"}, "play_idea needs the field 'idea'"),
        ({"type": "vote", "choice": None}, "vote needs the field 'choice'"),
        ({"type": "rank_framings"}, "rank_framings needs the field 'order'"),
    ],
)
async def test_a_missing_action_field_is_named_for_people(
    table: list[Player], action: dict[str, Any], message: str
) -> None:
    player = table[1]
    await player.send_raw(raw("intent", cmid="m1", action=action))

    refused = await player.until(lambda f: answers(f, "m1"))

    assert refused["type"] == "error" and refused["code"] == "bad_action"
    assert refused["message"] == message and refused["cmid"] == "m1"
    await still_usable(player)
