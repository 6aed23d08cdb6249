"""Stored segment membership, its history (who entered or left, and when), and when each
segment was last decided for every profile; a segment's holdout share; fitted clusterings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("segments") as segments:
        segments.add_column(sa.Column("decided_at", UTCDateTime(), nullable=True))
        segments.add_column(sa.Column("holdout", sa.Float(), nullable=False, server_default="0"))
    # Keyed by profile first: refreshes and erasure select by profile, and one index is
    # what a backfill of millions of rows can afford to maintain.
    op.create_table(
        "segment_members",
        sa.Column("profile_id", sa.String(200), primary_key=True),
        sa.Column("segment_key", sa.String(100), primary_key=True),
        sa.Column("since", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "segment_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("segment_key", sa.String(100), nullable=False),
        sa.Column("profile_id", sa.String(200), nullable=False),
        sa.Column("change", sa.String(8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_segment_changes_key_at", "segment_changes", ["segment_key", "at"])
    op.create_index("ix_segment_changes_profile", "segment_changes", ["profile_id"])
    op.create_table(
        "cluster_models",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("model", JSONValue, nullable=False),
    )
    op.create_table(
        "cluster_assignments",
        sa.Column("profile_id", sa.String(200), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "segment_sizes",
        sa.Column("segment_key", sa.String(100), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cluster_assignments")
    op.drop_table("cluster_models")
    op.drop_table("segment_sizes")
    op.drop_index("ix_segment_changes_key_at", table_name="segment_changes")
    op.drop_index("ix_segment_changes_profile", table_name="segment_changes")
    op.drop_table("segment_changes")
    op.drop_table("segment_members")
    with op.batch_alter_table("segments") as segments:
        segments.drop_column("holdout")
        segments.drop_column("decided_at")
