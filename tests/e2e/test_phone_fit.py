"""A phone at 390×844 plays a whole game without scrolling far (issue 21, point 6).

Two people play on phones (the chair and the parent); bots take the other seats. In
every phase, and on the join page with its roles, each page is at most two screen
heights tall; the player's own name stays in the header; and the chair, who decides the
dilemmas, is never offered advice on them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    ARTIFACTS,
    PHONE_390,
    Browsing,
    axe_violations,
    control,
    describe_violations,
)
from tests.e2e.ui import role_name, tr, tr_re

LANG = "da"  # the longer words
MAX_HEIGHT = 2 * PHONE_390["height"]
LONG_NAME = "Marie-Louise Kristiansen-Skovgaard Holm"  # 39 characters: too wide for one line
Shot = Callable[[Any, str], Path]


def t(msgid: str, **values: Any) -> str:
    return tr(LANG, msgid, **values)


class Phone:
    """One player's phone; every look at it is measured."""

    def __init__(self, page: Page, name: str, heights: dict[str, int], shot: Shot) -> None:
        self.page = page
        self.name = name
        self.heights = heights
        self.shot = shot

    @property
    def action(self) -> Locator:
        return self.page.locator("#action")

    def button(self, msgid: str, **values: Any) -> Locator:
        return self.page.get_by_role("button", name=t(msgid, **values), exact=True)

    def title(self, msgid: str) -> None:
        expect(self.page.locator("#action-title")).to_have_text(t(msgid))

    def measure(self, what: str) -> None:
        """Note the page's height; the name in the header must be shown in full or
        (only when too long for the line) cut with its full text in the title."""
        label = f"{self.name.split()[0]}: {what}"
        self.shot(self.page, label)
        self.heights[label] = int(
            self.page.evaluate("() => document.scrollingElement.scrollHeight")
        )
        # Nothing wider than the phone: a mobile browser would zoom the page out to fit it.
        width = self.page.evaluate("() => [innerWidth, document.scrollingElement.scrollWidth]")
        assert width == [PHONE_390["width"]] * 2, f"wider than the phone on {what}: {width}"
        name = self.page.locator("#hud-name")
        expect(name).to_be_visible()
        expect(name).to_have_text(self.name)
        expect(name).to_have_attribute("title", self.name)
        box = name.bounding_box()
        assert box and box["width"] >= 60, f"the name is squeezed to {box} on {what}"


def _join(
    browsing: Browsing, code: str, role: str, name: str, heights: dict[str, int], shot: Shot
) -> Phone:
    page = browsing.page(f"phone-{role}", viewport=PHONE_390, lang=LANG)
    page.goto(f"/join/{code}")
    radio = page.get_by_role("radio", name=re.compile("^" + re.escape(role_name(role, LANG))))
    expect(radio).to_be_visible()
    phone = Phone(page, name, heights, shot)
    if role == "chair":
        shot(page, "join-with-roles")
        heights["join page with roles"] = int(
            page.evaluate("() => document.scrollingElement.scrollHeight")
        )
    page.get_by_label(t("Your name")).fill(name)
    radio.check()
    page.get_by_role("button", name=t("Join"), exact=True).click()
    page.wait_for_url("**/play")
    phone.title("Waiting for the game to start")
    return phone


