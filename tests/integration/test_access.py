"""Who may do what, on a real server.

- Every control endpoint (each path under /api/workshops/{workshop_id}, read from the
  server's own OpenAPI document, so a new one is covered the day it is added) refuses a
  request without the facilitator token, with a wrong one and with another workshop's,
  and such a request changes nothing.
- Seat tokens are signed by the server and name their table and seat: a token edited to
  name another table or seat, or signed by another server, opens nothing, and a token
  opens its own table only, whatever table code comes with it.
- A seat sees its own agenda, goal and hand only, and can only act for itself. (The
  whole-game version of the first: test_server_game.py::
  test_no_seat_gets_another_seats_agenda_goal_or_hand_before_the_end.)
- A websocket opened by a page from another site is refused.
- Every page (each route of app/web/pages.py) carries a Content-Security-Policy
  without 'unsafe-inline' scripts and with frame-ancestors, X-Content-Type-Options:
  nosniff and a Referrer-Policy, and holds no inline script.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from app.client import ws_url
from app.rooms.room import PROTOCOL_VERSION
from app.web import pages
from tests.contract import checked_connect
from tests.integration.server import Facilitator, Player, Server, seated

# A valid body for each control endpoint that takes one, so a refusal is about the token.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/workshops/{workshop_id}/control"): {"command": "start"},
    ("post", "/api/workshops/{workshop_id}/announce"): {"text": "Hello from nowhere"},
    ("post", "/api/workshops/{workshop_id}/tables/{number}/seats/{seat}"): {"action": "bot"},
    ("put", "/api/workshops/{workshop_id}/tables/{number}/note"): {"text": "Not yours"},
}


async def control_endpoints(http: httpx.AsyncClient) -> list[tuple[str, str]]:
    """(method, path) of every operation on a workshop, from the server's OpenAPI."""
    paths = (await http.get("/openapi.json")).json()["paths"]
    found = [
        (method, path)
        for path, item in paths.items()
        if "{workshop_id}" in path
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(found) >= 9, found  # status, control, announce, debriefs, exports, delete …
    return found


def fill(path: str, workshop_id: str) -> str:
    return (
        path.replace("{workshop_id}", workshop_id)
        .replace("{number}", "1")
        .replace("{seat}", "chair")
    )


# --- the facilitator token ---------------------------------------------------------------------


async def test_every_control_endpoint_refuses_a_missing_wrong_or_foreign_token(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=False)
    other = await Facilitator.create(http)
    endpoints = await control_endpoints(http)
    async with seated(live_server.base, fac) as players:
        for method, path in endpoints:
            url = fill(path, fac.workshop_id)
            body = BODIES.get((method, path))
            for name, headers, params in [
                ("no token", {}, {}),
                ("wrong token", {"Authorization": "Bearer not-the-token"}, {}),
                ("another workshop's token", other.auth, {}),
                ("another workshop's token as ?token=", {}, {"token": other.token}),
            ]:
                response = await http.request(
                    method.upper(), url, json=body, headers=headers, params=params
                )
                assert response.status_code == 401, (method, path, name, response.text)
                assert response.json()["detail"]

        # Nothing happened: the table waits in its lobby, nobody heard an announcement,
        # the workshop is still there.
        (table,) = (await fac.status())["tables"]
        assert table["status"] == "lobby" and table["seq"] == 0
        for player in players:
            await player.send("ping")
            await player.until(lambda f: f["type"] == "pong")
            assert not [f for f in player.frames if f["type"] == "announcement"]
    assert (await other.get()).status_code == 200


async def test_the_facilitator_token_works_as_a_bearer_header_or_a_query_and_nothing_else(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http)
    for headers, params in [
        ({"Authorization": f"Bearer {fac.token}"}, {}),
        ({"Authorization": f"bearer {fac.token}"}, {}),  # the scheme is case-insensitive
        ({}, {"token": fac.token}),  # a facilitator link from a printed sheet
        ({"Authorization": f"Basic {fac.token}"}, {"token": fac.token}),
    ]:
        response = await http.get(fac.path, headers=headers, params=params)
        assert response.status_code == 200, (headers, params, response.text)

    # The token alone, or under another scheme, is no bearer token: the refusal says how
    # to send it, and names the scheme as RFC 9110 asks of a 401.
    for headers in ({"Authorization": fac.token}, {"Authorization": f"Basic {fac.token}"}):
        refused = await http.get(fac.path, headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["www-authenticate"] == "Bearer"
        detail = refused.json()["detail"]
        assert "facilitator token" in detail and "Authorization: Bearer" in detail
    wrong = await http.get(fac.path, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


# --- seat tokens --------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def edited(token: str, **claim: str) -> str:
    """The token with its claim changed (t: table id, s: seat id) and its signature kept."""
    body, _, mac = token.partition(".")
    data = {**json.loads(unb64(body)), **claim}
    return f"{b64(json.dumps(data).encode())}.{mac}"


async def refused_token(base: str, http: httpx.AsyncClient, token: str) -> None:
    player = await Player.connect(base)
    try:
        answer = await player.hello(token)
    finally:
        await player.close()
    assert answer["type"] == "error" and answer["code"] == "bad_token", answer
    scenario = await http.get("/api/seat/scenario", headers={"Authorization": f"Bearer {token}"})
    assert scenario.status_code == 401


async def test_a_seat_token_edited_to_name_another_table_or_seat_is_refused(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, tables=2)
    mine = await fac.join("Ann", number=1)
    theirs = await fac.join("Bo", number=2)
    assert mine["table_id"] != theirs["table_id"]

    await refused_token(live_server.base, http, edited(mine["token"], t=theirs["table_id"]))
    await refused_token(live_server.base, http, edited(mine["token"], s="chair-2"))
    await refused_token(live_server.base, http, edited(theirs["token"], t=mine["table_id"]))


async def test_a_seat_token_signed_by_another_server_is_refused(
    live_server: Server, new_server: Callable[[], Server]
) -> None:
    other = new_server()  # its own data/secret.key
    async with httpx.AsyncClient(base_url=other.base, timeout=30) as there:
        elsewhere = await (await Facilitator.create(there)).join("Ann")
    async with httpx.AsyncClient(base_url=live_server.base, timeout=30) as here:
        await refused_token(live_server.base, here, elsewhere["token"])


async def test_a_seat_token_opens_its_own_table_whatever_code_comes_with_it(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, tables=2)
    mine = await fac.join("Ann", number=1)
    player = await Player.connect(live_server.base)
    try:
        await player.send("hello", token=mine["token"], code=fac.code(2))
        welcome = await player.until(lambda f: f["type"] in ("welcome", "error"))
    finally:
        await player.close()

    assert welcome["type"] == "welcome", welcome
    assert welcome["table"] == mine["table_id"]
    assert welcome["seat"] == mine["seat"]


# --- what a seat may see and do -------------------------------------------------------------------


async def test_a_seat_reads_its_own_agenda_goal_and_hand_and_nobody_elses(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    lobby = (await http.get(f"/api/tables/{fac.code()}")).json()
    assert all(not {"agenda", "goal", "hand"} & set(role) for role in lobby["roles"])
    async with seated(live_server.base, fac) as players:
        for player in players:
            own = player.joined["role"]
            auth = {"Authorization": f"Bearer {player.joined['token']}"}
            scenario = (await http.get("/api/seat/scenario", headers=auth)).json()
            for role in scenario["roles"]:
                if role["id"] == own:
                    assert role["agenda"] and role["hand"], role
                else:
                    assert role["agenda"] == {} and role["hand"] == [], (own, role["id"])
                    assert "goal" not in role, (own, role["id"])
            private = player.private
            assert private is not None and private["role"] == own
            assert private["seat"] == player.joined["seat"]


async def test_a_wrong_or_missing_seat_token_is_refused_as_a_seat_token(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http)
    joined = await fac.join("Ann")
    for headers in (
        {},
        {"Authorization": joined["token"]},  # no scheme
        {"Authorization": "Bearer not-a-seat-token"},
        {"Authorization": f"Bearer {fac.token}"},  # the facilitator's is no seat token
    ):
        refused = await http.get("/api/seat/scenario", headers=headers)
        assert refused.status_code == 401, (headers, refused.text)
        assert refused.headers["www-authenticate"] == "Bearer"
        detail = refused.json()["detail"]
        assert "seat token" in detail and "facilitator" not in detail, detail
    own = await http.get(
        "/api/seat/scenario", headers={"Authorization": f"bearer {joined['token']}"}
    )
    assert own.status_code == 200, own.text


async def test_a_player_cannot_act_for_another_seat(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        before = await fac.log()
        parent = players[3]
        for victim in players:
            if victim is parent:
                continue
            action = {"type": "add_framing", "text": "Said for them", "seat": victim.joined["seat"]}
            refused = await parent.intent(action)
            assert refused["type"] == "error" and refused["code"] == "not_your_seat", refused
        assert await fac.log() == before


# --- websockets from other sites ------------------------------------------------------------------


async def test_a_websocket_from_a_page_of_another_site_is_refused(live_server: Server) -> None:
    url = ws_url(live_server.base)

    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url, origin=websockets.Origin("https://evil.example"))
    assert refused.value.response.status_code == 403

    # The server's own pages (same origin) and clients that send no Origin (bots) are let in.
    for origin in (websockets.Origin(live_server.base), None):
        async with checked_connect(url, f"origin {origin}", origin=origin) as ws:
            await ws.send(json.dumps({"v": PROTOCOL_VERSION, "type": "ping"}))
            assert json.loads(await ws.recv())["type"] == "pong"


# --- security headers on every page ---------------------------------------------------------------


def directives(csp: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)


async def test_every_page_carries_the_security_headers_and_no_inline_script(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http)
    values = {"code": fac.code(), "workshop_id": fac.workshop_id, "number": "1", "lang": "en"}
    urls = [
        re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)  # type: ignore[attr-defined]
        for route in pages.router.routes
    ]
    assert {"/", "/play", "/facilitator"} <= set(urls) and len(urls) >= 9, urls
    # And what else a browser loads: an API answer, an error, a script.
    urls += ["/api/scenarios", "/no/such/page", "/static/js/net.js"]
    for url in urls:
        response = await http.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        headers = response.headers
        csp = directives(headers["content-security-policy"])
        assert "'unsafe-inline'" not in csp["script-src"], url
        assert "'unsafe-eval'" not in csp["script-src"], url
        assert csp["frame-ancestors"] == ["'none'"], url
        assert csp["object-src"] == ["'none'"], url
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "no-referrer", url
        if headers["content-type"].startswith("text/html"):
            assert not INLINE_SCRIPT.search(response.text), url
