"""Alembic migrations, shipped inside the package so an installed app finds them.

The architecture sketch puts them in a top-level `alembic/`, but a top-level folder is
not part of a pip-installed wheel, and the server applies migrations on start from
wherever it is installed. The repository's `alembic.ini` points here for developers.
"""
