"""axe-core (vendored in tests/e2e/vendor) finds no serious or critical violation on the
join, player, facilitator and debrief pages, in the states people actually see them.

axe is injected as a script tag, which the pages' CSP forbids: these contexts bypass
the CSP, and only these (the flows run with it, and fail on any violation).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Browsing, axe_violations, control, describe_violations
from tests.e2e.ui import role_name, tr


def _workshop(api: httpx.Client, lang: str) -> dict[str, Any]:
    response = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": lang, "bots": True}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("lang", ["da", "en"])
def test_pages_have_no_serious_accessibility_problems(
    browsing: Browsing, api: httpx.Client, lang: str
) -> None:
    found: list[str] = []

    def assert_accessible(page: Page, what: str) -> None:
        """Note the page's problems and go on, so one run reports every page."""
        violations = axe_violations(page)
        if violations:
            found.append(f"on {what} ({page.url}):\n{describe_violations(violations)}")

    created = _workshop(api, lang)
    workshop, token = created["workshop_id"], created["facilitator_token"]
    code = created["tables"][0]["code"]

    # The trainer's form for a new workshop.
    trainer: Page = browsing.page(f"axe-trainer-{lang}", lang=lang, bypass_csp=True)
    trainer.goto("/facilitator")
    expect(trainer.locator("#f-scenario option[value='school-committee']")).to_have_count(1)
    assert_accessible(trainer, "the new-workshop form")

    # The join page, empty and with a table's roles on offer.
    player: Page = browsing.page(f"axe-player-{lang}", lang=lang, viewport=PHONE, bypass_csp=True)
    player.goto("/")
    expect(player.get_by_label(tr(lang, "Table code"))).to_be_visible()
    assert_accessible(player, "the empty join page")
    player.goto(f"/join/{code}")
    chair = player.get_by_role("radio", name=re.compile("^" + re.escape(role_name("chair", lang))))
    expect(chair).to_be_visible()
    assert_accessible(player, "the join page with roles")

    # The player's screen, waiting and then in the first phase.
    player.get_by_label(tr(lang, "Your name")).fill("Axe")
    chair.check()
    player.get_by_role("button", name=tr(lang, "Join"), exact=True).click()
    player.wait_for_url("**/play")
    expect(player.locator("#action-title")).to_have_text(tr(lang, "Waiting for the game to start"))
    assert_accessible(player, "the player's screen in the lobby")
    control(api, created, "start")
    expect(player.locator("#action-title")).to_have_text(tr(lang, "Rank the framings"))
    player.locator("[data-key^='fr-add-']").first.click()
    assert_accessible(player, "the player's screen while ranking framings")

    # The console with a running table.
    trainer.goto(f"/facilitator/{workshop}#token={token}")
    card = trainer.get_by_role("article", name=tr(lang, "Table {n}", n=1))
    expect(card).to_contain_text(tr(lang, "Running"))
    assert_accessible(trainer, "the facilitator console")

    # The join sheet the trainer prints.
    trainer.goto(f"/facilitator/{workshop}/sheet")
    expect(trainer.get_by_text(code).first).to_be_visible()
    assert_accessible(trainer, "the join sheet")

    # The projector's view of the running table.
    wall: Page = browsing.page(
        f"axe-wall-{lang}", lang=lang, viewport={"width": 1920, "height": 1080}, bypass_csp=True
    )
    wall.goto(f"/table/{code}")
    expect(wall.locator("body")).to_contain_text(tr(lang, "Frame the problem"))
    assert_accessible(wall, "the projector view")

    # The debriefs, once the trainer has ended the game.
    control(api, created, "end")
    expect(player.locator("#action-title")).to_have_text(tr(lang, "Game over"))
    assert_accessible(player, "the player's screen at the end")
    trainer.goto(f"/debrief/{workshop}/1")
    expect(trainer.locator("#sec-scores g.chart-series")).to_have_count(3)
    assert_accessible(trainer, "the table debrief")
    trainer.goto(f"/debrief/{workshop}")
    expect(trainer.locator("#deb-body")).to_have_attribute("aria-busy", re.compile("false"))
    assert_accessible(trainer, "the workshop debrief")
    assert not found, "axe found serious or critical problems " + "\n".join(found)
