"""Protocol v2: a client's welcome views, patched by every update, are the table's views.

A real room over an in-memory log plays whole games of the default scenario (which has
Danish and English) with seats and screens in both languages. Each connection is a real
`Connection` whose socket is the test: it applies every update's patch as a client does
(tests/views.py) and compares what it then holds with views built afresh from the room's
state, after every single update, and every connection again after every step of the
game, including those the room sent nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pytest

from app.engine.actions import EndPhase, Pass
from app.engine.bots import Bot
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats
from app.rooms.connection import Connection
from app.rooms.room import PROTOCOL_VERSION, Room, SeatRow, TableConfig
from app.rooms.views import PartsMemo, SeatInfo, TimerView, changes, private_view, public_view
from app.scenarios import load_scenario_or_raise
from app.settings import REPO_ROOT
from app.web.protocol import validate_server_frame
from tests.unit.test_room_removal import MemoryLog
from tests.views import Views, fold, present

RULES = Rules(load_scenario_or_raise(REPO_ROOT / "game_content/scenarios/school-committee.yaml"))
# Steps in one phase before the facilitator moves the table on (as the simulator does).
MAX_STEPS_PER_PHASE = 200


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _wire(value: Any) -> Any:
    """A value as a client reads it off the wire."""
    return json.loads(_json(value))


async def _never(*_: Any) -> None:
    raise AssertionError("the test reads the frames the room offers; nothing is sent")


class Client(Connection):
    """A real connection, seen from the client's end: what it was sent and what it holds."""

    # Checking every frame against docs/asyncapi.yaml is most of this module's time: one
    # game of the parametrised test does it (test_protocol_doc.py does it for the tiny case).
    validate = False

    def __init__(self, room: Room, seat: SeatRow | None, lang: str) -> None:
        super().__init__(seat.id if seat else None, _never, _never, 10_000, lang)
        self.room = room
        self.row = seat
        self.views: Views | None = None
        self.updates: list[str] = []
        self.v1_sizes: list[int] = []  # what each update would have weighed in version 1

    def offer(self, frame: str) -> None:
        assert not self.closed, "a frame for a connection that has left"
        update = json.loads(frame)
        if self.validate:
            validate_server_frame(update)
        assert update["type"] == "update" and update["v"] == PROTOCOL_VERSION
        assert update["seq"] == self.room.seq
        before = self.views
        assert before is not None, "an update before the welcome"
        # A patch holds only keys whose value changed (or that are new to the view).
        for side, keys in update["patch"].items():
            held = before[side] or {}
            unchanged = [k for k, v in keys.items() if k in held and held[k] == v]
            assert not unchanged, (side, unchanged)
        self.updates.append(frame)
        self.views = fold(before, update)
        self.v1_sizes.append(len(_json({**update, "patch": None, "state": self.truth()})))
        self.check()

    def truth(self) -> Views:
        """The views built afresh from the room's state (not from its caches)."""
        room, lang = self.room, self.lang
        public = public_view(
            room.rules,
            room.state,
            room.seat_infos(),
            room.timer.view(),
            room.config.show_numbers,
            lang,
        )
        private = None
        if self.row is not None:
            info = SeatInfo(self.row.id, self.row.role, self.row.name, self.row.is_bot, True)
            private = private_view(room.rules, room.state, info, lang)
        return {"public": public, "private": private}

    def check(self) -> None:
        assert self.views is not None
        truth = _wire(self.truth())
        assert present(self.views["public"]) == present(truth["public"]), (self.seat, self.lang)
        assert present(self.views["private"]) == present(truth["private"]), (self.seat, self.lang)


def new_room(seed: int = 7, numbers: bool = False) -> Room:
    config = TableConfig("t1", "w1", 1, seed, "da", numbers, False, False)
    return Room(config, RULES, MemoryLog())


def join(room: Room, seat: SeatRow | None, lang: str) -> Client:
    """Connect as app/web/ws.py does: the welcome first, then attach to the room's fan-out."""
    client = Client(room, seat, lang)
    client.views = fold(None, {"type": "welcome", "state": _wire(room.welcome(client, seat))})
    client.check()
    room.attach(client)
    return client


def leave(room: Room, client: Client) -> None:
    room.detach(client)
    client.closed = True


async def seated_room(seed: int = 7, numbers: bool = False) -> tuple[Room, list[SeatRow]]:
    """A lobby with every role the scenario needs taken (nobody connected yet)."""
    room = new_room(seed, numbers)
    for role in room.free_roles_below_min():
        await room.add_seat(SeatRow(room.new_seat_id(role), role, role.title(), False))
    return room, list(room.seats)


def check_all(clients: list[Client]) -> None:
    for client in clients:
        if not client.closed:
            client.check()


Replica = tuple[Room, list[Client]]


