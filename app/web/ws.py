"""The websocket endpoint: one protocol for browsers, bots and benchmarks (docs/asyncapi.yaml).

Every frame a client sends gets an answer; a bad frame gets an error frame with a code
and the connection stays open. Intents go to the table's room, which alone decides.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.engine.actions import ACTION_TYPES, SeatAction, action_from_dict
from app.i18n import FALLBACK_LANGUAGE
from app.jsontext import loads
from app.rooms.connection import Connection
from app.rooms.log import Unavailable
from app.rooms.manager import RoomManager
from app.rooms.room import (
    OLDEST_VERSION,
    PROTOCOL_VERSION,
    RETRY_AFTER,
    UNAVAILABLE,
    UNAVAILABLE_MESSAGE,
    Room,
    SeatRow,
    said_in,
    server_frame,
)
from app.rooms.tokens import BadToken
from app.store.db import is_outage
from app.web.limits import TokenBucket
from app.web.playfirst import Turns
from app.web.rawsend import socket_writer

router = APIRouter()
log = logging.getLogger("policymaker.ws")

MAX_FRAME_BYTES = 16 * 1024
MAX_CMID = 64
FOREIGN_ORIGIN = 4403
# What a seat may ask for; ending a phase is the timer's and the facilitator's.
SEAT_ACTIONS = frozenset(k for k, cls in ACTION_TYPES.items() if issubclass(cls, SeatAction))
# The top-level fields of each client frame, as docs/asyncapi.yaml lists them (its payloads
# say `additionalProperties: false`; tests/unit/test_protocol_doc.py keeps the two equal).
# Written out here because the server does not read docs/ at run time: an installed wheel
# has no docs/. A field outside these is refused rather than ignored, so that a client's
# misspelt `last_seq` or `cmid` is told, not silently dropped.
CLIENT_FIELDS: dict[str, frozenset[str]] = {
    "hello": frozenset({"v", "type", "token", "code", "last_seq", "lang"}),
    "intent": frozenset({"v", "type", "cmid", "action"}),
    "sync": frozenset({"v", "type", "after_seq"}),
    "ping": frozenset({"v", "type"}),
}


def _error(code: str, message: str, cmid: Any = None) -> str:
    if code == UNAVAILABLE:  # the one error that says when to try again
        return server_frame("error", code=code, message=message, cmid=cmid, retry_after=RETRY_AFTER)
    return server_frame("error", code=code, message=message, cmid=cmid)


class Session:
    """One client's conversation: hello first, then intents, syncs and pings."""

    def __init__(self, ws: WebSocket, manager: RoomManager, turns: Turns) -> None:
        self.ws = ws
        self.manager = manager
        self.turns = turns
        self.room: Room | None = None
        self.seat: SeatRow | None = None
        self.conn: Connection | None = None
        settings = manager.settings
        self.bucket = TokenBucket(settings.ws_messages_per_second, settings.ws_message_burst)

    @property
    def lang(self) -> str:
        """The language this client reads, once its hello has chosen one."""
        return self.conn.lang if self.conn is not None else FALLBACK_LANGUAGE

    async def send(self, text: str) -> None:
        """Replies to this client go through its queue, in order with the room's updates."""
        if self.conn is not None:
            self.conn.offer(text)
        else:
            await self.ws.send_text(text)

    async def handle(self, raw: str) -> None:
        if not self.bucket.take():
            # Name the intent that was dropped, so that its sender can send it again later.
            await self.send(_error("rate_limited", "too many messages; slow down", _cmid_of(raw)))
            return
        if len(raw.encode()) > MAX_FRAME_BYTES:
            await self.send(_error("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes"))
            return
        msg, unreadable = _parse(raw)
        if unreadable is not None:
            await self.send(_error("bad_json", unreadable))
            return
        if not isinstance(msg, dict):
            await self.send(_error("bad_frame", "a frame must be a JSON object"))
            return
        kind, version = msg.get("type"), msg.get("v")
        if (
            not isinstance(version, int)
            or isinstance(version, bool)  # true == 1 in Python
            or not OLDEST_VERSION <= version <= PROTOCOL_VERSION
        ):
            await self.send(
                _error("bad_frame", f"say which protocol you speak: v={PROTOCOL_VERSION}")
            )
            return
        allowed = CLIENT_FIELDS.get(kind) if isinstance(kind, str) else None
        unknown = sorted(set(msg) - allowed) if allowed is not None else []
        if unknown:
            names = ", ".join(repr(name) for name in unknown)
            await self.send(
                _error(
                    "bad_frame",
                    f"{kind} does not take the field(s) {names}"
                    f" (it takes: {', '.join(sorted(allowed or ()))})",
                    _cmid_of(raw),
                )
            )
            return
        try:
            await self.dispatch(kind, msg, version, raw)
        except Exception as exc:
            # The database is restarting or out of reach: say so, and when to try again,
            # rather than dropping the connection (the frame changed nothing).
            if not isinstance(exc, Unavailable) and not is_outage(exc):
                raise
            await self.send(
                _error(UNAVAILABLE, UNAVAILABLE_MESSAGE.render(self.lang), _cmid_of(raw))
            )

    async def dispatch(self, kind: Any, msg: dict[str, Any], version: int, raw: str) -> None:
        if kind == "hello":
            await self.hello(msg, version)
        elif kind == "ping":
            await self.send(server_frame("pong", seq=self.room.seq if self.room else 0))
        elif self.room is None:
            # An intent refused for want of a hello is still answered with its cmid.
            await self.send(
                _error("hello_first", "say hello with your seat token first", _cmid_of(raw))
            )
        elif kind == "intent":
            await self.intent(msg)
        elif kind == "sync":
            await self.sync(msg)
        else:
            await self.send(_error("unknown_type", f"unknown frame type {kind!r}"))

    async def hello(self, msg: dict[str, Any], version: int) -> None:
        if self.room is not None:
            await self.send(_error("already_joined", "this connection has already said hello"))
            return
        token, code, last = msg.get("token"), msg.get("code"), msg.get("last_seq")
        if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 0):
            await self.send(_error("bad_frame", "last_seq must be a non-negative integer"))
            return
        # Welcoming a player is lobby work: it waits its turn behind the moves in play.
        await self.turns.begin()
        try:
            if isinstance(token, str):
                room, seat = await self.manager.resume(token)
            elif isinstance(code, str):
                room, seat = await self.manager.watch(code), None
            else:
                await self.send(_error("bad_frame", "hello needs a seat token or a table code"))
                return
        except BadToken as exc:
            await self.send(_error("bad_token", str(exc)))
            return
        except LookupError as exc:
            await self.send(_error("not_found", str(exc)))
            return
        if last is not None and last > room.seq:
            # Another instance may have appended what this one has not folded yet: catch
            # up before saying the client is ahead of the table.
            await room.sync()
            if last > room.seq:
                # A client ahead of the table holds another table's (or a deleted and
                # recreated table's) history; resuming from it would leave it waiting
                # for events that never come.
                await self.send(
                    _error(
                        "bad_seq",
                        f"last_seq {last} is beyond this table's latest seq {room.seq};"
                        " say hello without last_seq (or with 0) to start afresh",
                    )
                )
                return
        self.room, self.seat = room, seat
        lang = room.language(msg.get("lang") if isinstance(msg.get("lang"), str) else None)
        # The socket's own methods, not the session's: a connection holding a method of the
        # session that holds it made a reference cycle of every websocket (with uvicorn's
        # protocol behind it, some 20 KB) that only a full collection freed.
        self.conn = Connection(
            seat.id if seat else None,
            self.ws.send_text,
            self.ws.close,
            room.outgoing_limit,
            lang,
            version,
            socket_writer(self.ws.scope),
        )
        # Welcome goes on the queue before the connection is visible to the room's fan-out,
        # so a client never sees an update older than its welcome.
        # last_seq 0 asks for the whole log (a bot that folds events itself); no last_seq,
        # for the state alone.
        role = seat.role if seat else None
        # Reading the log yields to the room, which may fold more meanwhile: read on until
        # the events reach the seq this welcome states, and leave out any record stored but
        # not folded yet (the room's next update brings it). No await from here to attach.
        # A client already at the room's seq (a fresh table, a quick reconnect) reads none.
        events: list[dict[str, Any]] = []
        while last is not None:
            reached = events[-1]["seq"] if events else last
            more = await room.events_after(reached, role) if reached < room.seq else []
            if not more:
                break
            events += more
        events = [e for e in events if e["seq"] <= room.seq]
        self.conn.offer(
            server_frame(
                "welcome",
                seq=room.seq,
                seat=seat.id if seat else None,
                role=seat.role if seat else None,
                table=room.config.table_id,
                language=lang,
                scenario=room.scenario_view(lang),
                state=room.welcome(self.conn, seat),
                events=events,
            )
        )
        self.conn.start()
        room.attach(self.conn)

    async def intent(self, msg: dict[str, Any]) -> None:
        cmid = msg.get("cmid")
        if cmid is not None and not _valid_cmid(cmid):
            await self.send(
                _error("bad_frame", f"cmid must be 1..{MAX_CMID} characters, none a control", None)
            )
            return
        if self.seat is None or self.room is None:
            await self.send(_error("not_seated", "watchers cannot act", cmid))
            return
        action = msg.get("action")
        if not isinstance(action, dict):
            await self.send(_error("bad_frame", "an intent needs an 'action' object", cmid))
            return
        if action.get("seat", self.seat.id) != self.seat.id:
            await self.send(_error("not_your_seat", "you can only act for your own seat", cmid))
            return
        if action.get("type") not in SEAT_ACTIONS:
            await self.send(_error("bad_action", f"unknown action {action.get('type')!r}", cmid))
            return
        try:
            parsed = action_from_dict({**action, "seat": self.seat.id})
        except ValueError as exc:
            await self.send(_error("bad_action", str(exc), cmid))
            return
        outcome = await self.room.submit(self.seat.id, parsed, cmid, self.conn)
        if outcome.rejection is not None:
            refused = outcome.rejection
            # In the language the client asked for, where the words are translated.
            await self.send(_error(refused.code, said_in(refused, self.lang), cmid))
        elif not outcome.answered:
            await self.send(
                server_frame("ack", cmid=cmid, seq=outcome.seq, duplicate=outcome.duplicate)
            )

    async def sync(self, msg: dict[str, Any]) -> None:
        assert self.room is not None
        after = msg.get("after_seq", 0)
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.send(_error("bad_frame", "after_seq must be a non-negative integer"))
            return
        role = self.seat.role if self.seat else None
        events = await self.room.events_after(after, role)
        await self.send(server_frame("events", seq=self.room.seq, events=events))

    async def end(self) -> None:
        if self.room is not None and self.conn is not None:
            self.room.detach(self.conn)
            await self.conn.stop()


