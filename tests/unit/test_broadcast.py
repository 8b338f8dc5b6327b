"""Notices between instances, and the presence they carry."""

from __future__ import annotations

from app.rooms.broadcast import PRESENCE_TTL, Notice, Presence


def test_a_notice_survives_the_wire() -> None:
    appended = Notice("t1", "i1", seq=42)
    present = Notice("t1", "i1", seats=("chair", "parent"))
    assert Notice.decode(appended.encode()) == appended
    assert Notice.decode(present.encode().encode()) == present


def test_presence_joins_instances_and_forgets_one_that_stops_announcing() -> None:
    now = [0.0]
    presence = Presence(clock=lambda: now[0])
    assert presence.update(Notice("t", "a", seats=("chair",)))
    assert presence.update(Notice("t", "b", seats=("parent",)))
    assert not presence.update(Notice("t", "b", seats=("parent",))), "no change, no news"
    assert presence.online("t") == {"chair", "parent"}
    now[0] = PRESENCE_TTL / 2
    presence.update(Notice("t", "b", seats=("parent",)))  # b re-announces, a is killed
    now[0] = PRESENCE_TTL + 1
    assert presence.online("t") == {"parent"}
    assert presence.online("other") == set()
