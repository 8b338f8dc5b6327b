"""Reading a state: the leading package, the scores with their reasons, conditions, profiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.engine import scoring
from app.engine.catalog import Catalog
from app.engine.events import Reason
from app.engine.state import TRUST_MAX, GameState
from app.scenarios.models import (
    LEADERSHIP_STYLES,
    SCORE_NAMES,
    AllCondition,
    AnyCondition,
    Condition,
    EventOptionCondition,
    FramingChosenCondition,
    InterestServedCondition,
    MovePlayedCondition,
    NotCondition,
    PackageIncludesCondition,
    ScoreCondition,
    TrustCondition,
)

RANK_POINTS = (3, 2, 1)


def support(state: GameState) -> dict[str, int]:
    """Points per live table idea from the latest idea rankings: 3 for first, 2, 1."""
    live = state.live_ideas()
    points = dict.fromkeys(live, 0)
    for order in state.idea_rankings.values():
        for i, idea in enumerate(order[: len(RANK_POINTS)]):
            if idea in points:
                points[idea] += RANK_POINTS[i]
    return points


def fallback_package(
    state: GameState, budget: int | None, max_ideas: int | None = None
) -> tuple[str, ...]:
    """The best-supported ideas that fit the budget, as a committee out of time would take."""
    points = support(state)
    live = list(points)  # `support` keys every live idea, in play order
    # The sort is stable and `live` is in play order, so ties keep the idea played first.
    ranked = sorted(live, key=lambda i: -points[i])
    chosen: list[str] = []
    spent = 0
    for idea in ranked:
        cost = state.table[idea].cost
        if max_ideas is not None and len(chosen) >= max_ideas:
            break
        if budget is None or spent + cost <= budget:
            chosen.append(idea)
            spent += cost
    return tuple(chosen)


def leading_package(state: GameState, catalog: Catalog) -> tuple[str, ...]:
    """What the committee would propose now: adopted, else proposed, else best supported."""
    if state.final_package is not None:
        return state.final_package
    if state.proposal is not None:
        return state.proposal
    if state.adopted is not None:
        return state.adopted
    decide = catalog.decide_after(max(state.round_index, 0))
    if decide is None:
        return fallback_package(state, None)
    return fallback_package(state, decide.budget, decide.max_ideas)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Each score and the parts it is made of, in score points."""

    scores: dict[str, float | None]
    parts: dict[str, dict[str, float]]


@lru_cache(maxsize=256)
def _ranking_consensus(
    rankings: tuple[tuple[str, ...], ...], items: tuple[str, ...]
) -> float | None:
    """`scoring.ranking_consensus`, remembered: the rankings behind a game's consensus stay
    the same for several rounds (every round after the frame phase reads the framings'), and
    Kendall's W was close to a tenth of a simulated game when worked out again each round."""
    return scoring.ranking_consensus(rankings, items)


def _consensus(state: GameState) -> tuple[float | None, float]:
    if state.latest_consensus == "framings":
        items = tuple(f.id for f in state.framings)
        rankings = tuple(tuple(r) for r in state.framing_rankings.values())
        return _ranking_consensus(rankings, items), 0.0
    if state.latest_consensus == "ideas":
        live = state.live_ideas()
        alive = set(live)
        ideas = tuple(tuple(i for i in r if i in alive) for r in state.idea_rankings.values())
        return _ranking_consensus(ideas, tuple(live)), 0.0
    if state.latest_consensus == "votes":
        votes = list(state.votes.values())
        return scoring.vote_consensus(
            votes.count("accept"), votes.count("live_with"), len(votes)
        ), 0.0
    return None, 0.0


def breakdown(state: GameState, catalog: Catalog) -> Breakdown:
    scoring_cfg = catalog.scenario.scoring
    package = leading_package(state, catalog)
    ideas = [state.table[i] for i in package if i in state.table]
    roles = state.seated_roles

    agreement, _ = _consensus(state)
    adjust = state.score_adjust
    consensus = None
    if agreement is not None:
        consensus = scoring.clamp(agreement + adjust.get("consensus", 0))

    w = scoring_cfg.ownership
    weights = (w.evenness, w.coverage, w.trust)
    total_w = sum(weights)
    even = scoring.evenness(state.contributions, roles)
    cover = scoring.coverage({r for idea in ideas for r in idea.contributors}, roles)
    trust = scoring.mean_trust(state.trust, roles, TRUST_MAX)
    own_parts = {
        "evenness": 100 * w.evenness * even / total_w,
        "coverage": 100 * w.coverage * cover / total_w,
        "trust": 100 * w.trust * trust / total_w,
        "adjust": float(adjust.get("ownership", 0)),
    }
    ownership = scoring.clamp(
        scoring.ownership(even, cover, trust, weights) + adjust.get("ownership", 0)
    )

    novelties = [i.novelty for i in ideas]
    recombined = sum(1 for i in ideas if len(set(i.contributors)) > 1)
    bonus = float(scoring_cfg.recombination_bonus)
    base = scoring.innovation(novelties, 0, bonus)
    innovation = scoring.clamp(
        scoring.innovation(novelties, recombined, bonus) + adjust.get("innovation", 0)
    )
    return Breakdown(
        scores={"consensus": consensus, "ownership": ownership, "innovation": innovation},
        parts={
            "consensus": {
                "agreement": agreement or 0.0,
                "adjust": float(adjust.get("consensus", 0)),
            },
            "ownership": own_parts,
            "innovation": {
                "novelty": base,
                "recombination": bonus * recombined if novelties else 0.0,
                "adjust": float(adjust.get("innovation", 0)),
            },
        },
    )


