"""The feelings poll from the phones: a player picks words on the screen that ends the
game, and the trainer's debrief counts them as they come, without names."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

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


def test_a_phone_picks_words_and_the_debrief_counts_them(
    browsing: Browsing, api: httpx.Client, screenshot: Shot
) -> None:
    created = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": LANG, "bots": True}
    ).json()
    workshop, token = created["workshop_id"], created["facilitator_token"]

    phone: Page = browsing.page("feel-phone", lang=LANG, viewport=PHONE)
    phone.goto(f"/join/{created['tables'][0]['code']}")
    phone.get_by_label(tr(LANG, "Your name")).fill("Ada")
    chair = re.compile("^" + re.escape(role_name("chair", LANG)))
    phone.get_by_role("radio", name=chair).check()
    phone.get_by_role("button", name=tr(LANG, "Join"), exact=True).click()
    phone.wait_for_url("**/play")
    control(api, created, "start")
    control(api, created, "end")
    expect(phone.locator("#action-title")).to_have_text(tr(LANG, "Game over"))

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
