"""Experiments and the first exposure of each viewer to one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("metric", sa.String(140), nullable=False),
        sa.Column("arms", JSONValue, nullable=False),
        sa.Column("traffic_share", sa.Float(), nullable=False),
        sa.Column("guardrails", JSONValue, nullable=False),
        sa.Column("models", JSONValue, nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=True),
        sa.Column("end", UTCDateTime(), nullable=True),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "experiment_exposures",
        sa.Column("experiment", sa.String(100), primary_key=True),
        sa.Column("viewer_id", sa.String(200), primary_key=True),
        sa.Column("arm", sa.String(100), nullable=False),
        sa.Column("exposed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_experiment_exposures_viewer", "experiment_exposures", ["viewer_id"])


def downgrade() -> None:
    op.drop_index("ix_experiment_exposures_viewer", "experiment_exposures")
    op.drop_table("experiment_exposures")
    op.drop_table("experiments")