def _parse(raw: str) -> tuple[Any, str | None]:
    """A client's frame parsed, or why it cannot be.

    orjson first: the standard library's parser was 2 % of the server's time under load.
    What orjson refuses is parsed again by the standard library, whose verdict stands as
    it always has: it reads NaN and integers past 64 bits, and lone surrogate escapes
    (\\ud800), which parse but which no database can store. orjson refuses those itself.
    """
    try:
        return loads(raw), None
    except ValueError:  # orjson.JSONDecodeError
        pass
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        return None, "the frame is not valid JSON"
    if not _unicode(msg):
        return None, "the frame holds text that is not valid Unicode"
    return msg, None


def _cmid_of(raw: str) -> str | None:
    """A frame's client message id, when it has a readable one (for an error's reply)."""
    if len(raw) > MAX_FRAME_BYTES:
        return None
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    cmid = msg.get("cmid") if isinstance(msg, dict) else None
    return cmid if _valid_cmid(cmid) and _unicode(cmid) else None


def _valid_cmid(cmid: Any) -> bool:
    # Stored with the events it produced: no NUL or other control character (PostgreSQL
    # refuses NUL in text).
    return (
        isinstance(cmid, str)
        and 0 < len(cmid) <= MAX_CMID
        and not any(ord(c) < 32 or ord(c) == 127 for c in cmid)
    )