def test_every_phase_fits_two_screens_on_a_phone(
    browsing: Browsing, api: httpx.Client, screenshot: Shot
) -> None:
    created = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": LANG, "bots": True}
    ).json()
    code = created["tables"][0]["code"]
    heights: dict[str, int] = {}
    chair = _join(browsing, code, "chair", "Ea", heights, screenshot)
    parent = _join(browsing, code, "parent", LONG_NAME, heights, screenshot)
    both = [chair, parent]
    for phone in both:
        phone.measure("lobby")

    control(api, created, "start")

    # Round 1: rank the framings.
    for phone in both:
        phone.title("Rank the framings")
        phone.measure("frame")
        phone.action.locator("[data-key^='fr-add-']").first.click()
        phone.button("Submit my ranking").click()

    # Round 2: ideas, from a hand of cards, beside the moves of the role.
    for phone in both:
        phone.title("Put ideas on the table")
        expect(phone.page.locator("#moves-panel")).to_be_visible()
        phone.measure("ideas")
    for phone in both:
        phone.button("Play this card").first.click()
        expect(phone.action.get_by_text(t("Played."), exact=True)).to_be_visible()
        phone.button("I'm done with ideas").click()

    # Rounds 3, 5 and 7: dilemmas the chair decides, with the others' advice.
    def dilemma(number: int) -> None:
        for phone in both:
            phone.title("A dilemma")
            expect(phone.page.locator("#hud-round")).to_have_attribute("data-round", str(number))
        expect(parent.button("Advise this").first).to_be_visible()
        expect(chair.button("Choose this").first).to_be_visible()
        # The chair decides: nothing on the chair's phone offers advice.
        expect(
            chair.page.get_by_role("button", name=re.compile(re.escape(t("Advise this"))))
        ).to_have_count(0)
        expect(chair.page.get_by_text(t("Advise this"))).to_have_count(0)
        for phone in both:
            phone.measure(f"dilemma (round {number})")
        parent.button("Advise this").first.click()
        expect(parent.action.get_by_text(t("Your advice is in."), exact=True)).to_be_visible()
        chair.button("Choose this").first.click()
        chair.button("Yes, choose it").click()

    dilemma(3)

    # Round 4: ideas again, with the table's ideas to build on.
    for phone in both:
        expect(phone.page.locator("#hud-round")).to_have_attribute("data-round", "4")
        phone.title("Put ideas on the table")
        phone.measure("ideas (round 4)")
        phone.button("I'm done with ideas").click()

    dilemma(5)

    # Round 6: rank the ideas.
    for phone in both:
        phone.title("Rank the ideas")
        phone.measure("rank")
        add = phone.page.get_by_role("button", name=tr_re(LANG, "Add to my top three: {title}"))
        add.and_(phone.page.locator(":enabled")).first.click()
        phone.button("Submit my ranking").click()

    dilemma(7)

    # Round 8: the chair puts a package together; everyone answers it.
    for phone in both:
        phone.title("Decide on a proposal")
    add = chair.page.get_by_role("button", name=tr_re(LANG, "Add to the package: {title}"))
    expect(add.first).to_be_visible()
    chair.measure("decide: building the package")
    parent.measure("decide: waiting for the proposal")
    add.and_(chair.page.locator(":enabled")).first.click()
    chair.button("Propose this package").click()
    expect(parent.button("Accept")).to_be_visible()
    parent.measure("decide: answering")
    chair.button("Accept").click()
    parent.button("Accept").click()
    # Bots answer too; an objection leaves it to the chair.
    adopt = chair.button("Adopt over the objections")
    over = chair.page.locator("#action-title").filter(has_text=t("Game over"))
    expect(adopt.or_(over)).to_be_visible()
    chair.measure("decide: answers in")
    if adopt.is_visible():
        adopt.click()
    for phone in both:
        phone.title("Game over")
        phone.measure("game over")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "phone-heights.json").write_text(json.dumps(heights, indent=1))
    too_tall = {what: h for what, h in heights.items() if h > MAX_HEIGHT}
    assert len(heights) >= 20, heights
    assert not too_tall, f"taller than two screens ({MAX_HEIGHT}px): {too_tall}; all: {heights}"


def test_the_compact_phases_have_no_serious_accessibility_problems(
    browsing: Browsing, api: httpx.Client
) -> None:
    """axe on every phase as the chair's phone shows it, with a line and a disclosure open
    (the axe script needs the CSP bypassed, so this context runs without it)."""
    created = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": LANG, "bots": True}
    ).json()
    code = created["tables"][0]["code"]
    page = browsing.page("axe-phone", viewport=PHONE_390, lang=LANG, bypass_csp=True)
    page.goto(f"/join/{code}")
    page.get_by_label(t("Your name")).fill("Axe")
    page.get_by_role("radio", name=re.compile("^" + re.escape(role_name("chair", LANG)))).check()
    page.locator(".role-brief summary").first.click()
    expect(page.locator(".role-brief[open]")).to_have_count(1)
    found: list[str] = []

    def check(what: str) -> None:
        violations = axe_violations(page)
        if violations:
            found.append(f"{what}:\n{describe_violations(violations)}")

    check("the join page with a brief open")
    page.get_by_role("button", name=t("Join"), exact=True).click()
    page.wait_for_url("**/play")

    control(api, created, "start")
    for number in range(1, 9):
        expect(page.locator("#hud-round")).to_have_attribute("data-round", str(number))
        lines = page.locator("#action summary.line-head, #moves summary.line-head")
        expect(page.locator("#action-title")).not_to_be_empty()
        if lines.count():
            lines.first.click()
        page.locator("#scores-title").click()
        check(f"round {number} ({page.locator('#action-title').inner_text()})")
        control(api, created, "advance" if number < 8 else "end")
    expect(page.locator("#action-title")).to_have_text(t("Game over"))
    check("game over")
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
