"""The protocol document (docs/asyncapi.yaml) describes the frames the server really sends.

Welcome, update and events frames are built by the room and the websocket module from a
real game of bots on the tiny scenario, then checked against the document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.engine.actions import AddFraming
from app.engine.events import event_to_dict
from app.engine.rules import Rejected, Rules
from app.engine.simulate import default_seats, play_game
from app.rooms.log import LogRecord, NewRecord
from app.rooms.room import PROTOCOL_VERSION, Room, SeatRow, TableConfig
from app.web.protocol import (
    ProtocolViolation,
    load_document,
    protocol,
    validate_client_frame,
    validate_server_frame,
)
from tests.unit.tiny import tiny_scenario
from tests.views import Views, fold

RULES = Rules(tiny_scenario())
SEEDS = (1, 2, 7)  # seed 7 deals a card mid-game, so others see it as '?'
ACTION_TYPES = {
    "rank_framings",
    "add_framing",
    "play_idea",
    "write_idea",
    "build_on",
    "pass",
    "advise",
    "choose_option",
    "rank_ideas",
    "propose",
    "vote",
    "adopt",
    "play_move",
}
ERROR_CODES = {
    "bad_json",
    "bad_frame",
    "bad_seq",
    "too_large",
    "unknown_type",
    "hello_first",
    "already_joined",
    "bad_token",
    "not_found",
    "not_seated",
    "bad_action",
    "not_started",
    "wrong_phase",
    "not_your_turn",
    "not_your_seat",
    "unknown_seat",
    "unknown_id",
    "limit_reached",
    "not_in_hand",
    "over_budget",
    "too_many",
    "too_long",
    "invalid",
    "game_over",
    "paused",
    "busy",
    "unavailable",
    "not_allowed",
    "rate_limited",
    "workshop_deleted",
    "seat_replaced",
}


def _frame(kind: str, **fields: Any) -> str:
    """A frame as app/web/ws.py words it (kept here so the test does not need the web app)."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind, **fields}, separators=(",", ":"))


def _error(code: str, message: str, cmid: Any = None) -> str:
    return _frame("error", code=code, message=message, cmid=cmid)


# --- a real room, fed a real game -------------------------------------------------------


class ListLog:
    """The room's event log as a list (only reading is needed here)."""

    def __init__(self, records: Sequence[LogRecord] = ()) -> None:
        self.records = list(records)

    async def append(self, game_id: str, first_seq: int, records: Sequence[NewRecord]) -> None:
        raise AssertionError("these tests never append")

    async def load(self, game_id: str, after_seq: int = 0) -> list[LogRecord]:
        return [r for r in self.records if r.seq > after_seq]

    async def find(self, game_id: str, seat: str, cmid: str) -> list[LogRecord]:
        return []


class Capture:
    """A connection that keeps what the room offers it (and the views the room says it holds)."""

    def __init__(self, seat: str | None, lang: str = "en") -> None:
        self.seat = seat
        self.lang = lang
        self.closed = False
        self.frames: list[str] = []
        self.held_public: dict[str, Any] | None = None
        self.held_private: dict[str, Any] | None = None

    def offer(self, frame: str) -> None:
        self.frames.append(frame)


def welcome_state(room: Room, conn: Capture) -> dict[str, Any]:
    """The `state` of the welcome `conn` would get now, as it goes over the wire."""
    seat = room.seat(conn.seat) if conn.seat else None
    state = room.welcome(conn, seat)  # type: ignore[arg-type]
    loaded: dict[str, Any] = json.loads(json.dumps(state))
    return loaded


