"""Where the files shipped with the package are: found through importlib.resources only.

The scenarios, their schema, the static files and the migrations live at the top of the
repository (game_content/, static/, alembic/; the bench's baseline relay in bench/), where
authors and developers look for them. This package holds symlinks to them, committed to
git (`static -> ../../static`, ...), so there is one way to find them wherever the code runs:

- a checkout or an editable install (`pip install -e .`, what `make` does): the links
  lead to the top-level folders, so an edit there is live;
- a wheel (`pip wheel .`) or an sdist: setuptools copies what the links point to into the
  package (the `package-data` of pyproject.toml), so an installed wheel has real files here.

Chosen over mapping sub-packages onto the top-level folders with `package-dir` (setuptools'
editable finder maps whole packages, and data folders are not packages) and over copying
the folders in at build time (a checkout would then need a second lookup, or stale copies).
The templates and catalogues sit inside app/web already and are found the same way.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(package: str, name: str) -> Path:
    """The file or folder `name` of `package` on disk (symlinks resolved).

    The package must be installed as files (pip always does): the static files, the
    templates and alembic need real paths, which a zipped package does not have.
    """
    resource = files(package) / name
    if not isinstance(resource, Path):
        raise RuntimeError(f"{package} is not installed as files on disk: {resource}")
    path = resource.resolve()
    if not path.exists():
        raise RuntimeError(
            f"{package} is installed without its {name} (built without package data?)"
        )
    return path


STATIC = shipped(__name__, "static")
SCENARIOS = shipped(__name__, "game_content") / "scenarios"
SCENARIO_SCHEMA = shipped(__name__, "game_content") / "scenario.schema.json"
MIGRATIONS = shipped(__name__, "alembic")
BENCH_BASELINE = shipped(__name__, "baseline.py")
