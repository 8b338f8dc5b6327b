"""Answers the frame check (tests/contract.py) found outside what docs/asyncapi.yaml
declares, now as the document says, on a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.contract import operations
from tests.integration.server import Player, Server


@pytest.fixture
async def fresh(live_server: Server) -> AsyncIterator[Player]:
    """A connection that has not said hello yet."""
    player = await Player.connect(live_server.base)
    yield player
    await player.close()


async def test_an_intent_before_hello_is_refused_with_its_cmid(fresh: Player) -> None:
    # The document: a refused intent's error carries its cmid, so a client can match it.
    await fresh.send("intent", cmid="early", action={"type": "pass"})

    refused = await fresh.until(lambda f: f["type"] == "error")

    assert refused["code"] == "hello_first" and refused["cmid"] == "early"


async def test_a_ping_refused_is_answered_by_an_error_its_operation_lists(fresh: Player) -> None:
    # operations.receivePing lists pong and error: a ping can be refused like any frame.
    await fresh.send_raw('{"v": 1, "type": "ping"}')

    refused = await fresh.until(lambda f: f["type"] in ("pong", "error"))

    assert refused["type"] == "error" and refused["code"] == "bad_frame"
    assert refused["type"] in operations()["ping"].replies
