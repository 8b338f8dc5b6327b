"""The store, on SQLite and on PostgreSQL: migrations, the event log, workshops, retention."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import current_thread
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.event import listen
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col

from app.bundled import MIGRATIONS
from app.settings import REPO_ROOT
from app.store import repo
from app.store.codes import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    hash_token,
    new_join_code,
    new_token,
    token_matches,
)
from app.store.db import SqliteFile, make_engine, normalize_url, sqlite_file
from app.store.errors import NotFound, SeatTaken, SeqConflict
from app.store.migrate import alembic_config, upgrade
from app.store.records import CreatedWorkshop, NewEvent, WorkshopSpec
from app.store.tables import EventRecord, Feeling, GameTable, Seat, Workshop

SCENARIO = "id: school\ntitle: Skolen\n"
TOKEN = new_token()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database of the backend under test."""
    await upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def migrated_file(sqlite_url: str) -> AsyncIterator[tuple[AsyncEngine, SqliteFile]]:
    """A migrated SQLite file and its writer."""
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    writer = sqlite_file(engine)
    assert writer is not None
    yield engine, writer
    await engine.dispose()


def _spec(tables: int = 1, **changes: Any) -> WorkshopSpec:
    spec = WorkshopSpec(
        scenario_id="school",
        scenario_text=SCENARIO,
        language="da",
        show_numbers=True,
        bots_fill=False,
        autostart=False,
        facilitator_token_hash=hash_token(TOKEN),
        tables=tables,
    )
    return replace(spec, **changes)


async def _workshop(db: AsyncEngine, tables: int = 1) -> CreatedWorkshop:
    return await repo.create_workshop(db, _spec(tables))


async def _game(db: AsyncEngine) -> str:
    return (await _workshop(db)).tables[0].id


def _events(*types: str, seat: str | None = None, cmid: str | None = None) -> list[NewEvent]:
    return [NewEvent(t, {"n": i}, seat_key=seat, client_msg_id=cmid) for i, t in enumerate(types)]


