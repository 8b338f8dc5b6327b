"""The feelings poll from the phones: a player picks words on the screen that ends the
game, and the trainer's debrief counts them as they come, without names."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from app.engine.debrief import FEELINGS
from tests.e2e.conftest import PHONE, Browsing, control
from tests.e2e.ui import role_name, tr

LANG = "da"
WORD = dict(FEELINGS)
# The debrief asks for the phones' answers every 4 s: wait a few rounds of that.
COUNTED = 15_000
Shot = Callable[[Page, str], Path]


def ended_at_phones(
    browsing: Browsing, api: httpx.Client, tables: int, name: str
) -> tuple[dict[str, Any], list[Page]]:
    """A workshop of `tables` tables with bots, a phone in each table's chair, played to
    its end: each phone shows the poll."""
    created: dict[str, Any] = api.post(
        "/api/workshops",
        json={"scenario": "school-committee", "language": LANG, "bots": True, "tables": tables},
    ).json()
    phones: list[Page] = []
    chair = re.compile("^" + re.escape(role_name("chair", LANG)))
    for n, table in enumerate(created["tables"], start=1):
        phone: Page = browsing.page(f"{name}-{n}", lang=LANG, viewport=PHONE)
        phone.goto(f"/join/{table['code']}")
        phone.get_by_label(tr(LANG, "Your name")).fill(f"Spiller {n}")
        phone.get_by_role("radio", name=chair).check()
        phone.get_by_role("button", name=tr(LANG, "Join"), exact=True).click()
        phone.wait_for_url("**/play")
        phones.append(phone)
    control(api, created, "start")
    control(api, created, "end")
    for phone in phones:
        expect(phone.locator("#action-title")).to_have_text(tr(LANG, "Game over"))
    return created, phones


def test_a_phone_picks_words_and_the_debrief_counts_them(
    browsing: Browsing, api: httpx.Client, screenshot: Shot
) -> None:
    created, (phone,) = ended_at_phones(browsing, api, 1, "feel-phone")
    workshop, token = created["workshop_id"], created["facilitator_token"]

    heard = phone.get_by_role("button", name=WORD["heard"][LANG], exact=True)
    curious = phone.get_by_role("button", name=WORD["curious"][LANG], exact=True)
    expect(heard).to_have_attribute("aria-pressed", "false")
    heard.click()
    curious.click()
    expect(curious).to_have_attribute("aria-pressed", "true")
    saved = tr(LANG, "Saved. The debrief shows only how many picked each word, not who.")
    expect(phone.get_by_role("status").filter(has_text=saved)).to_be_visible()
    screenshot(phone, "phone-poll")

    trainer: Page = browsing.page("feel-trainer", lang=LANG)
    trainer.goto(f"/facilitator/{workshop}#token={token}")
    expect(trainer.get_by_role("article", name=tr(LANG, "Table {n}", n=1))).to_be_visible()
    trainer.goto(f"/debrief/{workshop}/1")
    on_phones = tr(LANG, "{n} on phones", n=1)
    word = trainer.locator(".deb-feel-heard")
    expect(word).to_contain_text(on_phones, timeout=COUNTED)
    expect(trainer.locator(".deb-feel-curious")).to_contain_text(on_phones)
    expect(trainer.locator(".deb-feel-frustrated .deb-feel-phones")).to_be_empty()
    # The taps on the trainer's screen are counted apart from the phones.
    expect(word.locator(".deb-feel-count")).to_have_text("0")
    screenshot(trainer, "debrief-poll")

    # A reloaded phone shows its words again; one taken back leaves the count.
    phone.reload()
    expect(curious).to_have_attribute("aria-pressed", "true")
    heard = phone.get_by_role("button", name=WORD["heard"][LANG], exact=True)
    expect(heard).to_have_attribute("aria-pressed", "true")
    heard.click()
    expect(heard).to_have_attribute("aria-pressed", "false")
    expect(word.locator(".deb-feel-phones")).to_be_empty(timeout=COUNTED)
    expect(trainer.locator(".deb-feel-curious")).to_contain_text(on_phones)


def test_the_workshop_debrief_starts_with_the_whole_rooms_feelings(
    browsing: Browsing, api: httpx.Client, screenshot: Shot
) -> None:
    """In the plenary the trainer asks the whole room first: the workshop's debrief opens
    with the poll, counting every table's phones together."""
    created, phones = ended_at_phones(browsing, api, 2, "room-phone")
    for phone in phones:
        picked = phone.get_by_role("button", name=WORD["curious"][LANG], exact=True)
        picked.click()
        expect(picked).to_have_attribute("aria-pressed", "true")
    phones[1].get_by_role("button", name=WORD["heard"][LANG], exact=True).click()
    saved = tr(LANG, "Saved. The debrief shows only how many picked each word, not who.")
    expect(phones[1].get_by_role("status").filter(has_text=saved)).to_be_visible()

    trainer: Page = browsing.page("room-trainer", lang=LANG)
    workshop, token = created["workshop_id"], created["facilitator_token"]
    trainer.goto(f"/facilitator/{workshop}#token={token}")
    expect(trainer.get_by_role("article", name=tr(LANG, "Table {n}", n=2))).to_be_visible()
    trainer.goto(f"/debrief/{workshop}")
    first = trainer.locator("#deb-body > section").first
    expect(first.get_by_role("heading", level=2)).to_have_text(tr(LANG, "How do you feel?"))
    nav = trainer.locator("#deb-nav li").first
    expect(nav).to_have_text(tr(LANG, "How do you feel?"))
    expect(first.locator(".deb-feel-curious")).to_contain_text(
        tr(LANG, "{n} on phones", n=2), timeout=COUNTED
    )
    expect(first.locator(".deb-feel-heard")).to_contain_text(tr(LANG, "{n} on phones", n=1))
    expect(first.locator(".deb-feel-frustrated .deb-feel-phones")).to_be_empty()
    screenshot(trainer, "debrief-room-poll")
