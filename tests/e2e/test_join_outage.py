"""A phone joining while the server's database restarts (issue 25).

The server then answers the join page's API calls with a 503, `Retry-After` and an
`Outage` body (app/web/outage.py; tests/integration/test_outage_http.py shows it does,
with a PostgreSQL of its own stopped). Here the browser gets that answer for the first
lobby lookup and the first join, as it would in the seconds of a restart: the page says
the server is restarting and looks the table up again by itself; a refused join says
nothing was changed, and the same button then takes the seat. The console's status poll
gets it once, and the console says it keeps trying.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from playwright.sync_api import Route, expect

from app.rooms.schemas import Outage
from app.web import outage
from tests.e2e.conftest import LAPTOP, PHONE_390, Browsing
from tests.e2e.ui import tr

RETRY_SECONDS = 1  # the page waits what the server says (at least a second)


def _once_unavailable(answered: list[str]) -> Any:
    """A route handler: the first request gets the server's outage answer, the rest go on."""

    def handle(route: Route) -> None:
        if answered:
            route.continue_()
            return
        answered.append(route.request.url)
        route.fulfill(
            status=503,
            headers={"Retry-After": str(RETRY_SECONDS), "Content-Type": "application/json"},
            body=json.dumps(Outage(detail=outage.MESSAGE, retry_after=RETRY_SECONDS).model_dump()),
        )

    return handle


def test_a_phone_rides_out_a_database_restart(browsing: Browsing, api: httpx.Client) -> None:
    lang = "da"
    created = api.post("/api/workshops", json={"scenario": "school-committee", "language": lang})
    assert created.status_code == 201, created.text
    code = created.json()["tables"][0]["code"]
    phone = browsing.page("phone-restart", viewport=PHONE_390, lang=lang)
    lookups: list[str] = []
    joins: list[str] = []
    phone.route("**/api/tables/*", _once_unavailable(lookups))
    phone.route("**/api/join", _once_unavailable(joins))
    phone.goto("/")

    phone.get_by_label(tr(lang, "Table code")).fill(code)
    message = phone.locator("#code-msg")
    expect(message).to_have_text(tr(lang, "The server is restarting for a moment. Trying again…"))
    # Looked up again with nothing typed or pressed.
    expect(message).to_have_text(tr(lang, "Table found."))
    assert len(lookups) == 1

    phone.get_by_label(tr(lang, "Your name")).fill("Restart")
    join = phone.get_by_role("button", name=tr(lang, "Join"), exact=True)
    join.click()
    expect(phone.locator("#join-msg")).to_have_text(
        tr(
            lang,
            "The server could not take your seat just now. Nothing was changed; "
            "try again in a moment.",
        )
    )
    assert len(joins) == 1
    join.click()
    phone.wait_for_url("**/play")


def test_the_console_rides_out_a_database_restart(browsing: Browsing, api: httpx.Client) -> None:
    """The console's status poll gets the 503 once: it says it is not updated and keeps
    trying by itself (asking the trainer for nothing), and the next poll brings it back."""
    lang = "da"
    created = api.post("/api/workshops", json={"scenario": "school-committee", "language": lang})
    assert created.status_code == 201, created.text
    workshop = created.json()
    trainer = browsing.page("console-restart", viewport=LAPTOP, lang=lang)
    polls: list[str] = []

    def second_poll_unavailable(route: Route) -> None:
        polls.append(route.request.url)
        if len(polls) == 2:
            _once_unavailable([])(route)
        else:
            route.continue_()

    trainer.route(f"**/api/workshops/{workshop['workshop_id']}", second_poll_unavailable)
    trainer.goto(f"/facilitator/{workshop['workshop_id']}#token={workshop['facilitator_token']}")

    updated = trainer.locator("#fac-updated")
    why = tr(lang, "the server's database cannot be reached just now; the console keeps trying")
    expect(updated).to_have_text(tr(lang, "Not updated: {why}", why=why))
    expect(updated).to_have_text(re.compile("^" + re.escape(tr(lang, "Updated {time}", time=""))))
    assert len(polls) >= 3
