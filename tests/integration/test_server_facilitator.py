"""The facilitator's HTTP API on a running server: controls, status, exports, removal."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from app.rooms.room import PROTOCOL_VERSION
from tests.integration.server import Facilitator, Player, Server, accepted, online, seated

PASS = {"type": "pass"}


@dataclass
class Table:
    fac: Facilitator
    players: list[Player]


@pytest.fixture
async def lobby(live_server: Server, http: httpx.AsyncClient) -> AsyncIterator[Table]:
    """A workshop that waits for its facilitator, with every seat taken and connected."""
    fac = await Facilitator.create(http, autostart=False)
    async with seated(live_server.base, fac) as players:
        yield Table(fac, players)


@pytest.fixture
async def table(lobby: Table) -> Table:
    """The same table with its game started by the facilitator."""
    (started,) = await lobby.fac.control("start")
    assert started["ok"] is True, started
    for player in lobby.players:
        await player.until(lambda f: f["type"] == "update" and f["seq"] > 0)
    return lobby


def updated(frame: dict[str, object]) -> bool:
    return frame["type"] == "update" and bool(frame["events"])


async def test_a_wrong_or_missing_token_is_refused_and_changes_nothing(
    http: httpx.AsyncClient, lobby: Table
) -> None:
    fac = lobby.fac
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        for method, suffix, body in [
            ("GET", "", None),
            ("POST", "/control", {"command": "start"}),
            ("POST", "/announce", {"text": "hello"}),
            ("GET", "/debrief", None),
            ("GET", "/tables/1/debrief", None),
            ("GET", "/export.csv", None),
            ("GET", "/tables.csv", None),
            ("GET", "/export.json", None),
            ("DELETE", "", None),
        ]:
            response = await http.request(method, fac.path + suffix, json=body, headers=headers)
            assert response.status_code == 401, (method, suffix, headers, response.text)
    wrong_query = await http.get(fac.path, params={"token": "not-the-token"})
    assert wrong_query.status_code == 401

    status = await fac.status()
    assert status["tables"][0]["status"] == "lobby"
    assert status["tables"][0]["seq"] == 0
    player = lobby.players[0]
    await player.send("ping")
    pong = await player.until(lambda f: f["type"] == "pong")
    assert pong == {"v": PROTOCOL_VERSION, "type": "pong", "seq": 0}
    assert not [f for f in player.frames if f["type"] == "announcement"]


async def test_the_token_also_works_as_a_query_parameter(
    http: httpx.AsyncClient, lobby: Table
) -> None:
    response = await http.get(lobby.fac.path, params={"token": lobby.fac.token})
    assert response.status_code == 200


async def test_start_refuses_while_a_role_has_no_player(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=False)
    async with seated(live_server.base, fac, seats=4):
        (result,) = await fac.control("start")
        assert result["ok"] is False
        assert result["code"] == "seats_missing"
        assert (await fac.status())["tables"][0]["status"] == "lobby"


async def test_start_begins_the_game_once_every_seat_is_taken(lobby: Table) -> None:
    assert (await lobby.fac.status())["tables"][0]["status"] == "lobby"

    (result,) = await lobby.fac.control("start")

    assert result == {"table": 1, "ok": True, "code": None, "message": None}
    for player in lobby.players:
        await player.until(updated)
        assert player.public["status"] == "running"
        assert player.public["round"]["index"] == 0
    (again,) = await lobby.fac.control("start")
    assert again["code"] == "already_started"


async def test_pause_refuses_intents_until_resume(table: Table) -> None:
    player = table.players[0]
    (paused,) = await table.fac.control("pause")
    assert paused["ok"] is True
    await player.until_public(lambda public: public["status"] == "paused")

    refused = await player.intent(PASS)
    assert refused["type"] == "error" and refused["code"] == "paused"

    (resumed,) = await table.fac.control("resume")
    assert resumed["ok"] is True
    answer = await player.intent(PASS)
    assert accepted(answer), answer
    assert player.public["status"] == "running"


async def test_extend_adds_seconds_to_the_deadline_everyone_sees(table: Table) -> None:
    player = table.players[0]
    before = player.public["timer"]["deadline"]

    (extended,) = await table.fac.control("extend", seconds=120)

    assert extended["ok"] is True
    await player.until(updated)
    assert player.public["timer"]["deadline"] == pytest.approx(before + 120)


async def test_advance_moves_the_table_to_the_next_round(table: Table) -> None:
    (advanced,) = await table.fac.control("advance")

    assert advanced["ok"] is True
    for player in table.players:
        await player.until_public(lambda public: public["round"]["index"] == 1)
    status = await table.fac.status()
    assert status["tables"][0]["round"] == 1


async def test_end_ends_the_game_for_everyone(table: Table) -> None:
    (ended,) = await table.fac.control("end")

    assert ended["ok"] is True
    for player in table.players:
        await player.until_public(lambda public: public["status"] == "ended")
        assert player.public["final"]["digest"]
    assert (await table.fac.status())["tables"][0]["status"] == "ended"
    refused = await table.players[0].intent(PASS)
    assert refused["type"] == "error"


async def test_an_announcement_reaches_every_connected_client(
    http: httpx.AsyncClient, lobby: Table
) -> None:
    response = await http.post(
        f"{lobby.fac.path}/announce", json={"text": "Ten minutes left"}, headers=lobby.fac.auth
    )

    assert response.status_code == 204
    for player in lobby.players:
        frame = await player.until(lambda f: f["type"] == "announcement")
        assert frame == {"v": PROTOCOL_VERSION, "type": "announcement", "text": "Ten minutes left"}


async def test_status_shows_round_phase_connected_seats_and_scores(table: Table) -> None:
    watcher, away = table.players[0], table.players[-1]
    await away.close()
    await watcher.until_public(lambda public: not online(public, away.joined["seat"]))
    await table.fac.control("advance")
    await watcher.until_public(lambda public: public["round"]["index"] == 1)

    (status,) = (await table.fac.status())["tables"]

    assert status["status"] == "running"
    assert status["round"] == 1
    assert status["phase"] == watcher.public["round"]["phase"]
    assert status["round_count"] >= 2
    connected = {s["role"]: s["connected"] for s in status["seats"]}
    assert connected == {
        "chair": True,
        "councillor": True,
        "official": True,
        "parent": True,
        "teacher": False,
    }
    assert away.joined["role"] == "teacher"
    assert set(status["scores"]) == {"consensus", "ownership", "innovation"}
    assert status["seq"] > 0
    assert status["code"] == table.fac.code()


async def test_exports_hold_the_scores_and_the_event_log(table: Table) -> None:
    await table.fac.control("end")

    csv_response = await table.fac.get("/export.csv")
    exported = await table.fac.export()

    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert rows and {"table", "round", "consensus", "ownership", "innovation"} <= set(rows[0])
    assert {r["table"] for r in rows} == {"1"}
    # The summary per table: one row, the same final scores as the workshop debrief.
    tables_response = await table.fac.get("/tables.csv")
    assert tables_response.status_code == 200
    assert "tables.csv" in tables_response.headers["content-disposition"]
    (summary,) = csv.DictReader(io.StringIO(tables_response.text))
    (debriefed,) = exported["workshop"]["tables"]
    assert summary["table"] == "1" and summary["ended"] == "1"
    for name in ("consensus", "ownership", "innovation"):
        value = debriefed["scores"][name]
        assert summary[name] == ("" if value is None else str(value))
    assert summary["adopted_how"] == (debriefed["adopted_how"] or "")
    assert summary["package"] == "; ".join(debriefed["package"])
    (only,) = exported["tables"]
    assert only["number"] == 1
    assert only["debrief"]["ended"] is True
    assert [e["seq"] for e in only["events"]] == list(range(1, len(only["events"]) + 1))
    assert only["events"][0]["type"] == "game_started"
    assert exported["workshop"]["tables"]


async def test_delete_removes_the_workshop(http: httpx.AsyncClient, table: Table) -> None:
    response = await http.delete(table.fac.path, headers=table.fac.auth)

    assert response.status_code == 204
    assert (await table.fac.get()).status_code == 404
    assert (await http.get(f"/api/tables/{table.fac.code()}")).status_code == 404
    gone = await http.post(
        f"{table.fac.path}/control", json={"command": "end"}, headers=table.fac.auth
    )
    assert gone.status_code == 404


async def test_control_of_a_table_the_workshop_does_not_have_is_not_found(
    http: httpx.AsyncClient, table: Table
) -> None:
    for number in (99, 2**70):  # 2**70: past any database integer
        missing = await http.post(
            f"{table.fac.path}/control",
            json={"command": "pause", "table": number},
            headers=table.fac.auth,
        )
        assert missing.status_code == 404, missing.text
    (paused,) = await table.fac.control("pause")
    assert paused["ok"] is True
