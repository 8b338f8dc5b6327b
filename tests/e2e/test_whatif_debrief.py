"""The debrief's "what if" step in Chromium: the group picks a round on the score chart and
a leadership style, and sees the replays' band beside their own line and the sentence a
trainer reads out, in Danish and in English; the workshop view sets each table beside the
best style's median."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    SCREENSHOTS,
    Browsing,
    axe_violations,
    control,
    describe_violations,
)
from tests.e2e.ui import foreign_on_screen, tr, tr_re

ROUNDS = 8


def _finished_workshop(api: httpx.Client, lang: str) -> dict[str, Any]:
    """A table of bots and one silent person, moved through every round by the trainer."""
    created: dict[str, Any] = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": lang, "bots": True}
    ).json()
    code = created["tables"][0]["code"]
    joined = api.post("/api/join", json={"code": code, "name": "Sofie", "role": "parent"})
    assert joined.status_code == 200, joined.text
    for command in ["start"] + ["advance"] * ROUNDS:
        control(api, created, command)
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    (table,) = api.get(f"/api/workshops/{created['workshop_id']}", headers=auth).json()["tables"]
    assert table["status"] == "ended", table
    return created


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_group_replays_their_game_with_another_chair(
    browsing: Browsing, api: httpx.Client, lang: str
) -> None:
    created = _finished_workshop(api, lang)
    workshop, token = created["workshop_id"], created["facilitator_token"]
    page: Page = browsing.page(f"whatif-{lang}", lang=lang, bypass_csp=True)
    page.goto(f"/debrief/{workshop}/1#token={token}")
    step = page.locator("#step-whatif")
    expect(step.get_by_role("heading", level=2)).to_contain_text(
        tr(lang, "What if the chair had led differently?")
    )

    # Picking round 3 on the score chart makes it the replays' start.
    page.locator("#sec-scores .chart-column").nth(2).click()
    rounds = step.get_by_label(tr(lang, "From round"), exact=True)
    expect(rounds).to_have_value("3")

    step.get_by_role("radio", name=re.compile("^facilitator$", re.I)).check()
    step.get_by_role("button", name=tr(lang, "Replay")).click()
    result = step.locator("#whatif-result")
    expect(result).to_have_attribute("aria-busy", "false")
    expect(result.locator(".whatif-sentence")).to_have_text(
        tr_re(
            lang,
            "From round {n}, a facilitating chair ends at {score} {median} ({low}–{high}) "
            "where you ended at {actual}.",
            n=3,
        )
    )
    # A band and a median per score, beside the table's own line.
    expect(result.locator("svg.whatif-chart")).to_have_count(3)
    expect(result.locator("polygon.whatif-band")).to_have_count(3)
    expect(result.locator("path.whatif-actual")).to_have_count(3)
    expect(result.locator(".whatif-goals li")).not_to_have_count(0)
    step.screenshot(path=str(SCREENSHOTS / f"debrief-whatif-{lang}.png"))
    assert not foreign_on_screen(page, lang)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    # Another style from another round: the sentence follows the choice.
    rounds.select_option("5")
    step.get_by_role("radio", name=tr(lang, "as played (the same chair, other luck)")).check()
    step.get_by_role("button", name=tr(lang, "Replay")).click()
    expect(result.locator(".whatif-sentence")).to_have_text(
        tr_re(
            lang,
            "From round {n}, the same chair with other luck ends at {score} {median} "
            "({low}–{high}) where you ended at {actual}.",
            n=5,
        )
    )

    # The workshop view: each table beside the best style's median from round 1.
    page.goto(f"/debrief/{workshop}")
    gaps = page.locator("#ws-gaps")
    expect(gaps).to_have_attribute("aria-busy", "false", timeout=60_000)
    expect(gaps.locator("tbody tr")).to_have_count(1)
    expect(gaps.locator("tbody td")).to_have_count(3)
    assert not foreign_on_screen(page, lang)
