"""Propensity models (versioned per event, with the fitted classifier) and each viewer's
latest score: what `viewer { propensity }` and propensity rule conditions read.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veneer.store.models import JSONValue, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "propensity_models",
        sa.Column("event", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("details", JSONValue, nullable=False),
        sa.Column("fitted", sa.LargeBinary(), nullable=False),
        sa.Column("trained_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "propensity_scores",
        sa.Column("viewer_id", sa.String(200), primary_key=True),
        sa.Column("event", sa.String(64), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("propensity_scores")
    op.drop_table("propensity_models")
