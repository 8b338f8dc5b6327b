"""The score formulas, as pure functions over plain values.

Each function is one formula of `docs/scoring.md`; the rules module gathers the inputs
from the game state, so every formula can be tested for its properties on its own.
"""

from __future__ import annotations

import math
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


def evenness(contributions: Mapping[str, int], seated_roles: Sequence[str]) -> float:
    """Shannon entropy of contributions per seated role over ln k: 1 is perfectly even.

    Dividing by the number of seated roles (not of contributing ones) is what makes a
    silent role lower the score.
    """
    k = len(seated_roles)
    counts = [contributions.get(role, 0) for role in seated_roles]
    total = sum(counts)
    if total == 0:
        return 0.0
    if k < 2:
        return 1.0
    entropy = -sum((c / total) * math.log(c / total) for c in counts if c > 0)
    return entropy / math.log(k)


def coverage(package_roles: Iterable[str], seated_roles: Sequence[str]) -> float:
    """Share of seated roles with an idea of their own (played or built on) in the package."""
    if not seated_roles:
        return 0.0
    present = set(package_roles) & set(seated_roles)
    return len(present) / len(seated_roles)


def mean_trust(trust: Mapping[str, int], seated_roles: Sequence[str], top: int = 5) -> float:
    """Mean trust of the seated roles as 0..1."""
    if not seated_roles:
        return 0.0
    return sum(trust.get(role, 0) for role in seated_roles) / (top * len(seated_roles))


def ownership(
    even: float,
    cover: float,
    trust: float,
    weights: tuple[float, float, float],
) -> float:
    """Weighted mix of evenness, coverage and trust (each 0..1), as 0..100 before adjustments."""
    total = sum(weights)
    mix = (weights[0] * even + weights[1] * cover + weights[2] * trust) / total
    return 100.0 * mix


def innovation(novelties: Sequence[int], recombined: int, bonus: float) -> float:
    """Mean novelty (0..3) of the package as 0..100, plus a bonus per recombined idea."""
    if not novelties:
        return 0.0
    base = 100.0 * (sum(novelties) / len(novelties)) / 3
    return clamp(base + bonus * recombined)
