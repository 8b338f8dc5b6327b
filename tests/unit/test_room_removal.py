"""A room whose workshop is deleted stops, tells its clients why and closes their sockets.

Whether it hears so from its own instance (`retire` + `dismiss`) or finds out itself when
the log refuses an append because the table's rows are gone (the deletion happened on
another instance and its notice was lost). Real rooms and connections; the socket is a
recorder of what would go over the wire.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from app.engine.actions import AddFraming
from app.engine.rules import Rules
from app.engine.simulate import default_seats
from app.rooms.connection import GONE, Connection
from app.rooms.log import Gone, LogRecord, NewRecord
from app.rooms.room import GONE_MESSAGE, PROTOCOL_VERSION, REMOVED, Room, SeatRow, TableConfig
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


class MemoryLog:
    """The event log as a list; `gone` makes appends fail as for a deleted table."""

    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self.gone = False

    async def append(self, game_id: str, first_seq: int, records: Sequence[NewRecord]) -> None:
        if self.gone:
            raise Gone(f"no table {game_id}")
        for i, r in enumerate(records):
            self.records.append(LogRecord(first_seq + i, r.type, r.payload, r.seat, r.cmid))

    async def load(self, game_id: str, after_seq: int = 0) -> list[LogRecord]:
        return [r for r in self.records if r.seq > after_seq]

    async def find(self, game_id: str, seat: str, cmid: str) -> list[LogRecord]:
        return []


class Socket:
    """What a websocket was sent, and how it was closed."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


async def started_room(lang: str = "en") -> tuple[Room, MemoryLog, Socket, Connection]:
    log = MemoryLog()
    config = TableConfig("t1", "w1", 1, 7, "en", False, False, False)
    seats = [SeatRow(s.id, s.role, s.id.title(), False) for s in default_seats(RULES.scenario)]
    room = Room(config, RULES, log, seats=seats)
    assert (await room.control("start")).rejection is None
    socket = Socket()
    conn = Connection(seats[0].id, socket.send, socket.close, 64, lang)
    conn.start()
    room.attach(conn)
    return room, log, socket, conn


async def test_a_retired_room_refuses_intents_and_dismisses_its_clients() -> None:
    room, log, socket, conn = await started_room(lang="da")
    seat = room.seats[0].id
    before = len(log.records)

    await room.retire()
    refused = await room.submit(seat, AddFraming(seat, "Too late"), "c1")
    control = await room.control("advance")
    await room.dismiss(GONE_MESSAGE)

    assert refused.rejection is not None and refused.rejection.code == REMOVED
    assert control.rejection is not None and control.rejection.code == REMOVED
    assert len(log.records) == before
    assert socket.sent[-1] == {
        "v": PROTOCOL_VERSION,
        "type": "error",
        "code": REMOVED,
        "message": "workshoplederen har slettet denne workshop",  # the client's language
        "cmid": None,
    }
    # The close reason is for logs and tools: English.
    assert socket.closed == (GONE, "this workshop has been deleted by its facilitator")
    assert conn.closed


async def test_a_room_that_finds_its_table_gone_stops_and_dismisses_its_clients() -> None:
    room, log, socket, _conn = await started_room()
    seat = room.seats[0].id
    log.gone = True

    refused = await room.submit(seat, AddFraming(seat, "Into the void"), "c1")

    assert refused.rejection is not None and refused.rejection.code == REMOVED
    assert room.removed
    assert room._dismissal is not None
    await room._dismissal
    assert socket.sent[-1]["code"] == REMOVED
    assert socket.closed is not None and socket.closed[0] == GONE
    again = await room.submit(seat, AddFraming(seat, "Again"), "c2")
    assert again.rejection is not None and again.rejection.code == REMOVED
