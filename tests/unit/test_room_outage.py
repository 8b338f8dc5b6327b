"""A room whose log is out of reach (its database restarting) answers `unavailable`, and
the same intent sent again once the log is back is applied exactly once: also when the
append that failed was stored all the same (the answer to its commit was lost).

Real rooms over a log kept in a list, which can be made to fail before storing or after.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from app.engine.actions import AddFraming
from app.engine.rules import Rules
from app.engine.simulate import default_seats
from app.rooms import room as room_module
from app.rooms.log import LogRecord, NewRecord, Unavailable
from app.rooms.room import UNAVAILABLE, Room, SeatRow, TableConfig
from app.store.db import is_outage
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


class FlakyLog:
    """The event log as a list; `down` fails every call, `lose_answer` stores one append
    and then fails as a connection dropped during its commit would."""

    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self.down = False
        self.lose_answer = False
        self.appended = asyncio.Event()
        self.refused = asyncio.Event()

    async def append(self, game_id: str, first_seq: int, records: Sequence[NewRecord]) -> None:
        if self.down:
            self.refused.set()
            raise Unavailable("the database is restarting")
        if self.records and self.records[-1].seq >= first_seq:
            raise AssertionError("append at a taken seq: the room did not read the log first")
        for i, r in enumerate(records):
            self.records.append(LogRecord(first_seq + i, r.type, r.payload, r.seat, r.cmid))
        self.appended.set()
        if self.lose_answer:
            self.lose_answer, self.down = False, True
            raise Unavailable("the connection dropped during the commit")

    async def load(self, game_id: str, after_seq: int = 0) -> list[LogRecord]:
        if self.down:
            raise Unavailable("the database is restarting")
        return [r for r in self.records if r.seq > after_seq]

    async def find(self, game_id: str, seat: str, cmid: str) -> list[LogRecord]:
        return [r for r in self.records if r.seat == seat and r.cmid == cmid]


async def started_room(clock: Callable[[], float] = time.time) -> tuple[Room, FlakyLog]:
    log = FlakyLog()
    config = TableConfig("t1", "w1", 1, 7, "en", False, False, False)
    seats = [SeatRow(s.id, s.role, s.id.title(), False) for s in default_seats(RULES.scenario)]
    room = Room(config, RULES, log, seats=seats, clock=clock)
    assert (await room.control("start")).rejection is None
    return room, log


def cmids(log: FlakyLog, cmid: str) -> list[int]:
    return [r.seq for r in log.records if r.cmid == cmid]


@pytest.mark.parametrize("stored", [False, True], ids=["not-stored", "stored-answer-lost"])
async def test_an_intent_during_an_outage_is_refused_and_applied_once_when_sent_again(
    stored: bool,
) -> None:
    room, log = await started_room()
    seat = room.seats[0].id
    before = room.seq
    log.down, log.lose_answer = not stored, stored

    refused = await room.submit(seat, AddFraming(seat, "Safer roads"), "c1")

    assert refused.rejection is not None and refused.rejection.code == UNAVAILABLE
    assert room.seq == before  # nothing folded the room cannot vouch for
    assert len(cmids(log, "c1")) == (1 if stored else 0)
    # Still down: the same answer, and nothing stored twice.
    again = await room.submit(seat, AddFraming(seat, "Safer roads"), "c1")
    assert again.rejection is not None and again.rejection.code == UNAVAILABLE

    log.down = False
    retried = await room.submit(seat, AddFraming(seat, "Safer roads"), "c1")

    assert retried.rejection is None
    assert retried.duplicate is stored
    assert len(cmids(log, "c1")) == 1
    assert room.seq == log.records[-1].seq
    assert [r.seq for r in log.records] == list(range(1, len(log.records) + 1))


async def test_a_timer_that_runs_out_during_an_outage_fires_when_the_log_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(room_module, "RETRY_AFTER", 0.01)
    # The round's deadline is set at the start (the first reading); every later reading
    # is far past it, so the timer runs out at once.
    readings = itertools.chain([1000.0], itertools.repeat(10_000_000.0))
    room, log = await started_room(lambda: next(readings))
    log.down = True  # before the timer's callback has had a turn of the loop
    log.appended.clear()

    await asyncio.wait_for(log.refused.wait(), 10)  # it fired into the outage
    assert not [r for r in log.records if r.type == "phase_ended"]
    log.down = False
    await asyncio.wait_for(log.appended.wait(), 10)  # and fired again once the log was back

    ended = [r for r in log.records if r.type == "phase_ended"]
    assert len(ended) == 1 and ended[0].payload["reason"] == "time_up"
    assert [r.seq for r in log.records] == list(range(1, len(log.records) + 1))
    await room.close()


def test_outages_are_told_from_refusals() -> None:
    import asyncpg

    assert is_outage(ConnectionRefusedError(111, "refused"))
    assert is_outage(OperationalError("SELECT 1", {}, Exception("server closed")))
    starting = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    assert is_outage(starting)
    assert is_outage(asyncpg.exceptions.AdminShutdownError("terminating connection"))
    wrapped = Exception("wrapper")
    wrapped.__cause__ = asyncpg.exceptions.ConnectionDoesNotExistError("connection lost")
    assert is_outage(wrapped)
    # A refusal is not an outage: asking again would not help.
    assert not is_outage(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_outage(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not is_outage(ValueError("bad"))
