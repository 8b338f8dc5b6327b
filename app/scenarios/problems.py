"""Problems found in a scenario file, and where in the file they are.

Shared by the loader (YAML and pydantic errors) and the semantic checks, so every problem
is reported the same way: `FILE:LINE:COLUMN: message`, 1-based. A problem's words wait for
their language (`app.i18n.Msg`): the same problem reads in Danish or English as the caller
picks (`Problem.in_language`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from app.i18n import FALLBACK_LANGUAGE, Msg, msg, verbatim

Severity = Literal["error", "warning"]
# A path into the YAML data: mapping keys and list indexes, e.g. ("rounds", 2, "budget").
DataPath = tuple[str | int, ...]
# What a path points at: the value, the key naming it, or the mapping/list itself.
Anchor = Literal["value", "key", "node"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    text: Msg
    severity: Severity = "error"
    lang: str = FALLBACK_LANGUAGE
    # Where in the data the problem is (None: not in the data, e.g. a YAML syntax error).
    path: DataPath | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.text, str):  # words that are no msgid, e.g. a library's own
            object.__setattr__(self, "text", verbatim(self.text))

    @property
    def message(self) -> str:
        # A message may quote the file's text, which may hold lone surrogates (e.g. from a
        # JSON upload): they cannot be written as UTF-8, so they become "?".
        return self.text.render(self.lang).encode("utf-8", "replace").decode("utf-8")

    def in_language(self, lang: str) -> Problem:
        return replace(self, lang=lang)

    def __str__(self) -> str:
        if self.severity == "warning":
            return msg("{file}:{line}:{column}: warning: {message}", **self._parts()).render(
                self.lang
            )
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def _parts(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ScenarioError(Exception):
    """A scenario file that cannot be used; `problems` holds every error (and warning)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(path: DataPath) -> str | Msg:
    """`rounds[2].timer_seconds`: the way trainers see a place in the file."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or msg("the scenario")


def sort_key(problem: Problem) -> tuple[int, int, str]:
    return (problem.line, problem.column, problem.text.id)


class Locator:
    """Turns a path into the loaded YAML tree into a 1-based line and column.

    The checks may read data with some invalid items withheld (see the loader): `original`
    turns a path into that data back into the file's, and `withheld` holds the ids of the
    withheld items, which a reference may name without being wrong."""

    def __init__(
        self,
        file: str,
        root: Any,
        original: Callable[[DataPath], DataPath] | None = None,
        withheld: frozenset[str] = frozenset(),
    ) -> None:
        self.file = file
        self.root = root
        self.original = original or (lambda path: path)
        self.withheld = withheld

    def error(self, path: DataPath, message: Msg | str, at: Anchor = "value") -> Problem:
        return self._problem(path, message, at, "error")

    def warning(self, path: DataPath, message: Msg | str, at: Anchor = "value") -> Problem:
        return self._problem(path, message, at, "warning")

    def _problem(
        self, path: DataPath, message: Msg | str, at: Anchor, severity: Severity
    ) -> Problem:
        text = verbatim(message) if isinstance(message, str) else message
        line, column = self.position(path, at)
        return Problem(self.file, line, column, text, severity, path=self.original(path))

    def position(self, path: DataPath, at: Anchor = "value") -> tuple[int, int]:
        # Paths may run past what the file holds (a default value, a missing key); the
        # deepest node that exists is the best place to point at.
        path = self.original(path)
        parent: Any = None
        key: str | int | None = None
        node: Any = self.root
        for part in path:
            child = _child(node, part)
            if child is _ABSENT:
                at = "node"
                break
            parent, key, node = node, part, child
        line, column = _position(parent, key, node, at)
        return line + 1, column + 1


_ABSENT = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, CommentedMap) and part in node:
        return node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _ABSENT


def _position(parent: Any, key: str | int | None, node: Any, at: Anchor) -> tuple[int, int]:
    """0-based position of `node`, which is `parent[key]` (or the root when key is None)."""
    if at == "node" and isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return int(node.lc.line), int(node.lc.col)
    if isinstance(parent, CommentedMap):
        # An empty value has no position of its own; ruamel reports the next token's.
        if at == "key" or node is None:
            return _pair(parent.lc.key(key))
        return _pair(parent.lc.value(key))
    if isinstance(parent, CommentedSeq):
        return _pair(parent.lc.item(key))
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return int(node.lc.line), int(node.lc.col)
    return 0, 0


def _pair(position: Any) -> tuple[int, int]:
    line, column = position
    return int(line), int(column)
