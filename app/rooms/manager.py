"""The rooms of this server: created, joined, loaded from the log on demand, controlled.

The manager is the one place where workshops, tables and seats (database rows) meet
rooms (live authorities). It keeps one room per table in memory and rebuilds a room from
the event log the first time anyone needs it, which is all a restart requires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.engine.debrief import (
    ROUND_COLUMNS,
    TABLE_COLUMNS,
    WorkshopDebrief,
    csv_text,
    debrief_csv_rows,
    feelings_poll,
    table_debrief,
    workshop_csv_rows,
    workshop_debrief,
)
from app.engine.events import EVENT_TYPES
from app.engine.rules import Rejected, Rules
from app.engine.waiting import waiting_for
from app.rooms.broadcast import FALLBACK_POLL_SECONDS, Notice, Presence, make_broadcast
from app.rooms.known import KnownWorkshop, KnownWorkshops
from app.rooms.lease import DatabaseLeases, Leases, LocalLeases
from app.rooms.lru import Lru
from app.rooms.retention import Retention
from app.rooms.room import GONE_MESSAGE, REMOVED, Room, SeatRow, TableConfig, said_in
from app.rooms.schemas import (
    ControlRequest,
    ControlResult,
    FeelingsAnswer,
    Joined,
    JoinRequest,
    LobbyRole,
    Note,
    SeatChanged,
    SeatFeelings,
    SeatStatus,
    TableLink,
    TableLobby,
    TableStatus,
    WorkshopCreated,
    WorkshopFeelings,
    WorkshopRequest,
    WorkshopStatus,
)
from app.rooms.storelog import StoreLog, reachable
from app.rooms.tokens import BadToken, SeatClaim, read_seat, sign_seat
from app.rooms.views import seat_scenario
from app.rooms.whatif import WHATIF_GAMES, WhatIfRequest, WhatIfs
from app.scenarios import library
from app.scenarios.models import LEADERSHIP_STYLES, localize
from app.settings import Settings, secret_key
from app.store import repo
from app.store.codes import clean_join_code, hash_token, new_token
from app.store.db import is_outage, is_sqlite
from app.store.errors import SeatTaken
from app.store.records import TABLE_STATUSES, StoredTable
from app.store.records import TableStatus as TableStatusName

log = logging.getLogger("policymaker.manager")
# Two joins racing for the same seat on two instances: the loser looks again.
JOIN_ATTEMPTS = 5
# Scenario texts whose parsed rules are kept (the default case: about 340 KB): uploads can
# be many, so the oldest unused are dropped.
RULES_KEPT = 32
WORKSHOP_ID = re.compile(r"[0-9a-f]{32}")
SEAT_GIVEN_AWAY = (
    "the facilitator has given this seat to someone else; join the table again to play"
)


class Forbidden(Exception):
    """A facilitator token that does not open this workshop."""


class Unavailable(Exception):
    """The database cannot be reached."""


class UnknownRole(Exception):
    """A join asking for a role the table's scenario does not have (a 422, not a 409:
    no one holds that role, so waiting or asking again cannot help)."""


class WorkshopGone(LookupError):
    """A workshop known here whose tables are gone: another process deleted it (a purge
    from the command line, or another instance whose notice did not arrive)."""


class Refused(Exception):
    """A facilitator's request the table cannot carry out as it stands (a 409)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RoomManager:
    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self.key = secret_key(settings)
        self.log = StoreLog(engine)
        self._rooms: dict[str, Room] = {}
        # Ended games nobody looks at are let go (app/rooms/retention.py).
        self._retention = Retention()
        # Parsed rules per scenario text, shared by the rooms playing it. A room keeps its
        # own reference, so an evicted entry costs a re-parse when a room loads, not a game.
        self._rules: Lru[str, Rules] = Lru(RULES_KEPT)
        self._whatifs = WhatIfs()
        self._loading = asyncio.Lock()
        self._library: dict[str, library.ScenarioSource] = {}
        # Scale-out: the default (no REDIS_URL) is one instance that owns every table.
        self.broadcast = make_broadcast(settings.redis_url)
        # Each table's clock has one owner among the instances: a PostgreSQL advisory
        # lock (app/rooms/lease.py), so a Redis outage never stops a clock.
        self.leases: Leases = LocalLeases()
        self._leasing = self.broadcast.shared and not is_sqlite(settings.database_url)
        if self._leasing:
            self.leases = DatabaseLeases(
                settings.database_url, self.broadcast.instance, settings.lease_seconds
            )
        # Table statuses a database outage kept from being written; housekeeping retries.
        self._unsaved_status: dict[str, TableStatusName] = {}
        self.presence = Presence()
        self._syncing: dict[str, asyncio.Task[None]] = {}
        self._resync: set[str] = set()
        self._housekeeping: asyncio.Task[None] | None = None
        self._removing: set[str] = set()  # tables of a workshop being deleted
        self._known = KnownWorkshops()
        self._background: set[asyncio.Task[None]] = set()  # held: the loop keeps weak refs

    async def start(self) -> None:
        self._library = library.available(self.settings.scenarios_dir)
        # Games that were running when the server stopped resume with their timers.
        # With other instances, only those nobody else runs (see _adopt_orphans).
        if not self.broadcast.shared:
            for table in await repo.running_tables(self.engine):
                await self.room(table.id)
        await self.broadcast.start(self._on_notice, self._on_connected)
        if self.broadcast.shared:
            self._housekeeping = asyncio.create_task(self._housekeep())

    async def close(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
        for task in list(self._syncing.values()):
            task.cancel()
        for room in self._rooms.values():
            await room.close()
        # Ending the lock session hands every clock over now.
        await self.leases.close()
        self._rooms.clear()
        self._whatifs.close()
        await self.broadcast.close()

    async def ping(self) -> None:
        try:
            await repo.ping(self.engine)
        except Exception as exc:
            raise Unavailable("the database does not answer") from exc

    async def health(self) -> dict[str, str]:
        """What this instance can reach: `database` ok or down; `redis` ok, down (notices
        go unsent and the log is polled instead) or off (one instance, no Redis)."""
        try:
            await self.ping()
            database = "ok"
        except Unavailable:
            database = "down"
        redis = "off" if not self.broadcast.shared else "ok" if self.broadcast.live else "down"
        return {"database": database, "redis": redis}

    def scenarios(self) -> dict[str, library.ScenarioSource]:
        return self._library

    # --- workshops --------------------------------------------------------------------

    async def create_workshop(self, req: WorkshopRequest, base_url: str) -> WorkshopCreated:
        source = self._library.get(req.scenario)
        if req.scenario_text is not None:  # an upload, already checked by WorkshopRequest
            source = library.source_from_text(req.scenario_text)
        if source is None:
            raise LookupError(f"no scenario {req.scenario!r} on this server")
        language = req.language or (
            self.settings.default_language
            if self.settings.default_language in source.languages
            else source.languages[0]
        )
        if language not in source.languages:
            raise LookupError(f"the scenario {req.scenario!r} is not written in {language!r}")
        token = new_token()
        created = await repo.create_workshop(
            self.engine,
            repo.WorkshopSpec(
                scenario_id=source.id,
                scenario_hash=source.hash,
                scenario_text=source.text,
                language=language,
                show_numbers=req.show_numbers,
                bots_fill=req.bots,
                autostart=req.autostart,
                facilitator_token_hash=hash_token(token),
                title=req.title,
                tables=req.tables,
            ),
        )
        self._known.put(KnownWorkshop(created.workshop, created.tables))
        base = (self.settings.public_url or base_url).rstrip("/")
        return WorkshopCreated(
            workshop_id=created.workshop.id,
            facilitator_token=token,
            facilitator_url=f"{base}/facilitator/{created.id}#token={token}",
            scenario=source.id,
            scenario_hash=source.hash,
            language=language,
            tables=[
                TableLink(number=t.number, code=t.join_code, join_url=f"{base}/join/{t.join_code}")
                for t in created.tables
            ],
        )

    async def authorize(self, workshop_id: str, token: str) -> None:
        # Ids are 32 hex digits: anything else is not looked up (PostgreSQL refuses NUL).
        if not WORKSHOP_ID.fullmatch(workshop_id):
            raise LookupError(f"no workshop {workshop_id[:40]!r}")
        workshop = (await self._workshop(workshop_id)).row
        if not secrets.compare_digest(workshop.facilitator_token_hash, hash_token(token)):
            raise Forbidden("the facilitator token does not match this workshop")

    async def _workshop(self, workshop_id: str) -> KnownWorkshop:
        """The workshop's row and tables, read once (app/rooms/known.py)."""
        known = self._known.get(workshop_id)
        if known is None:
            row = await repo.get_workshop(self.engine, workshop_id)
            if row is None:
                raise LookupError(f"no workshop {workshop_id!r}")
            known = KnownWorkshop(row, tuple(await repo.list_tables(self.engine, workshop_id)))
            self._known.put(known)
        return known

    async def delete_workshop(self, workshop_id: str) -> None:
        """Remove the workshop, its tables, seats and events; close its rooms' connections.

        Its rooms stop first (and cannot be loaded again meanwhile), so nothing is appended
        to a table while its rows go; the clients hear of it once the rows are gone.
        """
        tables = [t.id for t in await repo.list_tables(self.engine, workshop_id)]
        try:
            async with self._loading:  # no load of these tables is half done
                self._removing.update(tables)
                rooms = [room for t in tables if (room := self._rooms.pop(t, None)) is not None]
            for room in rooms:
                await room.retire()
            await repo.delete_workshop(self.engine, workshop_id)
        finally:
            self._removing.difference_update(tables)
            self._known.forget(workshop_id)
        for table_id in tables:  # other instances close their rooms of it too
            self.broadcast.publish(Notice(table_id, self.broadcast.instance, removed=True))
        for room in rooms:
            await self._dismiss(room)

    async def _dismiss(self, room: Room) -> None:
        await room.dismiss(GONE_MESSAGE)
        await room.close()

    async def _removed_elsewhere(self, table_id: str) -> None:
        """Another instance deleted this table's workshop: close our room of it."""
        self._known.forget_table(table_id)
        async with self._loading:
            room = self._rooms.pop(table_id, None)
        if room is not None:
            await room.retire()
            await self._dismiss(room)

    # --- rooms ------------------------------------------------------------------------

    def _rules_for(self, scenario_hash: str, text: str, scenario_id: str) -> Rules:
        rules = self._rules.get(scenario_hash)
        if rules is None:
            rules = Rules(library.parse(text, f"{scenario_id}.yaml"))
            self._rules.put(scenario_hash, rules)
        return rules

    async def room(self, table_id: str) -> Room:
        room = await self._room(table_id)
        self._retention.asked(table_id)
        return room

    async def _room(self, table_id: str) -> Room:
        room = self._rooms.get(table_id)
        if room is not None and not room.removed:
            return room
        async with self._loading:
            await self._let_go_of_ended()
            room = self._rooms.get(table_id)
            if room is not None and room.removed:  # found gone when it tried to append
                del self._rooms[table_id]
                self._known.forget_table(table_id)
                raise LookupError("no such table")
            if room is not None:
                return room
            if table_id in self._removing:
                raise LookupError("no such table")
            # Read even when its workshop is known here: the row says whether the table
            # still exists (its workshop may have been deleted on another instance).
            table = await repo.get_table(self.engine, table_id)
            if table is None:
                self._known.forget_table(table_id)
                raise LookupError("no such table")
            workshop = (await self._workshop(table.workshop_id)).row
            rules = self._rules_for(
                workshop.scenario_hash, workshop.scenario_text, workshop.scenario_id
            )
            seats = [
                SeatRow(s.seat_key, s.role, s.display_name, s.is_bot)
                for s in await repo.list_seats(self.engine, table_id)
            ]
            room = Room(
                config=TableConfig(
                    table_id=table.id,
                    workshop_id=workshop.id,
                    number=table.number,
                    seed=table.seed,
                    language=workshop.language,
                    show_numbers=workshop.show_numbers,
                    bots_fill=workshop.bots_fill,
                    autostart=workshop.autostart,
                ),
                rules=rules,
                log=self.log,
                seats=seats,
                think_seconds=self.settings.bot_think_seconds,
                outgoing_limit=self.settings.outgoing_queue,
                on_seats=self._save_bot_seats,
                on_status=self._save_status,
                on_seat_change=self._save_seat_change,
            )
            if self.broadcast.shared:
                room.on_append = self._published
                room.on_presence = self._announce_presence
                room.remote_online = self.presence.online(table_id)
                room.leader = await self._try_lease(table_id)
            await room.load()
            self._rooms[table_id] = room
            return room

    async def _let_go_of_ended(self) -> None:
        """Unload ended rooms nobody uses; one still holding its lease waits for
        housekeeping to release it first."""
        gone = self._retention.due(
            self._rooms,
            held=lambda t: t in self._syncing or (self._leasing and self._rooms[t].leader),
        )
        for table_id in gone:
            await self._rooms.pop(table_id).close()
        self._retention.forget(gone)

    # --- scale-out: other instances' appends, presence, leases --------------------------

    def _published(self, room: Room) -> None:
        self.broadcast.publish(Notice(room.config.table_id, self.broadcast.instance, seq=room.seq))

    def _announce_presence(self, room: Room) -> None:
        seats = tuple(sorted({c.seat for c in room.connections if c.seat and not c.closed}))
        self.broadcast.publish(Notice(room.config.table_id, self.broadcast.instance, seats=seats))

    async def _on_notice(self, notice: Notice) -> None:
        if notice.removed:
            # In a task of its own: closing the connections may take seconds, and the
            # subscription must go on reading meanwhile.
            task = asyncio.create_task(self._removed_elsewhere(notice.table))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        room = self._rooms.get(notice.table)
        if notice.seats is not None:
            self.presence.update(notice)
            if room is not None:
                room.set_remote_online(self.presence.online(notice.table))
        elif room is not None and notice.seq is not None and notice.seq > room.seq:
            self._schedule_sync(room)

    async def _on_connected(self) -> None:
        """(Re)subscribed: notices sent meanwhile are lost, so every room reads the log."""
        for room in list(self._rooms.values()):
            self._schedule_sync(room)
            if room.connections:
                self._announce_presence(room)

    def _schedule_sync(self, room: Room) -> None:
        """Catch the room up soon; notices arriving meanwhile coalesce into one more pass."""
        table_id = room.config.table_id
        if table_id in self._syncing:
            self._resync.add(table_id)
            return
        self._syncing[table_id] = asyncio.create_task(self._sync_loop(room))

    async def _sync_loop(self, room: Room) -> None:
        table_id = room.config.table_id
        try:
            while True:
                self._resync.discard(table_id)
                await self._sync(room)
                if table_id not in self._resync:
                    return
        except Exception:
            log.exception("catch-up failed", extra={"table": table_id})
        finally:
            self._syncing.pop(table_id, None)

    async def _sync(self, room: Room) -> None:
        """Fold what other instances appended, knowing the seats they took first."""
        if room.state is None:
            # A lobby: seats are rows, not events, and another instance may have
            # seated players (or bots, at the start) this room has not heard of.
            await self._merge_seats(room)
        await room.sync()

    async def _merge_seats(self, room: Room) -> None:
        rows = await repo.list_seats(self.engine, room.config.table_id)
        # Look at the room's seats only after the read: a status request and a resume can
        # merge at the same time, and each must not add a seat the other just added.
        for s in rows:
            if room.seat(s.seat_key) is None:
                room.seats.append(SeatRow(s.seat_key, s.role, s.display_name, s.is_bot))

    async def _try_lease(self, table_id: str) -> bool:
        try:
            return table_id in await self.leases.take([table_id])
        except Exception as exc:  # the database away: the next tick tries again
            log.warning("lease unavailable", extra={"table": table_id, "error": str(exc)})
            return False

    async def _housekeep(self) -> None:
        """The scale-out chores, each on its own so that one failing never stops another.

        Every SYNC_SECONDS: flush table statuses an outage held back, hold or take leases,
        adopt orphaned games, re-announce presence. The log poll runs then too, and while
        Redis is away (no notices come) every FALLBACK_POLL_SECONDS: the others' appends
        reach this instance's players that much later, never not at all.
        """
        period = self.settings.sync_seconds
        fallback = min(period, FALLBACK_POLL_SECONDS)
        chores_due = 0.0
        while True:
            await asyncio.sleep(period if self.broadcast.live else fallback)  # a period
            await self._chore(self._poll_log)
            now = time.monotonic()
            if now < chores_due:
                continue
            chores_due = now + period
            await self._chore(self._save_unsaved_statuses)
            if self._leasing:
                await self._chore(self._hold_leases)
                await self._chore(self._adopt_orphans)
            for room in list(self._rooms.values()):
                room.set_remote_online(self.presence.online(room.config.table_id))
                if room.connections:
                    self._announce_presence(room)

    async def _chore(self, chore: Any) -> None:
        try:
            await chore()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_outage(exc):  # said once by /healthz; the next tick tries again
                log.warning("housekeeping: database unavailable", extra={"error": str(exc)})
            else:
                log.exception("housekeeping failed", extra={"chore": chore.__name__})

    async def _adopt_orphans(self) -> None:
        """Running games nobody runs (their instance died) are loaded here, clock and all:
        their leases are free, since a lease ends with its holder's database session."""
        running = [t.id for t in await repo.running_tables(self.engine)]
        missing = [t for t in running if t not in self._rooms]
        for table_id in await self.leases.take(missing):
            try:
                await self.room(table_id)
            except LookupError:  # deleted meanwhile
                await self.leases.release(table_id)

    async def _hold_leases(self) -> None:
        held = await self.leases.held()
        wanted = []
        for room in list(self._rooms.values()):
            table_id = room.config.table_id
            if room.state is not None and room.state.status == "ended":
                if room.leader:  # nothing left to run: let the lock go
                    room.set_leader(False)
                    await self.leases.release(table_id)
                continue
            if room.leader and table_id not in held:
                room.set_leader(False)  # the lock session was lost: someone else may run it
            if not room.leader:
                wanted.append(room)
        taken = await self.leases.take([r.config.table_id for r in wanted])
        for room in wanted:
            if room.config.table_id in taken:
                # Fold everything the last owner appended before arming its deadline.
                await self._sync(room)
                room.set_leader(True)

    async def _poll_log(self) -> None:
        """The safety net under pub/sub: a lost notice is healed within a tick."""
        rooms = [r for r in self._rooms.values() if r.connections or r.leader]
        last = await repo.last_seqs(self.engine, [r.config.table_id for r in rooms])
        for room in rooms:
            if last.get(room.config.table_id, 0) > room.seq:
                self._schedule_sync(room)

    async def _save_bot_seats(self, room: Room, rows: list[SeatRow]) -> None:
        for row in rows:
            # Two instances starting the table at once choose the same bot seats.
            with contextlib.suppress(SeatTaken):
                async with reachable():
                    await repo.add_seat(
                        self.engine, room.config.table_id, row.id, row.role, row.name, True
                    )

    async def _save_seat_change(self, room: Room, row: SeatRow, action: str, name: str) -> None:
        """The seat's row follows its holder (the log decides; this keeps no stale name)."""
        table_id = room.config.table_id
        async with reachable():
            if action == "free" and room.state is None:
                await repo.remove_seat(self.engine, table_id, row.id)
            elif action == "free":
                await repo.update_seat(self.engine, table_id, row.id, "", False)
            elif action == "bot":
                await repo.update_seat(self.engine, table_id, row.id, "Bot", True)
            else:
                await repo.update_seat(self.engine, table_id, row.id, name, False)

    async def _save_status(self, room: Room, status: str) -> None:
        """The table row's status, which restarts and orphan adoption read; an outage
        keeps it for housekeeping to write (the log already holds the change)."""
        if status not in TABLE_STATUSES:
            return
        table_id = room.config.table_id
        self._unsaved_status.pop(table_id, None)
        try:
            await repo.set_table_status(self.engine, table_id, status)
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._unsaved_status[table_id] = status
            log.warning("table status not saved yet", extra={"table": table_id})

    async def _save_unsaved_statuses(self) -> None:
        for table_id, status in list(self._unsaved_status.items()):
            with contextlib.suppress(LookupError):  # the table was deleted meanwhile
                await repo.set_table_status(self.engine, table_id, status)
            if self._unsaved_status.get(table_id) == status:
                del self._unsaved_status[table_id]

    async def _by_code(self, code: str) -> tuple[StoredTable, Room]:
        """The table a join code opens, and its room: found among the workshops known here
        (so that a join reads nothing), else read, and its workshop remembered for the next
        joins. A code no table has is a LookupError."""
        table = self._known.by_code(clean_join_code(code))
        if table is None:
            table = await repo.table_by_code(self.engine, code)
            if table is None:
                raise LookupError("no table with that code")
            with contextlib.suppress(LookupError):  # deleted meanwhile: the room says so
                await self._workshop(table.workshop_id)
        return table, await self.room(table.id)

    async def lobby(self, code: str) -> TableLobby:
        table, room = await self._by_code(code)
        return TableLobby(
            code=table.join_code,
            scenario=room.rules.scenario.id,
            title=localize(room.rules.scenario.title, room.config.language),
            language=room.config.language,
            roles=[
                LobbyRole(
                    id=r.id,
                    name=localize(r.name, room.config.language),
                    kind=r.kind,
                    chair=r.chair,
                    brief=localize(r.brief, room.config.language),
                )
                for r in room.rules.scenario.roles
            ],
            # Once the game runs, the seats the facilitator freed for late joiners.
            free_roles=room.free_roles(),
            status=room.timer.status,
        )

    async def join(self, req: JoinRequest) -> Joined:
        """Seat a player: the role they asked for, else the role most needed."""
        table, room = await self._by_code(req.code)
        roles = [r.id for r in room.rules.scenario.roles]
        if req.role and req.role not in roles:
            raise UnknownRole(
                f'this table has no role "{req.role}"; its roles are: {", ".join(roles)}'
            )
        name = " ".join(req.name.split())
        for attempt in range(JOIN_ATTEMPTS):
            if self.broadcast.shared:
                await self._sync(room)  # seats and the start taken on other instances
            if room.state is not None:
                return await self._take_seat(room, req.role, name)
            free = room.free_roles()
            role = req.role or (free[0] if free else None)
            if role is None or role not in free:
                taken = "that role is taken" if role else "every seat at this table is taken"
                raise ValueError(taken)
            seat_id = room.new_seat_id(role)
            row = SeatRow(seat_id, role, name, False, room.epoch_of(seat_id))
            try:
                await repo.add_seat(self.engine, table.id, seat_id, role, name, False)
            except SeatTaken:
                # Another instance seated someone there a moment ago: look again.
                if attempt + 1 == JOIN_ATTEMPTS:
                    raise ValueError("the table is busy; please try again") from None
                continue
            break
        await room.add_seat(row)
        return self._joined(room, row)

    def _joined(self, room: Room, row: SeatRow) -> Joined:
        claim = SeatClaim(room.config.table_id, row.id, row.epoch)
        token = sign_seat(claim, self.key)
        return Joined(token=token, table_id=room.config.table_id, seat=row.id, role=row.role)

    async def _take_seat(self, room: Room, role: str | None, name: str) -> Joined:
        """A late joiner: a seat the facilitator freed during the game, if there is one."""
        taken = await room.take_seat(role, name)
        if isinstance(taken, Rejected):
            if taken.code == REMOVED:
                raise LookupError("no such table")
            raise ValueError(taken.message)
        return self._joined(room, taken)

    async def resume(self, token: str) -> tuple[Room, SeatRow]:
        claim = read_seat(token, self.key)
        room = await self.room(claim.table_id)
        seat = room.seat(claim.seat_id)
        if (seat is None or seat.epoch < claim.epoch) and self.broadcast.shared:
            await self._sync(room)  # seated, or given to this holder, through another instance
            await self._merge_seats(room)
            seat = room.seat(claim.seat_id)
        if seat is None and claim.epoch < room.epoch_of(claim.seat_id):
            raise BadToken(SEAT_GIVEN_AWAY)
        if seat is None:
            raise BadToken("the seat of this token no longer exists")
        if claim.epoch != seat.epoch or seat.vacant:
            raise BadToken(SEAT_GIVEN_AWAY)
        return room, seat

    async def seat_scenario(self, token: str) -> dict[str, Any]:
        room, seat = await self.resume(token)
        return seat_scenario(room.rules, seat.role)

    async def seat_feelings(self, token: str, lang: str | None) -> SeatFeelings:
        room, seat = await self.resume(token)
        mine = await repo.seat_feelings(self.engine, room.config.table_id, seat.id)
        return self._seat_feelings(room, mine, lang)

    async def set_seat_feelings(
        self, token: str, answer: FeelingsAnswer, lang: str | None
    ) -> SeatFeelings:
        """The words a player picked in the debrief's poll, in place of any picked before."""
        room, seat = await self.resume(token)
        await repo.set_feelings(self.engine, room.config.table_id, seat.id, answer.feelings)
        return self._seat_feelings(room, set(answer.feelings), lang)

    def _seat_feelings(self, room: Room, mine: set[str], lang: str | None) -> SeatFeelings:
        poll = feelings_poll(self._lang(room, lang))
        return SeatFeelings(
            prompt=poll.prompt,
            options=list(poll.options),
            mine=[o.id for o in poll.options if o.id in mine],
        )

    async def release_seat(self, token: str) -> SeatChanged:
        """A player (a bot client giving up) hands its seat to the server's bots."""
        room, seat = await self.resume(token)
        outcome = await room.give_seat(seat.id, "bot")
        if outcome.rejection is not None:
            if outcome.rejection.code in ("unknown_seat", REMOVED):
                raise LookupError(outcome.rejection.message)
            raise Refused(outcome.rejection.code, outcome.rejection.message)
        return SeatChanged(table=room.config.number, seat=seat.id, action="bot")

    async def watch(self, code: str) -> Room:
        return (await self._by_code(code))[1]

    # --- facilitator ------------------------------------------------------------------

    async def _rooms_of(self, workshop_id: str, number: int | None = None) -> list[Room]:
        known = await self._workshop(workshop_id)
        tables = [t for t in known.tables if number is None or t.number == number]
        if number is not None and not tables:
            raise LookupError(f"no table {number} in this workshop")
        try:
            rooms = [await self.room(t.id) for t in tables]
        except LookupError:
            # Tables go only with their workshop (and `_room` has forgotten it).
            raise WorkshopGone(f"no workshop {workshop_id!r}") from None
        if self.broadcast.shared:
            # What the facilitator sees must include other instances' appends and seats.
            for room in rooms:
                await self._sync(room)
                await self._merge_seats(room)
                room.set_remote_online(self.presence.online(room.config.table_id))
        return rooms

    async def status(self, workshop_id: str) -> WorkshopStatus:
        known = await self._workshop(workshop_id)
        workshop = known.row
        codes = {t.id: t.join_code for t in known.tables}
        notes = await repo.list_notes(self.engine, list(codes))
        tables = []
        for room in await self._rooms_of(workshop_id):
            await room.sync()
            tables.append(self._table_status(room, codes, notes))
        # The stored text, not a file of the same id: an uploaded case has no file here,
        # and an installed one may have changed since the workshop was created.
        rules = self._rules_for(
            workshop.scenario_hash, workshop.scenario_text, workshop.scenario_id
        )
        return WorkshopStatus(
            workshop_id=workshop.id,
            scenario=workshop.scenario_id,
            scenario_title=localize(rules.scenario.title, workshop.language),
            scenario_hash=workshop.scenario_hash,
            language=workshop.language,
            show_numbers=workshop.show_numbers,
            tables=tables,
            autostart=workshop.autostart,
            bots=workshop.bots_fill,
            quiet_minutes=self.settings.quiet_minutes,
            now=time.time(),
        )

    def _table_status(
        self, room: Room, codes: dict[str, str], notes: dict[str, str]
    ) -> TableStatus:
        state = room.state
        last = state.history[-1].scores if state and state.history else {}
        lang = room.config.language
        names = {r.id: localize(r.name, lang) for r in room.rules.scenario.roles}
        vacant = {s.id for s in room.seats if s.vacant}
        table_id = room.config.table_id
        return TableStatus(
            number=room.config.number,
            code=codes.get(table_id, ""),
            status=room.timer.status,
            round=state.round_index if state else None,
            round_count=len(room.rules.catalog.rounds),
            phase=state.phase if state else None,
            seats=[
                SeatStatus(
                    id=s.id,
                    role=s.role,
                    role_name=names.get(s.role, s.role),
                    name=s.name,
                    bot=s.is_bot,
                    connected=s.connected,
                    free=s.id in vacant,
                )
                for s in room.seat_infos()
            ],
            scores={k: None if v is None else round(v, 1) for k, v in last.items()},
            seq=room.seq,
            digest=room.digest(),
            deadline=room.timer.deadline if room.timer.status == "running" else None,
            remaining=room.timer.remaining if room.timer.status == "paused" else None,
            waiting=waiting_for(room.rules, state) if state else [],
            last_activity=room.last_activity,
            note=notes.get(table_id, ""),
        )

    async def give_seat(
        self, workshop_id: str, number: int, seat_id: str, action: str, lang: str | None = None
    ) -> SeatChanged:
        """Give a seat to a bot or free it for a late joiner (Refused when it cannot be,
        in `lang` or else the table's language)."""
        (room,) = await self._rooms_of(workshop_id, number)
        if room.seat(seat_id) is None:
            raise LookupError(f"no seat {seat_id[:64]!r} at table {number}")
        outcome = await room.give_seat(seat_id, action)
        if outcome.rejection is not None:
            if outcome.rejection.code in ("unknown_seat", REMOVED):
                raise LookupError(outcome.rejection.message)
            refused = outcome.rejection
            raise Refused(refused.code, said_in(refused, self._lang(room, lang)))
        return SeatChanged(table=number, seat=seat_id, action=action)

    async def set_note(self, workshop_id: str, number: int, text: str) -> Note:
        known = await self._workshop(workshop_id)
        table = next((t for t in known.tables if t.number == number), None)
        if table is None:
            raise LookupError(f"no table {number} in this workshop")
        await repo.set_note(self.engine, table.id, text)
        return Note(table=number, text=text)

    async def control(
        self, workshop_id: str, req: ControlRequest, lang: str | None = None
    ) -> list[ControlResult]:
        """Each table's result; why one refused is in `lang`, or else its own language."""
        results = []
        for room in await self._rooms_of(workshop_id, req.table):
            outcome = await room.control(req.command, req.seconds)
            rejection = outcome.rejection
            results.append(
                ControlResult(
                    table=room.config.number,
                    ok=rejection is None,
                    code=rejection.code if rejection else None,
                    message=said_in(rejection, self._lang(room, lang)) if rejection else None,
                )
            )
        return results

    async def announce(self, workshop_id: str, text: str) -> None:
        for room in await self._rooms_of(workshop_id):
            await room.announce(text)

    # --- debrief ----------------------------------------------------------------------

    def _lang(self, room: Room, lang: str | None) -> str:
        return lang if lang in ("da", "en") else room.config.language

    async def table_debrief(
        self, workshop_id: str, number: int, lang: str | None
    ) -> dict[str, Any]:
        (room,) = await self._rooms_of(workshop_id, number)
        state = room.state or room.rules.replay([])
        debrief = table_debrief(
            room.rules, state, self._lang(room, lang), f"{number}", bot_seats=_bot_seats(room)
        )
        out = debrief.model_dump(mode="json")
        # The trainer's own words on the table, as written (plain text).
        out["notes"] = await repo.get_note(self.engine, room.config.table_id)
        return out

    async def feelings(self, workshop_id: str) -> WorkshopFeelings:
        """The feelings poll's answers so far: the debrief screen asks every few seconds."""
        known = await self._workshop(workshop_id)
        counts = await repo.feeling_counts(self.engine, [t.id for t in known.tables])
        tables = {str(t.number): counts.get(t.id, {}) for t in known.tables}
        total: Counter[str] = Counter()
        for table in tables.values():
            total.update(table)
        return WorkshopFeelings(tables=tables, total=dict(total))

    async def workshop_debrief(self, workshop_id: str, lang: str | None) -> dict[str, Any]:
        return (await self._workshop_debrief(workshop_id, lang)).model_dump(mode="json")

    async def _workshop_debrief(self, workshop_id: str, lang: str | None) -> WorkshopDebrief:
        every = await self._rooms_of(workshop_id)  # a workshop has at least one table
        rooms = [r for r in every if r.state is not None]
        # Before any game starts it is an empty debrief, still whole (names, language), so
        # it holds to the same documented schema.
        language = self._lang(every[0], lang)
        tables = [(str(r.config.number), r.rules, r.state) for r in rooms if r.state]
        bots = {str(r.config.number): _bot_seats(r) for r in rooms}
        return workshop_debrief(tables, language, bot_seats=bots)

    async def what_if(
        self,
        workshop_id: str,
        number: int,
        round_number: int,
        style: str,
        games: int,
        lang: str | None,
    ) -> dict[str, Any]:
        """The table's game replayed by bots from `round_number` (see app/rooms/whatif.py)."""
        (room,) = await self._rooms_of(workshop_id, number)
        if room.state is None or room.state.status != "ended":
            raise Refused(
                "not_ended", "the table's game has not ended: replays start from a finished game"
            )
        language = self._lang(room, lang)
        table_id = room.config.table_id
        kept = self._whatifs.cached((table_id, room.seq, round_number, style, games, language))
        if kept is not None:
            return kept
        workshop = await repo.get_workshop(self.engine, room.config.workshop_id)
        if workshop is None:
            raise LookupError("no such workshop")
        records = await room.log.load(table_id, 0)
        request = WhatIfRequest(
            table_id=table_id,
            seq=room.seq,
            scenario_hash=workshop.scenario_hash,
            scenario_text=workshop.scenario_text,
            scenario_id=workshop.scenario_id,
            events=tuple(r.payload for r in records if r.type in EVENT_TYPES),
            bot_seats=_bot_seats(room),
            round=round_number,
            style=style,
            games=games,
            lang=language,
        )
        return await self._whatifs.run(request)

    async def export_csv(self, workshop_id: str) -> str:
        rows = []
        for room in await self._rooms_of(workshop_id):
            if room.state is None:
                continue
            debrief = table_debrief(
                room.rules,
                room.state,
                room.config.language,
                str(room.config.number),
                bot_seats=_bot_seats(room),
            )
            rows.extend(debrief_csv_rows(debrief))
        return csv_text(rows, ROUND_COLUMNS)

    async def export_tables_csv(self, workshop_id: str) -> str:
        """One row per table that has started: its final (or latest) scores, how its
        package was adopted and what it holds, and the chair's leadership profile."""
        debrief = await self._workshop_debrief(workshop_id, None)
        return csv_text(workshop_csv_rows(debrief), TABLE_COLUMNS)

    async def export_json(self, workshop_id: str) -> dict[str, Any]:
        rooms = await self._rooms_of(workshop_id)
        out: dict[str, Any] = {"workshop": await self.workshop_debrief(workshop_id, None)}
        # Which version of the case every table played: the hash of the text it stores.
        workshop = (await self._workshop(workshop_id)).row
        out["scenario"] = {"id": workshop.scenario_id, "hash": workshop.scenario_hash}
        out["tables"] = [
            {
                "number": room.config.number,
                "debrief": (await self.table_debrief(workshop_id, room.config.number, None)),
                "events": await room.events_after(0, None, reveal=True),
                "whatif": await self._whatifs_from_start(workshop_id, room),
            }
            for room in rooms
        ]
        return out

    async def _whatifs_from_start(self, workshop_id: str, room: Room) -> dict[str, Any]:
        """A finished table replayed from round 1 in each leadership style (the debrief's
        workshop view compares these); empty while it plays."""
        if room.state is None or room.state.status != "ended":
            return {}
        number = room.config.number
        return {
            style: await self.what_if(workshop_id, number, 1, style, WHATIF_GAMES, None)
            for style in LEADERSHIP_STYLES
        }


def _bot_seats(room: Room) -> frozenset[str]:
    """The seats of the room's table that bots play (the trainer's "bots for empty seats")."""
    return frozenset(s.id for s in room.seats if s.is_bot)
