"""Load a scenario file safely and report every problem at its place in the file.

The file goes through four gates, each reporting `FILE:LINE:COLUMN: message`:
size and encoding; YAML syntax (plain data only: no tags, anchors or aliases); the
pydantic models; the semantic checks in `app.scenarios.checks`.
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    Event,
    MappingEndEvent,
    NodeEvent,
    SequenceEndEvent,
)

from app.scenarios.checks import run_checks
from app.scenarios.models import Scenario
from app.scenarios.problems import (
    DataPath,
    Locator,
    Problem,
    ScenarioError,
    format_path,
    sort_key,
)

__all__ = [
    "MAX_BYTES",
    "LoadResult",
    "Problem",
    "ScenarioError",
    "load_scenario",
    "load_scenario_or_raise",
    "load_scenario_text",
]

MAX_BYTES = 1024 * 1024
# Deeper nesting than any scenario needs; refusing it keeps the recursive YAML composer
# (and our own tree walks) far from Python's recursion limit.
MAX_DEPTH = 40


@dataclass(frozen=True)
class LoadResult:
    scenario: Scenario | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.errors

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.errors + self.warnings, key=sort_key)


def load_scenario(path: str | Path) -> LoadResult:
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return _failed(Problem(name, 1, 1, f"cannot read the file ({exc.strerror or exc})"))
    if len(raw) > MAX_BYTES:
        return _failed(_too_large(name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _failed(_not_utf8(name, raw, exc))
    return load_scenario_text(text, name)


def load_scenario_or_raise(path: str | Path) -> Scenario:
    result = load_scenario(path)
    if result.scenario is None or result.errors:
        raise ScenarioError(result.problems)
    return result.scenario


def load_scenario_text(text: str, filename: str) -> LoadResult:
    """Validate scenario text that is already in memory (e.g. an uploaded file)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return _failed(_too_large(filename))
    text = text.removeprefix("\ufeff")
    tree_or_problem = _parse_yaml(text, filename)
    if isinstance(tree_or_problem, Problem):
        return _failed(tree_or_problem)
    tree = tree_or_problem
    locator = Locator(filename, tree)
    problems = _refuse_non_plain(tree, locator) + _split_flow_texts(tree, locator)
    if problems:
        return LoadResult(None, problems)
    if not isinstance(tree, CommentedMap):
        what = "empty" if tree is None else f"{_kind(tree)}, not a mapping of keys"
        return _failed(Problem(filename, 1, 1, f"the scenario file is {what}"))
    return _validate(tree, locator)


# --- YAML --------------------------------------------------------------------------------


def _parse_yaml(text: str, filename: str) -> Any:
    yaml = YAML(typ="rt")
    try:
        problem = _check_events(yaml.parse(text), filename)
        if problem is not None:
            return problem
        return yaml.load(text)
    except MarkedYAMLError as exc:
        return _yaml_problem(exc, filename, text)
    except YAMLError as exc:
        return Problem(filename, 1, 1, f"YAML error: {exc}")


def _check_events(events: Iterator[Event], filename: str) -> Problem | None:
    """Refuse anchors, aliases, tags and deep nesting before anything is built."""
    depth = 0
    for event in events:
        mark = event.start_mark
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            return Problem(
                filename,
                mark.line + 1,
                mark.column + 1,
                "anchors and aliases (&name, *name) are not allowed; write the content out",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tags like '{shown}' are not allowed"
            return Problem(filename, mark.line + 1, mark.column + 1, message)
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(
                    filename, mark.line + 1, mark.column + 1, "the file is nested too deeply"
                )
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            depth -= 1
    return None


_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)"')
_SYNTAX_HINTS = {
    "mapping values are not allowed here": (
        "a ':' followed by a space is not allowed here; put text that contains ': ' in quotes"
    ),
    "found character '\\t' that cannot start any token": "use spaces, not tabs, to indent",
}


# What the parser says about `{da: Sparekrav: 6 mio., en: ...}`: after `Sparekrav` the
# colon makes a second key inside the same entry, where only ',' or '}' may follow.
_FLOW_COLON = ("expected ',' or '}', but got ':'", "while parsing a flow mapping")


