"""Reading a state: the leading package, the scores with their reasons, conditions, profiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.engine import scoring
from app.engine.catalog import Catalog
from app.engine.events import Reason, TableIdea
from app.engine.state import GameState
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
    """Each score and the parts it is made of, in score points.

    A score's parts add up to it: its base parts (the formula) and `effects`, what the
    effects played so far (and the politician card) moved it from its base.
    """

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


def proposer_seats(state: GameState, catalog: Catalog) -> frozenset[str]:
    """The chair's seats: a proposer's own answer to the proposal is not counted."""
    return frozenset(s.id for s in state.seats if s.role == catalog.chair)


def _agreement(state: GameState, catalog: Catalog) -> float | None:
    if state.latest_consensus == "framings":
        items = tuple(f.id for f in state.framings)
        rankings = tuple(tuple(r) for r in state.framing_rankings.values())
        return _ranking_consensus(rankings, items)
    if state.latest_consensus == "ideas":
        live = state.live_ideas()
        alive = set(live)
        ideas = tuple(tuple(i for i in r if i in alive) for r in state.idea_rankings.values())
        return _ranking_consensus(ideas, tuple(live))
    if state.latest_consensus == "votes":
        chair = proposer_seats(state, catalog)
        votes = [v for seat, v in state.votes.items() if seat not in chair]
        return scoring.vote_consensus(votes.count("accept"), votes.count("live_with"), len(votes))
    return None


def _with_effects(base_parts: dict[str, float], points: float) -> tuple[float, dict[str, float]]:
    base = sum(base_parts.values())
    score = scoring.clamp(scoring.toward_bound(base, points))
    return score, {**base_parts, "effects": score - base}


# How much of an objector's stake an adoption over its objection takes. All of it where the
# chair adopted over the objection without revising: the collaboration simply ignored it.
# Half where the chair first revised to meet the objections, or the clock decided, and
# half with the politician card, whose own penalty is the rest of its price: the chair
# openly takes the decision and answers for it.
OVERRULING: dict[str, float] = {
    "overruled": 1.0,
    "politician_card": 0.5,
    "dissent": 0.5,
    "time_up": 0.5,
}


def role_answers(state: GameState, catalog: Catalog) -> dict[str, tuple[float, float]]:
    """Per seated role: its seats' mean answer to the proposal (0..1; 0.5 before anyone
    was asked) and how far it was overruled: the share of its seats objecting to what was
    adopted, in full where the chair adopted over them (`OVERRULING`), half where the chair
    had revised to meet them or time ran out."""
    chair = proposer_seats(state, catalog)
    adopted_over = OVERRULING.get(state.adopted_how or "", 0.0)
    out: dict[str, tuple[float, float]] = {}
    for role in state.seated_roles:
        seats = [s.id for s in state.seats if s.role == role]
        if role == catalog.chair:
            out[role] = (1.0 if state.proposal is not None else 0.5, 0.0)
            continue
        values = [
            scoring.ANSWER_VALUES[state.votes[s]] if s in state.votes else 0.5
            for s in seats
            if s not in chair
        ]
        objected = sum(1 for s in seats if state.votes.get(s) == "object")
        answer = sum(values) / len(values) if values else 0.5
        out[role] = (answer, adopted_over * objected / len(seats) if seats else 0.0)
    return out


OWNERSHIP_PARTS: tuple[str, ...] = ("voice", "influence", "trust", "answers")


def _ownership_parts(
    state: GameState, catalog: Catalog, package: list[TableIdea]
) -> dict[str, float]:
    w = catalog.scenario.scoring.ownership
    weights = {"voice": w.voice, "influence": w.influence, "trust": w.trust, "answers": w.answers}
    total = sum(weights.values())
    roles = state.seated_roles
    # Whose outcome it is: the committee the chair leads. The chair's own stake is high
    # whatever it does, so it is left out of the mean (it still counts where the others
    # are compared with it: a chair who says everything lowers their voice).
    owners = [r for r in roles if r != catalog.chair] or list(roles)
    k = len(owners)
    if k == 0:
        return dict.fromkeys((*OWNERSHIP_PARTS, "overruled"), 0.0)
    answers = role_answers(state, catalog)
    values = {
        "voice": scoring.voice(state.contributions, roles),
        "influence": scoring.influence([i.contributors for i in package], roles),
        "trust": {r: scoring.trust_earned(state.trust_earned.get(r, 0)) for r in roles},
        "answers": {r: answers[r][0] for r in roles},
    }
    parts = {
        name: 100.0 * weights[name] / total * sum(values[name][r] for r in owners) / k
        for name in OWNERSHIP_PARTS
    }
    # An overruled role loses its stake (all or half of it, see OVERRULING), whatever it
    # put in.
    parts["overruled"] = (
        -100.0
        / k
        * sum(
            scoring.stake(
                [values[n][r] for n in OWNERSHIP_PARTS], [weights[n] for n in OWNERSHIP_PARTS]
            )
            * answers[r][1]
            for r in owners
        )
    )
    return parts


def breakdown(state: GameState, catalog: Catalog) -> Breakdown:
    cfg = catalog.scenario.scoring
    package = [state.table[i] for i in leading_package(state, catalog) if i in state.table]
    adjust = state.score_adjust

    agreement = _agreement(state, catalog)
    consensus: float | None = None
    consensus_parts = {"agreement": 0.0, "effects": 0.0}
    if agreement is not None:
        consensus, consensus_parts = _with_effects(
            {"agreement": agreement}, adjust.get("consensus", 0)
        )

    ownership, ownership_parts = _with_effects(
        _ownership_parts(state, catalog, package), adjust.get("ownership", 0)
    )

    bonus = cfg.recombination_bonus / 100.0
    innovation: float | None = None
    innovation_parts = {"novelty": 0.0, "recombination": 0.0, "effects": 0.0}
    if package:
        k = len(package)
        base = {
            "novelty": 100.0
            * sum(scoring.idea_innovation(i.novelty, False, bonus) for i in package)
            / k,
            "recombination": 100.0 * bonus * sum(_recombined(i) for i in package) / k,
        }
        innovation, innovation_parts = _with_effects(base, adjust.get("innovation", 0))
    return Breakdown(
        scores={"consensus": consensus, "ownership": ownership, "innovation": innovation},
        parts={
            "consensus": consensus_parts,
            "ownership": ownership_parts,
            "innovation": innovation_parts,
        },
    )


def _recombined(idea: TableIdea) -> bool:
    return len(set(idea.contributors)) > 1


# A change smaller than this (in points, 0..100) is worded "held steady". The arrow the
# players see in the default arrows mode is read from the reason (`trend`), so the two
# can never disagree: no "rose because …" under a flat arrow, no up arrow over a score
# measured for the first time.
STEADY = 0.5
_NO_CHANGE = (".none", ".unanswered", ".first", ".steady")


def trend(reason: Reason) -> str:
    """The arrow for a score: up or down only where its reason names a change."""
    if reason.code.endswith(_NO_CHANGE):
        return "flat"
    return "up" if reason.delta > 0 else "down"


def reasons(
    before: Breakdown | None,
    after: Breakdown,
    state: GameState,
) -> tuple[Reason, ...]:
    """One reason per score: what moved it most in the direction it moved.

    A round's change splits exactly into what this round's effects did (the score with
    them against the score without them, on the same base) and what the formula's parts
    did (the rest, shared among the parts by how much each changed). The reason names the
    biggest share that points the way the score went, so a move is never credited with a
    change its effect did not make. A score measured for the first time has no change.
    """
    out: list[Reason] = []
    for name in SCORE_NAMES:
        new = after.scores[name]
        if new is None:
            out.append(Reason(name, f"{name}.{_unmeasured(name, state)}", 0.0))
            continue
        old = before.scores[name] if before else None
        if old is None:
            # Measured for the first time (no rankings, answers or package before): it did
            # not rise from 0, so no change is credited to anything.
            out.append(Reason(name, f"{name}.first", 0.0))
            continue
        delta = new - old
        shares = _shares(name, before, after, state, delta)
        same_way = [(abs(v), key) for key, v in shares.items() if v * delta > 0]
        if abs(delta) < STEADY or not same_way:
            out.append(Reason(name, f"{name}.steady", round(delta, 1)))
            continue
        _, (part, subject) = max(same_way)
        out.append(Reason(name, f"{name}.{part}", round(delta, 1), subject))
    return tuple(out)


def _unmeasured(name: str, state: GameState) -> str:
    """Why a score has no value: nothing to measure yet, or, for consensus, a package
    adopted (by the politician card or the clock) before anyone answered it, as after a
    revision: the answers to the first proposal no longer count, and none came after."""
    if name == "consensus" and state.latest_consensus == "votes" and state.adopted_how:
        return "unanswered"
    return "none"


def _shares(
    name: str, before: Breakdown | None, after: Breakdown, state: GameState, delta: float
) -> dict[tuple[str, str | None], float]:
    """The change of one score, split among this round's effect sources and the base parts."""
    parts = after.parts[name]
    base = sum(v for p, v in parts.items() if p != "effects")
    points = state.score_adjust.get(name, 0)
    round_points: dict[str, int] = {}
    for score, source, p in state.round_adjust:
        if score == name:
            round_points[source] = round_points.get(source, 0) + p
    added = sum(round_points.values())
    new_effects = 0.0
    if added:
        without = scoring.clamp(scoring.toward_bound(base, points - added))
        new_effects = (after.scores[name] or 0.0) - without
    shares: dict[tuple[str, str | None], float] = {}
    if added:
        for source, p in round_points.items():
            shares[("effects", source)] = new_effects * p / added
    rest = delta - new_effects
    old_parts = before.parts[name] if before else {}
    changes = {p: v - old_parts.get(p, 0.0) for p, v in parts.items() if p != "effects"}
    moved = sum(changes.values())
    for part, change in changes.items():
        share = (
            rest * change / moved
            if abs(moved) > 1e-9
            else (rest if part == next(iter(changes)) else 0.0)
        )
        shares[(part, _subject(part, name, state, share))] = share
    return shares


def _subject(part: str, score: str, state: GameState, share: float) -> str | None:
    if part == "trust" and state.round_trust_sources:
        same_way = [(abs(d), s) for s, d in state.round_trust_sources.items() if d * share > 0]
        return max(same_way)[1] if same_way else None
    if part == "agreement":
        return state.latest_consensus
    if part == "overruled":
        return state.adopted_how
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
            # A role nobody sat in has no trust meter: the condition does not hold, as a
            # score that is n/a does not (read as 0, "trust below 2" named an empty seat).
            meter = state.trust.get(role)
            return _compare(None if meter is None else float(meter), below, at_least)
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


def package_cards(state: GameState) -> frozenset[str]:
    """The idea cards in the final package, including those its ideas were built upon."""
    cards: set[str] = set()
    for idea_id in state.final_package or ():
        current = state.table.get(idea_id)
        while current is not None:
            if current.card:
                cards.add(current.card)
            current = state.table.get(current.base) if current.base else None
    return frozenset(cards)


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
