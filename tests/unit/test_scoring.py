"""The score formulas of `app.engine.scoring`, specified by their properties.

Each test names the behaviour it pins down; see GAME.md, "Scores".
"""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import scoring

ITEM = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=4)
ITEMS = st.lists(ITEM, min_size=2, max_size=8, unique=True)


@st.composite
def ranking_of(draw: st.DrawFn, items: list[str], partial: bool = True) -> tuple[str, ...]:
    """A ranking of some (at least one) or all of `items`, best first."""
    order = draw(st.permutations(items))
    length = draw(st.integers(1, len(items))) if partial else len(items)
    return tuple(order[:length])


@st.composite
def rankings_of_items(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, ...]]]:
    items = draw(ITEMS)
    voters = draw(st.integers(0, 7))
    return items, [draw(ranking_of(items)) for _ in range(voters)]


# --- consensus: Kendall's W rescaled --------------------------------------------------


@settings(max_examples=150)
@given(data=st.data(), voters=st.integers(2, 9))
def test_identical_rankings_give_consensus_exactly_100(data: st.DataObject, voters: int) -> None:
    # Partial rankings included: the items a voter leaves out tie at the mean rank left,
    # and the tie correction makes identical tied rankings concordant too.
    items = data.draw(ITEMS)
    ranking = data.draw(ranking_of(items))
    rankings = [ranking] * voters
    assert scoring.kendall_w(rankings, items) == 1.0
    assert scoring.ranking_consensus(rankings, items) == 100.0


@settings(max_examples=50)
@given(items=ITEMS, voters=st.integers(2, 6))
def test_rankings_that_rank_nothing_leave_consensus_undefined(
    items: list[str], voters: int
) -> None:
    # Everything tied for everyone: there is no ordering to agree on.
    assert scoring.ranking_consensus([()] * voters, items) is None


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_rankings_give_mean_consensus_near_0(seed: int) -> None:
    rng = random.Random(seed)
    items = list("abcdef")
    voters, games = 5, 300
    ws: list[float] = []
    consensus: list[float] = []
    for _ in range(games):
        rankings = [rng.sample(items, len(items)) for _ in range(voters)]
        w = scoring.kendall_w(rankings, items)
        c = scoring.ranking_consensus(rankings, items)
        assert w is not None and c is not None
        ws.append(w)
        consensus.append(c)
    # Raw W of m random rankings is about 1/m, not 0: the reason for the rescaling.
    assert statistics.mean(ws) == pytest.approx(1 / voters, abs=0.05)
    # The rescaled value (mean Spearman correlation) is 0 on average, but consensus
    # floors it at 0, so its mean is E[max(0, X)]: slightly positive (about 5 for 5 voters
    # and 6 items, with a standard error of about 0.5 over 300 draws). Below 10 leaves a
    # wide margin while still failing for an unrescaled W (about 20).
    assert 0 < statistics.mean(consensus) < 10


@settings(max_examples=100)
@given(case=rankings_of_items())
def test_consensus_is_always_within_0_and_100(
    case: tuple[list[str], list[tuple[str, ...]]],
) -> None:
    items, rankings = case
    w = scoring.kendall_w(rankings, items)
    c = scoring.ranking_consensus(rankings, items)
    if w is None:
        assert c is None
    else:
        assert 0.0 <= w <= 1.0
        assert c is not None and 0.0 <= c <= 100.0


@given(items=ITEMS, data=st.data())
def test_kendall_w_of_fewer_than_two_voters_is_none(items: list[str], data: st.DataObject) -> None:
    assert scoring.kendall_w([], items) is None
    one = [data.draw(ranking_of(items))]
    assert scoring.kendall_w(one, items) is None
    assert scoring.ranking_consensus(one, items) is None


def test_kendall_w_of_fewer_than_two_items_is_none() -> None:
    assert scoring.kendall_w([("a",), ("a",)], ["a"]) is None


def test_opposite_rankings_give_consensus_0() -> None:
    items = ["a", "b", "c", "d"]
    assert scoring.kendall_w([items, items[::-1]], items) == 0.0
    assert scoring.ranking_consensus([items, items[::-1]], items) == 0.0


def test_items_left_out_share_the_mean_rank_left() -> None:
    assert scoring.rank_vector(("c", "a"), ["a", "b", "c", "d", "e"]) == [2.0, 4.0, 1.0, 4.0, 4.0]
    # Unknown items in a ranking are ignored.
    assert scoring.rank_vector(("zz", "b"), ["a", "b"]) == [2.0, 1.0]


