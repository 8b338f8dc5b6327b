"""The join sheet and the console as a trainer sees them when only this computer can open
the server (the browser tests' server listens on 127.0.0.1): a visible warning in the
page's language, and cards whose links name the address the server gave the sheet.

The other case, a server on every interface giving out its network address, is in
tests/integration/test_lan_address.py: a browser here may only talk to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import Browsing

Shot = Callable[[Any, str], Path]


def test_the_sheet_and_console_warn_that_phones_cannot_open_the_links(
    browsing: Browsing, screenshot: Shot
) -> None:
    base = browsing.server.base
    created = httpx.post(
        f"{base}/api/workshops",
        json={"scenario": "school-committee", "language": "da", "tables": 2},
        timeout=30,
    ).json()
    workshop, token = created["workshop_id"], created["facilitator_token"]
    page = browsing.page("trainer", lang="da")

    page.goto(f"/facilitator/{workshop}/sheet#token={token}")
    warning = page.locator("#reach-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Telefonerne kan ikke åbne disse links")
    for table in created["tables"]:
        expect(page.locator(".sheet-url", has_text=table["code"])).to_have_text(
            f"{base}/join/{table['code']}"
        )
    screenshot(page, "sheet-with-warning")

    page.goto(f"/facilitator/{workshop}?lang=en")
    expect(page.locator("#reach-warning")).to_contain_text("Phones cannot open these links")
    expect(page.locator("#fac-console")).to_be_visible()
    screenshot(page, "console-with-warning")
