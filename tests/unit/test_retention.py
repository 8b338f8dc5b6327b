"""Which loaded rooms are let go: ended, unconnected, not asked for in KEPT_SECONDS."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.rooms.retention import KEPT_SECONDS, LOOK_SECONDS, MOST_PER_LOOK, Retention


@dataclass
class State:
    status: str


@dataclass
class Loaded:
    state: State | None
    connections: set[object] = field(default_factory=set)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _rooms() -> dict[str, Loaded]:
    return {
        "ended": Loaded(State("ended")),
        "playing": Loaded(State("playing")),
        "lobby": Loaded(None),
        "watched": Loaded(State("ended"), {object()}),
    }


def test_only_ended_unconnected_rooms_past_the_time_are_due() -> None:
    clock = Clock()
    kept = Retention(clock=clock)
    rooms = _rooms()
    for table in rooms:
        kept.asked(table)
    clock.now += KEPT_SECONDS - 1
    assert kept.due(rooms) == []
    clock.now += LOOK_SECONDS  # the next look
    assert kept.due(rooms) == ["ended"]


def test_a_recent_ask_keeps_an_ended_room() -> None:
    clock = Clock()
    kept = Retention(clock=clock)
    rooms = {"ended": Loaded(State("ended"))}
    kept.asked("ended")
    clock.now += KEPT_SECONDS / 2
    kept.asked("ended")
    clock.now += KEPT_SECONDS / 2
    assert kept.due(rooms) == []


def test_a_room_the_caller_holds_is_not_due() -> None:
    clock = Clock()
    kept = Retention(clock=clock)
    rooms = {"a": Loaded(State("ended")), "b": Loaded(State("ended"))}
    kept.asked("a")
    kept.asked("b")
    clock.now += KEPT_SECONDS
    assert kept.due(rooms, held=lambda t: t == "a") == ["b"]


def test_the_rooms_are_looked_at_once_a_second_not_at_every_load() -> None:
    clock = Clock()
    kept = Retention(clock=clock)
    rooms = {"ended": Loaded(State("ended"))}
    kept.asked("ended")
    clock.now += KEPT_SECONDS
    assert kept.due(rooms) == ["ended"]
    assert kept.due(rooms) == []  # at once again: not looked at
    clock.now += LOOK_SECONDS
    assert kept.due(rooms) == ["ended"]


def test_many_rooms_due_together_are_let_go_a_few_at_a_time() -> None:
    """A workshop whose tables all ended together: freed over several looks, each small."""
    clock = Clock()
    kept = Retention(clock=clock)
    rooms = {f"t{n}": Loaded(State("ended")) for n in range(3 * MOST_PER_LOOK + 1)}
    for table in rooms:
        kept.asked(table)
    clock.now += KEPT_SECONDS
    batches = []
    while rooms:
        gone = kept.due(rooms)
        assert 0 < len(gone) <= MOST_PER_LOOK
        batches.append(gone)
        for table in gone:
            del rooms[table]
        kept.forget(gone)
        clock.now += LOOK_SECONDS
    assert [len(b) for b in batches] == [MOST_PER_LOOK] * 3 + [1]


def test_forgotten_tables_leave_no_trace() -> None:
    kept = Retention()
    kept.asked("a")
    kept.forget(["a", "never-asked"])
    assert kept._asked == {}