def game_records(seed: int) -> list[LogRecord]:
    """A whole bot game as the room logs it: engine events plus the room's timer records."""
    record = play_game(RULES, seed, keep_events=True)
    records: list[LogRecord] = []
    for event in record.events:
        records.append(LogRecord(len(records) + 1, event.type, event_to_dict(event)))
        if event.type == "round_started":
            timer = {"status": "running", "deadline": 1_700_000_000.5, "remaining": None}
            records.append(LogRecord(len(records) + 1, "control.timer", timer))
        if event.type == "game_ended":
            timer = {"status": "ended", "deadline": None, "remaining": None}
            records.append(LogRecord(len(records) + 1, "control.timer", timer))
    return records


def new_room(records: Sequence[LogRecord] = (), numbers: bool = False) -> Room:
    config = TableConfig("t1", "w1", 1, 7, "en", numbers, False, False)
    seats = [SeatRow(s.id, s.role, s.id.title(), False) for s in default_seats(RULES.scenario)]
    return Room(config, RULES, ListLog(records), seats=seats)


@dataclass
class Client:
    """One connection's side of a game: its welcome's views, then every update it got."""

    welcome: Views
    updates: list[dict[str, Any]]

    def views(self) -> Iterator[Views]:
        """The views it holds after each update."""
        views: Views | None = {"public": self.welcome["public"], "private": self.welcome["private"]}
        for frame in self.updates:
            views = fold(views, frame)
            assert views is not None
            yield views


def play_through_room(seed: int, numbers: bool) -> list[Client]:
    """What each seat and a screen receive while a whole game is folded in.

    They are welcomed in the lobby and attach one by one, as app/web/ws.py does.
    """
    records = game_records(seed)
    room = new_room(records, numbers)
    conns = [Capture(s.id) for s in room.seats] + [Capture(None)]
    welcomes = []
    for conn in conns:
        welcomes.append(welcome_state(room, conn))
        room.connections.add(conn)  # type: ignore[arg-type]
        room._broadcast_view([])  # as `attach` does
    for record in records:
        room._fold(record)
        room._broadcast_view([record])
    return [
        Client(welcome, [json.loads(text) for text in conn.frames])
        for welcome, conn in zip(welcomes, conns, strict=True)
    ]


@pytest.fixture(scope="module")
def clients() -> list[Client]:
    played: list[Client] = []
    for seed in SEEDS:
        played.extend(play_through_room(seed, numbers=seed % 2 == 0))
    return played


@pytest.fixture(scope="module")
def updates(clients: list[Client]) -> list[dict[str, Any]]:
    return [frame for client in clients for frame in client.updates]


# --- the document -----------------------------------------------------------------------


def test_document_is_asyncapi_3() -> None:
    doc = load_document()
    assert doc["asyncapi"] == "3.0.0"
    assert [c["address"] for c in doc["channels"].values()] == ["/ws"]
    assert {op["action"] for op in doc["operations"].values()} == {"send", "receive"}


def test_every_reference_in_the_document_resolves() -> None:
    doc = load_document()

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(doc):
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]


def test_every_payload_and_component_schema_is_a_valid_json_schema() -> None:
    doc = load_document()
    schemas = [m["payload"] for m in doc["components"]["messages"].values()]
    schemas += doc["components"]["schemas"].values()
    for schema in schemas:
        Draft202012Validator.check_schema(schema)


def test_each_frame_type_has_a_message_in_its_direction() -> None:
    p = protocol()
    assert set(p.client) == {"hello", "intent", "sync", "ping"}
    assert set(p.server) == {
        "welcome",
        "update",
        "ack",
        "error",
        "events",
        "pong",
        "announcement",
    }


def test_the_document_lists_every_action_type_and_error_code() -> None:
    schemas = load_document()["components"]["schemas"]
    assert set(schemas["Action"]["properties"]["type"]["enum"]) == ACTION_TYPES
    assert set(schemas["ErrorCode"]["enum"]) == ERROR_CODES


def test_the_document_lists_every_engine_event_type() -> None:
    from app.engine.events import EVENT_TYPES

    listed = load_document()["components"]["schemas"]["EventRecord"]["properties"]["type"]
    assert set(listed["enum"]) == {*EVENT_TYPES, "control.timer", "control.seat"}


