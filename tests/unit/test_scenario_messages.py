"""A trainer's ten mistakes come back in one run, each at its place, in the trainer's language.

The acceptance test of issue 22: a Danish starter written by the real `policymaker scenario
new`, ten different kinds of mistake put in at once, and the real command run once per
language: `--lang da`, `--lang en`, and the locale (LANG=da_DK.UTF-8) without --lang.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.english import english_fragments

POLICYMAKER = Path(sys.executable).parent / "policymaker"


@dataclass(frozen=True)
class Mistake:
    kind: str
    line: str  # the starter's line, as `scenario new` writes it
    new: str
    at: str  # where the error points: the text it starts at, on the new line
    da: str
    en: str


MISTAKES = (
    Mistake(
        "a colon inside a flow mapping",
        "title: {da: Nyt liv i det gamle bibliotek, en: A new use for the old library}",
        "title: {da: Sparekrav: 6 mio. til huset, en: Savings of 6 million}",
        ": 6 mio.",
        "kolonet efter 'Sparekrav' starter en ny nøgle inde i {...}, så teksten slutter der; "
        'sæt tekst, der indeholder kolon, i "anførselstegn"',
        "the colon after 'Sparekrav' starts a new key inside {...}, so the text ends there; "
        'put text that contains a colon in "quotes"',
    ),
    Mistake(
        "a comma in an unquoted text",
        "    name: {da: Kommunens udgifter, en: Cost to the municipality}",
        "    name: {da: Kommunens udgifter, drift og anlæg, en: Cost to the municipality}",
        "drift og anlæg",
        "interests[0].name: kommaet før 'drift og anlæg' afslutter teksten; sæt tekst, der "
        'indeholder kommaer, i "anførselstegn"',
        "interests[0].name: the comma before 'drift og anlæg' ends the text; put text that "
        'contains commas in "quotes"',
    ),
    Mistake(
        "a missing language text",
        "    name: {da: Et mødested for alle, en: A meeting place for everyone}",
        "    name: {da: Et mødested for alle}",
        "{da:",
        "sproget 'en' mangler i interests[1].name",
        "missing language 'en' in interests[1].name",
    ),
    Mistake(
        "a wrong type",
        "    cost: 0",
        "    cost: gratis",
        "gratis",
        "ideas[0].cost: skal være et helt tal (fik 'gratis')",
        "ideas[0].cost: must be a whole number (got 'gratis')",
    ),
    Mistake(
        "a missing required field",
        "    origin: official",
        "    # origin removed",
        "- id: repair-roof",
        "nøglen 'origin' mangler i ideas[4]",
        "missing key 'origin' in ideas[4]",
    ),
    Mistake(
        "an unknown role reference",
        "    origin: official",
        "    origin: borgmester",
        "borgmester",
        "ukendt rolle 'borgmester' i ideas[5].origin (kendte: chair, citizen, councillor, "
        "official)",
        "unknown role 'borgmester' in ideas[5].origin (known: chair, citizen, councillor, "
        "official)",
    ),
    Mistake(
        "a trust target that does not exist",
        "      trust: {official: 1}",
        "      trust: {embedsmand: 1}",
        "embedsmand",
        "ukendt rolle 'embedsmand' i moves[0].effects.trust",
        "unknown role 'embedsmand' in moves[0].effects.trust",
    ),
    Mistake(
        "a duplicate id",
        "      - id: test-week",
        "      - id: open-evening",
        "open-evening",
        "valgmulighedens id 'open-evening' findes to gange (er allerede brugt i linje {first})",
        "duplicate option id 'open-evening' (already used on line {first})",
    ),
    Mistake(
        "an unknown key with a near miss",
        "    timer_seconds: 240",
        "    timer_secnds: 240",
        "timer_secnds",
        "ukendt nøgle 'timer_secnds' i rounds[0] (mente du 'timer_seconds'? tilladt: id, "
        "phase, title, prompt, timer_seconds, event, budget, ideas_per_player, max_ideas)",
        "unknown key 'timer_secnds' in rounds[0] (did you mean 'timer_seconds'? allowed: id, "
        "phase, title, prompt, timer_seconds, event, budget, ideas_per_player, max_ideas)",
    ),
    Mistake(
        "a number out of range",
        "    timer_seconds: 480",
        "    timer_seconds: 5",
        "5",
        "rounds[1].timer_seconds: skal være mindst 10 (fik 5)",
        "rounds[1].timer_seconds: must be at least 10 (got 5)",
    ),
)


@dataclass(frozen=True)
class Broken:
    path: Path
    expected: dict[str, list[str]]  # language -> every error line, FILE:LINE:COL: message


def _policymaker(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [str(POLICYMAKER), *args],
        capture_output=True,
        text=True,
        env={**base, "LANG": "C.UTF-8", **(env or {})},
        check=False,
        timeout=120,
    )


def _break(lines: list[str], mistake: Mistake, after: int) -> int:
    """Put one mistake in, at the first line from `after` that is `mistake.line`; its index."""
    index = lines.index(mistake.line, after)
    lines[index] = mistake.new
    return index


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Broken:
    folder = tmp_path_factory.mktemp("case")
    path = folder / "aeldrepleje.yaml"
    written = _policymaker("scenario", "new", "aeldrepleje", "--lang", "da,en", "-o", str(path))
    assert written.returncode == 0, written.stderr
    assert _policymaker("scenario", "validate", str(path)).returncode == 0
    lines = path.read_text(encoding="utf-8").split("\n")
    expected: dict[str, list[str]] = {"da": [], "en": []}
    # The mistakes go in from the top, each after the previous one's line (two share a
    # line's text: the second `origin: official` is the next idea's).
    after = 0
    placed: list[tuple[int, Mistake]] = []
    for mistake in MISTAKES:
        index = _break(lines, mistake, after if mistake.kind != "a missing language text" else 0)
        placed.append((index, mistake))
        after = index + 1 if mistake.kind != "a comma in an unquoted text" else after
    first_option = lines.index("      - id: open-evening") + 1
    for index, mistake in sorted(placed, key=lambda item: item[0]):
        if mistake.kind == "a missing required field":
            # A missing key points at the mapping that lacks it: the idea's first line.
            line = next(i for i in range(index, -1, -1) if lines[i].startswith("  - id:"))
            column = lines[line].index("id:") + 1
        else:
            line = index
            column = lines[index].index(mistake.at) + 1
        for lang in ("da", "en"):
            text = getattr(mistake, lang).replace("{first}", str(first_option))
            expected[lang].append(f"{path}:{line + 1}:{column}: {text}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return Broken(path, expected)


def _errors(output: str, path: Path) -> list[str]:
    return [line for line in output.splitlines() if re.match(rf"{re.escape(str(path))}:\d", line)]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_mistake_comes_back_at_its_place_in_one_run(broken: Broken, lang: str) -> None:
    done = _policymaker("scenario", "validate", str(broken.path), "--lang", lang)

    assert done.returncode == 1
    assert _errors(done.stdout, broken.path) == broken.expected[lang]
    summary = {"da": "ugyldig (10 fejl, 0 advarsler)", "en": "invalid (10 errors, 0 warnings)"}
    assert done.stdout.splitlines()[-1] == f"{broken.path}: {summary[lang]}"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_check_reports_the_same_mistakes_and_no_report(broken: Broken, lang: str) -> None:
    done = _policymaker("scenario", "check", str(broken.path), "--lang", lang, "--games", "10")

    assert done.returncode == 1
    assert _errors(done.stdout, broken.path) == broken.expected[lang]
    ending = {"da": "ugyldig (10 fejl); ingen rapport", "en": "invalid (10 errors); no report"}
    assert done.stdout.splitlines()[-1] == f"{broken.path}: {ending[lang]}"


def test_the_locale_picks_danish_without_lang(broken: Broken) -> None:
    done = _policymaker("scenario", "validate", str(broken.path), env={"LANG": "da_DK.UTF-8"})

    assert _errors(done.stdout, broken.path) == broken.expected["da"]


def test_lc_all_outranks_lang(broken: Broken) -> None:
    env = {"LANG": "da_DK.UTF-8", "LC_ALL": "en_GB.UTF-8"}
    done = _policymaker("scenario", "validate", str(broken.path), env=env)

    assert _errors(done.stdout, broken.path) == broken.expected["en"]


def test_an_unknown_lang_is_refused() -> None:
    done = _policymaker("scenario", "validate", "nothing.yaml", "--lang", "fr")

    assert done.returncode == 2
    assert done.stderr.strip() == "error: unknown language 'fr'; choose one of da, en"


def test_the_danish_run_has_no_english_message_text(broken: Broken) -> None:
    done = _policymaker("scenario", "validate", str(broken.path), "--lang", "da")
    fragments = english_fragments()
    assert len(fragments) > 50  # the catalog was read

    messages = [line.split(": ", 1)[1] for line in done.stdout.splitlines()]
    leaks = [(f, m) for m in messages for f in fragments if f in m]
    assert leaks == []
