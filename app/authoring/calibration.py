"""Paired bot games per chair style, and what they say about whether the scores teach.

Every chair style plays the same games: game i of a run deals the same seats and cards for
every style, and every seat but the chair draws from a stream of its own, so the games pair
by index (`app.engine.simulate.play_game`). On top of that, `card_forks` plays one decision
several ways: where a chair faces objections with its revision still unused, the same game
goes on once with a revision, once adopting over the objections and once with the
politician card, every seat deciding as it would have.

`teaching_checks` turns the runs into the figures GAME.md asks of the scores ("Scores must
tell play apart"), each with its target, so the teaching test, `scenario check` and
docs/scoring.md read the same numbers.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.events import SeatSpec
from app.engine.rules import Rules
from app.engine.simulate import GameRecord, default_seats, play_on, seat_bots
from app.engine.state import GameState
from app.scenarios.models import Scenario

CALIBRATION_STYLES: tuple[str, ...] = ("naive", "facilitator", "catalyst", "sovereign", "mixed")
FORK_STYLES: tuple[str, ...] = ("naive", "mixed")  # an ordinary chair meets the objections
BRANCHES: tuple[str, ...] = ("revise", "overrule", "card")


@dataclass(frozen=True)
class GameResult:
    """What the calibration needs of one finished game."""

    scores: dict[str, float | None]
    rounds: tuple[dict[str, float | None], ...]
    goals: dict[str, bool]
    chair: str
    card: bool
    adopted_how: str | None
    options: tuple[str, ...]


def result_of(state: GameState, chair: str) -> GameResult:
    return GameResult(
        scores=dict(state.history[-1].scores) if state.history else {},
        rounds=tuple(dict(h.scores) for h in state.history),
        goals=dict(state.goals),
        chair=chair,
        card=state.politician_card_played,
        adopted_how=state.adopted_how,
        options=tuple(c.option for c in state.choices),
    )


@dataclass(frozen=True)
class Fork:
    """One game played on from the same objections three ways (see `BRANCHES`)."""

    game: int
    branches: dict[str, GameResult]


@dataclass
class Runs:
    styles: dict[str, list[GameResult]] = field(default_factory=dict)
    forks: list[Fork] = field(default_factory=list)


def game_setups(scenario: Scenario, games: int, seed: int) -> list[tuple[list[SeatSpec], int]]:
    """Seats and seed of each game: the same for every chair style (as `simulate` draws them)."""
    seeds = random.Random(seed)
    setups = []
    for _ in range(games):
        players = seeds.randint(scenario.players.min, scenario.players.max)
        seats = default_seats(scenario, players, seeds)
        setups.append((seats, seeds.randrange(2**31)))
    return setups


def _facing_objections(rules: Rules) -> Callable[[GameState], bool]:
    chair = rules.catalog.chair

    def stop(state: GameState) -> bool:
        return (
            state.phase == "decide"
            and state.proposal is not None
            and state.adopted_how is None
            and state.revisions == 0
            and len(state.votes) == len(state.seats)
            and any(v == "object" and state.role_of(s) != chair for s, v in state.votes.items())
        )

    return stop


def _branch(rules: Rules, state: GameState, bots: Sequence[Bot], how: str) -> GameResult:
    twin = state.clone()
    forked = [b.fork() for b in bots]
    chair = next(b for b in forked if b.role == rules.catalog.chair)
    action: a.Action
    if how == "revise":
        action = a.Propose(chair.seat, chair.revised(twin))
    elif how == "overrule":
        action = a.Adopt(chair.seat)
    else:
        action = a.PlayMove(chair.seat, rules.catalog.card.id)
    result = rules.step(twin, action)
    if not isinstance(result, list):
        raise RuntimeError(f"{how}: {result.message}")
    play_on(rules, GameRecord(twin), forked, False)
    return result_of(twin, rules.catalog.chair)


def play_runs(
    scenario: Scenario,
    games: int,
    seed: int,
    styles: Sequence[str] = CALIBRATION_STYLES,
    forks: bool = True,
) -> Runs:
    """Every style plays the same `games`; the forks come from the `FORK_STYLES` games."""
    rules = Rules(scenario)
    runs = Runs()
    stop = _facing_objections(rules)
    for style in styles:
        results = []
        for n, (seats, game_seed) in enumerate(game_setups(scenario, games, seed)):
            bots = seat_bots(rules, seats, game_seed, style)
            record = GameRecord(rules.start(seats, game_seed).state)
            if forks and style in FORK_STYLES and play_on(rules, record, bots, False, stop):
                runs.forks.append(
                    Fork(n, {how: _branch(rules, record.state, bots, how) for how in BRANCHES})
                )
            play_on(rules, record, bots, False)
            results.append(result_of(record.state, rules.catalog.chair))
        runs.styles[style] = results
    return runs


# --- statistics ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def finals(results: Sequence[GameResult], name: str) -> list[float]:
    return [v for r in results if (v := r.scores.get(name)) is not None]


def ahead_share(
    a_results: Sequence[GameResult], b_results: Sequence[GameResult], name: str
) -> float:
    """The share of paired games in which the first run ended above the second on `name`."""
    pairs = [
        (x.scores.get(name), y.scores.get(name)) for x, y in zip(a_results, b_results, strict=True)
    ]
    counted = [(x, y) for x, y in pairs if x is not None and y is not None]
    return sum(1 for x, y in counted if x > y) / len(counted) if counted else 0.0


def median_game(results: Sequence[GameResult], name: str) -> list[float | None]:
    """The median of a score after each round, over the games."""
    rounds = max((len(r.rounds) for r in results), default=0)
    out: list[float | None] = []
    for i in range(rounds):
        values = [
            v for r in results if i < len(r.rounds) and (v := r.rounds[i].get(name)) is not None
        ]
        out.append(statistics.median(values) if values else None)
    return out


def largest_jump(series: Sequence[float | None]) -> float:
    values = [v for v in series if v is not None]
    return max((abs(b - a) for a, b in pairwise(values)), default=0.0)
