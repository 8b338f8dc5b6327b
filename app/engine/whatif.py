"""What if the chair had led differently? A finished table's game, replayed by bots.

The debrief's "what if" step: the table's own log is folded up to the start of a chosen
round, and from there bots play the rest many times over, the chair leaning to a chosen
leadership style (or "as played": the same chair, other luck). What comes back is the
spread of the final scores, how often each role's secret goal was met, and the package
the replays adopted most often, beside what the table itself ended with.

Who the bots are (the cast): a seat a bot played at the table is played by the same kind
of bot; a seat a person played is played by a bot with the temperament that person showed
(`observed_temperament`), at a person's pace. A chair played by a person leads, "as
played", in the style of most of their styled acts (`observed_style`).

Pure: no clock, no I/O. The stored log is only read; every replay plays on a fresh state.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from app.engine import events as e
from app.engine.bots import TEMPERAMENTS, Bot
from app.engine.debrief import idea_title
from app.engine.outcome import leadership_profile
from app.engine.rules import Rules
from app.engine.simulate import GameRecord, percentile, play_on
from app.engine.state import GameState
from app.scenarios.models import LEADERSHIP_STYLES, SCORE_NAMES

AS_PLAYED = "as_played"
WHATIF_STYLES: tuple[str, ...] = (AS_PLAYED, *LEADERSHIP_STYLES)
MAX_GAMES = 200
TOP_IDEAS = 8
# Below this share of the table's most active voice a person reads as quiet.
QUIET_VOICE = 0.4
# At or above this share, building on others in fewer than DOMINANT_BUILDS of their
# ideas, a person reads as dominant.
DOMINANT_VOICE = 0.85
DOMINANT_BUILDS = 0.2


@dataclass(frozen=True, slots=True)
class Cast:
    """How a replay's bot plays one seat."""

    seat: str
    role: str
    temperament: str | None = None  # a name in TEMPERAMENTS; None: drawn by the bot
    style: str = "mixed"  # the chair's leaning; every other seat plays "mixed"
    human_pace: bool = False


@dataclass(frozen=True, slots=True)
class Spread:
    p10: float
    p50: float
    p90: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(
            round(percentile(values, 0.1), 1),
            round(percentile(values, 0.5), 1),
            round(percentile(values, 0.9), 1),
        )


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Replays of one table from one round with one chair style."""

    round: int  # 1-based: the first round the bots play
    style: str
    games: int
    actual: dict[str, float | None]  # the table's own final scores
    scores: dict[str, Spread]  # the replays' final scores
    # Per round from `round` on (index 0 is round `round`): the replays' score after it.
    bands: tuple[dict[str, Spread], ...]
    goals: dict[str, float]  # role -> share of replays in which its secret goal was met
    actual_goals: dict[str, bool]
    package: tuple[str, ...]  # the titles of the package the replays adopted most often
    package_share: float  # the share of replays that adopted exactly that package
    # The ideas most often in the replays' packages (title -> share of replays), most first:
    # packages vary more than their ideas, so this says more than the one package.
    ideas: dict[str, float]


class NotReplayable(ValueError):
    """The log cannot be replayed as asked (a round the table never reached, say)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field  # the parameter that was wrong: round, style, games or events
        self.message = message

    def __reduce__(self) -> tuple[type[NotReplayable], tuple[str, str]]:
        # Raised in the what-if worker process and raised again here: keep both parts.
        return (NotReplayable, (self.field, self.message))


def fold_to_round(rules: Rules, events: Sequence[e.Event], number: int) -> GameState:
    """The state at the start of round `number` (1-based), from the table's log.

    The state is built afresh from the events and shares nothing with them that a
    replay could change: a stored log is read, never written.
    """
    if not 1 <= number <= len(rules.catalog.rounds):
        raise NotReplayable("round", f"round must be between 1 and {len(rules.catalog.rounds)}")
    prefix: list[e.Event] = []
    for event in events:
        prefix.append(event)
        if isinstance(event, e.RoundStarted) and event.index == number - 1:
            # A fresh copy: evolving may keep references to an event's own containers.
            return rules.replay(prefix).clone()
    raise NotReplayable("round", f"the table never reached round {number}")


def observed_temperament(state: GameState, events: Sequence[e.Event], seat: str, chair: str) -> str:
    """The temperament a seat showed: quiet, dominant, sceptical or cooperative.

    Voice is the role's contributions against the most active role's (the chair aside, as
    in ownership); a seat that objected to a proposal reads as sceptical.
    """
    role = state.role_of(seat) or ""
    loudest = max((n for r, n in state.contributions.items() if r != chair), default=0)
    voice = state.contributions.get(role, 0) / loudest if loudest else 0.0
    if voice < QUIET_VOICE:
        return "quiet"
    if any(
        isinstance(ev, e.VoteCast) and ev.seat == seat and ev.choice == "object" for ev in events
    ):
        return "sceptical"
    own = sum(1 for i in state.table.values() if i.builder is None and seat in i.played_by[:1])
    built = sum(1 for i in state.table.values() if i.builder == seat)
    if voice >= DOMINANT_VOICE and built < DOMINANT_BUILDS * max(1, own + built):
        return "dominant"
    return "cooperative"


