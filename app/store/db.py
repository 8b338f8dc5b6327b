"""Engines and sessions: one async code path over SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
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


# How long a request waits to connect to PostgreSQL before the database counts as down
# (asyncpg's own default is a minute: a client would wait that long for its answer).
CONNECT_SECONDS = 5.0
# SQLSTATE classes that mean "the server went away or cannot take us now", not "no":
# 08 connection exception, 53 insufficient resources (too many connections), 57 operator
# intervention (shutting down, starting up, terminated by the administrator).
_OUTAGE_SQLSTATES = ("08", "53", "57")


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for the URL, tuned for its backend."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        # pre_ping: a PostgreSQL restart or a dropped idle connection costs one
        # reconnect, not a failed append in the middle of a game.
        return create_async_engine(
            parsed,
            echo=echo,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            connect_args={"timeout": CONNECT_SECONDS},
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


def is_outage(exc: BaseException) -> bool:
    """Whether an error means the database is out of reach (stopped, restarting, the
    connection dropped), as opposed to refusing what was asked: the request may succeed
    if it is made again later, unchanged."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):  # noqa: SIM102
        # Not merged into one condition: IntegrityError is a "no", whatever else it says.
        if exc.connection_invalidated or isinstance(exc, (InterfaceError, OperationalError)):
            return True
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(state, str) and state.startswith(_OUTAGE_SQLSTATES):
            return True
        if type(cause).__name__ in ("ConnectionDoesNotExistError", "InterfaceError"):
            return True  # asyncpg's "connection is closed", before SQLAlchemy wraps it
        cause = getattr(cause, "orig", None) or cause.__cause__
    return False


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
log = logging.getLogger("policymaker.store")


class SqliteFile:
    """Reads and writes a SQLite file without the async driver's hand-offs.

    Through aiosqlite a transaction is several hand-offs between the event loop and the
    driver's thread (cursor, execute, commit, the pool's reset), each waiting for a turn
    of a busy loop and for the GIL; under load that, not SQLite, set the latency of every
    append. `run` runs a whole transaction in a thread of its own: the loop wakes once.
    `read` does the same for a read, in a thread of its own, so that a read never
    waits behind a write that waits for the file's lock.

    `write` goes further for the appends' group commit: a transaction of plain SQL on
    the loop's own thread takes SQLite some 50 us, less than waking a thread costs, and
    a hand-off per commit was a sixth of the server's CPU under load. It must never make
    the loop wait, so it takes the file's write lock only if it is free at once, and
    otherwise hands the same work to the thread, which waits for it. The one slow part
    of a write, the checkpoint that copies the write-ahead log into the database file
    and syncs it, is never done there: a checkpointer thread does it (`checkpoint`).
    """

    # How often the checkpointer copies the write-ahead log back and restarts it: under
    # full load the log grows by some 7 MB a second.
    CHECKPOINT_SECONDS = 1.0

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self.reader = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        self.path = make_url(url).database or ""
        self._direct: sqlite3.Connection | None = None
        self._stopping = threading.Event()  # ends the checkpointer thread (`close`)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction: committed if it returns, rolled back if it raises."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self.engine.begin() as connection:
            return work(connection)

    async def read(self, work: Callable[[Session], T]) -> T:
        """`work` on a session of its own, in one hand-off to the reader's thread."""
        return await asyncio.get_running_loop().run_in_executor(self.reader, self._read, work)

    def _read(self, work: Callable[[Session], T]) -> T:
        with Session(self.engine) as session:
            return work(session)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on a driver connection in one transaction, committed if it returns.

        On the loop's thread if the write lock is free, else in the writer's thread.
        A constraint it breaks is raised as SQLAlchemy's IntegrityError, as from `run`.
        """
        direct = self._direct_connection()
        try:
            # IMMEDIATE takes the write lock now or fails at once (busy_timeout is 0
            # here): held by the writer's thread or by a checkpoint restarting the log.
            direct.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return await self.run(lambda c: _wrapped(work, _driver(c)))
        try:
            result = _wrapped(work, direct)
        except BaseException:
            direct.execute("ROLLBACK")
            raise
        direct.execute("COMMIT")
        return result

    def _direct_connection(self) -> sqlite3.Connection:
        if self._direct is None:
            # isolation_level=None: the transaction is ours (BEGIN and COMMIT above).
            direct = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            _sqlite_pragmas(direct, None)
            direct.execute("PRAGMA busy_timeout=0")
            # No checkpoint inside a commit on the loop's thread: the checkpointer's job.
            direct.execute("PRAGMA wal_autocheckpoint=0")
            self._direct = direct
            threading.Thread(
                target=self._checkpoints, name="sqlite-checkpointer", daemon=True
            ).start()
        return self._direct

    def _checkpoints(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout=10000")
            while not self._stopping.wait(self.CHECKPOINT_SECONDS):
                try:
                    self.checkpoint(connection)
                except sqlite3.Error as exc:  # the next pass tries again
                    log.warning("checkpoint failed", extra={"error": str(exc)})
        finally:
            connection.close()

    @staticmethod
    def checkpoint(connection: sqlite3.Connection) -> None:
        """Copy the write-ahead log into the database file and have the next write start
        it afresh.

        A passive checkpoint alone never lets the log restart while appends keep coming
        (some always arrive while it syncs), so it would grow without end. The passive
        pass copies the bulk beside the writers; the restart then blocks writers only
        for the last few frames and the sync, and the loop's writes go to the writer's
        thread meanwhile.
        """
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        connection.execute("PRAGMA wal_checkpoint(RESTART)")

    def close(self) -> None:
        self._stopping.set()
        self.executor.shutdown(wait=False)
        self.reader.shutdown(wait=False)
        if self._direct is not None:
            self._direct.close()
        self.engine.dispose()


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection), driver
    return driver


def _wrapped(work: Callable[[sqlite3.Connection], T], connection: sqlite3.Connection) -> T:
    """`work`, its driver's constraint errors raised as SQLAlchemy's, which callers know."""
    try:
        return work(connection)
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(None, None, exc) from exc


_FILES: weakref.WeakKeyDictionary[AsyncEngine, SqliteFile] = weakref.WeakKeyDictionary()


def sqlite_file(engine: AsyncEngine) -> SqliteFile | None:
    """The engine's one-hand-off reader and writer, for a SQLite file; None for other
    databases (an in-memory database exists only on the engine's own connection)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    file = _FILES.get(engine)
    if file is None:
        file = _FILES[engine] = SqliteFile(url.set(drivername="sqlite").render_as_string(False))
        weakref.finalize(engine, file.close)
    return file


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (they are converted to records)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
