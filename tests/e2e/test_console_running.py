"""Running a workshop from the console (issue 21, point 4), in Chromium.

One table: a person on a phone holds the parent's seat and bots hold the rest. The person
stops acting; the console lists them as not having acted and flags the table quiet within
the configured time (QUIET_MINUTES, a tenth of a minute on this test's own server). The
trainer gives the seat to a bot from the console and the game goes on to the next round;
a note typed in the console appears in the table's debrief.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LAPTOP, PHONE_390, SCREENSHOTS, Browsing, browsing_on
from tests.e2e.ui import english_left, role_name, tr, tr_re
from tests.integration.server import Server

LANG = "en"
QUIET_MINUTES = 0.1  # six seconds
# The quiet flag comes after QUIET_MINUTES without an action, plus a poll of the console.
QUIET_WAIT_MS = 30_000
NOTE = "Parent went quiet in round 1.\n<b>Ask</b> them why & how it felt."


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own: the shared one flags a table only after minutes."""
    env = {"BOT_THINK_SECONDS": "0.2", "QUIET_MINUTES": str(QUIET_MINUTES)}
    running = Server(tmp_path_factory.mktemp("quiet-server"), env=env).start()
    yield running
    running.stop()


@pytest.fixture
def browsing_quiet(
    browser: Any, quiet_server: Server, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    with browsing_on(browser, quiet_server, request) as opened:
        yield opened


def create_workshop(server: Server, tables: int = 1) -> dict[str, Any]:
    body = {"language": LANG, "tables": tables, "bots": True, "autostart": False}
    response = httpx.post(f"{server.base}/api/workshops", json=body, timeout=30)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def console(browsing: Browsing, created: dict[str, Any]) -> Page:
    page: Page = browsing.context("trainer", viewport=LAPTOP, lang=LANG).new_page()
    page.goto(f"/facilitator/{created['workshop_id']}#token={created['facilitator_token']}")
    return page


def shot(page: Page, name: str) -> None:
    folder = SCREENSHOTS / "console-running"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder / f"{name}.png")), full_page=True)


