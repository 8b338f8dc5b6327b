"""A trainer's own case through the console (issue 8), and deleting a workshop.

The trainer chooses a scenario file in the "new workshop" form. A broken one shows its
problems as LINE:COLUMN: message, at the line that was broken, and no workshop can be
created from it. A valid one shows its preview (case, roles with briefs and agendas,
rounds, cards); the workshop is created with the file's text, which the server keeps, and a
player who joins sees the uploaded case. Then the trainer deletes the workshop from its
console, through an in-page question, and the workshop is gone.

The files are copies of game_content/scenarios/climate-adaptation.yaml (English only), so
the Danish console must also switch the tables' language to English by itself. Every wait
is on something the page shows; screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from app.scenarios import load_scenario_text
from app.scenarios.library import content_hash
from app.settings import REPO_ROOT
from tests.e2e.conftest import LAPTOP, PHONE, Browsing, axe_violations, describe_violations
from tests.e2e.ui import foreign_on_screen, role_name, tr, tr_re

Shot = Callable[[Page, str], Path]
CLIMATE = REPO_ROOT / "game_content" / "scenarios" / "climate-adaptation.yaml"
# What the copies change, so that what the pages show can only have come from the upload.
CASE_ID = "e2e-harbour-upload"
CASE_TITLE = "The harbour at Hvidsand (E2E upload)"
CHAIR_NAME = "Hvidsand harbour committee chair"
# The broken copy names an idea that does not exist in the chair's hand.
GOOD_HAND = "    hand: [sea-wall, building-line]"
BAD_HAND = "    hand: [sea-wall, bulding-line]"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} is not once in climate-adaptation.yaml any more"
    return text.replace(old, new)


def valid_case() -> str:
    text = CLIMATE.read_text(encoding="utf-8")
    text = _replace_once(text, "id: climate-adaptation\n", f"id: {CASE_ID}\n")
    text = _replace_once(
        text, "title: Saltvik harbour and the rising water\n", f"title: {CASE_TITLE}\n"
    )
    return _replace_once(text, "name: Committee chair (mayor's party)\n", f"name: {CHAIR_NAME}\n")


def broken_case(lang: str) -> tuple[str, int, str]:
    """The broken file, the line it was broken on, and its error as a console in `lang`
    should show it."""
    text = _replace_once(valid_case(), GOOD_HAND, BAD_HAND)
    line = text.splitlines().index(BAD_HAND) + 1
    # What the server's own validator says (message and column), at the line we broke.
    result = load_scenario_text(text, "broken.yaml", lang)
    assert len(result.errors) == 1, [str(p) for p in result.errors]
    error = result.errors[0]
    assert error.line == line and "bulding-line" in error.message
    return text, line, f"{error.line}:{error.column}: {error.message}"


def upload(page: Page, lang: str, name: str, text: str) -> None:
    """Choose a file in the form, as a trainer does in the file dialog."""
    page.get_by_label(tr(lang, "Scenario file (.yaml)")).set_input_files(
        {"name": name, "mimeType": "text/yaml", "buffer": text.encode()}
    )


def open_form(page: Page, lang: str) -> None:
    page.goto("/facilitator")
    expect(page.get_by_role("heading", name=tr(lang, "New workshop"))).to_be_visible()
    # The module has loaded the installed cases: its listeners are in place.
    expect(page.locator("#f-scenario option[value='school-committee']")).to_have_count(1)


def error_items(page: Page) -> Locator:
    return page.locator("#check-result #check-errors > li")


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


# --- the flow -------------------------------------------------------------------------------


def test_a_trainer_uploads_a_case_plays_it_and_deletes_the_workshop(
    browsing: Browsing, screenshot: Shot, api: httpx.Client
) -> None:
    lang = "da"  # the console in Danish; the case is in English only
    leftovers: dict[str, list[str]] = {}

    def shot(page: Page, name: str, ui: str = "body") -> None:
        """Save the screen, and note English UI text left on the Danish console in `ui`.

        The case is English, and its texts may say what an English UI string says ("the
        politician card"), so a screen showing them is checked outside them only.
        """
        screenshot(page, name)
        found = foreign_on_screen(page, lang, within=ui)
        if found:
            leftovers[name] = found

    trainer = browsing.page("trainer", lang=lang)
    open_form(trainer, lang)

    # A broken file: its one error, located on the line that was broken.
    broken, line, shown = broken_case(lang)
    upload(trainer, lang, "saltvik-broken.yaml", broken)
    expect(error_items(trainer)).to_have_text([shown])
    assert shown.startswith(f"{line}:")
    expect(trainer.locator("#check-result")).to_have_attribute("aria-live", "polite")
    expect(trainer.locator("#check-summary")).to_have_text(
        tr(lang, "{file} has errors, so no workshop can use it yet. Fix them in the file, "
           "save it and choose it again:", file="saltvik-broken.yaml")
    )  # fmt: skip
    expect(trainer.locator("#preview-panel")).to_be_hidden()
    shot(trainer, "upload-errors")

    # ... makes no workshop: the form says why and takes the trainer to the errors.
    trainer.get_by_role("button", name=tr(lang, "Create workshop")).click()
    expect(trainer.locator("#create-error")).to_have_text(
        tr(lang, "The scenario file cannot be used until its errors are fixed.")
    )
    expect(trainer.locator("#check-errors")).to_be_focused()
    assert trainer.url.rstrip("/").endswith("/facilitator")

    # The fixed file: valid, previewed, and the tables' language follows the case.
    valid = valid_case()
    upload(trainer, lang, "hvidsand.yaml", valid)
    expect(trainer.locator("#check-summary")).to_contain_text(
        tr(lang, "{file} is valid: “{title}”. The workshop will be created with this file.",
           file="hvidsand.yaml", title=CASE_TITLE)
    )  # fmt: skip
    expect(error_items(trainer)).to_have_count(0)
    preview = trainer.locator("#preview-panel")
    expect(preview).to_be_visible()
    expect(preview.locator("#preview-title")).to_have_text(CASE_TITLE)
    roles = preview.locator("#pv-roles")
    expect(roles.get_by_role("heading", name=CHAIR_NAME)).to_be_visible()
    expect(roles.locator(".fac-pv-card")).to_have_count(6)
    expect(roles).to_contain_text(tr(lang, "Hidden agenda (revealed at the debrief):"))
    expect(preview.locator("#pv-rounds li.fac-pv-round").first).to_be_visible()
    expect(preview.locator("#pv-case")).to_contain_text("Saltvik is a coastal town")
    expect(trainer.get_by_label(tr(lang, "Danish"), exact=True)).to_be_disabled()
    expect(trainer.get_by_label(tr(lang, "English"), exact=True)).to_be_checked()
    expect(trainer.locator("#f-lang-note")).to_be_visible()
    shot(trainer, "upload-preview", ui="#create-form")

    # The same on a phone: nothing wider than the screen.
    trainer.set_viewport_size(PHONE)
    expect(preview.locator("#preview-title")).to_be_visible()
    assert no_sideways_scroll(trainer), "the form with a preview scrolls sideways on a phone"
    shot(trainer, "upload-preview-phone", ui="#create-form")
    trainer.set_viewport_size(LAPTOP)

    # Create the workshop: the request carries the file's text (and the tables' language).
    trainer.get_by_label(tr(lang, "Workshop name (optional)")).fill("E2E upload")
    with trainer.expect_request(
        lambda r: r.url.endswith("/api/workshops") and r.method == "POST"
    ) as request:
        trainer.get_by_role("button", name=tr(lang, "Create workshop")).click()
    sent: dict[str, Any] = request.value.post_data_json
    assert sent["scenario_text"] == valid and sent["language"] == "en"
    trainer.wait_for_url(re.compile(r"/facilitator/[^/#?]+(#.*)?$"))
    workshop = trainer.url.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    card = trainer.get_by_role("article", name=tr(lang, "Table {n}", n=1))
    code_shown = card.locator(".fac-code")
    expect(code_shown).to_have_text(re.compile(r"^[A-Z0-9]{4,12}$"))
    code = code_shown.inner_text().strip()
    # The console names the case the workshop stores, not a file on the server.
    expect(trainer.locator("#fac-meta")).to_contain_text(CASE_TITLE)
    # The key the console keeps (the page has moved it from the address to storage).
    token = trainer.evaluate("(id) => localStorage.getItem(`pm.fac.${id}`)", workshop)
    assert token
    auth = {"Authorization": f"Bearer {token}"}

    # The workshop keeps the uploaded text itself.
    stored = api.get(f"/api/workshops/{workshop}/scenario.yaml", headers=auth)
    assert stored.status_code == 200 and stored.text == valid
    assert stored.headers["x-scenario-id"] == CASE_ID
    assert stored.headers["x-scenario-hash"] == content_hash(valid)

    # The join sheet names it too (from the workshop, not from the server's list of files).
    trainer.get_by_role("link", name=tr(lang, "Join sheet (print)")).click()
    expect(trainer.locator(".sheet-case").first).to_have_text(CASE_TITLE)
    trainer.go_back()
    expect(card.locator(".fac-code")).to_have_text(code)

    # A player joins the table and sees the uploaded case, in the table's language
    # (English), though the phone's browser asks for Danish.
    player = browsing.page("player", lang=lang, viewport=PHONE)
    player.goto(f"/join/{code}")
    player.get_by_label(tr("en", "Your name")).fill("Freja")
    player.get_by_role("radio", name=re.compile("^" + re.escape(CHAIR_NAME))).check()
    player.get_by_role("button", name=tr("en", "Join"), exact=True).click()
    player.wait_for_url("**/play")
    expect(player.locator("html")).to_have_attribute("lang", "en")
    expect(player.locator("#hud-round")).to_have_text(CASE_TITLE)
    expect(player.locator("#hud-role")).to_contain_text(CHAIR_NAME)
    screenshot(player, "player-lobby-phone")
    seat_list = trainer.get_by_role("list", name=tr(lang, "Seats at table {n}", n=1))
    expect(seat_list).to_contain_text("Freja")

    # Delete: the first click only asks; Escape (the keyboard's "no") changes nothing.
    delete = trainer.get_by_role("button", name=tr(lang, "Delete workshop…"))
    delete.click()
    question = trainer.get_by_role(
        "group",
        name=tr(
            lang, "Delete this workshop with all its tables and results? This cannot be undone."
        ),
    )
    expect(question).to_be_visible()
    expect(delete).to_have_attribute("aria-expanded", "true")
    keep = question.get_by_role("button", name=tr(lang, "No, keep it"))
    expect(keep).to_be_focused()
    shot(trainer, "delete-question")
    trainer.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(delete).to_be_focused()
    assert api.get(f"/api/workshops/{workshop}", headers=auth).status_code == 200

    # ... and the second time, "Yes" deletes it.
    delete.click()
    with trainer.expect_response(
        lambda r: r.url.endswith(f"/api/workshops/{workshop}") and r.request.method == "DELETE"
    ) as deleted:
        question.get_by_role("button", name=tr(lang, "Yes, delete the workshop")).click()
    assert deleted.value.status == 204
    assert deleted.value.request.headers["authorization"] == f"Bearer {token}"
    gone = trainer.get_by_role("heading", name=tr(lang, "The workshop is deleted"))
    expect(gone).to_be_focused()
    shot(trainer, "deleted")
    assert api.get(f"/api/workshops/{workshop}", headers=auth).status_code == 404
    remembered = trainer.evaluate(
        "(id) => [`pm.fac.${id}`, `pm.fac.${id}.title`].map((k) => localStorage.getItem(k))",
        workshop,
    )
    assert remembered == [None, None], "the browser still keeps the deleted workshop's key"
    assert not leftovers, f"English text on the Danish console: {leftovers}"


def test_a_preview_of_an_installed_case_by_keyboard(browsing: Browsing, screenshot: Shot) -> None:
    lang = "en"
    trainer = browsing.page("trainer-keys", lang=lang)
    open_form(trainer, lang)
    trainer.get_by_label(tr(lang, "Case (scenario)")).select_option("school-committee")
    trainer.get_by_role("button", name=tr(lang, "Preview the case")).focus()
    trainer.keyboard.press("Enter")
    # The preview is in the tables' language, and focus moves to it.
    head = trainer.get_by_role("heading", name=tr(lang, "Preview of the case"))
    expect(head).to_be_focused()
    panel = trainer.locator("#preview-panel")
    expect(panel.locator("#preview-title")).to_have_text("The future of Fjordby's schools")
    expect(panel.get_by_role("heading", name=role_name("chair", lang))).to_be_visible()
    expect(panel.locator("#pv-rounds li.fac-pv-round")).to_have_count(8)
    # The folded sections open from the keyboard.
    ideas = panel.locator("#pv-ideas")
    ideas.locator("summary").focus()
    trainer.keyboard.press("Enter")
    expect(ideas).to_have_attribute("open", "")
    expect(ideas.locator(".fac-pv-card").first).to_be_visible()
    screenshot(trainer, "installed-preview")
    trainer.get_by_role("button", name=tr(lang, "Close the preview")).click()
    expect(panel).to_be_hidden()
    expect(trainer.get_by_role("button", name=tr(lang, "Preview the case"))).to_be_focused()


# --- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "en"])
def test_upload_preview_and_delete_have_no_serious_accessibility_problems(
    browsing: Browsing, api: httpx.Client, lang: str
) -> None:
    found: list[str] = []

    def check(page: Page, what: str) -> None:
        """Note the page's problems and go on, so one run reports every state."""
        violations = axe_violations(page)
        if violations:
            found.append(f"on {what}:\n{describe_violations(violations)}")

    # axe comes in as a script tag, which the CSP forbids (see test_accessibility.py).
    trainer = browsing.page(f"axe-upload-{lang}", lang=lang, bypass_csp=True)
    open_form(trainer, lang)

    broken, _line, shown = broken_case(lang)
    upload(trainer, lang, "broken.yaml", broken)
    expect(error_items(trainer)).to_have_text([shown])
    check(trainer, "the form with a file's errors")

    upload(trainer, lang, "hvidsand.yaml", valid_case())
    expect(trainer.locator("#preview-title")).to_have_text(CASE_TITLE)
    for part in trainer.locator("#preview details").all():
        part.evaluate("(d) => { d.open = true; }")  # every section of the preview, unfolded
    check(trainer, "the form with the preview of an uploaded file")

    trainer.set_viewport_size(PHONE)
    expect(trainer.locator("#preview-title")).to_be_visible()
    check(trainer, "the form with a preview on a phone")
    trainer.set_viewport_size(LAPTOP)

    # The console of a running workshop with the delete question open.
    response = api.post("/api/workshops", json={"scenario_text": valid_case(), "language": "en"})
    assert response.status_code == 201, response.text
    created = response.json()
    trainer.goto(f"/facilitator/{created['workshop_id']}#token={created['facilitator_token']}")
    expect(trainer.locator("#fac-updated")).to_have_text(tr_re(lang, "Updated {time}"))
    trainer.get_by_role("button", name=tr(lang, "Delete workshop…")).click()
    expect(trainer.get_by_role("button", name=tr(lang, "No, keep it"))).to_be_focused()
    check(trainer, "the console asking whether to delete")
    assert not found, "axe found serious or critical problems " + "\n".join(found)
