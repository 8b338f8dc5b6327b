"""The projector view (/table/{code}) on a 1920×1080 wall, followed through every phase.

Bots sit in every seat but the chair's, which the test holds itself: no phase but the
dilemma's can close while the chair has not acted, and the dilemma waits for the chair's
choice. So each phase stands still once the bots have done their part, and the test
reads the wall then (waiting on what the page shows, never on time), ends the phase
with the facilitator's "advance" and, in the decide phase, proposes the chair's package
over its own websocket so the bots answer it.

In every phase the page must fit the screen without scrolling (nothing cut off in its
lists either), the round and phase must be large, the clock visible, the phase's own
content shown, axe must find nothing serious, and a Danish wall must show no English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.client import ws_url
from app.rooms.room import PROTOCOL_VERSION
from app.scenarios import load_scenario_or_raise
from tests.contract import checked_connect_sync
from tests.e2e.conftest import Browsing, axe_violations, describe_violations
from tests.e2e.ui import english_left, role_name, tr, tr_re
from tests.integration.server import WAIT, Server, accepted, answers

WALL = {"width": 1920, "height": 1080}
SMALL_WALL = {"width": 1280, "height": 720}
PHONE_PORTRAIT = {"width": 390, "height": 844}
SCENARIOS = Path(__file__).resolve().parents[2] / "game_content" / "scenarios"
# Readable from the back of a room at 1080p (see static/css/table.css).
MIN_TEXT_PX = 28.0


class Workshop:
    """One table with the chair's seat held by the test and bots for the rest."""

    def __init__(
        self, api: httpx.Client, scenario: str, lang: str, numbers: bool, extra: tuple[str, ...]
    ) -> None:
        self.api = api
        response = api.post(
            "/api/workshops",
            json={"scenario": scenario, "language": lang, "bots": True, "show_numbers": numbers},
        )
        assert response.status_code == 201, response.text
        created = response.json()
        self.id = created["workshop_id"]
        self.token = created["facilitator_token"]
        self.code = created["tables"][0]["code"]
        joined = api.post("/api/join", json={"code": self.code, "name": "Anna", "role": "chair"})
        assert joined.status_code == 200, joined.text
        self.chair = joined.json()
        # Optional roles held like the chair's seat, for a full table on the wall.
        for role, name in zip(extra, LONG_NAMES, strict=False):
            sat = api.post("/api/join", json={"code": self.code, "name": name, "role": role})
            assert sat.status_code == 200, sat.text

    def control(self, command: str) -> None:
        response = self.api.post(
            f"/api/workshops/{self.id}/control",
            json={"command": command},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        assert all(r["ok"] for r in response.json()), response.text

    def announce(self, text: str) -> None:
        response = self.api.post(
            f"/api/workshops/{self.id}/announce",
            json={"text": text},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 204, response.text

    def propose_leading_package(self, base: str) -> list[str]:
        """The chair proposes the package the table's rankings lead to, over its websocket."""
        with checked_connect_sync(ws_url(base), "chair", max_size=None) as ws:

            def until(test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
                while True:
                    frame: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
                    if test(frame):
                        return frame

            def send(kind: str, **fields: Any) -> None:
                ws.send(json.dumps({"v": PROTOCOL_VERSION, "type": kind, **fields}))

            send("hello", token=self.chair["token"])
            welcome = until(lambda f: f["type"] in ("welcome", "error"))
            assert welcome["type"] == "welcome", welcome
            leading: list[str] = welcome["state"]["public"]["proposal"]["leading"]
            assert leading, "the bots' rankings lead to no package"
            send("intent", cmid="wall-propose", action={"type": "propose", "ideas": leading})
            answer = until(lambda f: answers(f, "wall-propose"))
            assert accepted(answer), answer
            return leading


def _fits_the_screen(page: Page, what: str) -> None:
    # The lists fit in a ResizeObserver's callback, which the browser delivers with the
    # next frame after a change (an announcement's banner): measure once that frame is
    # drawn. Measured at once, the banner was there and the fit not yet, one run in five.
    page.evaluate(
        "() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)))"
    )
    sizes = page.evaluate(
        """() => ({
            height: document.documentElement.scrollHeight, inner: window.innerHeight,
            width: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
            clipped: [...document.querySelectorAll('[data-fit]')]
                .filter((box) => box.offsetParent !== null)
                .filter((box) => box.scrollHeight > box.clientHeight + 1)
                .map((box) => `${box.id}: ${box.scrollHeight} > ${box.clientHeight}`),
        })"""
    )
    assert sizes["height"] <= sizes["inner"], f"{what}: the page scrolls: {sizes}"
    assert sizes["width"] <= sizes["innerWidth"], f"{what}: the page scrolls sideways: {sizes}"
    assert not sizes["clipped"], f"{what}: a list is cut off: {sizes['clipped']}"


def _font_px(page: Page, selector: str) -> float:
    size: str = page.locator(selector).evaluate("(el) => getComputedStyle(el).fontSize")
    return float(size.removesuffix("px"))


def _check(page: Page, what: str, lang: str, bots: int, found: list[str]) -> None:
    """What every phase must do on the wall; axe and leftover English are collected."""
    _fits_the_screen(page, what)
    assert _font_px(page, "#round") >= MIN_TEXT_PX, f"{what}: the round and phase are small"
    assert _font_px(page, "#prompt") >= MIN_TEXT_PX, f"{what}: the body text is small"
    expect(page.locator(".wall-tag-bot")).to_have_count(bots)
    violations = axe_violations(page)
    if violations:
        found.append(f"axe on {what}:\n{describe_violations(violations)}")
    left = english_left(page.locator("body").inner_text(), lang)
    if left:
        found.append(f"English on the {lang} wall in {what}: {left}")


def _scores_as_set(page: Page, lang: str, numbers: bool) -> None:
    """Numbers (with a bar) when the workshop shows them, else only the direction in words."""
    scores = page.locator(".wall-score")
    expect(scores).to_have_count(3)
    if numbers:
        expect(page.locator(".wall-score-value")).to_have_count(3)
        expect(page.locator(".wall-score .chart-meter")).to_have_count(3)
    else:
        expect(page.locator(".wall-score-value")).to_have_count(0)
        words = "|".join(re.escape(tr(lang, w)) for w in ("rising", "falling", "unchanged"))
        expect(page.locator(".wall-score-trend")).to_have_text([re.compile(words)] * 3)


# Names as long as the join form takes (40 characters), to fill the seats' tiles.
LONG_NAMES = (
    "Maria Magdalena Kristoffersen-Østergaard",
    "Bo",
    "Christian Frederik Vilhelm Hansen",
)
FULL_SCHOOL_TABLE = ("pupil", "school-leader", "local-business")

CASES = [
    pytest.param("school-committee", "da", False, (), id="school-da-arrows"),
    pytest.param("school-committee", "en", True, (), id="school-en-numbers"),
    pytest.param("school-committee", "da", True, FULL_SCHOOL_TABLE, id="school-da-8-seats"),
    pytest.param("climate-adaptation", "en", False, (), id="climate-en-arrows"),
]


@pytest.mark.parametrize(("scenario", "lang", "numbers", "extra"), CASES)
def test_the_wall_shows_every_phase_on_one_screen(
    browsing: Browsing,
    api: httpx.Client,
    server: Server,
    screenshot: Callable[[Page, str], Path],
    scenario: str,
    lang: str,
    numbers: bool,
    extra: tuple[str, ...],
) -> None:
    case = load_scenario_or_raise(SCENARIOS / f"{scenario}.yaml")
    rounds = case.rounds
    # The chair and the extra seats (held by the test), and a bot in every other seat the
    # case needs.
    bots = sum(r.seats.min for r in case.roles) - 1
    total = bots + 1 + len(extra)
    table = Workshop(api, scenario, lang, numbers, extra)
    found: list[str] = []
    page: Page = browsing.page(f"wall-{lang}", viewport=WALL, lang=lang, bypass_csp=True)
    page.goto(f"/table/{table.code}")
    wall = page.locator("#wall")

    # The lobby: the join code large, and who has sat down.
    expect(wall).to_have_attribute("data-phase", "lobby")
    expect(page.locator(".wall-code")).to_have_text(table.code)
    expect(page.locator(".wall-seat")).to_have_count(1 + len(extra))
    _fits_the_screen(page, "the lobby")
    screenshot(page, f"{scenario}-{lang}-{total}-lobby")

    table.control("start")
    seats = page.locator(".wall-seat")
    chair = page.locator(".wall-seat[data-seat='chair']")
    done = page.locator(".wall-seat[data-state='done']")
    chair_name = role_name("chair", lang, scenario)
    for index, rnd in enumerate(rounds):
        phase = rnd.phase
        what = f"round {index + 1} ({phase})"
        expect(page.locator("#round")).to_have_text(
            tr_re(lang, "Round {n} of {count}", n=index + 1, count=len(rounds))
        )
        expect(wall).to_have_attribute("data-phase", phase)
        expect(page.locator("#timer")).to_be_visible()
        expect(page.locator("#timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
        expect(seats).to_have_count(total)
        expect(page.locator("#moves-title")).to_be_visible()
        stage = page.locator("#stage-body")
        if phase == "decide":
            # The chair is the one the table waits for, then the answers come in.
            expect(chair).to_have_attribute("data-state", "working")
            expect(page.locator("#stage-note")).to_have_text(
                tr(lang, "The chair is putting together a package.")
            )
            package = table.propose_leading_package(server.base)
            expect(page.locator(".wall-vote:not([data-vote='none'])")).to_have_count(bots)
            expect(page.locator(".wall-vote")).to_have_count(total)
            expect(page.locator(".wall-ideas-package .wall-idea")).to_have_count(len(package))
            expect(page.locator(".wall-ideas-package .wall-idea").first).to_be_visible()
            expect(page.locator(".wall-tally")).to_have_text(
                tr_re(lang, "{accept} accept · {live} can live with it · {object} object")
            )
            expect(done).to_have_count(bots)
        else:
            # Every bot has done its part; the chair's seat is the one still at it.
            expect(done).to_have_count(bots)
            expect(chair).to_have_attribute("data-state", "working")
            expect(page.locator("#seats-note")).to_have_text(
                tr(lang, "{n} of {total} done", n=bots, total=total)
            )
        if phase == "frame":
            # A pause shows on the clock, large, and goes away on resume.
            table.control("pause")
            expect(page.locator("#timer")).to_contain_text(tr(lang, "Paused"))
            expect(wall).to_have_attribute("data-status", "paused")
            screenshot(page, f"{scenario}-{lang}-{total}-r{index + 1}-paused")
            table.control("resume")
            expect(page.locator("#timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
            expect(page.locator(".wall-framing").first).to_be_visible()
            expect(page.locator("#stage-note")).to_have_text(
                tr(lang, "{n} of {total} have ranked.", n=bots, total=total)
            )
        elif phase in ("ideate", "rank"):
            expect(stage.locator(".wall-idea").first).to_be_visible()
            expect(page.locator("#stage-title")).to_have_text(
                tr_re(lang, "Ideas on the table ({n})")
            )
            if phase == "rank":
                expect(stage.locator(".wall-tag-support").first).to_be_visible()
                # An announcement takes room from the lists, which fit again at once.
                table.announce("Ti minutter til frokost" if lang == "da" else "Lunch in ten")
                expect(page.locator(".banner-announce")).to_be_visible()
                _fits_the_screen(page, f"{what} with an announcement")
                screenshot(page, f"{scenario}-{lang}-{total}-r{index + 1}-announcement")
                page.locator(".banner-announce button").click()
                expect(page.locator(".banner-announce")).to_have_count(0)
        elif phase == "dilemma":
            options = page.locator(".wall-option")
            expect(options.first).to_be_visible()
            assert options.count() >= 2
            for i in range(options.count()):
                expect(options.nth(i)).to_be_visible()
            expect(page.locator("#stage-note")).to_have_text(
                tr(lang, "The {role} decides.", role=chair_name)
            )
            advised = page.locator(".wall-advised").all_inner_texts()
            counts = [int(re.sub(r"\D", "", text)) for text in advised]
            assert sum(counts) == bots, f"the bots' advice is not all shown: {advised}"
        if index > 0:
            _scores_as_set(page, lang, numbers)
        _check(page, what, lang, bots, found)
        screenshot(page, f"{scenario}-{lang}-{total}-r{index + 1}-{phase}")

        if phase == "decide":
            # Still sane on a smaller projector: the same screen, smaller, no scrolling.
            page.set_viewport_size(SMALL_WALL)
            _fits_the_screen(page, f"{what} at 1280×720")
            screenshot(page, f"{scenario}-{lang}-{total}-r{index + 1}-{phase}-1280x720")
            page.set_viewport_size(WALL)
            table.control("end")
        else:
            table.control("advance")

    # The end: the final package, the answers it was given, the scores with numbers.
    expect(wall).to_have_attribute("data-phase", "ended")
    expect(page.locator("#round")).to_contain_text(tr(lang, "Game over"))
    expect(page.locator("#timer")).to_be_hidden()
    expect(page.locator(".wall-ideas-package .wall-idea").first).to_be_visible()
    expect(page.locator(".wall-vote:not([data-vote='none'])")).to_have_count(bots)
    expect(page.locator("#stage-note")).to_have_text(tr(lang, "Adopted: time ran out"))
    expect(page.locator(".wall-score-value")).to_have_count(3)
    _check(page, "the end", lang, bots, found)
    screenshot(page, f"{scenario}-{lang}-{total}-ended")

    # On a phone the same regions stack and the page scrolls, but never sideways.
    page.set_viewport_size(PHONE_PORTRAIT)
    expect(page.locator(".wall-ideas-package .wall-idea").last).to_be_visible()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the wall scrolls sideways on a phone: {width}"
    screenshot(page, f"{scenario}-{lang}-{total}-ended-phone")
    assert not found, "\n".join(found)
