"""Properties of the whole engine over many games, on the tiny scenario of `tests/unit/tiny.py`.

Games are played by the bots (`app.engine.simulate.play_game`); hypothesis picks the seeds,
the chair's leadership style and, where it matters, arbitrary (often invalid) intents.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import actions as a
from app.engine.bots import BOT_STYLES
from app.engine.events import (
    Event,
    MovePlayed,
    OptionChosen,
    RoundScored,
    event_from_dict,
    event_to_dict,
)
from app.engine.outcome import breakdown
from app.engine.rules import Accepted, Rejected, Rules
from app.engine.simulate import default_seats, play_game, seat_bots
from app.engine.state import TRUST_MAX, GameState, state_digest
from app.scenarios import load_scenario_or_raise
from app.scenarios.models import SCORE_NAMES, Scenario
from app.settings import REPO_ROOT
from tests.unit.tiny import tiny_data, tiny_scenario

SCENARIO = tiny_scenario()
RULES = Rules(SCENARIO)
SEATS = default_seats(SCENARIO)
SEAT_IDS = [s.id for s in SEATS]

SEEDS = st.integers(0, 2**31 - 1)
STYLES = st.sampled_from(BOT_STYLES)
GAMES = settings(max_examples=25, deadline=None)


def assert_scores_in_range(state: GameState) -> None:
    assert state.history, "no round was scored"
    for scored in state.history:
        assert set(scored.scores) == set(SCORE_NAMES)
        for name, value in scored.scores.items():
            assert value is None or 0.0 <= value <= 100.0, (name, value)


def bot_states(seed: int, style: str) -> list[tuple[GameState, a.Action]]:
    """Each state of a bot game with the intent played on it (as `play_game` plays)."""
    bots = seat_bots(RULES, SEATS, seed, style)
    state = RULES.start(SEATS, seed).state
    seen: list[tuple[GameState, a.Action]] = []
    while state.status != "ended":
        acted = False
        for bot in bots:
            action = bot.act(state)
            if action is None:
                continue
            result = RULES.apply(state, action)
            assert isinstance(result, Accepted)
            seen.append((state, action))
            state = result.state
            acted = True
        if not acted:
            time_up = a.EndPhase("time_up")
            seen.append((state, time_up))
            result = RULES.apply(state, time_up)
            assert isinstance(result, Accepted)
            state = result.state
    return seen


# --- scores ---------------------------------------------------------------------------


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_every_score_stays_within_0_and_100_in_random_games(seed: int, style: str) -> None:
    state = play_game(RULES, seed, chair_style=style).state
    assert state.status == "ended"
    assert_scores_in_range(state)
    assert all(0 <= t <= TRUST_MAX for t in state.trust.values())


POINTS = st.integers(-1000, 1000)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 50),
    adjust=st.dictionaries(st.sampled_from(SCORE_NAMES), POINTS, max_size=3),
)
def test_every_score_stays_within_0_and_100_under_any_adjustment(
    seed: int, adjust: dict[str, int]
) -> None:
    state = play_game(RULES, seed).state.clone()
    state.score_adjust = dict(adjust)
    for name, value in breakdown(state, RULES.catalog).scores.items():
        assert value is None or 0.0 <= value <= 100.0, (name, value)


@settings(max_examples=15, deadline=None)
@given(
    seed=SEEDS,
    style=STYLES,
    points=st.fixed_dictionaries(dict.fromkeys(SCORE_NAMES, POINTS)),
)
def test_every_score_stays_within_0_and_100_under_any_score_effect(
    seed: int, style: str, points: dict[str, int]
) -> None:
    data = tiny_data()
    for move in data["moves"]:
        if move["id"] in ("share", "listen"):
            move["effects"]["score"] = points
    rules = Rules(Scenario.model_validate(data))
    assert_scores_in_range(play_game(rules, seed, chair_style=style).state)


# --- ownership ------------------------------------------------------------------------


def game_where(players: list[str]) -> GameState:
    """Each of `players` plays both its cards; then time runs out on every phase."""
    state = RULES.start(SEATS, 1).state
    time_up = a.EndPhase("time_up")
    while state.phase != "ideate":
        state = _apply(state, time_up)
    for seat in players:
        for card in (f"{seat}-a", f"{seat}-b"):
            state = _apply(state, a.PlayIdea(seat, card))
    while state.status != "ended":
        state = _apply(state, time_up)
    return state


def _apply(state: GameState, action: a.Action) -> GameState:
    result = RULES.apply(state, action)
    assert isinstance(result, Accepted), result
    return result.state


@settings(max_examples=5, deadline=None)
@given(only=st.sampled_from(SEAT_IDS))
def test_one_role_contributing_everything_scores_low_ownership(only: str) -> None:
    alone = game_where([only])
    everyone = game_where(SEAT_IDS)
    alone_own = alone.history[-1].scores["ownership"]
    everyone_own = everyone.history[-1].scores["ownership"]
    assert alone_own is not None and everyone_own is not None
    assert alone_own < everyone_own
    # Trust is the same in both games; only one role's ideas can be in its package, and
    # the others said nothing: their voice and influence parts are 0.
    assert alone_own < 50


# --- determinism and replay -----------------------------------------------------------


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_the_same_seed_plays_the_same_game(seed: int, style: str) -> None:
    first = play_game(RULES, seed, chair_style=style, keep_events=True)
    second = play_game(RULES, seed, chair_style=style, keep_events=True)
    assert state_digest(first.state) == state_digest(second.state)
    assert first.events == second.events


def through_json(event: Event) -> Event:
    text = json.dumps(event_to_dict(event))
    data: dict[str, Any] = json.loads(text)
    return event_from_dict(data)


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_replaying_the_events_gives_the_same_state(seed: int, style: str) -> None:
    record = play_game(RULES, seed, chair_style=style, keep_events=True)
    digest = state_digest(record.state)
    assert state_digest(RULES.replay(record.events)) == digest
    # The stored log is JSON: every event survives the round trip unchanged.
    stored = [through_json(ev) for ev in record.events]
    assert stored == record.events
    assert state_digest(RULES.replay(stored)) == digest


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_the_simulator_plays_the_game_apply_plays(seed: int, style: str) -> None:
    # `play_game` works in place, does not check a bot's intent twice and leans on what
    # the rules and bots remember between intents; `apply` copies the state every time.
    seen = bot_states(seed, style)
    last, action = seen[-1]
    result = RULES.apply(last, action)
    assert isinstance(result, Accepted)
    assert result.state.status == "ended"
    assert state_digest(play_game(RULES, seed, chair_style=style).state) == state_digest(
        result.state
    )


# --- apply is pure ----------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(seed=SEEDS, style=STYLES)
def test_apply_never_mutates_the_state_it_is_given(seed: int, style: str) -> None:
    for state, action in bot_states(seed, style):
        before = state.clone()
        digest = state_digest(state)
        result = RULES.apply(state, action)
        assert isinstance(result, Accepted)
        assert state == before
        assert state_digest(state) == digest
        # `step` in place reaches the state `apply` returned.
        work = state.clone()
        events = RULES.step(work, action)
        assert events == result.events
        assert state_digest(work) == state_digest(result.state)


IDS = st.sampled_from(
    [
        *SEAT_IDS,
        "stranger",
        *(f"f{n}" for n in range(4)),
        "own-1",
        *(f"i{n}" for n in range(1, 9)),
        *(f"{s}-{x}" for s in SEAT_IDS for x in "ab"),
        "radical",
        "listen",
        "share",
        "outside",
        "card",
        "hide",
        "meet",
        "",
    ]
)
SEAT = st.sampled_from([*SEAT_IDS, "stranger"])
WORDS = st.text(max_size=90)
ORDER = st.lists(IDS, max_size=5).map(tuple)

ACTIONS: st.SearchStrategy[a.Action] = st.one_of(
    st.builds(a.RankFramings, SEAT, ORDER),
    st.builds(a.AddFraming, SEAT, WORDS, st.lists(IDS, max_size=2).map(tuple)),
    st.builds(a.PlayIdea, SEAT, IDS),
    st.builds(a.WriteIdea, SEAT, WORDS, WORDS),
    st.builds(a.BuildOn, SEAT, IDS, st.none() | IDS, st.none() | WORDS),
    st.builds(a.Pass, SEAT),
    st.builds(a.Advise, SEAT, IDS),
    st.builds(a.ChooseOption, SEAT, IDS),
    st.builds(a.RankIdeas, SEAT, ORDER),
    st.builds(a.Propose, SEAT, ORDER),
    st.builds(a.Vote, SEAT, st.sampled_from(["accept", "live_with", "object", "maybe"])),
    st.builds(a.Adopt, SEAT),
    st.builds(a.PlayMove, SEAT, IDS, st.none() | IDS),
    st.builds(a.EndPhase, st.sampled_from(["time_up", "advance", "later"])),
)

# A handful of games whose every state an arbitrary intent is tried on.
STATES = [state for seed in range(4) for state, _ in bot_states(seed, BOT_STYLES[seed])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(STATES) - 1), action=ACTIONS)
def test_any_intent_leaves_the_given_state_unchanged(index: int, action: a.Action) -> None:
    state = STATES[index]
    before = state.clone()
    digest = state_digest(state)
    result = RULES.apply(state, action)
    assert isinstance(result, Accepted | Rejected)
    assert state == before and state_digest(state) == digest
    # `check` agrees with `apply`.
    assert RULES.check(state, action) == (result if isinstance(result, Rejected) else None)
    # In place, a rejected intent leaves the state as it was, to the digest.
    work = state.clone()
    stepped = RULES.step(work, action)
    if isinstance(result, Rejected):
        assert stepped == result
        assert state_digest(work) == digest
    else:
        assert state_digest(work) == state_digest(result.state)
        assert all(0 <= t <= TRUST_MAX for t in work.trust.values())


# --- reasons --------------------------------------------------------------------------


SCHOOL = Rules(load_scenario_or_raise(REPO_ROOT / "game_content/scenarios/school-committee.yaml"))


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_a_reason_credits_a_move_or_option_only_with_a_change_its_effect_made(
    seed: int, style: str
) -> None:
    # What each move or option played in a round did: its score effects, and the trust it
    # gave others (what ownership's trust part counts). On the school case: its moves and
    # options pull scores both ways within a round.
    record = play_game(SCHOOL, seed, chair_style=style, keep_events=True)
    did: dict[str, dict[str, int]] = {}
    for event in record.events:
        if isinstance(event, MovePlayed | OptionChosen):
            kind = "move" if isinstance(event, MovePlayed) else "option"
            name = event.move if isinstance(event, MovePlayed) else event.option
            mine = did.setdefault(f"{kind}:{name}", {})
            for score, points in event.effects.score.items():
                mine[score] = mine.get(score, 0) + points
            mine["trust"] = mine.get("trust", 0) + sum(event.effects.earned.values())
        if isinstance(event, RoundScored):
            for reason in event.reasons:
                if reason.subject and reason.subject.startswith(("move:", "option:")):
                    what = "trust" if reason.code.endswith(".trust") else reason.score
                    # What it did pointed the way the score went.
                    assert did.get(reason.subject, {}).get(what, 0) * reason.delta > 0, reason
            did = {}


@GAMES
@given(seed=SEEDS, style=STYLES)
def test_a_score_measured_for_the_first_time_did_not_rise_from_0(seed: int, style: str) -> None:
    state = play_game(RULES, seed, chair_style=style).state
    seen: set[str] = set()
    for scored in state.history:
        for reason in scored.reasons:
            if scored.scores.get(reason.score) is None:
                continue
            if reason.score not in seen:
                assert (reason.code, reason.delta) == (f"{reason.score}.first", 0.0)
                seen.add(reason.score)
            else:
                assert not reason.code.endswith(".first")
