"""Load a scenario file safely and report every problem at its place in the file.

The file goes through four gates, each reporting `FILE:LINE:COLUMN: message`:
size and encoding; YAML syntax (plain data only: no tags, anchors or aliases); the
pydantic models; the semantic checks in `app.scenarios.checks`.

One run reports every independent problem: after a YAML syntax error the offending value
is set aside and the rest parsed again (`_parse_recovering`); the semantic checks read the
parts that passed the models, invalid items set aside (`_Repair`). A problem caused by
one already reported (a value set aside, a reference to an item set aside) is not
reported again. Messages are in the language the caller picks (Danish or English).
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, AnyStr

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
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

from app.i18n import FALLBACK_LANGUAGE, Msg, msg, verbatim
from app.scenarios.checks import run_checks
from app.scenarios.models import CONDITION_KEYS, Scenario
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
# Bounds on the recovery, so a file of nothing but errors still answers at once.
MAX_SYNTAX_ERRORS = 50
MAX_REPAIRS = 300


@dataclass(frozen=True)
class LoadResult:
    scenario: Scenario | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def in_language(self, lang: str) -> LoadResult:
        """The same result with every message in `lang`."""
        return LoadResult(
            self.scenario,
            [p.in_language(lang) for p in self.errors],
            [p.in_language(lang) for p in self.warnings],
        )

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.errors

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.errors + self.warnings, key=sort_key)


def load_scenario(path: str | Path, lang: str = FALLBACK_LANGUAGE) -> LoadResult:
    """Load and check a scenario file; every message in `lang` (da or en)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        why = exc.strerror or str(exc)
        return _failed(Problem(name, 1, 1, msg("cannot read the file ({why})", why=why)), lang)
    if len(raw) > MAX_BYTES:
        return _failed(_too_large(name), lang)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _failed(_not_utf8(name, raw, exc), lang)
    return load_scenario_text(text, name, lang)


def load_scenario_or_raise(path: str | Path, lang: str = FALLBACK_LANGUAGE) -> Scenario:
    result = load_scenario(path, lang)
    if result.scenario is None or result.errors:
        raise ScenarioError(result.problems)
    return result.scenario


