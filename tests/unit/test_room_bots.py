"""The bots a room seats itself: among people they play at a person's pace and volume,
and each thinks for a time of its own before every intent.

Real rooms over an in-memory log; nothing here waits on a clock (think time 0 where the
bots run at all, and the think times themselves are drawn, not slept).
"""

from __future__ import annotations

import random
import statistics

from app.engine.rules import Rules
from app.rooms.room import THINK_SPREAD, Room, SeatRow, TableConfig, think_time
from tests.unit.test_room_removal import MemoryLog
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


def _room(seed: int = 7) -> Room:
    config = TableConfig("t1", "w1", 1, seed, "en", False, True, False)  # bots fill seats
    return Room(config, RULES, MemoryLog(), think_seconds=0.0)


async def test_bots_at_a_table_with_people_play_at_human_pace() -> None:
    room = _room()
    await room.add_seat(SeatRow("chair", "chair", "Mette", False))
    started = await room.control("start")
    try:
        assert started.rejection is None
        bots = {s.id for s in room.seats if s.is_bot}
        assert bots == {"member", "official", "parent", "teacher"}
        assert set(room._bots) == bots
        assert all(bot.human_pace for bot in room._bots.values())
    finally:
        await room.close()


async def test_a_table_of_bots_only_plays_at_bot_pace() -> None:
    room = _room()
    started = await room.control("start")
    try:
        assert started.rejection is None
        assert all(s.is_bot for s in room.seats) and len(room._bots) == 5
        assert not any(bot.human_pace for bot in room._bots.values())
    finally:
        await room.close()


async def test_each_bot_draws_its_think_times_from_a_generator_of_its_own() -> None:
    first, second = _room(seed=7), _room(seed=7)
    for room in (first, second):
        await room.add_seat(SeatRow("chair", "chair", "Mette", False))
        await room.control("start")
        await room.close()
    # The same table and seed give each bot the same think times; bots differ from each other.
    draws = {seat: [think_time(pace, 2.0) for _ in range(5)] for seat, pace in first._paces.items()}
    again = {
        seat: [think_time(pace, 2.0) for _ in range(5)] for seat, pace in second._paces.items()
    }
    assert draws == again
    assert len({tuple(d) for d in draws.values()}) == len(draws)
    # Apart from the bot's decisions: drawing think times leaves its choices as they were.
    assert all(first._paces[s] is not first._bots[s].rng for s in first._bots)


def test_think_times_spread_around_the_configured_time() -> None:
    rng = random.Random("pace")
    draws = [think_time(rng, 2.0) for _ in range(2000)]
    low, high = THINK_SPREAD
    assert all(2.0 * low <= d <= 2.0 * high for d in draws)
    assert abs(statistics.mean(draws) - 2.0) < 0.05  # around the configured time
    assert len(set(draws)) == len(draws)  # a time of its own for every intent
    assert statistics.pstdev(draws) > 0.2


def test_no_think_time_when_the_room_is_told_not_to_wait() -> None:
    rng = random.Random("pace")
    assert [think_time(rng, 0.0) for _ in range(10)] == [0.0] * 10
