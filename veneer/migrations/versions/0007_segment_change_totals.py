"""Segment history may record a bulk move as one total: a backfill that puts a million
profiles into a segment writes one row saying so, not a million (the members table already
says since when each of them is in).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("segment_changes") as changes:
        changes.add_column(sa.Column("profiles", sa.Integer(), nullable=False, server_default="1"))
        changes.alter_column("profile_id", existing_type=sa.String(200), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM segment_changes WHERE profile_id IS NULL")
    with op.batch_alter_table("segment_changes") as changes:
        changes.alter_column("profile_id", existing_type=sa.String(200), nullable=False)
        changes.drop_column("profiles")
