"""Text that people type is shown as text, never run as markup, in a real browser.

A player joins through the join page with a display name that is an HTML image with an
`onerror` handler; then, over the websocket protocol with that player's own seat token
(a Python client, as a modified browser could), adds a framing and writes an idea whose
title is a <script> element and whose text is another such image. The other player's
screen, the table screen, the facilitator console and the debrief all show those
strings literally; no script ran (`window.__pwned` stays undefined on every page) and no
page asked for the image `x`. The `browsing` fixture fails the test on any uncaught
error or Content-Security-Policy violation besides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect

from app.client import ws_url
from app.rooms.room import PROTOCOL_VERSION
from tests.contract import SyncCheckedSocket, checked_connect_sync
from tests.e2e.conftest import Browsing, control
from tests.e2e.ui import role_name, tr, tr_re
from tests.integration.server import WAIT, Server

LANG = "en"
ROUNDS = 8  # in the school-committee scenario
NAME = '<img src=x onerror="window.__pwned=1">'
FRAMING = '<img src=x onerror="window.__pwned=1"> we need a <b>safe</b> school run'
TITLE = "<script>window.__pwned=1</script>"
TEXT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def join_in_browser(browsing: Browsing, code: str, role: str, name: str) -> Page:
    page: Page = browsing.page(f"player-{role}", lang=LANG)
    page.goto(f"/join/{code}")
    page.get_by_label(tr(LANG, "Your name")).fill(name)
    page.get_by_role("radio", name=re.compile("^" + re.escape(role_name(role, LANG)))).check()
    page.get_by_role("button", name=tr(LANG, "Join"), exact=True).click()
    page.wait_for_url("**/play")
    return page


class Seat:
    """A seat's own protocol client, on the token the join page stored in the browser."""

    def __init__(self, ws: SyncCheckedSocket, token: str) -> None:
        self.ws = ws
        self.cmids = 0
        self.ws.send(json.dumps({"v": PROTOCOL_VERSION, "type": "hello", "token": token}))
        assert self.until({"welcome", "error"})["type"] == "welcome"

    def until(self, kinds: set[str]) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(self.ws.recv(timeout=WAIT))
            if frame["type"] in kinds:
                return frame

    def act(self, action: dict[str, Any]) -> None:
        self.cmids += 1
        cmid = f"hostile-{self.cmids}"
        self.ws.send(
            json.dumps({"v": PROTOCOL_VERSION, "type": "intent", "cmid": cmid, "action": action})
        )
        while True:  # the update carrying our cmid answers (protocol v3), or an error
            answer: dict[str, Any] = json.loads(self.ws.recv(timeout=WAIT))
            if answer.get("cmid") == cmid:
                break
        assert answer["type"] in ("update", "ack"), answer


@contextmanager
def seat_client(base: str, token: str) -> Iterator[Seat]:
    with checked_connect_sync(ws_url(base), "seat", max_size=None, open_timeout=WAIT) as ws:
        yield Seat(ws, token)


def harmless(page: Page, *texts: str) -> None:
    """The page shows each text literally, and nothing it holds has run."""
    for text in texts:
        expect(page.locator("body")).to_contain_text(text)
    assert page.evaluate("() => typeof window.__pwned") == "undefined", page.url
    # Markup would have become elements: there are none with a handler or a src of x.
    assert page.locator("[onerror], img[src='x'], script:not([src])").count() == 0, page.url


def test_hostile_names_framings_and_ideas_are_shown_as_text_everywhere(
    browsing: Browsing, api: httpx.Client, server: Server
) -> None:
    created = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": LANG}
    ).json()
    code = created["tables"][0]["code"]
    workshop, token = created["workshop_id"], created["facilitator_token"]

    chair = join_in_browser(browsing, code, "chair", "Mette")
    hostile = join_in_browser(browsing, code, "parent", NAME)
    for role in ("councillor", "official", "teacher"):
        joined = api.post("/api/join", json={"code": code, "name": role.title(), "role": role})
        assert joined.status_code == 200, joined.text
    stored = json.loads(hostile.evaluate("() => localStorage.getItem('pm.seat')"))
    projector: Page = browsing.page("projector", lang=LANG)
    projector.goto(f"/table/{code}")
    trainer: Page = browsing.page("trainer", lang=LANG)
    trainer.goto(f"/facilitator/{workshop}#token={token}")

    control(api, created, "start")
    with seat_client(server.base, stored["token"]) as seat:
        seat.act({"type": "add_framing", "text": FRAMING})
        expect(chair.locator("#action")).to_contain_text(FRAMING)
        harmless(chair, NAME, FRAMING)
        control(api, created, "advance")  # to the first ideate round
        expect(chair.locator("#hud-round")).to_have_text(
            tr_re(LANG, "Round {n} of {count}: {title}", n=2, count=ROUNDS)
        )
        seat.act({"type": "write_idea", "title": TITLE, "text": TEXT})

    harmless(chair, NAME, TITLE, TEXT)
    harmless(hostile, NAME, TITLE, TEXT)
    harmless(projector, NAME, TITLE)
    harmless(trainer, NAME)

    control(api, created, "end")
    expect(chair.locator("#action-title")).to_have_text(tr(LANG, "Game over"))
    harmless(chair, TITLE)
    trainer.goto(f"/debrief/{workshop}/1")
    expect(trainer.locator("#sec-scores g.chart-series")).to_have_count(3)
    harmless(trainer, TITLE, TEXT)  # the debrief names roles, not people
    trainer.goto(f"/debrief/{workshop}")
    expect(trainer.locator("#deb-body")).to_have_attribute("aria-busy", "false")
    harmless(trainer)

    images = [
        url
        for _name, _ctx, traffic in browsing.contexts
        for url in traffic.seen
        if urlsplit(url).path.rsplit("/", 1)[-1] == "x"
    ]
    assert images == [], "a page loaded the hostile image"