async def play(
    room: Room, clients: list[Client], seed: int, replicas: Sequence[Replica] = ()
) -> None:
    """Engine bots play every seat to the end through the room; the facilitator pauses,
    extends and resumes once, a seat reconnects in the other language, a screen comes.

    `replicas` are rooms of other instances over the same log: after every step they
    catch up from it (folding the records themselves) and their clients are checked too.
    """

    async def check() -> None:
        check_all(clients)
        for replica, followers in replicas:
            await replica.sync()
            check_all(followers)

    bots = [Bot(RULES, s.id, s.role, rng=random.Random(f"{seed}:{s.id}")) for s in room.seats]
    steps = total = 0
    while room.state is not None and room.state.status != "ended":
        acted = False
        for bot in bots:
            if room.state.status == "ended":
                break
            action = bot.act(room.state)
            if action is None:
                continue
            outcome = await room.submit(bot.seat, action, f"{bot.seat}-{total}")
            assert outcome.rejection is None, outcome
            acted = True
            steps += 1
            total += 1
            await check()
            if total == 10:
                for command in ("pause", "extend", "resume"):
                    assert (await room.control(command, 60.0)).rejection is None
                    await check()
            if total == 20:  # a phone drops and comes back, in the other language
                gone = next(c for c in clients if c.row is not None and not c.closed)
                leave(room, gone)
                await check()
                lang = "en" if gone.lang == "da" else "da"
                clients.append(join(room, gone.row, lang))
                await check()
            if total == 30:
                clients.append(join(room, None, "en"))
                await check()
        if not acted or steps > MAX_STEPS_PER_PHASE:
            assert (await room.control("advance")).rejection is None
            steps = 0
            await check()


@pytest.mark.parametrize(("seed", "numbers"), [(1, False), (2, True), (7, False)])
async def test_welcome_plus_every_patch_is_the_rooms_current_view(
    seed: int, numbers: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Client, "validate", seed == 1)
    room, seats = await seated_room(seed, numbers)
    try:
        clients = [join(room, None, "da")]  # a projector, before anyone sits down
        for i, seat in enumerate(seats):
            clients.append(join(room, seat, "da" if i % 2 == 0 else "en"))
            check_all(clients)
        clients.append(join(room, None, "en"))
        assert (await room.control("start")).rejection is None
        check_all(clients)

        await play(room, clients, seed)

        assert room.state is not None and room.state.status == "ended"
        check_all(clients)
        for client in clients:
            if not client.closed:
                assert client.views is not None
                assert client.views["public"]["status"] == "ended"
                assert "final" in client.views["public"]
        assert {c.lang for c in clients} == {"da", "en"}
        assert len({c.seat for c in clients}) == len(seats) + 1  # every seat and screens
        screens = [json.loads(f) for c in clients if c.row is None for f in c.updates]
        assert screens and not [f for f in screens if "private" in f["patch"]]
        assert_patches_are_light([c for c in clients if c.row is not None])
    finally:
        await room.close()


def assert_patches_are_light(seated: list[Client]) -> None:
    """Version 1 repeated both views whole in every update: about 9 KB a frame on average
    in these games. Measured with patches: about 2 KB on average (a fifth; a quarter of
    the updates are under 500 bytes, while the ones that re-send the table's last 20
    moves or its ideas weigh 2-4 KB). The bound leaves room for other content."""
    sent = [len(f) for c in seated for f in c.updates]
    v1 = [size for c in seated for size in c.v1_sizes]
    assert len(sent) == len(v1) > 100
    mean_sent, mean_v1 = sum(sent) / len(sent), sum(v1) / len(v1)
    assert mean_v1 > 4000, mean_v1  # the views are large: the comparison means something
    assert mean_sent < mean_v1 / 3, (mean_sent, mean_v1)


async def test_a_player_connecting_sends_the_others_only_the_seats() -> None:
    room, seats = await seated_room()
    try:
        assert (await room.control("start")).rejection is None
        first = join(room, seats[0], "da")
        screen = join(room, None, "en")
        seq = room.seq
        marks = {id(c): len(c.updates) for c in (first, screen)}

        second = join(room, seats[1], "en")

        for client in (first, screen, second):
            new = [json.loads(f) for f in client.updates[marks.get(id(client), 0) :]]
            assert len(new) == 1, (client.seat, new)
            (update,) = new
            assert update["seq"] == seq and update["events"] == []
            assert list(update["patch"]) == ["public"]
            assert list(update["patch"]["public"]) == ["seats"]
            online = {s["id"] for s in update["patch"]["public"]["seats"] if s["connected"]}
            assert online == {seats[0].id, seats[1].id}

        leave(room, second)

        for client in (first, screen):
            update = json.loads(client.updates[-1])
            assert update["seq"] == seq and update["events"] == []
            assert list(update["patch"]) == ["public"]
            assert list(update["patch"]["public"]) == ["seats"]
            online = {s["id"] for s in update["patch"]["public"]["seats"] if s["connected"]}
            assert online == {seats[0].id}
    finally:
        await room.close()


