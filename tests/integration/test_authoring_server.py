"""Authoring against a real server: checking an upload, playing a new case, scenario versions.

The acceptance test of issue 8 is `test_a_trainer_writes_checks_and_plays_a_new_case`:
a starter from `scenario new`, edited programmatically into a small new case, validated,
checked, offered by a server, played to the end by bots over the protocol and debriefed.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from app.client import run_bots
from app.scenarios.library import content_hash
from app.scenarios.starter import starter_text
from tests.integration.server import POLICYMAKER, Facilitator, Server, play_bots

TIMEOUT = 120


def policymaker(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POLICYMAKER), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        cwd=cwd,
    )


@contextmanager
def server_with(scenarios: Path, workdir: Path) -> Iterator[Server]:
    """A server of this test's own, offering the scenarios in `scenarios`."""
    workdir.mkdir(exist_ok=True)
    server = Server(workdir, env={"SCENARIOS_DIR": str(scenarios)})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def edit_into_a_new_case(text: str) -> str:
    """What a trainer does to the starter: a new id, title, case, an idea of their own."""
    yaml = YAML()  # round trip: comments and layout stay
    data = yaml.load(text)
    data["id"] = "harbour-bath"
    data["title"] = {"da": "Et havnebad til alle", "en": "A harbour bath for everyone"}
    data["summary"]["da"] = "Udvalget skal blive enige om et havnebad."
    data["summary"]["en"] = "The committee must agree on a harbour bath."
    data["case"]["da"] = "Havnen er blevet ren. Byen har **3 mio. kr.** til et havnebad.\n"
    data["case"]["en"] = "The harbour is clean now. The town has **3 million** for a bath.\n"
    idea = next(i for i in data["ideas"] if i["id"] == "makerspace")
    idea["id"] = "winter-bathing"
    idea["title"] = {"da": "Vinterbadning og sauna", "en": "Winter bathing and a sauna"}
    idea["text"] = {
        "da": "En forening driver sauna og vinterbadning hele året.",
        "en": "A club runs a sauna and winter bathing all year round.",
    }
    official = next(r for r in data["roles"] if r["id"] == "official")
    official["hand"] = ["repair-roof", "winter-bathing"]
    decide = next(r for r in data["rounds"] if r["phase"] == "decide")
    decide["budget"] = 3
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


