"""A join reads no more than it must: the table of a known workshop is found without a read.

Real RoomManagers on one SQLite file (two of them stand for two instances); the statements
counted are the ones SQLite was given, on every engine the store uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from app.rooms.manager import RoomManager
from app.rooms.schemas import JoinRequest, WorkshopRequest
from app.settings import Settings
from app.store.db import make_engine, sqlite_file
from app.store.migrate import upgrade


class Statements:
    """The SQL run on the async engine and on the file's own engine (reads and writes)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._note)

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()))

    def by_code(self) -> int:
        """Tables looked up by their join code."""
        return sum("FROM game_table WHERE game_table.join_code" in s for s in self.seen)


@pytest.fixture
async def two(sqlite_url: str) -> AsyncIterator[tuple[RoomManager, RoomManager, Statements]]:
    await upgrade(sqlite_url)
    managers, engines = [], []
    statements = Statements()
    for _ in range(2):
        engine = make_engine(sqlite_url)
        file = sqlite_file(engine)
        assert file is not None
        statements.watch(engine.sync_engine)
        statements.watch(file.engine)
        manager = RoomManager(Settings(database_url=sqlite_url, secret_key="k" * 32), engine)
        await manager.start()
        managers.append(manager)
        engines.append(engine)
    yield managers[0], managers[1], statements
    for manager, engine in zip(managers, engines, strict=True):
        await manager.close()
        await engine.dispose()


async def test_joins_at_a_workshop_created_here_read_no_table_by_its_code(
    two: tuple[RoomManager, RoomManager, Statements],
) -> None:
    here, _, statements = two
    created = await here.create_workshop(WorkshopRequest(tables=2), "http://test")
    code = created.tables[1].code
    joined = [
        await here.join(JoinRequest(code=code.lower(), name=name))  # as typed: any case
        for name in ("Ann", "Bo", "Cy")
    ]
    assert statements.by_code() == 0
    room = await here.room(joined[0].table_id)
    assert room.config.number == 2
    assert [s.name for s in room.seats] == ["Ann", "Bo", "Cy"]


async def test_a_workshop_created_elsewhere_is_read_once_then_known(
    two: tuple[RoomManager, RoomManager, Statements],
) -> None:
    here, elsewhere, statements = two
    created = await elsewhere.create_workshop(WorkshopRequest(tables=2), "http://test")
    for table in created.tables:
        for name in ("Ann", "Bo"):
            await here.join(JoinRequest(code=table.code, name=name))
    # The first join read its table by code and remembered the workshop with both tables.
    assert statements.by_code() == 1


async def test_a_known_table_deleted_elsewhere_is_no_table_to_join(
    two: tuple[RoomManager, RoomManager, Statements],
) -> None:
    here, elsewhere, _ = two
    created = await here.create_workshop(WorkshopRequest(tables=1), "http://test")
    await elsewhere.delete_workshop(created.workshop_id)  # `here` was not told
    with pytest.raises(LookupError):
        await here.join(JoinRequest(code=created.tables[0].code, name="Ann"))
    with pytest.raises(LookupError):  # and the facilitator's screen hears the same
        await here.status(created.workshop_id)