def load_scenario_text(text: str, filename: str, lang: str = FALLBACK_LANGUAGE) -> LoadResult:
    """Validate scenario text that is already in memory (e.g. an uploaded file)."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        # A lone surrogate (JSON's "\ud800"): no file can hold it, no database store it.
        return _failed(_not_unicode(filename, text, exc), lang)
    if size > MAX_BYTES:
        return _failed(_too_large(filename), lang)
    # YAML ends a line at \r as well as \n: one kind of line break from here on, so the
    # lines the recovery and the messages count are the lines the parser counted.
    text = _LINE_BREAK.sub("\n", text.removeprefix("\ufeff"))
    return _load(text, filename).in_language(lang)


def _load(text: str, filename: str) -> LoadResult:
    parsed = _parse_recovering(text, filename)
    if parsed.tree is _UNPARSED:
        return LoadResult(None, parsed.problems)
    tree = parsed.tree
    locator = Locator(filename, tree)
    plain = _refuse_non_plain(tree, locator) + _split_flow_texts(tree, locator)
    if not isinstance(tree, CommentedMap):
        if parsed.problems or plain:
            return LoadResult(None, parsed.problems + plain)
        what = (
            msg("empty") if tree is None else msg("{kind}, not a mapping of keys", kind=_kind(tree))
        )
        return _failed(Problem(filename, 1, 1, msg("the scenario file is {what}", what=what)))
    set_aside = parsed.set_aside + [p.path for p in plain if p.path is not None]
    return _validate(tree, locator, parsed.problems + plain, set_aside, parsed.words)


# --- YAML --------------------------------------------------------------------------------

_UNPARSED = object()
_LINE_BREAK = re.compile(r"\r\n?")


@dataclass
class _Parsed:
    tree: Any
    problems: list[Problem]
    set_aside: list[DataPath]  # the values the recovery emptied: their errors are known
    # The words of the emptied values that could be ids (`- id: budget: money` held the
    # id 'budget'): references to them are not called unknown.
    words: frozenset[str] = frozenset()


def _parse_recovering(text: str, filename: str) -> _Parsed:
    """Parse, and after each syntax error empty the value it is in and parse again, so one
    run finds every syntax error and the rest of the file is still checked.

    The emptied value (`key:` with nothing after it, or a list item `-`) keeps the key, so
    no "missing key" follows; its own errors are known, so the caller skips them. When a
    line cannot be emptied that way (it is no `key:` or `-` line), the recovery stops and
    only the syntax errors found so far are reported.
    """
    lines = text.split("\n")
    problems: list[Problem] = []
    emptied: set[int] = set()
    renamed: list[str] = []
    words: set[str] = set()
    for _ in range(MAX_SYNTAX_ERRORS):
        result = _parse_yaml("\n".join(lines), filename)
        if not isinstance(result, _SyntaxError):
            paths = _emptied_paths(result, emptied, renamed)
            return _Parsed(result, problems, paths, frozenset(words))
        if result.line in emptied:
            break  # emptying did not help (e.g. a tab before the key): stop here
        problems.append(result.problem)
        if result.line is None:
            break
        words.update(_ID_WORD.findall(lines[result.line].partition(":")[2]))
        if result.duplicate is not None:
            # A duplicate key keeps its value under a name no scenario uses: its own
            # "unknown key" is then known, and the value's lines parse as they are.
            name = f"{result.duplicate}~{len(renamed) + 1}"
            fixed = _rename_key(lines, result.line, result.column, result.duplicate, name)
            if not fixed:
                break
            renamed.append(name)
        elif not _empty_value(lines, result.line):
            break
        emptied.add(result.line)
    return _Parsed(_UNPARSED, problems, [])


@dataclass(frozen=True)
class _SyntaxError:
    problem: Problem
    line: int | None = None  # 0-based: the line whose value to set aside
    column: int = 0
    duplicate: str | None = None


_ID_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
_KEY_LINE = re.compile(r"^(\s*(?:-\s+)*)((?:\"[^\"]*\"|'[^']*'|[^\s#'\"{\[,:][^#:]*?))\s*:(?:\s|$)")
_ITEM_LINE = re.compile(r"^(\s*-)(?:\s|$)")


def _empty_value(lines: list[str], index: int) -> bool:
    """Make line `index` hold its key (or list dash) and nothing after it; a `{...}` or
    `[...]` value that runs on over the next lines is blanked to its end."""
    line = lines[index]
    match = _KEY_LINE.match(line) or _ITEM_LINE.match(line)
    if match is None:
        return False
    kept = match.group(0).rstrip()
    if not kept.endswith(":") and not kept.endswith("-"):
        kept = kept.rstrip(":") + ":"
    rest = line[match.end() :]
    lines[index] = kept
    depth = _flow_depth(rest)
    after = index + 1
    while depth > 0 and after < len(lines):
        depth += _flow_depth(lines[after])
        lines[after] = ""
        after += 1
    return True


def _flow_depth(text: str) -> int:
    """How many `{`/`[` the text leaves open, quotes and comments aside."""
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return depth


def _rename_key(lines: list[str], index: int, column: int, key: str, name: str) -> bool:
    line = lines[index]
    if line[column : column + len(key)] != key:
        return False
    lines[index] = line[:column] + name + line[column + len(key) :]
    return True


def _emptied_paths(tree: Any, emptied: set[int], renamed: list[str]) -> list[DataPath]:
    """The data paths of the values the recovery emptied or renamed."""
    found: list[DataPath] = []
    for path, node in _walk(tree, ()):
        if isinstance(node, CommentedMap):
            for key in node:
                if key in renamed or (node.lc.key(key)[0] in emptied and node[key] is None):
                    found.append((*path, key))
        elif isinstance(node, CommentedSeq):
            found += [
                (*path, i)
                for i, item in enumerate(node)
                if item is None and node.lc.item(i)[0] in emptied
            ]
    return found


def _parse_yaml(text: str, filename: str) -> Any:
    """The tree, or the first syntax error and which line's value to set aside for it."""
    yaml = YAML(typ="rt")
    try:
        problem = _check_events(yaml.parse(text), filename)
        if problem is not None:
            return problem
        return yaml.load(text)
    except MarkedYAMLError as exc:
        return _yaml_problem(exc, filename, text)
    except YAMLError as exc:
        return _SyntaxError(Problem(filename, 1, 1, msg("YAML error: {error}", error=str(exc))))


