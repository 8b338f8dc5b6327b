"""Every example in the authoring guide (game_content/README.md) is valid.

Each YAML block in the guide is preceded by a marker saying what it is:

- `<!-- example: complete -->`: a whole scenario; it must validate with no error and no
  warning.
- `<!-- example: fragment -->`: top-level keys added to the complete example (list items
  replace the item with the same id or are appended; mappings merge; other values
  replace); the result must validate with no error.
- `<!-- example: fragment da,en -->`: the same, after every text of the complete example
  has been turned into a map with those languages.
- `<!-- example: excerpt FILE -->`: a part of game_content/examples/FILE (the worked
  example), word for word; that file must validate with no error and no warning.

Shell blocks must name only commands that exist, and the guide's table of common warnings
quotes every warning the validator and the balance report can give.
"""

from __future__ import annotations

import ast
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
EXAMPLES = REPO_ROOT / "game_content" / "examples"
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
        assert marker == "complete" or marker.startswith(("fragment", "excerpt ")), (
            f"README.md:{line}"
        )


def test_the_complete_example_is_valid_without_warnings() -> None:
    result = load_scenario_text(dump(complete_example()), "example.yaml")

    assert result.ok, [str(p) for p in result.problems]
    assert result.warnings == []


FRAGMENTS = [
    (body, marker, line) for marker, body, line in yaml_blocks() if marker.startswith("fragment")
]
EXCERPTS = [
    (body, marker.removeprefix("excerpt ").strip(), line)
    for marker, body, line in yaml_blocks()
    if marker.startswith("excerpt ")
]


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


@pytest.mark.parametrize(("body", "name", "line"), EXCERPTS, ids=[f"line-{e[2]}" for e in EXCERPTS])
def test_each_excerpt_is_word_for_word_in_its_example_file(body: str, name: str, line: int) -> None:
    assert body in (EXAMPLES / name).read_text(encoding="utf-8"), f"README.md:{line}"


def test_the_worked_example_is_valid_without_warnings() -> None:
    names = {name for _, name, _ in EXCERPTS}
    assert names, "the guide's worked example shows its file"
    for name in names:
        result = load_scenario_text((EXAMPLES / name).read_text(encoding="utf-8"), name)
        assert result.ok, [str(p) for p in result.problems]
        assert result.warnings == []


# --- every warning is in the guide's table ---------------------------------------------------

WARNING_SOURCES = [
    *sorted((REPO_ROOT / "app" / "scenarios").glob("*.py")),
    *sorted((REPO_ROOT / "app" / "authoring").glob("*.py")),
]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _assignments(scope: ast.AST, name: str, before: int) -> list[ast.expr]:
    """What `name` is set to in `scope` before line `before`: the nearest assignment, or
    every one when several branches set it (`what, why = ...` in each)."""
    found: list[tuple[int, ast.expr]] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.lineno < before:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for i, t in enumerate(names):
                    if isinstance(t, ast.Name) and t.id == name and node.value is not None:
                        value = node.value
                        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                            value = value.elts[i]
                        found.append((node.lineno, value))
    if not found:
        return []
    in_branches = any(isinstance(n, ast.If) for n in ast.walk(scope)) and len(found) > 1
    tuple_set = any(isinstance(v, ast.Constant) for _, v in found) and in_branches
    return [v for _, v in found] if tuple_set else [max(found, key=lambda f: f[0])[1]]


def _texts_of(expr: ast.AST, scopes: list[ast.AST], line: int, seen: set[str]) -> list[str]:
    """Every string literal a message expression is made of, following names to what they
    were set to (in the function, else in the module)."""
    texts: list[str] = []
    for node in ast.walk(expr):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.Name) and node.id not in seen:
            for scope in scopes:
                values = _assignments(scope, node.id, line if scope is scopes[0] else 10**9)
                if values:
                    for value in values:
                        texts += _texts_of(value, scopes, line, seen | {node.id})
                    break
    return texts


def _enclosing(tree: ast.Module, target: ast.AST) -> list[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(n is target for n in ast.walk(node)):
            return [node, tree]
    return [tree]


def _may_warn(severity: ast.expr, scopes: list[ast.AST], line: int) -> bool:
    """Whether a finding's severity is, or may be, "warning" as written at the call. A
    severity read from a table is not: the table's own ("warning", ...) rows are."""
    if isinstance(severity, ast.Constant):
        return severity.value == "warning"
    if isinstance(severity, ast.Name):
        values = _assignments(scopes[0], severity.id, line)
        return any(
            isinstance(n, ast.Constant) and n.value == "warning"
            for value in values
            if not isinstance(value, ast.Subscript)
            for n in ast.walk(value)
        )
    return False


def warning_templates() -> list[tuple[str, str]]:
    """(where, text) of every warning message in the validator and the balance report: the
    message of each `locator.warning(...)`, each `Finding(...)` that is not a note, and each
    ("warning", topic, message) a table of findings holds."""
    found: list[tuple[str, str]] = []
    for path in WARNING_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            message: ast.AST | None = None
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "warning"
                and len(node.args) >= 2
            ):
                message = node.args[1]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Finding"
                and len(node.args) >= 3
                and _may_warn(node.args[0], _enclosing(tree, node), node.lineno)
            ):
                message = node.args[2]
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) >= 3
                and isinstance(node.elts[0], ast.Constant)
                and node.elts[0].value == "warning"
            ):
                message = node.elts[2]
            if message is None:
                continue
            scopes = _enclosing(tree, node)
            where = f"{path.relative_to(REPO_ROOT)}:{getattr(node, 'lineno', 0)}"
            for text in _texts_of(message, scopes, getattr(node, "lineno", 0), set()):
                found.append((where, text))
    return found


def _phrases(text: str) -> list[str]:
    """The fixed words of a message: the text between its placeholders, three words or more."""
    parts = (p.strip(" '\"()[].,:;") for p in PLACEHOLDER.split(text))
    return [" ".join(p.split()) for p in parts if len(p.split()) >= 3]


def common_warnings_section() -> str:
    guide = GUIDE.read_text(encoding="utf-8")
    start = guide.index("## Common warnings and how to fix each")
    end = guide.index("\n## ", start + 1)
    return " ".join(guide[start:end].split())


def test_the_guide_quotes_every_warning_the_checks_can_give() -> None:
    templates = warning_templates()
    section = common_warnings_section()

    # The validator's warnings and the balance report's are both found, or the reading of
    # the code no longer matches how they are written.
    assert len({w for w, _ in templates if "scenarios" in w}) >= 10
    assert len({w for w, _ in templates if "authoring" in w}) >= 10
    missing = [
        f"{where}: {phrase}"
        for where, text in templates
        for phrase in _phrases(text)
        if phrase not in section
    ]
    assert missing == []