# --- server frames from a real game -----------------------------------------------------


def test_update_frames_of_a_whole_game_validate(updates: list[dict[str, Any]]) -> None:
    seen_events: set[str] = set()
    for frame in updates:
        validate_server_frame(frame)
        seen_events.update(e["type"] for e in frame["events"])
    assert {"game_started", "round_started", "idea_played", "game_ended", "control.timer"} <= (
        seen_events
    )


def test_update_frames_carry_hidden_dealt_cards(updates: list[dict[str, Any]]) -> None:
    dealt = [
        e["data"]["effects"]["dealt"]
        for f in updates
        for e in f["events"]
        if isinstance(e["data"].get("effects"), dict) and e["data"]["effects"]["dealt"]
    ]
    assert any("?" in cards for d in dealt for cards in d.values())


def test_update_frames_cover_lobby_playing_and_ended_views(
    clients: list[Client], updates: list[dict[str, Any]]
) -> None:
    # Updates that change only who is online (in the lobby), and ones that start and end.
    assert any(
        not f["events"]
        and list(f["patch"]) == ["public"]
        and list(f["patch"]["public"]) == ["seats"]
        for f in updates
    )
    patched = [f["patch"].get("public", {}) for f in updates]
    assert {"running", "ended"} <= {p["status"] for p in patched if "status" in p}
    assert any("final" in p for p in patched)
    assert any("private" in f["patch"] for f in updates)
    for client in clients:
        statuses = [client.welcome["public"]["status"]]
        statuses += [views["public"]["status"] for views in client.views()]
        assert statuses[0] == "lobby" and statuses[-1] == "ended"
        assert "running" in statuses
    screens = [c for c in clients if c.welcome["private"] is None]
    assert screens
    assert not [f for c in screens for f in c.updates if "private" in f["patch"]]


def test_an_update_with_a_players_own_framing_validates() -> None:
    started = RULES.start(default_seats(RULES.scenario), 5)
    own = RULES.apply(started.state, AddFraming("parent", "Children first", ("wellbeing",)))
    assert not isinstance(own, Rejected)
    events = [*started.events, *own.events]
    records = [LogRecord(i + 1, e.type, event_to_dict(e)) for i, e in enumerate(events)]
    room = new_room(records)
    conn = Capture("parent")
    welcome_state(room, conn)
    room.connections.add(conn)  # type: ignore[arg-type]
    for record in records:
        room._fold(record)
    room._broadcast_view(records)
    frame = json.loads(conn.frames[-1])
    assert frame["events"][-1]["type"] == "framing_added"
    assert [f["text"] for f in frame["patch"]["public"]["framings"] if f["own"]] == [
        "Children first"
    ]
    validate_server_frame(frame)


async def test_welcome_frames_validate_for_a_seat_and_a_screen() -> None:
    records = game_records(SEEDS[0])
    room = new_room(records)
    for record in records[: len(records) // 2]:
        room._fold(record)
    for seat in [room.seats[0], None]:
        events = await room.events_after(3, seat.role if seat else None)
        frame = _frame(
            "welcome",
            seq=room.seq,
            seat=seat.id if seat else None,
            role=seat.role if seat else None,
            table=room.config.table_id,
            language=room.config.language,
            scenario=room.scenario_view("en"),
            state=welcome_state(room, Capture(seat.id if seat else None)),
            events=events,
        )
        validate_server_frame(json.loads(frame))


async def test_welcome_in_the_lobby_validates() -> None:
    room = new_room()
    seat = room.seats[0]
    frame = _frame(
        "welcome",
        seq=0,
        seat=seat.id,
        role=seat.role,
        table="t1",
        language="en",
        scenario=room.scenario_view("en"),
        state=welcome_state(room, Capture(seat.id)),
        events=[],
    )
    validate_server_frame(json.loads(frame))


async def test_events_frame_after_a_sync_validates() -> None:
    records = game_records(SEEDS[1])
    room = new_room(records)
    for record in records:
        room._fold(record)
    frame = _frame("events", seq=room.seq, events=await room.events_after(0, "parent"))
    validate_server_frame(json.loads(frame))


@pytest.mark.parametrize(
    "text",
    [
        _frame("ack", cmid="c-1", seq=12, duplicate=False),
        _frame("ack", cmid=None, seq=12, duplicate=True),
        _frame("pong", seq=0),
        _frame("announcement", text="Five minutes left"),
        _error("wrong_phase", "that belongs to the decide phase", "c-2"),
        _error("bad_json", "the frame is not valid JSON"),
    ],
)
def test_small_server_frames_validate(text: str) -> None:
    validate_server_frame(json.loads(text))


def test_an_error_with_an_unlisted_code_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation) as caught:
        validate_server_frame(json.loads(_error("oops", "no such code")))
    assert caught.value.frame_type == "error"
    assert caught.value.pointer == "/code"


