"""In a checkout the package's shipped files are the top-level folders themselves (so an edit
to static/ or game_content/ is live under `make run`), reached through app/bundled's
relative links (so the checkout can move). An installed wheel is tests/integration/
test_wheel_install.py's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.bundled import BENCH_BASELINE, MIGRATIONS, SCENARIOS, STATIC, shipped
from app.scenarios.schema import SCHEMA_PATH
from app.settings import REPO_ROOT, Settings
from app.web.i18n import LOCALE_DIR
from app.web.pages import TEMPLATES

BUNDLED = REPO_ROOT / "app" / "bundled"


def test_the_checkout_finds_the_top_level_folders() -> None:
    assert STATIC == REPO_ROOT / "static"
    assert SCENARIOS == REPO_ROOT / "game_content" / "scenarios"
    assert SCHEMA_PATH == REPO_ROOT / "game_content" / "scenario.schema.json"
    assert MIGRATIONS == REPO_ROOT / "alembic"
    assert BENCH_BASELINE == REPO_ROOT / "bench" / "baseline.py"
    assert TEMPLATES == REPO_ROOT / "app" / "web" / "templates"
    assert LOCALE_DIR == REPO_ROOT / "app" / "web" / "locale"
    assert Settings.model_fields["scenarios_dir"].default == SCENARIOS


def test_the_links_are_relative_and_stay_inside_the_checkout() -> None:
    links = sorted(p.name for p in BUNDLED.iterdir() if p.is_symlink())
    assert links == ["alembic", "baseline.py", "game_content", "static"]
    for name in links:
        target = Path(os.readlink(BUNDLED / name))
        assert not target.is_absolute(), (name, target)
        assert (BUNDLED / name).resolve().is_relative_to(REPO_ROOT)


def test_a_missing_resource_is_named() -> None:
    with pytest.raises(RuntimeError, match="without its nothing-here"):
        shipped("app.bundled", "nothing-here")
