"""Identity links, merge records and erasure records.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_links",
        sa.Column("anonymous_id", sa.String(128), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_identity_links_user_id", "identity_links", ["user_id"])
    op.create_table(
        "identity_merges",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("anonymous_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("events_moved", sa.Integer(), nullable=False),
        sa.Column("consent_records_moved", sa.Integer(), nullable=False),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_identity_merges_anonymous_id", "identity_merges", ["anonymous_id"])
    op.create_index("ix_identity_merges_user_id", "identity_merges", ["user_id"])
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("removed", JSONValue, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasures")
    op.drop_index("ix_identity_merges_user_id", table_name="identity_merges")
    op.drop_index("ix_identity_merges_anonymous_id", table_name="identity_merges")
    op.drop_table("identity_merges")
    op.drop_index("ix_identity_links_user_id", table_name="identity_links")
    op.drop_table("identity_links")