def test_an_update_with_a_mistyped_view_field_names_where() -> None:
    room = new_room()
    seats = welcome_state(room, Capture(None))["public"]["seats"]
    seats[0]["bot"] = "no"
    patch = {"public": {"seats": seats}}
    frame = {"v": PROTOCOL_VERSION, "type": "update", "seq": 0, "events": [], "patch": patch}
    with pytest.raises(ProtocolViolation) as caught:
        validate_server_frame(frame)
    assert caught.value.pointer == "/patch/public/seats/0/bot"


@pytest.mark.parametrize(
    ("patch", "pointer"),
    [
        ({}, "/events"),  # neither events nor a change: never sent
        ({"public": {}}, "/patch/public"),
        ({"public": {"status": "asleep"}}, "/patch/public/status"),
        ({"public": {"state": {}}}, "/patch/public"),  # not a key of the public view
        ({"private": {"hand": [{"title": "no id"}]}}, "/patch/private/hand/0"),
        ({"state": {}}, "/patch"),
    ],
)
def test_malformed_patches_are_violations(patch: dict[str, Any], pointer: str) -> None:
    frame = {"v": PROTOCOL_VERSION, "type": "update", "seq": 3, "events": [], "patch": patch}
    with pytest.raises(ProtocolViolation) as caught:
        validate_server_frame(frame)
    assert caught.value.pointer == pointer


def test_a_version_1_update_with_whole_views_is_a_violation() -> None:
    state = welcome_state(new_room(), Capture(None))
    frame = {"v": 1, "type": "update", "seq": 0, "events": [], "state": state}
    with pytest.raises(ProtocolViolation):
        validate_server_frame(frame)
    with pytest.raises(ProtocolViolation):
        validate_server_frame({**frame, "v": PROTOCOL_VERSION})


def test_a_patch_may_set_any_key_of_a_view_or_null_it() -> None:
    """Every key of PublicView and PrivateView has its counterpart in the patch schemas."""
    schemas = load_document()["components"]["schemas"]
    for view, patch in (("PublicView", "PublicPatch"), ("PrivateView", "PrivatePatch")):
        assert set(schemas[patch]["properties"]) == set(schemas[view]["properties"])
        nulled = dict.fromkeys(schemas[view]["properties"])
        side = "public" if view == "PublicView" else "private"
        frame = {"v": PROTOCOL_VERSION, "type": "update", "seq": 1, "events": []}
        validate_server_frame({**frame, "patch": {side: nulled}})


# --- client frames ----------------------------------------------------------------------

V = PROTOCOL_VERSION

