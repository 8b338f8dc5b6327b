"""Scenario files from trainers are untrusted input, on a real server.

An uploaded file (POST /api/scenarios/check, and `scenario_text` in POST /api/workshops)
is size-limited, parsed as plain data (no YAML tags, so no object is ever built from a
file; no anchors, so no "billion laughs"; bounded nesting), and refused with errors
located at a line and column; a refusal never sends the upload back. However broken the
files that arrive, games in progress play on.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.engine.state import state_digest
from app.scenarios.loader import MAX_BYTES
from app.scenarios.starter import starter_text
from tests.integration.server import Facilitator, Server, accepted, full_rules, replay, seated

VALID = starter_text("upload-case", ["en"])
# A line of the file that a broken version breaks, and where the error is reported.
BUDGET = "    budget: 4\n"


def broken_files(marker: Path) -> list[tuple[str, str, tuple[int, int], str]]:
    """(name, text, (line, column), start of the message) of broken uploads."""
    budget_line = VALID[: VALID.index(BUDGET)].count("\n") + 1
    return [
        (
            "python object tag",
            f'format: !!python/object/apply:os.system ["touch {marker}"]\n',
            (1, 9),
            "YAML tags like '!!python/object/apply:os.system' are not allowed",
        ),
        (
            "billion laughs",
            'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n',
            (1, 4),
            "anchors and aliases (&name, *name) are not allowed",
        ),
        (
            "deep nesting",
            "a: " + "[" * 60 + "]" * 60 + "\n",
            (1, 43),
            "the file is nested too deeply",
        ),
        ("too large", "#" * (MAX_BYTES + 1), (1, 1), "the file is larger than 1 MiB"),
        ("syntax", "id: x\n  bad: : :\n", (2, 6), "YAML syntax error"),
        (
            "wrong type",
            VALID.replace(BUDGET, "    budget: lots\n"),
            (budget_line, 13),
            "rounds[4].budget: must be a whole number (got 'lots')",
        ),
    ]


KINDS = [kind for kind, *_ in broken_files(Path("pwned"))]


def located(errors: list[dict[str, Any]], message: str) -> dict[str, Any]:
    """The first error (errors come in file order) whose message starts with `message`."""
    matching = [e for e in errors if e["message"].startswith(message)]
    assert matching, (message, errors)
    return matching[0]


@pytest.mark.parametrize("kind", KINDS, ids=[k.replace(" ", "-") for k in KINDS])
async def test_a_broken_upload_is_refused_with_located_errors_and_never_echoed(
    http: httpx.AsyncClient, tmp_path: Path, kind: str
) -> None:
    marker = tmp_path / "pwned"
    name, text, (line, column), message = next(f for f in broken_files(marker) if f[0] == kind)
    # A unique line that no located error has a reason to quote.
    text = text if name == "too large" else text + "# SECRET-" + "x" * 2000 + "\n"

    checked = await http.post("/api/scenarios/check", json={"text": text})
    created = await http.post("/api/workshops", json={"scenario_text": text, "autostart": True})

    assert checked.status_code == 200, (name, checked.text[:500])
    check = checked.json()
    assert check["ok"] is False and check["preview"] is None, name
    # Every error comes in one pass (missing keys too): the one this file is about is among them.
    found = located(check["errors"], message)
    assert (found["line"], found["column"]) == (line, column), check
    assert created.status_code == 422, (name, created.text[:500])
    (error,) = created.json()["detail"]
    assert error["loc"] == ["body", "scenario_text"]
    if name == "too large":  # refused by its length before it is parsed
        assert error["type"] == "string_too_long" and error["ctx"] == {"max_length": MAX_BYTES}
    else:
        assert error["type"] == "scenario_invalid", error
        found = located(error["ctx"]["errors"], message)
        assert (found["line"], found["column"]) == (line, column), error
        assert error["msg"].startswith("the scenario has errors: upload.yaml:"), error
    for answer in (checked, created):
        assert "SECRET-" not in answer.text and "#" * 100 not in answer.text, name
        assert len(answer.content) < 4000, (name, len(answer.content))
    assert not marker.exists(), "a YAML tag ran code"


async def test_a_valid_upload_is_still_taken(http: httpx.AsyncClient) -> None:
    created = await http.post("/api/workshops", json={"scenario_text": VALID})

    assert created.status_code == 201, created.text
    assert created.json()["scenario"] == "upload-case"


async def test_any_refusal_names_the_field_and_never_repeats_the_value(
    http: httpx.AsyncClient,
) -> None:
    name = "N" * 1000
    fac = await Facilitator.create(http)

    joined = await http.post("/api/join", json={"code": fac.code(), "name": name})
    titled = await http.post("/api/workshops", json={"title": name, "unknown": name})

    assert joined.status_code == 422 and titled.status_code == 422
    for answer in (joined, titled):
        assert name not in answer.text, answer.text[:300]
        for error in answer.json()["detail"]:
            assert set(error) <= {"type", "loc", "msg", "ctx"}, error


# --- a running game does not notice ------------------------------------------------------------


async def upload_broken_files(base: str, marker: Path, rounds: int) -> list[int]:
    """Post every kind of broken file, `rounds` times, to both endpoints; the statuses."""
    statuses: list[int] = []
    uploads: list[tuple[str, dict[str, Any]]] = []
    for _name, text, _where, _message in broken_files(marker):
        uploads.append(("/api/scenarios/check", {"json": {"text": text}}))
        uploads.append(("/api/workshops", {"json": {"scenario_text": text}}))
    uploads.append(
        (
            "/api/scenarios/check",
            {
                "content": "title: Café\n".encode("latin-1"),
                "headers": {"Content-Type": "text/yaml"},
            },
        )
    )
    uploads.append(("/api/scenarios/check", {"content": b"#" * (5 * MAX_BYTES)}))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for _ in range(rounds):
            for path, request in uploads:
                statuses.append((await http.post(path, **request)).status_code)
    return statuses


async def play(fac: Facilitator, base: str) -> int:
    """Every seat adds a framing and ranks; the seq of the last ack."""
    last = 0
    async with seated(base, fac) as players:
        for i, player in enumerate(players):
            answer = await player.intent({"type": "add_framing", "text": f"Framing {i}"})
            assert accepted(answer), answer
            last = max(last, answer["seq"])
        for player in players:
            await player.caught_up(last)
        framings = [f["id"] for f in players[0].public["framings"]]
        for player in players:
            answer = await player.intent({"type": "rank_framings", "order": framings[:2]})
            assert accepted(answer), answer
            last = max(last, answer["seq"])
    return last


async def test_a_game_in_progress_plays_on_while_broken_files_pour_in(
    live_server: Server, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    pid = live_server.proc.pid if live_server.proc else None

    statuses, last = await asyncio.gather(
        upload_broken_files(live_server.base, tmp_path / "pwned", rounds=3),
        play(fac, live_server.base),
    )

    assert set(statuses) <= {200, 413, 422}, statuses
    assert statuses.count(413) == 3 and statuses.count(422) == 3 * 6
    assert live_server.proc is not None and live_server.proc.pid == pid
    assert live_server.proc.poll() is None, "the server is still running"
    (table,) = (await fac.status())["tables"]
    log = await fac.log()
    assert table["seq"] == len(log) and log[-1]["seq"] >= last
    assert table["digest"] == state_digest(replay(full_rules(), log))
    assert table["round"] == 1, "every framing ranked: the first round ended on its own"
    assert not (tmp_path / "pwned").exists()
