"""The bots' seat policy, on the tiny scenario of `tests/unit/tiny.py`."""

from __future__ import annotations

import random

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats
from app.engine.state import GameState
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())


def in_ideate() -> GameState:
    state = RULES.start(default_seats(RULES.scenario), 3).state
    while state.phase != "ideate":
        result = RULES.apply(state, a.EndPhase("time_up"))
        assert isinstance(result, Accepted)
        state = result.state
    return state


def test_a_bot_that_has_passed_waits_for_the_next_phase() -> None:
    state = in_ideate()
    bot = Bot(RULES, "member", "member", rng=random.Random(1))
    result = RULES.apply(state, a.Pass("member"))
    assert isinstance(result, Accepted)
    # Passing again would only add an event: the seat is done until the phase ends.
    assert bot.act(result.state) is None


def test_every_intent_of_a_bot_is_one_the_rules_accept() -> None:
    state = in_ideate()
    for seed in range(20):
        for seat in default_seats(RULES.scenario):
            action = Bot(RULES, seat.id, seat.role, rng=random.Random(seed)).act(state)
            assert action is not None
            assert RULES.check(state, action) is None