SAMPLE_ACTIONS: list[dict[str, Any]] = [
    {"type": "rank_framings", "order": ["f1", "f0"]},
    {"type": "add_framing", "text": "Safety first", "interests": ["wellbeing"]},
    {"type": "play_idea", "idea": "teacher-a"},
    {"type": "write_idea", "title": "Walking bus", "text": "Parents take turns"},
    {"type": "build_on", "base": "i1", "idea": "teacher-b"},
    {"type": "build_on", "base": "i1", "title": "and on Fridays"},
    {"type": "pass"},
    {"type": "advise", "option": "meet"},
    {"type": "choose_option", "option": "meet"},
    {"type": "rank_ideas", "order": ["i2", "i1"]},
    {"type": "propose", "ideas": ["i1", "i3"]},
    {"type": "vote", "choice": "live_with"},
    {"type": "adopt"},
    {"type": "play_move", "move": "listen"},
    {"type": "play_move", "move": "blame", "target": "official"},
    {"type": "pass", "seat": "teacher"},
]


def test_the_samples_cover_every_action_type() -> None:
    assert {a["type"] for a in SAMPLE_ACTIONS} == ACTION_TYPES


@pytest.mark.parametrize("action", SAMPLE_ACTIONS, ids=lambda a: str(a["type"]))
def test_intents_of_every_action_type_validate(action: dict[str, Any]) -> None:
    validate_client_frame({"v": V, "type": "intent", "cmid": "c-1", "action": action})


@pytest.mark.parametrize(
    "frame",
    [
        {"v": V, "type": "hello", "token": "abc.def"},
        {"v": V, "type": "hello", "token": "abc.def", "last_seq": 41},
        {"v": V, "type": "hello", "code": "K7QF", "last_seq": None},
        {"v": V, "type": "hello", "code": "K7QF", "lang": "da"},  # as the browser says it
        {"v": V, "type": "intent", "action": {"type": "pass"}},
        {"v": V, "type": "sync", "after_seq": 40},
        {"v": V, "type": "sync"},
        {"v": V, "type": "ping"},
    ],
    ids=lambda f: str(f["type"]),
)
def test_other_client_frames_validate(frame: dict[str, Any]) -> None:
    validate_client_frame(frame)


@pytest.mark.parametrize(
    ("frame", "pointer"),
    [
        ({"v": V, "action": {"type": "pass"}}, "/type"),
        ({"v": V, "type": "intent", "cmid": "", "action": {"type": "pass"}}, "/cmid"),
        ({"v": V, "type": "intent", "cmid": "x" * 65, "action": {"type": "pass"}}, "/cmid"),
        ({"v": V, "type": "intent", "cmid": 7, "action": {"type": "pass"}}, "/cmid"),
        ({"v": V, "type": "intent", "action": {"type": "end_phase"}}, "/action/type"),
        ({"v": V, "type": "intent", "action": {"type": "fly"}}, "/action/type"),
        (
            {"v": V, "type": "intent", "action": {"type": "vote", "choice": "maybe"}},
            "/action/choice",
        ),
        ({"v": V, "type": "intent", "action": {"type": "play_idea"}}, "/action"),
        ({"v": V, "type": "intent", "action": {"type": "pass", "why": "x"}}, "/action"),
        ({"v": V, "type": "intent"}, ""),
        ({"v": V, "type": "hello"}, ""),
        ({"v": V, "type": "hello", "token": "t", "last_seq": -1}, "/last_seq"),
        ({"v": V, "type": "sync", "after_seq": "3"}, "/after_seq"),
        ({"v": 1, "type": "ping"}, "/v"),  # version 1 is gone
        ({"v": V + 1, "type": "ping"}, "/v"),
        ({"v": True, "type": "ping"}, "/v"),
        ({"v": V, "type": "welcome"}, "/type"),
    ],
)
def test_wrong_client_frames_are_violations(frame: dict[str, Any], pointer: str) -> None:
    with pytest.raises(ProtocolViolation) as caught:
        validate_client_frame(frame)
    assert caught.value.pointer == pointer


def test_a_frame_that_is_not_an_object_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation):
        validate_client_frame([1, 2])  # type: ignore[arg-type]