# --- URLs and migrations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/test",
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        ),
        ("postgres://u:p%40ss@db/x?ssl=require", "postgresql+asyncpg://u:p%40ss@db/x?ssl=require"),
        ("sqlite:///./data/policymaker.db", "sqlite+aiosqlite:///./data/policymaker.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql+asyncpg://h/db", "postgresql+asyncpg://h/db"),
    ],
)
def test_normalize_url_selects_the_async_driver(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrations_create_exactly_the_models(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert differences == []


async def test_upgrading_a_current_database_changes_nothing(db: AsyncEngine, db_url: str) -> None:
    game = await _game(db)
    await upgrade(db_url)
    assert (await repo.get_table(db, game)) is not None


async def test_instances_starting_together_on_postgres_both_migrate(pg_url: str) -> None:
    # The advisory lock makes the second wait for the first instead of failing on
    # "relation already exists".
    await asyncio.gather(upgrade(pg_url), upgrade(pg_url), upgrade(pg_url))
    engine = make_engine(pg_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await engine.dispose()


async def test_migrations_are_found_from_any_working_directory(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
    await engine.dispose()


async def test_alembic_upgrade_head_from_the_repository_root(db_url: str) -> None:
    # The developers' command line (alembic.ini, top-level alembic/) runs the scripts the
    # server runs, on the database DATABASE_URL names, as the server reads it.
    alembic = Path(sys.executable).parent / "alembic"
    result = subprocess.run(
        [str(alembic), "upgrade", "head"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert differences == []
    # One set of scripts, in the top-level folder the design card names.
    ini = ScriptDirectory.from_config(Config(REPO_ROOT / "alembic.ini"))
    assert Path(ini.dir).resolve() == MIGRATIONS == REPO_ROOT / "alembic"


async def test_sqlite_files_use_wal_and_enforce_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    async with engine.connect() as connection:
        pragmas = [
            (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys")
        ]
    await engine.dispose()
    assert pragmas == ["wal", 1, 1]  # synchronous 1 is NORMAL


async def test_sqlite_file_appends_commit_on_the_loops_thread_when_the_file_is_free(
    sqlite_url: str,
) -> None:
    """Event appends on a SQLite file need no thread while no one else writes, on a
    connection with the same pragmas; other databases keep the async driver."""
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    writer = sqlite_file(engine)
    assert writer is not None and sqlite_file(engine) is writer
    assert sqlite_file(make_engine("sqlite:///:memory:")) is None
    assert sqlite_file(make_engine("postgresql://u@127.0.0.1:1/x")) is None
    game = await _game(engine)  # a workshop is created through the writer's thread
    handed: list[str] = []
    listen(writer.engine, "begin", lambda *_: handed.append(current_thread().name))
    # Reads have a thread of their own (`SqliteFile.read`); only writes count here.
    await repo.append_events(engine, game, 1, [NewEvent("a", {"n": 1}), NewEvent("b", {})])
    assert [e.seq for e in await repo.load_events(engine, game)] == [1, 2]
    with pytest.raises(SeqConflict):
        await repo.append_events(engine, game, 2, [NewEvent("c", {})])
    with pytest.raises(NotFound):  # foreign keys are enforced on this connection too
        await repo.append_events(engine, "no-such-table", 1, [NewEvent("c", {})])
    assert [name for name in handed if "writer" in name] == []
    await engine.dispose()


async def test_an_append_while_the_file_is_locked_waits_in_the_writers_thread(
    migrated_file: tuple[AsyncEngine, SqliteFile],
) -> None:
    """Another writer holding the file's lock: the append neither fails nor stops the
    event loop; it waits in the writer's thread and is stored once the lock is free."""
    engine, writer = migrated_file
    game = await _game(engine)
    await repo.append_events(engine, game, 1, [NewEvent("a", {})])
    loop = asyncio.get_running_loop()
    handed = asyncio.Event()
    listen(writer.engine, "begin", lambda *_: loop.call_soon_threadsafe(handed.set))
    blocker = sqlite3.connect(writer.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock

    started = loop.time()
    append = asyncio.create_task(repo.append_events(engine, game, 2, [NewEvent("b", {})]))
    await handed.wait()  # the loop runs on while the writer's thread waits for the lock
    # Far above any hand-off, far below the seconds a busy wait on the loop would take.
    assert loop.time() - started < 1.0
    assert not append.done()
    blocker.execute("COMMIT")
    await append

    assert [e.type for e in await repo.load_events(engine, game)] == ["a", "b"]
    blocker.close()


async def test_the_checkpointer_keeps_the_write_ahead_log_from_growing(
    migrated_file: tuple[AsyncEngine, SqliteFile],
) -> None:
    """Appends never checkpoint on the loop's thread; the checkpointer's pass lets the
    next append start the log afresh, so it stays the size of what came since."""
    engine, writer = migrated_file
    game = await _game(engine)
    wal = Path(writer.path + "-wal")

    async def append_many(first: int) -> None:
        for seq in range(first, first + 300):
            await repo.append_events(engine, game, seq, [NewEvent("x", {"pad": "p" * 200})])

    await append_many(1)
    grown = wal.stat().st_size
    await append_many(301)
    assert wal.stat().st_size > grown * 1.5  # no checkpoint in the appends themselves
    twice = wal.stat().st_size

    checkpointer = sqlite3.connect(writer.path, isolation_level=None)
    SqliteFile.checkpoint(checkpointer)
    await append_many(601)

    assert wal.stat().st_size <= twice  # written again from its start
    assert len(await repo.load_events(engine, game)) == 900
    checkpointer.close()


async def test_a_checkpoint_racing_a_stream_of_appends_still_restarts_the_log(
    migrated_file: tuple[AsyncEngine, SqliteFile],
) -> None:
    """Appends keep coming while the checkpointer runs (as under load): the log must
    still start afresh after it, and every append is stored, some through the writer's
    thread while the checkpoint holds the lock."""
    engine, writer = migrated_file
    game = await _game(engine)
    wal = Path(writer.path + "-wal")
    seq = 0

    async def append() -> None:
        nonlocal seq
        seq += 1
        await repo.append_events(engine, game, seq, [NewEvent("x", {"pad": "p" * 200})])

    for _ in range(300):
        await append()
    checkpointer = sqlite3.connect(writer.path, isolation_level=None, check_same_thread=False)
    checkpointer.execute("PRAGMA busy_timeout=10000")
    checkpoint = asyncio.create_task(asyncio.to_thread(SqliteFile.checkpoint, checkpointer))
    while not checkpoint.done():
        await append()
    await checkpoint
    before = wal.stat().st_size
    for _ in range(200):  # fewer than before the checkpoint: they fit in what it held
        await append()

    assert wal.stat().st_size <= before  # written again from its start, not grown
    assert len(await repo.load_events(engine, game)) == seq
    checkpointer.close()


async def test_the_writers_plain_insert_stores_rows_as_sqlalchemy_would(sqlite_url: str) -> None:
    """The SQLite writer inserts events in plain SQL (app/store/repo.py): every column,
    the timestamp's text included, must read back exactly as a Core insert's does."""
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    game = await _game(engine)
    await repo.append_events(engine, game, 1, _events("a", seat="s1", cmid="c1"))
    core = {
        "game_id": game,
        "seq": 2,
        "type": "b",
        "payload": "{}",
        "seat_key": None,
        "client_msg_id": None,
        "created_at": datetime(2026, 11, 23, 9, 5, 7, 0, tzinfo=UTC),  # no microseconds
    }
    async with engine.begin() as connection:
        await connection.execute(insert(EventRecord), [core])
    await repo.append_events(engine, game, 3, _events("c"))
    async with engine.connect() as connection:
        stored = (
            await connection.exec_driver_sql(
                "SELECT seq, type, payload, seat_key, client_msg_id, created_at FROM event"
                " ORDER BY seq"
            )
        ).all()
    await engine.dispose()
    assert [tuple(r[:5]) for r in stored] == [
        (1, "a", '{"n":0}', "s1", "c1"),
        (2, "b", "{}", None, None),
        (3, "c", '{"n":0}', None, None),
    ]
    core_text = stored[1][5]
    assert core_text == "2026-11-23 09:05:07.000000"
    for plain in (stored[0][5], stored[2][5]):
        assert len(plain) == len(core_text) and plain[10] == " " and plain[19] == "."
        assert abs(datetime.fromisoformat(plain).replace(tzinfo=UTC) - datetime.now(UTC)) < (
            timedelta(minutes=1)
        )


async def test_ping_answers_when_the_database_is_up(db: AsyncEngine) -> None:
    await repo.ping(db)


# --- the event log ----------------------------------------------------------------------


async def test_appended_events_load_back_in_seq_order(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, [NewEvent("game_started", {"seed": 7, "navn": "Åse"})])
    await repo.append_events(db, game, 2, _events("a", "b", seat="parent", cmid="m1"))

    loaded = await repo.load_events(db, game)

    assert [(e.seq, e.type) for e in loaded] == [(1, "game_started"), (2, "a"), (3, "b")]
    assert loaded[0].payload == {"seed": 7, "navn": "Åse"}
    assert (loaded[1].seat_key, loaded[1].client_msg_id) == ("parent", "m1")
    assert loaded[0].created_at.tzinfo is not None


async def test_load_events_after_seq_returns_only_later_events(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("a", "b", "c", "d"))

    assert [e.seq for e in await repo.load_events(db, game, after_seq=2)] == [3, 4]


async def test_games_have_separate_sequences(db: AsyncEngine) -> None:
    tables = (await _workshop(db, tables=2)).tables
    await repo.append_events(db, tables[0].id, 1, _events("a"))
    await repo.append_events(db, tables[1].id, 1, _events("b"))

    assert [e.type for e in await repo.load_events(db, tables[1].id)] == ["b"]


async def test_last_seq_is_zero_before_any_event_then_the_highest(db: AsyncEngine) -> None:
    game = await _game(db)
    assert await repo.last_seq(db, game) == 0
    await repo.append_events(db, game, 1, _events("a", "b", "c"))
    assert await repo.last_seq(db, game) == 3


async def test_append_at_a_taken_seq_raises_seq_conflict(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("a"))

    with pytest.raises(SeqConflict):
        await repo.append_events(db, game, 1, _events("b"))


async def test_conflicting_batch_stores_none_of_its_events(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("a", "b"))

    # seq 2 is taken, seq 3 is free: the whole batch must be refused.
    with pytest.raises(SeqConflict):
        await repo.append_events(db, game, 2, _events("x", "y"))

    assert [e.type for e in await repo.load_events(db, game)] == ["a", "b"]


async def test_concurrent_appends_at_the_same_seq_exactly_one_wins(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("start"))

    results = await asyncio.gather(
        repo.append_events(db, game, 2, _events("left", "left2")),
        repo.append_events(db, game, 2, _events("right", "right2")),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "SeqConflict"]
    winner = "left" if results[0] is None else "right"
    assert [e.type for e in await repo.load_events(db, game)] == ["start", winner, f"{winner}2"]


async def test_appending_to_an_unknown_game_raises_not_found(db: AsyncEngine) -> None:
    with pytest.raises(NotFound):
        await repo.append_events(db, "0" * 32, 1, _events("a"))


async def test_find_client_msg_returns_the_events_that_intent_produced(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("a", seat="parent", cmid="m1"))
    await repo.append_events(db, game, 2, _events("b", "c", seat="parent", cmid="m2"))

    found = await repo.find_client_msg(db, game, "parent", "m2")

    assert found is not None
    assert [(e.seq, e.type) for e in found] == [(2, "b"), (3, "c")]


async def test_find_client_msg_is_none_for_an_unknown_id_or_another_seat(db: AsyncEngine) -> None:
    game = await _game(db)
    await repo.append_events(db, game, 1, _events("a", seat="parent", cmid="m1"))

    assert await repo.find_client_msg(db, game, "parent", "m9") is None
    assert await repo.find_client_msg(db, game, "teacher", "m1") is None


# --- workshops, tables, seats ----------------------------------------------------------


async def test_workshop_keeps_the_scenario_text_and_its_hash(db: AsyncEngine) -> None:
    created = await _workshop(db)

    stored = await repo.get_workshop(db, created.id)

    assert stored == created.workshop
    assert stored.scenario_text == SCENARIO
    assert stored.scenario_hash == hashlib.sha256(SCENARIO.encode()).hexdigest()


async def test_a_scenario_hash_that_does_not_match_the_text_is_refused(db: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="sha256"):
        await repo.create_workshop(db, _spec(scenario_hash="0" * 64))


def test_a_facilitator_token_matches_only_its_own_hash() -> None:
    assert token_matches(TOKEN, hash_token(TOKEN))
    assert not token_matches(new_token(), hash_token(TOKEN))


async def test_workshop_tables_are_numbered_in_the_lobby(db: AsyncEngine) -> None:
    spec = _spec(3, language="en", bots_fill=True, autostart=True, seeds=(11, 22, 33))
    created = await repo.create_workshop(db, spec)

    tables = await repo.list_tables(db, created.id)

    assert [(t.number, t.seed, t.status) for t in tables] == [
        (1, 11, "lobby"),
        (2, 22, "lobby"),
        (3, 33, "lobby"),
    ]
    assert tuple(tables) == created.tables
    assert (created.workshop.language, created.workshop.bots_fill) == ("en", True)


def test_join_codes_avoid_ambiguous_characters() -> None:
    codes = {new_join_code() for _ in range(2000)}

    assert all(len(c) == JOIN_CODE_LENGTH for c in codes)
    assert set("".join(codes)) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL5S2Z8B") & set(JOIN_CODE_ALPHABET)


async def test_join_codes_are_unique_across_a_large_workshop(db: AsyncEngine) -> None:
    created = await _workshop(db, tables=60)

    assert len({t.join_code for t in created.tables}) == 60


async def test_join_code_collision_is_retried_with_fresh_codes(
    db: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: Iterator[str] = iter(["ACDEFG", "ACDEFG", "HJKMNP"])
    monkeypatch.setattr(repo, "new_join_code", lambda: next(drawn))
    first = await _workshop(db)

    second = await _workshop(db)

    assert first.tables[0].join_code == "ACDEFG"
    assert second.tables[0].join_code == "HJKMNP"
    assert (await repo.table_by_code(db, "HJKMNP")) == second.tables[0]


async def test_table_by_code_ignores_case_spaces_and_dashes(db: AsyncEngine) -> None:
    table = (await _workshop(db)).tables[0]
    typed = f" {table.join_code[:3].lower()}-{table.join_code[3:]} "

    assert await repo.table_by_code(db, typed) == table
    assert await repo.table_by_code(db, "QQQQQQ") is None


async def test_running_tables_are_those_running_or_paused(db: AsyncEngine) -> None:
    lobby, running, paused, ended = (await _workshop(db, tables=4)).tables
    await repo.set_table_status(db, running.id, "running")
    await repo.set_table_status(db, paused.id, "paused")
    await repo.set_table_status(db, ended.id, "ended")

    found = await repo.running_tables(db)

    assert [(t.id, t.status) for t in found] == [(running.id, "running"), (paused.id, "paused")]
    assert (await repo.get_table(db, lobby.id)) == lobby


async def test_set_status_of_an_unknown_table_raises_not_found(db: AsyncEngine) -> None:
    with pytest.raises(NotFound):
        await repo.set_table_status(db, "0" * 32, "running")


async def test_writes_sharing_a_commit_each_hear_only_of_their_own_failure(
    db: AsyncEngine,
) -> None:
    # Gathered, these share one group commit; one conflicts and one names no table.
    first, second = (await _workshop(db, tables=2)).tables
    await repo.append_events(db, first.id, 1, _events("start"))

    results = await asyncio.gather(
        repo.append_events(db, first.id, 2, _events("next")),
        repo.set_table_status(db, first.id, "running"),
        repo.append_events(db, first.id, 1, _events("late")),
        repo.set_table_status(db, "0" * 32, "running"),
        repo.set_table_status(db, second.id, "ended"),
        return_exceptions=True,
    )

    names = [type(r).__name__ for r in results]
    assert names == ["NoneType", "NoneType", "SeqConflict", "NotFound", "NoneType"]
    assert [e.type for e in await repo.load_events(db, first.id)] == ["start", "next"]
    assert (await repo.get_table(db, first.id)).status == "running"  # type: ignore[union-attr]
    assert (await repo.get_table(db, second.id)).status == "ended"  # type: ignore[union-attr]


async def test_seats_are_listed_in_the_order_they_were_taken(db: AsyncEngine) -> None:
    table = await _game(db)
    parent = await repo.add_seat(db, table, "parent", "parent", " Ada ")
    bot = await repo.add_seat(db, table, "parent-2", "parent", "Bot", is_bot=True)

    assert await repo.list_seats(db, table) == [parent, bot]
    assert await repo.get_seat(db, parent.id) == parent
    assert await repo.seat_by_key(db, table, "parent-2") == bot
    assert parent.display_name == "Ada"


async def test_a_seat_key_is_taken_once_per_table(db: AsyncEngine) -> None:
    table = await _game(db)
    await repo.add_seat(db, table, "parent", "parent", "Ada")

    with pytest.raises(SeatTaken):
        await repo.add_seat(db, table, "parent", "parent", "Bo")


async def test_display_names_over_forty_characters_are_refused(db: AsyncEngine) -> None:
    table = await _game(db)

    with pytest.raises(ValueError, match="40"):
        await repo.add_seat(db, table, "parent", "parent", "x" * 41)


# --- retention ---------------------------------------------------------------------------


async def _count(db: AsyncEngine, model: Any) -> int:
    async with db.connect() as connection:
        return int((await connection.scalar(select(func.count()).select_from(model))) or 0)


async def _fill(db: AsyncEngine) -> CreatedWorkshop:
    created = await _workshop(db, tables=2)
    for table in created.tables:
        await repo.add_seat(db, table.id, "parent", "parent", "Ada")
        await repo.append_events(db, table.id, 1, _events("a", "b"))
        await repo.set_feelings(db, table.id, "parent", ["heard"])
    return created


async def test_delete_workshop_removes_its_tables_seats_and_events(db: AsyncEngine) -> None:
    doomed = await _fill(db)
    kept = await _fill(db)

    assert await repo.delete_workshop(db, doomed.id)

    assert await repo.get_workshop(db, doomed.id) is None
    assert await repo.list_tables(db, doomed.id) == []
    assert await repo.table_by_code(db, doomed.tables[0].join_code) is None
    assert await repo.load_events(db, doomed.tables[0].id) == []
    remaining = [await _count(db, m) for m in (Workshop, GameTable, Seat, EventRecord, Feeling)]
    assert remaining == [1, 2, 2, 4, 2]
    assert len(await repo.load_events(db, kept.tables[1].id)) == 2


async def test_deleting_an_unknown_workshop_reports_false(db: AsyncEngine) -> None:
    assert not await repo.delete_workshop(db, "0" * 32)


async def _backdate(db: AsyncEngine, workshop_id: str, days: int) -> None:
    created_at = datetime.now(UTC) - timedelta(days=days)
    statement = update(Workshop).where(col(Workshop.id) == workshop_id)
    async with db.begin() as connection:
        await connection.execute(statement.values(created_at=created_at))


async def test_purge_removes_workshops_older_than_the_limit_with_all_they_hold(
    db: AsyncEngine,
) -> None:
    old = await _fill(db)
    recent = await _fill(db)
    await _backdate(db, old.id, days=40)

    assert await repo.purge_older_than(db, 30) == 1

    assert await repo.get_workshop(db, old.id) is None
    assert await repo.load_events(db, old.tables[0].id) == []
    assert await repo.get_workshop(db, recent.id) == recent.workshop
    assert [await _count(db, m) for m in (GameTable, Seat, EventRecord)] == [2, 2, 4]


async def test_purge_keeps_workshops_younger_than_the_limit(db: AsyncEngine) -> None:
    created = await _fill(db)

    assert await repo.purge_older_than(db, 30, now=datetime.now(UTC)) == 0
    assert await repo.get_workshop(db, created.workshop.id) == created.workshop


async def test_a_seats_feelings_replace_its_earlier_ones_and_are_counted_per_table(
    db: AsyncEngine,
) -> None:
    created = await _workshop(db, tables=2)
    first, second = (t.id for t in created.tables)
    await repo.set_feelings(db, first, "chair", ["heard", "curious"])
    await repo.set_feelings(db, first, "parent", ["heard"])
    await repo.set_feelings(db, second, "chair", ["overruled"])
    await repo.set_feelings(db, second, "chair", [])  # taken back
    await repo.set_feelings(db, first, "parent", ["hopeful", "hopeful"])
    assert await repo.seat_feelings(db, first, "chair") == {"heard", "curious"}
    assert await repo.feeling_counts(db, [first, second]) == {
        first: {"heard": 1, "curious": 1, "hopeful": 1}
    }
    with pytest.raises(NotFound):
        await repo.set_feelings(db, "no-such-table", "chair", ["heard"])
