"""Balance reports for the console's scenario editor, worked out away from the live tables.

A report plays a scenario's games once per chair style (`app/authoring/balance.py`): a few
seconds of pure computation. On the event loop, or in a thread holding the interpreter's
lock, it would hold up every live table for as long; so it runs in a worker process of its
own (one: a trainer's laptop has two cores and the tables come first), started on the first
request. At most `MAX_IN_FLIGHT` reports are running or waiting at a time; beyond that the
request is refused at once (`Busy`) instead of piling up behind each other. The same text
asked again with the same settings is answered from the last `CACHE_ENTRIES` reports.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from app.authoring import balance
from app.i18n import FALLBACK_LANGUAGE
from app.scenarios.library import content_hash
from app.scenarios.loader import load_scenario_text

# Games per chair style: the CLI's default is 200 (about 9 s on a laptop core); the console
# asks for fewer unless told, and never more than the CLI's default.
DEFAULT_GAMES = 100
MAX_GAMES = balance.DEFAULT_GAMES
MIN_GAMES = 10
MAX_IN_FLIGHT = 2
CACHE_ENTRIES = 16

Key = tuple[str, int, int, str, str, str]


class Busy(RuntimeError):
    """Too many reports are being worked out already."""


class Unusable(ValueError):
    """The text has errors: no games can be played with it."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """Everything the worker needs: plain data, so it crosses to the process as it is."""

    text: str
    filename: str
    games: int
    seed: int
    language: str | None  # the case's language for its titles; None: its first
    words: str = FALLBACK_LANGUAGE  # the report's own words: da or en

    @property
    def key(self) -> Key:
        return (
            content_hash(self.text),
            self.games,
            self.seed,
            self.language or "",
            self.filename,
            self.words,
        )


def compute(request: ReportRequest) -> dict[str, Any]:
    """The report as text, as HTML and as data, in the request's words (runs in the worker;
    also callable in-process)."""
    result = load_scenario_text(request.text, request.filename)
    if result.scenario is None or result.errors:
        raise Unusable(f"{request.filename} has errors; fix them before asking for a report")
    scenario = result.scenario
    runs = balance.run_all(scenario, request.games, request.seed)
    report = balance.build_report(
        scenario, runs, result, request.text, request.filename, request.seed, request.language
    )
    return {
        "text": balance.format_report(report, request.words),
        "html": balance.render_html(report, request.words),
        "data": balance.report_to_dict(report, request.words),
    }


class BalanceReports:
    """The worker process, the reports it is working on and the ones it gave."""

    def __init__(self, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._max = max_in_flight
        self._answers: OrderedDict[Key, dict[str, Any]] = OrderedDict()
        self._running: dict[Key, asyncio.Future[dict[str, Any]]] = {}

    async def run(self, request: ReportRequest) -> dict[str, Any]:
        """The report for `request`: kept, being worked out for someone else, or new."""
        key = request.key
        kept = self._answers.get(key)
        if kept is not None:
            self._answers.move_to_end(key)
            return kept
        running = self._running.get(key)
        if running is None:
            if len(self._running) >= self._max:
                raise Busy(
                    f"{len(self._running)} balance reports are being worked out already; "
                    "try again when one is done"
                )
            loop = asyncio.get_running_loop()
            running = asyncio.ensure_future(loop.run_in_executor(self._worker(), compute, request))
            self._running[key] = running
            running.add_done_callback(lambda _f: self._running.pop(key, None))
        # Shielded: a browser that goes away does not cancel a report another one awaits.
        answer: dict[str, Any] = await asyncio.shield(running)
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > CACHE_ENTRIES:
            self._answers.popitem(last=False)
        return answer

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: the server has threads a fork would copy mid-step.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


REPORTS = BalanceReports()
