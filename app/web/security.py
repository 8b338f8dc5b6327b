"""Security headers on every response, and the Origin check for websockets."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script anywhere: every page loads ES modules from this origin only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def docs_csp(script_hashes: list[str], style_hashes: list[str], inline_styles: bool) -> str:
    """The policy of the API documentation pages (/docs, /redoc), and of nothing else.

    Their HTML comes from FastAPI with an inline start-up script (Swagger UI) or an inline
    style (Redoc): each is allowed by its hash, so no other inline script runs. Redoc's
    bundle writes its styles into <style> elements as it renders (`inline_styles`; a
    browser ignores 'unsafe-inline' beside a hash, so the hashes go) and builds its search
    index in a worker made from a blob. These pages hold no game data and take no input;
    the game pages keep `CSP`.
    """
    scripts = " ".join(f"'{h}'" for h in script_hashes)
    styles = "'unsafe-inline'" if inline_styles else " ".join(f"'{h}'" for h in style_hashes)
    return (
        f"default-src 'self'; script-src 'self' {scripts}; style-src 'self' {styles}; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ).replace(" ;", ";")


HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware, so websocket traffic passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
