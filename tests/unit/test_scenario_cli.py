"""`policymaker scenario validate|schema|simulate`: output and exit codes trainers rely on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.engine.rules import Rules
from app.engine.simulate import game_setups, seat_bots
from app.scenarios import load_scenario_or_raise
from app.scenarios.schema import SCHEMA_PATH, scenario_json_schema, schema_text
from app.settings import REPO_ROOT
from tests.unit.test_scenario_loader import FIXTURE, edited

runner = CliRunner()
SCHOOL = REPO_ROOT / "game_content" / "scenarios" / "school-committee.yaml"


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


def test_simulate_reports_percentiles_and_each_games_scores_as_json() -> None:
    args = ["scenario", "simulate", str(SCHOOL), "--games", "12", "--seed", "3", "--json"]
    naive = json.loads(runner.invoke(app, [*args, "--chair-style", "naive"]).output)

    assert len(naive["games"]) == 12
    assert set(naive["games"][0]) == {"consensus", "ownership", "innovation"}
    for name, spread in naive["scores"].items():
        assert set(spread) >= {"mean", "p10", "p50", "p90", "at_100", "at_95"}
        assert spread["p10"] <= spread["p50"] <= spread["p90"]
        assert 0 <= spread["at_100"] <= spread["at_95"] <= 1
        finals = [g[name] for g in naive["games"] if g[name] is not None]
        assert spread["max"] == round(max(finals), 2)


def test_runs_with_the_same_seed_pair_game_by_game_across_chair_styles() -> None:
    scenario = load_scenario_or_raise(SCHOOL)
    rules = Rules(scenario)
    setups = game_setups(scenario, 5, 3)
    assert setups == game_setups(scenario, 5, 3)  # the same seats and cards, game by game
    for seats, seed in setups:
        naive, sovereign = (seat_bots(rules, seats, seed, s) for s in ("naive", "sovereign"))
        for a_bot, b_bot in zip(naive, sovereign, strict=True):
            # Every seat draws from a stream of its own, whatever the chair's style.
            assert a_bot.rng.getstate() == b_bot.rng.getstate()
            assert (a_bot.style == b_bot.style) == (a_bot.role != rules.catalog.chair)
