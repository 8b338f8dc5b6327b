"""An instance lets go of ended rooms nobody uses, and loads them again, the same, when asked.

A real RoomManager on a SQLite store; only the retention's clock is the test's, so that
"two minutes later" needs no waiting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.rooms.manager import RoomManager
from app.rooms.retention import KEPT_SECONDS, Retention
from app.rooms.schemas import ControlRequest, WorkshopRequest
from app.settings import Settings
from app.store.db import make_engine
from app.store.migrate import upgrade


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def manager(sqlite_url: str) -> AsyncIterator[RoomManager]:
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    rooms = RoomManager(Settings(database_url=sqlite_url, secret_key="k" * 32), engine)
    await rooms.start()
    yield rooms
    await rooms.close()
    await engine.dispose()


async def _two_tables_one_ended(rooms: RoomManager) -> tuple[str, str, str]:
    """A workshop of two tables; table 1's game played from start to its end."""
    created = await rooms.create_workshop(
        WorkshopRequest(scenario="school-committee", tables=2, bots=True), "http://test"
    )
    wid = created.workshop_id
    for command in ("start", "end"):
        [result] = await rooms.control(wid, ControlRequest(command=command, table=1))
        assert result.ok, result
    first, second = (t.id for t in (await rooms._workshop(wid)).tables)
    return wid, first, second


async def test_an_ended_room_nobody_asks_for_is_let_go_and_comes_back_the_same(
    manager: RoomManager,
) -> None:
    clock = Clock()
    manager._retention = Retention(clock=clock)
    _, ended, other = await _two_tables_one_ended(manager)
    room = await manager.room(ended)
    assert room.state is not None and room.state.status == "ended"
    digest, seq = room.digest(), room.seq
    # Both tables are loaded; table 2 is not (nobody asked for it since it was made), so
    # it is dropped from memory here only to make the next `room` call a load.
    manager._rooms.pop(other, None)

    clock.now += KEPT_SECONDS + 1
    await manager.room(other)  # a load: the moment ended rooms are looked at
    assert ended not in manager._rooms

    again = await manager.room(ended)
    assert again is not room
    assert (again.digest(), again.seq) == (digest, seq)


async def test_an_ended_room_asked_for_recently_stays(manager: RoomManager) -> None:
    clock = Clock()
    manager._retention = Retention(clock=clock)
    _, ended, other = await _two_tables_one_ended(manager)
    room = await manager.room(ended)
    manager._rooms.pop(other, None)

    clock.now += KEPT_SECONDS - 1
    await manager.room(ended)  # the console's poll, say
    clock.now += 2
    await manager.room(other)
    assert manager._rooms.get(ended) is room


async def test_a_running_room_is_never_let_go(manager: RoomManager) -> None:
    clock = Clock()
    manager._retention = Retention(clock=clock)
    created = await manager.create_workshop(
        WorkshopRequest(scenario="school-committee", tables=2, bots=True), "http://test"
    )
    [result] = await manager.control(created.workshop_id, ControlRequest(command="start", table=1))
    assert result.ok
    running, other = (t.id for t in (await manager._workshop(created.workshop_id)).tables)
    room = await manager.room(running)
    manager._rooms.pop(other, None)

    clock.now += 10 * KEPT_SECONDS
    await manager.room(other)
    assert manager._rooms.get(running) is room
