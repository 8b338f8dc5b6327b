"""The application: `create_app()` wires settings, database, rooms and routes."""

from __future__ import annotations

import gc
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import segno
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app.bundled import STATIC
from app.looplag import LoopLag
from app.rooms.manager import RoomManager, WorkshopGone
from app.rooms.schemas import WorkshopRequest
from app.settings import Settings, get_settings
from app.store.db import make_engine
from app.store.migrate import upgrade
from app.web import api, api_docs, balance_worker, outage, pages, scenario_api, ws
from app.web.address import Reach, lan_address, listens_everywhere, reach
from app.web.limits import BodyLimit, attempts
from app.web.playfirst import PlayFirst, Turns
from app.web.rawsend import RawSend
from app.web.security import SecurityHeaders


def create_app(settings: Settings | None = None, announce: bool = False) -> FastAPI:
    """The app; `announce` (the `serve` command) prints where phones reach it at start."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        manager = RoomManager(settings, engine)
        await manager.start()
        app.state.manager = manager
        app.state.settings = settings
        app.state.wrong_codes = attempts(
            settings.redis_url, "wrong-codes", api.WRONG_CODE_LIMIT, api.WRONG_CODE_SECONDS
        )
        if settings.demo:
            await _demo(manager, settings)
        elif announce:
            print(reach_banner(settings, server_reach(settings)), flush=True)
        # What start-up made (modules, scenarios, resumed games' catalogs) lives as long
        # as the process: keep it out of every later garbage collection's walk.
        gc.freeze()
        lag = LoopLag.from_setting(settings.loop_lag_ms)
        try:
            yield
        finally:
            if lag is not None:
                await lag.stop()
            await app.state.wrong_codes.close()
            balance_worker.REPORTS.close()
            await manager.close()
            await engine.dispose()

    app = FastAPI(
        title="Policy Maker",
        version="1.0.0",
        summary="A multiplayer learning game for collaborative policy-making",
        lifespan=lifespan,
        responses=outage.RESPONSES,
        # Served from vendored files instead (app/web/api_docs.py): FastAPI's load a CDN.
        docs_url=None,
        redoc_url=None,
    )
    # Added first, so it runs inside SecurityHeaders: a 413 carries the headers too.
    app.add_middleware(BodyLimit, max_bytes=scenario_api.MAX_BODY)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for kind in outage.HANDLED:
        app.add_exception_handler(kind, outage.database_unavailable)
    app.add_exception_handler(WorkshopGone, _workshop_gone)
    # Pages, scripts and catalogs go out compressed: a phone on a town hall's busy wifi
    # gets the player screen in a third of the bytes. (HTTP only; websockets pass by.)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Outermost of ours, so it sees the server's own send callable (app/web/rawsend.py).
    app.add_middleware(RawSend)
    # Outside even that: a request waits for its turn before any of our work on it.
    app.state.turns = Turns()
    app.add_middleware(PlayFirst, turns=app.state.turns)
    app.include_router(api.router)
    app.include_router(scenario_api.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.include_router(api_docs.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _workshop_gone(request: Request, exc: Exception) -> JSONResponse:
    """404, as for any workshop the server does not have, for every facilitator request."""
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with where and what, never the value sent.

    FastAPI's own answer repeats each refused value (`input`): a megabyte-long scenario
    upload or name would come straight back, and a value should not be echoed anyway.
    """
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": [_located(e) for e in exc.errors()]})


def _located(error: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"]}
    # Context that is plain data (a bound, a pattern, a scenario's located errors); an
    # exception object in it says nothing `msg` does not.
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if _plain(v)}
    if ctx:
        entry["ctx"] = ctx
    return entry


def _plain(value: Any) -> bool:
    if isinstance(value, str | int | float | bool) or value is None:
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


async def _demo(manager: RoomManager, settings: Settings) -> None:
    """A ready workshop for `make run`: one table that starts when its seats are taken."""
    where = server_reach(settings)
    created = await manager.create_workshop(
        WorkshopRequest(scenario="school-committee", tables=1, autostart=True), where.base
    )
    table = created.tables[0]
    print(
        "\nPolicy Maker is ready.\n"
        f"  Facilitator: {created.facilitator_url}\n"
        f"  Table {table.number}: join code {table.code}  ({table.join_url})\n"
        f"  Bots: .venv/bin/policymaker bots --url {where.base} --code {table.code} --seats 5\n",
        flush=True,
    )
    print(reach_banner(settings, where, table.join_url), flush=True)


def server_reach(settings: Settings) -> Reach:
    """Where the links this server prints point, as a request to it from this machine sees it."""
    host = "127.0.0.1" if listens_everywhere(settings.host) else settings.host
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return reach(
        settings.public_url, settings.host, f"http://{host}:{settings.port}", lan_address()
    )


def reach_banner(settings: Settings, where: Reach, join_url: str | None = None) -> str:
    """What the terminal says about who can open the server: the address and its QR code
    for phones, or a warning when only this computer can."""
    if where.local_only:
        if settings.public_url:
            why = "PUBLIC_URL names this computer only."
            fix = "Set PUBLIC_URL to an address the phones can open."
        elif listens_everywhere(settings.host):
            why = "This computer has no network address (no wifi or cable connected)."
            fix = "Connect it to the same network as the phones, then start the server again."
        else:
            why = f"The server listens on {settings.host} only."
            fix = (
                "Start it with `make run` or `policymaker serve --host 0.0.0.0` to use this "
                "computer's network, or set PUBLIC_URL."
            )
        return (
            f"WARNING: phones cannot open {where.base}: only this computer can.\n  {why}\n  {fix}\n"
        )
    target = join_url or where.base
    lines = f"Phones on the same network as this computer open {where.base}"
    lines += " (or scan this code to join the table):" if join_url else " (or scan this code):"
    return f"{lines}\n{terminal_qr(target)}"


def terminal_qr(text: str) -> str:
    """`text` as a QR code in Unicode half blocks, two rows of modules a line.

    The same encoder as the join sheet's /qr/{code}.svg (segno): light modules are drawn,
    so on a terminal's dark background the code reads dark-on-light as printed ones do.
    """
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()