async def test_an_update_that_changes_nothing_a_client_sees_is_not_sent() -> None:
    room, seats = await seated_room()
    try:
        assert (await room.control("start")).rejection is None
        clients = [join(room, seats[0], "da"), join(room, seats[1], "en"), join(room, None, "da")]
        counts = [len(c.updates) for c in clients]

        room._broadcast_view([])  # no events, nothing changed
        room.set_remote_online(set())  # nobody came online elsewhere either
        clients.append(join(room, None, "en"))  # a screen changes nobody's view...
        leave(room, clients.pop())  # ...nor does it going away

        assert [len(c.updates) for c in clients] == counts
    finally:
        await room.close()


async def test_an_intent_sends_only_the_keys_it_changed() -> None:
    """One seat passing: the table learns who is done; no private view changed."""
    room, seats = await seated_room()
    try:
        assert (await room.control("start")).rejection is None
        clients = [join(room, seat, "da") for seat in seats] + [join(room, None, "en")]
        marks = [len(c.updates) for c in clients]

        outcome = await room.submit(seats[0].id, Pass(seats[0].id), "p1")

        assert outcome.rejection is None
        for client, mark in zip(clients, marks, strict=True):
            (update,) = (json.loads(f) for f in client.updates[mark:])
            assert [e["type"] for e in update["events"]] == ["seat_passed"]
            assert update["patch"] == {"public": {"done": [seats[0].id]}}
    finally:
        await room.close()


def test_changes_names_new_changed_and_removed_keys_only() -> None:
    held = {"status": "running", "done": ["a"], "dilemma": {"id": "d1"}, "trust": {"a": 3}}
    view = {"status": "running", "done": ["a", "b"], "trust": {"a": 3}, "final": {}}

    assert changes(held, view) == {"done": ["a", "b"], "final": {}, "dilemma": None}
    assert changes(held, dict(held)) == {}  # equal, if not the same object
    assert changes(held, held) == {}
    assert changes(None, view) == view  # nothing held yet: the whole view
    assert changes(held, None) == {}  # a screen has no private view


async def test_a_replica_catching_up_from_the_log_patches_its_own_clients_alike() -> None:
    """Another instance folds the log's records itself (the state evolves in place there,
    where the writing room takes the engine's new state): its clients' patches hold too."""
    room, seats = await seated_room(5)
    replica = Room(room.config, RULES, room.log, seats=list(seats), leader=False)
    await replica.load()
    try:
        clients = [join(room, seat, "da") for seat in seats[:3]]
        followers = [join(replica, seats[3], "en"), join(replica, seats[4], "da")]
        followers.append(join(replica, None, "da"))
        assert (await room.control("start")).rejection is None
        await replica.sync()
        check_all(followers)

        await play(room, clients, 5, [(replica, followers)])

        assert replica.seq == room.seq and replica.digest() == room.digest()
        for follower in followers:
            assert follower.views is not None
            assert follower.views["public"]["final"]["digest"] == room.digest()
        assert all(len(f.updates) > 50 for f in followers), [len(f.updates) for f in followers]
    finally:
        await room.close()
        await replica.close()


def test_a_public_view_built_by_parts_is_the_view_built_whole() -> None:
    """Bots play a game; after every intent the view built with a memo of parts equals the
    one built whole, and a part whose inputs did not change is the very object it was (so
    `changes` leaves it out of the patch without comparing it)."""
    seats = default_seats(RULES.scenario)
    bots = [Bot(RULES, s.id, s.role, rng=random.Random(f"3:{s.id}")) for s in seats]
    state = RULES.start(seats, 3).state
    memos = {lang: PartsMemo() for lang in ("da", "en")}
    timer = TimerView("running", None, None)
    reused = rebuilt = 0
    before: dict[str, dict[str, Any]] = {}
    while state.status != "ended":
        offers = (bot.act(state) for bot in bots)
        action = next((x for x in offers if x is not None), EndPhase("time_up"))
        result = RULES.apply(state, action)
        assert isinstance(result, Accepted), result
        previous, state = state, result.state
        for lang, memo in memos.items():
            view = public_view(RULES, state, [], timer, False, lang, memo)
            assert view == public_view(RULES, state, [], timer, False, lang)
            if lang in before:
                same = tuple(previous.moves[-20:]) == tuple(state.moves[-20:])
                assert (view["moves"] is before[lang]["moves"]) == same
                reused += same
                rebuilt += not same
                assert "moves" not in changes(before[lang], view) or not same
            before[lang] = view
    # The game both kept and rebuilt the part, so each branch above was exercised.
    assert reused > 0 and rebuilt > 0
