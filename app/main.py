"""The application: `create_app()` wires settings, database, rooms and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.rooms.manager import RoomManager
from app.rooms.schemas import WorkshopRequest
from app.settings import REPO_ROOT, Settings, get_settings
from app.store.db import make_engine
from app.store.migrate import upgrade
from app.web import api, pages, scenario_api, ws
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
    app.add_middleware(SecurityHeaders)
    app.include_router(api.router)
    app.include_router(scenario_api.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=REPO_ROOT / "static"), name="static")
    return app


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