def _yaml_problem(exc: MarkedYAMLError, filename: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = str(exc.problem or exc.context or "invalid YAML")
    duplicate = _DUPLICATE_KEY.search(problem)
    if duplicate:
        return Problem(filename, line, column, f"duplicate key '{duplicate.group(1)}'")
    if (exc.problem, exc.context) == _FLOW_COLON and mark is exc.problem_mark:
        return Problem(filename, line, column, _flow_colon_message(text, line, column))
    message = f"YAML syntax error: {_SYNTAX_HINTS.get(problem, problem)}"
    if exc.context and exc.context_mark is not None and exc.problem:
        message += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
    return Problem(filename, line, column, message)


def _flow_colon_message(text: str, line: int, column: int) -> str:
    """Say in words what the unquoted colon did, naming the text it cut off when the line
    shows it: the words after the entry's own `key: ` up to the colon."""
    lines = text.splitlines()
    before = lines[line - 1][: column - 1] if line <= len(lines) else ""
    entry = re.split(r"[{,]", before)[-1]
    cut = entry.split(": ", 1)[1].strip() if ": " in entry else ""
    after = f" after '{cut}'" if cut else ""
    return (
        f"the colon{after} starts a new key inside {{...}}, so the text ends there; "
        'put text that contains a colon in "quotes"'
    )


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _refuse_non_plain(tree: Any, locator: Locator) -> list[Problem]:
    """Only mappings, lists, text, numbers, booleans and nulls may reach the models."""
    problems: list[Problem] = []
    for path, value in _walk(tree, ()):
        if isinstance(value, CommentedMap):
            problems += [
                locator.error((*path, key), _bad_key_message(key), at="key")
                for key in value
                if not isinstance(key, str | int) or isinstance(key, bool)
            ]
        elif isinstance(value, datetime.date):
            message = f"{format_path(path)}: a date is not allowed here; put it in quotes"
            problems.append(locator.error(path, message))
        elif not isinstance(value, (CommentedSeq, *_PLAIN_SCALARS)):
            message = f"{format_path(path)}: {_kind(value)} is not allowed in a scenario"
            problems.append(locator.error(path, message))
    return problems


def _split_flow_texts(tree: Any, locator: Locator) -> list[Problem]:
    """Catch `{da: Elev, formand for elevrådet, en: ...}`: an unquoted comma in a `{...}`
    mapping ends the text, and the rest becomes a key without a value. No key of the
    contract holds a space, so such a key is always this mistake."""
    problems: list[Problem] = []
    for path, value in _walk(tree, ()):
        if not isinstance(value, CommentedMap) or not value.fa.flow_style():
            continue
        for key, item in value.items():
            if item is None and isinstance(key, str) and " " in key.strip():
                message = (
                    f"{format_path(path)}: the comma before '{key}' ends the text; "
                    'put text that contains commas in "quotes"'
                )
                problems.append(locator.error((*path, key), message, at="key"))
    return problems


def _bad_key_message(key: Any) -> str:
    return f"a key must be text, not {_kind(key)}"


def _walk(node: Any, path: DataPath) -> Iterator[tuple[DataPath, Any]]:
    yield path, node
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(key, str | int):
                yield from _walk(value, (*path, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _to_plain(node: Any) -> Any:
    """Plain Python data: ruamel's scalar subclasses carry formatting pydantic must not see."""
    if isinstance(node, CommentedMap):
        return {_to_plain(key): _to_plain(value) for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        return [_to_plain(value) for value in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


# --- Validation ---------------------------------------------------------------------------


def _validate(tree: CommentedMap, locator: Locator) -> LoadResult:
    try:
        scenario = Scenario.model_validate(_to_plain(tree))
    except ValidationError as exc:
        return LoadResult(None, _validation_problems(exc, tree, locator))
    problems = run_checks(scenario, locator)
    errors = sorted((p for p in problems if p.severity == "error"), key=sort_key)
    warnings = sorted((p for p in problems if p.severity == "warning"), key=sort_key)
    return LoadResult(None if errors else scenario, errors, warnings)


def _validation_problems(
    exc: ValidationError, tree: CommentedMap, locator: Locator
) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        problem = _error_problem(error, tree, locator)
        if problem is not None and problem not in problems:
            problems.append(problem)
    return sorted(problems, key=sort_key)


def _error_problem(error: ErrorDetails, tree: CommentedMap, locator: Locator) -> Problem | None:
    loc = tuple(error["loc"])
    branch = _text_branch(loc)
    if branch == "str" and isinstance(error["input"], dict):
        return None  # a map was meant; the map branch reports what is wrong with it
    if branch == "dict" and error["type"] == "dict_type":
        return None  # reported once, by the plain-string branch
    path, on_key = _resolve(tree, loc)
    where = format_path(path)
    kind = error["type"]
    if kind == "missing":
        return locator.error(path, f"missing key '{loc[-1]}' in {where}", at="node")
    if kind == "extra_forbidden":
        return locator.error(path, _unknown_key_message(loc, path), at="key")
    if on_key:
        key = path[-1]
        message = f"{format_path(path[:-1])}: the key {_show(key)} {_describe(error, False)}"
        return locator.error(path, message, at="key")
    if branch == "str":
        return locator.error(
            path,
            f"{where}: must be text, or a map from language code to text "
            f"(got {_show(error['input'])})",
        )
    if kind in ("value_error", "assertion_error") and _is_mapping_at(tree, path):
        # A model-level rule (e.g. a dilemma round needs an event): point at the mapping.
        return locator.error(path, f"{where}: {_describe(error, True)}", at="node")
    return locator.error(path, f"{where}: {_describe(error, True)}")


def _text_branch(loc: tuple[Any, ...]) -> str | None:
    """Which branch of the `Text` union (plain string or language map) an error is from."""
    for part in loc:
        if part == "str":
            return "str"
        if isinstance(part, str) and part.startswith("dict["):
            return "dict"
    return None


def _resolve(tree: Any, loc: tuple[Any, ...]) -> tuple[DataPath, bool]:
    """The data path a pydantic `loc` names, and whether it names a key.

    A loc also holds union tags (`'trust'`, `'str'`, `'dict[...]'`) that are not in the
    data. A tag can equal a real key (`when.score.score`), so try every way of skipping
    segments and keep the one that follows the data furthest, preferring later segments.
    """
    if "[key]" in loc:
        path, _ = _resolve(tree, loc[: loc.index("[key]")])
        return path, True
    best = max(_descents(tree, loc), key=lambda item: (sum(item[0]), item[0][::-1]))
    return best[1], False


def _descents(node: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[int, ...], DataPath]]:
    if not loc:
        yield (), ()
        return
    part, rest = loc[0], loc[1:]
    for used, path in _descents(node, rest):
        yield (0, *used), path
    child = _descend(node, part)
    if child is not _ABSENT:
        for used, path in _descents(child, rest):
            yield (1, *used), (part, *path)


_ABSENT = object()


def _descend(node: Any, part: Any) -> Any:
    if isinstance(node, CommentedMap) and isinstance(part, str) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _is_mapping_at(tree: Any, path: DataPath) -> bool:
    node = tree
    for part in path:
        node = _descend(node, part)
    return isinstance(node, CommentedMap)


def _unknown_key_message(loc: tuple[Any, ...], path: DataPath) -> str:
    key = str(loc[-1])
    where = format_path(path[:-1])
    model = _model_at(loc[:-1])
    if model is None:
        return f"unknown key '{key}' in {where}"
    allowed = [info.alias or name for name, info in model.model_fields.items()]
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{key}' in {where} ({hint}allowed: {', '.join(allowed)})"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class a pydantic loc ends in, following field types and union tags."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for member in _union_members(annotation):
        inner = _unwrap(member)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    members = _union_members(annotation)
    if members:
        return _step_union(members, part)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    return None


def _step_union(members: tuple[Any, ...], part: Any) -> Any:
    for member in members:
        if typing.get_origin(member) is typing.Annotated:
            tags = [getattr(meta, "tag", None) for meta in member.__metadata__]
            if part in tags:
                return typing.get_args(member)[0]
    for member in members:
        found = _step(member, part)
        if found is not None:
            return found
    return None


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _union_members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return ()


# --- Messages ---------------------------------------------------------------------------

_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
_LANG_PATTERN = "^[a-z]{2,3}$"

_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys and values",
    "model_type": "a mapping of keys and values",
    "model_attributes_type": "a mapping of keys and values",
}


def _describe(error: ErrorDetails, with_input: bool) -> str:
    """Pydantic's message in words a trainer reads: 'must be at least 10 (got 5)'."""
    kind, ctx = error["type"], error.get("ctx", {})
    got = f" (got {_show(error['input'])})" if with_input else ""
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}{got}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{_bound_words(kind, ctx)}{got}"
    if kind in ("too_short", "too_long"):
        return _length_words(kind, ctx)
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} characters long"
    if kind == "string_pattern_mismatch":
        return f"{_pattern_words(str(ctx.get('pattern')))}{got}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        words = "must be one of" if " or " in expected else "must be"
        return f"{words} {expected}{got}"
    message = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _bound_words(kind: str, ctx: dict[str, Any]) -> str:
    return {
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than": f"must be less than {ctx.get('lt')}",
    }[kind]


def _length_words(kind: str, ctx: dict[str, Any]) -> str:
    limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
    items = "item" if limit == 1 else "items"
    bound = "at least" if kind == "too_short" else "at most"
    return f"must have {bound} {limit} {items} (has {ctx.get('actual_length')})"


def _pattern_words(pattern: str) -> str:
    if pattern == _SLUG_PATTERN:
        return "must be an id of lowercase letters, digits and dashes, like 'outdoor-school'"
    if pattern == _LANG_PATTERN:
        return "must be a language code of two or three lowercase letters, like 'da' or 'en'"
    return f"must match the pattern {pattern}"


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return str(value)
    return _kind(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | int | float):
        return "a number" if not isinstance(value, bool) else "true/false"
    return f"a {type(value).__name__} value"


def _too_large(filename: str) -> Problem:
    return Problem(
        filename,
        1,
        1,
        f"the file is larger than {MAX_BYTES // 1024 // 1024} MiB; is it a scenario?",
    )


def _not_utf8(filename: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return Problem(filename, line, column, "the file is not UTF-8 text; save it as UTF-8")


def _failed(problem: Problem) -> LoadResult:
    return LoadResult(None, [problem])
