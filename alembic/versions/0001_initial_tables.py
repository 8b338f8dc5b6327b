"""Initial tables: workshops, their game tables, seats and the event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshop",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scenario_id", sa.String(), nullable=False),
        sa.Column("scenario_hash", sa.String(length=64), nullable=False),
        sa.Column("scenario_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("show_numbers", sa.Boolean(), nullable=False),
        sa.Column("bots_fill", sa.Boolean(), nullable=False),
        sa.Column("autostart", sa.Boolean(), nullable=False),
        sa.Column("facilitator_token_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workshop"),
    )
    op.create_table(
        "game_table",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("join_code", sa.String(length=6), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name="fk_game_table_workshop_id_workshop"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_game_table"),
    )
    op.create_index("ix_game_table_join_code", "game_table", ["join_code"], unique=True)
    op.create_index("ix_game_table_workshop_id", "game_table", ["workshop_id"])
    op.create_table(
        "seat",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("table_id", sa.String(length=32), nullable=False),
        sa.Column("seat_key", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["game_table.id"], name="fk_seat_table_id_game_table"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_seat"),
        sa.UniqueConstraint("table_id", "seat_key", name="uq_seat_table_id_seat_key"),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("seat_key", sa.String(), nullable=True),
        sa.Column("client_msg_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["game_id"], ["game_table.id"], name="fk_event_game_id_game_table"),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
        sa.UniqueConstraint("game_id", "seq", name="uq_event_game_seq"),
    )
    op.create_index("ix_event_client_msg", "event", ["game_id", "seat_key", "client_msg_id"])


def downgrade() -> None:
    op.drop_index("ix_event_client_msg", table_name="event")
    op.drop_table("event")
    op.drop_table("seat")
    op.drop_index("ix_game_table_workshop_id", table_name="game_table")
    op.drop_index("ix_game_table_join_code", table_name="game_table")
    op.drop_table("game_table")
    op.drop_table("workshop")
