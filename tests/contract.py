"""Every websocket frame a test's clients exchange, checked against docs/asyncapi.yaml.

One `Conversation` follows one connection, whoever the client is: the integration tests'
`Player`, the bots those tests play with (`CheckedSocket`), a browser page in the e2e
tests (`watch_browser_socket`), or a seat an e2e test plays itself (`SyncCheckedSocket`).
It checks two things:

- the payload: a frame the client sends must match its message's payload schema (unless
  the test sent it raw on purpose, to be hostile), and every frame the server sends must
  match its own, whatever it answers;
- the pairing: a client frame is a question for the `receive` operation of its type, and
  the server's answer to it must be one of the messages that operation's `reply` lists
  (an intent is answered by what `operations.receiveIntent.reply` lists, and so on). A
  frame with no such operation (not JSON, an unknown type) is answered like `sendError`
  says: with an `error`.

The pairing is by order. The server reads a connection's next frame only once it has
queued its answer to this one (app/web/ws.py's `Session.handle`, which goes through the
connection's single outgoing queue), so the n-th answer on a connection is the answer to
its n-th question. Frames nobody asked for are told apart as the document tells them
apart: an `update` without `cmid`, an `announcement`, and the `error` the server sends
just before it closes the connection (`workshop_deleted`, `seat_replaced`) with no `cmid`.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import websockets
import websockets.sync.client
from websockets.asyncio.client import ClientConnection

from app.web.protocol import (
    ProtocolViolation,
    protocol,
    validate_client_frame,
    validate_server_frame,
)

# What every conversation of this test process checked, for the run's summary.
TALLY: Counter[str] = Counter()
# The answer to a frame that no `receive` operation takes (docs/asyncapi.yaml, `sendError`).
NO_OPERATION = "sendError"
# Errors the server sends unasked, just before it closes the connection ("Closing").
CLOSING_CODES = frozenset({"workshop_deleted", "seat_replaced"})
SHOWN = 400  # characters of a frame quoted in a failure


class ContractViolation(AssertionError):
    """A frame broke docs/asyncapi.yaml; the message quotes the frame and says how."""


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    replies: frozenset[str]  # frame types of the messages its reply lists


def _frame_type(document: dict[str, Any], ref: str) -> str:
    """The `type` const of the message a channel message reference points at."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    if "$ref" in node:  # a channel's message refers on to the component message
        return _frame_type(document, node["$ref"])
    return str(node["payload"]["properties"]["type"]["const"])


@cache
def operations() -> dict[str | None, Operation]:
    """The operation answering each client frame type (None: a frame no operation takes)."""
    document = protocol().document
    found: dict[str | None, Operation] = {}
    for name, operation in document["operations"].items():
        if operation["action"] == "receive":
            replies = frozenset(
                _frame_type(document, r["$ref"]) for r in operation["reply"]["messages"]
            )
            for message in operation["messages"]:
                found[_frame_type(document, message["$ref"])] = Operation(name, replies)
        elif name == NO_OPERATION:
            types = frozenset(_frame_type(document, m["$ref"]) for m in operation["messages"])
            found[None] = Operation(name, types)
    return found


def _shown(payload: str | bytes) -> str:
    text = payload if isinstance(payload, str) else repr(payload)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text)} characters)"


def _parsed(payload: str | bytes) -> Any:
    """A frame as JSON, or None when it is none (the server decodes bytes as UTF-8 text)."""
    text = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _asks(frame: dict[str, Any]) -> bool:
    """Whether a valid server frame answers a client frame rather than coming unasked."""
    kind = frame["type"]
    if kind == "update":
        return "cmid" in frame  # protocol v3: the update an intent produced, to its sender
    if kind == "error":
        return frame["cmid"] is not None or frame["code"] not in CLOSING_CODES
    return kind != "announcement"


@dataclass(slots=True)
class Question:
    """A client frame waiting for its answer."""

    operation: Operation
    cmid: Any  # the frame's own cmid field (None when it has none)
    hostile: bool  # sent raw on purpose: its answer's cmid may be null (an unreadable frame)
    shown: str


