"""A whole workshop through the browser, in Danish and in English.

A trainer creates the workshop in the console (a laptop), the table's screen is on a
projector (1920x1080); four people join at one table on phones (the chair on a 360x740
one, the others on 390x844), a bot takes the fifth seat; they play every round through the
screens to the end; one of them reloads in the middle and is back in the same seat; the
debrief shows the final proposal, the three score series and the revealed agendas.
Nothing is fetched from any other host (the `browsing` fixture checks), and every screen
is saved as a screenshot under test-artifacts/screenshots/.

Every screen is read in every round (its text and its labels, titles and placeholders):
a catalogue string of the other language anywhere fails the test, so a Danish room never
meets English and an English one never meets Danish.

Every wait is on something the page shows: nothing sleeps, and no phase waits on its
timer (each ends because everyone has done what it asks).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import PHONE, PHONE_390, Browsing
from tests.e2e.ui import foreign_on_screen, role_name, tr, tr_re

Shot = Callable[[Page, str], Path]
ROUNDS = 8  # the school-committee scenario: frame, ideate, dilemma, ideate, dilemma, rank,
# dilemma, decide
HUMANS = [  # (role id, display name, phone size)
    ("chair", "Mette", PHONE),
    ("councillor", "Jonas", PHONE_390),
    ("official", "Aisha", PHONE_390),
    ("parent", "Lars", PHONE_390),
]
PROJECTOR = {"width": 1920, "height": 1080}


@dataclass
class Seat:
    """One person at the table: their page and how to read it."""

    page: Page
    role: str
    name: str
    lang: str

    def t(self, msgid: str, **values: Any) -> str:
        return tr(self.lang, msgid, **values)

    def button(self, msgid: str, **values: Any) -> Locator:
        return self.page.get_by_role("button", name=self.t(msgid, **values), exact=True)

    @property
    def action(self) -> Locator:
        return self.page.locator("#action")

    def in_round(self, number: int) -> None:
        """Wait until the page shows round `number` (1-based)."""
        expect(self.page.locator("#hud-round")).to_have_text(
            tr_re(self.lang, "Round {n} of {count}: {title}", n=number, count=ROUNDS)
        )

    def phase_title(self, msgid: str) -> None:
        expect(self.page.locator("#action-title")).to_have_text(self.t(msgid))

    def said(self, msgid: str) -> None:
        """The confirmation an action shows once the server has acknowledged it."""
        expect(self.action.get_by_text(self.t(msgid), exact=True).first).to_be_visible()


# --- the trainer ----------------------------------------------------------------------------


def create_workshop(page: Page, lang: str) -> tuple[str, str]:
    """Fill in the console's form; (workshop id, join code of table 1)."""
    page.goto("/facilitator")
    expect(page.get_by_role("heading", name=tr(lang, "New workshop"))).to_be_visible()
    case = page.get_by_label(tr(lang, "Case (scenario)"))
    expect(case.locator("option[value='school-committee']")).to_have_count(1)
    case.select_option("school-committee")
    page.get_by_label(tr(lang, "Workshop name (optional)")).fill(f"E2E {lang}")
    page.get_by_label(tr(lang, "Danish" if lang == "da" else "English"), exact=True).check()
    page.get_by_label(tr(lang, "Fill empty seats with bots when a table starts")).check()
    page.get_by_role("button", name=tr(lang, "Create workshop")).click()
    page.wait_for_url(re.compile(r"/facilitator/[^/#?]+(#.*)?$"))
    workshop = page.url.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    card = table_card(page, lang)
    code = card.locator(".fac-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4,12}$"))
    return workshop, code.inner_text().strip()


def table_card(page: Page, lang: str, number: int = 1) -> Locator:
    return page.get_by_role("article", name=tr(lang, "Table {n}", n=number))


def control(page: Page, lang: str, command_label: str, number: int = 1) -> None:
    action = tr(lang, command_label)
    page.get_by_role(
        "button", name=tr(lang, "{action} (table {n})", action=action, n=number)
    ).click()
    expect(page.locator("#results")).to_contain_text(tr(lang, "Table {n}: done.", n=number))


# --- the players ----------------------------------------------------------------------------


