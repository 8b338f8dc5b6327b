"""`policymaker scenario validate|schema`: output and exit codes trainers rely on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.scenarios.schema import SCHEMA_PATH, scenario_json_schema, schema_text
from tests.unit.test_scenario_loader import FIXTURE, edited

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_valid_file_exits_zero_and_says_ok() -> None:
    result = runner.invoke(app, ["scenario", "validate", str(FIXTURE)])

    assert result.exit_code == 0
    assert result.output == f"{FIXTURE}: ok (0 warnings)\n"


def test_validate_file_with_only_warnings_exits_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "w.yaml", edited((36, "    moves: [deep-listening]", "    moves: []")))

    result = runner.invoke(app, ["scenario", "validate", str(path)])

    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{path}:29:9: warning: role 'parent' has no moves",
        f"{path}: ok (1 warning)",
    ]


def test_validate_broken_file_exits_one_and_prints_locations(tmp_path: Path) -> None:
    path = write(tmp_path, "b.yaml", edited((4, "id: minimal", "id: Minimal Case")))

    result = runner.invoke(app, ["scenario", "validate", str(FIXTURE), str(path)])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{FIXTURE}: ok (0 warnings)"
    assert lines[1].startswith(f"{path}:4:5: id: must be an id")
    assert lines[2] == f"{path}: invalid (1 error, 0 warnings)"


def test_schema_command_prints_the_schema() -> None:
    result = runner.invoke(app, ["scenario", "schema"])

    assert result.exit_code == 0
    assert json.loads(result.output) == scenario_json_schema()


def test_committed_schema_file_is_current() -> None:
    # Regenerate with: policymaker scenario schema -o game_content/scenario.schema.json
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


def test_schema_is_draft_2020_12_with_id_and_title() -> None:
    schema = scenario_json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("scenario-1.schema.json")
    assert "policymaker/scenario@1" in schema["title"]
