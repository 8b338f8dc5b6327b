"""The repository: workshops, tables, seats and the event log, as records in and out.

Plain functions over an AsyncEngine, each one transaction. Callers never see a session,
a row or a bare dict.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, delete, func, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.jsontext import dumps
from app.store.codes import clean_join_code, new_join_code, possible_join_code
from app.store.db import sqlite_file
from app.store.errors import NotFound, SeatTaken, SeqConflict
from app.store.records import (
    TABLE_STATUSES,
    CreatedWorkshop,
    NewEvent,
    StoredEvent,
    StoredSeat,
    StoredTable,
    StoredWorkshop,
    TableStatus,
    WorkshopSpec,
)
from app.store.tables import (
    DISPLAY_NAME_MAX,
    EventRecord,
    Feeling,
    GameTable,
    Seat,
    TableNote,
    Workshop,
    utcnow,
)

__all__ = [
    "CreatedWorkshop",
    "NewEvent",
    "StoredEvent",
    "StoredSeat",
    "StoredTable",
    "StoredWorkshop",
    "TableStatus",
    "WorkshopSpec",
    "add_seat",
    "append_events",
    "create_workshop",
    "delete_workshop",
    "feeling_counts",
    "find_client_msg",
    "get_note",
    "get_seat",
    "get_table",
    "get_workshop",
    "last_seq",
    "last_seqs",
    "list_notes",
    "list_seats",
    "list_tables",
    "load_events",
    "ping",
    "purge_older_than",
    "remove_seat",
    "running_tables",
    "seat_by_key",
    "seat_feelings",
    "set_feelings",
    "set_note",
    "set_table_status",
    "table_by_code",
    "update_seat",
    "workshops_created_before",
]

T = TypeVar("T")
R = TypeVar("R")

# A collision among 25**6 (244 million) codes is rare; five in a row means a bug.
JOIN_CODE_ATTEMPTS = 5
# Seeds (and table numbers) fit PostgreSQL's INTEGER.
SEED_LIMIT = 2**31


async def _read(engine: AsyncEngine, work: Callable[[Session], T]) -> T:
    """`work` in one read transaction, given a session.

    On a SQLite file it runs whole in the reader's thread (`SqliteFile.read`): one
    hand-off, where the async driver made several for every query (cursor, execute, fetch,
    close), each waiting for a turn of a busy loop and for the GIL: 0.6 to 0.7 ms of CPU a
    read that way, 0.25 to 0.3 this way (bench/RESULTS.md, "Table turnover").
    """
    file = sqlite_file(engine)
    if file is not None:
        return await file.read(work)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        # sqlmodel's AsyncSession runs its own Session class; SQLAlchemy's types name the base.
        return await session.run_sync(lambda sync: work(cast(Session, sync)))


@asynccontextmanager
async def _write(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on any error."""
    # expire_on_commit=False: rows stay readable after commit, to become records.
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        yield session


