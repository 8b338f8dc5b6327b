"""For the whole run: how many websocket frames tests/contract.py checked against
docs/asyncapi.yaml, at the end of the report and in test-artifacts/contract/frames.json."""

from __future__ import annotations

import json

import pytest

from app.settings import REPO_ROOT
from tests.contract import TALLY

REPORT = REPO_ROOT / "test-artifacts" / "contract" / "frames.json"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.write_sep("-", "websocket frames checked against docs/asyncapi.yaml")
    for what, count in sorted(TALLY.items()):
        terminalreporter.write_line(f"{count:9d}  {what}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(dict(TALLY), indent=1, sort_keys=True) + "\n")
