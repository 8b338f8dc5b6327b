"""A table's language is the default for everyone at it (issue 21, point 3), and the
console reads what a table says in the console's own.

A phone whose browser prefers one language joins a table set to the other: the join
page and the player's screen open in the table's language, not the browser's. A player
who picks a language with the language links gets it, on the page where they picked it
and on the pages after.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.i18n import tr as authoring
from app.scenarios.models import localize
from tests.e2e.conftest import LAPTOP, PHONE_390, Browsing
from tests.e2e.ui import role_name, tr
from tests.integration.server import full_rules

OTHER = {"da": "en", "en": "da"}


def _table(api: httpx.Client, lang: str) -> str:
    response = api.post(
        "/api/workshops", json={"scenario": "school-committee", "language": lang, "bots": True}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    code: str = created["tables"][0]["code"]
    return code


def _speaks(page: Page, lang: str, heading: str) -> None:
    """The page is in `lang`: its lang attribute and a heading the catalog translates."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", name=tr(lang, heading), exact=True)).to_be_visible()


def _switch(page: Page, shown: str, to: str) -> None:
    languages = page.get_by_role("navigation", name=tr(shown, "Language"))
    languages.get_by_role("link", name=to.upper(), exact=True).click()


def _join(page: Page, lang: str, name: str, table_lang: str) -> None:
    """Take the parent's seat; role names are the scenario's, in the table's language."""
    page.get_by_label(tr(lang, "Your name")).fill(name)
    parent = re.compile("^" + re.escape(role_name("parent", table_lang)))
    page.get_by_role("radio", name=parent).check()
    page.get_by_role("button", name=tr(lang, "Join"), exact=True).click()
    page.wait_for_url("**/play")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#action-title")).to_have_text(tr(lang, "Waiting for the game to start"))


@pytest.mark.parametrize("browser_lang", ["da", "en"])
def test_a_phone_plays_in_the_tables_language_until_its_player_switches(
    browsing: Browsing, api: httpx.Client, browser_lang: str
) -> None:
    table_lang = OTHER[browser_lang]
    code = _table(api, table_lang)

    # The browser asks for its own language; the table's wins.
    phone = browsing.page(f"phone-{browser_lang}", viewport=PHONE_390, lang=browser_lang)
    phone.goto(f"/join/{code}")
    _speaks(phone, table_lang, "Join a table")
    _join(phone, table_lang, "Table-tongue", table_lang)

    # The player switches on the player's screen: the seat stays, the language changes.
    _switch(phone, table_lang, browser_lang)
    expect(phone.locator("html")).to_have_attribute("lang", browser_lang)
    expect(phone.locator("#action-title")).to_have_text(
        tr(browser_lang, "Waiting for the game to start")
    )
    expect(phone.locator("#hud")).to_contain_text("Table-tongue")
    # The choice sticks: the table's own join link now opens in it too.
    phone.goto(f"/join/{code}")
    _speaks(phone, browser_lang, "Join a table")

    # Another phone switches on the join page, before it has a seat: the code stays, and
    # the player's screen opens in the language picked.
    other = browsing.page(f"other-{browser_lang}", viewport=PHONE_390, lang=browser_lang)
    other.goto(f"/join/{code}")
    _speaks(other, table_lang, "Join a table")
    _switch(other, table_lang, browser_lang)
    _speaks(other, browser_lang, "Join a table")
    expect(other.get_by_label(tr(browser_lang, "Table code"))).to_have_value(code)
    _join(other, browser_lang, "Own-tongue", table_lang)


def test_a_page_without_a_table_follows_the_browser(browsing: Browsing) -> None:
    """No table to follow (the bare join page, an unknown code): the browser's choice."""
    for lang in ("da", "en"):
        page = browsing.page(f"bare-{lang}", viewport=PHONE_390, lang=lang)
        page.goto("/")
        _speaks(page, lang, "Join a table")
        page.goto("/join/QQQQQQ")
        _speaks(page, lang, "Join a table")


