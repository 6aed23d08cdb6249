"""Core tables: API keys, profiles, consent records, segments.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("anonymous_id", sa.String(128), nullable=True),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("traits", JSONValue, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_profiles_anonymous_id", "profiles", ["anonymous_id"])
    op.create_index("ix_profiles_user_id", "profiles", ["user_id"])
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("viewer_id", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("policy_version", sa.String(64), nullable=True),
        sa.Column("gpc", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_consent_records_viewer_time", "consent_records", ["viewer_id", "recorded_at"]
    )
    op.create_table(
        "segments",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rule", JSONValue, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("segments")
    op.drop_index("ix_consent_records_viewer_time", table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index("ix_profiles_user_id", table_name="profiles")
    op.drop_index("ix_profiles_anonymous_id", table_name="profiles")
    op.drop_table("profiles")
    op.drop_table("api_keys")
