"""A mapping that keeps its most recently used entries, up to a bound.

Every cache a long-running server fills from what users send (scenario uploads, what-if
answers, workshops) is one of these, so memory stays bounded however long it runs. The
bounds are listed in docs/operations.md ("Memory").
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError("an LRU cache keeps at least one entry")
        self.bound = bound
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.bound:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._entries.pop(key, None)

    def items(self) -> Iterator[tuple[K, V]]:
        return iter(list(self._entries.items()))

    def __len__(self) -> int:
        return len(self._entries)
