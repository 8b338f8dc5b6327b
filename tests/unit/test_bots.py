"""The bots' seat policy, on the tiny scenario of `tests/unit/tiny.py`."""

from __future__ import annotations

import random

from app.engine import actions as a
from app.engine.bots import TEMPERAMENTS, Bot
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats
from app.engine.state import GameState, MoveRecord
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


def speaks(state: GameState, temperament: str, seeds: int = 300) -> float:
    """The share of fresh bots of this temperament that play an idea now rather than wait."""
    spoke = 0
    for seed in range(seeds):
        bot = Bot(RULES, "member", "member", rng=random.Random(seed))
        bot.temperament = TEMPERAMENTS[temperament]
        action = bot.act(state)
        spoke += isinstance(action, a.PlayIdea | a.BuildOn)
    return spoke / seeds


def given_the_floor(state: GameState) -> GameState:
    """The chair names the member with a (facilitating) targeted move."""
    floor = state.clone()
    floor.moves.append(
        MoveRecord(state.round_index, "chair", "chair", "x", "facilitator", "member")
    )
    return floor


def test_a_quiet_bot_says_less_than_a_dominant_one_and_more_once_given_the_floor() -> None:
    state = do(in_ideate(), a.PlayIdea("member", "member-a"))  # its first idea is out
    quiet, dominant = speaks(state, "quiet"), speaks(state, "dominant")
    assert quiet < dominant
    assert speaks(given_the_floor(state), "quiet") > quiet + 0.2


def test_a_sceptical_bot_objects_where_a_cooperative_one_goes_along() -> None:
    state = in_ideate()
    for seat in ("chair", "member", "official", "parent", "teacher"):
        state = do(state, a.PlayIdea(seat, f"{seat}-a"))
    while state.phase != "decide":
        state = do(state, a.EndPhase("time_up"))
    state = do(state, a.Propose("chair", ("i1",)))  # the chair's own idea alone
    answers: dict[str, list[str]] = {"sceptical": [], "cooperative": []}
    for seed in range(200):
        for name, said in answers.items():
            bot = Bot(RULES, "parent", "parent", rng=random.Random(seed))
            bot.temperament = TEMPERAMENTS[name]
            action = bot.act(state)
            assert isinstance(action, a.Vote)
            said.append(action.choice)
    assert answers["sceptical"].count("object") > answers["cooperative"].count("object")
    assert answers["cooperative"].count("accept") >= answers["sceptical"].count("accept")


def do(state: GameState, action: a.Action) -> GameState:
    result = RULES.apply(state, action)
    assert isinstance(result, Accepted), result
    return result.state
