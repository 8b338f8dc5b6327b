"""The scenario editor in the facilitator console (issue 22), in Chromium.

A trainer opens the Danish console, opens the installed school case in the editor, types
an error, sees it marked at its line (gutter, underline, the message at the cursor and in
the list under the editor) in Danish, goes to it from the list, fixes it with the schema's
completion, edits the case's title, previews it, asks for the balance report, saves the
text as a new version and creates a workshop with it. The console and the export name the
hash of exactly that text, and a phone that joins the table sees the edited title and
never loads the editor. Every wait is on something the page shows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from app.scenarios.library import content_hash
from app.settings import REPO_ROOT
from tests.e2e.conftest import PHONE, Browsing, axe_violations, describe_violations
from tests.e2e.ui import tr, tr_re

Shot = Callable[..., Path]
SCHOOL = REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml"
KIND_LINE = "    kind: politician"  # the first role's kind: the line the error is typed on
TITLE_LINE = "  da: Fremtidens folkeskole i Fjordby"
EDITED = " (redigeret i browseren)"
CHECK = "/api/scenarios/check"


def line_of(text: str, line: str) -> int:
    """The 0-based number of the first line that is exactly `line`."""
    return text.splitlines().index(line)


def server_errors(api: httpx.Client, text: str, ui: str) -> list[dict[str, Any]]:
    """What the server's own check says about `text`, in the language `ui`."""
    response = api.post(
        f"{CHECK}?ui={ui}", json={"text": text, "filename": "school-committee.yaml"}
    )
    assert response.status_code == 200, response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


def open_editor(page: Page, lang: str) -> None:
    page.goto("/facilitator")
    expect(page.get_by_role("heading", name=tr(lang, "New workshop"))).to_be_visible()
    expect(page.locator("#f-scenario option[value='school-committee']")).to_have_count(1)
    page.get_by_label(tr(lang, "Case (scenario)")).select_option("school-committee")
    page.get_by_label(tr(lang, "Start from")).select_option("installed")
    page.get_by_role("button", name=tr(lang, "Open in the editor")).click()
    # Loaded and checked: the installed case has no errors.
    expect(page.locator("#editor-status")).to_have_text(
        tr_re(lang, "No errors: “{title}” can be used.")
    )


def editor_text(page: Page) -> str:
    text: str = page.evaluate(
        "() => document.querySelector('#editor-host .CodeMirror').CodeMirror.getValue()"
    )
    return text


def cursor_line(page: Page) -> int:
    line: int = page.evaluate(
        "() => document.querySelector('#editor-host .CodeMirror').CodeMirror.getCursor().line"
    )
    return line


def wait_for_line(page: Page, number: int, line: str) -> None:
    """Until the editor's line `number` (0-based) reads exactly `line`."""
    page.wait_for_function(
        "([n, line]) => document.querySelector('#editor-host .CodeMirror')"
        ".CodeMirror.getLine(n) === line",
        arg=[number, line],
    )


def put_cursor(page: Page, line: int, at_end: bool = True) -> None:
    """Where the trainer clicks: the end (or start) of a line; the typing is the keyboard's."""
    page.evaluate(
        """([line, end]) => {
            const cm = document.querySelector('#editor-host .CodeMirror').CodeMirror;
            cm.focus();
            cm.setCursor(line, end ? cm.getLine(line).length : 0);
        }""",
        [line, at_end],
    )


def gutter_of(page: Page, number: int) -> Locator:
    """The problem gutter of the editor's line `number` (1-based, as the gutter shows it)."""
    line = page.locator(
        "#editor-host .CodeMirror-code > div",
        has=page.locator(".CodeMirror-linenumber", has_text=re.compile(f"^{number}$")),
    )
    return line.locator(".pm-gutter")


