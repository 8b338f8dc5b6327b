"""The room: the one authority for a game.

It serialises every intent (players', bots', the timer's, the facilitator's) behind one
lock, runs it through the engine, appends the resulting events to the log and only then
fans them out, each seat getting what it may see. Its own state is a fold of the log, so
a restarted server rebuilds it exactly.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.engine import actions as a
from app.engine.bots import Bot
from app.engine.events import (
    EVENT_TYPES,
    GameEnded,
    GameStarted,
    RoundStarted,
    SeatSpec,
    event_from_dict,
)
from app.engine.events import event_to_dict as engine_event_to_dict
from app.engine.rules import Rejected, Rules
from app.engine.state import GameState, state_digest
from app.i18n import Msg, msg, verbatim
from app.jsontext import dumps
from app.rooms.connection import GONE, Connection
from app.rooms.log import Conflict, EventLog, Gone, LogRecord, NewRecord, Unavailable
from app.rooms.views import (
    PartsMemo,
    SeatInfo,
    TimerView,
    changes,
    deals_cards,
    private_inputs,
    private_view,
    project_event,
    public_view,
    scenario_view,
    seats_part,
)
from app.scenarios.models import localize

log = logging.getLogger("policymaker.room")

# 2: an update carries a patch of the views (the keys that changed), no longer them whole.
# 3: the update that answers a connection's own intent carries its cmid, instead of a
#    separate ack frame after it (one frame fewer per intent for the server to write).
PROTOCOL_VERSION = 3
# Clients still speaking this version or newer are served; an older one is told to reload.
OLDEST_VERSION = 2


def server_frame(kind: str, **fields: Any) -> str:
    """A frame from the server to a client, of this protocol version (docs/asyncapi.yaml)."""
    return dumps({"v": PROTOCOL_VERSION, "type": kind, **fields})


# What a public view was built from: the last seq folded and the seats as they were.
_ViewKey = tuple[int, tuple[SeatInfo, ...]]
# How often an intent is retried after another instance appended first.
MAX_CONFLICT_RETRIES = 5
# A server bot waits before each intent, as a person thinks before they answer: a time
# drawn from this range, times the configured think time, so bots do not all answer in
# the same instant.
THINK_SPREAD = (0.5, 1.5)
# The error code a removed table answers with (and sends its clients as it closes them).
REMOVED = "workshop_deleted"
GONE_MESSAGE = msg("this workshop has been deleted by its facilitator")
# A seat the facilitator gave to a bot or freed for someone else: the error code its old
# holder's connections get, and the websocket close code they are closed with.
REPLACED = "seat_replaced"
REPLACED_CLOSE = 4409
REPLACED_MESSAGES = {
    "bot": msg("the facilitator has given your seat to a bot"),
    "free": msg("the facilitator has freed your seat for another player"),
}
# The log cannot be reached (its database is restarting): the intent was not applied, or
# its append's outcome is unknown; either way the client sends it again, with the same
# cmid, after `retry_after` seconds, and is answered once (applied now, or a duplicate).
UNAVAILABLE = "unavailable"
UNAVAILABLE_MESSAGE = msg("the game's database cannot be reached; send the same intent again")
RETRY_AFTER = 1.0
BUSY_MESSAGE = msg("the table is busy; please try again")
# The log record of a seat changing hands (docs/asyncapi.yaml, SeatRecord). Seats are
# rows, but a change of holder is logged too, so that every instance and a restarted
# server fold it in the same order as the game's events.
SEAT_RECORD = "control.seat"


@dataclass(frozen=True, slots=True)
class TableConfig:
    table_id: str
    workshop_id: str
    number: int
    seed: int
    language: str
    show_numbers: bool
    bots_fill: bool
    autostart: bool


@dataclass(slots=True)
class SeatRow:
    id: str
    role: str
    name: str
    is_bot: bool
    # How often the facilitator has given this seat away (its tokens carry it).
    epoch: int = 0
    # Freed by the facilitator during a game: the seat waits for a late joiner.
    vacant: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to an intent: the last sequence number it produced, or why it was refused."""

    seq: int
    rejection: Rejected | None = None
    duplicate: bool = False
    # The update sent to the intent's own connection carried its cmid (protocol v3):
    # no ack frame is needed.
    answered: bool = False


@dataclass(slots=True)
class Timer:
    status: str = "lobby"  # lobby | running | paused | ended
    deadline: float | None = None
    remaining: float | None = None

    def view(self) -> TimerView:
        return TimerView(self.status, self.deadline, self.remaining)


