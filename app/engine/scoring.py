"""The score formulas, as pure functions over plain values.

Each function is one formula of `docs/scoring.md`; the rules module gathers the inputs
from the game state, so every formula can be tested for its properties on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

Ranking = Sequence[str]


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def rank_vector(ranking: Ranking, items: Sequence[str]) -> list[float]:
    """Ranks 1..n for `items`; items the player left out share the mean of the ranks left.

    Names in the ranking that are not among `items` are ignored (they take no rank).
    """
    return _rank_vector(ranking, items, set(items))


def _rank_vector(ranking: Ranking, items: Sequence[str], known_items: set[str]) -> list[float]:
    """`rank_vector` with the items also as a set: a caller ranking many rows builds it once."""
    known = [item for item in ranking if item in known_items]
    position = {item: i + 1 for i, item in enumerate(known)}
    ranked = len(position)
    tied_rank = (ranked + 1 + len(items)) / 2
    return [float(position[item]) if item in position else tied_rank for item in items]


def _tie_term(ranks: Sequence[float]) -> float:
    counts = Counter(ranks)  # counted in C: a ranking of the ideas has a long tied tail
    return float(sum(t**3 - t for t in counts.values() if t > 1))


def kendall_w(rankings: Sequence[Ranking], items: Sequence[str]) -> float | None:
    """Kendall's coefficient of concordance with the tie correction; None when undefined."""
    m, n = len(rankings), len(items)
    if m < 2 or n < 2:
        return None
    known_items = set(items)
    matrix = [_rank_vector(r, items, known_items) for r in rankings]
    # Column sums, each added in row order as before (the same float result).
    sums: list[float] = [sum(column) for column in zip(*matrix, strict=True)]
    mean = sum(sums) / n
    s = sum((x - mean) ** 2 for x in sums)
    denominator = m * m * (n**3 - n) - m * sum(_tie_term(row) for row in matrix)
    if denominator <= 0:
        return None
    return min(1.0, 12 * s / denominator)


def ranking_consensus(rankings: Sequence[Ranking], items: Sequence[str]) -> float | None:
    """Kendall's W rescaled to the mean Spearman correlation, floored at 0, as 0..100."""
    w = kendall_w(rankings, items)
    if w is None:
        return None
    m = len(rankings)
    return 100.0 * max(0.0, (m * w - 1) / (m - 1))


def vote_consensus(accept: int, live_with: int, voters: int) -> float | None:
    """(accept + ½·can-live-with) / voters, as 0..100."""
    if voters <= 0:
        return None
    return 100.0 * (accept + 0.5 * live_with) / voters


def borda(rankings: Iterable[Ranking], items: Sequence[str]) -> dict[str, int]:
    """Borda points: first place is worth n, the next n-1, …; an item left out scores 0."""
    n = len(items)
    points = dict.fromkeys(items, 0)
    for ranking in rankings:
        for i, item in enumerate(ranking):
            if item in points:
                points[item] += n - i
    return points


def borda_winner(rankings: Iterable[Ranking], items: Sequence[str]) -> str | None:
    """The item with the most Borda points; ties go to the item listed first."""
    if not items:
        return None
    points = borda(rankings, items)
    return max(items, key=lambda item: (points[item], -items.index(item)))


def toward_bound(base: float, points: float) -> float:
    """A score after effects worth `points`: +p closes p % of the gap to 100, -p removes p %.

    Effects move a score part of the way toward its bound rather than adding points, so
    they never pile up past 100 (or below 0) to be hidden by a clamp: a +5 lifts 40 to
    43 and 90 to 90.5.
    """
    p = max(-100.0, min(100.0, points))
    if p >= 0:
        return clamp(base + (100.0 - base) * p / 100.0)  # clamp: float rounding only
    return clamp(base * (1.0 + p / 100.0))


def _capped_shares(amounts: Mapping[str, float], seated_roles: Sequence[str]) -> dict[str, float]:
    """Each seated role's amount over an even share of the total, capped at 1."""
    total = sum(amounts.get(role, 0.0) for role in seated_roles)
    if total <= 0 or not seated_roles:
        return dict.fromkeys(seated_roles, 0.0)
    even = total / len(seated_roles)
    return {role: min(1.0, amounts.get(role, 0.0) / even) for role in seated_roles}


def voice(contributions: Mapping[str, int], seated_roles: Sequence[str]) -> dict[str, float]:
    """Per seated role: its contributions over those of the role that said most.

    Even contributions give every role 1; a silent role scores 0, and so does everyone
    else when one role does everything. A dominant voice lowers the others: handling power
    differences is part of ownership.
    """
    counts = {role: contributions.get(role, 0) for role in seated_roles}
    most = max(counts.values(), default=0)
    if most <= 0:
        return dict.fromkeys(seated_roles, 0.0)
    return {role: c / most for role, c in counts.items()}


def influence(package: Sequence[Sequence[str]], seated_roles: Sequence[str]) -> dict[str, float]:
    """Per seated role: its credit in the package over an even share, capped at 1.

    `package` lists each package idea's contributing roles. An idea's credit is split
    evenly among its distinct contributors, so building on an idea shares it rather than
    doubling it.
    """
    credit: dict[str, float] = {}
    seated = set(seated_roles)
    for contributors in package:
        owners = [r for r in dict.fromkeys(contributors) if r in seated]
        for role in owners:
            credit[role] = credit.get(role, 0.0) + 1.0 / len(owners)
    return _capped_shares(credit, seated_roles)


TRUST_STEP = 1 / 3  # each point of trust moves the trust part a third of the way


def trust_earned(points: int) -> float:
    """A role's trust part, 0..1, from the trust others' acts gave it (net, uncapped).

    It starts at 0.5; each point gained moves it a third of the way to 1, each point lost
    a third of the way to 0. So it counts what changed, not where the meter began, and
    keeps telling a fourth point from a third after the meter has hit its top.
    """
    if points >= 0:
        return 1.0 - 0.5 * (1 - TRUST_STEP) ** points
    return 0.5 * (1 - TRUST_STEP) ** -points


ANSWER_VALUES: dict[str, float] = {"accept": 1.0, "live_with": 0.25, "object": 0.0}


def stake(parts: Sequence[float], weights: Sequence[float]) -> float:
    """One role's weighted mix of its ownership parts (each 0..1), as 0..1."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w * p for w, p in zip(weights, parts, strict=True)) / total


def idea_innovation(novelty: int, recombined: bool, bonus: float) -> float:
    """One idea's newness, 0..1: its novelty (0..3) over 3, and a share `bonus` (0..1)
    of the score for being built by more than one role."""
    return (1.0 - bonus) * max(0, min(3, novelty)) / 3.0 + bonus * recombined


def innovation(ideas: Sequence[tuple[int, bool]], bonus: float) -> float | None:
    """The mean `idea_innovation` of a package as 0..100; None for an empty package."""
    if not ideas:
        return None
    return clamp(100.0 * sum(idea_innovation(n, r, bonus) for n, r in ideas) / len(ideas))
