"""The bounded cache every server-side cache uses (app/rooms/lru.py)."""

from __future__ import annotations

import pytest

from app.rooms.lru import Lru


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: Lru[str, int] = Lru(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)

    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    assert len(cache) == 2


def test_it_never_holds_more_than_its_bound() -> None:
    cache: Lru[int, int] = Lru(32)
    for i in range(1000):
        cache.put(i, i)
    assert len(cache) == 32
    assert [k for k, _ in cache.items()] == list(range(968, 1000))


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        Lru(0)
