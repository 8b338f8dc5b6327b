"""Every limit a client can run into, on a real server, each with the clear error it gives.

Frame size (16 KiB per websocket frame; 1 MiB per message closes the socket), name and
text lengths, the per-connection message rate, the per-address limit on wrong join
codes, seats per table, tables per workshop and the size of a request body.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from app.engine.rules import MAX_TEXT, MAX_TITLE
from app.rooms.room import PROTOCOL_VERSION
from app.rooms.schemas import MAX_ANNOUNCEMENT, MAX_NAME, MAX_TABLES
from app.rooms.schemas import MAX_TITLE as MAX_WORKSHOP_TITLE
from app.settings import Settings
from app.web.api import WRONG_CODE_LIMIT
from app.web.scenario_api import MAX_BODY
from app.web.ws import MAX_FRAME_BYTES
from tests.integration.server import (
    WAIT,
    Facilitator,
    Player,
    Server,
    accepted,
    answers,
    full_rules,
    seated,
)

# uvicorn's ws_max_size as `policymaker serve` sets it (app/cli.py).
MAX_MESSAGE = 1024 * 1024
BURST: int = Settings.model_fields["ws_message_burst"].default
RATE: float = Settings.model_fields["ws_messages_per_second"].default


@pytest.fixture
async def player(live_server: Server) -> AsyncIterator[Player]:
    player = await Player.connect(live_server.base)
    yield player
    await player.close()


def padded_ping(size: int) -> str:
    """A valid ping frame of exactly `size` bytes: padded with JSON whitespace, since a
    field the ping does not take is refused (bad_frame) whatever the frame's size."""
    bare = json.dumps({"v": PROTOCOL_VERSION, "type": "ping"})
    return bare[:-1] + " " * (size - len(bare)) + "}"


async def answer(player: Player) -> dict[str, object]:
    return await player.until(lambda f: f["type"] in ("pong", "error"))


async def raw_intent(player: Player, action: dict[str, object], cmid: str) -> dict[str, object]:
    """An intent sent as is (Player.intent refuses frames the protocol document forbids)."""
    await player.send_raw(
        json.dumps({"v": PROTOCOL_VERSION, "type": "intent", "cmid": cmid, "action": action})
    )
    return await player.until(lambda f: answers(f, cmid))


# --- websocket frames ---------------------------------------------------------------------


async def test_a_frame_of_16_kib_is_read_and_one_byte_more_is_refused(player: Player) -> None:
    await player.send_raw(padded_ping(MAX_FRAME_BYTES))
    assert (await answer(player))["type"] == "pong"

    await player.send_raw(padded_ping(MAX_FRAME_BYTES + 1))
    refused = await answer(player)

    assert refused["type"] == "error" and refused["code"] == "too_large", refused
    assert "16384 bytes" in str(refused["message"])
    await player.send("ping")
    assert (await answer(player))["type"] == "pong", "the connection stays open"


async def test_a_binary_frame_over_the_limit_is_refused_too(player: Player) -> None:
    await player.ws.send(b"{" * (MAX_FRAME_BYTES + 1))

    refused = await answer(player)

    assert refused["type"] == "error" and refused["code"] == "too_large", refused


async def test_a_message_over_1_mib_closes_that_connection_only(
    live_server: Server, player: Player
) -> None:
    other = await Player.connect(live_server.base)
    try:
        await player.ws.send("x" * (MAX_MESSAGE + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await player.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # too big

        await other.send("ping")
        assert (await answer(other))["type"] == "pong"
    finally:
        await other.close()


# --- names and texts ------------------------------------------------------------------------


async def test_a_display_name_may_have_40_characters_and_no_more(http: httpx.AsyncClient) -> None:
    fac = await Facilitator.create(http)
    longest = "Å" * MAX_NAME

    too_long = await http.post("/api/join", json={"code": fac.code(), "name": longest + "x"})
    joined = await fac.join(longest)

    assert too_long.status_code == 422
    (error,) = too_long.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["msg"] == "String should have at most 40 characters"
    status = await fac.status()
    assert [s["name"] for s in status["tables"][0]["seats"]] == [longest]
    assert joined["seat"] == status["tables"][0]["seats"][0]["id"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("   ", "the name needs at least one letter"),
        ("Ann\x00", "the name may not hold control characters or line breaks"),
        ("Ann\nBob", "the name may not hold control characters or line breaks"),
        ("", "String should have at least 1 character"),
    ],
    ids=["blank", "nul", "newline", "empty"],
)
async def test_a_name_that_cannot_be_shown_is_refused(
    http: httpx.AsyncClient, name: str, why: str
) -> None:
    fac = await Facilitator.create(http)

    refused = await http.post("/api/join", json={"code": fac.code(), "name": name})

    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "name"] and why in error["msg"], error
    assert (await fac.status())["tables"][0]["seats"] == []