def test_a_quiet_seat_is_flagged_given_to_a_bot_and_the_notes_reach_the_debrief(
    browsing_quiet: Browsing,
) -> None:
    created = create_workshop(browsing_quiet.server)
    code = created["tables"][0]["code"]
    trainer = console(browsing_quiet, created)
    card = trainer.get_by_role("article", name=tr(LANG, "Table {n}", n=1))
    # Autostart is off: the lobby says the trainer starts it, never "when every role is filled".
    expect(card).to_contain_text(tr(LANG, "The game starts when you press Start."))

    # A person takes the parent's seat on a phone, and then does nothing.
    phone = browsing_quiet.context("parent", viewport=PHONE_390, lang=LANG).new_page()
    phone.goto(f"/join/{code}")
    phone.get_by_label(tr(LANG, "Your name")).fill("Pia")
    parent = role_name("parent", LANG)
    phone.get_by_role("radio", name=re.compile("^" + re.escape(parent))).check()
    phone.get_by_role("button", name=tr(LANG, "Join"), exact=True).click()
    phone.wait_for_url("**/play")
    # The phone's lobby says the same: the trainer starts the game, not a full table.
    waits = (
        "The game starts when the facilitator says so. "
        "Meanwhile, read the case and your role below."
    )
    expect(phone.get_by_text(tr(LANG, waits))).to_be_visible()
    seat = card.locator("li.fac-seat[data-seat='parent']")
    expect(seat).to_contain_text(parent)  # the role's name, not its id
    expect(seat).to_contain_text("Pia")

    trainer.get_by_role(
        "button", name=tr(LANG, "{action} (table {n})", action=tr(LANG, "Start"), n=1)
    ).click()
    expect(card).to_contain_text(tr_re(LANG, "Round {x} of {y} · {phase}", x=1))
    expect(card.locator(".fac-clock")).to_have_text(tr_re(LANG, "{time} left"))
    expect(card.locator("li.fac-seat-bot")).to_have_count(4)  # bots are marked

    # The bots act; the table waits for the parent alone, and falls quiet.
    who = f"{parent} (Pia)"
    expect(card.locator(".fac-waiting")).to_have_text(tr(LANG, "Waiting for: {who}", who=who))
    expect(seat.locator(".fac-owes")).to_be_visible()
    expect(card.locator("li.fac-seat-owes")).to_have_count(1)
    quiet = card.locator(".fac-quiet")
    expect(quiet).to_be_visible(timeout=QUIET_WAIT_MS)
    expect(quiet).to_have_text(tr_re(LANG, "Quiet: no one has acted for {time}"))
    expect(card).to_have_class(re.compile(r"\bfac-card-quiet\b"))
    shot(trainer, "01-quiet-table")

    # The trainer jots a note; it is saved as they leave the field.
    notes = card.get_by_label(tr(LANG, "Your notes on table {n}", n=1))
    notes.fill(NOTE)
    notes.blur()
    expect(card.locator(".fac-note-state")).to_have_text(tr(LANG, "Saved"))

    # The trainer gives the quiet seat to a bot, by keyboard; the game goes on. The button
    # keeps the focus while the console refreshes under it.
    give = card.get_by_role(
        "button", name=tr(LANG, "Give the seat of {who} to a bot (table {n})", who=who, n=1)
    )
    give.focus()
    updated = trainer.locator("#fac-updated")
    before = updated.inner_text()
    expect(updated).not_to_have_text(before)
    expect(give).to_be_focused()
    trainer.once("dialog", lambda dialog: dialog.accept())
    trainer.keyboard.press("Enter")
    expect(trainer.locator("#results")).to_contain_text(
        tr(LANG, "Table {n}: a bot now plays the seat of {who}.", n=1, who=who)
    )
    # The person's phone says so at once, in words of the catalogue.
    told = tr(LANG, "The facilitator has given your seat to someone else.")
    expect(phone.get_by_text(told)).to_be_visible()
    expect(card.locator("li.fac-seat-bot")).to_have_count(5)
    # Bots alone play fast: past round 1, whether or not the console saw round 2 itself.
    later = "|".join(
        [tr_re(LANG, "Round {x} of {y} · {phase}", x=x).pattern for x in range(2, 9)]
        + [tr_re(LANG, "Ended in round {x} of {y}").pattern]
    )
    expect(card.locator(".fac-round")).to_have_text(re.compile(f"^(?:{later})$"))
    expect(quiet).to_be_hidden()
    # Nor can the person's phone play the seat any more.
    shot(phone, "02a-phone-after-kick")
    expect(phone.get_by_role("link", name=tr(LANG, "Join again"))).to_be_visible()
    shot(trainer, "02-seat-given-to-a-bot")

    # The note is in the table's debrief, as text.
    trainer.get_by_role("link", name=tr(LANG, "Table debrief")).click()
    trainer.wait_for_url(f"**/debrief/{created['workshop_id']}/1")
    section = trainer.locator("#sec-notes")
    expect(section.get_by_role("heading", name=tr(LANG, "Trainer's notes"))).to_be_visible()
    expect(section.locator(".deb-notes")).to_have_text(NOTE)
    assert section.locator("b").count() == 0, "a note must never be read as HTML"
    shot(trainer, "03-debrief-notes")


def test_ten_tables_fit_a_laptop_screen(browsing_quiet: Browsing) -> None:
    created = create_workshop(browsing_quiet.server, tables=10)
    trainer = console(browsing_quiet, created)
    cards = trainer.locator("article.fac-card")
    expect(cards).to_have_count(10)
    expect(cards.nth(9).locator(".fac-code")).to_have_text(re.compile(r"^[A-Z0-9]{4,12}$"))
    # Nothing wider than the screen: no sideways scrolling on 1280 pixels.
    width = trainer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= LAPTOP["width"], f"the console is {width}px wide"
    for i in range(10):
        box = cards.nth(i).bounding_box()
        assert box is not None and box["x"] + box["width"] <= LAPTOP["width"]
    shot(trainer, "04-ten-tables")