async def create(base: str, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post("/api/workshops", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


async def debrief(base: str, created: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    path = f"/api/workshops/{created['workshop_id']}/tables/1/debrief?lang={lang}"
    headers = {"Authorization": f"Bearer {created['facilitator_token']}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.get(path, headers=headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


# --- the acceptance test ----------------------------------------------------------------------


async def test_a_trainer_writes_checks_and_plays_a_new_case(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    path = scenarios / "harbour-bath.yaml"

    made = policymaker("scenario", "new", "harbour-bath", "--lang", "da,en", "-o", str(path))
    assert made.returncode == 0, made.stderr
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    path.write_text(edit_into_a_new_case(path.read_text(encoding="utf-8")), encoding="utf-8")

    # --lang en: the messages and the report in English whatever the locale, and the case's
    # texts in English too (without --lang they are in its first language, Danish).
    validated = policymaker("scenario", "validate", str(path), "--lang", "en")
    assert validated.returncode == 0, validated.stdout
    assert validated.stdout.strip().endswith(f"{path}: ok (0 warnings)")
    report = tmp_path / "report.html"
    checked = policymaker(
        "scenario", "check", str(path), "--games", "20", "--html", str(report), "--lang", "en"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Balance report: A harbour bath for everyone (harbour-bath)" in checked.stdout
    page = report.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Winter bathing" in page

    with server_with(scenarios, tmp_path / "server") as server:
        offered = httpx.get(f"{server.base}/api/scenarios").json()
        assert [s["id"] for s in offered] == ["harbour-bath"]
        assert offered[0]["hash"] == content_hash(path.read_text(encoding="utf-8"))
        created = await create(server.base, scenario="harbour-bath", autostart=True, language="en")
        assert created["scenario_hash"] == offered[0]["hash"]

        played = policymaker(
            "bots", "--url", server.base, "--code", created["tables"][0]["code"],
            "--seats", "4", "--json",
        )  # fmt: skip
        assert played.returncode == 0, played.stderr
        assert set(json.loads(played.stdout)["scores"]) == {"consensus", "ownership", "innovation"}

        table = await debrief(server.base, created)
    assert table["ended"] is True
    assert table["scenario_id"] == "harbour-bath"
    assert table["scenario_title"] == "A harbour bath for everyone"
    assert table["reflection"]["questions"]


# --- checking an upload -------------------------------------------------------------------------


async def test_check_locates_the_errors_of_a_broken_upload(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    broken = starter_text("broken-case", ["en"]).replace("budget: 4\n", "budget: lots\n")
    line = broken.splitlines().index("    budget: lots") + 1

    response = await http.post(
        "/api/scenarios/check", json={"text": broken, "filename": "../../etc/broken.yaml"}
    )

    assert response.status_code == 200
    check = response.json()
    assert check["ok"] is False and check["preview"] is None
    assert check["filename"] == "broken.yaml"
    assert check["errors"] == [
        {
            "line": line,
            "column": 13,
            "message": "rounds[4].budget: must be a whole number (got 'lots')",
        }
    ]
    assert check["formatted"] == [f"broken.yaml:{line}:13: " + check["errors"][0]["message"]]


async def test_check_takes_the_raw_file_too(http: httpx.AsyncClient) -> None:
    text = starter_text("raw-case", ["da", "en"])

    response = await http.post(
        "/api/scenarios/check?filename=raw-case.yaml&lang=en",
        content=text.encode(),
        headers={"Content-Type": "text/yaml"},
    )

    check = response.json()
    assert response.status_code == 200 and check["ok"] is True, check
    assert check["hash"] == content_hash(text)
    assert check["preview"]["language"] == "en"
    assert check["preview"]["title"] == "A new use for the old library"


async def test_check_reports_a_file_that_is_not_utf8_or_not_yaml(http: httpx.AsyncClient) -> None:
    latin1 = "title: Café\n".encode("latin-1")

    not_utf8 = (
        await http.post(
            "/api/scenarios/check", content=latin1, headers={"Content-Type": "text/plain"}
        )
    ).json()
    tabs = (await http.post("/api/scenarios/check", json={"text": "id: x\n\tformat: y\n"})).json()

    assert not_utf8["ok"] is False
    assert not_utf8["errors"] == [
        {"line": 1, "column": 11, "message": "the file is not UTF-8 text; save it as UTF-8"}
    ]
    assert tabs["ok"] is False and tabs["errors"][0]["line"] == 2


async def test_check_refuses_huge_bodies_and_other_content_types(http: httpx.AsyncClient) -> None:
    huge = await http.post(
        "/api/scenarios/check",
        content=b"#" * (5 * 1024 * 1024),
        headers={"Content-Type": "text/yaml"},
    )
    form = await http.post("/api/scenarios/check", data={"text": "x"})
    no_text = await http.post("/api/scenarios/check", json={"file": "x"})

    assert huge.status_code == 413
    assert form.status_code == 415
    assert no_text.status_code == 422


async def test_check_previews_a_valid_upload_with_everything_a_trainer_needs(
    http: httpx.AsyncClient,
) -> None:
    text = starter_text("preview-case", ["da", "en"])

    check = (await http.post("/api/scenarios/check", json={"text": text, "language": "da"})).json()

    assert check["ok"] is True and check["errors"] == [] and check["warnings"] == []
    assert check["scenario_id"] == "preview-case" and check["installed_hash"] is None
    shown = check["preview"]
    assert shown["title"] == "Nyt liv i det gamle bibliotek"
    assert "gamle bibliotek" in shown["case"]
    chair = next(r for r in shown["roles"] if r["chair"])
    assert chair["brief"] and chair["agenda"] and chair["goal"] and chair["hand"]
    assert [r["phase"] for r in shown["rounds"]] == ["frame", "ideate", "dilemma", "rank", "decide"]
    assert shown["ideas"] and shown["events"][0]["options"]


async def test_check_tells_an_installed_scenario_and_previews_it(http: httpx.AsyncClient) -> None:
    installed = {s["id"]: s for s in (await http.get("/api/scenarios")).json()}
    text = Path("game_content/scenarios/school-committee.yaml")
    school = (Path(__file__).parents[2] / text).read_text(encoding="utf-8")

    check = (await http.post("/api/scenarios/check", json={"text": school})).json()
    shown = await http.get("/api/scenarios/school-committee/preview?lang=en")
    missing = await http.get("/api/scenarios/no-such-case/preview")

    assert check["installed_hash"] == installed["school-committee"]["hash"] == check["hash"]
    assert shown.status_code == 200 and shown.json()["language"] == "en"
    assert missing.status_code == 404


# --- workshops from an upload ------------------------------------------------------------------


async def test_a_workshop_from_an_uploaded_file_is_played_and_debriefed_with_it(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    text = starter_text("uploaded-case", ["en"])

    created = await create(live_server.base, scenario_text=text, autostart=True)
    assert created["scenario"] == "uploaded-case"
    assert created["scenario_hash"] == content_hash(text)
    assert created["language"] == "en"

    results = await run_bots(live_server.base, created["tables"][0]["code"], 4)
    assert all(r.digest for r in results)

    table = await debrief(live_server.base, created)
    assert table["ended"] is True and table["scenario_id"] == "uploaded-case"
    stored = await http.get(
        f"/api/workshops/{created['workshop_id']}/scenario.yaml",
        headers={"Authorization": f"Bearer {created['facilitator_token']}"},
    )
    assert stored.status_code == 200
    assert stored.text == text
    assert stored.headers["x-scenario-hash"] == content_hash(text)
    assert "uploaded-case" not in {s["id"] for s in (await http.get("/api/scenarios")).json()}


async def test_a_broken_upload_makes_no_workshop(http: httpx.AsyncClient) -> None:
    broken = starter_text("x", ["en"]).replace("    chair: true\n", "")

    response = await http.post("/api/workshops", json={"scenario_text": broken})

    assert response.status_code == 422
    message = json.dumps(response.json())
    assert "upload.yaml:" in message and "exactly one role must chair" in message


async def test_the_stored_scenario_needs_the_facilitator_token(
    live_server: Server, http: httpx.AsyncClient
) -> None:
    fac = await Facilitator.create(http)

    response = await http.get(f"{fac.path}/scenario.yaml", headers={"Authorization": "Bearer no"})

    assert response.status_code == 401


# --- versions -------------------------------------------------------------------------------


async def test_changing_the_file_never_changes_a_game_in_progress(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    path = scenarios / "versioned.yaml"
    first = starter_text("versioned", ["en"])
    path.write_text(first, encoding="utf-8")
    second = first.replace("A new use for the old library", "The library, second edition")

    with server_with(scenarios, tmp_path / "server") as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
            old = await create(server.base, scenario="versioned", autostart=True)
            fac = Facilitator(http, old["workshop_id"], old["facilitator_token"], old["tables"])
            joined = [await fac.join(f"Player {n}") for n in range(1, 5)]
            assert (await fac.status())["tables"][0]["status"] == "running"

            # The file changes while the game runs, and the server restarts and reloads it.
            path.write_text(second, encoding="utf-8")
            server.restart()

            new = await create(server.base, scenario="versioned")
            await play_bots(server.base, joined)
            table = await debrief(server.base, old)
            stored = await fac.get("/scenario.yaml")
            new_lobby = (await http.get(f"/api/tables/{new['tables'][0]['code']}")).json()

    assert old["scenario_hash"] == content_hash(first) != new["scenario_hash"]
    assert new["scenario_hash"] == content_hash(second)
    assert table["ended"] is True
    assert table["scenario_title"] == "A new use for the old library"
    assert stored.text == first and stored.headers["x-scenario-hash"] == old["scenario_hash"]
    assert new_lobby["title"] == "The library, second edition"
