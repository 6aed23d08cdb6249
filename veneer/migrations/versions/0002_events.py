"""Events, event receipts (idempotency) and profile activity aggregates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("viewer_id", sa.String(200), nullable=False),
        sa.Column("anonymous_id", sa.String(128), nullable=True),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=True),
        sa.Column("properties", JSONValue, nullable=False),
        sa.Column("context", JSONValue, nullable=False),
    )
    op.create_index("ix_events_viewer_time", "events", ["viewer_id", "timestamp"])
    op.create_table(
        "event_receipts",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_event_receipts_received_at", "event_receipts", ["received_at"])
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("activity", JSONValue, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("activity")
    op.drop_index("ix_event_receipts_received_at", table_name="event_receipts")
    op.drop_table("event_receipts")
    op.drop_index("ix_events_viewer_time", table_name="events")
    op.drop_table("events")
