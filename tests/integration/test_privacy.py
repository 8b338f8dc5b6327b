"""Removing people's data: `policymaker purge --older-than DAYS` and DELETE /api/workshops/ID.

The purge runs as an operator runs it, a `policymaker` process on the database file (and
on PostgreSQL when TEST_DATABASE_URL is set). The delete runs on a real server with
players and a table screen connected: they are told and disconnected, the rows are gone
from the database file, and other workshops play on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from websockets.exceptions import ConnectionClosed

from app.rooms.connection import GONE
from app.store import repo
from app.store.codes import hash_token, new_token
from app.store.db import make_engine
from app.store.migrate import upgrade
from app.store.records import CreatedWorkshop, NewEvent, WorkshopSpec
from app.store.tables import EventRecord, GameTable, Seat, Workshop
from tests.integration.scaleout import Cluster, cluster, redis_url
from tests.integration.server import POLICYMAKER, Facilitator, Player, Server, accepted, seated

__all__ = ["cluster", "redis_url"]  # fixtures, imported to be found

# --- policymaker purge ------------------------------------------------------------------------


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


async def filled(db: AsyncEngine, title: str, age_days: int) -> CreatedWorkshop:
    """A workshop of two tables, each with a seat and two events, created `age_days` ago."""
    created = await repo.create_workshop(
        db,
        WorkshopSpec(
            scenario_id="school",
            scenario_text="id: school\n",
            language="da",
            show_numbers=False,
            bots_fill=False,
            autostart=False,
            facilitator_token_hash=hash_token(new_token()),
            tables=2,
            title=title,
        ),
    )
    for table in created.tables:
        await repo.add_seat(db, table.id, "parent", "parent", "Ada Lovelace")
        await repo.append_events(db, table.id, 1, [NewEvent("a"), NewEvent("b")])
    moment = datetime.now(UTC) - timedelta(days=age_days)
    async with db.begin() as connection:
        await connection.execute(
            update(Workshop).where(col(Workshop.id) == created.id).values(created_at=moment)
        )
    return created


async def counts(db: AsyncEngine) -> list[int]:
    """Rows of workshops, tables, seats and events."""
    found = []
    async with db.connect() as connection:
        for model in (Workshop, GameTable, Seat, EventRecord):
            found.append(
                (await connection.execute(select(func.count()).select_from(model))).scalar_one()
            )
    return found


def purge(db_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run(
        [str(POLICYMAKER), "purge", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,  # no .env of the checkout's
        env=env,
    )


async def test_purge_removes_old_workshops_with_everything_they_hold_and_says_which(
    db: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    ancient = await filled(db, "Spring induction", age_days=400)
    old = await filled(db, "", age_days=31)
    recent = await filled(db, "Yesterday", age_days=1)

    done = purge(db_url, tmp_path, "--older-than", "30")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3, done.stdout
    assert lines[0].startswith(
        f"removed workshop {ancient.id} 'Spring induction' (school, created "
    )
    assert lines[0].endswith(", 2 tables)")
    assert lines[1].startswith(f"removed workshop {old.id} (school, created ")
    assert lines[2].startswith("removed 2 workshops created before ")
    assert await repo.get_workshop(db, ancient.id) is None
    assert await repo.get_workshop(db, old.id) is None
    for table in (*ancient.tables, *old.tables):
        assert await repo.load_events(db, table.id) == []
        assert await repo.list_seats(db, table.id) == []
    kept = await repo.get_workshop(db, recent.id)
    assert kept is not None and kept.title == "Yesterday"
    assert await counts(db) == [1, 2, 2, 4]

    again = purge(db_url, tmp_path, "--older-than", "30")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("removed 0 workshops created before ")


async def test_purge_dry_run_lists_and_removes_nothing(
    db: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    old = await filled(db, "Old", age_days=90)
    await filled(db, "New", age_days=0)

    done = purge(db_url, tmp_path, "--older-than", "60", "--dry-run", "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["dry_run"] is True and report["removed"] == 1
    assert [w["workshop_id"] for w in report["workshops"]] == [old.id]
    assert report["workshops"][0]["tables"] == 2 and report["workshops"][0]["title"] == "Old"
    assert await counts(db) == [2, 4, 4, 8]


def test_purge_needs_a_number_of_days(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pm.db'}"

    missing = purge(url, tmp_path)
    negative = purge(url, tmp_path, "--older-than", "-1")

    assert missing.returncode == 2 and "--older-than" in missing.stderr
    assert negative.returncode == 2


def test_purge_on_a_database_never_served_creates_its_tables_and_removes_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'pm.db'}"

    done = purge(url, tmp_path, "--older-than", "7")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed 0 workshops created before ")


# --- DELETE /api/workshops/{id} -----------------------------------------------------------------


def tables_of(server: Server, workshop_id: str) -> list[str]:
    with sqlite3.connect(server.workdir / "pm.db") as db:
        found = db.execute("SELECT id FROM game_table WHERE workshop_id = ?", (workshop_id,))
        return [row[0] for row in found.fetchall()]


def rows(server: Server, table_ids: list[str]) -> dict[str, int]:
    """Rows the server's database file holds for these tables (read beside the server)."""
    marks = ",".join("?" * len(table_ids))
    with sqlite3.connect(server.workdir / "pm.db") as db:
        return {
            "tables": db.execute(
                f"SELECT count(*) FROM game_table WHERE id IN ({marks})", table_ids
            ).fetchone()[0],
            "seats": db.execute(
                f"SELECT count(*) FROM seat WHERE table_id IN ({marks})", table_ids
            ).fetchone()[0],
            "events": db.execute(
                f"SELECT count(*) FROM event WHERE game_id IN ({marks})", table_ids
            ).fetchone()[0],
        }