def _check_events(events: Iterator[Event], filename: str) -> _SyntaxError | None:
    """Refuse anchors, aliases, tags and deep nesting before anything is built."""
    depth = 0
    for event in events:
        mark = event.start_mark
        where = (filename, mark.line + 1, mark.column + 1)
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            text = msg("anchors and aliases (&name, *name) are not allowed; write the content out")
            return _SyntaxError(Problem(*where, text), mark.line)
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            text = msg("YAML tags like '{tag}' are not allowed", tag=shown)
            return _SyntaxError(Problem(*where, text), mark.line)
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _SyntaxError(Problem(*where, msg("the file is nested too deeply")))
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            depth -= 1
    return None


_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)"')
_SYNTAX_HINTS = {
    "mapping values are not allowed here": msg(
        "a ':' followed by a space is not allowed here; put text that contains ': ' in quotes"
    ),
    "found character '\\t' that cannot start any token": msg("use spaces, not tabs, to indent"),
}


# What the parser says about `{da: Sparekrav: 6 mio., en: ...}`: after `Sparekrav` the
# colon makes a second key inside the same entry, where only ',' or '}' may follow.
_FLOW_COLON = ("expected ',' or '}', but got ':'", "while parsing a flow mapping")


def _yaml_problem(exc: MarkedYAMLError, filename: str, text: str) -> _SyntaxError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    # The value to set aside starts where the broken collection does, if the parser says.
    context = exc.context_mark if exc.context and "flow" in str(exc.context) else None
    start = context or mark
    at = start.line if start is not None else None
    problem = str(exc.problem or exc.context or "invalid YAML")
    duplicate = _DUPLICATE_KEY.search(problem)
    if duplicate:
        key = duplicate.group(1)
        found = Problem(filename, line, column, msg("duplicate key '{key}'", key=key))
        return _SyntaxError(found, line - 1, column - 1, key)
    if (exc.problem, exc.context) == _FLOW_COLON and mark is exc.problem_mark:
        return _SyntaxError(
            Problem(filename, line, column, _flow_colon_message(text, line, column)), at
        )
    hint: Msg | str = _SYNTAX_HINTS.get(problem, problem)
    message = msg("YAML syntax error: {hint}", hint=hint)
    if exc.context and exc.context_mark is not None and exc.problem:
        message = msg(
            "YAML syntax error: {hint} ({context} that starts on line {line})",
            hint=hint,
            context=str(exc.context),
            line=exc.context_mark.line + 1,
        )
    return _SyntaxError(Problem(filename, line, column, message), at)