async def test_framings_and_ideas_have_a_length_limit(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    # An English table: a Danish one says the same in Danish (test_refusal_language.py).
    fac = await Facilitator.create(http, autostart=True, language="en")
    async with seated(live_server.base, fac) as players:
        author = players[3]
        long_framing = {"type": "add_framing", "text": "f" * (MAX_TEXT + 1)}
        refused = await raw_intent(author, long_framing, "long-framing")
        assert refused["type"] == "error" and refused["code"] == "too_long", refused
        assert refused["message"] == f"the framing may be at most {MAX_TEXT} characters"
        ok = await author.intent({"type": "add_framing", "text": "f" * MAX_TEXT})
        assert accepted(ok), ok

        (advanced,) = await fac.control("advance")  # to the first ideate round
        assert advanced["ok"], advanced
        await author.until_public(lambda public: public["round"]["phase"] == "ideate")
        long_title = {"type": "write_idea", "title": "t" * (MAX_TITLE + 1)}
        long_text = {"type": "write_idea", "title": "t", "text": "x" * (MAX_TEXT + 1)}
        for action, what, limit in [
            (long_title, "title", MAX_TITLE),
            (long_text, "text", MAX_TEXT),
        ]:
            refused = await raw_intent(author, action, f"long-{what}")
            assert refused["type"] == "error" and refused["code"] == "too_long", refused
            assert refused["message"] == f"the {what} may be at most {limit} characters"
        ok = await author.intent(
            {"type": "write_idea", "title": "t" * MAX_TITLE, "text": "x" * MAX_TEXT}
        )
        assert accepted(ok), ok


async def test_announcements_and_workshop_titles_have_a_length_limit(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http, title="w" * MAX_WORKSHOP_TITLE)
    too_long_title = await http.post(
        "/api/workshops", json={"title": "w" * (MAX_WORKSHOP_TITLE + 1)}
    )
    announce = f"{fac.path}/announce"
    too_long = await http.post(
        announce, json={"text": "a" * (MAX_ANNOUNCEMENT + 1)}, headers=fac.auth
    )
    longest = await http.post(announce, json={"text": "a" * MAX_ANNOUNCEMENT}, headers=fac.auth)

    assert too_long_title.status_code == 422
    assert too_long_title.json()["detail"][0]["loc"] == ["body", "title"]
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["msg"] == "String should have at most 500 characters"
    assert longest.status_code == 204


# --- the message rate -----------------------------------------------------------------------


async def test_a_connection_past_its_message_rate_gets_rate_limited_and_others_do_not(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http)  # a lobby: every intent is refused, none applied
    async with seated(live_server.base, fac, seats=2) as (noisy, calm):
        frames = 6 * BURST
        began = time.monotonic()
        # Sent at once, far faster than 20 a second: the bucket holds a burst of 60.
        for i in range(frames):
            await noisy.send("intent", cmid=f"n{i}", action={"type": "pass"})
        answers = [await noisy.until(lambda f: f["type"] == "error") for _ in range(frames)]
        took = time.monotonic() - began
        codes = [a["code"] for a in answers]

        # Each refusal names its intent: a rate-limited one can be sent again later.
        assert [a["cmid"] for a in answers] == [f"n{i}" for i in range(frames)]
        assert codes[: BURST - 1] == ["not_started"] * (BURST - 1)  # the hello took one
        # Past the burst, only what the bucket refilled meanwhile (20 a second) got through.
        assert codes.count("not_started") <= BURST + RATE * took, (took, codes)
        limited = [a for a in answers if a["code"] == "rate_limited"]
        assert limited and limited[0]["message"] == "too many messages; slow down"
        # Another connection is not slowed by it.
        await calm.send("ping")
        assert (await answer(calm))["type"] == "pong"


# --- wrong join codes per address -----------------------------------------------------------


async def test_an_address_that_tries_too_many_wrong_codes_must_wait(
    new_server: Callable[[], Server],
) -> None:
    # A server of its own: the limit would lock every other test out of joining.
    server = new_server()
    async with httpx.AsyncClient(base_url=server.base, timeout=WAIT) as http:
        fac = await Facilitator.create(http)
        right = fac.code()
        # Right codes never count, however many.
        for _ in range(2 * WRONG_CODE_LIMIT):
            assert (await http.get(f"/api/tables/{right}")).status_code == 200
        wrong = "QQQQQQ" if right != "QQQQQQ" else "QQQQQX"
        for i in range(WRONG_CODE_LIMIT):
            if i % 2:
                response = await http.post("/api/join", json={"code": wrong, "name": "Guess"})
            else:
                response = await http.get(f"/api/tables/{wrong}")
            assert response.status_code == 404, (i, response.text)

        blocked = await http.post("/api/join", json={"code": right, "name": "Ann"})
        blocked_lobby = await http.get(f"/api/tables/{right}")
        # The same server behind a proxy: another address (the proxy is trusted from
        # 127.0.0.1, uvicorn's default) is not blocked.
        elsewhere = await http.post(
            "/api/join",
            json={"code": right, "name": "Bo"},
            headers={"X-Forwarded-For": "192.0.2.7"},
        )

    assert blocked.status_code == 429
    assert blocked.json() == {
        "detail": "too many wrong table codes from this address; wait a minute"
    }
    assert blocked_lobby.status_code == 429
    assert elsewhere.status_code == 200, elsewhere.text


# --- seats and tables -----------------------------------------------------------------------


async def test_a_table_has_as_many_seats_as_its_roles_allow(http: httpx.AsyncClient) -> None:
    fac = await Facilitator.create(http)
    seats = sum(role.seats.max for role in full_rules().scenario.roles)
    for i in range(seats):
        await fac.join(f"Player {i}")

    full = await http.post("/api/join", json={"code": fac.code(), "name": "One more"})
    taken = await http.post(
        "/api/join", json={"code": fac.code(), "name": "Chair two", "role": "chair"}
    )

    assert full.status_code == 409
    assert full.json() == {"detail": "every seat at this table is taken"}
    assert taken.status_code == 409
    assert taken.json() == {"detail": "that role is taken"}
    assert len((await fac.status())["tables"][0]["seats"]) == seats


async def test_a_started_table_takes_no_new_player(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac):
        late = await http.post("/api/join", json={"code": fac.code(), "name": "Late"})

    assert late.status_code == 409
    assert late.json() == {"detail": "this table's game has already started"}


async def test_a_workshop_has_at_most_50_tables(http: httpx.AsyncClient) -> None:
    too_many = await http.post("/api/workshops", json={"tables": MAX_TABLES + 1})
    none = await http.post("/api/workshops", json={"tables": 0})
    most = await Facilitator.create(http, tables=MAX_TABLES)

    assert too_many.status_code == 422
    (error,) = too_many.json()["detail"]
    assert error["loc"] == ["body", "tables"]
    assert error["msg"] == "Input should be less than or equal to 50"
    assert none.status_code == 422
    assert [t["number"] for t in most.tables] == list(range(1, MAX_TABLES + 1))
    assert len({t["code"] for t in most.tables}) == MAX_TABLES


# --- request bodies -------------------------------------------------------------------------


async def test_a_request_body_over_4_mib_is_refused_before_it_is_read(
    live_server: Server,
) -> None:
    # Only the head of the request is sent: the answer must come without the body.
    reader, writer = await asyncio.open_connection("127.0.0.1", live_server.port)
    try:
        writer.write(
            b"POST /api/workshops HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        body = await asyncio.wait_for(reader.readexactly(length), WAIT)
    finally:
        writer.close()

    assert head.startswith(b"HTTP/1.1 413 "), head
    assert b"content-security-policy: " in head.lower()
    assert json.loads(body) == {"detail": "a request body may be at most 4 MiB"}


async def test_a_chunked_body_over_4_mib_is_refused_too(http: httpx.AsyncClient) -> None:
    body = b'{"title": "' + b"x" * MAX_BODY + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await http.post(
        "/api/workshops", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "a request body may be at most 4 MiB"}


# --- text a database cannot store --------------------------------------------------------------


async def test_text_postgresql_cannot_store_is_refused_before_it_reaches_the_database(
    pg_url: str, tmp_path: Path
) -> None:
    # PostgreSQL refuses NUL in text, and no database stores a lone surrogate: each is
    # refused at the edge with a 4xx or an error frame, never a 500 or a dropped socket.
    server = Server(tmp_path / "pg-server", env={"DATABASE_URL": pg_url})
    server.workdir.mkdir()
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=WAIT) as http:
            fac = await Facilitator.create(http, autostart=True)
            name = await http.post("/api/join", json={"code": fac.code(), "name": "Ann\x00"})
            title = await http.post("/api/workshops", json={"title": "Spring\x00"})
            workshop = await http.get("/api/workshops/abc%00def", headers=fac.auth)
            table = await http.get("/api/tables/AB%00CD")
            assert (name.status_code, title.status_code) == (422, 422)
            assert (workshop.status_code, table.status_code) == (404, 404)
            async with seated(server.base, fac) as players:
                author = players[3]
                await author.send_raw(
                    '{"v": 2, "type": "intent", "cmid": "nul\\u0000", "action": {"type": "pass"}}'
                )
                assert (await answer(author))["code"] == "bad_frame"
                await author.send_raw(
                    '{"v": 2, "type": "intent", "cmid": "s", '
                    '"action": {"type": "add_framing", "text": "a \\ud800 b"}}'
                )
                assert (await answer(author))["code"] == "bad_json"
                # NUL inside a text is only escaped JSON in the log: taken and kept.
                kept = await raw_intent(author, {"type": "add_framing", "text": "a\x00b"}, "t")
                assert accepted(kept), kept
            assert any(
                r["data"].get("text") == "a\x00b"
                for r in await fac.log()
                if r["type"] == "framing_added"
            )
    finally:
        server.stop()
    assert "Traceback" not in server.log(tail=1_000_000)