@pytest.mark.parametrize("browser_lang", ["da", "en"])
def test_a_code_typed_on_the_bare_join_page_opens_the_table_in_its_language(
    browsing: Browsing, api: httpx.Client, browser_lang: str
) -> None:
    table_lang = OTHER[browser_lang]
    code = _table(api, table_lang)
    phone = browsing.page(f"typed-{browser_lang}", viewport=PHONE_390, lang=browser_lang)
    phone.goto("/")
    _speaks(phone, browser_lang, "Join a table")
    phone.get_by_label(tr(browser_lang, "Table code")).fill(code)
    phone.wait_for_url(f"**/join/{code}")
    _speaks(phone, table_lang, "Join a table")
    expect(phone.get_by_label(tr(table_lang, "Table code"))).to_have_value(code)
    _join(phone, table_lang, "Typed", table_lang)

    # Picked a language first: the page stays in it.
    chooser = browsing.page(f"chooser-{browser_lang}", viewport=PHONE_390, lang=browser_lang)
    chooser.goto("/")
    _switch(chooser, browser_lang, browser_lang)
    _speaks(chooser, browser_lang, "Join a table")
    chooser.get_by_label(tr(browser_lang, "Table code")).fill(code)
    expect(chooser.locator("#code-msg")).to_have_text(tr(browser_lang, "Table found."))
    _speaks(chooser, browser_lang, "Join a table")
    assert chooser.url.endswith("/?lang=" + browser_lang), chooser.url


def test_which_language_a_page_at_a_table_opens_in(api: httpx.Client) -> None:
    """Over plain HTTP: a picked language (query, then cookie) beats the table's, and the
    table's beats the browser's; pages without a table follow the browser."""
    code = _table(api, "en")

    def lang_of(path: str, accept: str = "da-DK,da;q=0.9", **cookies: str) -> str:
        api.cookies.clear()
        for name, value in cookies.items():
            api.cookies.set(name, value)
        response = api.get(path, headers={"Accept-Language": accept})
        assert response.status_code == 200, response.text
        found = re.search(r'<html lang="(\w+)"', response.text)
        assert found, response.text[:200]
        return found.group(1)

    for page in (f"/join/{code}", f"/table/{code}"):
        assert lang_of(page) == "en"  # the table's, not the browser's
        assert lang_of(page, lang="da") == "da"  # the language links' cookie
        assert lang_of(page + "?lang=da", lang="en") == "da"  # the query, before the cookie
    assert lang_of("/play") == "da"  # no table named: the browser's
    assert lang_of("/play", pm_table=code) == "en"
    assert lang_of("/play", pm_table=code, lang="da") == "da"
    assert lang_of("/play", pm_table="QQQQQQ") == "da"  # no such table
    assert lang_of("/", accept="en-GB") == "en"
    assert lang_of("/join/QQQQQQ", accept="en-GB") == "en"


@pytest.mark.parametrize("console_lang", ["da", "en"])
def test_the_console_reads_a_tables_refusal_in_its_own_language(
    browsing: Browsing, api: httpx.Client, console_lang: str
) -> None:
    """A table in the other language refuses to start (no one has joined): the console
    says why in the trainer's language, naming the roles as the table's case does."""
    table_lang = OTHER[console_lang]
    body = {"language": table_lang, "bots": False, "autostart": False}
    response = api.post("/api/workshops", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    trainer = browsing.page(f"console-{console_lang}", viewport=LAPTOP, lang=console_lang)
    trainer.goto(f"/facilitator/{created['workshop_id']}#token={created['facilitator_token']}")
    start = tr(console_lang, "{action} (table {n})", action=tr(console_lang, "Start"), n=1)
    trainer.get_by_role("button", name=start).click()

    roles = full_rules().scenario.roles
    missing = "; ".join(localize(r.name, table_lang) for r in roles for _ in range(r.seats.min))
    why = authoring(console_lang, "these roles still need a player: {roles}", roles=missing)
    told = tr(console_lang, "Table {n}: not done — {why}", n=1, why=why)
    expect(trainer.locator(".fac-results-list li")).to_contain_text(told)