@dataclass
class Conversation:
    """One connection's frames, checked as they pass; `problems` holds what broke the contract."""

    name: str
    problems: list[str] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=lambda: TALLY)
    waiting: deque[Question] = field(default_factory=deque)

    def sent(self, payload: str | bytes, hostile: bool = False) -> list[str]:
        """A frame the client sent; the problems it adds (none for a hostile frame's payload)."""
        found: list[str] = []
        frame = _parsed(payload)
        if hostile:
            self.tally["sent raw (hostile, payload not checked)"] += 1
        else:
            self.tally["sent"] += 1
            try:
                validate_client_frame(frame)
            except ProtocolViolation as exc:
                found.append(f"sent {_shown(payload)}\n  against its payload schema: {exc}")
        kind = frame.get("type") if isinstance(frame, dict) else None
        operation = operations().get(kind if isinstance(kind, str) else None) or operations()[None]
        cmid = frame.get("cmid") if isinstance(frame, dict) else None
        self.waiting.append(Question(operation, cmid, hostile, _shown(payload)))
        return self._note(found)

    def received(self, payload: str | bytes) -> list[str]:
        """A frame the server sent; the problems it adds."""
        self.tally["received"] += 1
        frame = _parsed(payload)
        try:
            validate_server_frame(frame)
        except ProtocolViolation as exc:
            return self._note([f"received {_shown(payload)}\n  against its payload schema: {exc}"])
        if not _asks(frame):
            return []
        if not self.waiting:
            return self._note(
                [f"received {_shown(payload)}\n  an answer, but no frame sent is waiting for one"]
            )
        self.tally["answers paired with their question"] += 1
        return self._note(self._pair(self.waiting.popleft(), frame, payload))

    def _pair(self, question: Question, frame: dict[str, Any], payload: str | bytes) -> list[str]:
        operation = question.operation
        where = f"received {_shown(payload)}\n  in answer to {question.shown}:"
        if frame["type"] not in operation.replies:
            listed = ", ".join(sorted(operation.replies))
            return [f"{where} operations.{operation.name} answers only with {listed}"]
        cmid = frame.get("cmid")
        if cmid != question.cmid and not (question.hostile and cmid is None):
            return [f"{where} it carries cmid {cmid!r}, not the frame's {question.cmid!r}"]
        return []

    def _note(self, found: list[str]) -> list[str]:
        self.problems += [f"[{self.name}] {problem}" for problem in found]
        return found


def check(problems: list[str]) -> None:
    """Fail at once on the problems a frame added."""
    if problems:
        raise ContractViolation("the frame breaks docs/asyncapi.yaml:\n" + "\n".join(problems))


class CheckedSocket:
    """A client websocket whose every frame is checked, failing at the first bad one.

    `send` checks the frame's payload unless the socket `sends_hostile`: the `Player` of
    the integration tests makes its socket so, since what a test sends past
    `Player.send` (`player.ws.send(...)`) is sent raw on purpose. The server's answers
    to such frames are checked all the same.
    """

    def __init__(self, ws: ClientConnection, name: str, *, sends_hostile: bool = False) -> None:
        self.connection = ws
        self.conversation = Conversation(name)
        self.sends_hostile = sends_hostile

    async def send(self, message: str | bytes) -> None:
        await self._send(message, self.sends_hostile)

    async def send_checked(self, message: str | bytes) -> None:
        await self._send(message, False)

    async def send_raw(self, message: str | bytes) -> None:
        await self._send(message, True)

    async def _send(self, message: str | bytes, hostile: bool) -> None:
        check(self.conversation.sent(message, hostile))
        await self.connection.send(message)

    async def recv(self) -> str | bytes:
        message = await self.connection.recv()
        check(self.conversation.received(message))
        return message

    async def close(self) -> None:
        await self.connection.close()

    def __getattr__(self, name: str) -> Any:
        # The rest of the connection (its close code, its state) as it is.
        return getattr(self.connection, name)


@asynccontextmanager
async def checked_connect(url: str, name: str, **options: Any) -> AsyncIterator[CheckedSocket]:
    """`websockets.connect`, every frame checked: for the bots of the integration games."""
    async with websockets.connect(url, **options) as ws:
        yield CheckedSocket(ws, name)


class SyncCheckedSocket:
    """`CheckedSocket` for the blocking client the browser tests speak the protocol with."""

    def __init__(self, ws: websockets.sync.client.ClientConnection, name: str) -> None:
        self.connection = ws
        self.conversation = Conversation(name)

    def send(self, message: str | bytes) -> None:
        check(self.conversation.sent(message))
        self.connection.send(message)

    def recv(self, timeout: float | None = None) -> str | bytes:
        message = self.connection.recv(timeout)
        check(self.conversation.received(message))
        return message


@contextmanager
def checked_connect_sync(url: str, name: str, **options: Any) -> Iterator[SyncCheckedSocket]:
    """`websockets.sync.client.connect`, every frame checked."""
    with websockets.sync.client.connect(url, **options) as ws:
        yield SyncCheckedSocket(ws, name)


def watch_browser_socket(ws: Any, name: str, problems: list[str]) -> Conversation:
    """Check every frame of a Playwright WebSocket; what breaks the contract goes to
    `problems`, which the e2e fixtures assert empty when the test ends (a Playwright
    event handler cannot fail the test itself)."""
    conversation = Conversation(f"{name} {ws.url}", problems)
    ws.on("framesent", conversation.sent)
    ws.on("framereceived", conversation.received)
    return conversation