def reasons(
    before: Breakdown | None,
    after: Breakdown,
    state: GameState,
) -> tuple[Reason, ...]:
    """One reason per score: the part whose change moved it most, and what caused it."""
    out: list[Reason] = []
    for name in SCORE_NAMES:
        new = after.scores[name]
        old = before.scores[name] if before else None
        delta = (new or 0.0) - (old or 0.0)
        old_parts = before.parts[name] if before else {}
        changes = {p: v - old_parts.get(p, 0.0) for p, v in after.parts[name].items()}
        part = max(changes, key=lambda p: abs(changes[p]))
        if new is None:
            out.append(Reason(name, f"{name}.none", 0.0))
            continue
        if abs(changes[part]) < 0.05:
            out.append(Reason(name, f"{name}.steady", round(delta, 1)))
            continue
        out.append(Reason(name, f"{name}.{part}", round(delta, 1), _subject(part, name, state)))
    return tuple(out)


def _subject(part: str, score: str, state: GameState) -> str | None:
    if part == "adjust":
        sources = [(abs(p), src) for s, src, p in state.round_adjust if s == score]
        return max(sources)[1] if sources else None
    if part == "trust" and state.round_trust_sources:
        return max(state.round_trust_sources, key=lambda s: abs(state.round_trust_sources[s]))
    if part == "agreement":
        return state.latest_consensus
    return None


def holds(
    condition: Condition,
    state: GameState,
    catalog: Catalog,
    package: tuple[str, ...] | None = None,
) -> bool:
    """Whether a scenario condition is true of a (usually finished) game.

    `package` is the final package when the caller knows it before the state does.
    """
    if package is None:
        package = leading_package(state, catalog)
    match condition:
        case ScoreCondition(score=name, below=below, at_least=at_least):
            value = state.history[-1].scores.get(name) if state.history else None
            return _compare(value, below, at_least)
        case TrustCondition(trust=role, below=below, at_least=at_least):
            return _compare(float(state.trust.get(role, 0)), below, at_least)
        case MovePlayedCondition(move_played=move, by=by):
            return any(m.move == move and (by is None or m.role == by) for m in state.moves)
        case EventOptionCondition(event_option=option):
            return any(c.option == option for c in state.choices)
        case PackageIncludesCondition(package_includes=idea):
            return any(_card_in(state, pid, idea) for pid in package)
        case InterestServedCondition(interest_served=interest, at_least=at_least):
            served = sum(state.table[i].serves.get(interest, 0) for i in package)
            return served >= at_least
        case FramingChosenCondition(framing_chosen=framing):
            return state.framing == framing
        case AllCondition(all=parts):
            return all(holds(c, state, catalog, package) for c in parts)
        case AnyCondition(any=parts):
            return any(holds(c, state, catalog, package) for c in parts)
        case NotCondition(not_=inner):
            return not holds(inner, state, catalog, package)
    return False


def _card_in(state: GameState, table_id: str, card: str) -> bool:
    """A card counts as in the package when it is, or was built into, a package idea."""
    idea = state.table.get(table_id)
    while idea is not None:
        if idea.card == card:
            return True
        idea = state.table.get(idea.base) if idea.base else None
    return False


def _compare(value: float | None, below: float | None, at_least: float | None) -> bool:
    if value is None:
        return False
    if below is not None:
        return value < below
    return at_least is not None and value >= at_least


def leadership_profile(state: GameState, role: str) -> dict[str, float]:
    """Share of a role's styled moves and choices per leadership style (0..1)."""
    styles = [m.style for m in state.moves if m.role == role]
    styles += [c.style for c in state.choices if c.role == role and c.seat is not None]
    counted = [s for s in styles if s in LEADERSHIP_STYLES]
    if not counted:
        return dict.fromkeys(LEADERSHIP_STYLES, 0.0)
    return {s: counted.count(s) / len(counted) for s in LEADERSHIP_STYLES}


def package_roles(state: GameState, package: Sequence[str]) -> dict[str, list[str]]:
    """Which roles contributed to each idea of a package."""
    return {i: list(state.table[i].contributors) for i in package if i in state.table}
