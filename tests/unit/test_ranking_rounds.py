"""A case may ask the committee to rank twice: a second frame or rank round asks every
seat again (the rankings of the first stay until a seat ranks anew), and the round ends
only when all have answered it, for the rules, the console's "waiting for", the bots and
the table's screens alike."""

from __future__ import annotations

import random
from typing import Any

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.rules import Rules
from app.engine.state import GameState
from app.engine.waiting import waiting_for
from app.rooms.views import TimerView, public_view
from tests.unit.test_rules import SEAT_IDS, SEATS, do, start, to_phase, variant


def public(rules: Rules, state: GameState) -> dict[str, Any]:
    view: dict[str, Any] = public_view(
        rules, state, [], TimerView("running", None, None), False, "en"
    )
    return view


def asked_again(phase: str) -> Rules:
    """The tiny rules with a second round of `phase` right after the first."""

    def change(data: dict[str, Any]) -> None:
        rounds = data["rounds"]
        at = next(i for i, r in enumerate(rounds) if r["phase"] == phase)
        rounds.insert(at + 1, {**rounds[at], "id": f"{phase}-again"})

    return variant(change)


def test_a_second_frame_round_waits_for_every_seat_again() -> None:
    rules = asked_again("frame")
    state = start(rules)
    for seat in SEAT_IDS:
        state = do(state, a.RankFramings(seat, ("f0", "f1", "f2")), rules=rules)
    assert (state.phase, state.round_index) == ("frame", 1)
    assert waiting_for(rules, state) == SEAT_IDS
    assert public(rules, state)["ranked_framings"] == []
    # One seat changes its mind: the round goes on, and the new ranking is the one counted.
    state = do(state, a.RankFramings("chair", ("f2", "f1", "f0")), rules=rules)
    assert (state.phase, state.round_index) == ("frame", 1)
    assert waiting_for(rules, state) == [s for s in SEAT_IDS if s != "chair"]
    assert public(rules, state)["ranked_framings"] == ["chair"]
    assert state.framing_rankings["chair"] == ("f2", "f1", "f0")
    for seat in SEAT_IDS[1:]:
        state = do(state, a.RankFramings(seat, ("f2", "f0", "f1")), rules=rules)
    assert state.phase == "ideate"
    assert state.framing == "f2"


def test_a_second_rank_round_waits_for_every_seat_again() -> None:
    rules = asked_again("rank")
    state = to_phase(start(rules), "ideate", rules=rules)
    for seat in SEAT_IDS:
        state = do(state, a.PlayIdea(seat, f"{seat}-a"), rules=rules)
    state = to_phase(state, "rank", rules=rules)
    first = state.round_index
    for seat in SEAT_IDS:
        state = do(state, a.RankIdeas(seat, ("i1",) if seat != "chair" else ("i2",)), rules=rules)
    assert (state.phase, state.round_index) == ("rank", first + 1)
    assert waiting_for(rules, state) == SEAT_IDS
    assert public(rules, state)["ranked_ideas"] == []
    state = do(state, a.RankIdeas("member", ("i3",)), rules=rules)
    assert (state.phase, state.round_index) == ("rank", first + 1)
    assert state.idea_rankings["member"] == ("i3",)
    # Bots rank again in the second round too, and the round ends when all have.
    bots = [Bot(rules, s.id, s.role, rng=random.Random(3)) for s in SEATS if s.id != "member"]
    ranked = set()
    for _ in range(20):  # bounded: a bot that never ranked would leave the round open
        for bot in bots:
            action = bot.act(state)
            if action is not None and state.phase == "rank":
                ranked.update([action.seat] if isinstance(action, a.RankIdeas) else [])
                state = do(state, action, rules=rules)
    assert ranked == set(SEAT_IDS) - {"member"}
    assert state.phase == "decide"
