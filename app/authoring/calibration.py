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

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.outcome import package_cards
from app.engine.rules import Rules
from app.engine.simulate import AT_100, GameRecord, Stats, game_setups, play_on, seat_bots
from app.engine.state import GameState
from app.scenarios.models import SCORE_NAMES, Scenario

CALIBRATION_STYLES: tuple[str, ...] = ("naive", "facilitator", "catalyst", "sovereign", "mixed")
FORK_STYLES: tuple[str, ...] = ("naive", "mixed")  # an ordinary chair meets the objections
BRANCHES: tuple[str, ...] = ("revise", "overrule", "card")


@dataclass(frozen=True)
class GameResult:
    """What the calibration and the balance report need of one finished game."""

    scores: dict[str, float | None]
    rounds: tuple[dict[str, float | None], ...]
    goals: dict[str, bool]
    chair: str
    card: bool
    adopted_how: str | None
    options: tuple[str, ...]
    played: frozenset[str] = frozenset()  # idea cards played to the table
    adopted: frozenset[str] = frozenset()  # idea cards in (or built into) the final package
    moves: frozenset[str] = frozenset()
    framing: str | None = None


def result_of(state: GameState, chair: str) -> GameResult:
    return GameResult(
        scores=dict(state.history[-1].scores) if state.history else {},
        rounds=tuple(dict(h.scores) for h in state.history),
        goals=dict(state.goals),
        chair=chair,
        card=state.politician_card_played,
        adopted_how=state.adopted_how,
        options=tuple(c.option for c in state.choices),
        played=frozenset(i.card for i in state.table.values() if i.card),
        adopted=package_cards(state),
        moves=frozenset(m.move for m in state.moves),
        framing=state.framing,
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
    setups = game_setups(scenario, games, seed)
    for style in styles:
        results = []
        for n, (seats, game_seed) in enumerate(setups):
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


# --- the figures GAME.md asks of the scores -----------------------------------------------

SATURATED = 0.05  # at most this share of games may end at 100
TOP_P90 = 95.0  # ... and the 90th percentile stays at or below this
MIDDLE = (40.0, 65.0)  # a naive table's median, every score
MIXED_BAND = 10.0  # a mixed chair's median within this of the naive one
SEPARATION = 10.0  # the recommended style's median above naive...
AHEAD = 0.75  # ... and ahead of naive in at least this share of paired games
LESSONS = {"ownership": ("facilitator", 15.0), "innovation": ("catalyst", 10.0)}  # over sovereign
CARD_COST = (-25.0, -15.0)  # ownership, card against revising, paired on the same proposal
CARD_GOAL_GAIN = 0.25  # the card may raise the chair's goal by at most this over revising
OVERRULE_COST = -10.0  # ownership, adopting over objections against revising, at most
GOALS = (0.2, 0.8)  # each role's secret goal met in this share of mixed games
JUMP = 40.0  # the largest round-to-round change of the median game
OPTION_SHARE = 0.9  # no dilemma option chosen in more games than this

RECOMMENDED: dict[str, str] = {"ownership": "facilitator", "innovation": "catalyst"}


@dataclass(frozen=True)
class Check:
    """One figure, its target, and whether it was met."""

    kind: str
    subject: str
    value: float
    target: str
    ok: bool
    # The target's bounds, for a report that words them in its own language and units.
    low: float | None = None
    high: float | None = None


def _check(kind: str, subject: str, value: float, low: float | None, high: float | None) -> Check:
    ok = (low is None or value >= low) and (high is None or value <= high)
    if low is not None and high is not None:
        target = f"{low:g}..{high:g}"
    else:
        target = f">= {low:g}" if low is not None else f"<= {high:g}"
    return Check(kind, subject, round(value, 3), target, ok, low, high)


def _median(results: Sequence[GameResult], name: str) -> float:
    values = finals(results, name)
    return statistics.median(values) if values else 0.0


def _mean(results: Sequence[GameResult], name: str) -> float:
    values = finals(results, name)
    return statistics.fmean(values) if values else 0.0


def saturation_checks(runs: Runs) -> list[Check]:
    out: list[Check] = []
    for style, results in runs.styles.items():
        for name in SCORE_NAMES:
            spread = Stats.of(finals(results, name))
            if not spread.values:
                continue
            at_100 = spread.share_at_least(AT_100)
            out.append(_check("at_100", f"{name}/{style}", at_100, None, SATURATED))
            out.append(_check("p90", f"{name}/{style}", spread.percentile(0.9), None, TOP_P90))
    return out


def level_checks(runs: Runs) -> list[Check]:
    naive, mixed = runs.styles.get("naive"), runs.styles.get("mixed")
    out: list[Check] = []
    for name in SCORE_NAMES:
        if naive:
            out.append(_check("naive_median", name, _median(naive, name), *MIDDLE))
        if naive and mixed:
            gap = _median(mixed, name) - _median(naive, name)
            out.append(_check("mixed_vs_naive", name, gap, -MIXED_BAND, MIXED_BAND))
    return out


def separation_checks(runs: Runs) -> list[Check]:
    """The styles the game recommends lift their score over a naive chair, paired by game,
    and the old lessons hold against a sovereign chair."""
    out: list[Check] = []
    naive = runs.styles.get("naive")
    for name, style in RECOMMENDED.items():
        results = runs.styles.get(style)
        if not naive or not results:
            continue
        gap = _median(results, name) - _median(naive, name)
        out.append(_check("median_over_naive", f"{name}/{style}", gap, SEPARATION, None))
        ahead = ahead_share(results, naive, name)
        out.append(_check("ahead_of_naive", f"{name}/{style}", ahead, AHEAD, None))
    sovereign = runs.styles.get("sovereign")
    if sovereign:
        others = [_median(r, "ownership") for s, r in runs.styles.items() if s != "sovereign"]
        margin = min(others, default=0.0) - _median(sovereign, "ownership")
        out.append(_check("sovereign_lowest", "ownership", margin, 0.0, None))
        for name, (style, gap) in LESSONS.items():
            if style in runs.styles:
                lead = _mean(runs.styles[style], name) - _mean(sovereign, name)
                out.append(_check("over_sovereign", f"{name}/{style}", lead, gap, None))
    return out


@dataclass(frozen=True)
class CardEffect:
    """What the politician card and overruling do, against revising the same proposal, over
    the forks (games whose chair met objections, played on three ways from there)."""

    forks: int
    card_ownership: float  # mean ownership with the card, less with a revision
    overrule_ownership: float  # mean ownership adopting over the objections, less revising
    chair_card: float  # the chair's secret goal met, with the card
    chair_overrule: float
    chair_revise: float


def card_effect(runs: Runs) -> CardEffect | None:
    forks = runs.forks
    if not forks:
        return None

    def own(fork: Fork, how: str) -> float:
        return fork.branches[how].scores.get("ownership") or 0.0

    def chair(how: str) -> float:
        return statistics.fmean(
            f.branches[how].goals.get(f.branches[how].chair, False) for f in forks
        )

    return CardEffect(
        forks=len(forks),
        card_ownership=statistics.fmean(own(f, "card") - own(f, "revise") for f in forks),
        overrule_ownership=statistics.fmean(own(f, "overrule") - own(f, "revise") for f in forks),
        chair_card=chair("card"),
        chair_overrule=chair("overrule"),
        chair_revise=chair("revise"),
    )


def card_checks(runs: Runs) -> list[Check]:
    """The politician card and overruling, against revising, on the same proposal."""
    effect = card_effect(runs)
    if effect is None:
        return []
    return [
        _check("card_cost", "ownership", effect.card_ownership, *CARD_COST),
        _check(
            "card_goal_gain", "chair", effect.chair_card - effect.chair_revise, None, CARD_GOAL_GAIN
        ),
        _check("overrule_cost", "ownership", effect.overrule_ownership, None, OVERRULE_COST),
    ]


def content_checks(runs: Runs) -> list[Check]:
    """Secret goals within reach but not given away, and dilemmas that are real choices,
    under a mixed chair."""
    mixed = runs.styles.get("mixed", [])
    out: list[Check] = []
    roles = sorted({r for game in mixed for r in game.goals})
    for role in roles:
        met = [game.goals[role] for game in mixed if role in game.goals]
        out.append(_check("goal_met", role, sum(met) / len(met), *GOALS))
    counts: dict[str, int] = {}
    for game in mixed:
        for option in set(game.options):
            counts[option] = counts.get(option, 0) + 1
    for option, count in sorted(counts.items()):
        out.append(_check("option_chosen", option, count / len(mixed), None, OPTION_SHARE))
    return out


def jump_checks(runs: Runs) -> list[Check]:
    return [
        _check(
            "round_jump", f"{name}/{style}", largest_jump(median_game(results, name)), None, JUMP
        )
        for style, results in runs.styles.items()
        for name in SCORE_NAMES
    ]


def teaching_checks(runs: Runs) -> list[Check]:
    """Every figure of GAME.md's "Scores must tell play apart", for these runs."""
    return [
        *saturation_checks(runs),
        *level_checks(runs),
        *separation_checks(runs),
        *card_checks(runs),
        *content_checks(runs),
        *jump_checks(runs),
    ]