def join(
    browsing: Browsing,
    lang: str,
    code: str,
    role: str,
    name: str,
    phone: dict[str, int],
    shot: Callable[[Page, str], None] | None = None,
) -> Seat:
    context = browsing.context(f"{role}-{lang}", viewport=phone, lang=lang)
    page = context.new_page()
    page.goto(f"/join/{code}")
    expect(page.locator("#code")).to_have_value(code)
    page.get_by_label(tr(lang, "Your name")).fill(name)
    # The join page names each role as the scenario does, followed by its brief.
    name_re = re.compile("^" + re.escape(role_name(role, lang)))
    page.get_by_role("radio", name=name_re).check()
    if shot:
        shot(page, f"join-{role}")
    page.get_by_role("button", name=tr(lang, "Join"), exact=True).click()
    page.wait_for_url("**/play")
    seat = Seat(page, role, name, lang)
    seat.phase_title("Waiting for the game to start")
    expect(page.locator("#hud-role")).to_contain_text(name)
    return seat


def rank_framings(seat: Seat, picks: int = 2) -> None:
    for _ in range(picks):
        seat.action.locator("[data-key^='fr-add-']").first.click()
    expect(seat.action.locator("ol.rank-list > li")).to_have_count(picks)
    seat.button("Submit my ranking").click()


def add_own_framing(seat: Seat, text: str) -> None:
    seat.action.get_by_text(seat.t("Add a framing of your own"), exact=True).click()
    seat.page.get_by_label(seat.t("The problem as you see it")).fill(text)
    framing_form = seat.action.locator("form")
    framing_form.get_by_role("checkbox").first.check()
    seat.button("Add my framing").click()
    expect(seat.action.get_by_text(text).first).to_be_visible()


def play_card(seat: Seat) -> None:
    seat.button("Play this card").first.click()
    seat.said("Played.")


def write_idea(seat: Seat, title: str) -> None:
    seat.action.get_by_text(seat.t("Write your own idea"), exact=True).click()
    seat.page.get_by_label(seat.t("Title"), exact=True).fill(title)
    seat.page.get_by_label(seat.t("What it means (optional)")).fill("E2E")
    group = seat.action.get_by_role("group", name=seat.t("Which interests does it speak to?"))
    group.get_by_role("checkbox").first.check()
    seat.button("Put my idea on the table").click()
    seat.said("Your idea is on the table.")


def build_on(seat: Seat) -> None:
    seat.action.get_by_text(seat.t("Build on an idea on the table"), exact=True).click()
    seat.page.get_by_label(seat.t("The idea to build on"), exact=True).select_option(index=1)
    seat.page.get_by_label(seat.t("Card from my hand"), exact=True).select_option(index=1)
    seat.button("Build on it").click()
    seat.said("Your combined idea is on the table.")


def done_with_ideas(seat: Seat) -> None:
    seat.button("I'm done with ideas").click()


def advise(seat: Seat) -> None:
    seat.button("Advise this").first.click()
    seat.said("Your advice is in.")


def choose(seat: Seat) -> None:
    seat.button("Choose this").first.click()
    seat.button("Yes, choose it").click()


def rank_ideas(seat: Seat, picks: int = 2) -> None:
    for _ in range(picks):
        seat.action.get_by_role(
            "button", name=tr_re(seat.lang, "Add to my top three: {title}"), disabled=False
        ).first.click()
    seat.button("Submit my ranking").click()


def propose(chair: Seat, ideas: int = 2) -> list[str]:
    """The chair picks affordable ideas and proposes them; their titles."""
    titles: list[str] = []
    add = chair.page.get_by_role(
        "button", name=tr_re(chair.lang, "Add to the package: {title}"), disabled=False
    )
    expect(add.first).to_be_visible()
    for _ in range(ideas):
        affordable = chair.action.locator("li.card").filter(has=add)
        if affordable.count() == 0:
            break
        card = affordable.first
        titles.append(card.locator(".card-title").inner_text().strip())
        card.get_by_role("button", name=tr_re(chair.lang, "Add to the package: {title}")).click()
        expect(chair.action.locator("li.card.is-picked")).to_have_count(len(titles))
    assert titles, "no idea fits the budget"
    chair.button("Propose this package").click()
    chair.said("Your proposal is on the table.")
    return titles