def _unicode(value: Any) -> bool:
    """Whether every string in a parsed frame is valid Unicode (encodable as UTF-8).

    Iterative: a frame may nest as deeply as the JSON parser allows.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _foreign_origin(ws: WebSocket) -> bool:
    """A browser page from another site must not drive a player's seat (CSWSH).

    Browsers always send Origin; other clients (bots, the benchmark) send none.
    """
    origin = ws.headers.get("origin")
    if origin is None:
        return False
    host = ws.headers.get("host", "")
    return urlsplit(origin).netloc.lower() != host.lower()


@router.websocket("/ws")
async def websocket_endpoint(ws: WebSocket) -> None:
    manager: RoomManager = ws.app.state.manager
    turns: Turns = ws.app.state.turns
    if _foreign_origin(ws):
        await ws.close(code=FOREIGN_ORIGIN, reason="connections from another site are refused")
        return
    await turns.begin()
    await ws.accept()
    session = Session(ws, manager, turns)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                data = message.get("bytes") or b""
                text = (
                    data.decode(errors="replace")
                    if len(data) <= MAX_FRAME_BYTES
                    else "x" * (MAX_FRAME_BYTES + 1)
                )
            await session.handle(text)
    except WebSocketDisconnect:
        pass
    finally:
        await session.end()