@given(items=ITEMS, data=st.data(), strangers=st.lists(ITEM, max_size=3))
def test_rank_vectors_always_hold_the_ranks_1_to_n(
    items: list[str], data: st.DataObject, strangers: list[str]
) -> None:
    # Whatever is ranked (names unknown here included), the ranks sum to n(n+1)/2:
    # the precondition of Kendall's W.
    ranking = list(data.draw(ranking_of(items)))
    for name in strangers:
        if name not in items:
            ranking.insert(data.draw(st.integers(0, len(ranking))), name)
    n = len(items)
    assert sum(scoring.rank_vector(ranking, items)) == pytest.approx(n * (n + 1) / 2)


@given(
    accept=st.integers(0, 50),
    live_with=st.integers(0, 50),
    objections=st.integers(0, 50),
)
def test_vote_consensus_is_accept_plus_half_live_with_over_voters(
    accept: int, live_with: int, objections: int
) -> None:
    voters = accept + live_with + objections
    value = scoring.vote_consensus(accept, live_with, voters)
    if voters == 0:
        assert value is None
        return
    assert value == pytest.approx(100 * (accept + 0.5 * live_with) / voters)
    assert value is not None and 0.0 <= value <= 100.0


def test_vote_consensus_extremes() -> None:
    assert scoring.vote_consensus(4, 0, 4) == 100.0
    assert scoring.vote_consensus(0, 4, 4) == 50.0
    assert scoring.vote_consensus(0, 0, 4) == 0.0
    assert scoring.vote_consensus(0, 0, 0) is None


# --- framing choice: Borda --------------------------------------------------------------


def test_borda_points_and_winner() -> None:
    items = ["f0", "f1", "f2"]
    rankings = [("f0", "f1", "f2"), ("f0", "f1", "f2"), ("f2", "f1", "f0"), ("f1", "f2", "f0")]
    rankings.append(("f2", "f1", "f0"))
    assert scoring.borda(rankings, items) == {"f0": 9, "f1": 11, "f2": 10}
    # f1 has the fewest first places but the most points.
    assert scoring.borda_winner(rankings, items) == "f1"


@given(items=ITEMS)
def test_borda_ties_go_to_the_item_listed_first(items: list[str]) -> None:
    assert scoring.borda_winner([], items) == items[0]
    assert scoring.borda_winner([], []) is None


# --- effects move a score part of the way ----------------------------------------------


@given(base=st.floats(0.0, 100.0), points=st.integers(-1000, 1000))
def test_effects_never_push_a_score_out_of_0_to_100(base: float, points: int) -> None:
    assert 0.0 <= scoring.toward_bound(base, points) <= 100.0


@given(base=st.floats(0.0, 99.0), points=st.integers(1, 99))
def test_a_positive_effect_closes_its_share_of_the_gap_to_100(base: float, points: int) -> None:
    lifted = scoring.toward_bound(base, points)
    assert lifted == pytest.approx(base + (100 - base) * points / 100)
    # It never reaches 100 from below: effects do not pile up there.
    assert base < lifted < 100


def test_an_effect_moves_a_high_score_less_than_a_low_one() -> None:
    assert scoring.toward_bound(40, 5) == pytest.approx(43.0)
    assert scoring.toward_bound(90, 5) == pytest.approx(90.5)
    assert scoring.toward_bound(80, -20) == pytest.approx(64.0)


# --- ownership ----------------------------------------------------------------------------

ROLES = st.lists(ITEM, min_size=2, max_size=8, unique=True)


@given(roles=ROLES, data=st.data(), amount=st.integers(1, 100))
def test_one_role_contributing_everything_leaves_every_other_voice_at_0(
    roles: list[str], data: st.DataObject, amount: int
) -> None:
    only = data.draw(st.sampled_from(roles))
    voice = scoring.voice({only: amount}, roles)
    assert voice[only] == 1.0
    assert all(v == 0.0 for r, v in voice.items() if r != only)


@given(roles=ROLES, amount=st.integers(1, 20))
def test_equal_contributions_give_every_role_a_full_voice(roles: list[str], amount: int) -> None:
    assert set(scoring.voice(dict.fromkeys(roles, amount), roles).values()) == {1.0}


def test_a_silent_role_has_no_voice_and_a_dominant_one_lowers_the_rest() -> None:
    assert scoring.voice({"a": 2, "b": 2}, ["a", "b", "c"]) == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert scoring.voice({"a": 4, "b": 2, "c": 1}, ["a", "b", "c"]) == {
        "a": 1.0,
        "b": 0.5,
        "c": 0.25,
    }
    assert scoring.voice({}, ["a", "b"]) == {"a": 0.0, "b": 0.0}


