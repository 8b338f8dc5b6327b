"""The debrief's "what if" replays, worked out away from the live tables (app/offload.py).

A what-if plays tens of games. Results are kept per (table, its last seq, round, style,
games, language): a finished table's log no longer changes, so an answer stays right,
and a group that goes back to a round it looked at gets it at once. At most
`CACHE_ENTRIES` answers are kept, the least recently asked dropped first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from app.engine.events import event_from_dict
from app.engine.rules import Rules
from app.engine.whatif import observed_cast, what_if
from app.offload import Offloaded
from app.scenarios import library

CACHE_ENTRIES = 512
# Replays per what-if unless asked otherwise: the debrief's and the export's.
WHATIF_GAMES = 50
# Scenarios a worker keeps parsed: a workshop plays one or two.
WORKER_RULES = 8

WhatIfKey = tuple[str, int, int, str, int, str]


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
    def key(self) -> WhatIfKey:
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


class WhatIfs(Offloaded[WhatIfKey, WhatIfRequest]):
    """The worker and the answers it gave."""

    def __init__(self) -> None:
        super().__init__(compute, lambda request: request.key, CACHE_ENTRIES)
