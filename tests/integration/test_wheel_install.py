"""The wheel is self-contained: built from a clean copy of this checkout, installed in a fresh
venv outside it, `policymaker serve` started from yet another directory serves the game.

The copy holds the checkout's tracked files as they are in the working tree (so a change
is tested before it is committed, and nothing untracked leaks in). The new venv gets the
package from the wheel alone; its dependencies come from this venv's site-packages through
a .pth line added after the install, which Python reads as a plain path (this venv's own
editable-install hook there is never run).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from playwright.sync_api import expect

from app.rooms.schemas import WorkshopRequest
from app.settings import REPO_ROOT
from app.store.migrate import alembic_config
from tests.e2e.conftest import browser, browsing_on  # noqa: F401  (browser: a fixture)
from tests.integration.server import Server

BUILD_TIMEOUT = 120
# Nothing may lead the installed package's processes back to the checkout.
ISOLATED = {"PYTHONPATH": ""}


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    server: Server

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _clean_copy(target: Path) -> Path:
    """The checkout's tracked files as the working tree has them; symlinks stay links."""
    listed = _run("git", "ls-files", "-z", cwd=REPO_ROOT).split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the working tree, not yet committed
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)
    return target


def _site_packages(venv: Path) -> Path:
    found = list((venv / "lib").glob("python3*/site-packages"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    source = _clean_copy(root / "source")
    dist = root / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=root)
    (wheel,) = dist.glob("policymaker-*.whl")

    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python)
    _run(*pip, "install", "--no-deps", "--no-index", "-q", wheel, cwd=root)
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (_site_packages(venv) / "dependencies.pth").write_text("\n".join(sorted(here)) + "\n")

    elsewhere = root / "run"
    elsewhere.mkdir()
    server = Server(
        elsewhere,
        policymaker=venv / "bin" / "policymaker",
        env={**ISOLATED, "DATABASE_URL": f"sqlite:///{elsewhere / 'new.db'}"},
    )
    assert not (elsewhere / "new.db").exists()
    server.start()
    try:
        yield Installed(wheel, venv, server)
    finally:
        server.stop()


def test_the_wheel_holds_the_package_and_its_data_but_no_tests_or_docs(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"app", installed.wheel.name.split("-py")[0] + ".dist-info"}, tops
    assert not [n for n in names if "/tests/" in n or "/docs/" in n or n.endswith(".pyc")]
    for shipped in (
        "app/bundled/static/js/net.js",
        "app/bundled/game_content/scenario.schema.json",
        "app/bundled/game_content/scenarios/school-committee.yaml",
        "app/bundled/alembic/env.py",
        "app/bundled/alembic/script.py.mako",
        "app/web/templates/join.html",
        "app/web/locale/da/LC_MESSAGES/messages.po",
        "app/locale/da/LC_MESSAGES/authoring.po",
    ):
        assert shipped in names, shipped
    versions = {p.name for p in (REPO_ROOT / "alembic" / "versions").glob("*.py")}
    assert versions == {
        Path(n).name for n in names if n.startswith("app/bundled/alembic/versions/")
    }


def test_the_installed_app_is_the_wheels(installed: Installed) -> None:
    where = _run(
        installed.python,
        "-c",
        "import app, app.bundled as b; print(app.__file__); print(b.STATIC)",
        cwd=installed.server.workdir,
        env=ISOLATED,
    ).split()
    venv = installed.venv.resolve()
    assert all(Path(p).resolve().is_relative_to(venv) for p in where), where


def test_pages_static_files_and_the_default_case_are_served(installed: Installed) -> None:
    with httpx.Client(base_url=installed.server.base, timeout=30) as http:
        scenarios = http.get("/api/scenarios")
        assert scenarios.status_code == 200, scenarios.text
        default = WorkshopRequest.model_fields["scenario"].default
        assert default in {s["id"] for s in scenarios.json()}

        created = http.post("/api/workshops", json={"tables": 1})
        assert created.status_code == 201, created.text
        code = created.json()["tables"][0]["code"]
        for path in ("/", f"/join/{code}", "/facilitator"):
            page = http.get(path)
            assert page.status_code == 200, (path, page.text)
            assert page.headers["content-type"].startswith("text/html")
            (script,) = re.findall(r'<script type="module" src="([^"]+)"', page.text)
            assert http.get(script).status_code == 200, (path, script)

        net = http.get("/static/js/net.js")
        assert net.status_code == 200
        shipped = zipfile.ZipFile(installed.wheel).read("app/bundled/static/js/net.js")
        assert net.content == shipped
        catalog = http.get("/i18n/da.json")
        assert catalog.status_code == 200 and catalog.json(), "the Danish catalogue is empty"


def test_the_server_migrated_its_new_database_to_head(installed: Installed) -> None:
    with sqlite3.connect(installed.server.workdir / "new.db") as db:
        versions = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(ScriptDirectory.from_config(alembic_config()).get_current_head(),)]


def test_api_docs_load_in_chromium_from_the_server_alone(
    installed: Installed,
    browser: Any,  # noqa: F811
    request: pytest.FixtureRequest,
) -> None:
    # browsing_on fails the test on any request to another host or any CSP violation.
    with browsing_on(browser, installed.server, request) as browsing:
        page = browsing.page("docs", lang="en")
        response = page.goto("/docs")
        assert response is not None and response.ok
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Policy Maker")
        seen = [url for _name, _ctx, traffic in browsing.contexts for url in traffic.seen]
        assert any(u.endswith("/static/vendor/swagger-ui/swagger-ui-bundle.js") for u in seen)