def _flow_colon_message(text: str, line: int, column: int) -> Msg:
    """Say in words what the unquoted colon did, naming the text it cut off when the line
    shows it: the words after the entry's own `key: ` up to the colon."""
    lines = text.split("\n")
    before = lines[line - 1][: column - 1] if line <= len(lines) else ""
    entry = re.split(r"[{,]", before)[-1]
    cut = entry.split(": ", 1)[1].strip() if ": " in entry else ""
    if cut:
        return msg(
            "the colon after '{text}' starts a new key inside {{...}}, so the text ends "
            'there; put text that contains a colon in "quotes"',
            text=cut,
        )
    return msg(
        "the colon starts a new key inside {{...}}, so the text ends there; "
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
            message = msg(
                "{where}: a date is not allowed here; put it in quotes", where=format_path(path)
            )
            problems.append(locator.error(path, message))
        elif not isinstance(value, (CommentedSeq, *_PLAIN_SCALARS)):
            message = msg(
                "{where}: {kind} is not allowed in a scenario",
                where=format_path(path),
                kind=_kind(value),
            )
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
                message = msg(
                    "{where}: the comma before '{text}' ends the text; "
                    'put text that contains commas in "quotes"',
                    where=format_path(path),
                    text=key,
                )
                problems.append(locator.error((*path, key), message, at="key"))
    return problems


def _bad_key_message(key: Any) -> Msg:
    return msg("a key must be text, not {kind}", kind=_kind(key))


def _walk(node: Any, path: DataPath) -> Iterator[tuple[DataPath, Any]]:
    yield path, node
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(key, str | int) and not isinstance(key, bool):
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


def _validate(
    tree: CommentedMap,
    locator: Locator,
    found: list[Problem],
    set_aside: list[DataPath],
    words: frozenset[str] = frozenset(),
) -> LoadResult:
    """The models' errors, then the semantic checks on what passed them (see `_Repair`).

    `found` are the problems already reported (YAML, plain data); `set_aside` the paths
    whose values they concern, whose further errors are theirs and not reported again."""
    plain = _to_plain(tree)
    locator = Locator(locator.file, tree, withheld=words)
    try:
        scenario = Scenario.model_validate(plain)
        schema: list[Problem] = []
    except ValidationError as exc:
        schema = [
            p for p in _validation_problems(exc, tree, locator) if not _covered(p.path, set_aside)
        ]
        repair = _Repair(plain, words)
        repaired = repair.run()
        if repaired is None:
            return LoadResult(None, sorted(found + schema, key=sort_key))
        scenario = repaired
        set_aside = set_aside + repair.changed
        locator = Locator(locator.file, tree, repair.original, frozenset(repair.withheld))
    checked = [p for p in run_checks(scenario, locator) if not _covered(p.path, set_aside)]
    if found or schema:
        # Warnings about what nothing uses can be artefacts of what was set aside; they
        # come back once the errors are fixed.
        checked = [p for p in checked if p.severity == "error"]
    problems = found + schema + checked
    errors = sorted((p for p in problems if p.severity == "error"), key=sort_key)
    warnings = sorted((p for p in problems if p.severity == "warning"), key=sort_key)
    return LoadResult(None if errors else scenario, errors, warnings)


def _covered(path: DataPath | None, set_aside: list[DataPath]) -> bool:
    """Whether a problem at `path` follows from a value set aside: it is at or inside
    that value, or it is about the mapping or list holding it (a text missing the
    language set aside, a list missing the item)."""
    if path is None:
        return False
    return any(path[: len(aside)] == aside or path == aside[:-1] for aside in set_aside)


def _validation_problems(
    exc: ValidationError, tree: CommentedMap, locator: Locator
) -> list[Problem]:
    errors = exc.errors(include_url=False)
    problems: list[Problem] = []
    misspelt = _misspelt_keys(errors, tree)
    for error in errors:
        if error["type"] == "missing" and (tuple(error["loc"][:-1]), error["loc"][-1]) in misspelt:
            continue  # the unknown key next to it is this key misspelt: one error, there
        problem = _error_problem(error, tree, locator)
        if problem is not None and problem not in problems:
            problems.append(problem)
    return sorted(problems, key=sort_key)


def _misspelt_keys(errors: list[ErrorDetails], tree: Any) -> set[tuple[tuple[Any, ...], str]]:
    """(model loc, missing key) for each missing key an unknown key beside it resembles."""
    missing: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        if error["type"] == "missing":
            missing.setdefault(tuple(error["loc"][:-1]), []).append(str(error["loc"][-1]))
    found: set[tuple[tuple[Any, ...], str]] = set()
    for error in errors:
        if error["type"] != "extra_forbidden":
            continue
        where = tuple(error["loc"][:-1])
        close = difflib.get_close_matches(str(error["loc"][-1]), missing.get(where, []), n=1)
        if close:
            found.add((where, close[0]))
    return found


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
        text = msg("missing key '{key}' in {where}", key=str(loc[-1]), where=where)
        return _at(locator.error(path, text, at="node"), (*path, str(loc[-1])))
    if kind == "extra_forbidden":
        return locator.error(path, _unknown_key_message(loc, path), at="key")
    if on_key:
        key = path[-1]
        message = msg(
            "{where}: the key {key} {problem}",
            where=format_path(path[:-1]),
            key=_show(key),
            problem=_describe(error, False),
        )
        return locator.error(path, message, at="key")
    if branch == "str":
        return locator.error(
            path,
            msg(
                "{where}: must be text, or a map from language code to text (got {got})",
                where=where,
                got=_show(error["input"]),
            ),
        )
    described = msg("{where}: {problem}", where=where, problem=_describe(error, True))
    if kind in ("value_error", "assertion_error") and _is_mapping_at(tree, path):
        # A model-level rule (e.g. a dilemma round needs an event): point at the mapping.
        return locator.error(path, described, at="node")
    return locator.error(path, described)


def _at(problem: Problem, path: DataPath) -> Problem:
    return replace(problem, path=path)


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
    # Plain data too: the repair walks the same paths in what pydantic reads.
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _is_mapping_at(tree: Any, path: DataPath) -> bool:
    node = tree
    for part in path:
        node = _descend(node, part)
    return isinstance(node, dict)


def _unknown_key_message(loc: tuple[Any, ...], path: DataPath) -> Msg:
    key = str(loc[-1])
    where = format_path(path[:-1])
    model = _model_at(loc[:-1])
    if model is None:
        return msg("unknown key '{key}' in {where}", key=key, where=where)
    allowed = ", ".join(info.alias or name for name, info in model.model_fields.items())
    close = difflib.get_close_matches(key, [k.strip() for k in allowed.split(",")], n=1)
    if close:
        return msg(
            "unknown key '{key}' in {where} (did you mean '{close}'? allowed: {allowed})",
            key=key,
            where=where,
            close=close[0],
            allowed=allowed,
        )
    return msg(
        "unknown key '{key}' in {where} (allowed: {allowed})", key=key, where=where, allowed=allowed
    )


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


# --- Checking what passed -----------------------------------------------------------------


class _Repair:
    """The plain data made valid by setting aside what the models refuse, so that the
    semantic checks can read everything else.

    Each error the models report is set aside at the smallest place that keeps the rest:
    an entry of a mapping (an agenda's weight, a text's language) is dropped; a field
    that has a default loses its value; a field with an obvious stand-in (an empty text,
    a number's lowest allowed value, the first of a list of words) gets it; otherwise the
    list item holding it (a role, an idea) is set aside, and its id is remembered
    (`withheld`) so references to it are not called unknown. `changed` holds the file's
    paths of what was set aside or stood in for; `original` turns a path into the
    repaired data into the file's (list items set aside shift the indexes)."""

    def __init__(self, data: dict[str, Any], withheld: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.changed: list[DataPath] = []
        self.withheld: set[str] = set(withheld)
        self._kept: dict[DataPath, list[int]] = {}

    def run(self) -> Scenario | None:
        for _ in range(MAX_REPAIRS):
            try:
                return Scenario.model_validate(self.data)
            except ValidationError as exc:
                error = exc.errors(include_url=False)[0]
            path, _ = _resolve(self.data, tuple(error["loc"]))
            if error["type"] == "missing" and isinstance(error["loc"][-1], str):
                path = (*path, error["loc"][-1])
            if not self._set_aside(path):
                return None
        return None

    def original(self, path: DataPath) -> DataPath:
        out: list[str | int] = []
        for part in path:
            kept = self._kept.get(tuple(out))
            if isinstance(part, int) and kept is not None and 0 <= part < len(kept):
                part = kept[part]
            out.append(part)
        return tuple(out)

    def _set_aside(self, path: DataPath) -> bool:
        while path:
            parent = self._node(path[:-1])
            kind, info = _container(_annotation_at(path[:-1]), path[-1])
            key = path[-1]
            if kind == "dict" and isinstance(parent, dict) and key in parent:
                self.changed.append(self.original(path))
                del parent[key]
                return True
            if kind == "list" and isinstance(parent, list) and isinstance(key, int):
                self._remove_item(path[:-1], parent, key)
                return True
            if kind == "unknown" and isinstance(parent, dict) and key in parent:
                self.changed.append(self.original(path))
                del parent[key]  # a key no model has
                return True
            if kind == "model" and info is not None and isinstance(parent, dict):
                if not info.is_required():
                    if key not in parent:
                        return False  # a default that fails: nothing left to set aside
                    self.changed.append(self.original(path))
                    del parent[key]
                    return True
                stand_in = _stand_in(info.annotation, info.metadata)
                if stand_in is not _ABSENT and parent.get(key, _ABSENT) != stand_in:
                    self.changed.append(self.original(path))
                    parent[key] = stand_in
                    return True
            path = path[:-1]
        return False

    def _remove_item(self, at: DataPath, items: list[Any], index: int) -> None:
        original = self.original(at)
        kept = self._kept.setdefault(original, list(range(len(items))))
        self.changed.append((*original, kept[index]))
        item = items[index]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            self.withheld.add(item["id"])
        del kept[index]
        del items[index]

    def _node(self, path: DataPath) -> Any:
        node: Any = self.data
        for part in path:
            node = _descend(node, part)
        return node


def _annotation_at(path: DataPath) -> Any:
    annotation: Any = Scenario
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return annotation


def _container(annotation: Any, part: str | int) -> tuple[str, FieldInfo | None]:
    """What holds `part` under `annotation`: a model's field, a list or a mapping."""
    annotation = _unwrap(annotation)
    for member in _union_members(annotation) or (annotation,):
        member = _unwrap(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    return "model", info
        origin = typing.get_origin(member)
        if origin is list and isinstance(part, int):
            return "list", None
        if origin is dict and isinstance(part, str):
            return "dict", None
    return "unknown", None


def _stand_in(annotation: Any, metadata: list[Any]) -> Any:
    """A value of the type that passes its bounds, or _ABSENT when none is obvious (an
    id's pattern, a list that must not be empty, a whole model)."""
    bounds: dict[str, Any] = {}
    for item in [*metadata, *_annotated_metadata(annotation)]:
        for inner in [item, *getattr(item, "metadata", [])]:
            for name in ("ge", "gt", "le", "lt", "min_length", "pattern"):
                value = getattr(inner, name, None)
                if value is not None:
                    bounds[name] = value
    annotation = _unwrap(annotation)
    members = _union_members(annotation)
    if members:
        if type(None) in members:
            return None
        return "" if str in members else _ABSENT
    if annotation is bool:
        return False
    if annotation in (int, float):
        if "ge" in bounds:
            return bounds["ge"]
        if "gt" in bounds:
            return bounds["gt"] + 1
        return bounds.get("le", bounds.get("lt", 1) - 1)
    if annotation is str:
        return _ABSENT if "pattern" in bounds or "min_length" in bounds else ""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)[0]
    return _ABSENT


def _annotated_metadata(annotation: Any) -> list[Any]:
    found: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        found += list(annotation.__metadata__)
        annotation = typing.get_args(annotation)[0]
    return found


# --- Messages ---------------------------------------------------------------------------

_SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
_LANG_PATTERN = "^[a-z]{2,3}$"

_TYPE_WORDS = {
    "int_type": msg("a whole number"),
    "int_parsing": msg("a whole number"),
    "int_from_float": msg("a whole number"),
    "float_type": msg("a number"),
    "float_parsing": msg("a number"),
    "bool_type": msg("true or false"),
    "bool_parsing": msg("true or false"),
    "string_type": msg("text"),
    "list_type": msg("a list"),
    "dict_type": msg("a mapping of keys and values"),
    "model_type": msg("a mapping of keys and values"),
    "model_attributes_type": msg("a mapping of keys and values"),
}


def _describe(error: ErrorDetails, with_input: bool) -> Msg:
    """Pydantic's message in words a trainer reads: 'must be at least 10 (got 5)', by the
    error's type, so it reads in Danish too."""
    kind, ctx = error["type"], error.get("ctx", {})
    described = _described(kind, ctx, error["msg"])
    if with_input and _shows_input(kind):
        return msg("{problem} (got {got})", problem=described, got=_show(error["input"]))
    return described


def _shows_input(kind: str) -> bool:
    return kind in _TYPE_WORDS or kind in (
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
        "string_pattern_mismatch",
        "literal_error",
    )


def _described(kind: str, ctx: dict[str, Any], text: str) -> Msg:
    if kind in _TYPE_WORDS:
        return msg("must be {what}", what=_TYPE_WORDS[kind])
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _bound_words(kind, ctx)
    if kind in ("too_short", "too_long"):
        return _length_words(kind, ctx)
    if kind == "string_too_long":
        return msg("must be at most {n} characters long", n=ctx.get("max_length"))
    if kind == "string_too_short":
        return msg("must be at least {n} characters long", n=ctx.get("min_length"))
    if kind == "string_pattern_mismatch":
        return _pattern_words(str(ctx.get("pattern")))
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        if " or " in expected:
            return msg("must be one of {choices}", choices=_or_list(expected))
        return msg("must be {choice}", choice=expected)
    if kind == "unknown_condition":
        return msg("a condition must start with one of: {keys}", keys=", ".join(CONDITION_KEYS))
    return _rule_words(text.removeprefix("Value error, ").removeprefix("Assertion failed, "))


def _or_list(expected: str) -> Msg:
    """Pydantic's `'a', 'b' or 'c'` with the last joint in the reader's language."""
    first, _, last = expected.rpartition(" or ")
    return msg("{first} or {last}", first=first, last=last)


# The models' own rules (app/scenarios/models.py), as the messages they raise: each has
# its words here, so they read in Danish too. Any other is shown as the model says it.
_RULE_MESSAGES = {
    "a score condition needs exactly one of 'below' or 'at_least'": msg(
        "a score condition needs exactly one of 'below' or 'at_least'"
    ),
    "a trust condition needs exactly one of 'below' or 'at_least'": msg(
        "a trust condition needs exactly one of 'below' or 'at_least'"
    ),
    "a dilemma round needs an 'event'": msg("a dilemma round needs an 'event'"),
    "only a dilemma round takes an 'event'": msg("only a dilemma round takes an 'event'"),
    "a decide round needs a 'budget'": msg("a decide round needs a 'budget'"),
    "the ownership weights must not all be zero": msg("the ownership weights must not all be zero"),
}
_MIN_OVER_MAX = re.compile(r"min \((?P<min>-?\d+)\) is larger than max \((?P<max>-?\d+)\)$")


def _rule_words(text: str) -> Msg:
    match = _MIN_OVER_MAX.match(text)
    if match is not None:
        return msg("min ({min}) is larger than max ({max})", min=match["min"], max=match["max"])
    return _RULE_MESSAGES.get(text) or verbatim(text)


def _bound_words(kind: str, ctx: dict[str, Any]) -> Msg:
    if kind == "greater_than_equal":
        return msg("must be at least {n}", n=ctx.get("ge"))
    if kind == "less_than_equal":
        return msg("must be at most {n}", n=ctx.get("le"))
    if kind == "greater_than":
        return msg("must be more than {n}", n=ctx.get("gt"))
    return msg("must be less than {n}", n=ctx.get("lt"))


def _length_words(kind: str, ctx: dict[str, Any]) -> Msg:
    limit, has = (
        ctx.get("min_length") if kind == "too_short" else ctx.get("max_length"),
        ctx.get("actual_length"),
    )
    if kind == "too_short":
        if limit == 1:
            return msg("must have at least 1 item (has {has})", has=has)
        return msg("must have at least {n} items (has {has})", n=limit, has=has)
    if limit == 1:
        return msg("must have at most 1 item (has {has})", has=has)
    return msg("must have at most {n} items (has {has})", n=limit, has=has)


def _pattern_words(pattern: str) -> Msg:
    if pattern == _SLUG_PATTERN:
        return msg("must be an id of lowercase letters, digits and dashes, like 'outdoor-school'")
    if pattern == _LANG_PATTERN:
        return msg("must be a language code of two or three lowercase letters, like 'da' or 'en'")
    return msg("must match the pattern {pattern}", pattern=pattern)


def _show(value: Any) -> str | Msg:
    if value is None:
        return msg("nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return str(value)
    return _kind(value)


def _kind(value: Any) -> Msg:
    if isinstance(value, dict):
        return msg("a mapping")
    if isinstance(value, list):
        return msg("a list")
    if isinstance(value, str):
        return msg("text")
    if isinstance(value, bool):
        return msg("true/false")
    if isinstance(value, int | float):
        return msg("a number")
    return msg("a {type} value", type=type(value).__name__)


def _too_large(filename: str) -> Problem:
    return Problem(
        filename,
        1,
        1,
        msg("the file is larger than {n} MiB; is it a scenario?", n=MAX_BYTES // 1024 // 1024),
    )


def _not_utf8(filename: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    line, column = _line_and_column(raw[: exc.start], b"\n")
    return Problem(filename, line, column, msg("the file is not UTF-8 text; save it as UTF-8"))


def _not_unicode(filename: str, text: str, exc: UnicodeEncodeError) -> Problem:
    line, column = _line_and_column(text[: exc.start], "\n")
    return Problem(
        filename, line, column, msg("the text holds a character that is not valid Unicode")
    )


def _line_and_column(before: AnyStr, newline: AnyStr) -> tuple[int, int]:
    """Where the character after `before` (the file's start up to it) is, counted from 1."""
    return before.count(newline) + 1, len(before) - before.rfind(newline)


def _failed(problem: Problem, lang: str = FALLBACK_LANGUAGE) -> LoadResult:
    return LoadResult(None, [problem.in_language(lang)])
