"""The frame checker the integration and e2e tests run every websocket frame through
(tests/contract.py) finds each kind of break with docs/asyncapi.yaml, and passes a
conversation that keeps to it."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.contract import ContractViolation, Conversation, check, operations

V = 3


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"v": V, "type": kind, **fields})


def error(code: str, cmid: str | None = None) -> str:
    return frame("error", code=code, message="no", cmid=cmid)


def update(cmid: str | None = None) -> str:
    fields: dict[str, Any] = {"seq": 3, "events": [], "patch": {"public": {"status": "running"}}}
    if cmid is not None:
        fields["cmid"] = cmid
    return frame("update", **fields)


PASS = {"type": "pass"}


def talk_on(name: str, problems: list[str] | None = None) -> Conversation:
    """A conversation kept out of the run's figures (tests/conftest.py reports them)."""
    return Conversation(name, [] if problems is None else problems, tally=Counter())


def test_the_operations_come_from_the_document() -> None:
    ops = operations()
    assert ops["intent"].name == "receiveIntent"
    assert ops["intent"].replies == {"update", "ack", "error"}
    assert ops["hello"].replies == {"welcome", "error"}
    assert ops[None].name == "sendError" and ops[None].replies == {"error"}


def test_a_conversation_that_keeps_to_the_document_passes() -> None:
    talk = talk_on("ok")
    talk.sent(frame("ping"))
    talk.received(frame("pong", seq=0))
    talk.sent(frame("hello", code="K7QF"))
    talk.received(error("not_found"))
    talk.sent(frame("intent", cmid="c1", action=PASS))
    talk.received(update())  # another seat's doing: no answer
    talk.received(frame("announcement", text="five minutes"))
    talk.received(update("c1"))
    talk.sent(frame("intent", action=PASS))
    talk.received(frame("ack", cmid=None, seq=3, duplicate=False))
    talk.sent(frame("sync", after_seq=1))
    talk.received(frame("events", seq=3, events=[]))
    talk.received(error("seat_replaced"))  # unasked, just before the close

    assert talk.problems == []
    assert not talk.waiting


def test_a_sent_frame_outside_its_payload_is_named_with_the_schema_error() -> None:
    problems = talk_on("c").sent(frame("ping", extra=1))

    assert len(problems) == 1
    assert "against its payload schema" in problems[0] and "'extra'" in problems[0]


def test_a_hostile_frame_is_not_held_to_its_payload_but_its_answer_is_checked() -> None:
    talk = talk_on("c")
    assert talk.sent(frame("ping", extra=1), hostile=True) == []
    assert talk.received(error("bad_frame")) == []

    talk.sent("{not json", hostile=True)
    (problem,) = talk.received(frame("pong", seq=0))
    assert "operations.sendError answers only with error" in problem


def test_a_received_frame_outside_its_payload_is_named() -> None:
    talk = talk_on("c")
    talk.sent(frame("hello", code="K7QF"))

    (problem,) = talk.received(frame("welcome", seq=0))

    assert "against its payload schema" in problem and "welcome" in problem


def test_an_answer_its_operation_does_not_list_is_a_problem() -> None:
    talk = talk_on("c")
    talk.sent(frame("ping"))

    (problem,) = talk.received(frame("events", seq=0, events=[]))

    assert "operations.receivePing answers only with error, pong" in problem
    assert '"type": "ping"' in problem  # the question it answered, quoted


def test_answers_pair_with_questions_in_order() -> None:
    talk = talk_on("c")
    talk.sent(frame("hello", code="K7QF"))
    talk.sent(frame("ping"))

    (problem,) = talk.received(frame("pong", seq=0))

    assert "receiveHello answers only with error, welcome" in problem


def test_an_intents_answer_carries_its_cmid() -> None:
    talk = talk_on("c")
    talk.sent(frame("intent", cmid="c1", action=PASS))
    talk.sent(frame("intent", cmid="c2", action=PASS))

    (wrong,) = talk.received(update("c2"))
    (unnamed,) = talk.received(error("wrong_phase"))

    assert "cmid 'c2', not the frame's 'c1'" in wrong
    assert "cmid None, not the frame's 'c2'" in unnamed


def test_an_answer_to_a_hostile_frame_may_leave_out_a_cmid_it_could_not_read() -> None:
    talk = talk_on("c")
    talk.sent('{"v": 3, "type": "intent", "cmid": "x", "action": {"type": "pass"', hostile=True)

    assert talk.received(error("bad_json")) == []


def test_an_answer_nobody_asked_for_is_a_problem() -> None:
    talk = talk_on("c")

    (problem,) = talk.received(frame("pong", seq=0))
    (cmid_update,) = talk.received(update("c9"))

    assert "no frame sent is waiting for one" in problem
    assert "no frame sent is waiting for one" in cmid_update


def test_problems_are_kept_in_the_list_given_and_check_fails_on_them() -> None:
    shared: list[str] = []
    talk = talk_on("phone", shared)
    talk.received(frame("pong", seq=0))

    assert len(shared) == 1 and shared[0].startswith("[phone] received")
    check([])
    with pytest.raises(ContractViolation, match=r"breaks docs/asyncapi\.yaml"):
        check(shared)
