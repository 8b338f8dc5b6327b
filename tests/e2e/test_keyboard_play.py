"""The whole player flow works by keyboard alone (issue 21): join, then every phase.

A phase waits for this player (rankings, ideas, advice to a bot chair), so the next
phase arriving is the proof that the key press before it was taken.

A player who uses no pointer joins with Tab, arrow keys and Enter, and plays a game with
bots in the other seats: ranks framings, plays a card and says they are done, advises on
dilemmas, opens an idea's details, ranks ideas and answers the proposal. Every key press
lands on an element with a visible focus outline.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, PHONE_390, Browsing, control
from tests.e2e.ui import role_name, tr

LANG = "en"
MAX_TABS = 120

# The accessible name of the focused element, whether it is enabled, and whether its
# focus is drawn (an outline wider than nothing).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
  return {
    name: (el.getAttribute("aria-label") || label || "")
      .trim()
      .replace(/\\s+/g, " "),
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute("type") || "",
    value: el.value || "",
    disabled: Boolean(el.disabled),
    inAction: Boolean(el.closest("#action")),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


# Whether the focus is on a control of the phase or a move (None: nothing focused).
IN_PLAY = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return Boolean(el.closest("#action-body, #moves"));
}"""


def t(msgid: str, **values: Any) -> str:
    return tr(LANG, msgid, **values)


def tab_to(
    page: Page, wanted: str | re.Pattern[str], tag: str | None = None, in_action: bool = False
) -> dict[str, Any]:
    """Press Tab until an enabled element named `wanted` (its start, or a pattern) has
    the focus, and check that each element passed on the way shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused:
            continue
        assert focused["outline"], f"no visible focus on {focused}"
        name = focused["name"]
        hit = wanted.search(name) if isinstance(wanted, re.Pattern) else name.startswith(wanted)
        right_place = (tag is None or focused["tag"] == tag) and (
            focused["inAction"] or not in_action
        )
        if hit and not focused["disabled"] and right_place:
            return dict(focused)
    raise AssertionError(f"Tab never reached {wanted!r}")


def press(page: Page, wanted: str | re.Pattern[str], key: str = "Enter") -> None:
    tab_to(page, wanted)
    page.keyboard.press(key)


def said(page: Page, msgid: str) -> None:
    expect(page.locator("#action").get_by_text(t(msgid), exact=True).first).to_be_visible()


def phase(page: Page, msgid: str, number: int) -> None:
    expect(page.locator("#action-title")).to_have_text(t(msgid))
    expect(page.locator("#hud-round")).to_have_attribute("data-round", str(number))


@pytest.mark.parametrize("viewport", [PHONE_390, PHONE], ids=["390x844", "360x740"])
def test_a_player_joins_and_plays_a_game_by_keyboard_alone(
    browsing: Browsing, api: httpx.Client, viewport: dict[str, int]
) -> None:
    created = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": LANG, "bots": True}
    ).json()
    code = created["tables"][0]["code"]
    page = browsing.page("keyboard", viewport=viewport, lang=LANG)
    page.goto(f"/join/{code}")

    # Join: the name field has the focus; type, go to the roles, pick one with the arrows.
    expect(
        page.get_by_role("radio", name=t("Any free role (the one the table needs most)"))
    ).to_be_checked()
    expect(page.get_by_label(t("Your name"))).to_be_focused()
    page.keyboard.type("Keys")
    focused = tab_to(page, t("Any free role (the one the table needs most)"))
    assert focused["type"] == "radio"
    page.keyboard.press("ArrowDown")
    picked = page.evaluate("() => document.activeElement.value")
    assert picked, "the arrow key did not move to a role"
    expect(page.locator(f"#role-{picked}")).to_be_checked()
    # A role's brief opens from the keyboard too.
    brief = tab_to(page, t("About the role: {role}", role=""), tag="summary")
    page.keyboard.press("Enter")
    expect(page.locator(".role-brief[open]")).to_have_count(1)
    assert brief["name"].startswith(t("About the role: {role}", role=""))
    press(page, re.compile("^" + re.escape(t("Join")) + "$"))
    page.wait_for_url("**/play")
    expect(page.locator("#action-title")).to_have_text(t("Waiting for the game to start"))
    expect(page.locator("#hud-name")).to_have_text("Keys")
    seat_role = page.evaluate("() => JSON.parse(localStorage.getItem('pm.seat')).role")
    assert seat_role == picked
    expect(page.locator("#hud-role-name")).to_have_text(role_name(picked, LANG))
    chair = picked == "chair"

    control(api, created, "start")

    # Round 1, frame: add a framing to the order with Enter, submit with Space.
    phase(page, "Rank the framings", 1)
    press(page, "+")
    expect(page.locator("ol.rank-list > li")).to_have_count(1)
    press(page, t("Submit my ranking"), "Space")

    # Round 2, ideas. Paused by the facilitator first: Tab then reaches nothing that
    # plays (the page says why), and everything again once the game resumes.
    phase(page, "Put ideas on the table", 2)
    control(api, created, "pause")
    note = page.locator("#paused-note")
    expect(note).to_have_text(t("The game is paused. Wait for the facilitator to resume it."))
    reached = [page.evaluate(IN_PLAY) for _ in range(40) if not page.keyboard.press("Tab")]
    assert False in reached, "Tab reached nothing on the paused page"
    assert True not in reached, "Tab reached a control that plays while the game is paused"
    control(api, created, "resume")
    expect(note).to_be_hidden()
    # Open a card's details, play it, then say done.
    tab_to(page, re.compile(".+"), tag="summary", in_action=True)
    page.keyboard.press("Enter")
    expect(page.locator("#action details.line-more[open]")).to_have_count(1)
    press(page, t("Play this card"))
    said(page, "Played.")
    press(page, t("I'm done with ideas"), "Space")

    # Rounds 3, 5 and 7, dilemmas: advise (or, as the decider, choose and confirm).
    def dilemma(number: int) -> None:
        phase(page, "A dilemma", number)
        if chair:
            press(page, t("Choose this"))
            press(page, t("Yes, choose it"))
        else:
            press(page, t("Advise this"), "Space")

    dilemma(3)

    # Round 4, ideas: done at once.
    phase(page, "Put ideas on the table", 4)
    press(page, t("I'm done with ideas"))

    dilemma(5)

    # Round 6, rank: an idea into the top three, submitted.
    phase(page, "Rank the ideas", 6)
    press(page, t("Add to my top three: {title}", title=""))
    expect(page.locator("ol.rank-list > li")).to_have_count(1)
    press(page, t("Submit my ranking"))

    dilemma(7)

    # Round 8, decide: answer the proposal (the chair first proposes one).
    phase(page, "Decide on a proposal", 8)
    if chair:
        press(page, t("Add to the package: {title}", title=""))
        press(page, t("Propose this package"))
        said(page, "Your proposal is on the table.")
    accept = page.get_by_role("button", name=t("Accept"), exact=True)
    expect(accept).to_be_visible()
    press(page, re.compile("^" + re.escape(t("Accept")) + "$"))
    over = page.locator("#action-title").filter(has_text=t("Game over"))
    # The answer shows until the proposal is settled. Given last (the bots think 0.2 s
    # and may all have answered first), it settles the proposal and the game ends at once.
    answered = page.get_by_text(t("You answered: {choice}", choice=t("Accept")))
    expect(answered.or_(over)).to_be_visible()
    adopt = page.get_by_role("button", name=t("Adopt over the objections"))
    expect(over.or_(adopt)).to_be_visible()
    if chair and adopt.is_visible():
        press(page, t("Adopt over the objections"))
    expect(over).to_be_visible()
