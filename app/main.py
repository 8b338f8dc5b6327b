"""The application: `create_app()` wires settings, database, rooms and routes."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app.rooms.manager import RoomManager
from app.rooms.schemas import WorkshopRequest
from app.settings import REPO_ROOT, Settings, get_settings
from app.store.db import make_engine
from app.store.migrate import upgrade
from app.web import api, pages, scenario_api, ws
from app.web.limits import BodyLimit
from app.web.rawsend import RawSend
from app.web.security import SecurityHeaders


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        manager = RoomManager(settings, engine)
        await manager.start()
        app.state.manager = manager
        app.state.settings = settings
        if settings.demo:
            await _demo(manager, settings)
        # What start-up made (modules, scenarios, resumed games' catalogs) lives as long
        # as the process: keep it out of every later garbage collection's walk.
        gc.freeze()
        try:
            yield
        finally:
            await manager.close()
            await engine.dispose()

    app = FastAPI(
        title="Policy Maker",
        version="1.0.0",
        summary="A multiplayer learning game for collaborative policy-making",
        lifespan=lifespan,
    )
    # Added first, so it runs inside SecurityHeaders: a 413 carries the headers too.
    app.add_middleware(BodyLimit, max_bytes=scenario_api.MAX_BODY)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Pages, scripts and catalogs go out compressed: a phone on a town hall's busy wifi
    # gets the player screen in a third of the bytes. (HTTP only; websockets pass by.)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Outermost of ours, so it sees the server's own send callable (app/web/rawsend.py).
    app.add_middleware(RawSend)
    app.include_router(api.router)
    app.include_router(scenario_api.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=REPO_ROOT / "static"), name="static")
    return app


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
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    created = await manager.create_workshop(
        WorkshopRequest(scenario="school-committee", tables=1, autostart=True), base
    )
    table = created.tables[0]
    print(
        "\nPolicy Maker is ready.\n"
        f"  Facilitator: {created.facilitator_url}\n"
        f"  Table {table.number}: join code {table.code}  ({table.join_url})\n"
        f"  Bots: .venv/bin/policymaker bots --url {base} --code {table.code} --seats 5\n",
        flush=True,
    )
