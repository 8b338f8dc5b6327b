"""The debrief's "what if": a finished table's game replayed by bots from a chosen round."""

from __future__ import annotations

import json
import pickle
from functools import cache

import pytest

from app.engine import actions as a
from app.engine.events import Event, event_to_dict
from app.engine.rules import Rules
from app.engine.simulate import default_seats, play_game
from app.engine.state import GameState, state_digest
from app.engine.whatif import (
    AS_PLAYED,
    Cast,
    NotReplayable,
    fold_to_round,
    game_seed,
    observed_cast,
    observed_temperament,
    replay_game,
    what_if,
)
from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT

SCHOOL = Rules(
    load_scenario_or_raise(REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml")
)


@cache
def _game(seed: int, style: str = "mixed") -> tuple[GameState, tuple[Event, ...]]:
    record = play_game(SCHOOL, seed, chair_style=style, keep_events=True)
    return record.state, tuple(record.events)


def _bots_cast(state: GameState, chair_style: str = "mixed") -> list[Cast]:
    """The cast `play_game` seated: every seat a bot, the chair leaning to `chair_style`."""
    chair = SCHOOL.catalog.chair
    return [
        Cast(s.id, s.role, style=chair_style if s.role == chair else "mixed") for s in state.seats
    ]


@pytest.mark.parametrize(("seed", "style"), [(1, "mixed"), (2, "facilitator"), (5, "sovereign")])
def test_replaying_the_whole_game_as_played_with_its_seed_is_the_game(
    seed: int, style: str
) -> None:
    final, events = _game(seed, style)
    start = fold_to_round(SCHOOL, events, 1)
    replayed = replay_game(SCHOOL, start, _bots_cast(final, style), game_seed(final.seed, 0))
    assert state_digest(replayed) == state_digest(final)
    # And the what-if's one game says the same scores.
    once = what_if(SCHOOL, events, _bots_cast(final, style), 1, AS_PLAYED, 1, "en")
    assert {k: v.p50 for k, v in once.scores.items()} == {
        k: round(v or 0.0, 1) for k, v in final.history[-1].scores.items()
    }


def test_the_spread_is_the_same_for_the_same_table_and_differs_with_the_style() -> None:
    final, events = _game(3)
    cast = _bots_cast(final)
    first = what_if(SCHOOL, events, cast, 2, "catalyst", 20, "da")
    again = what_if(SCHOOL, events, cast, 2, "catalyst", 20, "da")
    assert first == again
    other = what_if(SCHOOL, events, cast, 2, "sovereign", 20, "da")
    assert other.scores != first.scores


def test_folding_and_replaying_never_change_the_stored_log() -> None:
    final, events = _game(4)
    before = json.dumps([event_to_dict(ev) for ev in events], sort_keys=True)
    for number in (1, 3, 8):
        start = fold_to_round(SCHOOL, events, number)
        assert start.round_index == number - 1
        assert len(start.history) == number - 1
        what_if(SCHOOL, events, _bots_cast(final), number, "facilitator", 5, "en")
    assert json.dumps([event_to_dict(ev) for ev in events], sort_keys=True) == before
    assert state_digest(SCHOOL.replay(events)) == state_digest(final)


def test_rounds_before_the_chosen_one_are_the_tables_own() -> None:
    final, events = _game(6)
    result = what_if(SCHOOL, events, _bots_cast(final), 4, "sovereign", 10, "en")
    start = fold_to_round(SCHOOL, events, 4)
    assert [h.scores for h in start.history] == [h.scores for h in final.history[:3]]
    assert len(result.bands) == len(SCHOOL.catalog.rounds) - 3
    assert result.bands[-1] == result.scores


def test_from_round_3_a_facilitating_chair_ends_with_more_ownership_than_a_sovereign_one() -> None:
    final, events = _game(1)
    cast = _bots_cast(final)
    facilitator = what_if(SCHOOL, events, cast, 3, "facilitator", 50, "en")
    sovereign = what_if(SCHOOL, events, cast, 3, "sovereign", 50, "en")
    assert facilitator.scores["ownership"].p50 > sovereign.scores["ownership"].p50
    # Each result says how often each seated role's goal was met, and what was adopted.
    assert set(facilitator.goals) == set(final.goals)
    assert all(0.0 <= share <= 1.0 for share in facilitator.goals.values())
    assert facilitator.package and 0 < facilitator.package_share <= 1
    shares = list(facilitator.ideas.values())
    assert shares == sorted(shares, reverse=True) and len(shares) <= 8
    assert all(
        facilitator.ideas.get(t, 1) >= facilitator.package_share for t in facilitator.package
    )


def test_what_cannot_be_replayed_is_refused_with_the_reason() -> None:
    final, events = _game(2)
    cast = _bots_cast(final)
    with pytest.raises(NotReplayable, match="round must be between 1 and 8"):
        what_if(SCHOOL, events, cast, 9, AS_PLAYED, 5, "en")
    with pytest.raises(NotReplayable, match="style must be one of"):
        what_if(SCHOOL, events, cast, 2, "benevolent", 5, "en")
    with pytest.raises(NotReplayable, match="games must be between"):
        what_if(SCHOOL, events, cast, 2, AS_PLAYED, 0, "en")
    running = SCHOOL.start(default_seats(SCHOOL.scenario), seed=2)
    with pytest.raises(NotReplayable, match="has not ended"):
        what_if(SCHOOL, running.events, cast, 1, AS_PLAYED, 5, "en")


def _played_by_people() -> tuple[GameState, list[Event]]:
    """A game in which the parent objects to the proposal and the teacher never speaks."""
    seats = default_seats(SCHOOL.scenario)
    started = SCHOOL.start(seats, seed=9)
    state, events = started.state, list(started.events)

    def step(action: a.Action) -> None:
        result = SCHOOL.step(state, action)
        assert isinstance(result, list), result
        events.extend(result)

    talkers = [s.id for s in seats if s.role not in ("teacher",)]
    while state.status != "ended":
        if state.phase == "ideate":
            for seat in talkers:
                for card in list(state.hands[seat])[:1]:
                    step(a.PlayIdea(seat, card))
        if state.phase == "decide" and state.proposal is None:
            step(a.Propose("chair", tuple(state.live_ideas())[:2]))
            for s in seats:
                step(a.Vote(s.id, "object" if s.role == "parent" else "accept"))
            if state.status != "ended" and state.adopted is None:
                step(a.Adopt("chair"))
            continue
        if state.status != "ended":
            step(a.EndPhase("time_up"))
    return state, events


def test_people_are_cast_by_how_they_played() -> None:
    final, events = _played_by_people()
    assert observed_temperament(final, events, "teacher", "chair") == "quiet"
    assert observed_temperament(final, events, "parent", "chair") == "sceptical"
    cast = {c.seat: c for c in observed_cast(SCHOOL, final, events, bot_seats={"official"})}
    assert cast["teacher"].temperament == "quiet" and cast["teacher"].human_pace
    assert cast["official"].temperament is None  # a bot at the table: drawn as it was
    assert cast["official"].human_pace  # it played among people, at their pace
    assert cast["chair"].style == "mixed"  # this chair made no styled act


def test_a_refusal_crosses_from_the_worker_process_whole() -> None:
    refused = pickle.loads(pickle.dumps(NotReplayable("round", "round must be between 1 and 8")))
    assert (refused.field, str(refused)) == ("round", "round must be between 1 and 8")