async def _run_write(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """`work` in one write transaction, committed unless it raises.

    For the writes made while games run (appends, seats taken, status changes). On a
    SQLite file the transaction runs whole in the writer's thread (`SqliteFile`): it
    holds the file's write lock for microseconds, not across several turns of a busy
    event loop, during which every other writer sleeps and polls.
    """
    file = sqlite_file(engine)
    if file is not None:
        return await file.run(work)
    async with engine.begin() as connection:
        return await connection.run_sync(work)


async def ping(engine: AsyncEngine) -> None:
    """Raises if the database does not answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


# --- workshops and tables -----------------------------------------------------------


async def create_workshop(engine: AsyncEngine, spec: WorkshopSpec) -> CreatedWorkshop:
    """The workshop and its tables (numbered 1..spec.tables, each with a unique join code)."""
    if spec.tables < 1:
        raise ValueError("a workshop needs at least one table")
    if spec.seeds is not None and len(spec.seeds) != spec.tables:
        raise ValueError(f"{len(spec.seeds)} seeds for {spec.tables} tables")
    scenario_hash = hashlib.sha256(spec.scenario_text.encode()).hexdigest()
    if spec.scenario_hash is not None and spec.scenario_hash != scenario_hash:
        raise ValueError("scenario_hash is not the sha256 of scenario_text")
    seeds = spec.seeds or tuple(secrets.randbelow(SEED_LIMIT) for _ in range(spec.tables))
    for attempt in range(JOIN_CODE_ATTEMPTS):
        workshop = Workshop(
            scenario_id=spec.scenario_id,
            scenario_hash=scenario_hash,
            scenario_text=spec.scenario_text,
            language=spec.language,
            show_numbers=spec.show_numbers,
            bots_fill=spec.bots_fill,
            autostart=spec.autostart,
            facilitator_token_hash=spec.facilitator_token_hash,
            title=spec.title,
        )
        rows = [
            GameTable(workshop_id=workshop.id, number=n, join_code=code, seed=seed)
            for n, (code, seed) in enumerate(
                zip(_distinct_codes(spec.tables), seeds, strict=True), start=1
            )
        ]
        try:
            async with _write(engine) as session:
                session.add(workshop)
                # Flush the parent first: the unit of work orders inserts by
                # relationship, and these models declare none.
                await session.flush()
                session.add_all(rows)
        except IntegrityError as exc:
            # Another workshop holds one of the codes: draw them all again rather than
            # check first, which would race with that other writer anyway.
            taken = _unique_violation(exc, "ix_game_table_join_code", "game_table.join_code")
            if taken and attempt + 1 < JOIN_CODE_ATTEMPTS:
                continue
            raise
        return CreatedWorkshop(_workshop(workshop), tuple(_table(r) for r in rows))
    raise AssertionError("unreachable")  # pragma: no cover


async def get_workshop(engine: AsyncEngine, workshop_id: str) -> StoredWorkshop | None:
    return await _read(engine, lambda s: _maybe(_workshop, s.get(Workshop, workshop_id)))


async def list_tables(engine: AsyncEngine, workshop_id: str) -> list[StoredTable]:
    """The workshop's tables by number."""
    query = (
        select(GameTable)
        .where(col(GameTable.workshop_id) == workshop_id)
        .order_by(col(GameTable.number))
    )
    return await _read(engine, lambda s: [_table(r) for r in s.exec(query)])


async def running_tables(engine: AsyncEngine) -> list[StoredTable]:
    """Tables whose game is under way (running or paused): what a restart rebuilds."""
    query = (
        select(GameTable)
        .where(col(GameTable.status).in_(("running", "paused")))
        .order_by(col(GameTable.created_at), col(GameTable.number))
    )
    return await _read(engine, lambda s: [_table(r) for r in s.exec(query)])


async def table_by_code(engine: AsyncEngine, code: str) -> StoredTable | None:
    """The table a join code opens; case, spaces and dashes do not matter."""
    code = clean_join_code(code)
    if not possible_join_code(code):
        # Not looked up: a code no table can have (NUL, say, which PostgreSQL refuses).
        return None
    query = select(GameTable).where(col(GameTable.join_code) == code)
    return await _read(engine, lambda s: _maybe(_table, s.exec(query).first()))


async def get_table(engine: AsyncEngine, table_id: str) -> StoredTable | None:
    return await _read(engine, lambda s: _maybe(_table, s.get(GameTable, table_id)))


async def set_table_status(engine: AsyncEngine, table_id: str, status: TableStatus) -> None:
    """NotFound if there is no such table."""
    if status not in TABLE_STATUSES:
        raise ValueError(f"unknown table status {status!r}")
    # Through the appends' group commit: a status changes with the events that change it
    # (a game starting or ending), and when every table of a workshop starts or ends in
    # the same seconds, one transaction of their own each held up every table's appends.
    await _batcher(engine).append(_StatusChange(table_id, status))


# --- seats ----------------------------------------------------------------------------


async def add_seat(
    engine: AsyncEngine,
    table_id: str,
    seat_key: str,
    role: str,
    display_name: str,
    is_bot: bool = False,
) -> StoredSeat:
    """A new seat; SeatTaken if the table has one with this key, NotFound if no table."""
    name = display_name.strip()
    # Checked here so both backends refuse alike (SQLite ignores VARCHAR lengths).
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(f"display name longer than {DISPLAY_NAME_MAX} characters")
    row = Seat(table_id=table_id, seat_key=seat_key, role=role, display_name=name, is_bot=is_bot)
    file = sqlite_file(engine)
    try:
        if file is None:
            await _run_write(engine, lambda c: c.execute(insert(Seat).values(row.model_dump())))
        else:
            # Plain SQL on the driver's connection, as for events (`_write_batch`): the
            # Core insert and the hand-off to the writer's thread were half of a join.
            stored = row.created_at.strftime(_SQLITE_DATETIME)
            params = (row.id, table_id, seat_key, role, name, int(is_bot), stored)
            await file.write(lambda c: c.execute(_SQLITE_INSERT_SEAT, params))
    except IntegrityError as exc:
        if _unique_violation(exc, "uq_seat_table_id_seat_key", "seat.table_id, seat.seat_key"):
            raise SeatTaken(f"table {table_id} already has seat {seat_key!r}") from exc
        if _foreign_key_violation(exc):
            raise NotFound(f"no table {table_id}") from exc
        raise
    return _seat(row)


async def list_seats(engine: AsyncEngine, table_id: str) -> list[StoredSeat]:
    """The table's seats in the order they were taken."""
    query = (
        select(Seat)
        .where(col(Seat.table_id) == table_id)
        .order_by(col(Seat.created_at), col(Seat.seat_key))
    )
    return await _read(engine, lambda s: [_seat(r) for r in s.exec(query)])


async def get_seat(engine: AsyncEngine, seat_id: str) -> StoredSeat | None:
    return await _read(engine, lambda s: _maybe(_seat, s.get(Seat, seat_id)))


async def seat_by_key(engine: AsyncEngine, table_id: str, seat_key: str) -> StoredSeat | None:
    query = select(Seat).where(col(Seat.table_id) == table_id, col(Seat.seat_key) == seat_key)
    return await _read(engine, lambda s: _maybe(_seat, s.exec(query).first()))


async def update_seat(
    engine: AsyncEngine, table_id: str, seat_key: str, display_name: str, is_bot: bool
) -> None:
    """A seat changed hands (the facilitator's doing): its holder's name, and whether a
    bot plays it. Nothing happens for a seat that is not there."""
    name = display_name.strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(f"display name longer than {DISPLAY_NAME_MAX} characters")
    query = (
        update(Seat)
        .where(col(Seat.table_id) == table_id, col(Seat.seat_key) == seat_key)
        .values(display_name=name, is_bot=is_bot)
    )
    await _run_write(engine, lambda c: c.execute(query))


async def remove_seat(engine: AsyncEngine, table_id: str, seat_key: str) -> None:
    """A lobby seat given up: the key may be taken again."""
    query = delete(Seat).where(col(Seat.table_id) == table_id, col(Seat.seat_key) == seat_key)
    await _run_write(engine, lambda c: c.execute(query))


# --- the event log --------------------------------------------------------------------


async def append_events(
    engine: AsyncEngine, game_id: str, first_seq: int, events: Sequence[NewEvent]
) -> None:
    """Store events at first_seq, first_seq+1, … in one transaction.

    SeqConflict if any of those numbers is taken (another writer got there first: catch
    up and retry); then none of the events is stored. NotFound if there is no such table.
    The caller passes last_seq + 1; sequence numbers start at 1.
    """
    if first_seq < 1:
        raise ValueError("sequence numbers start at 1")
    if not events:
        return
    now = utcnow()
    rows = [
        {
            "game_id": game_id,
            "seq": first_seq + i,
            "type": e.type,
            "payload": dumps(e.payload),
            "seat_key": e.seat_key,
            "client_msg_id": e.client_msg_id,
            "created_at": now,
        }
        for i, e in enumerate(events)
    ]
    await _batcher(engine).append(_Append(game_id, first_seq, rows))


@dataclass(slots=True)
class _Append:
    game_id: str
    first_seq: int
    rows: list[dict[str, Any]]


@dataclass(slots=True)
class _StatusChange:
    table_id: str
    status: str


_Write = _Append | _StatusChange


class _AppendBatcher:
    """Group commit: the appends (and table status changes) that arrive while one
    transaction runs share the next.

    Every room appends on every intent. One transaction each meant a database round trip
    each (on SQLite several thread hand-offs, and writers queueing on the file lock), so
    under load the log, not the game, set the pace. Rows of many rooms now go in one
    INSERT and one commit, and each caller still returns only once its rows are stored.
    If the batch breaks a constraint, each write is retried alone so that only the one
    at fault hears of it (SeqConflict or NotFound), exactly as without batching.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()
        self._queue: list[tuple[_Write, asyncio.Future[None]]] = []
        self._running = False
        self._task: asyncio.Task[None] | None = None  # held: the loop keeps only weak refs

    async def append(self, item: _Write) -> None:
        future: asyncio.Future[None] = self.loop.create_future()
        self._queue.append((item, future))
        if not self._running:
            self._running = True
            self._task = self.loop.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                rows = [r for item, _ in batch if isinstance(item, _Append) for r in item.rows]
                changes = [item for item, _ in batch if isinstance(item, _StatusChange)]
                try:
                    missing = await _write_batch(self.engine, rows, changes)
                except IntegrityError:
                    for item, future in batch:
                        _settle(future, await _write_alone(self.engine, item))
                except Exception as exc:
                    for _, future in batch:
                        _settle(future, exc)
                else:
                    for item, future in batch:
                        if isinstance(item, _StatusChange) and item.table_id in missing:
                            _settle(future, _no_table(item.table_id))
                        else:
                            _settle(future, None)
        finally:
            self._running = False


_BATCHERS: weakref.WeakKeyDictionary[AsyncEngine, _AppendBatcher] = weakref.WeakKeyDictionary()


def _batcher(engine: AsyncEngine) -> _AppendBatcher:
    batcher = _BATCHERS.get(engine)
    # This thread's running loop is the batcher's if it runs here: asking asyncio for the
    # running loop costs a system call (getpid) on every append.
    if batcher is None or batcher.thread != threading.get_ident() or not batcher.loop.is_running():
        batcher = _BATCHERS[engine] = _AppendBatcher(engine)
    return batcher


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # its caller was cancelled; the rows are stored (or not) all the same
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _no_table(table_id: str) -> NotFound:
    return NotFound(f"no table {table_id}")


async def _write_batch(
    engine: AsyncEngine, rows: list[dict[str, Any]], changes: list[_StatusChange]
) -> set[str]:
    """Insert the event rows and make the status changes in one transaction; the tables
    of the status changes that found no such table."""
    file = sqlite_file(engine)
    if file is None:

        def work(c: Connection) -> set[str]:
            if rows:
                c.execute(insert(EventRecord), rows)
            missing = set()
            for change in changes:
                statement = (
                    update(GameTable)
                    .where(col(GameTable.id) == change.table_id)
                    .values(status=change.status)
                )
                if c.execute(statement).rowcount == 0:
                    missing.add(change.table_id)
            return missing

        return await _run_write(engine, work)
    # Plain SQL on the driver's connection, usually on the loop's own thread (see
    # `SqliteFile.write`): a Core insert (compiling, binding, type processing) cost more
    # than SQLite's work. The same rows as SQLAlchemy would store them.
    params = [
        (
            r["game_id"],
            r["seq"],
            r["type"],
            r["payload"],
            r["seat_key"],
            r["client_msg_id"],
            r["created_at"].strftime(_SQLITE_DATETIME),
        )
        for r in rows
    ]

    def plain(c: sqlite3.Connection) -> set[str]:
        if params:
            c.executemany(_SQLITE_INSERT_EVENT, params)
        return {
            change.table_id
            for change in changes
            if c.execute(_SQLITE_SET_STATUS, (change.status, change.table_id)).rowcount == 0
        }

    return await file.write(plain)


_SQLITE_INSERT_EVENT = (
    "INSERT INTO event (game_id, seq, type, payload, seat_key, client_msg_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_SET_STATUS = "UPDATE game_table SET status = ? WHERE id = ?"
_SQLITE_INSERT_SEAT = (
    "INSERT INTO seat (id, table_id, seat_key, role, display_name, is_bot, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DATETIME


async def _write_alone(engine: AsyncEngine, item: _Write) -> Exception | None:
    """One write in its own transaction; the error its caller should see, if any."""
    try:
        if isinstance(item, _StatusChange):
            missing = await _write_batch(engine, [], [item])
            return _no_table(item.table_id) if missing else None
        await _write_batch(engine, item.rows, [])
    except IntegrityError as exc:
        if isinstance(item, _StatusChange):
            return exc
        if _unique_violation(exc, "uq_event_game_seq", "event.game_id, event.seq"):
            return _chained(SeqConflict(item.game_id, item.first_seq), exc)
        if _foreign_key_violation(exc):
            return _chained(_no_table(item.game_id), exc)
        return exc
    except Exception as exc:
        return exc
    return None


def _chained(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


async def load_events(engine: AsyncEngine, game_id: str, after_seq: int = 0) -> list[StoredEvent]:
    """The game's events with seq > after_seq, in order."""
    query = (
        select(EventRecord)
        .where(col(EventRecord.game_id) == game_id, col(EventRecord.seq) > after_seq)
        .order_by(col(EventRecord.seq))
    )
    return await _read(engine, lambda s: [_event(r) for r in s.exec(query)])


async def last_seq(engine: AsyncEngine, game_id: str) -> int:
    """The highest seq stored for the game; 0 if none."""
    query = select(func.max(col(EventRecord.seq))).where(col(EventRecord.game_id) == game_id)
    return await _read(engine, lambda s: s.exec(query).one() or 0)


async def last_seqs(engine: AsyncEngine, game_ids: Sequence[str]) -> dict[str, int]:
    """The highest seq of each game (0 if none), in one query: an instance's poll of its rooms."""
    if not game_ids:
        return {}
    query = (
        select(col(EventRecord.game_id), func.max(col(EventRecord.seq)))
        .where(col(EventRecord.game_id).in_(list(game_ids)))
        .group_by(col(EventRecord.game_id))
    )
    found = await _read(engine, lambda s: {game: seq for game, seq in s.exec(query)})
    return {g: found.get(g) or 0 for g in game_ids}


async def find_client_msg(
    engine: AsyncEngine, game_id: str, seat_key: str, client_msg_id: str
) -> list[StoredEvent] | None:
    """The events an earlier intent with this client message id produced; None if none.

    So a retried intent gets its original answer instead of being applied twice.
    """
    query = (
        select(EventRecord)
        .where(
            col(EventRecord.game_id) == game_id,
            col(EventRecord.seat_key) == seat_key,
            col(EventRecord.client_msg_id) == client_msg_id,
        )
        .order_by(col(EventRecord.seq))
    )
    found = await _read(engine, lambda s: [_event(r) for r in s.exec(query)])
    return found or None


# --- the facilitator's notes ----------------------------------------------------------


async def get_note(engine: AsyncEngine, table_id: str) -> str:
    """The facilitator's notes on a table; empty when none were written."""

    def text(session: Session) -> str:
        row = session.get(TableNote, table_id)
        return row.text if row else ""

    return await _read(engine, text)


async def list_notes(engine: AsyncEngine, table_ids: Sequence[str]) -> dict[str, str]:
    """The notes of these tables, by table id (tables without notes are left out)."""
    query = select(TableNote).where(col(TableNote.table_id).in_(list(table_ids)))
    return await _read(engine, lambda s: {r.table_id: r.text for r in s.exec(query)})


async def set_note(engine: AsyncEngine, table_id: str, text: str) -> None:
    """Replace a table's notes; NotFound if there is no such table."""
    try:
        async with _write(engine) as session:
            row = await session.get(TableNote, table_id)
            if row is None:
                session.add(TableNote(table_id=table_id, text=text))
            else:
                row.text, row.updated_at = text, utcnow()
                session.add(row)
    except IntegrityError as exc:
        if _foreign_key_violation(exc):
            raise _no_table(table_id) from exc
        raise


# --- the debrief's feelings poll ------------------------------------------------------


async def set_feelings(
    engine: AsyncEngine, table_id: str, seat_key: str, feelings: Sequence[str]
) -> None:
    """The words this seat picked, in place of any it picked before; NotFound if there is
    no such table."""
    rows = [{"table_id": table_id, "seat_key": seat_key, "feeling": f} for f in set(feelings)]

    def work(c: Connection) -> None:
        mine = (col(Feeling.table_id) == table_id) & (col(Feeling.seat_key) == seat_key)
        c.execute(delete(Feeling).where(mine))
        if rows:
            c.execute(insert(Feeling), rows)

    try:
        await _run_write(engine, work)
    except IntegrityError as exc:
        if _foreign_key_violation(exc):
            raise _no_table(table_id) from exc
        raise


async def seat_feelings(engine: AsyncEngine, table_id: str, seat_key: str) -> set[str]:
    """The words this seat picked (so a phone shows them again after a reload)."""
    query = select(Feeling.feeling).where(
        col(Feeling.table_id) == table_id, col(Feeling.seat_key) == seat_key
    )
    return await _read(engine, lambda s: set(s.exec(query)))


async def feeling_counts(
    engine: AsyncEngine, table_ids: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Per table, how many seats picked each word (tables and words nobody picked are
    left out): the poll's answers, never who gave them."""
    query = (
        select(col(Feeling.table_id), col(Feeling.feeling), func.count())
        .where(col(Feeling.table_id).in_(list(table_ids)))
        .group_by(col(Feeling.table_id), col(Feeling.feeling))
    )
    counts: dict[str, dict[str, int]] = {}
    for table_id, feeling, n in await _read(engine, lambda s: list(s.exec(query))):
        counts.setdefault(table_id, {})[feeling] = n
    return counts


# --- retention ------------------------------------------------------------------------


async def delete_workshop(engine: AsyncEngine, workshop_id: str) -> bool:
    """Remove the workshop with its tables, seats and events; False if there was none."""
    async with _write(engine) as session:
        return await _delete_workshops(session, [workshop_id]) > 0


async def workshops_created_before(engine: AsyncEngine, cutoff: datetime) -> list[StoredWorkshop]:
    """The workshops created before `cutoff`, oldest first: what a purge would remove."""
    query = (
        select(Workshop)
        .where(col(Workshop.created_at) < cutoff)
        .order_by(col(Workshop.created_at), col(Workshop.id))
    )
    return await _read(engine, lambda s: [_workshop(r) for r in s.exec(query)])


async def purge_older_than(engine: AsyncEngine, days: float, *, now: datetime | None = None) -> int:
    """Remove every workshop created more than `days` ago, with all it holds; how many."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    query = select(Workshop.id).where(col(Workshop.created_at) < cutoff)
    async with _write(engine) as session:
        ids = list(await session.exec(query))
        return await _delete_workshops(session, ids) if ids else 0


async def _delete_workshops(session: AsyncSession, workshop_ids: Sequence[str]) -> int:
    # Children first, explicitly, rather than ON DELETE CASCADE: the same statements
    # then work whether or not the connection enforces foreign keys.
    tables = select(GameTable.id).where(col(GameTable.workshop_id).in_(workshop_ids))
    await session.exec(delete(EventRecord).where(col(EventRecord.game_id).in_(tables)))
    await session.exec(delete(Seat).where(col(Seat.table_id).in_(tables)))
    await session.exec(delete(TableNote).where(col(TableNote.table_id).in_(tables)))
    await session.exec(delete(Feeling).where(col(Feeling.table_id).in_(tables)))
    await session.exec(delete(GameTable).where(col(GameTable.workshop_id).in_(workshop_ids)))
    result = await session.exec(delete(Workshop).where(col(Workshop.id).in_(workshop_ids)))
    return result.rowcount


# --- helpers --------------------------------------------------------------------------


def _distinct_codes(count: int) -> list[str]:
    codes: dict[str, None] = {}  # a set that keeps the order of drawing
    while len(codes) < count:
        codes[new_join_code()] = None
    return list(codes)


def _constraint_name(exc: IntegrityError) -> str | None:
    # asyncpg's error (the cause of the DBAPI adapter's) names the violated constraint.
    cause = exc.orig.__cause__ if exc.orig is not None else None
    return cast(str | None, getattr(cause, "constraint_name", None))


def _unique_violation(exc: IntegrityError, name: str, sqlite_columns: str) -> bool:
    """Whether exc broke the named unique constraint (PostgreSQL) or these columns' (SQLite)."""
    if _constraint_name(exc) == name:
        return True
    return f"UNIQUE constraint failed: {sqlite_columns}" in str(exc.orig)


def _foreign_key_violation(exc: IntegrityError) -> bool:
    name = _constraint_name(exc) or ""
    return name.startswith("fk_") or "FOREIGN KEY constraint failed" in str(exc.orig)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything the store writes is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _maybe(record: Callable[[R], T], row: R | None) -> T | None:
    return record(row) if row is not None else None


def _workshop(row: Workshop) -> StoredWorkshop:
    return StoredWorkshop(
        id=row.id,
        created_at=_utc(row.created_at),
        scenario_id=row.scenario_id,
        scenario_hash=row.scenario_hash,
        scenario_text=row.scenario_text,
        language=row.language,
        show_numbers=row.show_numbers,
        bots_fill=row.bots_fill,
        autostart=row.autostart,
        facilitator_token_hash=row.facilitator_token_hash,
        title=row.title,
    )


def _table(row: GameTable) -> StoredTable:
    return StoredTable(
        id=row.id,
        workshop_id=row.workshop_id,
        number=row.number,
        join_code=row.join_code,
        seed=row.seed,
        status=cast(TableStatus, row.status),
        created_at=_utc(row.created_at),
    )


def _seat(row: Seat) -> StoredSeat:
    return StoredSeat(
        id=row.id,
        table_id=row.table_id,
        seat_key=row.seat_key,
        role=row.role,
        display_name=row.display_name,
        is_bot=row.is_bot,
        created_at=_utc(row.created_at),
    )


def _event(row: EventRecord) -> StoredEvent:
    payload: dict[str, Any] = json.loads(row.payload)
    return StoredEvent(
        seq=row.seq,
        type=row.type,
        payload=payload,
        seat_key=row.seat_key,
        client_msg_id=row.client_msg_id,
        created_at=_utc(row.created_at),
    )
