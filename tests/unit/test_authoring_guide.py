"""Every example in the authoring guide (game_content/README.md) is valid.

Each YAML block in the guide is preceded by a marker saying what it is:

- `<!-- example: complete -->`: a whole scenario; it must validate with no error and no
  warning.
- `<!-- example: fragment -->`: top-level keys added to the complete example (list items
  replace the item with the same id or are appended; mappings merge; other values
  replace); the result must validate with no error.
- `<!-- example: fragment da,en -->`: the same, after every text of the complete example
  has been turned into a map with those languages.

Shell blocks must name only commands that exist.
"""

from __future__ import annotations

import copy
import io
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from app.cli import app
from app.scenarios import load_scenario_text
from app.scenarios.checks import _texts
from app.settings import REPO_ROOT

GUIDE = REPO_ROOT / "game_content" / "README.md"
BLOCK = re.compile(
    r"(?:<!-- example: (?P<marker>[^>]*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S
)


def blocks() -> list[tuple[str | None, str, str, int]]:
    text = GUIDE.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("body")) + 1
        found.append((match.group("marker"), match.group("lang"), match.group("body"), line))
    return found


def yaml_blocks() -> list[tuple[str, str, int]]:
    return [(m or "", body, line) for m, lang, body, line in blocks() if lang == "yaml"]


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def dump(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


def complete_example() -> dict[str, Any]:
    completes = [body for marker, body, _ in yaml_blocks() if marker == "complete"]
    assert len(completes) == 1, "the guide has one complete example"
    data: dict[str, Any] = load(completes[0])
    return data


def merge(base: Any, fragment: Any) -> Any:
    if isinstance(base, dict) and isinstance(fragment, dict):
        merged = dict(base)
        for key, value in fragment.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(fragment, list)
        and all(isinstance(i, dict) and "id" in i for i in [*base, *fragment])
    ):
        merged_list = list(base)
        for item in fragment:
            ids = [i["id"] for i in merged_list]
            if item["id"] in ids:
                merged_list[ids.index(item["id"])] = item
            else:
                merged_list.append(item)
        return merged_list
    return fragment


def translated(data: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """The example with every text a map {language: the same text}."""
    result = load_scenario_text(dump(data), "base.yaml")
    assert result.scenario is not None
    data = copy.deepcopy(data)
    for path, text in _texts(result.scenario, ()):
        assert isinstance(text, str)
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = dict.fromkeys(languages, text)
    data["languages"] = languages
    return data


def test_every_yaml_block_says_what_it_is() -> None:
    for marker, _, line in yaml_blocks():
        assert marker == "complete" or marker.startswith("fragment"), f"README.md:{line}"


def test_the_complete_example_is_valid_without_warnings() -> None:
    result = load_scenario_text(dump(complete_example()), "example.yaml")

    assert result.ok, [str(p) for p in result.problems]
    assert result.warnings == []


FRAGMENTS = [(body, marker, line) for marker, body, line in yaml_blocks() if marker != "complete"]


@pytest.mark.parametrize(
    ("body", "marker", "line"), FRAGMENTS, ids=[f"line-{f[2]}" for f in FRAGMENTS]
)
def test_each_fragment_is_valid_in_the_complete_example(body: str, marker: str, line: int) -> None:
    base = complete_example()
    languages = marker.removeprefix("fragment").strip()
    if languages:
        base = translated(base, languages.split(","))
    merged = merge(base, load(body))

    result = load_scenario_text(dump(merged), f"README.md:{line}")

    assert result.ok, [str(p) for p in result.errors]


def test_there_are_fragments_for_every_section_the_guide_explains() -> None:
    keys = {key for body, _, _ in FRAGMENTS for key in load(body)}

    assert keys >= {"roles", "ideas", "moves", "events", "rounds", "scoring", "debrief"}
    assert any(marker == "fragment da,en" for _, marker, _ in FRAGMENTS)


def commands() -> list[list[str]]:
    found = []
    for _, lang, body, _ in blocks():
        if lang != "sh":
            continue
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if words and Path(words[0]).name == "policymaker":
                found.append(words[1:])
    return found


def test_the_shell_examples_name_existing_commands_and_options() -> None:
    runner = CliRunner()
    assert commands()
    for words in commands():
        path = [w for w in words if not w.startswith("-")][:2]
        if path[0] != "scenario":
            path = path[:1]
        help_text = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert help_text.exit_code == 0, words
        for option in (w for w in words if w.startswith("--")):
            assert option in help_text.output, (words, option)


def test_the_quoted_errors_are_what_the_validator_says() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    unknown = complete_example()
    unknown["ideas"][3]["id"] = "home-visit"
    unknown["roles"][2]["hand"] = ["home-visits"]
    no_budget = complete_example()
    del no_budget["rounds"][4]["budget"]

    for data in (unknown, no_budget):
        errors = load_scenario_text(dump(data), "elder-care.yaml").errors
        assert len(errors) == 1
        assert f": {errors[0].message}\n" in guide


def test_the_quoted_translation_messages_are_what_the_validator_says() -> None:
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    data = complete_example()
    data["languages"] = ["en", "da"]
    data["roles"][1]["brief"] = {"en": "You know the soil."}

    messages = [p.message for p in load_scenario_text(dump(data), "x.yaml").errors]

    assert "missing language 'da' in roles[1].brief" in messages
    plain = [m for m in messages if m.startswith("roles[0].brief:")]
    assert plain and plain[0].split(", like")[0].replace("[0]", "[1]") in guide
