"""The HTTP API's documentation pages, /docs (Swagger UI) and /redoc, from vendored files.

FastAPI's own pages load Swagger UI and Redoc from a CDN, which a town hall without
internet cannot reach and the server's CSP blocks anyway. These use the copies in
static/vendor/ (see its README) and a policy of their own (security.docs_csp).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from app.web.security import docs_csp

router = APIRouter(include_in_schema=False)

VENDOR = "/static/vendor"
ICON = "/static/img/icon.svg"
TITLE = "Policy Maker API"
OPENAPI = "/openapi.json"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _hashes(pattern: re.Pattern[str], html: str) -> list[str]:
    """CSP source expressions ('sha256-…') of the inline blocks `pattern` finds in `html`."""
    return [
        "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        for body in pattern.findall(html)
    ]


@dataclass(frozen=True)
class Page:
    html: str
    policy: str

    @classmethod
    def of(cls, made: HTMLResponse, inline_styles: bool = False) -> Page:
        """The page as FastAPI made it, with a CSP that allows exactly its own inline blocks."""
        html = bytes(made.body).decode()
        scripts, styles = _hashes(_INLINE_SCRIPT, html), _hashes(_INLINE_STYLE, html)
        return cls(html, docs_csp(scripts, styles, inline_styles))

    def response(self) -> HTMLResponse:
        # SecurityHeaders leaves a policy the response already has in place.
        return HTMLResponse(self.html, headers={"Content-Security-Policy": self.policy})


# The pages never change while the server runs: made once.
SWAGGER = Page.of(
    get_swagger_ui_html(
        openapi_url=OPENAPI,
        title=TITLE,
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=ICON,
        # Swagger UI would otherwise send the document to an online validator.
        swagger_ui_parameters={"validatorUrl": None},
    )
)
REDOC = Page.of(
    get_redoc_html(
        openapi_url=OPENAPI,
        title=TITLE,
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=ICON,
        with_google_fonts=False,
    ),
    inline_styles=True,
)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    return SWAGGER.response()


@router.get("/redoc", response_class=HTMLResponse)
async def redoc() -> HTMLResponse:
    return REDOC.response()
