"""What docs/asyncapi.yaml promises about answers, automatic steps and fields (issue 23).

An integrator writes a client from the document alone; these tests hold the document to
what the server and the engine do: which frames answer an intent, what `done` lists,
when the decide round adopts by itself, which top-level fields each client frame takes,
and how a missing action field is named.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

import pytest

from app.engine import actions as a
from app.engine.rules import Accepted, Rules
from app.engine.simulate import default_seats
from app.engine.state import GameState
from app.web.protocol import load_document, protocol
from app.web.ws import CLIENT_FIELDS, SEAT_ACTIONS
from tests.unit.tiny import tiny_scenario

RULES = Rules(tiny_scenario())
DOC = load_document()
SCHEMAS: dict[str, Any] = DOC["components"]["schemas"]
INFO: str = DOC["info"]["description"]


def _reply_types(operation: str) -> set[str]:
    """The frame types an operation's reply lists."""
    doc = protocol().document
    types = set()
    for ref in doc["operations"][operation]["reply"]["messages"]:
        name = ref["$ref"].rsplit("/", 1)[-1]
        types.add(doc["components"]["messages"][name]["payload"]["properties"]["type"]["const"])
    return types


def _apply(state: GameState, *actions: a.Action) -> GameState:
    for action in actions:
        result = RULES.apply(state, action)
        assert isinstance(result, Accepted), f"{action} was refused: {result}"
        state = result.state
    return state


# --- 1: an intent's answer ---------------------------------------------------------------


def test_an_intent_is_answered_by_its_update_an_ack_or_an_error() -> None:
    """In version 3 an applied intent's answer is the update carrying its cmid."""
    assert _reply_types("receiveIntent") == {"update", "ack", "error"}
    summary = DOC["operations"]["receiveIntent"]["summary"]
    assert "update" in summary and "answered by ack or error" not in summary


# --- 2: unknown top-level fields ---------------------------------------------------------


def test_the_server_takes_exactly_the_fields_each_client_payload_lists() -> None:
    """app/web/ws.py's list of fields and the document's payloads are the same."""
    documented = {
        kind: frozenset(DOC["components"]["messages"][kind]["payload"]["properties"])
        for kind in protocol().client
    }
    assert documented == CLIENT_FIELDS
    for kind in documented:
        assert DOC["components"]["messages"][kind]["payload"]["additionalProperties"] is False


# --- 3: PublicView.done ------------------------------------------------------------------


def test_done_lists_the_seats_that_passed_and_the_document_says_so() -> None:
    state = RULES.start(default_seats(RULES.scenario), 7).state
    order = tuple(f.id for f in state.framings)
    state = _apply(state, a.RankFramings("chair", order), a.Pass("member"))

    assert state.phase == "frame"
    assert state.done == {"member"}, "a seat that ranked without passing is not done"
    described = SCHEMAS["PublicView"]["properties"]["done"]["description"]
    assert "`pass`" in described and "finished" not in described


# --- 4: automatic steps and the start ----------------------------------------------------


def test_the_document_says_when_the_decide_round_adopts_by_itself() -> None:
    steps = INFO.split("## Automatic steps of the game", 1)[1].split("\n    ## ", 1)[0]
    assert "`consensus` when nobody but the chair answered `object`" in steps
    assert "as `dissent` when someone else objects" in steps
    assert "revision" in steps and "`overruled`" in steps and "`time_up`" in steps


def test_the_document_says_seats_wait_for_the_facilitators_start() -> None:
    start = INFO.split("## Starting the game", 1)[1].split("\n    ## ", 1)[0]
    assert "`not_started`" in start
    assert 'POST /api/workshops/{id}/control` with `{"command": "start"}`' in start
    assert "autostart" in start
    assert "/control" in SCHEMAS["ErrorCode"]["description"]


# --- 8: final.digest, game_ended.insights, binary frames ---------------------------------


def test_final_digest_and_insights_are_described() -> None:
    final = SCHEMAS["PublicView"]["properties"]["final"]
    assert "digest" in final["required"] and final["additionalProperties"] is False
    assert "SHA-256" in final["properties"]["digest"]["description"]
    assert "debrief" in SCHEMAS["GameEnded"]["properties"]["insights"]["description"]
    assert "binary" in SCHEMAS["ErrorCode"]["description"]
    assert "bad_seq" in SCHEMAS["ErrorCode"]["enum"]


# --- 9: a missing action field -----------------------------------------------------------


def _required(kind: str) -> list[str]:
    cls = a.ACTION_TYPES[kind]
    return [
        f.name
        for f in fields(cls)
        if f.name != "seat" and f.default is MISSING and f.default_factory is MISSING
    ]


MISSING_FIELDS = [(kind, name) for kind in sorted(SEAT_ACTIONS) for name in _required(kind)]


def test_every_action_with_a_required_field_is_covered() -> None:
    assert {kind for kind, _ in MISSING_FIELDS} == {
        k for k in SEAT_ACTIONS if _required(k)
    } and len(MISSING_FIELDS) >= 8


@pytest.mark.parametrize(("kind", "name"), MISSING_FIELDS)
@pytest.mark.parametrize("how", ["left out", "null"])
def test_a_missing_action_field_is_named_in_words_for_people(
    kind: str, name: str, how: str
) -> None:
    data: dict[str, Any] = {"type": kind, "seat": "chair"}
    for other in _required(kind):
        if other != name:
            data[other] = ["x"] if other in ("order", "ideas") else "x"
    if how == "null":
        data[name] = None

    with pytest.raises(ValueError) as refused:
        a.action_from_dict(data)

    assert str(refused.value) == f"{kind} needs the field '{name}'"


def test_several_missing_fields_are_all_named() -> None:
    with pytest.raises(ValueError) as refused:
        a.action_from_dict({"type": "play_idea"})
    assert str(refused.value) == "play_idea needs the fields 'seat' and 'idea'"
