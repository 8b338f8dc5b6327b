"""Running a table from the console on a real server: who the table waits for, seats given
to a bot or freed for a late joiner (the old token stops working), and the trainer's notes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.server import Facilitator, Player, Server, accepted, seated

PASS = {"type": "pass"}
SEATS = ["chair", "councillor", "official", "parent", "teacher"]


@dataclass
class Table:
    fac: Facilitator
    players: list[Player]

    def player(self, seat: str) -> Player:
        return next(p for p in self.players if p.joined["seat"] == seat)


@pytest.fixture
async def table(live_server: Server, http: httpx.AsyncClient) -> AsyncIterator[Table]:
    """A started game with five players, each connected."""
    fac = await Facilitator.create(http, autostart=False, language="en")
    async with seated(live_server.base, fac) as players:
        (started,) = await fac.control("start")
        assert started["ok"], started
        for player in players:
            await player.until_public(lambda public: public["status"] == "running")
        yield Table(fac, players)


async def change_seat(
    fac: Facilitator, seat: str, action: Any, number: Any = 1, token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or fac.token}"}
    return await fac.http.post(
        f"{fac.path}/tables/{number}/seats/{seat}", json={"action": action}, headers=headers
    )


def table_status(status: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = status["tables"][0]
    return table


def seat_of(table: dict[str, Any], seat: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in table["seats"] if s["id"] == seat)
    return found


# --- who the table waits for ------------------------------------------------------------


async def test_status_lists_who_has_not_acted_the_time_left_and_the_last_activity(
    table: Table,
) -> None:
    first = table_status(await table.fac.status())
    assert first["phase"] == "frame"
    assert first["waiting"] == SEATS
    assert first["deadline"] is not None and first["remaining"] is None
    started = first["last_activity"]
    assert started is not None

    assert accepted(await table.player("official").intent(PASS))

    later = await table.fac.status()
    now = table_status(later)
    assert now["waiting"] == ["chair", "councillor", "parent", "teacher"]
    assert now["last_activity"] >= started
    assert later["quiet_minutes"] == pytest.approx(3.0)
    assert later["now"] >= now["last_activity"]


async def test_resuming_a_paused_game_restarts_its_quiet_time(table: Table) -> None:
    (paused,) = await table.fac.control("pause")
    assert paused["ok"], paused
    during = table_status(await table.fac.status())
    assert during["remaining"] is not None and during["deadline"] is None

    (resumed,) = await table.fac.control("resume")

    assert resumed["ok"], resumed
    after = table_status(await table.fac.status())
    assert after["last_activity"] > during["last_activity"]
    assert after["waiting"] == SEATS  # a pause is nobody's turn


async def test_seats_carry_the_role_name_in_the_workshops_language(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=False, language="da")
    async with seated(live_server.base, fac, seats=1):
        (seat,) = table_status(await fac.status())["seats"]
    assert seat["role"] == "chair"
    assert seat["role_name"] == "Udvalgsformand (flertalspartiet)"


# --- giving a seat to a bot ----------------------------------------------------------------


async def test_a_seat_given_to_a_bot_closes_its_holder_and_the_bot_plays_it(
    table: Table,
) -> None:
    holder = table.player("parent")

    response = await change_seat(table.fac, "parent", "bot")

    assert response.status_code == 200, response.text
    assert response.json() == {"table": 1, "seat": "parent", "action": "bot"}
    kicked = await holder.until(lambda f: f["type"] == "error")
    assert kicked["code"] == "seat_replaced"
    assert "bot" in kicked["message"]
    seat = seat_of(table_status(await table.fac.status()), "parent")
    assert seat["bot"] is True and seat["name"] == "Bot"
    # The bot ranks the framings for the seat: the table no longer waits for it.
    watcher = table.player("chair")
    await watcher.until_public(lambda public: "parent" in public["ranked_framings"])
    assert "parent" not in table_status(await table.fac.status())["waiting"]

    again = await Player.connect(str(table.fac.http.base_url))
    try:
        refused = await again.hello(holder.joined["token"])
    finally:
        await again.close()
    assert refused["type"] == "error" and refused["code"] == "bad_token"
    assert "given this seat to someone else" in refused["message"]


# --- freeing a seat for a late joiner ------------------------------------------------------


async def test_a_freed_seat_is_free_in_the_lobby_and_a_late_joiner_plays_it(
    live_server: Server, table: Table
) -> None:
    fac, holder = table.fac, table.player("teacher")

    response = await change_seat(fac, "teacher", "free")

    assert response.status_code == 200, response.text
    kicked = await holder.until(lambda f: f["type"] == "error")
    assert kicked["code"] == "seat_replaced"
    seat = seat_of(table_status(await fac.status()), "teacher")
    assert seat["free"] is True and seat["name"] == "" and seat["connected"] is False
    lobby = (await fac.http.get(f"/api/tables/{fac.code()}")).json()
    assert lobby["status"] == "running"
    assert lobby["free_roles"] == ["teacher"]

    late = await fac.join("Late Lise", role="teacher")

    assert late["seat"] == "teacher" and late["token"] != holder.joined["token"]
    after = (await fac.http.get(f"/api/tables/{fac.code()}")).json()
    assert after["free_roles"] == []
    seat = seat_of(table_status(await fac.status()), "teacher")
    assert seat["free"] is False and seat["name"] == "Late Lise"
    newcomer = await Player.connect(live_server.base)
    old = await Player.connect(live_server.base)
    try:
        welcome = await newcomer.hello(late["token"])
        assert welcome["type"] == "welcome" and welcome["seat"] == "teacher"
        assert accepted(await newcomer.intent(PASS))
        refused = await old.hello(holder.joined["token"])
        assert refused["type"] == "error" and refused["code"] == "bad_token"
    finally:
        await newcomer.close()
        await old.close()
    # Nobody else can take the seat now.
    taken = await fac.http.post(
        "/api/join", json={"code": fac.code(), "name": "Third", "role": "teacher"}
    )
    assert taken.status_code == 409


# --- bad input changes nothing -------------------------------------------------------------


async def test_a_wrong_token_or_bad_input_is_refused_and_changes_nothing(table: Table) -> None:
    fac = table.fac
    before = table_status(await fac.status())
    cases = [
        (change_seat(fac, "parent", "bot", token="not-the-token"), 401),
        (fac.http.post(f"{fac.path}/tables/1/seats/parent", json={"action": "bot"}), 401),
        (change_seat(fac, "parent", "bot", number=9), 404),
        (change_seat(fac, "nobody", "bot"), 404),
        (change_seat(fac, "parent", "kick"), 422),
        (change_seat(fac, "parent", None), 422),
        (
            fac.http.post(
                f"{fac.path}/tables/1/seats/parent",
                json={"action": "bot", "extra": 1},
                headers=fac.auth,
            ),
            422,
        ),
    ]
    for call, code in cases:
        response = await call
        assert response.status_code == code, response.text
    after = table_status(await fac.status())
    assert after["seq"] == before["seq"]
    assert after["seats"] == before["seats"]
    # The holder still plays.
    assert accepted(await table.player("parent").intent(PASS))


async def test_a_seat_already_a_bot_or_already_free_is_a_conflict_that_changes_nothing(
    table: Table,
) -> None:
    fac = table.fac
    assert (await change_seat(fac, "parent", "bot")).status_code == 200
    assert (await change_seat(fac, "teacher", "free")).status_code == 200
    before = table_status(await fac.status())

    twice_bot = await change_seat(fac, "parent", "bot")
    twice_free = await change_seat(fac, "teacher", "free")

    assert twice_bot.status_code == 409 and "bot" in twice_bot.json()["detail"]
    assert twice_free.status_code == 409 and "free" in twice_free.json()["detail"]
    after = table_status(await fac.status())
    assert after["seats"] == before["seats"]
    assert after["seq"] >= before["seq"]  # the bot may have acted meanwhile
    log = await fac.log()
    assert [r["data"]["action"] for r in log if r["type"] == "control.seat"] == ["bot", "free"]


async def test_a_seat_cannot_change_hands_once_the_game_has_ended(table: Table) -> None:
    (ended,) = await table.fac.control("end")
    assert ended["ok"], ended

    response = await change_seat(table.fac, "parent", "bot")

    assert response.status_code == 409
    assert seat_of(table_status(await table.fac.status()), "parent")["bot"] is False


async def test_freeing_a_lobby_seat_gives_the_role_back_and_voids_its_token(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=False)
    async with seated(live_server.base, fac, seats=2) as players:
        holder = players[1]
        assert holder.joined["seat"] == "councillor"

        response = await change_seat(fac, "councillor", "free")

        assert response.status_code == 200, response.text
        assert (await holder.until(lambda f: f["type"] == "error"))["code"] == "seat_replaced"
        seats = table_status(await fac.status())["seats"]
        assert [s["id"] for s in seats] == ["chair"]
        lobby = (await http.get(f"/api/tables/{fac.code()}")).json()
        assert "councillor" in lobby["free_roles"]
        again = await fac.join("Second try", role="councillor")
        assert again["seat"] == "councillor" and again["token"] != holder.joined["token"]
        old = await Player.connect(live_server.base)
        try:
            refused = await old.hello(holder.joined["token"])
        finally:
            await old.close()
        assert refused["type"] == "error" and refused["code"] == "bad_token"


# --- notes ---------------------------------------------------------------------------------


async def put_note(fac: Facilitator, text: Any, number: int = 1, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token or fac.token}"}
    return await fac.http.put(
        f"{fac.path}/tables/{number}/note", json={"text": text}, headers=headers
    )


async def test_notes_are_kept_and_appear_in_status_debrief_and_export(table: Table) -> None:
    fac = table.fac
    text = "Quiet parent.\n<b>not bold</b> & stays text"

    response = await put_note(fac, text)

    assert response.status_code == 200, response.text
    assert table_status(await fac.status())["note"] == text
    debrief = (await fac.get("/tables/1/debrief")).json()
    assert debrief["notes"] == text
    exported = (await fac.export())["tables"][0]
    assert exported["debrief"]["notes"] == text
    assert (await put_note(fac, "Second thought")).status_code == 200
    assert table_status(await fac.status())["note"] == "Second thought"


async def test_bad_notes_are_refused_and_change_nothing(table: Table) -> None:
    fac = table.fac
    assert (await put_note(fac, "Kept")).status_code == 200
    for response, code in [
        (await put_note(fac, "x", token="wrong"), 401),
        (await put_note(fac, "x", number=7), 404),
        (await put_note(fac, "x" * 4001), 422),
        (await put_note(fac, "nul\x00byte"), 422),
        (await put_note(fac, 12), 422),
    ]:
        assert response.status_code == code, response.text
    assert table_status(await fac.status())["note"] == "Kept"


# --- after a restart ---------------------------------------------------------------------


async def test_a_seat_change_and_a_note_survive_a_restart(tmp_path: Path) -> None:
    server = Server(tmp_path / "srv")
    (tmp_path / "srv").mkdir()
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            fac = await Facilitator.create(http, autostart=True)
            async with seated(server.base, fac) as players:
                holder = players[3]
                assert (await change_seat(fac, holder.joined["seat"], "free")).status_code == 200
                assert (await put_note(fac, "Remember table 1")).status_code == 200
            server.restart()
            table = table_status(await fac.status())
            assert seat_of(table, holder.joined["seat"])["free"] is True
            assert table["note"] == "Remember table 1"
            lobby = (await http.get(f"/api/tables/{fac.code()}")).json()
            assert lobby["free_roles"] == [holder.joined["role"]]
            old = await Player.connect(server.base)
            try:
                refused = await old.hello(holder.joined["token"])
            finally:
                await old.close()
            assert refused["type"] == "error" and refused["code"] == "bad_token"
    finally:
        server.stop()
