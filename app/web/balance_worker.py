"""Balance reports for the console's scenario editor, worked out away from the live tables
(app/offload.py).

A report plays a scenario's games once per chair style (`app/authoring/balance.py`): a few
seconds of pure computation. At most `MAX_IN_FLIGHT` reports are running or waiting at a
time; beyond that the request is refused at once (`Busy`). The same text asked again with
the same settings is answered from the last `CACHE_ENTRIES` reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.authoring import balance
from app.i18n import FALLBACK_LANGUAGE
from app.offload import Offloaded
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


class BalanceReports(Offloaded[Key, ReportRequest]):
    """The worker process, the reports it is working on and the ones it gave."""

    def __init__(self, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        super().__init__(compute, lambda request: request.key, CACHE_ENTRIES, max_in_flight)


REPORTS = BalanceReports()
