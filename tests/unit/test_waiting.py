"""Who the table is waiting for, phase by phase, on the tiny scenario (tests/unit/tiny.py).

Seats: chair, member, official, parent, teacher (seat id = role id); rounds frame → ideate
(2 ideas each) → dilemma (the chair chooses) → rank → decide.
"""

from __future__ import annotations

from app.engine import actions as a
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats
from app.engine.state import GameState
from app.engine.waiting import waiting_for
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())
ALL = ["chair", "member", "official", "parent", "teacher"]
NEXT = a.EndPhase("advance")


def start() -> GameState:
    return RULES.start(default_seats(RULES.scenario), 7).state


def do(state: GameState, *actions: a.Action) -> GameState:
    for action in actions:
        result = RULES.apply(state, action)
        assert isinstance(result, Accepted), f"{action} was refused: {result}"
        state = result.state
    return state


def test_at_the_start_of_framing_everyone_owes_a_ranking() -> None:
    assert waiting_for(RULES, start()) == ALL


def test_a_ranking_or_a_pass_settles_a_seat_in_framing() -> None:
    state = do(start(), a.RankFramings("member", ("f0",)), a.Pass("parent"))
    assert waiting_for(RULES, state) == ["chair", "official", "teacher"]


def test_in_ideation_a_seat_owes_ideas_up_to_the_quota_unless_it_passed() -> None:
    state = do(start(), NEXT)
    assert state.phase == "ideate"
    state = do(state, a.PlayIdea("chair", "chair-a"))
    assert "chair" in waiting_for(RULES, state)  # one of two ideas
    state = do(state, a.PlayIdea("chair", "chair-b"), a.Pass("member"))
    assert waiting_for(RULES, state) == ["official", "parent", "teacher"]


def test_a_dilemma_waits_for_the_role_that_chooses_not_for_advice() -> None:
    state = do(start(), NEXT, NEXT)
    assert state.phase == "dilemma"
    assert waiting_for(RULES, state) == ["chair"]
    state = do(state, a.Advise("parent", "meet"))
    assert waiting_for(RULES, state) == ["chair"]


def test_ranking_ideas_is_owed_by_whoever_has_not_ranked_or_passed() -> None:
    state = do(start(), NEXT, a.PlayIdea("parent", "parent-a"), NEXT, NEXT)
    assert state.phase == "rank"
    idea = state.live_ideas()[0]
    state = do(state, a.RankIdeas("chair", (idea,)), a.Pass("teacher"))
    assert waiting_for(RULES, state) == ["member", "official", "parent"]


def test_deciding_waits_for_the_chair_then_the_answers_then_the_chair_again() -> None:
    state = do(start(), NEXT, a.PlayIdea("parent", "parent-a"), NEXT, NEXT, NEXT)
    assert state.phase == "decide"
    assert waiting_for(RULES, state) == ["chair"]  # no proposal yet
    idea = state.live_ideas()[0]
    state = do(state, a.Propose("chair", (idea,)), a.Vote("member", "object"))
    assert waiting_for(RULES, state) == ["chair", "official", "parent", "teacher"]
    state = do(
        state,
        a.Vote("chair", "accept"),
        a.Vote("official", "accept"),
        a.Vote("parent", "accept"),
        a.Vote("teacher", "accept"),
    )
    # An objection stands: adopting or revising is the chair's.
    assert state.adopted_how is None
    assert waiting_for(RULES, state) == ["chair"]
    state = do(state, a.Adopt("chair"))
    assert waiting_for(RULES, state) == []


def test_nobody_is_owed_anything_once_the_game_has_ended() -> None:
    state = start()
    while state.status != "ended":
        state = do(state, NEXT)
    assert waiting_for(RULES, state) == []
