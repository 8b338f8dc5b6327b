"""The HTTP API holds to its OpenAPI document on a real server (issue 23).

- A join asking for a role the table's scenario does not have is a 422 naming the role
  and the roles the table has, and changes nothing; a role someone holds stays a 409.
- The debriefs and the export answer what their documented schemas say, checked with
  jsonschema against the document the server serves: before any game starts, while
  one plays, and after one ended (the export's replays included).
"""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from tests.integration.server import Facilitator, Server, seated


async def join(http: httpx.AsyncClient, code: str, role: str) -> httpx.Response:
    return await http.post("/api/join", json={"code": code, "name": "Ann", "role": role})


async def test_a_role_the_scenario_lacks_is_422_naming_the_roles_and_changes_nothing(
    http: httpx.AsyncClient,
) -> None:
    fac = await Facilitator.create(http, scenario="school-committee")
    code = fac.code()
    before = (await http.get(f"/api/tables/{code}")).json()
    roles = [r["id"] for r in before["roles"]]
    assert "chair" in roles and "mayor" not in roles

    unknown = await join(http, code, "mayor")

    assert unknown.status_code == 422, unknown.text
    (problem,) = unknown.json()["detail"]
    assert problem["loc"] == ["body", "role"]
    assert '"mayor"' in problem["msg"]
    assert all(role in problem["msg"] for role in roles), problem["msg"]
    assert "taken" not in problem["msg"]
    assert (await http.get(f"/api/tables/{code}")).json() == before

    # A role that exists and is held is still a conflict.
    assert (await join(http, code, "chair")).status_code == 200
    taken = await join(http, code, "chair")
    assert taken.status_code == 409, taken.text
    assert taken.json()["detail"] == "that role is taken"


async def test_a_late_joiner_asking_for_a_role_the_scenario_lacks_is_422_too(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http, autostart=True)
    async with seated(live_server.base, fac) as players:
        await players[0].until(lambda f: f["type"] == "update" and f["seq"] > 0)
        unknown = await join(http, fac.code(), "mayor")
        assert unknown.status_code == 422, unknown.text
        assert '"mayor"' in unknown.json()["detail"][0]["msg"]
        # Every seat is held: a real role is still a conflict, not a validation error.
        assert (await join(http, fac.code(), "chair")).status_code == 409


def validator(document: dict[str, Any], path: str) -> Draft202012Validator:
    """The documented schema of `path`'s 200 answer, its references resolved in the document."""
    ok = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    ref = ok["schema"]["$ref"]  # a named model, not a free-form object
    return Draft202012Validator({"$ref": ref, "components": document["components"]})


async def answers(fac: Facilitator, document: dict[str, Any]) -> None:
    """Every debrief of the workshop, and its export, match their documented schemas."""
    prefix = "/api/workshops/{workshop_id}"
    suffixes = ["/debrief", "/export.json"] + [f"/tables/{t['number']}/debrief" for t in fac.tables]
    for suffix in suffixes:
        response = await fac.get(suffix)
        assert response.status_code == 200, (suffix, response.text)
        path = prefix + (suffix if "/tables/" not in suffix else "/tables/{number}/debrief")
        errors = [e.message for e in validator(document, path).iter_errors(response.json())]
        assert not errors, (suffix, errors[:5])


async def test_debriefs_and_the_export_match_their_documented_schemas(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    document = (await http.get("/openapi.json")).json()
    fac = await Facilitator.create(http, tables=2, autostart=False)

    # Before any game starts: empty, and still whole.
    await answers(fac, document)
    debrief = (await fac.get("/debrief")).json()
    assert debrief["tables"] == [] and debrief["score_names"]

    async with seated(live_server.base, fac) as players:
        note = await http.put(
            f"{fac.path}/tables/1/note", json={"text": "Quiet start"}, headers=fac.auth
        )
        assert note.status_code == 200, note.text
        await fac.control("start", table=1)
        await players[0].until(lambda f: f["type"] == "update" and f["seq"] > 0)
        await answers(fac, document)  # one table plays, one waits

        await fac.control("end", table=1)
        for player in players:
            await player.until_public(lambda public: public["status"] == "ended")
        await answers(fac, document)

    exported = await fac.export()
    first = next(t for t in exported["tables"] if t["number"] == 1)
    assert first["debrief"]["notes"] == "Quiet start"
    assert first["whatif"] and first["events"]
