"""The words players pick in the debrief's feelings poll, from their phones.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feeling",
        sa.Column("table_id", sa.String(length=32), nullable=False),
        sa.Column("seat_key", sa.String(), nullable=False),
        sa.Column("feeling", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["game_table.id"], name="fk_feeling_table_id_game_table"
        ),
        sa.PrimaryKeyConstraint("table_id", "seat_key", "feeling", name="pk_feeling"),
    )


def downgrade() -> None:
    op.drop_table("feeling")
