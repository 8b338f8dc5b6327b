"""constraints.txt pins every distribution the project needs, and the tests run on it.

A distribution the lock leaves out would be taken at its newest release on a fresh
machine (the failure the lock is there to prevent); an environment that differs from the
lock means the tests passed on versions a fresh machine would not get.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def pinned() -> dict[str, str]:
    """constraints.txt: canonical name -> version."""
    pins: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"not an exact pin: {line!r}"
        pins[canonicalize_name(name)] = version
    return pins


def needed(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution `name` needs with `extras`, itself included, as installed here."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name(name), extras)]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        dist, wanted = current
        for text in distribution(dist).requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            # An `extra == "…"` marker holds only for an extra asked for; any other marker
            # (a platform, a Python version) is this machine's.
            if marker is not None and not any(
                marker.evaluate({"extra": extra}) for extra in (wanted or {""})
            ):
                continue
            todo.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return {dist for dist, _ in seen}


def test_the_lock_pins_every_distribution_the_project_and_its_tests_need() -> None:
    missing = needed("policymaker", frozenset({"dev"})) - set(pinned()) - {"policymaker"}
    assert not missing, f"not in constraints.txt (run `make lock`): {sorted(missing)}"


def test_the_tests_run_on_the_locked_versions() -> None:
    differ = {}
    for name, version in pinned().items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            differ[name] = (version, installed)
    assert not differ, f"constraints.txt -> installed here (run `make test` afresh): {differ}"
