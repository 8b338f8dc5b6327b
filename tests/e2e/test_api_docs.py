"""The API documentation pages work with no network: /docs (Swagger UI) and /redoc render
the server's operations from the vendored files in static/vendor/, under their own CSP.

The `browsing` fixture fails a test on any request to another host (a CDN), any uncaught
script error and any CSP violation, so a page that renders here needs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing

Shot = Callable[[Any, str], Path]


def test_swagger_ui_lists_the_operations_offline(browsing: Browsing, screenshot: Shot) -> None:
    page = browsing.page("docs", lang="en")
    response = page.goto("/docs")
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], policy

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Policy Maker")
    create = page.locator(".opblock-post:has(.opblock-summary-path[data-path='/api/workshops'])")
    expect(create).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/healthz")).to_be_visible()

    # The operation opens and shows its request body's schema, drawn from /openapi.json.
    create.locator(".opblock-summary-control").click()
    expect(create.locator(".opblock-body")).to_contain_text("scenario")
    screenshot(page, "swagger-ui")
    assert any(
        u.endswith("/static/vendor/swagger-ui/swagger-ui-bundle.js") for u in _seen(browsing)
    )


def test_redoc_lists_the_operations_offline(browsing: Browsing, screenshot: Shot) -> None:
    page = browsing.page("redoc", lang="en")
    response = page.goto("/redoc")
    assert response is not None and response.ok

    expect(page.get_by_role("heading", name="Create Workshop").first).to_be_visible()
    expect(page.get_by_role("heading", name="Healthz").first).to_be_visible()
    # The search box is Redoc's index, built in its worker: it finds an operation.
    page.get_by_placeholder("Search...").fill("workshop")
    expect(page.locator("[data-role='search:results']").first).to_contain_text("Workshop")
    screenshot(page, "redoc")
    assert any(u.endswith("/static/vendor/redoc/redoc.standalone.js") for u in _seen(browsing))


def _seen(browsing: Browsing) -> list[str]:
    """Every URL the test's browser contexts asked for."""
    return [url for _name, _ctx, traffic in browsing.contexts for url in traffic.seen]
