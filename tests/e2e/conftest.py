"""Browser tests: the distribution's headless Chromium, driven by Playwright, against a real
`policymaker serve` process.

Playwright never downloads a browser here: it drives /usr/bin/chromium (`.ci/run`
installs it from Debian when missing). Without it these tests skip, unless CI or
REQUIRE_SERVICES is set, where a missing browser fails the build instead.

Every browser context records where its pages send requests (and websockets): anything
for a host other than the test server is aborted and fails the test. Screenshots go to
test-artifacts/screenshots/; the axe-core helper checks a page for accessibility.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from app.settings import REPO_ROOT
from tests.contract import watch_browser_socket
from tests.integration.server import Server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Generous for a slow CI machine; every wait is on an event, so a pass is never slower.
TIMEOUT_MS = 15_000
PHONE = {"width": 360, "height": 740}
PHONE_390 = {"width": 390, "height": 844}  # the workshop issue's phone (issue 21)
LAPTOP = {"width": 1280, "height": 800}
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}
BLOCKING_IMPACTS = ("serious", "critical")


expect.set_options(timeout=TIMEOUT_MS)


def _required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> None:
    if _required():
        pytest.fail(f"{reason} (CI or REQUIRE_SERVICES is set, so this is a failure)")
    pytest.skip(reason)


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module; each test opens its own contexts.

    Not per session: the sync API keeps its event loop running in this thread while
    open, and the async tests that run after these need the thread to themselves.
    """
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


# --- the server -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real `policymaker serve` on a free port with its own SQLite file; bots think fast."""
    running = Server(
        tmp_path_factory.mktemp("e2e-server"), env={"BOT_THINK_SECONDS": "0.2"}
    ).start()
    yield running
    running.stop()


# --- contexts that stay on the server -------------------------------------------------------


@dataclass
class Traffic:
    """What a browser context asked for, and what it should not have."""

    allowed: str  # scheme-less host:port of the server
    seen: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    # Websocket frames that break docs/asyncapi.yaml (tests/contract.py).
    contract: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or parts.netloc == self.allowed

    def note(self, url: str) -> None:
        self.seen.append(url)
        if not self.is_local(url):
            self.foreign.append(url)


@dataclass
class Browsing:
    """The contexts a test opened, each with its traffic; checked and closed after the test."""

    browser: Any
    server: Server
    artifacts: Path
    contexts: list[tuple[str, Any, Traffic]] = field(default_factory=list)

    def context(
        self,
        name: str,
        viewport: dict[str, int] | None = None,
        lang: str = "da",
        bypass_csp: bool = False,
        **options: Any,
    ) -> Any:
        """A fresh context (its own cookies and storage: one person's device)."""
        allowed = urlsplit(self.server.base).netloc
        traffic = Traffic(allowed)
        phone = viewport in (PHONE, PHONE_390)
        ctx = self.browser.new_context(
            base_url=self.server.base,
            viewport=viewport or LAPTOP,
            locale="da-DK" if lang == "da" else "en-GB",
            is_mobile=phone,
            has_touch=phone,
            bypass_csp=bypass_csp,
            service_workers="block",
            **options,
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.on("request", lambda request: traffic.note(request.url))
        # Never let a request leave: abort it (and it is already on the foreign list).
        ctx.route(lambda url: not traffic.is_local(url), lambda route: route.abort())
        ctx.on("page", lambda page: self._watch(page, traffic))
        self.contexts.append((name, ctx, traffic))
        return ctx

    def page(self, name: str, **options: Any) -> Any:
        """A new page in a new context."""
        return self.context(name, **options).new_page()

    @staticmethod
    def _watch(page: Any, traffic: Traffic) -> None:
        def websocket(ws: Any) -> None:
            traffic.note(ws.url)
            watch_browser_socket(ws, page.url, traffic.contract)

        page.on("websocket", websocket)
        page.on("pageerror", lambda error: traffic.page_errors.append(f"{page.url}: {error}"))

        def console(message: Any) -> None:
            text = f"{message.type}: {message.text}"
            traffic.console.append(f"{page.url}: {text}")
            if "Content Security Policy" in message.text:
                traffic.csp_violations.append(f"{page.url}: {message.text}")

        page.on("console", console)

    def problems(self) -> list[str]:
        found: list[str] = []
        for name, _ctx, traffic in self.contexts:
            found += [f"[{name}] request to another host: {url}" for url in traffic.foreign]
            found += [f"[{name}] uncaught error: {e}" for e in traffic.page_errors]
            found += [f"[{name}] CSP violation: {v}" for v in traffic.csp_violations]
            found += [f"[{name}] websocket frame: {p}" for p in traffic.contract]
        return found

    def close(self) -> None:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        log = {
            name: {"requests": traffic.seen, "console": traffic.console}
            for name, _ctx, traffic in self.contexts
        }
        (self.artifacts / "browser-log.json").write_text(json.dumps(log, indent=1))
        for _name, ctx, _traffic in self.contexts:
            ctx.close()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@contextmanager
def browsing_on(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """Contexts on `server` for one test; after it, any request to another host, uncaught
    script error, CSP violation or websocket frame that breaks docs/asyncapi.yaml in any
    of them fails the test."""
    opened = Browsing(browser, server, ARTIFACTS / "browser" / _slug(request.node.name))
    try:
        yield opened
        problems = opened.problems()
        assert not problems, "the browser misbehaved:\n" + "\n".join(problems)
    finally:
        opened.close()


@pytest.fixture
def browsing(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    """Open contexts with `browsing.context(...)` on the session's server."""
    with browsing_on(browser, server, request) as opened:
        yield opened


# --- the trainer's API ----------------------------------------------------------------------


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    """HTTP to the session's server, for what a test sets up without a browser."""
    with httpx.Client(base_url=server.base, timeout=30) as client:
        yield client


def control(api: httpx.Client, created: dict[str, Any], command: str) -> None:
    """The facilitator's control command for every table of a workshop `api` created;
    each table must have carried it out."""
    response = api.post(
        f"/api/workshops/{created['workshop_id']}/control",
        json={"command": command},
        headers={"Authorization": f"Bearer {created['facilitator_token']}"},
    )
    assert response.status_code == 200, response.text
    assert all(r["ok"] for r in response.json()), response.text


# --- screenshots ----------------------------------------------------------------------------


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """`screenshot(page, "join")` saves test-artifacts/screenshots/<test>/<NN>-join.png: the
    whole page, or with `full_page=False` the viewport only (a whole-page capture resizes
    the viewport for a moment, which closes a code editor's open completion list)."""
    folder = SCREENSHOTS / _slug(request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = 0

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        nonlocal count
        count += 1
        path = folder / f"{count:02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


# --- accessibility --------------------------------------------------------------------------


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """axe-core's violations of the given impacts on the page as it is now.

    The pages' CSP forbids inline script, so the page must come from a context opened
    with `bypass_csp=True` for the script tag to run.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    # axe's default rule set: WCAG 2.0-2.2 A/AA and best practices, not the experimental rules.
    results: dict[str, Any] = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found serious or critical problems on {what}:\n" + (
        describe_violations(violations)
    )
