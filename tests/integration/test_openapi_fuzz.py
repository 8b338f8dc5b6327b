"""The HTTP API against its own OpenAPI document: schemathesis on a real server.

Schemathesis reads `/openapi.json` from a running `policymaker serve` and makes requests
from it with Hypothesis: valid ones (positive mode) and, on purpose, invalid ones
(negative mode: wrong types, missing fields, values out of range). Two checks judge
every answer: no 5xx (`not_a_server_error`) and, for any status the document lists, a
body that matches the documented schema (`response_schema_conformance`).

Every operation runs twice over: with made-up ids and tokens (so every control endpoint
must refuse them cleanly), and, for the operations on a workshop, with a real workshop's
id and facilitator token, so controls, debriefs and exports run on a game in progress
with made-up bodies and query parameters.

The strategies come from schemathesis' Python API (`APIOperation.as_strategy`) rather
than its pytest plugin, whose lazy schemas (`schemathesis.pytest.from_fixture`) do not
run under pytest 9. The server is this module's own: the fuzz types hundreds of wrong
join codes, which locks its address out of joining for a minute (app/web/api.py), and
it makes hundreds of workshops.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.main import create_app
from app.settings import REPO_ROOT
from tests.integration.server import Server

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 60  # per operation, mode and caller
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
REPORT = REPO_ROOT / "test-artifacts" / "fuzz" / "openapi.json"

# The operations, read from the application's own document (no server needed to list
# them), with whether they take anything an invalid request could get wrong.
DOCUMENT = create_app().openapi()
OPERATIONS = [
    (method, path, bool(operation.get("parameters") or operation.get("requestBody")))
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]
RUNS = [
    pytest.param(method, path, mode, id=f"{method.upper()} {path} {mode.value}")
    for method, path, takes_input in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if takes_input or mode is GenerationMode.POSITIVE
]
# DELETE is left out with the real workshop: it would remove what the others work on
# (test_privacy.py deletes workshops of its own).
FACILITATOR_RUNS = [r for r in RUNS if "{workshop_id}" in r.values[1] and r.values[0] != "delete"]

# Requests sent, per caller and operation: the figure docs/reliability.md quotes.
TRIED: dict[str, Counter[str]] = {}


@dataclass(frozen=True)
class Workshop:
    workshop_id: str
    token: str


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[Server]:
    """The server, on each store in turn (SQLite, then PostgreSQL)."""
    server = Server(tmp_path_factory.mktemp("openapi-server"), env={"DATABASE_URL": store_url})
    server.start()
    yield server
    server.stop()
    write_report()


@pytest.fixture(scope="module")
def workshop(api_server: Server) -> Workshop:
    """Two tables; the first with every seat taken and its game running."""
    with httpx.Client(base_url=api_server.base, timeout=30) as http:
        created = http.post("/api/workshops", json={"tables": 2, "autostart": True})
        assert created.status_code == 201, created.text
        body = created.json()
        code = body["tables"][0]["code"]
        for n in range(5):
            joined = http.post("/api/join", json={"code": code, "name": f"Player {n}"})
            assert joined.status_code == 200, joined.text
        return Workshop(body["workshop_id"], body["facilitator_token"])


@pytest.fixture(scope="module")
def api_schema(api_server: Server, workshop: Workshop) -> Any:
    # The workshop is seated first: once the fuzz has typed its wrong join codes, this
    # address may not join for a minute. The document is the one the running server
    # serves, which is what clients read.
    return schemathesis.openapi.from_url(f"{api_server.base}/openapi.json")


def fuzz(
    api_schema: Any, caller: str, method: str, path: str, mode: GenerationMode, **fixed: Any
) -> None:
    """Send EXAMPLES requests made for one operation; every answer must pass the checks."""
    operation = api_schema[path][method.upper()]
    strategy = operation.as_strategy(generation_mode=mode, **fixed)
    counts = TRIED.setdefault(caller, Counter())

    @given(case=strategy)
    @FUZZ
    def run(case: schemathesis.Case) -> None:
        counts[f"{method.upper()} {path}"] += 1
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Nothing this operation takes has a wrong value (a free-form path segment or
        # header): there is no invalid request to send.
        assert mode is GenerationMode.NEGATIVE
        pytest.skip("no invalid request exists for this operation")


@pytest.mark.parametrize(("method", "path", "mode"), RUNS)
def test_any_request_gets_a_documented_answer_and_never_a_server_error(
    api_schema: Any, api_server: Server, method: str, path: str, mode: GenerationMode
) -> None:
    fuzz(api_schema, f"anyone on {api_server.store}", method, path, mode)


@pytest.mark.parametrize(("method", "path", "mode"), FACILITATOR_RUNS)
def test_a_facilitator_request_on_a_running_game_never_gets_a_server_error(
    api_schema: Any,
    api_server: Server,
    workshop: Workshop,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    fuzz(
        api_schema,
        f"facilitator on {api_server.store}",
        method,
        path,
        mode,
        path_parameters={"workshop_id": workshop.workshop_id},
        # The real token in the header, which the API prefers to any made-up `?token=`.
        headers={"Authorization": f"Bearer {workshop.token}"},
    )


def write_report() -> None:
    """The number of requests sent, by caller and operation (printed with `pytest -s`)."""
    report = {
        caller: {"total": sum(counts.values()), "operations": dict(sorted(counts.items()))}
        for caller, counts in TRIED.items()
    }
    report["total"] = {"total": sum(r["total"] for r in report.values()), "operations": {}}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1))
    print(f"\nschemathesis requests: {json.dumps({c: r['total'] for c, r in report.items()})}")
