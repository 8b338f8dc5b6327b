"""`policymaker scenario new`: a valid, commented starter with the schema line for editors."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from app.cli import app
from app.engine.simulate import simulate
from app.scenarios import load_scenario, load_scenario_text
from app.scenarios.checks import _texts
from app.scenarios.schema import SCHEMA_ID, SCHEMA_PATH
from app.scenarios.starter import TEXTS, parse_languages, starter_text

runner = CliRunner()


@pytest.mark.parametrize("languages", [["da", "en"], ["en", "da"], ["en"], ["da"], ["de", "en"]])
def test_the_starter_is_valid_without_warnings_in_any_languages(languages: list[str]) -> None:
    result = load_scenario_text(starter_text("elder-care", languages), "elder-care.yaml")

    assert result.ok, [str(p) for p in result.problems]
    assert result.warnings == []
    assert result.scenario is not None
    assert result.scenario.id == "elder-care"
    assert result.scenario.languages == languages


def test_one_language_gives_plain_strings_and_two_give_maps() -> None:
    one = load_scenario_text(starter_text("x", ["en"]), "x.yaml").scenario
    two = load_scenario_text(starter_text("x", ["da", "en"]), "x.yaml").scenario
    assert one is not None and two is not None

    assert one.title == TEXTS["title"]["en"]
    assert two.title == {"da": TEXTS["title"]["da"], "en": TEXTS["title"]["en"]}
    assert isinstance(two.case, dict)
    for language in ("da", "en"):
        # The case is Markdown in a literal block: wrapped lines, the same paragraphs.
        paragraphs = [" ".join(p.split()) for p in two.case[language].split("\n\n")]
        assert paragraphs == TEXTS["case"][language].split("\n\n")


def test_every_text_survives_the_round_trip_exactly() -> None:
    scenario = load_scenario_text(starter_text("x", ["da", "en"]), "x.yaml").scenario
    assert scenario is not None
    found = {(lang, value) for _, text in _texts(scenario, ()) for lang, value in text.items()}

    for key, texts in TEXTS.items():
        if key != "case":
            assert ("da", texts["da"]) in found, key
            assert ("en", texts["en"]) in found, key


def test_the_starter_is_commented_and_names_the_schema_first() -> None:
    text = starter_text("elder-care", ["da", "en"], schema="../scenario.schema.json")
    lines = text.splitlines()

    assert lines[0] == "# yaml-language-server: $schema=../scenario.schema.json"
    comments = [line for line in lines if line.lstrip().startswith("#")]
    assert len(comments) >= 20
    for section in ("interests", "roles", "framings", "ideas", "moves", "events", "rounds"):
        index = lines.index(f"{section}:")
        assert lines[index - 1].startswith("#"), f"{section} has no comment above it"
    assert SCHEMA_ID in starter_text("x", ["en"])


def test_the_starter_can_be_played_with_bots() -> None:
    scenario = load_scenario_text(starter_text("x", ["en"]), "x.yaml").scenario
    assert scenario is not None

    summary = simulate(scenario, 30, seed=3)

    assert summary.games == 30
    assert all(stats.values for stats in summary.scores.values())


def test_the_starter_covers_every_phase_type_and_a_politician_card() -> None:
    scenario = load_scenario_text(starter_text("x", ["en"]), "x.yaml").scenario
    assert scenario is not None

    assert [r.phase for r in scenario.rounds] == ["frame", "ideate", "dilemma", "rank", "decide"]
    assert any(m.politician_card for m in scenario.moves)
    assert {r.kind for r in scenario.roles} >= {"politician", "official", "citizen"}


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "at least one"), ("da,,EN,english", "'english'"), ("da,da", "twice")],
)
def test_bad_languages_are_refused_with_a_reason(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_languages(value)


def test_parse_languages_keeps_the_order_and_lowercases() -> None:
    assert parse_languages("EN, da") == ["en", "da"]


def _schema_reference(target: Path) -> str:
    first = target.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), first
    return first.removeprefix("# yaml-language-server: $schema=")


def test_new_outside_the_checkout_names_the_schema_by_an_absolute_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run in one folder, write into another: a relative path from either breaks once the
    # file moves, so outside the checkout the reference must not depend on where it is.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    target = tmp_path / "cases" / "elder-care.yaml"

    done = runner.invoke(
        app, ["scenario", "new", "elder-care", "--lang", "da,en", "-o", str(target)]
    )

    assert done.exit_code == 0, done.output
    assert f"wrote {target}" in done.output
    assert not tmp_path.resolve().is_relative_to(SCHEMA_PATH.resolve().parents[1])
    reference = _schema_reference(target)
    assert reference.startswith("file:///"), reference
    assert Path(url2pathname(urlparse(reference).path)) == SCHEMA_PATH.resolve()
    moved = target.rename(tmp_path / "elder-care.yaml")
    assert Path(url2pathname(urlparse(_schema_reference(moved)).path)).is_file()
    assert load_scenario(moved).ok


@pytest.mark.parametrize("nested", [".", "drafts", "drafts/2026/eldercare"])
def test_new_inside_the_checkout_names_the_schema_relative_to_the_file(
    nested: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a folder outside the checkout: the path must be relative to the written
    # file's folder, not to where the command ran. The scenario folder is read with a
    # non-recursive glob, so a sub-folder of it does not add a case to the library.
    monkeypatch.chdir(tmp_path)
    scenarios = SCHEMA_PATH.parent / "scenarios"
    with tempfile.TemporaryDirectory(dir=scenarios, prefix=".starter-test-") as folder:
        target = Path(folder) / nested / "elder-care.yaml"

        done = runner.invoke(
            app, ["scenario", "new", "elder-care", "--lang", "da,en", "-o", str(target)]
        )

        assert done.exit_code == 0, done.output
        reference = _schema_reference(target)
        assert not reference.startswith(("/", "file:")), reference
        assert (target.parent / reference).resolve() == SCHEMA_PATH.resolve()
        assert load_scenario(target).ok


def test_new_defaults_to_id_dot_yaml_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    done = runner.invoke(app, ["scenario", "new", "climate-case", "--lang", "en"])

    assert done.exit_code == 0, done.output
    scenario = load_scenario(tmp_path / "climate-case.yaml").scenario
    assert scenario is not None and scenario.languages == ["en"]


def test_new_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("mine", encoding="utf-8")

    refused = runner.invoke(app, ["scenario", "new", "x", "-o", str(target)])
    assert refused.exit_code == 2
    assert target.read_text(encoding="utf-8") == "mine"

    forced = runner.invoke(app, ["scenario", "new", "x", "-o", str(target), "--force"])
    assert forced.exit_code == 0
    assert load_scenario(target).ok


@pytest.mark.parametrize("args", [["Elder Care"], ["x", "--lang", "danish"]])
def test_new_refuses_a_bad_id_or_language(tmp_path: Path, args: list[str]) -> None:
    done = runner.invoke(app, ["scenario", "new", *args, "-o", str(tmp_path / "x.yaml")])

    assert done.exit_code == 2
    assert not (tmp_path / "x.yaml").exists()


def test_the_starter_is_plain_yaml_a_round_trip_editor_keeps_comments_in() -> None:
    yaml = YAML()
    data = yaml.load(starter_text("x", ["da", "en"]))
    data["title"]["en"] = "Changed"

    from io import StringIO

    out = StringIO()
    yaml.dump(data, out)

    assert "# yaml-language-server: $schema=" in out.getvalue()
    assert "Changed" in out.getvalue()
    assert load_scenario_text(out.getvalue(), "x.yaml").ok