def test_influence_splits_a_combined_idea_among_its_roles() -> None:
    # Two ideas for four roles: an even share is half an idea each.
    influence = scoring.influence([("a",), ("b", "c")], ["a", "b", "c", "d"])
    assert influence == {"a": 1.0, "b": 1.0, "c": 1.0, "d": 0.0}
    # Four ideas for four roles: half of one combined idea is half an even share.
    influence = scoring.influence([("a",), ("a",), ("a",), ("b", "c")], ["a", "b", "c", "d"])
    assert influence == {"a": 1.0, "b": 0.5, "c": 0.5, "d": 0.0}
    # A contributor who is not seated takes no credit.
    assert scoring.influence([("ghost",)], ["a", "b"]) == {"a": 0.0, "b": 0.0}


@given(
    roles=ROLES,
    package=st.lists(st.lists(ITEM, min_size=1, max_size=3), max_size=6),
    counts=st.lists(st.integers(0, 30), min_size=8, max_size=8),
)
def test_voice_and_influence_are_within_0_and_1(
    roles: list[str], package: list[list[str]], counts: list[int]
) -> None:
    parts = [
        scoring.voice(dict(zip(roles, counts, strict=False)), roles),
        scoring.influence(package, roles),
    ]
    assert all(0.0 <= v <= 1.0 for part in parts for v in part.values())


def test_trust_counts_what_others_gave_a_role_part_of_the_way() -> None:
    assert scoring.trust_earned(0) == 0.5
    assert scoring.trust_earned(1) == pytest.approx(1 - 0.5 * 2 / 3)
    assert scoring.trust_earned(-1) == pytest.approx(0.5 * 2 / 3)
    # A fourth point still counts after a meter of 0..5 starting at 3 would be full.
    assert scoring.trust_earned(3) < scoring.trust_earned(4) < 1.0


@given(points=st.integers(-50, 50))
def test_trust_part_is_within_0_and_1_and_rises_with_trust(points: int) -> None:
    value = scoring.trust_earned(points)
    assert 0.0 < value < 1.0
    assert scoring.trust_earned(points + 1) > value


UNIT = st.floats(0.0, 1.0)
WEIGHT = st.floats(0.0, 10.0)


FOUR = {"min_size": 4, "max_size": 4}


@given(parts=st.lists(UNIT, **FOUR), weights=st.lists(WEIGHT, **FOUR))
def test_a_roles_stake_is_within_0_and_1(parts: list[float], weights: list[float]) -> None:
    assert 0.0 <= scoring.stake(parts, weights) <= 1.0 + 1e-9


def test_a_roles_stake_is_its_weighted_parts() -> None:
    assert scoring.stake([1.0, 0.0, 0.0, 0.0], [0.2, 0.25, 0.2, 0.35]) == pytest.approx(0.2)
    assert scoring.stake([1.0, 1.0, 1.0, 1.0], [0.2, 0.25, 0.2, 0.35]) == pytest.approx(1.0)


# --- innovation ---------------------------------------------------------------------------

IDEAS = st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=10)


@given(ideas=IDEAS, bonus=st.floats(0.0, 1.0))
def test_innovation_is_within_0_and_100(ideas: list[tuple[int, bool]], bonus: float) -> None:
    value = scoring.innovation(ideas, bonus)
    if not ideas:
        assert value is None
    else:
        assert value is not None and 0.0 <= value <= 100.0


@given(novelties=st.lists(st.integers(0, 3), min_size=1, max_size=10))
def test_recombination_raises_innovation(novelties: list[int]) -> None:
    apart = scoring.innovation([(n, False) for n in novelties], 0.25)
    together = scoring.innovation([(n, True) for n in novelties], 0.25)
    assert apart is not None and together is not None and together > apart


def test_innovation_weighs_novelty_and_recombination() -> None:
    assert scoring.innovation([(0, False), (3, False)], 0.25) == pytest.approx(37.5)
    # Radical and built by several roles: the most new a package can be.
    assert scoring.innovation([(3, True), (3, True)], 0.25) == 100.0
    assert scoring.innovation([(3, False)], 0.25) == pytest.approx(75.0)
    assert scoring.innovation([], 0.25) is None


@given(value=st.floats(allow_nan=False))
def test_clamp_keeps_values_within_0_and_100(value: float) -> None:
    assert 0.0 <= scoring.clamp(value) <= 100.0
