"""A room whose seats change hands mid-game: the old holder's connection is closed and
refused, a bot starts or stops playing the seat, a late joiner takes a freed seat.

Real rooms over an in-memory log (tests/unit/test_room_removal.py) and real connections
over a recording socket; bots think for no time at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.engine.actions import Pass
from app.engine.rules import Rejected, Rules
from app.engine.simulate import default_seats
from app.rooms.connection import Connection
from app.rooms.room import REPLACED, REPLACED_CLOSE, SEAT_RECORD, Room, SeatRow, TableConfig
from tests.unit.test_room_removal import MemoryLog, Socket
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


async def room_of_people() -> tuple[Room, MemoryLog]:
    log = MemoryLog()
    config = TableConfig("t1", "w1", 1, 7, "en", False, False, False)
    seats = [SeatRow(s.id, s.role, s.id.title(), False) for s in default_seats(RULES.scenario)]
    room = Room(config, RULES, log, seats=seats, think_seconds=0.0)
    assert (await room.control("start")).rejection is None
    return room, log


def connect(room: Room, seat: str) -> tuple[Connection, Socket]:
    socket = Socket()
    conn = Connection(seat, socket.send, socket.close, 64, "en")
    conn.start()
    room.attach(conn)
    return conn, socket


async def until(test: Callable[[], bool]) -> None:
    """Let the room's tasks run until `test` holds (the bots and closings are tasks)."""
    async with asyncio.timeout(5):
        while not test():
            await asyncio.sleep(0)


def ranked_or_passed(room: Room, seat: str) -> bool:
    state = room.state
    return state is not None and (seat in state.framing_rankings or seat in state.done)


async def test_a_seat_given_to_a_bot_closes_its_holder_and_the_bot_plays_it() -> None:
    room, log = await room_of_people()
    conn, socket = connect(room, "parent")
    try:
        outcome = await room.give_seat("parent", "bot")

        assert outcome.rejection is None
        assert log.records[-1].type == SEAT_RECORD
        assert log.records[-1].payload == {"seat": "parent", "action": "bot", "epoch": 1}
        seat = room.seat("parent")
        assert seat is not None and seat.is_bot and seat.epoch == 1
        await until(lambda: socket.closed is not None)
        assert socket.closed is not None and socket.closed[0] == REPLACED_CLOSE
        assert socket.sent[-1]["code"] == REPLACED
        refused = await room.submit("parent", Pass("parent"), "late", origin=conn)
        assert refused.rejection is not None and refused.rejection.code == REPLACED
        # The bot acts for the seat in the framing phase.
        await until(lambda: ranked_or_passed(room, "parent"))
    finally:
        await room.close()


async def test_a_freed_bot_seat_stops_its_bot_and_a_late_joiner_takes_it() -> None:
    room, _log = await room_of_people()
    try:
        assert (await room.give_seat("teacher", "bot")).rejection is None
        assert "teacher" in room._bots
        assert (await room.give_seat("teacher", "free")).rejection is None

        assert "teacher" not in room._bots
        seat = room.seat("teacher")
        assert seat is not None and seat.vacant and not seat.is_bot and seat.epoch == 2
        assert room.free_roles() == ["teacher"]
        assert [s.connected for s in room.seat_infos() if s.id == "teacher"] == [False]

        taken = await room.take_seat(None, "Tove")

        assert isinstance(taken, SeatRow) and taken.id == "teacher" and taken.name == "Tove"
        assert not taken.vacant and taken.epoch == 2
        assert room.free_roles() == []
        again = await room.take_seat("teacher", "Third")
        assert isinstance(again, Rejected)
    finally:
        await room.close()


async def test_refusals_change_nothing() -> None:
    room, log = await room_of_people()
    try:
        assert (await room.give_seat("parent", "bot")).rejection is None
        before = list(log.records)
        for seat, action, code in [
            ("parent", "bot", "already_bot"),
            ("nobody", "bot", "unknown_seat"),
            ("chair", "kick", "invalid"),
        ]:
            outcome = await room.give_seat(seat, action)
            assert outcome.rejection is not None and outcome.rejection.code == code
        assert (await room.give_seat("chair", "free")).rejection is None
        assert (await room.give_seat("chair", "free")).rejection.code == "already_free"  # type: ignore[union-attr]
        assert [r for r in log.records if r.type == SEAT_RECORD] == [
            *[r for r in before if r.type == SEAT_RECORD],
            log.records[-1],
        ]
    finally:
        await room.close()


async def test_a_rebuilt_room_folds_the_seat_changes_of_its_log() -> None:
    room, log = await room_of_people()
    await room.give_seat("parent", "free")
    await room.take_seat("parent", "Pia")
    await room.give_seat("official", "bot")
    await room.close()
    seats = [SeatRow(s.id, s.role, s.id.title(), False) for s in default_seats(RULES.scenario)]
    config = TableConfig("t1", "w1", 1, 7, "en", False, False, False)
    again = Room(config, RULES, log, seats=seats, think_seconds=0.0)
    await again.load()
    try:
        parent, official = again.seat("parent"), again.seat("official")
        assert parent is not None and parent.name == "Pia" and parent.epoch == 1
        assert official is not None and official.is_bot and official.epoch == 1
    finally:
        await again.close()


async def test_a_seat_freed_while_another_instance_ran_the_bots_gets_no_bot_back() -> None:
    room, _log = await room_of_people()
    try:
        assert (await room.give_seat("parent", "bot")).rejection is None
        assert "parent" in room._bots
        room.set_leader(False)  # another instance holds the table's clock and bots
        assert (await room.give_seat("parent", "free")).rejection is None

        room.set_leader(True)

        assert "parent" not in room._bots
        assert (await room.give_seat("official", "bot")).rejection is None
        assert set(room._bots) == {"official"}
    finally:
        await room.close()


async def test_a_seat_left_free_offers_nothing_once_the_game_has_ended() -> None:
    room, _log = await room_of_people()
    try:
        assert (await room.give_seat("teacher", "free")).rejection is None
        assert room.free_roles() == ["teacher"]
        assert (await room.control("end")).rejection is None

        assert room.free_roles() == []
        taken = await room.take_seat("teacher", "Too late")
        assert isinstance(taken, Rejected) and taken.code == "game_over"
    finally:
        await room.close()
