"""The harness itself: the browser runs, pages load in both languages, and a request to
another host is caught (else the flows' "no outside request" check would prove nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.conftest import Browsing


@pytest.mark.parametrize("lang", ["da", "en"])
def test_pages_load_in_each_language(browsing: Browsing, lang: str) -> None:
    page = browsing.page(f"visitor-{lang}", lang=lang)
    page.goto(f"/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    skip_link = "Spring til indholdet" if lang == "da" else "Skip to content"
    expect(page.locator("a.skip")).to_have_text(skip_link)
    catalog: dict[str, Any] = page.evaluate(
        "async (lang) => (await fetch(`/i18n/${lang}.json`)).json()", lang
    )
    assert catalog, f"/i18n/{lang}.json is empty"


def test_requests_to_other_hosts_are_caught(browsing: Browsing) -> None:
    page = browsing.page("curious")
    page.goto("/")
    # The CSP already stops a script's fetch; a navigation is what would really leave.
    with pytest.raises(PlaywrightError):
        page.goto("http://example.invalid/x")
    _name, _ctx, traffic = browsing.contexts[-1]
    assert traffic.foreign == ["http://example.invalid/x"]
    assert any(url.startswith(browsing.server.base) for url in traffic.seen)
    traffic.foreign.clear()  # caught as it should be: do not fail this test for it
