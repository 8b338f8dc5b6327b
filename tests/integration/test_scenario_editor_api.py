"""What the console's scenario editor asks of the server: the schema it completes from, the
starter and an installed case's file to start from, the balance report on demand, and a
workshop that keeps the hash of exactly the edited text."""

from __future__ import annotations

import asyncio

import httpx

from app.authoring import balance
from app.offload import Busy
from app.scenarios.library import content_hash
from app.scenarios.loader import load_scenario_text
from app.scenarios.schema import scenario_json_schema
from app.scenarios.starter import starter_text
from app.settings import REPO_ROOT
from app.web.balance_worker import MAX_GAMES, MIN_GAMES, BalanceReports, ReportRequest
from tests.integration.server import Server

SCHOOL = REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml"


async def test_the_schema_is_the_published_one(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/scenarios/schema")
    assert response.status_code == 200
    assert response.json() == scenario_json_schema()


async def test_the_starter_is_scenario_new_naming_this_servers_schema(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    response = await http.get(
        "/api/scenarios/starter", params={"id": "eldercare", "languages": "da"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/yaml")
    schema_url = f"{live_server.base}/api/scenarios/schema"
    assert response.text == starter_text("eldercare", ["da"], schema_url)
    assert response.headers["x-scenario-hash"] == content_hash(response.text)
    assert load_scenario_text(response.text, "eldercare.yaml").ok


async def test_a_starter_refuses_an_id_or_language_it_cannot_use(http: httpx.AsyncClient) -> None:
    bad_id = await http.get("/api/scenarios/starter", params={"id": "Elder Care"})
    assert bad_id.status_code == 422
    (problem,) = bad_id.json()["detail"]  # FastAPI's own shape, as OpenAPI declares
    assert problem["loc"] == ["query", "id"] and "not a valid id" in problem["msg"]
    bad_lang = await http.get("/api/scenarios/starter", params={"languages": "danish"})
    assert bad_lang.status_code == 422
    (problem,) = bad_lang.json()["detail"]
    assert problem["loc"] == ["query", "languages"] and "two or three letters" in problem["msg"]


async def test_an_installed_case_is_given_as_its_file(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/scenarios/school-committee/source")
    assert response.status_code == 200
    text = SCHOOL.read_text(encoding="utf-8")
    assert response.text == text
    assert response.headers["x-scenario-hash"] == content_hash(text)
    missing = await http.get("/api/scenarios/no-such-case/source")
    assert missing.status_code == 404 and "no-such-case" in missing.json()["detail"]


async def test_the_balance_report_is_the_cli_report_of_the_sent_text(
    http: httpx.AsyncClient,
) -> None:
    text = SCHOOL.read_text(encoding="utf-8").replace(
        "id: school-committee\n", "id: school-edited\n", 1
    )
    body = {"text": text, "filename": "school-edited.yaml", "language": "en", "games": 20}
    response = await http.post("/api/scenarios/balance", json=body, timeout=120)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["scenario_id"] == "school-edited" and answer["games"] == 20
    assert answer["hash"] == content_hash(text)
    # The same games as `policymaker scenario check --games 20 --seed 1 --lang en`.
    result = load_scenario_text(text, "school-edited.yaml")
    assert result.scenario is not None
    runs = balance.run_all(result.scenario, 20, 1)
    report = balance.build_report(
        result.scenario, runs, result, text, "school-edited.yaml", 1, "en"
    )
    assert answer["text"] == balance.format_report(report)
    assert answer["html"] == balance.render_html(report)
    assert answer["report"] == balance.report_to_dict(report)


async def test_a_balance_report_is_refused_for_a_broken_file_or_too_many_games(
    http: httpx.AsyncClient,
) -> None:
    broken = SCHOOL.read_text(encoding="utf-8").replace("kind: politician", "kind: Politician", 1)
    response = await http.post("/api/scenarios/balance", json={"text": broken, "games": 20})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "text"] and "fix them" in problem["msg"]
    text = SCHOOL.read_text(encoding="utf-8")
    for games in (MIN_GAMES - 1, MAX_GAMES + 1):
        refused = await http.post("/api/scenarios/balance", json={"text": text, "games": games})
        assert refused.status_code == 422, games


async def test_reports_beyond_the_limit_are_refused_while_the_others_run() -> None:
    reports = BalanceReports(max_in_flight=1)
    text = SCHOOL.read_text(encoding="utf-8")
    try:
        first = asyncio.ensure_future(reports.run(ReportRequest(text, "a.yaml", 10, 1, None)))
        await asyncio.sleep(0)  # the first is handed to the worker
        try:
            await reports.run(ReportRequest(text, "b.yaml", 10, 1, None))
        except Busy:
            pass
        else:
            raise AssertionError("a second report ran beside the first")
        assert (await first)["data"]["games"] == 10
        # Done: the next one runs, and the first is answered again from what was kept.
        assert (await reports.run(ReportRequest(text, "b.yaml", 10, 1, None)))["text"]
        assert await reports.run(ReportRequest(text, "a.yaml", 10, 1, None)) is await first
    finally:
        reports.close()


async def test_a_workshop_keeps_the_hash_of_the_edited_text(http: httpx.AsyncClient) -> None:
    text = SCHOOL.read_text(encoding="utf-8").replace(
        "id: school-committee\n", "id: school-edited\n", 1
    )
    assert text != SCHOOL.read_text(encoding="utf-8")
    created = await http.post("/api/workshops", json={"scenario_text": text, "language": "da"})
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["scenario_hash"] == content_hash(text)
    auth = {"Authorization": f"Bearer {answer['facilitator_token']}"}
    status = (await http.get(f"/api/workshops/{answer['workshop_id']}", headers=auth)).json()
    assert status["scenario_hash"] == content_hash(text)
    exported = await http.get(f"/api/workshops/{answer['workshop_id']}/export.json", headers=auth)
    assert exported.status_code == 200
    assert exported.json()["scenario"] == {"id": "school-edited", "hash": content_hash(text)}
    # The installed case is untouched: it keeps its own hash.
    listed = {s["id"]: s["hash"] for s in (await http.get("/api/scenarios")).json()}
    assert listed["school-committee"] == content_hash(SCHOOL.read_text(encoding="utf-8"))
