"""Databases for integration tests: a SQLite file per test, and PostgreSQL when configured.

PostgreSQL comes from TEST_DATABASE_URL. Without it (or when it is unreachable) its
tests skip, unless REQUIRE_SERVICES=1, as in CI, where they fail instead: a missing
service must never turn a red build green.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import MetaData, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.store.db import make_engine
from tests.integration.server import Server


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _drop_everything(connection: Connection) -> None:
    existing = MetaData()
    existing.reflect(connection)
    existing.drop_all(connection)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """TEST_DATABASE_URL, emptied of every table so each test starts from nothing."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        _missing("TEST_DATABASE_URL is not set")
        raise AssertionError("unreachable")
    engine = make_engine(url)
    try:
        try:
            connection = await engine.connect()
        except (OSError, DBAPIError) as exc:
            _missing(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
            raise
        # Only reaching the server is optional: a failure after that is a real failure.
        try:
            async with connection.begin():
                await connection.run_sync(_drop_everything)
        finally:
            await connection.close()
    finally:
        await engine.dispose()
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    # A subdirectory that does not exist yet: the engine must create it.
    return f"sqlite:///{tmp_path / 'data' / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each backend in turn, so both must behave alike."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A store of the module's own, each backend in turn, for a server the module keeps:
    a new SQLite file, or a new database on TEST_DATABASE_URL's server (dropped after), so
    the tests that empty the shared database meanwhile do not touch it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        _missing("TEST_DATABASE_URL is not set")
        raise AssertionError("unreachable")
    name = f"policymaker_{secrets.token_hex(6)}"
    try:
        asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        _missing(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(url, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


# --- a real game server ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `policymaker serve` process for the session; each test makes its own workshop."""
    server = Server(tmp_path_factory.mktemp("server")).start()
    yield server
    server.stop()


@pytest.fixture
def new_server(tmp_path: Path) -> Iterator[Callable[[], Server]]:
    """Servers of this test's own (to kill and restart); all stopped at the end."""
    started: list[Server] = []

    def start() -> Server:
        server = Server(tmp_path / f"server-{len(started) + 1}")
        server.workdir.mkdir()
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
async def http(live_server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base, timeout=30) as client:
        yield client
