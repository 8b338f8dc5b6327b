"""Which loaded rooms an instance lets go of: games that ended, that nobody is connected to
and nobody has asked for in a while.

Without this, a long-running server kept every game it had ever run in memory: at 300
busy tables, whose games end and start again about once a minute, RSS grew by some 9 MB a
minute (bench/RESULTS.md, "The soak"). A room let go of is loaded again from its event
log if anyone asks for it later (a debrief, an export, a player coming back), so nothing
is lost but a replay of a finished game's log.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Protocol

# Well above how often a facilitator's console asks for its workshop's rooms (every few
# seconds), so the rooms of a workshop someone is looking at stay loaded.
KEPT_SECONDS = 120.0
# Looked at often and a few at a time, so the rooms that came due are freed in small
# batches: a look every 30 s let go of some 180 rooms at once at 300 busy tables and
# stopped the event loop for 35 to 55 ms (bench/RESULTS.md, "The soak"); a workshop's
# tables that all end together would do the same. A look walks the loaded rooms (under a
# millisecond for a thousand), and only when a room is loaded.
LOOK_SECONDS = 1.0
MOST_PER_LOOK = 16


class _GameState(Protocol):
    @property
    def status(self) -> str: ...


class Loaded(Protocol):
    """What retention reads of a room."""

    @property
    def state(self) -> _GameState | None: ...

    @property
    def connections(self) -> Collection[object]: ...  # any live socket keeps the room


class Retention:
    """When each room was last asked for; which ended rooms are due to be let go."""

    def __init__(
        self, kept_seconds: float = KEPT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.kept_seconds = kept_seconds
        self.clock = clock
        self._asked: dict[str, float] = {}
        self._next_look = 0.0

    def asked(self, table_id: str) -> None:
        self._asked[table_id] = self.clock()

    def due(
        self, rooms: Mapping[str, Loaded], held: Callable[[str], bool] = lambda _: False
    ) -> list[str]:
        """The rooms to let go of now, at most MOST_PER_LOOK of them (the rest at the next
        looks); none if the last look was less than LOOK_SECONDS ago (so a server loading
        many rooms does not walk them all each time).

        `held` names rooms the caller still needs for another reason (a lease to release,
        a catch-up running)."""
        now = self.clock()
        if now < self._next_look:
            return []
        self._next_look = now + LOOK_SECONDS
        due = (
            table_id
            for table_id, room in rooms.items()
            if room.state is not None
            and room.state.status == "ended"
            and not room.connections
            and now - self._asked.get(table_id, now) >= self.kept_seconds
            and not held(table_id)
        )
        return list(itertools.islice(due, MOST_PER_LOOK))

    def forget(self, table_ids: Iterable[str]) -> None:
        for table_id in table_ids:
            self._asked.pop(table_id, None)
