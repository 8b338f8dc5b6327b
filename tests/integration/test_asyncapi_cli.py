"""`make contract` (the pinned @asyncapi/cli, offline, analytics off) passes the shipped
document and fails a broken one: the check `make test` runs can go red.

It needs `make contract` to have installed the CLI (node_modules/.installed); without it
these tests skip, unless CI or REQUIRE_SERVICES is set, where that is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.settings import REPO_ROOT

STAMP = REPO_ROOT / "node_modules" / ".installed"
ANALYTICS = REPO_ROOT / "node_modules" / ".asyncapi-analytics"  # the Makefile writes it
DOC = REPO_ROOT / "docs" / "asyncapi.yaml"
# The CLI starts in a few seconds; a slow CI machine gets room, a hung one fails.
TIMEOUT = 180


@pytest.fixture(autouse=True)
def installed() -> None:
    if not STAMP.exists():
        reason = "the AsyncAPI CLI is not installed: run `make contract`"
        if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (CI or REQUIRE_SERVICES is set, so this is a failure)")
        pytest.skip(reason)


def contract(doc: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`make contract` on `doc`, with a HOME of its own: nothing may be written to it.

    The CLI as installed: the stamp is taken as up to date (`--old-file`), so a
    package.json newer than it makes this test no npm install.
    """
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--old-file=node_modules/.installed",
            "contract",
            f"ASYNCAPI_DOC={doc}",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_a_document_whose_reply_names_no_message_fails(tmp_path: Path) -> None:
    broken = tmp_path / "asyncapi.yaml"
    text = DOC.read_text(encoding="utf-8")
    ref = '- $ref: "#/channels/table/messages/ack"'
    assert ref in text
    broken.write_text(text.replace(ref, '- $ref: "#/channels/table/messages/nack"', 1))
    home = tmp_path / "home"
    home.mkdir()

    done = contract(broken, home)

    assert done.returncode != 0, done.stdout
    assert "'#/channels/table/messages/nack' does not exist" in done.stdout + done.stderr
    # No analytics file or update-check cache in HOME, and no metrics sent.
    assert list(home.iterdir()) == []
    assert "metrics" not in done.stdout + done.stderr


def test_the_shipped_document_passes(tmp_path: Path) -> None:
    done = contract(DOC, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings" in done.stdout
    assert list(tmp_path.iterdir()) == []
    assert json.loads(ANALYTICS.read_text())["analyticsEnabled"] == "false"
