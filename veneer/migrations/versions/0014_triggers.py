"""Triggers and the offers they made each viewer.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "triggers",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("spec", JSONValue, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "trigger_offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("viewer_id", sa.String(200), nullable=False),
        sa.Column("trigger_key", sa.String(100), nullable=False),
        sa.Column("placement", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("served_at", UTCDateTime(), nullable=True),
        sa.Column("dismissed_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "ix_trigger_offers_viewer_trigger", "trigger_offers", ["viewer_id", "trigger_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_trigger_offers_viewer_trigger", table_name="trigger_offers")
    op.drop_table("trigger_offers")
    op.drop_table("triggers")
