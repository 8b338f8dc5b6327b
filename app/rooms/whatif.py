"""The debrief's "what if" replays, worked out away from the live tables.

A what-if plays tens of games. Run on the server's event loop, or in a thread holding the
interpreter's lock, it would hold up every live table for as long; so it runs in a worker
process of its own (one: a workshop's laptop has few cores and the tables come first),
started on the first request. Results are kept per (table, its last seq, round, style,
games, language): a finished table's log no longer changes, so an answer stays right,
and a group that goes back to a round it looked at gets it at once. At most
`CACHE_ENTRIES` answers are kept, the least recently asked dropped first.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from app.engine.events import event_from_dict
from app.engine.rules import Rules
from app.engine.whatif import observed_cast, what_if
from app.rooms.lru import Lru
from app.scenarios import library

CACHE_ENTRIES = 512
# Replays per what-if unless asked otherwise: the debrief's and the export's.
WHATIF_GAMES = 50
# Scenarios a worker keeps parsed: a workshop plays one or two.
WORKER_RULES = 8


@dataclass(frozen=True, slots=True)
class WhatIfRequest:
    """Everything a worker needs: plain data, so it crosses to the process as it is."""

    table_id: str
    seq: int  # the table's last event: the log up to here is the input
    scenario_hash: str
    scenario_text: str
    scenario_id: str
    events: tuple[dict[str, Any], ...]
    bot_seats: frozenset[str]
    round: int
    style: str
    games: int
    lang: str

    @property
    def key(self) -> tuple[str, int, int, str, int, str]:
        return (self.table_id, self.seq, self.round, self.style, self.games, self.lang)


@lru_cache(maxsize=WORKER_RULES)
def _rules(scenario_hash: str, text: str, scenario_id: str) -> Rules:
    return Rules(library.parse(text, f"{scenario_id}.yaml"))


def compute(request: WhatIfRequest) -> dict[str, Any]:
    """The what-if as JSON-ready data (runs in the worker; also callable in-process)."""
    rules = _rules(request.scenario_hash, request.scenario_text, request.scenario_id)
    events = [event_from_dict(e) for e in request.events]
    final = rules.replay(events)
    cast = observed_cast(rules, final, events, request.bot_seats)
    result = what_if(rules, events, cast, request.round, request.style, request.games, request.lang)
    return asdict(result)


class WhatIfs:
    """The worker and the answers it gave."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._answers: Lru[tuple[str, int, int, str, int, str], dict[str, Any]] = Lru(CACHE_ENTRIES)
        self._running: dict[
            tuple[str, int, int, str, int, str], asyncio.Future[dict[str, Any]]
        ] = {}

    def cached(self, key: tuple[str, int, int, str, int, str]) -> dict[str, Any] | None:
        return self._answers.get(key)

    async def run(self, request: WhatIfRequest) -> dict[str, Any]:
        """The answer for `request`: kept, being worked out for someone else, or new."""
        key = request.key
        kept = self.cached(key)
        if kept is not None:
            return kept
        running = self._running.get(key)
        if running is None:
            loop = asyncio.get_running_loop()
            running = asyncio.ensure_future(loop.run_in_executor(self._worker(), compute, request))
            self._running[key] = running
            running.add_done_callback(lambda _f: self._running.pop(key, None))
        answer: dict[str, Any] = await asyncio.shield(running)
        self._answers.put(key, answer)
        return answer

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the server has threads (the paced collector, the
            # database driver's) that a fork would copy mid-step.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