async def gone(player: Player) -> dict[str, object]:
    """The error frame a deleted table sends last; then the socket closes with 4410."""
    last = await player.until(lambda f: f["type"] == "error")
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await player.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == GONE
    return last


async def test_deleting_a_workshop_closes_its_games_and_removes_its_rows(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    doomed = await Facilitator.create(http, tables=2, autostart=True)
    kept = await Facilitator.create(http, autostart=True)
    async with (
        seated(live_server.base, doomed) as players,
        seated(live_server.base, kept) as others,
    ):
        assert accepted(await players[0].intent({"type": "pass"}))
        screen = await Player.connect(live_server.base)
        await screen.send("hello", code=doomed.code(2))
        await screen.until(lambda f: f["type"] == "welcome")
        table_ids = tables_of(live_server, doomed.workshop_id)
        assert len(table_ids) == 2 and players[0].joined["table_id"] in table_ids
        before = rows(live_server, table_ids)
        assert before["seats"] == 5 and before["events"] > 0

        response = await http.delete(doomed.path, headers=doomed.auth)

        assert response.status_code == 204 and response.content == b""
        for client in [*players, screen]:
            last = await gone(client)
            assert last["code"] == "workshop_deleted", last
            assert last["cmid"] is None
        assert rows(live_server, table_ids) == {"tables": 0, "seats": 0, "events": 0}
        assert (await doomed.get()).status_code == 404
        assert (await http.get(f"/api/tables/{doomed.code(1)}")).status_code == 404
        assert (await http.get(f"/api/tables/{doomed.code(2)}")).status_code == 404
        # A seat token of the deleted table opens nothing any more.
        back = await Player.connect(live_server.base)
        try:
            refused = await back.hello(players[1].joined["token"])
        finally:
            await back.close()
        assert refused["type"] == "error" and refused["code"] in ("bad_token", "not_found")
        # The other workshop plays on.
        moved = await others[0].intent({"type": "pass"})
        assert accepted(moved), moved
        for other in others:
            await other.caught_up(moved["seq"])
        assert (await kept.status())["tables"][0]["seq"] == moved["seq"]


async def test_deleting_needs_the_token_and_an_existing_workshop(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http)
    other = await Facilitator.create(http)

    foreign = await http.delete(fac.path, headers=other.auth)
    unknown = await http.delete("/api/workshops/" + "0" * 32, headers=fac.auth)
    first = await http.delete(fac.path, headers=fac.auth)
    twice = await http.delete(fac.path, headers=fac.auth)

    assert foreign.status_code == 401
    assert unknown.status_code == 404
    assert first.status_code == 204
    assert twice.status_code == 404
    assert (await other.get()).status_code == 200


async def test_a_lobby_and_an_ended_game_are_deleted_alike(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, tables=2)
    async with seated(live_server.base, fac, seats=2) as lobby:
        response = await http.delete(fac.path, headers=fac.auth)
        assert response.status_code == 204
        for player in lobby:
            assert (await gone(player))["code"] == "workshop_deleted"
    ended = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, ended) as players:
        (result,) = await ended.control("end")
        assert result["ok"], result
        await players[0].until_public(lambda public: public["status"] == "ended")
        assert (await http.delete(ended.path, headers=ended.auth)).status_code == 204
        assert (await gone(players[0]))["code"] == "workshop_deleted"
    assert (await ended.get()).status_code == 404


async def test_deleting_closes_the_game_on_every_instance(cluster: Cluster) -> None:
    a, b = cluster(2)
    async with (
        httpx.AsyncClient(base_url=a.base, timeout=30) as http_a,
        httpx.AsyncClient(base_url=b.base, timeout=30) as http_b,
    ):
        fac = await Facilitator.create(http_a, autostart=True)
        on_b = Facilitator(http_b, fac.workshop_id, fac.token, fac.tables)
        # Seated through A, playing on B: B holds a room of the table too.
        async with seated(b.base, fac) as players:
            assert accepted(await players[0].intent({"type": "pass"}))

            response = await http_a.delete(fac.path, headers=fac.auth)

            assert response.status_code == 204
            for player in players:
                assert (await gone(player))["code"] == "workshop_deleted"
        assert (await on_b.get()).status_code == 404


async def test_a_game_purged_while_the_server_runs_closes_at_its_next_intent(
    new_server: Callable[[], Server], tmp_path: Path
) -> None:
    server = new_server()  # its own database: the purge removes every workshop in it
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        fac = await Facilitator.create(http, autostart=True)
        async with seated(server.base, fac) as players:
            assert accepted(await players[0].intent({"type": "pass"}))

            done = purge(server.database_url, tmp_path, "--older-than", "0")
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith(f"removed workshop {fac.workshop_id} ")

            # The server hears of it when the log refuses the table's next record.
            refused = await players[1].intent({"type": "pass"})
            assert refused["type"] == "error" and refused["code"] == "workshop_deleted"
            for player in players:
                assert (await gone(player))["code"] == "workshop_deleted"
            back = await Player.connect(server.base)
            try:
                again = await back.hello(players[2].joined["token"])
            finally:
                await back.close()
            assert again["type"] == "error" and again["code"] == "not_found", again
        assert (await fac.get()).status_code == 404
