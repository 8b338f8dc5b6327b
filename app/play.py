"""`policymaker play FILE`: one step from a scenario file to a played table.

The file goes to a server the way the console's upload sends it (a workshop created with
the file's text), bots take the seats over the websocket protocol as players would, the
table is started and played to its end, and the scores come back from the table's
debrief, as the debrief page shows them. The server is the caller's (`--url`) or an
embedded one: `policymaker serve` in a child process on a free loopback port, over a
SQLite file in a temporary directory that goes when the server stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.client import ServerError, control, create_workshop, seat_bots, table_debrief
from app.i18n import msg
from app.scenarios.models import SCORE_NAMES, Scenario


@dataclass(frozen=True)
class Played:
    workshop_id: str
    facilitator_url: str
    debrief_url: str
    # score id -> (its name in the language asked for, the final value as the debrief
    # rounds it), in the debrief's order
    scores: dict[str, tuple[str, int]]
    refused: tuple[str, ...]  # a line per bot seat the server would not give


def bot_range(scenario: Scenario) -> tuple[int, int]:
    """The fewest bots that start the table (every role's minimum) and the most it seats."""
    least = sum(role.seats.min for role in scenario.roles)
    return least, max(least, scenario.players.max)


def workshop_language(scenario: Scenario, lang: str) -> str | None:
    """The workshop plays in `lang` when the case has it, else in the case's first."""
    return lang if lang in scenario.languages else None


async def play(
    base: str, text: str, scenario: Scenario, bots: int, lang: str, seed: int = 0
) -> Played:
    """Create a workshop on the file's text, seat `bots` bots, play it, read its debrief."""
    created = await create_workshop(
        base,
        {
            "scenario_text": text,
            "tables": 1,
            "language": workshop_language(scenario, lang),
            # Started below, once every bot is seated: autostart would start the table at
            # the roles' minimum and turn the bots above it away.
            "autostart": False,
        },
    )
    workshop, token = created["workshop_id"], created["facilitator_token"]
    table = created["tables"][0]
    seating = await seat_bots(base, table["code"], bots, seed=seed)
    await seating.play(start=control(base, workshop, token, "start", table["number"]))
    debrief = await table_debrief(base, workshop, token, table["number"], lang)
    return Played(
        workshop_id=workshop,
        facilitator_url=created["facilitator_url"],
        debrief_url=_debrief_url(created["facilitator_url"], workshop, table["number"], token),
        scores=final_scores(debrief),
        refused=tuple(reason.render(lang) for reason in seating.refused),
    )


def _debrief_url(facilitator_url: str, workshop: str, number: int, token: str) -> str:
    # The server's own idea of its address (PUBLIC_URL, a proxy's headers) is in the links
    # it makes; the debrief page lives beside the facilitator's and reads the same #token.
    base = facilitator_url.split("/facilitator/", 1)[0]
    return f"{base}/debrief/{workshop}/{number}#token={token}"


def final_scores(debrief: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """The last round's scores, named and rounded as the debrief page shows them."""
    last = debrief["scores"][-1]["scores"] if debrief["scores"] else {}
    names = debrief["score_names"]
    return {
        name: (names.get(name, name), round(last[name]))
        for name in SCORE_NAMES
        if last.get(name) is not None
    }


def scores_line(played: Played) -> str:
    return " · ".join(f"{name} {value}" for name, value in played.scores.values())


@contextlib.contextmanager
def embedded_server() -> Iterator[str]:
    """`policymaker serve` on a free loopback port over a fresh SQLite file (the child the
    benchmark starts), stopped and its directory removed on the way out, Ctrl-C included."""
    from app.bench import spawn_server

    with contextlib.ExitStack() as stack:
        try:
            spawned = stack.enter_context(spawn_server(baseline=False))
        except RuntimeError as exc:
            # The message ends with the server's output; its last line says why.
            why = str(exc).strip().splitlines()[-1]
            raise ServerError(
                msg("the embedded server did not start: {why}", why=why), refused=False
            ) from exc
        yield spawned.base
