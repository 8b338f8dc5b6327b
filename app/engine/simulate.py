"""Whole games of bots, and what many of them say about a scenario's balance."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Self

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.events import Event, SeatSpec
from app.engine.rules import Rejected, Rules
from app.engine.state import GameState
from app.scenarios.models import SCORE_NAMES, Scenario

# A bound on intents per phase, so that a bot bug can never loop forever.
MAX_STEPS_PER_PHASE = 500


def default_seats(
    scenario: Scenario, players: int | None = None, rng: random.Random | None = None
) -> list[SeatSpec]:
    """Every role's required seats, then optional ones up to `players`.

    Optional seats are taken in file order, or in a random order when `rng` is given.
    """
    target = players if players is not None else scenario.players.min
    seats = [
        SeatSpec(_seat_id(role.id, n), role.id)
        for role in scenario.roles
        for n in range(role.seats.min)
    ]
    optional = [
        (role.id, n) for role in scenario.roles for n in range(role.seats.min, role.seats.max)
    ]
    if rng is not None:
        rng.shuffle(optional)
    for role_id, n in optional[: max(0, target - len(seats))]:
        seats.append(SeatSpec(_seat_id(role_id, n), role_id))
    return seats


def _seat_id(role: str, n: int) -> str:
    return role if n == 0 else f"{role}-{n + 1}"


@dataclass
class GameRecord:
    state: GameState
    events: list[Event] = field(default_factory=list)


def play_game(
    rules: Rules,
    seed: int,
    seats: Sequence[SeatSpec] | None = None,
    chair_style: str = "mixed",
    keep_events: bool = False,
) -> GameRecord:
    """Bots play one whole game; time runs out on any phase where no bot has anything to do.

    Each seat draws from a stream of its own, seeded by the game's seed and the seat's id,
    so games with the same seed and another chair style pair seat by seat.
    """
    seats = list(seats) if seats is not None else default_seats(rules.scenario)
    bots = seat_bots(rules, seats, seed, chair_style)
    started = rules.start(seats, seed)
    record = GameRecord(started.state, list(started.events) if keep_events else [])
    play_on(rules, record, bots, keep_events)
    return record


def seat_bots(rules: Rules, seats: Sequence[SeatSpec], seed: int, chair_style: str) -> list[Bot]:
    """A bot for every seat, each with its own stream; the chair leans to `chair_style`."""
    return [
        Bot(
            rules,
            s.id,
            s.role,
            style=chair_style if s.role == rules.catalog.chair else "mixed",
            rng=random.Random(f"{seed}:{s.id}"),
        )
        for s in seats
    ]


def play_on(
    rules: Rules,
    record: GameRecord,
    bots: Sequence[Bot],
    keep_events: bool,
    stop: Callable[[GameState], bool] | None = None,
) -> bool:
    """The bots play `record`'s game from where it stands to its end, or until `stop` says
    so of the state before a bot acts (then True)."""
    state = record.state
    steps = 0
    while state.status != "ended":
        acted = False
        for bot in bots:
            if state.status == "ended":
                break  # the rest of this pass would only be told so
            if stop is not None and stop(state):
                return True
            action = bot.act(state)
            if action is None:
                continue
            # Not `_step`: `Bot.act` has just had the rules check this intent on this state.
            events = rules.perform(state, action)
            if keep_events:
                record.events.extend(events)
            acted = True
            steps += 1
        if not acted or steps > MAX_STEPS_PER_PHASE:
            _step(rules, state, a.EndPhase("time_up"), record, keep_events)
            steps = 0
    return False


def _step(rules: Rules, state: GameState, action: a.Action, record: GameRecord, keep: bool) -> None:
    result = rules.step(state, action)
    if isinstance(result, Rejected):
        raise RuntimeError(f"a bot's intent was refused: {action} -> {result.message}")
    if keep:
        record.events.extend(result)


AT_100 = 99.95  # a score shown as 100.0 (scores are shown to one decimal)


@dataclass(frozen=True)
class Stats:
    min: float
    mean: float
    max: float
    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Self:
        if not values:
            return cls(0.0, 0.0, 0.0, ())
        return cls(min(values), sum(values) / len(values), max(values), tuple(values))

    def percentile(self, q: float) -> float:
        return percentile(self.values, q)

    def share_at_least(self, bound: float) -> float:
        """The share (0..1) of games that ended at `bound` or above."""
        return sum(1 for v in self.values if v >= bound) / len(self.values) if self.values else 0.0

    def to_dict(self) -> dict[str, float]:
        """The spread as JSON: mean, min, max, percentiles, and the shares of games at 100
        and at 95 or above (fractions 0..1)."""
        return {
            "mean": round(self.mean, 2),
            "min": round(self.min, 2),
            "max": round(self.max, 2),
            "p10": round(self.percentile(0.1), 2),
            "p50": round(self.percentile(0.5), 2),
            "p90": round(self.percentile(0.9), 2),
            "at_100": round(self.share_at_least(AT_100), 4),
            "at_95": round(self.share_at_least(95.0), 4),
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between the sorted values; 0 if none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Summary:
    games: int
    scores: dict[str, Stats]
    unused: dict[str, list[str]]
    politician_card_rate: float
    goals_met: dict[str, float]
    # Each game's final scores, in game order (None where a score was n/a).
    finals: list[dict[str, float | None]] = field(default_factory=list)


@dataclass
class _Tally:
    """What a summary needs of each game, gathered game by game.

    `simulate` adds each game as it ends instead of keeping every final state: holding a
    thousand states alive made the garbage collector walk them again and again (close to a
    tenth of the run).
    """

    games: int = 0
    finals: list[dict[str, float | None]] = field(default_factory=list)
    ideas: set[str] = field(default_factory=set)
    moves: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)
    goals: dict[str, list[bool]] = field(default_factory=dict)
    politician_cards: int = 0

    def add(self, state: GameState) -> None:
        self.games += 1
        last = state.history[-1].scores if state.history else {}
        self.finals.append({name: last.get(name) for name in SCORE_NAMES})
        self.ideas |= {i.card for i in state.table.values() if i.card}
        self.moves |= {m.move for m in state.moves}
        self.options |= {c.option for c in state.choices}
        for role, met in state.goals.items():
            self.goals.setdefault(role, []).append(met)
        self.politician_cards += state.politician_card_played

    def summary(self, rules: Rules) -> Summary:
        catalog = rules.catalog
        return Summary(
            games=self.games,
            scores={
                name: Stats.of([v for game in self.finals if (v := game[name]) is not None])
                for name in SCORE_NAMES
            },
            unused={
                "ideas": [i for i in catalog.ideas if i not in self.ideas],
                "moves": [m for m in catalog.moves if m not in self.moves],
                "event_options": [o for o in catalog.option_event if o not in self.options],
            },
            politician_card_rate=self.politician_cards / max(1, self.games),
            goals_met={role: sum(v) / len(v) for role, v in self.goals.items()},
            finals=self.finals,
        )


def summarise(rules: Rules, states: Sequence[GameState]) -> Summary:
    """Score spread and the content that no game used."""
    tally = _Tally()
    for state in states:
        tally.add(state)
    return tally.summary(rules)


def game_setups(scenario: Scenario, games: int, seed: int) -> list[tuple[list[SeatSpec], int]]:
    """Each game's seats and seed, drawn from `seed` alone: every chair style plays the same.

    Tables differ in size, so optional seats (and their cards) come into play too.
    """
    seeds = random.Random(seed)
    setups = []
    for _ in range(games):
        players = seeds.randint(scenario.players.min, scenario.players.max)
        seats = default_seats(scenario, players, seeds)
        setups.append((seats, seeds.randrange(2**31)))
    return setups


def simulate(scenario: Scenario, games: int, seed: int, chair_style: str = "mixed") -> Summary:
    """Play `games` bot games from `seed` and summarise them.

    Game i deals the same seats and cards whatever the chair style, and every other seat
    draws from its own stream, so runs with different chair styles pair by game.
    """
    rules = Rules(scenario)
    tally = _Tally()
    for seats, game_seed in game_setups(scenario, games, seed):
        tally.add(play_game(rules, game_seed, seats, chair_style).state)
    return tally.summary(rules)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summary_to_dict(summary: Summary) -> dict[str, object]:
    """The JSON form of a summary: per score its spread and the shares of games at 100 and
    at 95 or above (fractions 0..1), each game's final scores in game order, and the
    content nobody chose."""
    return {
        "games": [{name: _round(v) for name, v in game.items()} for game in summary.finals],
        "scores": {name: s.to_dict() for name, s in summary.scores.items()},
        "unused": summary.unused,
        "politician_card_rate": round(summary.politician_card_rate, 3),
        "goals_met": {role: round(rate, 3) for role, rate in summary.goals_met.items()},
    }


def histogram(values: Sequence[float], bins: int = 10, width: int = 30) -> list[str]:
    """A small text histogram over 0..100."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v * bins / 100))] += 1
    top = max(counts) or 1
    size = 100 // bins
    return [
        f"  {i * size:3d}-{(i + 1) * size:<3d} {'#' * round(c * width / top):<{width}} {c}"
        for i, c in enumerate(counts)
    ]


def format_summary(summary: Summary) -> str:
    """The human-readable report of `scenario simulate`."""
    lines = [f"{summary.games} games"]
    for name, s in summary.scores.items():
        lines.append(
            f"{name}: mean {s.mean:.1f}  p10 {s.percentile(0.1):.1f}  "
            f"median {s.percentile(0.5):.1f}  p90 {s.percentile(0.9):.1f}  "
            f"at 100 in {s.share_at_least(AT_100):.0%} of games"
        )
        lines.extend(histogram(s.values))
    lines.append(f"politician card played in {summary.politician_card_rate:.0%} of games")
    for role, rate in summary.goals_met.items():
        lines.append(f"secret goal of {role} met in {rate:.0%} of games")
    for kind, ids in summary.unused.items():
        lines.append(f"never chosen {kind}: {', '.join(ids) if ids else '(none)'}")
    return "\n".join(lines)