def vote(seat: Seat, choice: str = "Accept") -> None:
    """Answer the proposal with the button labelled `choice` (Accept, Can live with it, Object)."""
    seat.button(choice).click()
    expect(
        seat.action.get_by_text(seat.t("You answered: {choice}", choice=seat.t(choice)))
    ).to_be_visible()


# --- the flow -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_workshop_from_console_to_debrief(
    browsing: Browsing, screenshot: Shot, lang: str
) -> None:
    leftovers: dict[str, list[str]] = {}
    screens: dict[str, Page] = {}

    def read(page: Page, name: str) -> None:
        """Note any string of the other language on the screen as it is now."""
        found = foreign_on_screen(page, lang)
        if found:
            leftovers[name] = found

    def shot(page: Page, name: str) -> None:
        """Save the screen, and read it."""
        screenshot(page, name)
        read(page, name)

    def look(moment: str) -> None:
        """Read every screen in the room: the console, the projector and each phone."""
        for who, page in screens.items():
            read(page, f"{moment}: {who}")

    # The trainer sets up the workshop.
    trainer = browsing.page(f"trainer-{lang}", lang=lang)
    trainer.goto("/facilitator")
    shot(trainer, "console-new")
    workshop, code = create_workshop(trainer, lang)
    shot(trainer, "console-created")
    projector = browsing.page(f"projector-{lang}", lang=lang, viewport=PROJECTOR)
    screens.update(console=trainer, projector=projector)
    projector.goto(f"/table/{code}")
    expect(projector.get_by_role("heading", name=tr(lang, "Join this table"))).to_be_visible()
    shot(projector, "table-lobby")
    trainer.get_by_role("link", name=tr(lang, "Join sheet (print)")).click()
    expect(trainer.get_by_text(code).first).to_be_visible()
    shot(trainer, "join-sheet")
    trainer.go_back()

    # Four people join (the chair's join page is photographed).
    seats: dict[str, Seat] = {}
    for role, name, phone in HUMANS:
        seats[role] = join(
            browsing, lang, code, role, name, phone, shot if role == "chair" else None
        )
    chair, councillor, official, parent = (seats[r] for r, *_ in HUMANS)
    screens.update({seat.role: seat.page for seat in seats.values()})
    shot(chair.page, "player-lobby-phone")
    look("lobby")
    seat_list = trainer.get_by_role("list", name=tr(lang, "Seats at table {n}", n=1))
    expect(seat_list.get_by_role("listitem")).to_have_count(4)

    # The trainer starts the table; the bot takes the teacher's seat.
    control(trainer, lang, "Start")
    expect(seat_list.get_by_role("listitem")).to_have_count(5)
    expect(seat_list).to_contain_text(tr(lang, "bot"))
    everyone = list(seats.values())

    # Round 1 (frame): one adds a framing of their own, everyone ranks.
    for seat in everyone:
        seat.in_round(1)
        seat.phase_title("Rank the framings")
    look("round 1")
    screenshot(projector, "table-round-1")
    add_own_framing(
        parent,
        "E2E: " + ("Skolevejen er for lang" if lang == "da" else "The school run is too long"),
    )
    for seat in everyone[:-1]:
        rank_framings(seat)
        seat.said("Your ranking is in. You can change it until the round ends.")
    shot(chair.page, "player-frame-phone")
    rank_framings(everyone[-1])

    # Round 2 (ideate): cards from the hand and an idea of one's own.
    for seat in everyone:
        seat.in_round(2)
    look("round 2")
    screenshot(projector, "table-round-2")
    shot(official.page, "player-ideate")
    play_card(chair)
    done_with_ideas(chair)
    write_idea(councillor, "E2E " + ("Fælles busplan" if lang == "da" else "A shared bus plan"))
    done_with_ideas(councillor)
    play_card(official)
    play_card(parent)
    done_with_ideas(parent)
    done_with_ideas(official)

    # Round 3 (dilemma): the others advise, the chair chooses.
    for seat in everyone:
        seat.in_round(3)
    look("round 3")
    screenshot(projector, "table-round-3")
    for seat in (councillor, official, parent):
        advise(seat)
    shot(chair.page, "player-dilemma-phone")
    choose(chair)

    # Round 4 (ideate): the councillor plays, reloads, and is back in the same seat.
    for seat in everyone:
        seat.in_round(4)
    look("round 4")
    screenshot(projector, "table-round-4")
    play_card(councillor)
    role_before = councillor.page.locator("#hud-role").inner_text()
    councillor.page.reload()
    councillor.in_round(4)
    expect(councillor.page.locator("#hud-role")).to_have_text(role_before)
    expect(councillor.action).to_contain_text(
        tr(lang, "You have played {n} of {limit} ideas this round.", n=1, limit=2)
    )
    expect(seat_list.get_by_role("listitem")).to_have_count(5)
    shot(councillor.page, "player-after-reload")
    build_on(official)
    shot(projector, "table-ideas")
    for seat in everyone:
        done_with_ideas(seat)

    # Round 5 (dilemma): the chair decides, so it is the others who advise.
    for seat in everyone:
        seat.in_round(5)
    look("round 5")
    screenshot(projector, "table-round-5")
    expect(chair.button("Advise this")).to_have_count(0)
    advise(parent)
    choose(chair)

    # Round 6 (rank): everyone picks up to two ideas.
    for seat in everyone:
        seat.in_round(6)
    look("round 6")
    screenshot(projector, "table-round-6")
    shot(parent.page, "player-rank")
    for seat in everyone:
        rank_ideas(seat)
    shot(trainer, "console-running")

    # Round 7 (dilemma).
    for seat in everyone:
        seat.in_round(7)
    look("round 7")
    screenshot(projector, "table-round-7")
    choose(chair)

    # Round 8 (decide): the chair proposes; one objection, so it takes the chair to adopt.
    for seat in everyone:
        seat.in_round(8)
    look("round 8")
    screenshot(projector, "table-round-8")
    titles = propose(chair)
    for seat in (chair, councillor, official):
        vote(seat)
    vote(parent, "Object")
    shot(official.page, "player-decide")
    chair.button("Adopt over the objections").click()
    for seat in everyone:
        seat.phase_title("Game over")
    final = chair.action.locator("li.card .card-title")
    expect(final).to_have_text(titles)
    shot(chair.page, "player-game-over-phone")
    shot(projector, "table-game-over")
    look("game over")

    # The debrief of the table, reached from the console.
    expect(table_card(trainer, lang)).to_contain_text(tr(lang, "Ended"))
    trainer.get_by_role("link", name=tr(lang, "Table debrief")).click()
    trainer.wait_for_url(f"**/debrief/{workshop}/1")
    proposal = trainer.locator("#sec-proposal")
    expect(proposal.locator(".deb-ideas > li h4")).to_have_text(titles)
    scores = trainer.locator("#sec-scores")
    expect(scores.locator("g.chart-series")).to_have_count(3)
    expect(scores.locator("#scores-table thead th")).to_have_count(4)
    expect(scores.locator("#scores-table tbody tr")).to_have_count(ROUNDS)
    agendas = trainer.locator("#sec-agendas")
    expect(agendas.locator("article")).to_have_count(5)
    expect(
        agendas.get_by_text(tr(lang, "Hidden agenda (what mattered, from +3 to −3)"))
    ).to_have_count(5)
    expect(agendas.get_by_text(tr(lang, "Secret goal"), exact=True).first).to_be_visible()
    shot(trainer, "debrief-table")
    trainer.goto(f"/debrief/{workshop}")
    expect(trainer.get_by_role("heading", name=tr(lang, "Scores side by side"))).to_be_visible()
    shot(trainer, "debrief-workshop")
    # The summary per table, for the trainer's report: the table's row, its adopted ideas.
    with trainer.expect_download() as saved:
        trainer.get_by_role("button", name=tr(lang, "Export CSV per table")).click()
    assert saved.value.suggested_filename == f"workshop-{workshop}-tables.csv"
    (row,) = csv.DictReader(io.StringIO(Path(saved.value.path()).read_text(encoding="utf-8")))
    assert (row["table"], row["ended"]) == ("1", "1")
    assert row["package"].split("; ") == titles
    other = "English" if lang == "da" else "Danish"
    assert not leftovers, f"{other} UI text on the {lang} screens: {leftovers}"
