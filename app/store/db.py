"""Engines and sessions: one async code path over SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

# Settings speak the URLs people know; the app needs their async drivers.
_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def normalize_url(url: str) -> str:
    """The URL with its async driver: postgresql+asyncpg or sqlite+aiosqlite."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    # Only the scheme changes, so user, password and query reach the driver verbatim.
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for the URL, tuned for its backend."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        # pre_ping: a PostgreSQL restart or a dropped idle connection costs one
        # reconnect, not a failed append in the middle of a game.
        return create_async_engine(
            parsed, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True
        )
    database = parsed.database or ""
    in_memory = database in ("", ":memory:")
    kwargs: dict[str, Any] = {}
    if in_memory:
        # Each connection to :memory: is a new empty database; share one.
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(parsed, echo=echo, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (reconnecting clients catching up) run while a room appends;
    # synchronous=NORMAL is durable across application crashes, which is what a
    # laptop in a town hall needs, and much faster than FULL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    # A second writer waits for the first instead of failing with "database is locked";
    # it then sees the committed row and gets a clean unique-constraint error.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


T = TypeVar("T")


class SqliteWriter:
    """Writes to a SQLite file in one hand-off to a thread of its own.

    Through aiosqlite a transaction is several hand-offs between the event loop and the
    driver's thread (cursor, execute, commit, the pool's reset), each waiting for a turn
    of a busy loop and for the GIL; under load that, not SQLite, set the latency of every
    append. Here the whole transaction runs in the thread and the loop wakes once.
    """

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction: committed if it returns, rolled back if it raises."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self.engine.begin() as connection:
            return work(connection)

    def close(self) -> None:
        self.executor.shutdown(wait=False)
        self.engine.dispose()


_WRITERS: weakref.WeakKeyDictionary[AsyncEngine, SqliteWriter] = weakref.WeakKeyDictionary()


def sqlite_writer(engine: AsyncEngine) -> SqliteWriter | None:
    """The engine's one-hand-off writer, for a SQLite file; None for other databases (an
    in-memory database exists only on the engine's own connection)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    writer = _WRITERS.get(engine)
    if writer is None:
        writer = _WRITERS[engine] = SqliteWriter(
            url.set(drivername="sqlite").render_as_string(False)
        )
        weakref.finalize(engine, writer.close)
    return writer


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (they are converted to records)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