@dataclass
class Room:
    config: TableConfig
    rules: Rules
    log: EventLog
    seats: list[SeatRow] = field(default_factory=list)
    think_seconds: float = 1.5
    outgoing_limit: int = 256
    clock: Callable[[], float] = time.time
    on_seats: Callable[[Room, list[SeatRow]], Awaitable[None]] | None = None
    on_status: Callable[[Room, str], Awaitable[None]] | None = None
    # A seat changing hands, told before it is logged: the store's row follows it.
    on_seat_change: Callable[[Room, SeatRow, str, str], Awaitable[None]] | None = None
    # Scale-out (app/rooms/broadcast.py, app/rooms/lease.py): tell other instances about
    # appends and about who is connected here; only the table's leader runs its clock and
    # bots; seats other instances have connected count as online here too.
    on_append: Callable[[Room], None] | None = None
    on_presence: Callable[[Room], None] | None = None
    leader: bool = True
    remote_online: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.state: GameState | None = None
        self.seq = 0
        self.timer = Timer()
        self.lock = asyncio.Lock()
        self.connections: set[Connection] = set()
        self._timer_handle: asyncio.TimerHandle | None = None
        self._timer_for: tuple[float, int] | None = None  # the deadline and round it is armed for
        self._timer_task: asyncio.Task[None] | None = None  # held: the loop keeps weak refs
        self._bot_task: asyncio.Task[None] | None = None
        self._bots: dict[str, Bot] = {}
        # Each bot's own generator of think times (apart from its decisions' generator, so
        # what a bot decides does not depend on how often it was woken) and its wake-up.
        self._paces: dict[str, random.Random] = {}
        self._woken: dict[str, asyncio.Event] = {}
        # The seq of every logged intent, by seat and cmid. Nested rather than keyed by
        # (seat, cmid): a tuple per intent is an object the garbage collector walks, and
        # these piled up to a quarter of what each young collection had to walk.
        self._cmids: dict[str, dict[str, int]] = {}
        self.removed = False  # its workshop was deleted: it takes no intent any more
        self._dismissal: asyncio.Task[None] | None = None
        # Views by language (and seat), with what they were built from.
        self._public_cache: dict[str, tuple[_ViewKey, dict[str, Any]]] = {}
        self._view_parts: dict[str, PartsMemo] = {}
        self._private_cache: dict[tuple[str, str], tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._seat_infos: tuple[int, set[str | None], list[SeatInfo]] | None = None
        # When a seat last acted, a phase began or the game resumed (epoch seconds): a
        # table quiet for long may be stuck on someone (see _lively).
        self.last_activity: float | None = None
        # Every seat id's epoch, including seats freed in the lobby (they are removed, and
        # a joiner who takes the same id must not share the token of the one freed).
        self._epochs: dict[str, int] = {}
        self._bots_changed = False  # a seat became or stopped being a bot
        self._tasks: set[asyncio.Task[None]] = set()  # held: the loop keeps weak refs
        self._bots_added: set[asyncio.Task[None]] = set()  # bots given seats mid-game
        # An append failed with the log unreachable: it may be stored all the same (the
        # answer to its commit was lost), so read the log before deciding anything more.
        self._unsure = False

    def _cmid_seq(self, seat: str, cmid: str) -> int | None:
        """The seq of the seat's logged intent with this cmid, if there is one."""
        return self._cmids.get(seat, {}).get(cmid)

    # --- loading ------------------------------------------------------------------

    async def load(self) -> None:
        """Rebuild the room from its log (at start, or after a restart)."""
        for record in await self.log.load(self.config.table_id, 0):
            self._fold(record)
        self._bots_changed = False  # the bots start from the seats as they are now
        self._resume_after_load()

    def _fold(self, record: LogRecord, evolve: bool = True) -> None:
        self.seq = record.seq
        if record.seat and record.cmid:
            self._cmids.setdefault(record.seat, {})[record.cmid] = record.seq
        if self._lively(record):
            self.last_activity = record.at if record.at is not None else self.clock()
        if record.type in EVENT_TYPES and evolve:
            event = event_from_dict(record.payload)
            if self.state is None:
                self.state = self.rules.replay([])
            self.rules.evolve(self.state, event)
        elif record.type == SEAT_RECORD:
            self._fold_seat(record.payload)
        elif record.type == "control.timer":
            self.timer.status = str(record.payload["status"])
            self.timer.deadline = record.payload.get("deadline")
            self.timer.remaining = record.payload.get("remaining")

    def _lively(self, record: LogRecord) -> bool:
        """Whether a record restarts the table's quiet time: a seat acted, a phase began,
        or the game started or resumed after a pause (see TableStatus.last_activity)."""
        if record.seat or record.type in (GameStarted.type, RoundStarted.type):
            return True
        resumed = record.type == "control.timer" and record.payload.get("status") == "running"
        return resumed and self.timer.status == "paused"

    def _fold_seat(self, change: dict[str, Any]) -> None:
        """A seat changed hands (SEAT_RECORD): to a bot, to nobody, or to a late joiner."""
        seat_id = str(change.get("seat"))
        action = change.get("action")
        epoch = int(change.get("epoch", 0))
        self._epochs[seat_id] = max(epoch, self._epochs.get(seat_id, 0))
        self._seat_infos = None
        row = self.seat(seat_id)
        if row is None:
            return
        if action == "take":
            row.vacant, row.is_bot, row.name = False, False, str(change.get("name", ""))
            return
        if action == "free" and self.state is None:
            self.seats.remove(row)  # a lobby seat is just given up: the role is free again
        elif action == "free":
            row.vacant, row.is_bot, row.name = True, False, ""
        else:
            row.vacant, row.is_bot, row.name = False, True, "Bot"
        row.epoch = epoch
        self._bots_changed = True
        self._kick(seat_id, REPLACED_MESSAGES.get(str(action), REPLACED_MESSAGES["free"]))

    def _kick(self, seat_id: str, said: Msg) -> None:
        """Close the seat's connections: their holder no longer holds it."""
        reason = _close_reason(said)
        for conn in [c for c in self.connections if c.seat == seat_id]:
            self.connections.discard(conn)  # from now on none of its intents is taken
            frame = _said_frame(REPLACED, said, conn.lang)
            task = asyncio.create_task(conn.finish(frame, REPLACED_CLOSE, reason))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def epoch_of(self, seat_id: str) -> int:
        """The epoch a new holder of this seat id gets in their token."""
        return self._epochs.get(seat_id, 0)

    def _resume_after_load(self) -> None:
        if self.timer.status == "running":
            self._arm_timer()
        if self.state is not None and self.state.status != "ended":
            self._start_bots()

    # --- seats and connections ------------------------------------------------------

    def seat(self, seat_id: str) -> SeatRow | None:
        return next((s for s in self.seats if s.id == seat_id), None)

    def seat_infos(self) -> list[SeatInfo]:
        """The seats and who is online; the same list while neither changes (do not edit it).

        Asked at every update. Seats are only ever added, so their number tells whether
        the rows changed; a connection's `closed` turns without telling the room.
        """
        online = {c.seat for c in self.connections if not c.closed} | self.remote_online
        known = self._seat_infos
        if known is not None and known[0] == len(self.seats) and known[1] == online:
            return known[2]
        infos = [
            SeatInfo(s.id, s.role, s.name, s.is_bot, s.is_bot or (not s.vacant and s.id in online))
            for s in self.seats
        ]
        self._seat_infos = (len(self.seats), online, infos)
        return infos

    def attach(self, conn: Connection) -> None:
        self.connections.add(conn)
        self._broadcast_view([])
        if self.on_presence is not None:
            self.on_presence(self)

    def detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self._broadcast_view([])
        if self.on_presence is not None:
            self.on_presence(self)

    async def add_seat(self, row: SeatRow) -> None:
        """A player (or bot) took a seat in the lobby; start when the table is complete."""
        async with self.lock:
            if self.seat(row.id) is None:  # another instance's seats may be merged in already
                self.seats.append(row)
            self._broadcast_view([])
            if self.config.autostart and self.state is None and self._complete():
                await self._start()

    def free_roles(self) -> list[str]:
        """Roles with a seat left, those still below their minimum first; once the game
        has started, the roles of the seats the facilitator freed."""
        if self.state is not None and self.state.status == "ended":
            return []
        if self.state is not None:
            return list(dict.fromkeys(s.role for s in self.seats if s.vacant))
        taken = [s.role for s in self.seats]
        below = [r.id for r in self.rules.scenario.roles if taken.count(r.id) < r.seats.min]
        spare = [
            r.id
            for r in self.rules.scenario.roles
            if r.seats.min <= taken.count(r.id) < r.seats.max
        ]
        return below + spare

    async def give_seat(self, seat_id: str, action: str) -> Outcome:
        """The facilitator gives a seat to a bot (`bot`) or frees it for someone else
        (`free`): its holder's token stops working and their connections are closed."""
        async with self.lock:
            for _ in range(MAX_CONFLICT_RETRIES):
                if self.removed:
                    return self._refuse(REMOVED, GONE_MESSAGE)
                row = self.seat(seat_id)
                if row is None:
                    return self._refuse(
                        "unknown_seat", msg("no seat {seat!r} at this table", seat=seat_id)
                    )
                if self.state is not None and self.state.status == "ended":
                    return self._refuse("game_over", msg("the game has ended"))
                if action not in REPLACED_MESSAGES:
                    return self._refuse("invalid", msg("give a seat to a bot or free it"))
                if action == "bot" and row.is_bot:
                    return self._refuse("already_bot", msg("a bot already plays that seat"))
                if action == "free" and row.vacant:
                    return self._refuse("already_free", msg("that seat is already free"))
                epoch = max(row.epoch, self.epoch_of(seat_id)) + 1
                change = {"seat": seat_id, "action": action, "epoch": epoch}
                try:
                    await self._settle()
                    return await self._log_seat(row, change)
                except Conflict:
                    await self.catch_up()  # another instance changed the table: look again
                except Unavailable:
                    return self._unavailable()
            return self._refuse("busy", BUSY_MESSAGE)

    async def take_seat(self, role: str | None, name: str) -> SeatRow | Rejected:
        """A late joiner takes a seat the facilitator freed during the game."""
        async with self.lock:
            for _ in range(MAX_CONFLICT_RETRIES):
                if self.removed:
                    return _rejected(REMOVED, GONE_MESSAGE)
                if self.state is not None and self.state.status == "ended":
                    return _rejected("game_over", msg("this table's game has ended"))
                free = [s for s in self._ordered_seats() if s.vacant]
                row = next((s for s in free if role is None or s.role == role), None)
                if row is None:
                    if free:
                        return _rejected("role_taken", msg("that role is taken"))
                    return _rejected("started", msg("this table's game has already started"))
                change = {"seat": row.id, "action": "take", "name": name, "epoch": row.epoch}
                try:
                    await self._settle()
                    taken = await self._log_seat(row, change)
                except Conflict:
                    await self.catch_up()
                    continue
                except Unavailable:
                    taken = self._unavailable()
                if taken.rejection is not None:
                    return taken.rejection
                return row
            return _rejected("busy", BUSY_MESSAGE)

    async def _log_seat(self, row: SeatRow, change: dict[str, Any]) -> Outcome:
        if self.on_seat_change is not None:
            await self.on_seat_change(self, row, str(change["action"]), str(change.get("name", "")))
        return await self._append([NewRecord(SEAT_RECORD, change)], None, None)

    def _complete(self) -> bool:
        taken = [s.role for s in self.seats]
        return all(taken.count(r.id) >= r.seats.min for r in self.rules.scenario.roles)

    # --- facilitator controls -------------------------------------------------------

    async def control(self, command: str, seconds: float = 0.0) -> Outcome:
        async with self.lock:
            if self.removed:
                return self._refuse(REMOVED, GONE_MESSAGE)
            try:
                return await self._control(command, seconds)
            except Unavailable:
                return self._unavailable()

    async def _control(self, command: str, seconds: float) -> Outcome:
        await self._settle()
        if command == "start":
            if self.state is not None:
                return self._refuse("already_started", msg("the game has already started"))
            return await self._start()
        if self.state is None:
            return self._refuse("not_started", msg("the game has not started"))
        if command == "pause":
            return await self._pause()
        if command == "resume":
            return await self._resume()
        if command == "extend":
            return await self._extend(seconds)
        if command == "advance":
            index = self.state.round_index
            return await self._apply(None, a.EndPhase("advance"), None, index)
        if command == "end":
            return await self._end()
        return self._refuse("unknown_command", msg("unknown command {command!r}", command=command))

    def _refuse(self, code: str, said: Msg) -> Outcome:
        return Outcome(self.seq, _rejected(code, said))

    def _unavailable(self) -> Outcome:
        self._unsure = True
        return self._refuse(UNAVAILABLE, UNAVAILABLE_MESSAGE)

    async def _settle(self) -> None:
        """After an append whose outcome is unknown, fold what the log holds (it may hold
        that append): Unavailable while the log is still out of reach."""
        if self._unsure:
            await self.catch_up()
            self._unsure = False

    async def _start(self) -> Outcome:
        if self.config.bots_fill:
            bots = [
                SeatRow(self.new_seat_id(r), r, "Bot", True) for r in self.free_roles_below_min()
            ]
            if bots and self.on_seats is not None:
                await self.on_seats(self, bots)
            self.seats.extend(bots)
        if not self._complete():
            # By the names the scenario gives them, in the table's language: the ids are
            # the author's, and mean little to the facilitator who reads this. Semicolons,
            # as a name may hold a comma ("Parent, chair of the school board").
            lang = self.config.language
            names = {r.id: localize(r.name, lang) for r in self.rules.scenario.roles}
            missing = "; ".join(names[role] for role in self.free_roles_below_min())
            return self._refuse(
                "seats_missing", msg("these roles still need a player: {roles}", roles=missing)
            )
        seats = [SeatSpec(s.id, s.role) for s in self._ordered_seats()]
        try:
            started = self.rules.start(seats, self.config.seed)
        except ValueError as exc:
            return self._refuse("seats_invalid", verbatim(str(exc)))
        records = [_engine_record(e) for e in started.events]
        records.append(self._timer_record("running", self._deadline(0)))
        try:
            return await self._append(records, None, None)
        except Conflict:  # another instance started this table first
            await self.catch_up()
            return self._refuse("already_started", msg("the game has already started"))

    def free_roles_below_min(self) -> list[str]:
        taken = [s.role for s in self.seats]
        return [
            r.id
            for r in self.rules.scenario.roles
            for _ in range(max(0, r.seats.min - taken.count(r.id)))
        ]

    def new_seat_id(self, role: str) -> str:
        """The role's id for its first seat, then role-2, role-3, …"""
        used = {s.id for s in self.seats}
        n = 1
        while (role if n == 1 else f"{role}-{n}") in used:
            n += 1
        return role if n == 1 else f"{role}-{n}"

    def _ordered_seats(self) -> list[SeatRow]:
        order = {r.id: i for i, r in enumerate(self.rules.scenario.roles)}
        return sorted(self.seats, key=lambda s: (order.get(s.role, 99), s.id))

    def _deadline(self, round_index: int) -> float:
        return self.clock() + self.rules.catalog.rounds[round_index].timer_seconds

    def _timer_record(
        self, status: str, deadline: float | None = None, remaining: float | None = None
    ) -> NewRecord:
        return NewRecord(
            "control.timer", {"status": status, "deadline": deadline, "remaining": remaining}
        )

    async def _pause(self) -> Outcome:
        if self.timer.status != "running":
            return self._refuse("not_running", msg("the game is not running"))
        remaining = max(0.0, (self.timer.deadline or 0.0) - self.clock())
        return await self._append([self._timer_record("paused", None, remaining)], None, None)

    async def _resume(self) -> Outcome:
        if self.timer.status != "paused":
            return self._refuse("not_paused", msg("the game is not paused"))
        deadline = self.clock() + (self.timer.remaining or 0.0)
        return await self._append([self._timer_record("running", deadline)], None, None)

    async def _extend(self, seconds: float) -> Outcome:
        if not 0 < seconds <= 3600:
            return self._refuse("invalid", msg("extend by 1 to 3600 seconds"))
        if self.timer.status == "running":
            record = self._timer_record("running", (self.timer.deadline or 0.0) + seconds)
        elif self.timer.status == "paused":
            record = self._timer_record("paused", None, (self.timer.remaining or 0.0) + seconds)
        else:
            return self._refuse("not_running", msg("the game is not running"))
        return await self._append([record], None, None)

    async def _end(self) -> Outcome:
        """End the game now: every remaining phase runs out of time in turn."""
        outcome = Outcome(self.seq)
        while self.state is not None and self.state.status != "ended":
            index = self.state.round_index
            outcome = await self._apply(None, a.EndPhase("advance"), None, index)
            if outcome.rejection is not None:
                break
        return outcome

    # --- intents --------------------------------------------------------------------

    async def submit(
        self, seat: str, action: a.Action, cmid: str | None, origin: Connection | None = None
    ) -> Outcome:
        """A seat's intent; a repeated client message id is answered, never applied twice.

        `origin` is the connection it came from: if it speaks protocol v3, the update it is
        sent carries the cmid and stands for the ack (`Outcome.answered`).
        """
        async with self.lock:
            if self.removed:
                return self._refuse(REMOVED, GONE_MESSAGE)
            try:
                return await self._submit(seat, action, cmid, origin)
            except Unavailable:
                return self._unavailable()

    async def _submit(
        self, seat: str, action: a.Action, cmid: str | None, origin: Connection | None
    ) -> Outcome:
        await self._settle()
        if cmid is not None:
            # Every logged cmid up to self.seq is folded into _cmids, so memory answers
            # without a query per intent; one logged elsewhere after that makes our
            # append conflict, and _apply answers it as a duplicate after catching up.
            seen = self._cmid_seq(seat, cmid)
            if seen is not None:
                return Outcome(seen, duplicate=True)
        if isinstance(action, a.SeatAction) and action.seat != seat:
            return self._refuse("not_your_seat", msg("you can only act for your own seat"))
        if origin is not None and origin not in self.connections:
            # Its seat was given to someone else (or it has gone): see _kick.
            return self._refuse(REPLACED, REPLACED_MESSAGES["free"])
        if self.state is None:
            return self._refuse("not_started", msg("the game has not started yet"))
        if self.timer.status == "paused":
            return self._refuse("paused", msg("the facilitator has paused the game"))
        return await self._apply(seat, action, cmid, origin=origin)

    async def _apply(
        self,
        seat: str | None,
        action: a.Action,
        cmid: str | None,
        round_index: int | None = None,
        origin: Connection | None = None,
    ) -> Outcome:
        """Apply and append; after losing a race to another writer, catch up and try again.

        An end of phase names its round: once another writer has moved the game on, the
        same end of phase must not end the next round too.
        """
        for _ in range(MAX_CONFLICT_RETRIES):
            assert self.state is not None
            if round_index is not None and self.state.round_index != round_index:
                return self._refuse("stale", msg("that phase has already ended"))
            result = self.rules.apply(self.state, action)
            if isinstance(result, Rejected):
                log.info(
                    "rejected",
                    extra={
                        "table": self.config.table_id,
                        "seat": seat,
                        "action": action.type,
                        "code": result.code,
                    },
                )
                return Outcome(self.seq, result)
            records = [_engine_record(e, seat, cmid) for e in result.events]
            for event in result.events:
                if isinstance(event, RoundStarted):
                    records.append(self._timer_record("running", self._deadline(event.index)))
                if isinstance(event, GameEnded):
                    records.append(self._timer_record("ended"))
            try:
                outcome = await self._append(records, seat, cmid, result.state, origin)
                if outcome.rejection is not None:
                    return outcome
            except Conflict:
                await self.catch_up()
                # The same intent may have won on another instance (a client retrying
                # there): answer it as the duplicate it is, never apply it twice.
                done = self._cmid_seq(seat, cmid) if seat is not None and cmid else None
                if done is not None:
                    return Outcome(done, duplicate=True)
                continue
            # Debug only: the event log itself holds every accepted intent, and a line
            # per intent was 4 % of the server's time under load.
            log.debug(
                "accepted",
                extra={
                    "table": self.config.table_id,
                    "seat": seat,
                    "action": action.type,
                    "seq": outcome.seq,
                },
            )
            return outcome
        return self._refuse("busy", BUSY_MESSAGE)

    async def _append(
        self,
        records: list[NewRecord],
        seat: str | None,
        cmid: str | None,
        applied: GameState | None = None,
        origin: Connection | None = None,
    ) -> Outcome:
        """Append records to the log, then fold them in; `applied` is the engine's state
        after them, when the caller has it (folding its events again would redo it)."""
        first = self.seq + 1
        status = self.timer.status
        try:
            await self.log.append(self.config.table_id, first, records)
        except Unavailable:
            return self._unavailable()
        except Gone:
            # The workshop was deleted on another instance and its notice never came.
            self._stop()
            self._dismissal = asyncio.create_task(self.dismiss(GONE_MESSAGE))
            return self._refuse(REMOVED, GONE_MESSAGE)
        stored = [
            LogRecord(first + i, r.type, r.payload, r.seat, r.cmid) for i, r in enumerate(records)
        ]
        for record in stored:
            self._fold(record, evolve=applied is None)
        if applied is not None:
            self.state = applied
        answer = (origin, cmid) if origin is not None and cmid is not None else None
        answered = self._after_change(stored, answer)
        if self.on_append is not None:
            self.on_append(self)
        if self.timer.status != status and self.on_status is not None:
            # The table row's status is what a restart reads to know which games to resume.
            await self.on_status(self, self.timer.status)
        return Outcome(self.seq, answered=answered)

    async def catch_up(self) -> None:
        """Fold what other instances appended since our last sequence number."""
        stored = await self.log.load(self.config.table_id, self.seq)
        for record in stored:
            self._fold(record)
        if stored:
            self._after_change(stored)

    async def sync(self) -> None:
        """Catch up behind the lock, so no append of ours is folded twice."""
        async with self.lock:
            await self.catch_up()

    def set_remote_online(self, seats: set[str]) -> None:
        """Seats other instances have connected; players here see them online too."""
        if seats != self.remote_online:
            self.remote_online = seats
            self._broadcast_view([])

    def set_leader(self, leader: bool) -> None:
        """Take over (or give up) the table's clock and bots; see app/rooms/lease.py."""
        if leader == self.leader:
            return
        self.leader = leader
        if leader:
            self._resume_after_load()
            return
        if self._timer_handle is not None:
            self._timer_handle.cancel()
            self._timer_handle = None
        self._stop_bots()
        # Their runners are gone; the bots start again from the seats as they are then (a
        # seat may change hands meanwhile, on the instance that runs the bots).
        self._bots.clear()
        self._paces.clear()
        self._woken.clear()

    def _stop_bots(self) -> None:
        if self._bot_task is not None:
            self._bot_task.cancel()
            self._bot_task = None
        for task in list(self._bots_added):
            task.cancel()

    def _after_change(
        self, stored: Sequence[LogRecord], answer: tuple[Connection, str] | None = None
    ) -> bool:
        """Arm the timer, fan the change out, wake the bots; whether `answer` was sent."""
        self._arm_timer()
        answered = self._broadcast_view(stored, answer)
        if self._bots_changed:
            self._bots_changed = False
            self._update_bots()
        if self.state is not None and self._bot_task is None:
            self._start_bots()
        for woken in self._woken.values():
            woken.set()
        return answered

    # --- timer ----------------------------------------------------------------------

    def _arm_timer(self) -> None:
        deadline = self.timer.deadline
        wanted: tuple[float, int] | None = None
        running = self.timer.status == "running" and self.leader
        if running and deadline is not None and self.state is not None:
            wanted = (deadline, self.state.round_index)
        # Most changes are intents within a round: the timer already armed for it stays.
        if wanted is not None and self._timer_handle is not None and self._timer_for == wanted:
            return
        if self._timer_handle is not None:
            self._timer_handle.cancel()
            self._timer_handle = None
        if wanted is None:
            return
        deadline, round_index = wanted
        self._timer_for = wanted
        self._timer_handle = asyncio.get_running_loop().call_later(
            max(0.0, deadline - self.clock()), self._fire_timer, round_index
        )

    def _fire_timer(self, round_index: int) -> None:
        # A timer that has fired is re-armed by the next change, whatever its outcome.
        self._timer_handle = None
        self._timer_task = asyncio.create_task(self._time_up(round_index))

    async def _time_up(self, round_index: int) -> None:
        async with self.lock:
            state = self.state
            if state is None or state.status == "ended" or state.round_index != round_index:
                return
            if self.timer.status != "running":
                return
            try:
                await self._settle()
                outcome = await self._apply(None, a.EndPhase("time_up"), None, round_index)
            except Unavailable:
                outcome = self._unavailable()
            rejection = outcome.rejection
            if rejection is not None and rejection.code == UNAVAILABLE and self.leader:
                # The deadline has passed and stays passed: fire again until the log takes
                # it (or another change re-arms the timer).
                self._timer_handle = asyncio.get_running_loop().call_later(
                    RETRY_AFTER, self._fire_timer, round_index
                )

    # --- bots -----------------------------------------------------------------------

    def _start_bots(self) -> None:
        bots = [s for s in self.seats if s.is_bot]
        if not bots or self._bot_task is not None or not self.leader or self.removed:
            return
        for s in bots:
            self._new_bot(s)
        self._bot_task = asyncio.create_task(self._run_bots())

    def _new_bot(self, seat: SeatRow) -> None:
        # Bots among people play at a person's pace and volume (at most one move a round).
        people = any(not s.is_bot for s in self.seats)
        rng = random.Random(f"{self.config.seed}:{seat.id}")
        self._bots[seat.id] = Bot(self.rules, seat.id, seat.role, rng=rng, human_pace=people)
        self._paces[seat.id] = random.Random(f"{self.config.seed}:{seat.id}:pace")
        woken = self._woken[seat.id] = asyncio.Event()
        woken.set()  # look at the game once now (it may have been loaded from its log)

    def _update_bots(self) -> None:
        """The facilitator gave seats to bots or took them away, while bots were playing.

        Only the bots that changed start or stop; cancelling the others could cut one off
        in the middle of its intent.
        """
        if self._bot_task is None:
            return  # none running yet: _start_bots starts them from the seats as they are
        for seat_id in [b for b in self._bots if not (row := self.seat(b)) or not row.is_bot]:
            del self._bots[seat_id]  # its runner sees that and stops
            self._woken.pop(seat_id).set()
        for row in self.seats:
            if row.is_bot and row.id not in self._bots:
                self._new_bot(row)
                task = asyncio.create_task(self._run_bot(row.id))
                self._bots_added.add(task)
                task.add_done_callback(self._bots_added.discard)

    async def _run_bots(self) -> None:
        """Every bot on its own: cancelling this cancels them all."""
        await asyncio.gather(*(self._run_bot(seat_id) for seat_id in list(self._bots)))

    async def _run_bot(self, seat_id: str) -> None:
        """One bot: after each change at the table it thinks, then makes its next intent.

        It plays for as long as the seat is its own (see _update_bots).
        """
        bot, pace, woken = self._bots[seat_id], self._paces[seat_id], self._woken[seat_id]
        while self._bots.get(seat_id) is bot and self.state and self.state.status != "ended":
            await woken.wait()
            woken.clear()
            # Product pacing: people at the table should see a bot "think" (a time drawn
            # for each intent, so bots answer one by one); 0 in tests.
            await asyncio.sleep(think_time(pace, self.think_seconds))
            if self.state is None or self.timer.status != "running":
                continue
            if self._bots.get(seat_id) is not bot:
                return
            action = bot.act(self.state)
            if action is not None:
                outcome = await self.submit(seat_id, action, None)
                if outcome.rejection is not None and outcome.rejection.code == UNAVAILABLE:
                    # Nothing at the table changes while its log is away: look again later.
                    await asyncio.sleep(RETRY_AFTER)
                    woken.set()

    # --- fan-out --------------------------------------------------------------------

    def language(self, wanted: str | None) -> str:
        """The language a client asked for, if the scenario has it; else the workshop's."""
        return wanted if wanted in self.rules.scenario.languages else self.config.language

    def _public(self, lang: str, seats: list[SeatInfo] | None = None) -> dict[str, Any]:
        """The public view, rebuilt only when the log or the seats moved on.

        Attaching and detaching sockets changes only who is online, and an ended game's
        view (with its digest) is asked for again and again as players leave.
        """
        seats = self.seat_infos() if seats is None else seats
        key = (self.seq, tuple(seats))
        cached = self._public_cache.get(lang)
        if cached is not None and cached[0] == key:
            return cached[1]
        memo = self._view_parts.setdefault(lang, PartsMemo())
        if cached is not None and cached[0][0] == self.seq:
            view = {**cached[1], "seats": seats_part(memo, seats)}
        else:
            view = public_view(
                self.rules,
                self.state,
                seats,
                self.timer.view(),
                self.config.show_numbers,
                lang,
                memo,
                self.config.autostart,
            )
        self._public_cache[lang] = (key, view)
        return view

    def _private(self, seat: SeatRow | None, lang: str) -> dict[str, Any] | None:
        """The seat's private view; the same object for as long as its inputs are equal."""
        if seat is None:
            return None
        inputs = private_inputs(self.rules, self.state, seat.id, seat.role)
        cached = self._private_cache.get((seat.id, lang))
        if cached is not None and cached[0] == inputs:
            return cached[1]
        info = SeatInfo(seat.id, seat.role, seat.name, seat.is_bot, True)
        view = private_view(self.rules, self.state, info, lang)
        self._private_cache[(seat.id, lang)] = (inputs, view)
        return view

    def _broadcast_view(
        self, stored: Sequence[LogRecord], answer: tuple[Connection, str] | None = None
    ) -> bool:
        """Send every connection the new events as its seat may see them, and the parts of
        its views that changed (a top-level patch, not the whole view).

        `answer` is the connection whose intent produced `stored`, and the intent's cmid:
        if it speaks protocol v3 its update carries the cmid. Whether it did is returned.
        """
        answered = False
        if not self.connections:
            return answered
        ended = self.state is not None and self.state.status == "ended"
        seats = self.seat_infos()
        by_id = {s.id: s for s in self.seats}
        # Only dealt cards differ between seats' projections: without them (or once the
        # game has ended) every seat gets the same events, encoded once.
        hidden = not ended and any(deals_cards(r.payload) for r in stored)
        events: dict[str | None, str] = {}
        # Encoded once per language and per views the clients hold.
        public_patches: dict[tuple[str, int], str] = {}
        publics: dict[str, dict[str, Any]] = {}
        for conn in list(self.connections):
            lang = conn.lang
            seat = by_id.get(conn.seat) if conn.seat else None
            role = seat.role if seat and hidden else None
            if role not in events:
                events[role] = dumps([_wire_event(r, role, ended) for r in stored])
            if lang not in publics:
                publics[lang] = self._public(lang, seats)
            public = publics[lang]
            held = (lang, id(conn.held_public))
            if held not in public_patches:
                patch = changes(conn.held_public, public)
                public_patches[held] = dumps(patch) if patch else ""
            private = self._private(seat, lang)
            private_patch = changes(conn.held_private, private)
            conn.held_public, conn.held_private = public, private
            parts = []
            if public_patches[held]:
                parts.append(f'"public":{public_patches[held]}')
            if private_patch:
                parts.append(f'"private":{dumps(private_patch)}')
            if not stored and not parts:
                continue  # nothing this client can see has changed
            acked = ""
            if answer is not None and conn is answer[0] and conn.version >= 3:
                acked = f',"cmid":{dumps(answer[1])}'
                answered = True
            conn.offer(
                f'{{"v":{PROTOCOL_VERSION},"type":"update","seq":{self.seq}{acked},'
                f'"events":{events[role]},"patch":{{{",".join(parts)}}}}}'
            )
        return answered

    def welcome(self, conn: Connection, seat: SeatRow | None) -> dict[str, Any]:
        """The full views for a (re)joining client; its updates patch these."""
        conn.held_public = self._public(conn.lang)
        conn.held_private = self._private(seat, conn.lang)
        return {"public": conn.held_public, "private": conn.held_private}

    async def events_after(
        self, after: int, role: str | None, reveal: bool = False
    ) -> list[dict[str, Any]]:
        """The events a client missed, as it may see them."""
        ended = reveal or (self.state is not None and self.state.status == "ended")
        return [
            _wire_event(r, role, ended) for r in await self.log.load(self.config.table_id, after)
        ]

    def scenario_view(self, lang: str) -> dict[str, Any]:
        return scenario_view(self.rules, lang)

    async def announce(self, text: str) -> None:
        """A facilitator's message to every seat and screen at the table (not logged)."""
        frame = server_frame("announcement", text=text)
        for conn in list(self.connections):
            conn.offer(frame)

    def digest(self) -> str | None:
        return state_digest(self.state) if self.state is not None else None

    async def close(self) -> None:
        if self._timer_handle is not None:
            self._timer_handle.cancel()
        self._stop_bots()
        for conn in list(self.connections):
            await conn.stop()

    async def retire(self) -> None:
        """Stop the table for good: no intent, timer or bot acts on it any more.

        Under the lock, so an intent already running finishes first and none starts after.
        """
        async with self.lock:
            self._stop()

    def _stop(self) -> None:
        self.removed = True
        if self._timer_handle is not None:
            self._timer_handle.cancel()
            self._timer_handle = None
        self._stop_bots()

    async def dismiss(self, said: Msg) -> None:
        """Tell every client the table is gone (an error frame), then close its socket."""
        reason = _close_reason(said)
        await asyncio.gather(
            *(
                c.finish(_said_frame(REMOVED, said, c.lang), GONE, reason)
                for c in list(self.connections)
            )
        )


def _rejected(code: str, said: Msg) -> Rejected:
    """A refusal of the room's own: English in the log, `said` in each client's language."""
    return Rejected(code, said.english(), said)


def said_in(refused: Rejected, lang: str) -> str:
    """Why an intent or a command was refused, in `lang` where its words are translated."""
    return refused.said.render(lang) if refused.said is not None else refused.message


def _said_frame(code: str, said: Msg, lang: str) -> str:
    """The error frame that tells one client why its socket is being closed."""
    return server_frame("error", code=code, message=said.render(lang), cmid=None)


def _close_reason(said: Msg) -> str:
    """A websocket close reason holds at most 123 bytes: the English words, cut short."""
    return said.english().encode()[:120].decode(errors="ignore")


def think_time(rng: random.Random, think_seconds: float) -> float:
    """How long a bot thinks before an intent: `think_seconds` times a factor drawn from
    THINK_SPREAD with the bot's own generator; no time at all when `think_seconds` is 0."""
    if think_seconds <= 0:
        return 0.0
    return think_seconds * rng.uniform(*THINK_SPREAD)


def _wire_event(record: LogRecord, role: str | None, ended: bool) -> dict[str, Any]:
    """A log record as a seat of `role` receives it (docs/asyncapi.yaml, EventRecord)."""
    return {
        "seq": record.seq,
        "type": record.type,
        "data": project_event(record.payload, role, ended),
    }


def _engine_record(event: Any, seat: str | None = None, cmid: str | None = None) -> NewRecord:
    return NewRecord(event.type, engine_event_to_dict(event), seat, cmid)
