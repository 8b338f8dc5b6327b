"""The event log on the database: the room's EventLog protocol over `app.store.repo`.

A database out of reach is `Unavailable` to the room, whichever driver error said so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from app.rooms.log import Conflict, Gone, LogRecord, NewRecord, Unavailable
from app.store import repo
from app.store.db import is_outage
from app.store.errors import NotFound, SeqConflict
from app.store.records import NewEvent, StoredEvent


def _record(event: StoredEvent) -> LogRecord:
    return LogRecord(
        event.seq,
        event.type,
        event.payload,
        event.seat_key,
        event.client_msg_id,
        event.created_at.timestamp(),
    )


@asynccontextmanager
async def reachable() -> AsyncIterator[None]:
    """Turns a database outage, whatever the driver called it, into `Unavailable`."""
    try:
        yield
    except Exception as exc:
        if is_outage(exc):
            raise Unavailable(f"the database cannot be reached: {exc}") from exc
        raise


class StoreLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def append(self, game_id: str, first_seq: int, records: Sequence[NewRecord]) -> None:
        events = [NewEvent(r.type, r.payload, r.seat, r.cmid) for r in records]
        try:
            async with reachable():
                await repo.append_events(self.engine, game_id, first_seq, events)
        except SeqConflict as exc:
            raise Conflict(str(exc)) from exc
        except NotFound as exc:
            raise Gone(str(exc)) from exc

    async def load(self, game_id: str, after_seq: int = 0) -> list[LogRecord]:
        async with reachable():
            return [_record(e) for e in await repo.load_events(self.engine, game_id, after_seq)]

    async def find(self, game_id: str, seat: str, cmid: str) -> list[LogRecord]:
        async with reachable():
            found = await repo.find_client_msg(self.engine, game_id, seat, cmid)
        return [_record(e) for e in found or []]
