"""The scenarios a server offers: the files in a folder, each known by id and content hash.

A workshop stores the text it was created with, so a game is always replayed with the
scenario it was played with, whatever happens to the file later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.scenarios.loader import load_scenario_text
from app.scenarios.models import Scenario, localize
from app.scenarios.problems import ScenarioError


@dataclass(frozen=True, slots=True)
class ScenarioSource:
    id: str
    title: str
    languages: tuple[str, ...]
    text: str
    hash: str
    path: Path


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parse(text: str, filename: str) -> Scenario:
    """A scenario from text; ScenarioError with every located problem otherwise."""
    result = load_scenario_text(text, filename)
    if result.scenario is None or result.errors:
        raise ScenarioError(result.errors)
    return result.scenario


def source_from_text(text: str, filename: str = "upload.yaml") -> ScenarioSource:
    """An uploaded scenario as a source; ScenarioError with every located problem otherwise."""
    scenario = parse(text, filename)
    return ScenarioSource(
        id=scenario.id,
        title=localize(scenario.title, scenario.languages[0]),
        languages=tuple(scenario.languages),
        text=text,
        hash=content_hash(text),
        path=Path(filename),
    )


def available(folder: Path) -> dict[str, ScenarioSource]:
    """Every valid scenario file in `folder`, by id; broken files are left out."""
    found: dict[str, ScenarioSource] = {}
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            scenario = parse(text, str(path))
        except ScenarioError:
            continue
        found[scenario.id] = ScenarioSource(
            id=scenario.id,
            title=localize(scenario.title, scenario.languages[0]),
            languages=tuple(scenario.languages),
            text=text,
            hash=content_hash(text),
            path=path,
        )
    return found