def test_the_running_console_speaks_the_workshops_danish(browsing_quiet: Browsing) -> None:
    server = browsing_quiet.server
    body = {"language": "da", "tables": 2, "bots": True, "autostart": False}
    created = httpx.post(f"{server.base}/api/workshops", json=body, timeout=30).json()
    joined = httpx.post(
        f"{server.base}/api/join",
        json={"code": created["tables"][0]["code"], "name": "Pia", "role": "parent"},
        timeout=30,
    )
    assert joined.status_code == 200, joined.text
    page: Page = browsing_quiet.context("trainer-da", viewport=LAPTOP, lang="da").new_page()
    page.goto(f"/facilitator/{created['workshop_id']}#token={created['facilitator_token']}")
    card = page.get_by_role("article", name=tr("da", "Table {n}", n=1))
    page.get_by_role(
        "button", name=tr("da", "{action} (table {n})", action=tr("da", "Start"), n=1)
    ).click()
    parent = role_name("parent", "da")
    expect(card.locator(".fac-waiting")).to_contain_text(f"{parent} (Pia)")
    expect(card.locator(".fac-clock")).to_have_text(tr_re("da", "{time} left"))
    lobby = page.get_by_role("article", name=tr("da", "Table {n}", n=2))
    expect(lobby).to_contain_text(tr("da", "The game starts when you press Start."))
    labels = page.eval_on_selector_all(
        "[aria-label]", "nodes => nodes.map(n => n.getAttribute('aria-label'))"
    )
    text = "\n".join([page.locator("body").inner_text(), *labels])
    leftovers = english_left(text, "da")
    assert not leftovers, f"English on the Danish console: {leftovers}"
    shot(page, "05-console-da")


def join_on_phone(browsing: Browsing, code: str, name: str, who: str) -> Page:
    phone: Page = browsing.context(who, viewport=PHONE_390, lang=LANG).new_page()
    phone.goto(f"/join/{code}")
    # Before the game and after a seat was freed in it alike, the table has room.
    expect(phone.get_by_text(tr(LANG, "Table found."))).to_be_visible()
    phone.get_by_label(tr(LANG, "Your name")).fill(name)
    parent = role_name("parent", LANG)
    phone.get_by_role("radio", name=re.compile("^" + re.escape(parent))).check()
    phone.get_by_role("button", name=tr(LANG, "Join"), exact=True).click()
    phone.wait_for_url("**/play")
    return phone


def test_a_seat_freed_from_the_console_is_taken_by_a_late_joiner(
    browsing_quiet: Browsing,
) -> None:
    created = create_workshop(browsing_quiet.server)
    code = created["tables"][0]["code"]
    first = join_on_phone(browsing_quiet, code, "Pia", "first")
    trainer = console(browsing_quiet, created)
    card = trainer.get_by_role("article", name=tr(LANG, "Table {n}", n=1))
    trainer.get_by_role(
        "button", name=tr(LANG, "{action} (table {n})", action=tr(LANG, "Start"), n=1)
    ).click()
    parent = role_name("parent", LANG)
    seat = card.locator("li.fac-seat[data-seat='parent']")
    online = re.compile(r"\bon\b")
    expect(seat).to_have_class(online)

    trainer.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role(
        "button", name=tr(LANG, "Free the seat of {who} (table {n})", who=f"{parent} (Pia)", n=1)
    ).click()

    expect(seat).to_contain_text(tr(LANG, "free seat"))
    expect(seat).to_contain_text(tr(LANG, "waiting for someone to join"))
    expect(first.get_by_role("link", name=tr(LANG, "Join again"))).to_be_visible()

    # Someone arriving late finds the table and the freed role, mid-game.
    late = join_on_phone(browsing_quiet, code, "Lise", "late")
    expect(late.locator("#hud-name")).to_have_text("Lise")
    expect(late.get_by_role("heading", name=tr(LANG, "Rank the framings"))).to_be_visible()
    expect(seat).to_contain_text("Lise")
    expect(seat).to_have_class(online)
    shot(trainer, "06-seat-taken-by-a-late-joiner")
