"""Lobby work waits its turn behind play (app/web/playfirst.py).

A loop turn is counted by a callback that schedules itself again with `call_soon`: it
runs once in every turn of the event loop, as the gate's own bookkeeping does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.web.playfirst import PER_TURN, PlayFirst, Turns


class TurnCounter:
    """The number of the event loop's current turn."""

    def __init__(self) -> None:
        self.turn = 0
        self._running = True
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.turn += 1
        if self._running:
            asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> None:
        self._running = False


async def test_at_most_per_turn_begin_in_one_turn_first_come_first_served() -> None:
    turns = Turns(per_turn=2)
    counter = TurnCounter()
    begun: list[tuple[int, int]] = []  # (request, turn it began in)

    async def request(n: int) -> None:
        await turns.begin()
        begun.append((n, counter.turn))

    await asyncio.gather(*(request(n) for n in range(9)))
    counter.stop()
    assert [n for n, _ in begun] == list(range(9)), "in the order they came"
    per_turn: dict[int, int] = {}
    for _, turn in begun:
        per_turn[turn] = per_turn.get(turn, 0) + 1
    assert max(per_turn.values()) == 2
    assert len(per_turn) == 5, "nine requests, two a turn: five turns"


async def test_with_nobody_waiting_a_request_begins_at_once() -> None:
    turns = Turns(per_turn=2)
    counter = TurnCounter()
    before = counter.turn
    await turns.begin()
    assert counter.turn == before, "no turn went by"
    assert turns.waiting == 0
    counter.stop()


async def test_a_move_in_the_same_turn_as_a_burst_is_not_held_back() -> None:
    """Twenty requests come in one turn with a move: the move runs before most of them."""
    turns = Turns(per_turn=2)
    order: list[str] = []

    async def request(n: int) -> None:
        await turns.begin()
        order.append(f"request {n}")

    async def move() -> None:
        order.append("move")

    tasks = [asyncio.create_task(request(n)) for n in range(20)]
    tasks.append(asyncio.create_task(move()))
    await asyncio.gather(*tasks)
    assert order.index("move") <= 2, order


async def test_a_request_that_leaves_while_waiting_leaves_the_line() -> None:
    turns = Turns(per_turn=1)
    begun: list[int] = []

    async def request(n: int) -> None:
        await turns.begin()
        begun.append(n)

    first = asyncio.create_task(request(0))
    gone = asyncio.create_task(request(1))
    last = asyncio.create_task(request(2))
    await asyncio.sleep(0)  # all three have asked; the first went in at once
    assert begun == [0] and turns.waiting == 2
    gone.cancel()
    await asyncio.gather(first, last)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert begun == [0, 2]
    assert turns.waiting == 0


def test_a_new_event_loop_starts_afresh() -> None:
    """A loop closed with a turn still to come (an app served again, a test client's loop)
    must not leave the next loop's requests waiting for it."""
    turns = Turns(per_turn=2)

    async def two() -> None:
        await turns.begin()
        await turns.begin()  # the turn is full; its end is scheduled for the next one
        asyncio.get_running_loop().stop()  # and the loop stops after this turn

    first = asyncio.new_event_loop()
    first.run_until_complete(two())
    first.close()

    async def one_more() -> None:
        await asyncio.wait_for(turns.begin(), 5)

    asyncio.run(one_more())


def test_a_gate_lets_someone_through() -> None:
    with pytest.raises(ValueError):
        Turns(per_turn=0)
    assert PER_TURN >= 1


async def test_the_middleware_gates_http_and_lets_websockets_pass() -> None:
    turns = Turns(per_turn=1)
    reached: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    middleware = PlayFirst(app, turns)
    counter = TurnCounter()

    async def call(kind: str) -> int:
        await middleware({"type": kind}, None, None)
        return counter.turn

    http_turns = await asyncio.gather(*(call("http") for _ in range(3)))
    assert len(set(http_turns)) == 3, "one HTTP request a turn"
    socket_turns = await asyncio.gather(*(call("websocket") for _ in range(3)))
    assert len(set(socket_turns)) == 1, "websockets take their turn in the session"
    counter.stop()
    assert reached == ["http"] * 3 + ["websocket"] * 3