def wait_until_held(page: Page, held: list[Route], count: int) -> None:
    """Until `count` checks are held (each round trip to the page lets Playwright run the
    route handler of a request the page has sent)."""
    deadline = time.monotonic() + 15
    while len(held) < count:
        assert time.monotonic() < deadline, f"{len(held)} checks held, not {count}"
        page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")
    assert len(held) == count


@contextmanager
def held_checks(page: Page) -> Iterator[list[Route]]:
    """Checks the browser sends are held until the test lets each go."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(f"**{CHECK}*", hold)
    try:
        yield held
    finally:
        for route in held:
            route.continue_()
        page.unroute(f"**{CHECK}*", hold)


def test_a_trainer_edits_a_case_in_the_browser_and_a_phone_plays_it(
    browsing: Browsing, api: httpx.Client, screenshot: Shot
) -> None:
    lang = "da"
    trainer = browsing.page("trainer", lang=lang)
    open_editor(trainer, lang)
    original = SCHOOL.read_text(encoding="utf-8")
    assert editor_text(trainer) == original
    kind = line_of(original, KIND_LINE)

    # An error typed: an unknown kind, marked at its line in Danish.
    put_cursor(trainer, kind)
    trainer.keyboard.type("x")
    broken = editor_text(trainer)
    (error,) = server_errors(api, broken, "da")
    (english,) = server_errors(api, broken, "en")
    assert error["line"] == kind + 1
    assert error["message"] != english["message"], "the check answered in English, not Danish"
    shown = f"{tr(lang, 'Error')} {error['line']}:{error['column']}: {error['message']}"
    problems = trainer.locator("#editor-problems li")
    expect(problems).to_have_text([shown])
    expect(trainer.locator("#editor-problems-head")).to_have_text(
        tr(lang, "Problems in the text ({n})", n=1)
    )
    expect(gutter_of(trainer, kind + 1)).to_have_class(re.compile(r"\bpm-gutter-error\b"))
    expect(gutter_of(trainer, kind + 1)).to_have_attribute("title", error["message"])
    underline = trainer.locator("#editor-host .pm-mark-error")
    expect(underline).to_have_text("politicianx")
    expect(underline).to_have_attribute("title", error["message"])
    # The cursor is on the line: its message is written under the editor too.
    expect(trainer.locator("#editor-here")).to_have_text(shown)
    expect(trainer.locator("#editor-status")).to_have_text(
        tr(lang, "1 error: the case cannot be used until it is fixed.")
    )
    screenshot(trainer, "editor-error")

    # The list takes the trainer to the error.
    put_cursor(trainer, 0, at_end=False)
    expect(trainer.locator("#editor-here")).to_be_empty()
    problems.get_by_role("button").click()
    expect(trainer.locator("#editor-host .CodeMirror")).to_have_class(
        re.compile("CodeMirror-focused")
    )
    assert cursor_line(trainer) == kind

    # Fixed with the schema's completion: the kinds the schema names, after "kind: pol".
    trainer.keyboard.press("End")
    for _ in "politicianx":
        trainer.keyboard.press("Backspace")
    trainer.keyboard.type("pol")
    trainer.keyboard.press("Control+Space")
    hints = trainer.locator(".CodeMirror-hints li")
    expect(hints).to_have_text(["politician"])
    # The viewport only: a whole-page capture resizes it for a moment, the editor scrolls,
    # and CodeMirror closes a list whose line scrolled (Enter then broke the line).
    screenshot(trainer, "editor-completion", full_page=False)
    trainer.keyboard.press("Enter")
    # The pick is in the text before its check is waited for (a failure says which it was).
    wait_for_line(trainer, kind, KIND_LINE)
    expect(problems).to_have_count(0)
    expect(trainer.locator("#editor-host .pm-mark")).to_have_count(0)
    assert editor_text(trainer) == original

    # Tab indents inside the editor; Esc, then Tab, leaves it.
    trainer.keyboard.press("Tab")
    expect(trainer.locator("#editor-host .CodeMirror")).to_have_class(
        re.compile("CodeMirror-focused")
    )
    assert editor_text(trainer).splitlines()[kind] == KIND_LINE + "  "
    trainer.keyboard.press("Control+z")
    trainer.keyboard.press("Escape")
    trainer.keyboard.press("Tab")
    expect(trainer.get_by_role("button", name=tr(lang, "Preview"), exact=True)).to_be_focused()

    # A new title: the phone will show it.
    put_cursor(trainer, line_of(original, TITLE_LINE))
    trainer.keyboard.type(EDITED)
    title = TITLE_LINE.split(": ", 1)[1] + EDITED
    expect(trainer.locator("#editor-status")).to_have_text(
        tr(lang, "No errors: “{title}” can be used.", title=title)
    )
    edited = editor_text(trainer)
    assert edited == original.replace(TITLE_LINE, TITLE_LINE + EDITED, 1)

    # The preview of the edited text, beside it.
    trainer.get_by_role("button", name=tr(lang, "Preview"), exact=True).click()
    preview = trainer.locator("#preview-panel")
    expect(preview.locator("#preview-title")).to_have_text(title)
    expect(preview).to_contain_text(
        tr(lang, "Edited in the browser ({file})", file="school-committee.yaml")
    )
    expect(trainer.get_by_role("heading", name=tr(lang, "Preview of the case"))).to_be_focused()

    # The balance report on demand: the server's report of exactly this text.
    trainer.get_by_role("button", name=tr(lang, "Balance report")).click()
    head = trainer.get_by_role("heading", name=tr(lang, "Balance report"))
    # Bots play 100 games in each of six chair styles, in a worker process started now.
    expect(head).to_be_focused(timeout=90_000)
    report = api.post(
        "/api/scenarios/balance?ui=da",
        json={"text": edited, "filename": "school-committee.yaml", "language": "da", "games": 100},
        timeout=120,
    )
    assert report.status_code == 200, report.text
    assert report.json()["hash"] == content_hash(edited)
    expect(trainer.locator("#editor-report pre")).to_have_text(report.json()["text"])
    screenshot(trainer, "editor-preview-and-report")

    # Saved as a new version: the form names its hash, and creates the workshop with it.
    short = content_hash(edited)[:12]
    trainer.get_by_role("button", name=tr(lang, "Save as new version")).click()
    saved = "Saved version: “{title}” ({id}), version {hash}. The workshop will be created with it."
    expect(trainer.locator("#editor-version")).to_have_text(
        tr(lang, saved, title=title, id="school-committee", hash=short)
    )
    with trainer.expect_request(
        lambda r: r.url.endswith("/api/workshops") and r.method == "POST"
    ) as sent:
        trainer.get_by_role("button", name=tr(lang, "Create workshop")).click()
    assert sent.value.post_data_json["scenario_text"] == edited
    trainer.wait_for_url(re.compile(r"/facilitator/[^/#?]+(#.*)?$"))
    workshop = trainer.url.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    expect(trainer.locator("#fac-version")).to_have_text(
        tr(lang, "Case version: {hash}", hash=short)
    )
    expect(trainer.locator("#fac-meta")).to_contain_text(title)
    code_shown = trainer.get_by_role("article", name=tr(lang, "Table {n}", n=1)).locator(
        ".fac-code"
    )
    expect(code_shown).to_have_text(re.compile(r"^[A-Z0-9]{4,12}$"))
    code = code_shown.inner_text().strip()

    # The export names exactly that version; the installed case is untouched.
    token = trainer.evaluate("(id) => localStorage.getItem(`pm.fac.${id}`)", workshop)
    exported = api.get(
        f"/api/workshops/{workshop}/export.json", headers={"Authorization": f"Bearer {token}"}
    )
    assert exported.json()["scenario"] == {"id": "school-committee", "hash": content_hash(edited)}
    listed = {s["id"]: s["hash"] for s in api.get("/api/scenarios").json()}
    assert listed["school-committee"] == content_hash(original)

    # A phone joins the table and plays the edited case, without the editor's files.
    phone = browsing.context("phone", viewport=PHONE, lang=lang)
    player = phone.new_page()
    player.goto(f"/join/{code}")
    player.get_by_label(tr(lang, "Your name")).fill("Freja")
    player.get_by_role("radio").first.check()
    player.get_by_role("button", name=tr(lang, "Join"), exact=True).click()
    player.wait_for_url("**/play")
    expect(player.locator("#hud-round")).to_have_text(title)
    screenshot(player, "phone-plays-the-edited-case")
    (seen,) = [traffic.seen for name, _ctx, traffic in browsing.contexts if name == "phone"]
    assert not [u for u in seen if "codemirror" in u or "/editor" in u], seen


def test_an_answer_for_older_text_does_not_overwrite_a_newer_one(browsing: Browsing) -> None:
    lang = "en"
    trainer = browsing.page("trainer-late", lang=lang)
    open_editor(trainer, lang)
    kind = line_of(editor_text(trainer), KIND_LINE)
    with held_checks(trainer) as held:
        put_cursor(trainer, kind)
        trainer.keyboard.type("x")  # the broken text's check: held
        wait_until_held(trainer, held, 1)
        trainer.keyboard.press("Backspace")  # the fixed text's check
        wait_until_held(trainer, held, 2)
        late, newer = held
        held.clear()
        with trainer.expect_response(f"**{CHECK}*"):
            newer.continue_()
        status = trainer.locator("#editor-status")
        expect(status).to_have_text(tr_re(lang, "No errors: “{title}” can be used."))
        with trainer.expect_response(f"**{CHECK}*") as answered:
            late.continue_()
        assert answered.value.json()["errors"], "the held answer was for the broken text"
    # The late answer (for the broken text) changed nothing.
    expect(status).to_have_text(tr_re(lang, "No errors: “{title}” can be used."))
    expect(trainer.locator("#editor-problems li")).to_have_count(0)
    expect(trainer.locator("#editor-host .pm-mark")).to_have_count(0)


def test_a_check_lost_on_the_way_is_asked_again(browsing: Browsing) -> None:
    """The venue's wifi drops one check: the editor says so and asks again by itself, so the
    problem list does not stay as it was for the older text."""
    lang = "da"
    trainer = browsing.page("trainer-wifi", lang=lang)
    open_editor(trainer, lang)
    kind = line_of(editor_text(trainer), KIND_LINE)
    status = trainer.locator("#editor-status")
    with held_checks(trainer) as held:
        put_cursor(trainer, kind)
        trainer.keyboard.type("x")
        wait_until_held(trainer, held, 1)
        held.pop().abort("internetdisconnected")
        expect(status).to_have_text(tr_re(lang, "The text could not be checked: {why}"))
        expect(trainer.locator("#editor-problems li")).to_have_count(0)
        wait_until_held(trainer, held, 1)  # asked again, with no key pressed
        held.pop().continue_()
    expect(status).to_have_text(tr(lang, "1 error: the case cannot be used until it is fixed."))
    expect(trainer.locator("#editor-problems li")).to_have_count(1)


def test_a_new_case_starts_from_the_starter(browsing: Browsing, api: httpx.Client) -> None:
    lang = "en"
    trainer = browsing.page("trainer-starter", lang=lang)
    trainer.goto("/facilitator")
    expect(trainer.locator("#f-scenario option[value='school-committee']")).to_have_count(1)
    trainer.get_by_label(tr(lang, "Start from")).select_option("starter")
    trainer.get_by_role("button", name=tr(lang, "Open in the editor")).click()
    expect(trainer.locator("#editor-status")).to_have_text(
        tr_re(lang, "No errors: “{title}” can be used.")
    )
    starter = api.get("/api/scenarios/starter", params={"id": "new-case", "languages": "en,da"})
    assert editor_text(trainer) == starter.text
    # Nothing saved yet: the form says what to do instead of creating a workshop.
    trainer.get_by_role("button", name=tr(lang, "Create workshop")).click()
    expect(trainer.locator("#create-error")).to_have_text(
        tr(lang, "Save the edited case as a new version first (the button under the editor).")
    )
    expect(trainer.get_by_role("button", name=tr(lang, "Save as new version"))).to_be_focused()
    assert trainer.url.rstrip("/").endswith("/facilitator")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_console_with_the_editor_open_has_no_serious_accessibility_problems(
    browsing: Browsing, lang: str
) -> None:
    trainer = browsing.page(f"axe-editor-{lang}", lang=lang, bypass_csp=True)
    open_editor(trainer, lang)
    put_cursor(trainer, line_of(editor_text(trainer), KIND_LINE))
    trainer.keyboard.type("x")
    expect(trainer.locator("#editor-problems li")).to_have_count(1)
    found = axe_violations(trainer)
    assert not found, "axe: " + describe_violations(found)


COMPLETE_JS = """async ([text, line, ch]) => {
    const { completions } = await import('/static/js/editor-schema.js');
    const schema = await (await fetch('/api/scenarios/schema')).json();
    const found = completions(schema, text, line, ch);
    return found ? found.list.map((c) => c.label) : null;
}"""


def test_completion_offers_what_the_schema_allows_at_the_cursor(browsing: Browsing) -> None:
    page = browsing.page("completion", lang="en")
    page.goto("/facilitator")
    role = "roles:\n  - id: chair\n    kind: politician\n    \n    name: Chair\n"

    def labels(text: str, line: int, ch: int) -> list[str] | None:
        found: list[str] | None = page.evaluate(COMPLETE_JS, [text, line, ch])
        return found

    # A role's keys, the required first, without those it has already.
    keys = labels(role, 3, 4)
    assert keys is not None and keys[:3] == ["agenda", "brief", "seats"]
    assert not {"id", "kind", "name"} & set(keys) and {"hand", "goal", "chair"} <= set(keys)
    # Top-level keys by prefix; a round's phase by its values; seats' keys.
    assert labels("id: x\nlan", 1, 3) == ["languages"]
    assert labels("rounds:\n  - phase: ", 1, 11) == ["frame", "ideate", "dilemma", "rank", "decide"]
    assert labels("roles:\n  - seats:\n      ", 2, 6) == ["max", "min"]
    # Inside a text there is nothing to offer.
    assert labels("title: The old lib", 0, 18) is None


def test_a_check_answered_while_the_completion_list_is_open_leaves_the_pick_to_the_trainer(
    browsing: Browsing,
) -> None:
    """The check of "kind: pol" comes back while its completion list is open (a trainer who
    types fast): the marks it draws leave the list open, and Enter picks from it."""
    lang = "da"
    trainer = browsing.page("trainer-pick", lang=lang)
    open_editor(trainer, lang)
    kind = line_of(editor_text(trainer), KIND_LINE)
    hints = trainer.locator(".CodeMirror-hints li")
    status = trainer.locator("#editor-status")
    with held_checks(trainer) as held:
        put_cursor(trainer, kind)
        for _ in "itician":
            trainer.keyboard.press("Backspace")
        wait_until_held(trainer, held, 1)  # the check of "kind: pol", held
        trainer.keyboard.press("Control+Space")
        expect(hints).to_have_text(["politician"])
        with trainer.expect_response(f"**{CHECK}*"):
            held.pop().continue_()
    expect(status).to_have_text(tr(lang, "1 error: the case cannot be used until it is fixed."))
    expect(trainer.locator("#editor-host .pm-mark-error")).to_have_text("pol")
    expect(hints).to_have_text(["politician"])
    trainer.keyboard.press("Enter")
    wait_for_line(trainer, kind, KIND_LINE)
    expect(hints).to_have_count(0)
    expect(status).to_have_text(tr_re(lang, "No errors: “{title}” can be used."))
