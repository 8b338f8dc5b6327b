"""A table adopts its package over an objection, and the debriefs say so, in both languages.

Two people sit at the table (the chair and the parent); the trainer's "bots for empty
seats" fills the other roles. The trainer moves the table on to the decide round (the
chair puts one idea on the table on the way), the chair proposes, the parent objects,
and once everyone has answered the chair's screen offers to adopt over the objection and
says what that costs. The chair does. Then:

- the workshop comparison shows the table's consensus below 100 and how the package was
  adopted (over objections, without a revision), and how many of its seats were bots;
- the table's debrief marks the roles bots played with a "bot" badge, and not the others.

Every wait is on something a page shows; nothing sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.test_workshop_flow import (
    ROUNDS,
    Seat,
    control,
    create_workshop,
    join,
    play_card,
    propose,
    vote,
)
from tests.e2e.ui import role_name, tr, tr_re

Shot = Callable[[Page, str], Path]
PEOPLE = [("chair", "Mette"), ("parent", "Lars")]
BOT_ROLES = ["councillor", "official", "teacher"]  # the other roles a table needs
SEATS = len(PEOPLE) + len(BOT_ROLES)


def cap(text: str) -> str:
    """As the debrief shows a lower-case phrase at the start of a line."""
    return text[:1].upper() + text[1:]


def by_role(items: Locator, page: Page, role: str, lang: str) -> Locator:
    """The item (a card, a row) whose heading or name starts with the role's name."""
    name = re.compile("^" + re.escape(role_name(role, lang)))
    return items.filter(has=page.get_by_text(name))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_adopting_over_an_objection_shows_in_the_debriefs(
    browsing: Browsing, screenshot: Shot, lang: str
) -> None:
    trainer = browsing.page(f"trainer-overrule-{lang}", lang=lang)
    workshop, code = create_workshop(trainer, lang)
    seats: dict[str, Seat] = {
        role: join(browsing, lang, code, role, name, phone=False) for role, name in PEOPLE
    }
    chair, parent = seats["chair"], seats["parent"]
    control(trainer, lang, "Start")
    seat_list = trainer.get_by_role("list", name=tr(lang, "Seats at table {n}", n=1))
    expect(seat_list.get_by_role("listitem")).to_have_count(SEATS)
    expect(seat_list.get_by_text(tr(lang, "bot"), exact=True)).to_have_count(len(BOT_ROLES))

    # The trainer moves the table on round by round; the chair plays a card on the way,
    # so the decide round has an idea to propose.
    chair.in_round(1)
    for number in range(2, ROUNDS + 1):
        control(trainer, lang, "Next phase")
        chair.in_round(number)
        if number == 2:
            play_card(chair)
    parent.in_round(ROUNDS)

    # The chair proposes; the parent objects; the chair answers too. The bots answer on
    # their own, and only then may the chair adopt.
    propose(chair, ideas=1)
    vote(parent, "Object")
    vote(chair, "Accept")
    adopt = chair.button("Adopt over the objections")
    expect(adopt).to_be_visible()
    expect(chair.button("Revise it (once)")).to_be_visible()
    # Beside the button, what it costs: the objectors lose their share of ownership.
    cost = chair.action.locator("#adopt-cost")
    expect(cost).to_contain_text(
        tr_re(
            lang,
            "Objecting: {names}. If you adopt the proposal now, without a revision, you go over"
            " their objections and they lose their share of ownership. If you revise it once"
            " and they still object, they lose half of it.",
        )
    )
    expect(cost).to_contain_text("Lars")
    expect(adopt).to_have_attribute("aria-describedby", "adopt-cost")
    expect(parent.action).to_contain_text(
        tr_re(
            lang,
            "Objecting: {names}. The chair decides: adopt the proposal over the objections,"
            " or revise it once.",
        )
    )
    screenshot(chair.page, f"decide-objection-{lang}")
    adopt.click()
    for seat in seats.values():
        seat.phase_title("Game over")
    overruled = tr(lang, "Adopted over objections, without a revision")
    expect(chair.action.get_by_text(overruled, exact=True)).to_be_visible()
    expect(parent.action.get_by_text(overruled, exact=True)).to_be_visible()

    # The workshop comparison: consensus below 100, the adoption mode, the bot seats.
    trainer.goto(f"/debrief/{workshop}")
    compare = trainer.locator("table.deb-compare")
    row = compare.locator("tbody tr").filter(
        has=trainer.get_by_role("rowheader", name=tr(lang, "Table {n}", n=1))
    )
    expect(row).to_have_count(1)
    consensus = row.locator("td").first.locator(".deb-num")
    expect(consensus).to_have_text(re.compile(r"^\d+$"))
    assert int(consensus.inner_text()) < 100
    mode = cap(tr(lang, "adopted over objections, without a revision"))
    expect(row.locator("td.deb-how-overruled")).to_have_text(mode)
    bots_cell = row.locator("td.deb-bots-cell")
    expect(bots_cell.locator(".deb-bot")).to_have_text(tr(lang, "bot"))
    expect(bots_cell).to_contain_text(tr(lang, "{n} of {all} seats", n=len(BOT_ROLES), all=SEATS))
    card = trainer.get_by_role("article", name=tr(lang, "Table {n}", n=1))
    expect(card.locator(".deb-how-overruled")).to_have_text(mode)
    screenshot(trainer, f"debrief-workshop-{lang}")

    # The table's debrief: the proposal says how it was adopted; the bots' roles carry the
    # badge in the agendas, contributions and profiles, the people's do not.
    trainer.goto(f"/debrief/{workshop}/1")
    expect(trainer.locator("#sec-proposal .deb-how-overruled strong")).to_have_text(mode)
    expect(trainer.locator(".deb-bot-note .deb-bot")).to_have_text(tr(lang, "bot"))
    agendas = trainer.locator("#sec-agendas article")
    expect(agendas).to_have_count(SEATS)
    expect(agendas.filter(has=trainer.locator(".deb-bot"))).to_have_count(len(BOT_ROLES))
    rows = trainer.locator("#sec-contributions .deb-bar-row")
    expect(rows.filter(has=trainer.locator(".deb-bot"))).to_have_count(len(BOT_ROLES))
    for role in BOT_ROLES:
        expect(by_role(agendas, trainer, role, lang).locator(".deb-bot")).to_have_text(
            tr(lang, "bot")
        )
        expect(by_role(rows, trainer, role, lang).locator(".deb-bot")).to_have_count(1)
    for role, _name in PEOPLE:
        expect(by_role(agendas, trainer, role, lang)).to_have_count(1)
        expect(by_role(agendas, trainer, role, lang).locator(".deb-bot")).to_have_count(0)
        expect(by_role(rows, trainer, role, lang).locator(".deb-bot")).to_have_count(0)
    profiles = trainer.locator("#sec-profiles .deb-profile-row")
    expect(by_role(profiles, trainer, "councillor", lang).locator(".deb-bot")).to_have_count(1)
    expect(by_role(profiles, trainer, "chair", lang).locator(".deb-bot")).to_have_count(0)
    screenshot(trainer, f"debrief-table-{lang}")