def observed_style(state: GameState, role: str) -> str:
    """The leadership style of most of a role's styled acts; "mixed" if it made none."""
    shares = leadership_profile(state, role)
    best = max(LEADERSHIP_STYLES, key=lambda s: shares[s])
    return best if shares[best] > 0 else "mixed"


def observed_cast(
    rules: Rules, final: GameState, events: Sequence[e.Event], bot_seats: Collection[str]
) -> list[Cast]:
    """The table's own seats as replay bots: bots as they were, people as they played."""
    people = any(s.id not in bot_seats for s in final.seats)
    chair = rules.catalog.chair
    cast: list[Cast] = []
    for seat in final.seats:
        if seat.id in bot_seats:
            cast.append(Cast(seat.id, seat.role, human_pace=people))
            continue
        style = observed_style(final, seat.role) if seat.role == chair else "mixed"
        temperament = (
            None if seat.role == chair else observed_temperament(final, events, seat.id, chair)
        )
        cast.append(Cast(seat.id, seat.role, temperament, style, human_pace=True))
    return cast


def replay_bots(rules: Rules, cast: Sequence[Cast], seed: str) -> list[Bot]:
    """A bot per seat, each with its own stream, as a live table seats them."""
    return [
        Bot(
            rules,
            c.seat,
            c.role,
            style=c.style,
            rng=random.Random(f"{seed}:{c.seat}"),
            temperament=TEMPERAMENTS[c.temperament] if c.temperament else None,
            human_pace=c.human_pace,
        )
        for c in cast
    ]


def game_seed(seed: int, game: int) -> str:
    """The seed of replay `game`: the table's own for the first, so a replay of the whole
    game by the table's own bots is the game itself; derived from it for the others."""
    return str(seed) if game == 0 else f"{seed}:whatif:{game}"


def what_if(
    rules: Rules,
    events: Sequence[e.Event],
    cast: Sequence[Cast],
    number: int,
    style: str,
    games: int,
    lang: str,
) -> WhatIf:
    """Replay the table `games` times from the start of round `number` (1-based), the
    chair leaning to `style` (or as it played: see `observed_cast`)."""
    if style not in WHATIF_STYLES:
        raise NotReplayable("style", f"style must be one of {', '.join(WHATIF_STYLES)}")
    if not 1 <= games <= MAX_GAMES:
        raise NotReplayable("games", f"games must be between 1 and {MAX_GAMES}")
    final = rules.replay(events)
    if final.status != "ended":
        raise NotReplayable("events", "the table's game has not ended")
    start = fold_to_round(rules, events, number)
    chair = rules.catalog.chair
    if style != AS_PLAYED:
        cast = [
            Cast(c.seat, c.role, c.temperament, style, c.human_pace) if c.role == chair else c
            for c in cast
        ]
    ends = [replay_game(rules, start, cast, game_seed(final.seed, g)) for g in range(games)]
    return _summary(rules, final, ends, number, style, lang)


def replay_game(rules: Rules, start: GameState, cast: Sequence[Cast], seed: str) -> GameState:
    """One replay: the cast's bots play a copy of `start` to the end."""
    record = GameRecord(start.clone())
    play_on(rules, record, replay_bots(rules, cast, seed), False)
    return record.state


def _summary(
    rules: Rules, final: GameState, ends: Sequence[GameState], number: int, style: str, lang: str
) -> WhatIf:
    def spread(index: int) -> dict[str, Spread]:
        return {
            name: Spread.of([s.history[index].scores.get(name) or 0.0 for s in ends])
            for name in SCORE_NAMES
        }

    rounds = len(rules.catalog.rounds)
    chosen = [_package(rules, s, lang) for s in ends]
    package, count = Counter(chosen).most_common(1)[0]
    ideas = Counter(title for titles in chosen for title in titles)
    roles = sorted(final.goals)
    return WhatIf(
        round=number,
        style=style,
        games=len(ends),
        actual={k: _tenth(v) for k, v in final.history[-1].scores.items()} if final.history else {},
        scores=spread(-1),
        bands=tuple(spread(i) for i in range(number - 1, rounds)),
        goals={r: round(sum(1 for s in ends if s.goals.get(r)) / len(ends), 3) for r in roles},
        actual_goals=dict(final.goals),
        package=package,
        package_share=round(count / len(ends), 3),
        ideas={t: round(n / len(ends), 3) for t, n in ideas.most_common(TOP_IDEAS)},
    )


def _tenth(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _package(rules: Rules, state: GameState, lang: str) -> tuple[str, ...]:
    chosen = state.final_package or ()
    return tuple(sorted(idea_title(state.table[i], state, rules.catalog, lang) for i in chosen))
