"""`policymaker play FILE` and `workshop create --file FILE`: a scenario file to a played
table in one step, on an embedded server or a running one."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.integration.lines import Running
from tests.integration.server import POLICYMAKER, Server
from tests.integration.test_cli_errors import REFUSED, policymaker

SCORES = re.compile(r"^consensus (\d+) · ownership (\d+) · innovation (\d+)$")
KINDS_CASE = Path(__file__).parents[1] / "fixtures" / "kinds" / "eldercare-kinds.yaml"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A case as a trainer begins one: `scenario new`, untouched."""
    done = subprocess.run(
        [str(POLICYMAKER), "scenario", "new", "trial-case", "--lang", "da,en"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "trial-case.yaml" in done.stdout
    return tmp_path / "trial-case.yaml"


@pytest.fixture
def broken(starter: Path) -> Path:
    text = starter.read_text(encoding="utf-8")
    path = starter.with_name("broken.yaml")
    path.write_text(text.replace("kind: politician", "kind: mayor", 1), encoding="utf-8")
    return path


def test_play_a_new_file_ends_with_scores_and_a_debrief_link_that_answers(
    starter: Path,
) -> None:
    play = Running("play", str(starter), "--lang", "en", cwd=starter.parent)
    try:
        scores = play.until(lambda stream, line: stream == "out" and bool(SCORES.match(line)))
        link = play.until(lambda stream, line: line.startswith("Debrief: "))
        play.until(lambda stream, line: "Ctrl-C" in line)

        match = SCORES.match(scores)
        assert match is not None and all(0 <= int(v) <= 100 for v in match.groups())
        url = link.removeprefix("Debrief: ")
        page, token = url.split("#token=")
        parts = re.fullmatch(r"(http://[^/]+)/debrief/(\w+)/(\d+)", page)
        assert parts is not None, url
        base, workshop, number = parts.groups()
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get(page).status_code == 200
            debrief = http.get(
                f"/api/workshops/{workshop}/tables/{number}/debrief",
                params={"lang": "en"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert debrief.status_code == 200
            table = debrief.json()
        # The scores printed are the debrief's own, as the page rounds them.
        assert table["ended"] is True
        last = table["scores"][-1]["scores"]
        assert [int(v) for v in match.groups()] == [
            round(last[n]) for n in ("consensus", "ownership", "innovation")
        ]
        assert play.interrupt() == 0
    finally:
        play.stop()
    # The embedded server went with it.
    with pytest.raises(httpx.TransportError), httpx.Client(timeout=2) as http:
        http.get(f"{base}/healthz")


def test_play_names_the_bots_and_plays_a_case_with_its_own_kinds_in_danish() -> None:
    # Every seat taken (the daughter's is optional), --exit: the server stops at the end.
    done = policymaker("play", str(KINDS_CASE), "--bots", "6", "--lang", "da", "--exit")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "6" in lines[0]
    assert re.fullmatch(r"konsensus \d+ · ejerskab \d+ · innovation \d+", lines[1]), lines
    assert lines[2].startswith("Debrief") and "/debrief/" in lines[2]
    assert "Traceback" not in done.stderr


def test_play_a_file_with_errors_prints_them_located_and_starts_nothing(broken: Path) -> None:
    done = policymaker("play", str(broken))

    assert done.returncode == REFUSED
    assert done.stdout == ""  # nothing played, no server named
    *located, summary = done.stderr.splitlines()
    assert located and all(re.match(rf"{re.escape(str(broken))}:\d+:\d+: ", x) for x in located)
    assert any("unknown kind 'mayor'" in line for line in located)
    assert summary == f"{broken}: invalid (1 error)"
    assert "Traceback" not in done.stderr


def test_play_refuses_fewer_bots_than_the_roles_need(starter: Path) -> None:
    done = policymaker("play", str(starter), "--bots", "1")

    assert done.returncode == REFUSED
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: --bots must be from ")


def test_workshop_create_with_a_file_plays_that_file(live_server: Server, starter: Path) -> None:
    done = policymaker(
        "workshop", "create", "--url", live_server.base, "--file", str(starter), "--json"
    )

    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    code = created["tables"][0]["code"]
    lobby = httpx.get(f"{live_server.base}/api/tables/{code}", timeout=10)
    assert lobby.json()["scenario"] == "trial-case"


def test_workshop_create_with_a_broken_file_prints_its_errors_and_sends_nothing(
    live_server: Server, broken: Path
) -> None:
    done = policymaker("workshop", "create", "--url", live_server.base, "--file", str(broken))

    assert done.returncode == REFUSED
    assert done.stdout == ""
    assert f"{broken}:" in done.stderr and "unknown kind 'mayor'" in done.stderr
