"""The API documentation pages' own CSP: it allows their one inline block by its hash and
nothing from another host, while every game page keeps the strict policy.

(That the pages render under it, with no request elsewhere, is tests/e2e/test_api_docs.py.)
"""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from app.web.security import CSP
from tests.integration.server import Server


def directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {policy}")


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize(
    ("path", "bundle"),
    [
        ("/docs", "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/redoc", "/static/vendor/redoc/redoc.standalone.js"),
    ],
)
def test_docs_pages_load_vendored_files_and_allow_only_their_inline_blocks(
    live_server: Server, path: str, bundle: str
) -> None:
    page = httpx.get(f"{live_server.base}{path}")
    assert page.status_code == 200
    assert f'src="{bundle}"' in page.text
    assert "https://" not in page.text and "http://" not in page.text
    policy = page.headers["content-security-policy"]
    scripts = directive(policy, "script-src")
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert scripts == ["'self'", *(sha256(body) for body in inline)]
    assert directive(policy, "connect-src") == ["'self'"]
    assert directive(policy, "frame-ancestors") == ["'none'"]
    assert httpx.get(f"{live_server.base}{bundle}").status_code == 200


def test_swagger_ui_keeps_styles_strict(live_server: Server) -> None:
    policy = httpx.get(f"{live_server.base}/docs").headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy


@pytest.mark.parametrize("path", ["/", "/facilitator", "/play", "/openapi.json"])
def test_every_other_page_keeps_the_strict_policy(live_server: Server, path: str) -> None:
    response = httpx.get(f"{live_server.base}{path}")
    assert response.headers["content-security-policy"] == CSP
