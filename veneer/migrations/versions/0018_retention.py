"""Retention: events are deleted by age, and profiles by when they were last seen.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_timestamp", "events", ["timestamp"])
    op.create_index("ix_profiles_updated_at", "profiles", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_profiles_updated_at", table_name="profiles")
    op.drop_index("ix_events_timestamp", table_name="events")
