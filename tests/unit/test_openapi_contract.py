"""What /openapi.json promises about tokens, unknown roles and the debrief answers (issue 23).

Read from the application's own document, as a client generator reads it.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.main import create_app

DOCUMENT: dict[str, Any] = create_app().openapi()
FACILITATOR = [{"facilitatorToken": []}, {"facilitatorLink": []}]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
    ]


def test_the_tokens_are_declared_as_security_schemes() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]

    assert schemes["facilitatorToken"]["type"] == "http"
    assert schemes["facilitatorToken"]["scheme"] == "bearer"
    assert schemes["facilitatorLink"] == {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": schemes["facilitatorLink"]["description"],
    }
    assert schemes["seatToken"]["type"] == "http"
    assert schemes["seatToken"]["scheme"] == "bearer"
    for scheme in schemes.values():
        assert scheme["description"]


def test_every_workshop_operation_names_the_facilitator_token_as_header_or_query() -> None:
    on_workshops = [(m, p, o) for m, p, o in operations() if "{workshop_id}" in p]
    assert len(on_workshops) >= 9
    for method, path, operation in on_workshops:
        # A list of requirements is a choice: the header or the query, either will do.
        assert operation.get("security") == FACILITATOR, (method, path)
        assert operation["responses"]["401"]["description"] == "missing or wrong facilitator token"


def test_the_seat_scenario_names_the_seat_token_and_no_facilitator() -> None:
    operation = DOCUMENT["paths"]["/api/seat/scenario"]["get"]

    assert operation["security"] == [{"seatToken": []}]
    assert operation["responses"]["401"]["description"] == "missing or wrong seat token"


def test_no_operation_takes_the_token_as_an_untyped_parameter() -> None:
    for method, path, operation in operations():
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names, (method, path)
        assert "token" not in names, (method, path)  # it is the facilitatorLink scheme


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/workshops", "post"), ("/api/join", "post"), ("/api/tables/{code}", "get")],
)
def test_what_anyone_may_call_asks_for_no_token(path: str, method: str) -> None:
    assert "security" not in DOCUMENT["paths"][path][method]


def test_joining_documents_an_unknown_role_as_a_validation_error() -> None:
    responses = DOCUMENT["paths"]["/api/join"]["post"]["responses"]

    assert "role" in responses["422"]["description"]
    schema = responses["422"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/HTTPValidationError"}
    assert "409" in responses


@pytest.mark.parametrize(
    ("path", "model", "fields"),
    [
        (
            "/api/workshops/{workshop_id}/debrief",
            "WorkshopDebrief",
            {"lang", "score_names", "style_names", "tables", "rarity"},
        ),
        (
            "/api/workshops/{workshop_id}/tables/{number}/debrief",
            "TableDebriefAnswer",
            {"ended", "proposal", "agendas", "scores", "key_moments", "reflection", "notes"},
        ),
        ("/api/workshops/{workshop_id}/export.json", "WorkshopExport", {"workshop", "tables"}),
    ],
)
def test_debriefs_and_the_export_have_a_response_schema(
    path: str, model: str, fields: set[str]
) -> None:
    ok = DOCUMENT["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]

    assert ok["schema"] == {"$ref": f"#/components/schemas/{model}"}
    schema = DOCUMENT["components"]["schemas"][model]
    assert fields <= set(schema["required"])


def test_an_exported_table_holds_its_debrief_events_and_replays() -> None:
    schema = DOCUMENT["components"]["schemas"]["ExportedTable"]
    properties = schema["properties"]

    assert set(schema["required"]) == {"number", "debrief", "events", "whatif"}
    assert properties["debrief"] == {"$ref": "#/components/schemas/TableDebriefAnswer"}
    assert properties["whatif"]["additionalProperties"] == {
        "$ref": "#/components/schemas/WhatIfAnswer"
    }
